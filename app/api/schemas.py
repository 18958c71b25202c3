"""Request and response bodies of the v1 contract (../shared/CONTRACT.md)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from app.ingest import clamp_micros, from_micros, to_micros, url_host

ArticleId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,200}$", examples=["rt-2020-01-13-libya"])]
MAX_INTEGER = 2**63 - 1  # the store's (SQLite's) largest integer


def lone_surrogate_at(value: str) -> int | None:
    """Where the string holds half of a surrogate pair alone, or None. JSON may escape one
    (``"\\ud800"``); no UTF-8 text can hold it, nor can the store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def _no_lone_surrogates(value: str) -> str:
    """Refused here rather than failing deep in the text pipeline."""
    at = lone_surrogate_at(value)
    if at is not None:
        raise ValueError(f"holds a lone surrogate (\\u{ord(value[at]):04x} at {at})")
    return value


def _host_readable(url: str) -> str:
    """The service keys a page's source by its URL's host; a URL the pattern admits but
    ``urlsplit`` cannot read a host from (an unclosed ``[``, ``[zz]``, characters that NFKC
    turns into ``/`` or ``@``) is refused here rather than failing in ingest."""
    try:
        url_host(url)
    except ValueError as exc:
        raise ValueError(f"has no host the service can read ({exc})") from None
    return url


def _within_utc_years(moment: datetime) -> datetime:
    """A time is stored as UTC and shown as UTC: one whose UTC instant falls outside years
    1-9999 (``0001-01-01T00:00:00+14:00``) could be stored but not shown as sent."""
    micros = to_micros(moment)
    if clamp_micros(micros) != micros:
        raise ValueError("is outside years 1-9999 once converted to UTC")
    return moment


# The page body: any string, except what UTF-8 cannot encode. The other string fields need no
# such check: pydantic checks their patterns and lengths on the UTF-8 form, which refuses them.
BodyText = Annotated[str, AfterValidator(_no_lone_surrogates)]
Moment = Annotated[AwareDatetime, AfterValidator(_within_utc_years)]


_DAY_MICROS = 86_400_000_000


@lru_cache(maxsize=4096)
def _iso_day(days: int) -> str:
    return from_micros(days * _DAY_MICROS).date().isoformat()


