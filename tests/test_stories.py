"""Story similarity: TF-IDF vectors with online document frequencies, centroids, merges."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import DB_FILE, create_app
from app.settings import Settings
from app.stories import (
    DF_SLOTS,
    DocumentFrequencies,
    StoryConfig,
    Vector,
    add,
    average_similarities,
    average_similarity,
    background,
    cosine,
    keywords,
    term_counts,
    time_penalty,
    total,
    weigh,
)

CFG = StoryConfig()


def test_title_words_weigh_more_and_stopwords_are_dropped() -> None:
    counts = term_counts(["the", "quake", "hit", "quake"], ["quake"], frozenset({"the"}), CFG)
    assert len(counts.terms) == 2
    assert sorted(counts.weights.tolist()) == [1.0, 2.0 + CFG.title_weight]


def test_rare_terms_weigh_more_than_common_ones() -> None:
    df = DocumentFrequencies()
    common, rare = term_counts(["common"], [], frozenset(), CFG), term_counts(["rare"], [], frozenset(), CFG)
    for _ in range(10):
        df.add(common.terms)
    df.add(rare.terms)
    both = term_counts(["common", "rare"], [], frozenset(), CFG)
    vector = weigh(both, df)
    weights = dict(zip(vector.terms.tolist(), vector.weights.tolist(), strict=True))
    assert weights[int(rare.terms[0])] > weights[int(common.terms[0])]
    assert abs(vector.norm() - 1.0) < 1e-6
    df.add(common.terms, sign=-1)
    assert df.documents == 10


def test_terms_sharing_a_slot_count_an_article_once() -> None:
    df = DocumentFrequencies()
    shared = np.array([7, 7 + DF_SLOTS], dtype=np.uint32)  # two terms, one hashed slot
    df.add(shared)
    df.add(shared)
    assert df.counts[7] == 2
    df.add(shared, sign=-1)
    assert df.counts[7] == 1
    df.add(shared, sign=-1)
    df.add(shared, sign=-1)  # never below zero
    assert df.counts[7] == 0 and df.documents == 0


def test_cosine_add_and_round_trip() -> None:
    a = Vector(np.array([1, 2, 3], dtype=np.uint32), np.array([1, 1, 0], dtype=np.float32))
    b = Vector(np.array([2, 3, 4], dtype=np.uint32), np.array([1, 0, 1], dtype=np.float32))
    assert abs(cosine(a, a) - 1.0) < 1e-6 and abs(cosine(a, b) - 0.5) < 1e-6
    assert cosine(a, Vector.empty()) == 0.0
    summed = add(a, b, keep=10)
    assert summed.terms.tolist() == [1, 2, 3, 4] and summed.weights.tolist() == [1, 2, 0, 1]
    assert add(a, b, keep=1).terms.tolist() == [2], "only the heaviest terms are kept"
    assert np.array_equal(total([a, b], keep=10).weights, summed.weights)
    restored = Vector.from_bytes(summed.to_bytes())
    assert np.array_equal(restored.terms, summed.terms) and np.array_equal(restored.weights, summed.weights)
    assert keywords(summed, 1).tolist() == [2]


def test_add_sums_every_term_of_both_and_keeps_the_heaviest_in_term_order() -> None:
    rng = np.random.default_rng(5)

    def sparse() -> Vector:
        terms = np.unique(rng.integers(0, 60, int(rng.integers(0, 40))).astype(np.uint32))
        return Vector(terms, rng.integers(1, 9, len(terms)).astype(np.float32) / 4)

    for _ in range(300):
        a, b = sparse(), sparse()
        expected: dict[int, float] = {}
        for v in (a, b):
            for term, weight in zip(v.terms.tolist(), v.weights.tolist(), strict=True):
                expected[term] = expected.get(term, 0.0) + weight
        full = add(a, b, keep=1000)
        assert full.terms.tolist() == sorted(expected)
        assert full.weights.tolist() == [expected[t] for t in sorted(expected)]
        keep = int(rng.integers(1, 20))
        cut = add(a, b, keep=keep)
        assert len(cut.terms) == min(keep, len(expected)) and cut.terms.tolist() == sorted(cut.terms.tolist())
        assert cut.weights.tolist() == [expected[t] for t in cut.terms.tolist()]
        dropped = [expected[t] for t in expected if t not in set(cut.terms.tolist())]
        assert not dropped or min(cut.weights.tolist()) >= max(dropped)


def test_average_similarity_is_the_mean_cosine_with_the_members() -> None:
    rng = np.random.default_rng(3)
    members = []
    for _ in range(4):
        terms = np.sort(rng.choice(50, size=12, replace=False)).astype(np.uint32)
        weights = rng.random(12).astype(np.float32)
        members.append(Vector(terms, weights / np.linalg.norm(weights)))
    probe = members[0]
    mean = np.mean([cosine(probe, m) for m in members[1:]])
    assert abs(average_similarity(probe, total(members[1:], keep=1000), 3) - mean) < 1e-5
    assert average_similarity(probe, Vector.empty(), 0) == 0.0
    # Many clusters at once give what each gives alone; an empty or memberless one scores 0.
    sums = [total(members[1:3], keep=1000), Vector.empty(), members[3], members[1]]
    many = average_similarities(probe, sums, [2, 0, 1, 0])
    alone = [average_similarity(probe, s, n) for s, n in zip(sums, [2, 0, 1, 0], strict=True)]
    assert np.allclose(many, alone) and many[1] == 0.0 and many[3] == 0.0 and many[0] > 0
    assert average_similarities(Vector.empty(), sums, [2, 0, 1, 0]).tolist() == [0.0] * 4


def test_average_similarities_count_only_equal_terms_not_equal_low_bits() -> None:
    """The prefilter looks at low bits only: terms that share them must still not match."""
    rng = np.random.default_rng(5)

    def vector(size: int) -> Vector:  # terms from a few values with the same low 16 bits
        terms = np.unique(rng.integers(0, 8, size) * (1 << 16) + rng.integers(0, 4, size)).astype(np.uint32)
        return Vector(terms, rng.random(len(terms)).astype(np.float32))

    for _ in range(30):
        probe, sums = vector(6), [vector(int(rng.integers(1, 20))) for _ in range(5)]
        naive = []
        for member_sum in sums:
            _shared, ia, ib = np.intersect1d(probe.terms, member_sum.terms, return_indices=True)
            naive.append(float(np.dot(probe.weights[ia].astype(np.float64), member_sum.weights[ib])) / 2)
        assert np.allclose(average_similarities(probe, sums, [2] * 5), naive)


def test_language_background_makes_common_words_weigh_less_from_the_first_article() -> None:
    english = background("en")
    assert english is not None and background("xx") is None
    counts = term_counts(["said", "people", "earthquake", "izmir"], [], frozenset(), CFG)
    shares = dict(zip(counts.terms.tolist(), english.share(counts.terms).tolist(), strict=True))
    said, izmir = (int(term_counts([w], [], frozenset(), CFG).terms[0]) for w in ("said", "izmir"))
    assert shares[said] > 10 * shares[izmir] > 0
    empty_stream = DocumentFrequencies()
    plain = dict(zip(counts.terms.tolist(), weigh(counts, empty_stream).weights.tolist(), strict=True))
    assert plain[said] == plain[izmir], "with no prior, nothing tells words apart before any counts"
    prior = weigh(counts, empty_stream, english, prior_documents=1000)
    weighted = dict(zip(prior.terms.tolist(), prior.weights.tolist(), strict=True))
    assert weighted[izmir] > 2 * weighted[said] and abs(prior.norm() - 1.0) < 1e-6


BACKGROUND = [
    "The central bank raised interest rates by half a point to fight inflation, the governor said on Thursday.",
    "The football club signed a new striker from Brazil for a record fee, the manager told reporters.",
    "Parliament passed the budget after a long debate over taxes and spending on schools and hospitals.",
    "A new smartphone with a folding screen went on sale, and queues formed outside shops in the capital.",
    "The film festival opened with a drama about a family farm, and critics praised its lead actress.",
    "Heavy rain flooded streets in the port city, and the airport cancelled dozens of flights.",
]
IZMIR_1 = (
    "A magnitude 6.1 earthquake struck Izmir in western Turkey on Friday, killing 12 people and toppling "
    "buildings in the Bayrakli district, Turkey's disaster agency AFAD said. Rescuers searched the rubble in Izmir."
)
IZMIR_2 = (
    "Rescue teams in Izmir pulled survivors from collapsed apartment blocks in Bayrakli after Friday's 6.1 quake. "
    "AFAD said the death toll in Turkey's third-largest city had risen to 12, with hundreds injured."
)
CHILE = (
    "A magnitude 5.8 earthquake shook Valparaiso in central Chile on Friday, cracking walls and cutting power. "
    "Chile's emergency office Onemi said no deaths were reported in Valparaiso or Santiago."
)


BRIDGE = (
    "Two earthquakes on Friday: in Izmir, Turkey, AFAD counted 12 dead in Bayrakli after the 6.1 quake, while in "
    "Valparaiso, Chile, Onemi reported cracked walls and power cuts but no deaths in Valparaiso or Santiago."
)


def post(client: TestClient, article_id: str, text: str, title: str, day: int = 1) -> dict[str, object]:
    body = {"id": article_id, "text": text, "title": title, "published_at": f"2020-10-{day:02d}T12:00:00Z"}
    response = client.post("/v1/articles", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_two_reports_of_one_event_join_and_a_look_alike_event_does_not(client: TestClient, invariants: None) -> None:
    for i, text in enumerate(BACKGROUND):
        post(client, f"bg{i}", text, text.split(",")[0])
    first = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey")
    second = post(client, "izmir-2", IZMIR_2, "Survivors pulled from rubble in Izmir")
    chile = post(client, "chile", CHILE, "Earthquake shakes Valparaiso, Chile")
    assert second["status"] == "new" and second["cluster_id"] == first["cluster_id"]
    assert chile["cluster_id"] != first["cluster_id"]
    detail = client.get(f"/v1/clusters/{first['cluster_id']}").json()
    assert {m["id"] for m in detail["members"]} == {"izmir-1", "izmir-2"}


def test_similar_gives_a_duplicate_only_the_cluster_ingest_puts_it_in(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Ingest puts a duplicate in its canonical's cluster without scoring; /v1/similar says the
    same, rather than ranking the story candidates a new report would be scored against."""
    settings = Settings(data_dir=tmp_path, prepare_workers=0, story_threshold=0.99, story_merge_threshold=1.0)
    with TestClient(create_app(settings)) as client:
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        first = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey")
        second = post(client, "izmir-2", IZMIR_2, "Survivors pulled from rubble in Izmir")
        assert first["cluster_id"] != second["cluster_id"]  # the threshold keeps them apart
        day = "2020-10-01T15:00:00Z"
        report = {
            "text": "In Bayrakli, Izmir, AFAD crews kept digging through the rubble of Friday's earthquake in "
            "Turkey as the 6.1 quake's toll stayed at 12.",
            "title": "Izmir earthquake rescue goes on",
            "published_at": day,
        }
        ranked = [c["cluster_id"] for c in client.post("/v1/similar", json=report).json()["clusters"]]
        assert {first["cluster_id"], second["cluster_id"]} <= set(ranked)
        copy = {"text": IZMIR_1 + " Aftershocks followed.", "title": "Izmir quake kills 12", "published_at": day}
        found = client.post("/v1/similar", json=copy).json()
        assert [c["cluster_id"] for c in found["clusters"]] == [first["cluster_id"]]
        ingested = client.post("/v1/articles", json={"id": "izmir-copy", **copy}).json()
        assert ingested["status"] == "duplicate" and ingested["cluster_id"] == first["cluster_id"]


