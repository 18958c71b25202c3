"""A tiny in-memory stand-in for the storywire service (contract subset) for harness tests.

Duplicates are exact matches of the whitespace-normalised text, clusters are duplicate
groups: just enough behaviour to exercise posting, reading back and scoring.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()
ARTICLES: dict[str, dict[str, Any]] = {}
BY_TEXT: dict[str, str] = {}


def _key(text: str) -> str:
    """Exact-match key: whitespace-collapsed, case-folded text."""
    return " ".join(text.split()).casefold()


@app.get("/readyz")
def readyz() -> dict[str, str]:
    """Always ready."""
    return {"status": "ready"}


def _ingest(index: int, item: dict[str, Any]) -> dict[str, Any]:
    """Store one article and answer as the contract's batch result."""
    if not isinstance(item.get("text"), str):
        return {"index": index, "ok": False, "error": {"code": "invalid", "message": "text required"}}
    article_id = str(item.get("id") or f"auto{len(ARTICLES)}")
    canonical = BY_TEXT.setdefault(_key(item["text"]), article_id)
    duplicate_of = None if canonical == article_id else canonical
    cluster_id = f"c-{canonical}"
    ARTICLES[article_id] = {
        "id": article_id,
        "url": item.get("url"),
        "source": item.get("source"),
        "title": item.get("title"),
        "published_at": item.get("published_at"),
        "ingested_at": "2020-01-01T00:00:00Z",
        "cluster_id": cluster_id,
        "duplicate_of": duplicate_of,
        "similarity": 1.0 if duplicate_of else None,
        "duplicates": [],
    }
    size = sum(a["cluster_id"] == cluster_id for a in ARTICLES.values())
    status = "duplicate" if duplicate_of else "new"
    return {
        "index": index,
        "ok": True,
        "id": article_id,
        "status": status,
        "duplicate_of": duplicate_of,
        "similarity": 1.0 if duplicate_of else None,
        "cluster_id": cluster_id,
        "cluster_size": size,
    }


@app.post("/v1/articles/batch")
def batch(body: dict[str, Any]) -> dict[str, Any]:
    """Ingest a batch item by item."""
    return {"results": [_ingest(i, item) for i, item in enumerate(body.get("articles", []))]}


@app.get("/v1/articles/{article_id}", response_model=None)
def article(article_id: str) -> dict[str, Any] | JSONResponse:
    """Current state of one article."""
    if article_id not in ARTICLES:
        return JSONResponse({"error": {"code": "not_found", "message": "no such article"}}, status_code=404)
    return ARTICLES[article_id]


@app.get("/v1/clusters/{cluster_id}", response_model=None)
def cluster(cluster_id: str) -> dict[str, Any] | JSONResponse:
    """A cluster with its members."""
    members = [a for a in ARTICLES.values() if a["cluster_id"] == cluster_id]
    if not members:
        return JSONResponse({"error": {"code": "not_found", "message": "no such cluster"}}, status_code=404)
    return {
        "id": cluster_id,
        "size": len(members),
        "title": members[0]["title"],
        "canonical": {"id": members[0]["id"], "title": members[0]["title"], "text": ""},
        "members": members,
        "first_published_at": None,
        "last_updated_at": None,
    }
