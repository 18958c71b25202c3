"""Reading clusters as a dashboard does: list, page, poll with ETag, open one, delete members."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from app.api.routes import _cursor
from app.api.schemas import rfc3339
from app.ingest import from_micros, to_micros
from app.main import DB_FILE, create_app
from app.settings import Settings
from tests.api.test_errors import assert_error
from tests.api.test_ingest import OTHER, STORY


def article_about(topic: int, n: int) -> str:
    """Texts that share no words across topics, so each topic is its own story."""
    words = [f"t{topic}w{j}" for j in range(30)]
    return " ".join(words[(n + k) % 30] for k in range(60)) + "."


def test_list_is_newest_first_with_sources(client: TestClient) -> None:
    client.post("/v1/articles", json={"id": "a1", "text": STORY, "source": "site-a", "title": "Talks"})
    client.post("/v1/articles", json={"id": "b1", "text": OTHER, "source": "site-b"})
    client.post("/v1/articles", json={"id": "a2", "text": STORY + "\n\nUpdated.", "source": "site-c"})
    clusters = client.get("/v1/clusters").json()["clusters"]
    assert [c["size"] for c in clusters] == [2, 1]
    top = clusters[0]
    assert top["canonical_id"] == "a1" and top["title"] == "Talks"
    assert top["sources"] == ["site-a", "site-c"]
    assert top["last_updated_at"].endswith("Z") and top["first_published_at"].endswith("Z")
    assert client.get("/v1/clusters?min_size=2").json()["clusters"] == [top]


def test_paging_with_cursor_visits_every_cluster_once(client: TestClient) -> None:
    articles = [{"id": f"t{t}-{n}", "text": article_about(t, n)} for t in range(6) for n in range(2)]
    client.post("/v1/articles/batch", json={"articles": articles})
    total = len(client.get("/v1/clusters?limit=1000").json()["clusters"])
    seen: list[str] = []
    cursor = None
    while True:
        url = "/v1/clusters?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).json()
        seen += [c["id"] for c in page["clusters"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == total >= 5


def test_etag_answers_304_until_something_changes(client: TestClient) -> None:
    client.post("/v1/articles", json={"id": "a1", "text": STORY})
    first = client.get("/v1/clusters")
    etag = first.headers["etag"]
    assert client.get("/v1/clusters", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/v1/clusters", headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304  # weak match
    client.post("/v1/articles", json={"id": "a1", "text": STORY})  # unchanged: nothing moves
    assert client.get("/v1/clusters", headers={"If-None-Match": etag}).status_code == 304
    client.post("/v1/articles", json={"id": "b1", "text": OTHER})
    changed = client.get("/v1/clusters", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert len(changed.json()["clusters"]) == 2


def test_updated_since_returns_only_what_changed(client: TestClient) -> None:
    client.post("/v1/articles", json={"id": "a1", "text": STORY})
    mark = client.get("/v1/clusters").json()["clusters"][0]["last_updated_at"]
    client.post("/v1/articles", json={"id": "b1", "text": OTHER})
    since = client.get("/v1/clusters", params={"updated_since": mark}).json()["clusters"]
    assert len(since) == 2, "inclusive: the cluster updated at the mark is listed too"
    newest = since[0]["last_updated_at"]
    later = client.get("/v1/clusters", params={"updated_since": newest}).json()["clusters"]
    assert [c["id"] for c in later] == [since[0]["id"]]


def test_cluster_detail_has_members_and_canonical_text(client: TestClient) -> None:
    page = "Home\nWorld\nSports\n" + STORY + "\nCopyright 2020 Example News. All rights reserved."
    created = client.post("/v1/articles", json={"id": "a1", "text": page, "url": "https://a.example/1"}).json()
    client.post("/v1/articles", json={"id": "a2", "text": STORY, "published_at": "2020-01-13T18:00:00+02:00"})
    detail = client.get(f"/v1/clusters/{created['cluster_id']}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["size"] == 2 and {m["id"] for m in body["members"]} == {"a1", "a2"}
    assert body["canonical"]["id"] == "a1", "the canonical of the largest duplicate group"
    assert body["title"] is not None
    assert "Copyright" not in body["canonical"]["text"] and "Sports" not in body["canonical"]["text"]
    assert body["first_published_at"] == "2020-01-13T16:00:00Z"
    members = {m["id"]: m for m in body["members"]}
    assert members["a1"]["url"] == "https://a.example/1"
    etag = detail.headers["etag"]
    assert client.get(f"/v1/clusters/{created['cluster_id']}", headers={"If-None-Match": etag}).status_code == 304


def test_members_in_pages_are_all_listed_once_in_order(client: TestClient) -> None:
    """A large cluster's members, a page at a time: every one once, in the full listing's
    order (oldest first, articles published at the same moment in ingest order), with the
    sources of all members on every page."""
    articles = [
        {
            "id": f"m{i}",
            "text": STORY + f"\n\nUpdate number {i}.",
            "source": f"site-{i % 3}",
            "published_at": f"2020-01-13T1{i % 2}:00:00Z",  # ties, broken by ingest order
        }
        for i in range(7)
    ]
    cluster_id = client.post("/v1/articles/batch", json={"articles": articles}).json()["results"][0]["cluster_id"]
    whole = client.get(f"/v1/clusters/{cluster_id}").json()
    assert whole["size"] == 7 and whole["next_members_cursor"] is None
    listed, cursor, pages = [], None, 0
    while True:
        params = {"members_limit": 3} | ({"members_cursor": cursor} if cursor else {})
        page = client.get(f"/v1/clusters/{cluster_id}", params=params).json()
        assert len(page["members"]) <= 3 and page["sources"] == ["site-0", "site-1", "site-2"] == whole["sources"]
        listed += page["members"]
        pages += 1
        cursor = page["next_members_cursor"]
        if cursor is None:
            break
    assert pages == 3 and listed == whole["members"]
    assert [m["id"] for m in listed] == ["m0", "m2", "m4", "m6", "m1", "m3", "m5"]


def test_a_page_of_members_has_its_own_etag(client: TestClient) -> None:
    cluster_id = client.post("/v1/articles", json={"id": "a1", "text": STORY}).json()["cluster_id"]
    client.post("/v1/articles", json={"id": "a2", "text": STORY + "\n\nUpdated."})
    url = f"/v1/clusters/{cluster_id}"
    whole, first = client.get(url), client.get(url, params={"members_limit": 1})
    assert whole.headers["etag"] != first.headers["etag"]
    assert [m["id"] for m in first.json()["members"]] == ["a1"]
    assert (
        client.get(url, params={"members_limit": 1}, headers={"If-None-Match": first.headers["etag"]}).status_code
        == 304
    )
    second = client.get(url, params={"members_limit": 1}, headers={"If-None-Match": whole.headers["etag"]})
    assert second.status_code == 200


def test_stray_characters_in_a_members_cursor_never_reach_the_etag(client: TestClient) -> None:
    """Base64 decoding skips characters outside its alphabet, so such a cursor still reads as
    the one given out; the ETag is built from what it decodes to, never from the raw text."""
    client.post("/v1/articles", json={"id": "a1", "text": STORY})
    cluster_id = client.post("/v1/articles", json={"id": "a2", "text": STORY + "\n\nUpdated."}).json()["cluster_id"]
    url = f"/v1/clusters/{cluster_id}"
    cursor = client.get(url, params={"members_limit": 1}).json()["next_members_cursor"]
    clean = client.get(url, params={"members_limit": 1, "members_cursor": cursor})
    stray = client.get(url, params={"members_limit": 1, "members_cursor": cursor + '"\r\n'})
    assert stray.status_code == clean.status_code == 200 and stray.json() == clean.json()
    assert stray.headers["etag"] == clean.headers["etag"] and stray.headers["etag"].count('"') == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"members_limit": 0}, "members_limit"),
        ({"members_limit": 1001}, "members_limit"),
        ({"members_cursor": "not-a-cursor"}, "members_cursor"),
        ({"members_cursor": "WyJhIiwgMV0"}, "members_cursor"),  # ["a", 1]: a pair, not of ours
        ({"members_cursor": _cursor(2**63, 1)}, "members_cursor"),  # an integer the store cannot hold
    ],
)
def test_bad_member_paging_is_422(client: TestClient, params: dict[str, object], field: str) -> None:
    cluster_id = client.post("/v1/articles", json={"id": "a1", "text": STORY}).json()["cluster_id"]
    assert_error(client.get(f"/v1/clusters/{cluster_id}", params=params), 422, field=field)


def test_delete_canonical_repoints_its_group(client: TestClient, invariants: None) -> None:
    for i, suffix in enumerate(["", "\n\nUpdated at noon.", "\n\nUpdated in the evening."]):
        client.post("/v1/articles", json={"id": f"a{i}", "text": STORY + suffix})
    cluster_id = client.get("/v1/articles/a0").json()["cluster_id"]
    assert client.delete("/v1/articles/a0").status_code == 204
    assert client.get("/v1/articles/a0").status_code == 404
    a1, a2 = client.get("/v1/articles/a1").json(), client.get("/v1/articles/a2").json()
    assert a1["duplicate_of"] is None and a2["duplicate_of"] == "a1"
    assert a1["duplicates"] == [{"id": "a2", "similarity": a2["similarity"]}]
    cluster = client.get(f"/v1/clusters/{cluster_id}").json()
    assert cluster["size"] == 2 and cluster["canonical"]["id"] == "a1"


def test_deleting_the_last_member_removes_the_cluster(client: TestClient, invariants: None) -> None:
    cluster_id = client.post("/v1/articles", json={"id": "a1", "text": STORY}).json()["cluster_id"]
    etag = client.get("/v1/clusters").headers["etag"]
    client.delete("/v1/articles/a1")
    assert client.get(f"/v1/clusters/{cluster_id}").status_code == 404
    assert client.get("/v1/clusters", headers={"If-None-Match": etag}).json()["clusters"] == []


def test_similar_stores_nothing(client: TestClient) -> None:
    client.post("/v1/articles", json={"id": "a1", "text": STORY})
    body = client.post("/v1/similar", json={"text": STORY + "\n\nOne more line of text here."}).json()
    assert body["duplicates"][0]["id"] == "a1" and body["duplicates"][0]["similarity"] > 0.8
    assert body["clusters"][0]["cluster_id"] == client.get("/v1/articles/a1").json()["cluster_id"]
    assert body["duplicates_truncated"] is False
    assert client.get("/readyz").json()["articles"] == 1


def test_similar_lists_at_most_limit_duplicates_and_says_so(client: TestClient) -> None:
    """A popular story's copies are listed up to ``limit``, most similar first, and the answer
    says more may be stored; the duplicate decision (the cluster) is that of all of them."""
    copies = [{"id": f"c{i:02d}", "text": STORY + f"\n\nEdited {i}: " + "more " * i} for i in range(12)]
    client.post("/v1/articles/batch", json={"articles": copies})
    probe = {"text": STORY + "\n\nOne more line of text here."}
    everything = client.post("/v1/similar?limit=50", json=probe).json()
    assert len(everything["duplicates"]) == 12 and everything["duplicates_truncated"] is False
    some = client.post("/v1/similar?limit=5", json=probe).json()
    assert len(some["duplicates"]) == 5 and some["duplicates_truncated"] is True
    scores = [d["similarity"] for d in some["duplicates"]]
    assert scores == sorted(scores, reverse=True)
    assert {d["id"] for d in some["duplicates"]} <= {d["id"] for d in everything["duplicates"]}
    assert some["clusters"] == everything["clusters"]
    for bad in ("0", "1001", "many"):
        error = client.post(f"/v1/similar?limit={bad}", json=probe)
        assert error.status_code == 422 and error.json()["error"]["code"] == "validation_error"


def test_similar_answers_the_same_for_rows_stored_before_shingles_were_kept(settings: Settings) -> None:
    edited = {"text": STORY + "\n\nOne more line of text here."}
    with TestClient(create_app(settings)) as client:
        client.post("/v1/articles", json={"id": "a1", "text": STORY})
        client.post("/v1/articles", json={"id": "a2", "text": STORY + "\n\nUpdated."})
        with_shingles = client.post("/v1/similar", json=edited).json()
    db = sqlite3.connect(settings.data_dir / DB_FILE)
    db.execute("DELETE FROM article_shingles")  # as rows made by earlier versions have none
    db.commit()
    db.close()
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/similar", json=edited).json() == with_shingles
    assert [d["id"] for d in with_shingles["duplicates"]] == ["a1", "a2"]


def test_a_stored_date_beyond_what_requests_may_send_reads_as_the_nearest_end(settings: Settings) -> None:
    """Stores from before requests were checked may hold a moment just outside years 1-9999
    (``0001-01-01T00:00:00+14:00``). Such a store still lists and opens its clusters."""
    with TestClient(create_app(settings)) as client:
        cluster_id = client.post("/v1/articles", json={"id": "a1", "text": STORY}).json()["cluster_id"]
    year_zero = to_micros(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))
    db = sqlite3.connect(settings.data_dir / DB_FILE)
    db.execute("UPDATE articles SET published_at = ?", (year_zero,))
    db.execute("UPDATE clusters SET first_published_at = ?", (year_zero,))
    db.commit()
    db.close()
    with TestClient(create_app(settings)) as client:
        listed = client.get("/v1/clusters")
        opened = client.get(f"/v1/clusters/{cluster_id}")
        article = client.get("/v1/articles/a1")
    assert listed.status_code == opened.status_code == article.status_code == 200
    assert listed.json()["clusters"][0]["first_published_at"] == "0001-01-01T00:00:00Z"
    assert opened.json()["members"][0]["published_at"] == "0001-01-01T00:00:00Z"
    assert article.json()["published_at"] == "0001-01-01T00:00:00Z"


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.booleans())
def test_times_are_written_as_isoformat_writes_them(micros: int, whole_second: bool) -> None:
    """Every stored time, beyond what a datetime holds too (clamped), with or without a fraction."""
    micros -= micros % 1_000_000 if whole_second else 0
    moment = from_micros(micros)
    spec = "seconds" if moment.microsecond == 0 else "microseconds"
    assert rfc3339(micros) == moment.isoformat(timespec=spec).replace("+00:00", "Z")


def test_compare_explains_a_pair(client: TestClient) -> None:
    client.post("/v1/articles", json={"id": "a1", "text": STORY})
    client.post("/v1/articles", json={"id": "a2", "text": STORY + "\n\nUpdated."})
    client.post("/v1/articles", json={"id": "b1", "text": OTHER})
    same = client.get("/v1/articles/a1/compare/a2").json()
    assert same["same_group"] and same["lsh_candidates"] and same["similarity"] >= same["duplicate_threshold"]
    apart = client.get("/v1/articles/a1/compare/b1").json()
    assert not apart["same_group"] and apart["similarity"] < 0.1


def test_compare_shows_the_evidence(client: TestClient) -> None:
    dated = {"published_at": "2020-01-13T06:00:00Z"}
    client.post("/v1/articles", json={"id": "a1", "text": STORY, "title": "Libya talks in Moscow", **dated})
    client.post("/v1/articles", json={"id": "a2", "text": "Breaking.\n\n" + STORY, **dated})
    client.post("/v1/articles", json={"id": "b1", "text": OTHER, **dated})
    same = client.get("/v1/articles/a1/compare/a2").json()
    # The whole story is the passage they share, cut at 50 words.
    assert same["shared_passages"][0].startswith("the foreign ministers of russia and turkey met in moscow")
    assert len(same["shared_passages"][0].split()) == 51 and same["shared_passages"][0].endswith("…")
    words = [w["word"] for w in same["shared_words"]]
    assert len(words) == 10 and "libya" in words and "the" not in words
    assert sum(w["weight"] for w in same["shared_words"]) <= same["story_similarity"] + 1e-3
    # Two members, published together: a1's score against the other member is their cosine.
    assert same["a_score_in_b_cluster"] == pytest.approx(same["story_similarity"], abs=2e-4)
    apart = client.get("/v1/articles/a1/compare/b1").json()
    assert apart["shared_passages"] == [] and [w["word"] for w in apart["shared_words"]] == ["eastern"]
    assert apart["a_score_in_b_cluster"] == pytest.approx(apart["story_similarity"], abs=2e-4)
    assert apart["a_score_in_b_cluster"] < apart["story_threshold"]
    alone = client.get("/v1/articles/b1/compare/b1").json()  # nothing else in its cluster to score against
    assert alone["a_score_in_b_cluster"] is None and alone["b_score_in_a_cluster"] is None


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "articles": None}
    assert client.get("/readyz").json() == {"status": "ready", "articles": 0}