def rfc3339(micros: int) -> str:
    """Epoch microseconds (clamped) as RFC 3339 in UTC with a ``Z``, as ``datetime.isoformat``
    writes them. A cluster listing writes one per member: a datetime for each cost 7 us, 40% of
    listing a member, so the date comes from a cache of days and the time from arithmetic."""
    days, micros_of_day = divmod(clamp_micros(micros), _DAY_MICROS)
    seconds, fraction = divmod(micros_of_day, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    time = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{_iso_day(days)}T{time}.{fraction:06d}Z" if fraction else f"{_iso_day(days)}T{time}Z"


class ArticlePost(BaseModel):
    """One crawled page. Exactly one of ``text`` and ``html``."""

    model_config = ConfigDict(extra="ignore")

    id: ArticleId | None = None
    url: (
        Annotated[
            str,
            Field(max_length=2048, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*$"),
            AfterValidator(_host_readable),
        ]
        | None
    ) = None
    source: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    title: Annotated[str, Field(max_length=2000)] | None = None
    text: BodyText | None = None
    html: BodyText | None = None
    published_at: Moment | None = None
    language: Annotated[str, Field(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")] | None = None

    @model_validator(mode="after")
    def _one_body(self) -> ArticlePost:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of `text` and `html`")
        return self


class BatchPost(BaseModel):
    """Items are validated one by one (a bad item fails alone), so the list is typed loosely here
    and documented as a list of ArticlePost."""

    articles: Annotated[
        list[Any], WithJsonSchema({"type": "array", "items": {"$ref": "#/components/schemas/ArticlePost"}})
    ] = Field(description="Up to STORYWIRE_MAX_BATCH_ITEMS articles, ingested in order.")


class IngestOut(BaseModel):
    id: str
    status: Literal["new", "duplicate", "unchanged", "updated"]
    duplicate_of: str | None
    similarity: float | None = Field(description="Estimated Jaccard of the two cleaned texts.")
    cluster_id: str
    cluster_size: int


class ErrorBody(BaseModel):
    code: str
    message: str
    # Absent, not null, when the error is about no one field: in a batch item as in a whole
    # response's error body (app.api.errors.error_body).
    field: str | None = Field(default=None, exclude_if=lambda field: field is None)


class ErrorOut(BaseModel):
    error: ErrorBody


class BatchItemOut(BaseModel):
    index: int
    ok: bool
    id: str | None = None
    status: Literal["new", "duplicate", "unchanged", "updated"] | None = None
    duplicate_of: str | None = None
    similarity: float | None = None
    cluster_id: str | None = None
    cluster_size: int | None = None
    error: ErrorBody | None = None


class BatchOut(BaseModel):
    results: list[BatchItemOut]


class DuplicateRef(BaseModel):
    id: str
    similarity: float | None


class ArticleOut(BaseModel):
    id: str
    url: str | None
    source: str | None
    title: str | None
    language: str | None
    published_at: str
    ingested_at: str
    cluster_id: str
    duplicate_of: str | None
    similarity: float | None
    duplicates: list[DuplicateRef] = Field(description="The articles that name this one as their canonical.")
    clean_text: str = Field(description="The text as compared: site chrome removed.")


class ClusterSummary(BaseModel):
    id: str
    size: int
    title: str | None
    canonical_id: str
    sources: list[str]
    first_published_at: str
    last_updated_at: str


class ClusterList(BaseModel):
    clusters: list[ClusterSummary]
    next_cursor: str | None


class CanonicalOut(BaseModel):
    id: str
    title: str | None
    text: str


class MemberOut(BaseModel):
    id: str
    url: str | None
    source: str | None
    title: str | None
    published_at: str
    duplicate_of: str | None
    similarity: float | None


class ClusterOut(BaseModel):
    id: str
    size: int
    title: str | None
    canonical: CanonicalOut
    members: list[MemberOut]
    next_members_cursor: str | None = Field(
        description="With members_limit: pass as members_cursor for the next page; null when no members follow."
    )
    sources: list[str] = Field(description="Sources of all its members, not only of those listed.")
    merged_from: list[str] = Field(description="Ids of clusters merged into this one; they resolve to it.")
    first_published_at: str
    last_updated_at: str


class ClusterScore(BaseModel):
    cluster_id: str
    score: float = Field(
        description="Average TF-IDF cosine of the article with the cluster's members, less the time "
        "penalty; an article that is not a duplicate joins the best cluster at STORYWIRE_STORY_THRESHOLD or above."
    )


class SimilarOut(BaseModel):
    duplicates: list[DuplicateRef] = Field(
        description="Stored near-duplicates, most similar first: every one, or, when more candidates "
        "than `limit` allows were found, the most similar of those verified (likeliest first)."
    )
    duplicates_truncated: bool = Field(
        description="True when candidates were left unverified or near-duplicates beyond `limit` were cut: "
        "more near-duplicates may be stored (a popular story's copies)."
    )
    clusters: list[ClusterScore] = Field(
        description="The clusters it would be scored against, best first (at most 10); for a duplicate, "
        "only the cluster ingest would put it in (its canonical's), which takes it without a threshold."
    )


class SharedWord(BaseModel):
    word: str = Field(description="A content word, normalised as the service compares words.")
    weight: float = Field(description="What it adds to story_similarity.")


class CompareOut(BaseModel):
    """Why two stored articles are (or are not) grouped together."""

    a: str
    b: str
    similarity: float = Field(description="Exact Jaccard of the two cleaned texts' word shingles.")
    containment: float = Field(description="Share of the smaller text's shingles found in the other.")
    estimated_similarity: float = Field(description="The same, estimated from the MinHash signatures.")
    story_similarity: float = Field(description="Cosine of their TF-IDF content-word vectors.")
    lsh_candidates: bool = Field(description="Whether the duplicate index puts them in a common bucket.")
    duplicate_threshold: float
    containment_threshold: float
    story_threshold: float
    same_group: bool
    same_cluster: bool
    shared_passages: list[str] = Field(
        description="The longest runs of words both cleaned texts hold, normalised, longest first (at most 5, "
        "each cut at 50 words): the writing that makes them duplicates, or what they have in common."
    )
    shared_words: list[SharedWord] = Field(
        description="The content words story_similarity rests on, with what each adds to it (at most 10, "
        "largest first)."
    )
    a_score_in_b_cluster: float | None = Field(
        description="a's story score against b's cluster, about as an ingest would compute it now: its average "
        "cosine with the cluster's other members, less the time penalty for the days to the nearest of them. "
        "An article that is not a duplicate joins the best cluster scoring at least story_threshold. Null when "
        "the cluster has no member but a."
    )
    b_score_in_a_cluster: float | None = Field(description="The same for b against a's cluster.")


class Health(BaseModel):
    status: str
    articles: int | None = None
