"""Single and batch ingest through HTTP: statuses, idempotent re-posts, duplicates, clusters."""

from __future__ import annotations

from fastapi.testclient import TestClient

PARAGRAPHS = [
    "The foreign ministers of Russia and Turkey met in Moscow on Monday to discuss a ceasefire in Libya, "
    "and said after five hours of talks that both sides had agreed to keep working on a political settlement.",
    "Officials from the two Libyan camps did not meet face to face, according to a diplomat who was present, "
    "and the commander of the eastern forces left the city without signing the draft agreement.",
    "The talks were the first of their kind since the conference in Berlin, where world leaders pledged to stop "
    "sending weapons to the warring parties and to respect the arms embargo imposed by the United Nations.",
]
STORY = "\n\n".join(PARAGRAPHS)
OTHER = (
    "A strong earthquake struck the eastern province early on Tuesday, damaging hundreds of houses and cutting "
    "power to several villages, while rescue teams searched the rubble for survivors through the night.\n\n"
    "The national seismological centre said the quake had a magnitude of six and was felt in neighbouring "
    "countries, and the government declared three days of mourning for the victims."
)


def post(client: TestClient, **article: object) -> tuple[int, dict[str, object]]:
    response = client.post("/v1/articles", json=article)
    return response.status_code, response.json()


def test_new_article_then_identical_repost_is_unchanged(client: TestClient, invariants: None) -> None:
    status, body = post(client, id="a1", text=STORY, source="site-a")
    assert status == 201
    assert body["status"] == "new" and body["duplicate_of"] is None and body["cluster_size"] == 1
    status, again = post(client, id="a1", text=STORY, source="site-a")
    assert status == 200
    assert again["status"] == "unchanged" and again["cluster_id"] == body["cluster_id"]
    assert again["cluster_size"] == 1, "a re-post is not counted twice"


def test_a_repost_whose_language_tag_differs_only_in_case_is_unchanged(client: TestClient) -> None:
    post(client, id="a1", text=STORY, language="EN-gb")
    _, again = post(client, id="a1", text=STORY, language="en-GB")
    assert again["status"] == "unchanged"
    _, other = post(client, id="a1", text=STORY, language="fr")
    assert other["status"] == "updated"


def test_near_duplicate_points_to_canonical_and_shares_its_cluster(client: TestClient, invariants: None) -> None:
    _, first = post(client, id="a1", text=STORY)
    edited = STORY.replace("on Monday", "on Monday evening") + "\n\nRead also: markets rally after the talks"
    status, dup = post(client, id="a2", text=edited, url="https://example.org/news/2")
    assert status == 201
    assert dup["status"] == "duplicate" and dup["duplicate_of"] == "a1"
    assert 0.5 <= dup["similarity"] < 1.0
    assert dup["cluster_id"] == first["cluster_id"] and dup["cluster_size"] == 2


def test_exact_copy_with_other_spelling_is_similarity_one(client: TestClient) -> None:
    post(client, id="a1", text=STORY)
    _, copy = post(client, id="a2", text=STORY.upper().replace("\n\n", "\n"))
    assert copy["status"] == "duplicate" and copy["similarity"] == 1.0


def test_unrelated_article_starts_its_own_cluster(client: TestClient) -> None:
    _, a = post(client, id="a1", text=STORY)
    _, b = post(client, id="b1", text=OTHER)
    assert b["status"] == "new" and b["cluster_id"] != a["cluster_id"]


def test_update_with_new_content_is_reassigned(client: TestClient, invariants: None) -> None:
    post(client, id="a1", text=STORY)
    post(client, id="a2", text=STORY + "\n\nMore details to follow.")
    status, updated = post(client, id="a2", text=OTHER)
    assert status == 200 and updated["status"] == "updated"
    assert updated["duplicate_of"] is None
    article = client.get("/v1/articles/a2").json()
    assert article["duplicate_of"] is None and article["cluster_id"] == updated["cluster_id"]
    assert client.get("/v1/articles/a1").json()["duplicates"] == []


def test_default_id_comes_from_url_and_source_from_host(client: TestClient) -> None:
    _, body = post(client, text=STORY, url="https://News.Example.com/a?id=1")
    article = client.get(f"/v1/articles/{body['id']}").json()
    assert article["source"] == "news.example.com"
    _, again = post(client, text=STORY, url="https://News.Example.com/a?id=1")
    assert again["id"] == body["id"] and again["status"] == "unchanged"


def test_default_id_without_url_comes_from_content(client: TestClient) -> None:
    _, a = post(client, text=STORY)
    _, b = post(client, text=STORY)
    assert a["id"] == b["id"] and b["status"] == "unchanged"


def test_html_input_goes_through_the_extractor(client: TestClient, invariants: None) -> None:
    html = (
        "<html><head><title>Talks in Moscow</title></head><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "<footer>Copyright 2020 Example. All rights reserved.</footer></body></html>"
    )
    post(client, id="text", text=STORY)
    status, body = post(client, id="page", html=html)
    assert status == 201 and body["duplicate_of"] == "text"
    article = client.get("/v1/articles/page").json()
    assert article["title"] == "Talks in Moscow"
    assert "Copyright" not in article["clean_text"] and "Home" not in article["clean_text"]
    # Posted again as text: the text kept of its HTML goes with the HTML (the invariants check).
    status, body = post(client, id="page", text=STORY + "\n\nUpdated at noon.")
    assert status == 200 and body["status"] == "updated"


def test_batch_reports_each_item_and_a_bad_item_fails_alone(client: TestClient, invariants: None) -> None:
    response = client.post(
        "/v1/articles/batch",
        json={
            "articles": [
                {"id": "a1", "text": STORY},
                {"id": "bad id!", "text": STORY},
                {"id": "a2", "text": STORY + "\n\nUpdated at noon."},
                {"id": "a3", "text": 42},
                {"id": "a4"},
                {"id": "b1", "text": OTHER},
                "not an object",
                {"id": "a1", "text": STORY},
            ]
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(8))
    assert [r["ok"] for r in results] == [True, False, True, False, False, True, False, True]
    assert results[1]["error"]["field"] == "id"
    assert results[3]["error"]["code"] == "validation_error"
    # An item that is no object at all: about no one field, so the error has no "field" key,
    # as a whole body's error has none.
    assert results[6]["error"]["code"] == "validation_error" and "field" not in results[6]["error"]
    assert results[6]["error"]["message"] == "item: an article must be a JSON object, not a string"
    assert results[2]["status"] == "duplicate" and results[2]["duplicate_of"] == "a1"
    assert results[7]["status"] == "unchanged"
    assert client.get("/v1/articles/a3").status_code == 404


def test_batch_items_see_each_other(client: TestClient) -> None:
    articles = [{"id": f"copy{i}", "text": STORY, "source": f"site{i}"} for i in range(3)]
    results = client.post("/v1/articles/batch", json={"articles": articles}).json()["results"]
    assert [r["status"] for r in results] == ["new", "duplicate", "duplicate"]
    assert {r["duplicate_of"] for r in results[1:]} == {"copy0"}
    assert results[2]["cluster_size"] == 3
