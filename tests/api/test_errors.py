"""Every row of the contract's Errors section: a clear 4xx in the error shape, nothing stored."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient

from app.api.routes import _cursor
from app.main import create_app
from app.settings import Settings

TEXT = (
    "The central bank raised its main interest rate by half a point on Thursday, the third rise this year, "
    "saying that prices were still climbing faster than it had forecast in the spring."
)
JSON = {"content-type": "application/json"}


def assert_error(response, status: int, code: str | None = None, field: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"].islower()
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    if field is not None:
        assert body["error"]["field"] == field


def stored_nothing(client: TestClient) -> None:
    assert client.get("/v1/clusters").json()["clusters"] == []
    assert client.get("/readyz").json()["articles"] == 0


@pytest.mark.parametrize(
    ("description", "content", "status", "code"),
    [
        ("malformed JSON", b'{"text": "abc"', 400, "malformed_json"),
        ("trailing garbage", b'{"text": "abc"} x', 400, "malformed_json"),
        ("invalid UTF-8", b'{"text": "\xff\xfe abc"}', 400, "invalid_utf8"),
        ("JSON but not an object", b'["text"]', 422, "validation_error"),
        ("empty body", b"", 422, None),
    ],
)
def test_unparseable_bodies(client: TestClient, description: str, content: bytes, status: int, code: str) -> None:
    for path in ("/v1/articles", "/v1/articles/batch", "/v1/similar"):
        assert_error(client.post(path, content=content, headers=JSON), status, code)
    stored_nothing(client)


@pytest.mark.parametrize(
    ("description", "article", "field"),
    [
        ("text of the wrong type", {"text": 12}, "text"),
        ("neither text nor html", {"title": "x"}, None),
        ("both text and html", {"text": TEXT, "html": "<p>x</p>"}, None),
        ("id with a space", {"id": "a b", "text": TEXT}, "id"),
        ("id too long", {"id": "a" * 201, "text": TEXT}, "id"),
        ("url not http", {"url": "ftp://example.org/a", "text": TEXT}, "url"),
        ("url too long", {"url": "https://example.org/" + "a" * 2048, "text": TEXT}, "url"),
        # URLs the pattern admits but whose host urlsplit cannot read (each was a 500, and in a
        # batch failed every item).
        ("url with an unclosed [", {"url": "http://[::1", "text": TEXT}, "url"),
        ("url with a ] in its host", {"url": "http://a]b/", "text": TEXT}, "url"),
        ("url with a bracketed non-address", {"url": "https://[zz]/x", "text": TEXT}, "url"),
        ("url whose host NFKC makes a /", {"url": "http://exa\u2100mple.com/", "text": TEXT}, "url"),
        ("published_at without a zone", {"published_at": "2020-01-13T18:00:00", "text": TEXT}, "published_at"),
        ("published_at not a date", {"published_at": "yesterday", "text": TEXT}, "published_at"),
        ("language not a tag", {"language": "arabic language", "text": TEXT}, "language"),
        ("title not a string", {"title": ["a"], "text": TEXT}, "title"),
        # Stored as UTC and shown as UTC: these fall in year 0 and year 10000 there.
        ("published_at before 1 in UTC", {"published_at": "0001-01-01T00:00:00+14:00", "text": TEXT}, "published_at"),
        ("published_at after 9999 in UTC", {"published_at": "9999-12-31T23:59:59-14:00", "text": TEXT}, "published_at"),
    ],
)
def test_wrong_types_and_values_are_422(client: TestClient, description: str, article: dict, field: str | None) -> None:  # type: ignore[type-arg]
    assert_error(client.post("/v1/articles", json=article), 422, "validation_error", field)
    assert_error(client.post("/v1/similar", json=article), 422, "validation_error", field)
    item = client.post("/v1/articles/batch", json={"articles": [article]}).json()["results"][0]
    assert item["ok"] is False and item["error"]["code"] == "validation_error"
    if field is not None:
        assert item["error"]["field"] == field
    stored_nothing(client)


@pytest.mark.parametrize("field", ["text", "html"])
def test_a_lone_surrogate_is_422_and_fails_only_its_batch_item(client: TestClient, field: str) -> None:
    """JSON can escape half a surrogate pair alone; no UTF-8 text holds it (it was a 500)."""
    article = json.dumps({field: TEXT + " \ud800 " + TEXT}).encode("ascii")  # the escape, as sent
    for path in ("/v1/articles", "/v1/similar"):
        assert_error(client.post(path, content=article, headers=JSON), 422, "validation_error", field)
    stored_nothing(client)
    batch = b'{"articles": [' + article + b', {"id": "fine", "text": "' + TEXT.encode() + b'"}]}'
    bad, good = client.post("/v1/articles/batch", content=batch, headers=JSON).json()["results"]
    assert bad["ok"] is False and bad["error"]["field"] == field
    assert good["ok"] is True and client.get("/v1/articles/fine").status_code == 200


def test_a_url_without_a_readable_host_fails_only_its_batch_item(client: TestClient) -> None:
    """It failed the whole batch with a 500: the host was read for every item before any was prepared."""
    batch = {"articles": [{"id": "fine", "text": TEXT}, {"id": "bad", "url": "http://[::1", "text": TEXT}]}
    good, bad = client.post("/v1/articles/batch", json=batch).json()["results"]
    assert good["ok"] is True and client.get("/v1/articles/fine").status_code == 200
    assert bad["ok"] is False and bad["error"]["field"] == "url"
    assert client.get("/v1/articles/bad").status_code == 404


@pytest.mark.parametrize("text", ["", "   \n\t ", "Home\nNews\nSports\nContact"])
def test_empty_text_is_422(client: TestClient, text: str) -> None:
    assert_error(client.post("/v1/articles", json={"text": text}), 422, "empty_text", "text")
    stored_nothing(client)


def test_a_section_page_of_headline_links_is_422_empty_text(client: TestClient) -> None:
    """A crawler posts every page it fetches, front and section pages too: lists of headline
    links are not an article, and are not stored as one."""
    links = "".join(
        f"<li><a href='/a{i}'>Minister opens the new hospital in district {i} on Monday</a></li>" for i in range(15)
    )
    menu = "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
    html = f"<html><body>{menu}<h3>Latest</h3><ul>{links}</ul></body></html>"
    assert_error(client.post("/v1/articles", json={"html": html}), 422, "empty_text", "html")
    stored_nothing(client)


def test_non_json_content_type_is_415(client: TestClient) -> None:
    for headers in ({"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"}, {}):
        response = client.post("/v1/articles", content=b'{"text": "abc"}', headers=headers)
        assert_error(response, 415, "unsupported_media_type")
    stored_nothing(client)


def test_body_over_the_limit_is_413(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path, max_body_bytes=1000, max_batch_items=2)
    with TestClient(create_app(settings)) as client:
        assert_error(client.post("/v1/articles", json={"text": "word " * 400}), 413, "payload_too_large")

        def chunks():  # type: ignore[no-untyped-def]  # no content-length: the stream is counted
            yield b'{"text": "'
            yield b"a" * 2000
            yield b'"}'

        assert_error(client.post("/v1/articles", content=chunks(), headers=JSON), 413, "payload_too_large")
        batch = {"articles": [{"text": "x"}] * 3}
        assert_error(client.post("/v1/articles/batch", json=batch), 413, "payload_too_large")
        stored_nothing(client)


def test_unknown_ids_are_404(client: TestClient) -> None:
    assert_error(client.get("/v1/articles/nope"), 404, "not_found")
    assert_error(client.delete("/v1/articles/nope"), 404, "not_found")
    assert_error(client.get("/v1/clusters/nope"), 404, "not_found")
    assert_error(client.get("/v1/articles/nope/compare/other"), 404, "not_found")
    assert_error(client.get("/v1/no-such-route"), 404, "not_found")


def test_bad_query_parameters_are_422(client: TestClient) -> None:
    assert_error(client.get("/v1/clusters?limit=0"), 422, "validation_error", "limit")
    assert_error(client.get("/v1/clusters?limit=abc"), 422, "validation_error", "limit")
    assert_error(client.get("/v1/clusters?min_size=0"), 422, "validation_error", "min_size")
    assert_error(client.get("/v1/clusters?updated_since=2020-01-01"), 422, "validation_error", "updated_since")
    assert_error(client.get("/v1/clusters?cursor=garbage"), 422, None, "cursor")
    # Integers beyond what the store holds (they were a 500 from SQLite).
    assert_error(client.get(f"/v1/clusters?min_size={2**63}"), 422, "validation_error", "min_size")
    assert_error(client.get("/v1/clusters", params={"cursor": _cursor(10**30, "c1")}), 422, None, "cursor")
    # JSON can spell half a surrogate pair, which no store can hold (it was a 500 from SQLite).
    half_surrogate = base64.urlsafe_b64encode(b'[1, "\\ud800"]').decode("ascii")
    assert_error(client.get("/v1/clusters", params={"cursor": half_surrogate}), 422, None, "cursor")
    assert_error(client.get("/v1/clusters", params={"cursor": _cursor(True, "c1")}), 422, None, "cursor")
    # A bad cursor is refused whatever If-None-Match says.
    assert_error(client.get("/v1/clusters?cursor=garbage", headers={"If-None-Match": "*"}), 422, None, "cursor")
    # JSON nested past the decoder's recursion limit (it was a 500).
    nested = base64.urlsafe_b64encode(b"[" * 1500).decode("ascii")
    assert_error(client.get("/v1/clusters", params={"cursor": nested}), 422, None, "cursor")
    cluster_id = client.post("/v1/articles", json={"text": TEXT}).json()["cluster_id"]
    members_page = client.get(f"/v1/clusters/{cluster_id}", params={"members_cursor": nested})
    assert_error(members_page, 422, None, "members_cursor")


def test_wrong_method_is_405_in_the_error_shape(client: TestClient) -> None:
    assert_error(client.put("/v1/articles/x", json={}), 405, "method_not_allowed")
    # Whatever the body: no route takes a PUT or PATCH (they were 415 and 413 when it was not JSON or too big).
    assert_error(client.put("/v1/articles/x", content=b"x", headers={"content-type": "text/plain"}), 405)
    assert_error(client.patch("/v1/articles/x", content=b"\xff"), 405, "method_not_allowed")


def test_batch_without_articles_list_is_422(client: TestClient) -> None:
    assert_error(client.post("/v1/articles/batch", json={"items": []}), 422, "validation_error", "articles")
    assert_error(client.post("/v1/articles/batch", json={"articles": {"a": 1}}), 422, "validation_error")


def test_a_tag_of_too_many_attributes_is_refused_unparsed(client: TestClient) -> None:
    """libxml2 compares a tag's attributes with each other: 60,000 took 13 s to parse."""
    bomb = "<html><body><p " + " ".join(f"a{i}='v'" for i in range(20_000)) + ">Some text here.</p></body></html>"
    assert_error(client.post("/v1/articles", json={"id": "bomb", "html": bomb}), 422, "invalid_input", "html")
    assert client.get("/v1/articles/bomb").status_code == 404
    batch = client.post("/v1/articles/batch", json={"articles": [{"id": "bomb", "html": bomb}, {"text": TEXT}]})
    assert [r["ok"] for r in batch.json()["results"]] == [False, True]