def test_clusters_outside_the_window_take_no_new_members(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(Settings(data_dir=tmp_path, story_window_days=3))) as client:
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        first = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey", day=1)
        late = post(client, "izmir-2", IZMIR_2, "Survivors pulled from rubble in Izmir", day=20)
        assert late["cluster_id"] != first["cluster_id"]


def test_time_penalty_grows_with_the_log_of_the_gap() -> None:
    assert time_penalty(0, 0.03, 30) == 0
    assert time_penalty(30, 0.03, 30) == pytest.approx(0.03)
    assert time_penalty(-30, 0.03, 30) == pytest.approx(0.03)  # a late-published report counts the same
    assert time_penalty(90, 0.03, 30) == pytest.approx(0.06)
    assert time_penalty(365, 0.0, 30) == 0


def test_a_cluster_scores_lower_the_further_away_in_time_the_article_is(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """/v1/similar shows it: the same report, dated 180 days after the cluster's only member,
    scores the time penalty for those days below the same report dated an hour after."""
    with TestClient(create_app(Settings(data_dir=tmp_path, prepare_workers=0))) as client:
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        cluster = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey")["cluster_id"]

        def score(published_at: str) -> float:
            probe = {"text": IZMIR_2, "title": "Survivors pulled from rubble in Izmir", "published_at": published_at}
            clusters = client.post("/v1/similar", json=probe).json()["clusters"]
            return float(next(c["score"] for c in clusters if c["cluster_id"] == cluster))

        near, far = score("2020-10-01T13:00:00Z"), score("2021-03-30T12:00:00Z")
    settings = Settings()
    expected = time_penalty(180, settings.story_time_penalty, settings.story_time_scale_days) - time_penalty(
        1 / 24, settings.story_time_penalty, settings.story_time_scale_days
    )
    assert expected > 0.08
    assert near - far == pytest.approx(expected, abs=2e-4)


def test_articles_far_older_than_the_newest_leave_the_story_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The story index keeps the window plus STORY_LATE_DAYS behind the newest article: a late
    report (a backfill) older than that finds no candidates there, before and after a restart."""
    settings = Settings(data_dir=tmp_path, story_window_days=3, prepare_workers=0)
    probe = {"text": IZMIR_2, "title": "Survivors pulled from rubble in Izmir", "published_at": "2020-10-01T18:00:00Z"}

    def newer(client: TestClient, article_id: str, published_at: str) -> None:
        body = {"id": article_id, "text": CHILE, "title": "Earthquake shakes Valparaiso", "published_at": published_at}
        assert client.post("/v1/articles", json=body).status_code == 201

    def candidates(client: TestClient) -> list[str]:
        return [c["cluster_id"] for c in client.post("/v1/similar", json=probe).json()["clusters"]]

    with TestClient(create_app(settings)) as client:
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        izmir = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey", day=1)  # Oct 1, 12:00
        newer(client, "chile-1", "2020-11-03T11:00:00Z")  # 3 + 30 days and an hour later: still kept
        assert candidates(client) == [izmir["cluster_id"]]
        newer(client, "chile-2", "2020-11-03T13:00:00Z")  # an hour more: izmir-1 leaves the index
        assert candidates(client) == []
        late = post(client, "izmir-2", IZMIR_2, "Survivors pulled from rubble in Izmir", day=2)
        assert late["cluster_id"] != izmir["cluster_id"]  # it starts its own cluster, which is kept
        assert candidates(client) == [late["cluster_id"]]
    with TestClient(create_app(settings)) as client:  # a restart loads only what was kept
        assert candidates(client) == [late["cluster_id"]]
        engine = client.app.state.engine  # type: ignore[attr-defined]
        assert len(engine.story_index) == 2  # chile-1 and izmir-2 (chile-2 is chile-1's copy)
        assert client.get(f"/v1/clusters/{izmir['cluster_id']}").json()["size"] == 1  # the old cluster stays


def test_copies_stay_out_of_the_story_index_and_a_deleted_heads_copy_takes_its_place(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The story index holds one article per duplicate group: a copy is not indexed, and when
    the group's head is deleted the copy that heads it now is, so a later report of the story
    still finds the cluster, also after a restart."""
    settings = Settings(data_dir=tmp_path, prepare_workers=0)
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        head = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey")
        indexed = len(engine.story_index)
        copy = post(client, "izmir-1-copy", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey")
        assert copy["duplicate_of"] == "izmir-1" and copy["cluster_id"] == head["cluster_id"]
        assert len(engine.story_index) == indexed
        assert client.delete("/v1/articles/izmir-1").status_code == 204
        assert len(engine.story_index) == indexed  # the copy took the head's place
    with TestClient(create_app(settings)) as client:
        assert len(client.app.state.engine.story_index) == indexed  # type: ignore[attr-defined]
        later = post(client, "izmir-2", IZMIR_2, "Survivors pulled from rubble in Izmir")
        assert later["status"] == "new" and later["cluster_id"] == head["cluster_id"]


def test_a_head_stored_without_a_story_signature_is_signed_at_start_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every head is stored with a story signature; should a row lack it (one whose head went
    missing, say), start-up signs it from its stored vector rather than indexing it by zeros,
    and a later report of its story still finds its cluster."""
    settings = Settings(data_dir=tmp_path, prepare_workers=0)
    with TestClient(create_app(settings)) as client:
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        head = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey")
    with closing(sqlite3.connect(tmp_path / DB_FILE)) as db, db:
        db.execute("UPDATE articles SET story_signature = x'' WHERE id = 'izmir-1'")
    with TestClient(create_app(settings)) as client:
        later = post(client, "izmir-2", IZMIR_2, "Survivors pulled from rubble in Izmir")
        assert later["status"] == "new" and later["cluster_id"] == head["cluster_id"]


def test_an_old_article_cleaned_or_updated_again_stays_in_its_cluster(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Out of the story index there is nothing to compare a re-placed old article with: it
    keeps its cluster instead of starting one (as template learning re-cleans old pages)."""
    with TestClient(create_app(Settings(data_dir=tmp_path, story_window_days=3, prepare_workers=0))) as client:
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        first = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey")
        second = post(client, "izmir-2", IZMIR_2, "Survivors pulled from rubble in Izmir")
        assert second["cluster_id"] == first["cluster_id"]
        later = {"id": "chile", "text": CHILE, "title": "Quake in Chile", "published_at": "2020-12-01T00:00:00Z"}
        assert client.post("/v1/articles", json=later).status_code == 201  # izmir-1 and -2 leave the index
        text = IZMIR_2 + " Aftershocks continued."
        update = {"id": "izmir-2", "text": text, "title": "Izmir survivors", "published_at": "2020-10-01T12:00:00Z"}
        updated = client.post("/v1/articles", json=update).json()
        assert updated["status"] == "updated" and updated["cluster_id"] == first["cluster_id"]
        assert client.get(f"/v1/clusters/{first['cluster_id']}").json()["size"] == 2


def test_a_bridging_article_merges_two_clusters_and_old_ids_resolve(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path, story_threshold=0.3, story_merge_threshold=0.15)
    with TestClient(create_app(settings)) as client:
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        a = post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir")
        b = post(client, "chile", CHILE, "Earthquake shakes Valparaiso")
        assert a["cluster_id"] != b["cluster_id"]
        bridge = post(client, "bridge", BRIDGE, "Earthquakes in Izmir and Valparaiso")
        merged = client.get(f"/v1/clusters/{bridge['cluster_id']}").json()
        assert {m["id"] for m in merged["members"]} == {"izmir-1", "chile", "bridge"}
        old = b["cluster_id"] if bridge["cluster_id"] == a["cluster_id"] else a["cluster_id"]
        assert merged["merged_from"] == [old]
        assert client.get(f"/v1/clusters/{old}").json()["id"] == merged["id"]
        assert client.get("/v1/articles/chile").json()["cluster_id"] == merged["id"]
        assert old not in {c["id"] for c in client.get("/v1/clusters").json()["clusters"]}
        # Story candidates are scored in the clusters their articles are in now, not the ones
        # remembered when they were indexed (chile's or izmir-1's was merged away).
        engine = client.app.state.engine  # type: ignore[attr-defined]
        moved = engine.store.get_article("chile" if old == b["cluster_id"] else "izmir-1")
        centroids, _gaps = engine._candidate_clusters(np.array([moved.seq]), moved.published_at)
        assert set(centroids) == {merged["id"]}


def test_story_statistics_survive_a_restart(settings: Settings) -> None:
    """Document frequencies and centroids are stored: scores after a restart are the same."""
    probe = {"text": IZMIR_2, "title": "Survivors pulled from rubble in Izmir", "published_at": "2020-10-01T13:00:00Z"}
    with TestClient(create_app(settings)) as client:
        for i, text in enumerate(BACKGROUND):
            post(client, f"bg{i}", text, text.split(",")[0])
        post(client, "izmir-1", IZMIR_1, "Earthquake kills 12 in Izmir, Turkey")
        before = client.post("/v1/similar", json=probe).json()["clusters"]
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/similar", json=probe).json()["clusters"] == before
    assert before and before[0]["score"] >= 0.12
