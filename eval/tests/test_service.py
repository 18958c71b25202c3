"""The HTTP side: overrides, child environment, contract checks, and a real start/stop."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from eval import service
from eval.tests import stub_app


@pytest.fixture
def client() -> service.Client:
    stub_app.ARTICLES.clear()
    stub_app.BY_TEXT.clear()
    return service.Client(TestClient(stub_app.app))


def test_parse_overrides() -> None:
    assert service.parse_overrides(["STORYWIRE_DUPLICATE_THRESHOLD=0.6"]) == {"STORYWIRE_DUPLICATE_THRESHOLD": "0.6"}
    for bad in ["DUPLICATE_THRESHOLD=0.6", "STORYWIRE_X", "STORYWIRE_DATA_DIR=/tmp/x"]:
        with pytest.raises(ValueError):
            service.parse_overrides([bad])


def test_child_env_drops_inherited_settings(tmp_path: object) -> None:
    env = service.service_env({"PATH": "/bin", "STORYWIRE_SHARED_DIR": "/x"}, tmp_path, {"STORYWIRE_SEED": "2"})  # type: ignore[arg-type]
    assert env == {"PATH": "/bin", "STORYWIRE_SEED": "2", "STORYWIRE_DATA_DIR": str(tmp_path)}


def test_post_and_read_back(client: service.Client) -> None:
    items: list[dict[str, object]] = [
        {"id": "a", "text": "same words"},
        {"id": "b", "text": "Same   words"},
        {"id": "c", "text": 5},
    ]
    results = service.post_all(client, items, batch_size=2)
    assert [r["ok"] for r in results] == [True, True, False]
    assert results[1]["duplicate_of"] == "a"
    assert client.get_article("b")["duplicate_of"] == "a"  # type: ignore[index]
    assert [a.kind for a in client.anomaly_list()] == ["item_error"]


def test_unknown_article_is_a_recorded_404(client: service.Client) -> None:
    assert client.get_article("nope") is None
    (anomaly,) = client.anomaly_list()
    assert (anomaly.kind, anomaly.status) == ("http_status", 404)


def mock_client(handler: object) -> service.Client:
    return service.Client(httpx.Client(transport=httpx.MockTransport(handler), base_url="http://svc"))  # type: ignore[arg-type]


def test_5xx_fails_the_batch_and_is_recorded() -> None:
    client = mock_client(lambda request: httpx.Response(500, text="boom"))
    results = client.post_batch([{"id": "a", "text": "x"}])
    assert results[0]["ok"] is False
    kinds = {a.kind for a in client.anomaly_list()}
    assert {"5xx", "http_status", "contract"} <= kinds  # 500 with a non-contract error body


def test_413_splits_the_batch() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        articles = json.loads(request.content)["articles"]
        if len(articles) > 1:
            return httpx.Response(413, json={"error": {"code": "too_large", "message": "too large"}})
        ok = {"index": 0, "ok": True, "id": articles[0]["id"], "status": "new", "duplicate_of": None}
        return httpx.Response(200, json={"results": [ok | {"cluster_id": "c", "cluster_size": 1}]})

    client = mock_client(handler)
    results = client.post_batch([{"id": str(i), "text": "t"} for i in range(4)])
    assert [r["id"] for r in results] == ["0", "1", "2", "3"]


def test_contract_deviations_are_recorded() -> None:
    bad = {"index": 0, "ok": True, "id": "a", "status": "duplicate", "duplicate_of": None, "cluster_id": "c"}
    client = mock_client(lambda request: httpx.Response(200, json={"results": [bad]}))
    client.post_batch([{"id": "a", "text": "t"}])
    details = {a.detail for a in client.anomaly_list()}
    assert "status duplicate without duplicate_of" in details
    assert "ok result without cluster_id/cluster_size" in details


def test_managed_service_starts_and_stops_the_stub() -> None:
    with service.ManagedService(app="eval.tests.stub_app:app", ready_timeout=30) as svc:
        assert httpx.get(f"{svc.url}/readyz").status_code == 200
        data_dir = svc.data_dir
        process = svc.process
    assert process is not None and process.poll() is not None
    assert data_dir is not None and not data_dir.exists()


def test_target_refuses_overrides_for_a_running_service() -> None:
    with pytest.raises(ValueError):
        service.Target(url="http://127.0.0.1:1", overrides={"STORYWIRE_SEED": "2"})
