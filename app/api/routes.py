"""The v1 routes: parse, call the engine, shape the answer. No decisions are made here."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import AwareDatetime, TypeAdapter, ValidationError

from app.api import schemas as s
from app.api.deps import EngineDep, SettingsDep
from app.api.errors import domain_error_body, validation_error_body
from app.engine import ArticleView, ClusterView, Engine, IngestResult
from app.errors import InvalidInput, PayloadTooLarge, StorywireError, ValidationFailed
from app.ingest import ArticleIn, Prepared, to_micros
from app.store.base import Cluster

router = APIRouter()
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.ErrorOut, "description": text}
    for code, text in {
        400: "Malformed JSON or invalid UTF-8",
        404: "Unknown id",
        413: "Body or batch over its limit",
        415: "Body is not application/json",
        422: "Wrong types or values",
    }.items()
}
_ARTICLE = TypeAdapter(s.ArticlePost)
# A cursor this service gives out is a pair of an integer and a cluster id or two integers: at
# most some 80 characters. Longer ones are refused undecoded: JSON nested a thousand deep
# (``[[[[...``, 1,500 characters) makes the decoder raise RecursionError, not ValueError.
MAX_CURSOR_LENGTH = 256


def _rounded(value: float | None) -> float | None:
    """Similarities are estimates: four decimals say all there is to say."""
    return None if value is None else round(value, 4)


def matches(etag: str, if_none_match: str | None) -> bool:
    """Whether an ``If-None-Match`` header names this ETag (a list, or ``*``)."""
    if if_none_match is None:
        return False
    # If-None-Match compares weakly (RFC 9110, 13.1.2): W/"x" names the same tag as "x".
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def to_input(post: s.ArticlePost) -> ArticleIn:
    return ArticleIn(
        text=post.text,
        html=post.html,
        id=post.id,
        url=post.url,
        source=post.source,
        title=post.title,
        published_at=post.published_at,
        language=post.language,
    )


def ingest_out(result: IngestResult) -> s.IngestOut:
    return s.IngestOut(
        id=result.id,
        status=result.status,  # type: ignore[arg-type]
        duplicate_of=result.duplicate_of,
        similarity=_rounded(result.similarity),
        cluster_id=result.cluster_id,
        cluster_size=result.cluster_size,
    )


@router.post(
    "/v1/articles",
    response_model=s.IngestOut,
    status_code=201,
    responses={200: {"model": s.IngestOut, "description": "The id was already known"}, **_ERRORS},
    tags=["ingest"],
)
def post_article(article: s.ArticlePost, engine: EngineDep, response: Response) -> s.IngestOut:
    """Ingest one page: new, duplicate of which article, which story."""
    result = engine.ingest(to_input(article))
    if not result.created:
        response.status_code = 200
    return ingest_out(result)


def _validate_item(raw: Any) -> ArticleIn | StorywireError:
    if not isinstance(raw, dict):  # pydantic would name our model class to the client here
        return ValidationFailed(f"item: an article must be a JSON object, not {_json_type(raw)}")
    try:
        return to_input(_ARTICLE.validate_python(raw))
    except ValidationError as exc:
        _status, body = validation_error_body(exc.errors(), whole="item")
        return ValidationFailed(body["error"]["message"], body["error"].get("field"))


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for a person reading the error."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array"}
    return names.get(type(value), type(value).__name__)


def _prepare_batch(engine: Engine, items: list[Any]) -> list[Prepared | StorywireError]:
    """Validate every item, prepare the valid ones together, keep each result in its place."""
    checked = [_validate_item(raw) for raw in items]
    valid = [item for item in checked if isinstance(item, ArticleIn)]
    prepared = iter(engine.prepare_many(valid))
    return [item if isinstance(item, StorywireError) else next(prepared) for item in checked]


def _batch_item(index: int, result: IngestResult | StorywireError) -> s.BatchItemOut:
    if isinstance(result, StorywireError):
        return s.BatchItemOut(index=index, ok=False, error=s.ErrorBody(**domain_error_body(result)["error"]))
    return s.BatchItemOut(index=index, ok=True, **ingest_out(result).model_dump())


@router.post(
    "/v1/articles/batch",
    response_model=s.BatchOut,
    responses=_ERRORS,
    tags=["ingest"],
)
def post_batch(batch: s.BatchPost, engine: EngineDep, settings: SettingsDep) -> s.BatchOut:
    """Ingest up to ``STORYWIRE_MAX_BATCH_ITEMS`` pages in order; a bad item fails alone."""
    items = batch.articles
    if len(items) > settings.max_batch_items:
        raise PayloadTooLarge(f"a batch holds at most {settings.max_batch_items} articles", "articles")
    results = engine.ingest_prepared(_prepare_batch(engine, items))
    return s.BatchOut(results=[_batch_item(i, r) for i, r in enumerate(results)])


def article_out(view: ArticleView) -> s.ArticleOut:
    a = view.article
    return s.ArticleOut(
        id=a.id,
        url=a.url,
        source=a.source,
        title=a.title,
        language=a.language,
        published_at=s.rfc3339(a.published_at),
        ingested_at=s.rfc3339(a.ingested_at),
        cluster_id=a.cluster_id,
        duplicate_of=a.duplicate_of,
        similarity=_rounded(a.similarity),
        duplicates=[s.DuplicateRef(id=i, similarity=_rounded(v)) for i, v in view.duplicates],
        clean_text=a.clean_text,
    )


@router.get("/v1/articles/{article_id}", response_model=s.ArticleOut, responses=_ERRORS, tags=["read"])
def get_article(article_id: str, engine: EngineDep) -> s.ArticleOut:
    """The article's current state (its cluster may have changed since ingest)."""
    return article_out(engine.article(article_id))


