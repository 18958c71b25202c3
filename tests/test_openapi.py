"""openapi/openapi.json is what the running app serves (regenerate with `make openapi`)."""

from __future__ import annotations

import json

from app.main import create_app
from app.openapi import SPEC


def test_committed_spec_matches_the_app() -> None:
    committed = json.loads(SPEC.read_text(encoding="utf-8"))
    assert committed == create_app().openapi(), "openapi/openapi.json is stale: run `make openapi`"


def test_spec_documents_every_contract_route() -> None:
    paths = create_app().openapi()["paths"]
    expected = {
        ("/v1/articles", "post"), ("/v1/articles/batch", "post"), ("/v1/articles/{article_id}", "get"),
        ("/v1/articles/{article_id}", "delete"), ("/v1/clusters", "get"), ("/v1/clusters/{cluster_id}", "get"),
        ("/v1/similar", "post"), ("/healthz", "get"), ("/readyz", "get"),
    }  # fmt: skip
    assert expected <= {(p, m) for p, ops in paths.items() for m in ops}
    batch = paths["/v1/articles/batch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch == {"$ref": "#/components/schemas/BatchPost"}