@router.delete("/v1/articles/{article_id}", status_code=204, responses=_ERRORS, tags=["read"])
def delete_article(article_id: str, engine: EngineDep) -> Response:
    """Remove an article from its duplicate group and cluster."""
    engine.delete(article_id)
    return Response(status_code=204)


@router.get(
    "/v1/articles/{article_id}/compare/{other_id}", response_model=s.CompareOut, responses=_ERRORS, tags=["debug"]
)
def compare_articles(article_id: str, other_id: str, engine: EngineDep) -> s.CompareOut:
    """Why two stored articles are, or are not, in one duplicate group or cluster."""
    c = engine.compare(article_id, other_id)
    return s.CompareOut(
        a=c.a,
        b=c.b,
        similarity=round(c.similarity, 4),
        containment=round(c.containment, 4),
        estimated_similarity=round(c.estimated_similarity, 4),
        story_similarity=round(c.story_similarity, 4),
        lsh_candidates=c.lsh_candidates,
        duplicate_threshold=c.duplicate_threshold,
        containment_threshold=c.containment_threshold,
        story_threshold=c.story_threshold,
        same_group=c.same_group,
        same_cluster=c.same_cluster,
        shared_passages=c.shared_passages,
        shared_words=[s.SharedWord(word=w, weight=round(v, 4)) for w, v in c.shared_words],
        a_score_in_b_cluster=_rounded(c.a_score_in_b_cluster),
        b_score_in_a_cluster=_rounded(c.b_score_in_a_cluster),
    )


def _cursor(first: object, second: object) -> str:
    """An opaque cursor holding a pair: where the next page starts."""
    raw = json.dumps([first, second]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _pair(cursor: str, field: str, kinds: tuple[type, type]) -> tuple[Any, Any]:
    """The pair of these types a cursor this service gave out holds; InvalidInput for any other."""
    first = second = None
    if len(cursor) <= MAX_CURSOR_LENGTH:
        with contextlib.suppress(ValueError, binascii.Error, TypeError):
            first, second = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    if isinstance(first, kinds[0]) and isinstance(second, kinds[1]) and all(_storable(v) for v in (first, second)):
        return first, second
    raise InvalidInput(f"the {field.replace('_', ' ')} is not one this service gave out", field)


def _storable(value: object) -> bool:
    """Whether a cursor's value can be compared with the store's: integers must fit its range
    (and not be JSON's true or false), strings must be text (JSON can spell half a surrogate pair)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= s.MAX_INTEGER
    return not isinstance(value, str) or s.lone_surrogate_at(value) is None


def summary(cluster: Cluster, sources: list[str]) -> s.ClusterSummary:
    return s.ClusterSummary(
        id=cluster.id,
        size=cluster.size,
        title=cluster.title,
        canonical_id=cluster.canonical_id,
        sources=sources,
        first_published_at=s.rfc3339(cluster.first_published_at),
        last_updated_at=s.rfc3339(cluster.last_updated_at),
    )


@router.get(
    "/v1/clusters",
    response_model=s.ClusterList,
    responses={304: {"description": "Nothing changed since the ETag given in If-None-Match"}, **_ERRORS},
    tags=["read"],
)
def list_clusters(
    engine: EngineDep,
    response: Response,
    updated_since: Annotated[
        AwareDatetime | None, Query(description="Only clusters changed at or after this time")
    ] = None,
    min_size: Annotated[int, Query(ge=1, le=s.MAX_INTEGER)] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> s.ClusterList | Response:
    """Clusters, most recently updated first, in pages; cheap to poll with ``If-None-Match``."""
    after = _pair(cursor, "cursor", (int, str)) if cursor else None  # a bad cursor is 422, never 304
    query = f"{engine.version}|{updated_since}|{min_size}|{limit}|{cursor}"
    etag = '"' + hashlib.sha1(query.encode("utf-8")).hexdigest()[:20] + '"'
    if matches(etag, if_none_match):
        return Response(status_code=304, headers={"ETag": etag})
    since = to_micros(updated_since) if updated_since else None
    clusters, sources = engine.clusters(since, min_size, limit + 1, after)
    page, more = clusters[:limit], len(clusters) > limit
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
    return s.ClusterList(
        clusters=[summary(c, sources[c.id]) for c in page],
        next_cursor=_cursor(page[-1].last_updated_at, page[-1].id) if more else None,
    )


def cluster_out(view: ClusterView) -> s.ClusterOut:
    c = view.cluster
    last = view.members[-1] if view.more_members else None  # the next page starts after it
    return s.ClusterOut(
        id=c.id,
        size=c.size,
        title=c.title,
        canonical=s.CanonicalOut(id=view.canonical.id, title=view.canonical.title, text=view.canonical.clean_text),
        members=[
            s.MemberOut(
                id=m.id,
                url=m.url,
                source=m.source,
                title=m.title,
                published_at=s.rfc3339(m.published_at),
                duplicate_of=m.duplicate_of,
                similarity=_rounded(m.similarity),
            )
            for m in view.members
        ],
        next_members_cursor=None if last is None else _cursor(last.published_at, last.seq),
        sources=view.sources,
        merged_from=view.merged_from,
        first_published_at=s.rfc3339(c.first_published_at),
        last_updated_at=s.rfc3339(c.last_updated_at),
    )


@router.get(
    "/v1/clusters/{cluster_id}",
    response_model=s.ClusterOut,
    responses={304: {"description": "Unchanged since the ETag given in If-None-Match"}, **_ERRORS},
    tags=["read"],
)
def get_cluster(
    cluster_id: str,
    engine: EngineDep,
    response: Response,
    members_limit: Annotated[
        int | None, Query(ge=1, le=1000, description="List at most this many members (default: all)")
    ] = None,
    members_cursor: Annotated[str | None, Query(description="next_members_cursor of the previous page")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> s.ClusterOut | Response:
    """A cluster with its members (all, or a page of them, oldest first) and the canonical
    member's cleaned text."""
    after = _pair(members_cursor, "members_cursor", (int, int)) if members_cursor else None
    view = engine.cluster(cluster_id, members_limit, after)
    # From the decoded cursor, not the one given: base64 decoding skips stray characters, which
    # must not reach a header.
    page = "" if members_limit is None and after is None else f"-{members_limit}-{after}".replace(" ", "")
    etag = f'"{view.cluster.id}-{view.cluster.last_updated_at}{page}"'
    if matches(etag, if_none_match):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return cluster_out(view)


@router.post("/v1/similar", response_model=s.SimilarOut, responses=_ERRORS, tags=["read"])
def similar(
    article: s.ArticlePost,
    engine: EngineDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most near-duplicates to list")] = 100,
) -> s.SimilarOut:
    """What this page would match if it were ingested; nothing is stored."""
    result = engine.similar(to_input(article), limit)
    return s.SimilarOut(
        duplicates=[s.DuplicateRef(id=i, similarity=v) for i, v in result.duplicates],
        duplicates_truncated=result.duplicates_truncated,
        clusters=[s.ClusterScore(cluster_id=c, score=v) for c, v in result.clusters],
    )


@router.get("/healthz", response_model=s.Health, tags=["ops"])
def healthz() -> s.Health:
    """The process is up."""
    return s.Health(status="ok")


@router.get("/readyz", response_model=s.Health, responses={503: {"model": s.ErrorOut}}, tags=["ops"])
def readyz(engine: EngineDep) -> s.Health:
    """The store is open and the index is loaded."""
    return s.Health(status="ready", articles=engine.ready())
