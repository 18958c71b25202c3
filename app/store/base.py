"""The records the service keeps and the interface every storage backend implements."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from app.fingerprint import Signature
from app.stories import Vector
from app.text.pipeline import PageText

LineKeys = npt.NDArray[np.int64]
Seqs = npt.NDArray[np.int64]
Times = npt.NDArray[np.int64]  # microseconds since the epoch
Signatures = npt.NDArray[np.uint32]  # one signature per row
Slots = npt.NDArray[np.int64]
Shingles = npt.NDArray[np.uint32]
Counts = npt.NDArray[np.uint32]

# zlib's fastest level for the text kept compressed (the post as posted, the text of an HTML
# page): on SaudiNewsNet 0.10 ms an article against 0.20 at the default level 6, for 1,395
# bytes against 1,214 (the raw text averages 3,437).
KEPT_TEXT_ZLIB_LEVEL = 1


@dataclass
class Article:
    """One posted page and what the service decided about it. Times are epoch microseconds."""

    id: str
    url: str | None
    source: str | None
    title: str | None
    language: str | None
    published_at: int
    ingested_at: int
    content_hash: str
    exact_key: str
    raw_zlib: bytes  # the post as posted (text or HTML), UTF-8, zlib-compressed: see ``raw``
    raw_is_html: bool
    clean_text: str
    signature: Signature
    # MinHash of its heaviest story terms, what the story index finds it by: only a duplicate
    # group's head is in that index, so a copy stored since 3afd157 has None (computed from
    # ``story_vector`` if its group loses its head and it becomes one).
    story_signature: Signature | None
    story_vector: Vector  # TF-IDF of its content words when it was (last) ingested
    cluster_id: str
    line_keys: LineKeys
    duplicate_of: str | None = None
    similarity: float | None = None
    template_evidence: bool = False  # counts towards learning its source's template
    seq: int = 0  # ingest order, assigned by the store when 0; the key in the LSH indexes
    # Shingle hashes of the clean text, kept so that verifying a candidate (ingest, /v1/similar,
    # re-grouping) reads them instead of re-tokenising; None in rows stored before they were kept.
    shingles: Shingles | None = None
    # The text its HTML yielded before the chrome step (None for posted text, and for HTML stored
    # before it was kept, which is read from the HTML again when the page is cleaned again).
    page: PageText | None = None

    @property
    def raw(self) -> str:
        """The post as posted; decompressed only when asked (re-cleaning), not on every read."""
        return zlib.decompress(self.raw_zlib).decode("utf-8")

    @property
    def group_id(self) -> str:
        """The canonical of this article's duplicate group (itself when it is the canonical)."""
        return self.duplicate_of or self.id


@dataclass
class Member:
    """The few columns of an article that cluster bookkeeping needs."""

    seq: int
    id: str
    url: str | None
    source: str | None
    title: str | None
    published_at: int
    duplicate_of: str | None
    similarity: float | None
    cluster_id: str


@dataclass(frozen=True)
class Cluster:
    id: str
    size: int
    title: str | None
    canonical_id: str
    first_published_at: int
    last_updated_at: int


class SignatureBatch(NamedTuple):
    """Articles as the in-memory indexes need them: one entry (or row) per article."""

    seqs: Seqs
    published: Times
    heads: Seqs  # seq of each article's duplicate-group canonical (its own seq for a canonical)
    clusters: list[str]
    signatures: Signatures
    story_signatures: Signatures  # zeros where an article has none (a copy: only heads are in the story index)
    has_story_signature: npt.NDArray[np.bool_]


class Store(Protocol):
    """Persistence of articles, clusters and settings.

    Writes happen inside ``transaction()``; an acknowledged (committed) write survives a
    crash. Callers serialise writers; reads may run in any thread.
    """

    def transaction(self) -> AbstractContextManager[None]: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def get_article(self, article_id: str) -> Article | None: ...

    def articles_by_seq(self, seqs: Iterable[int]) -> list[Article]: ...

    def shingles_by_seq(self, seqs: Iterable[int]) -> dict[int, tuple[str, Shingles]]:
        """(id, shingle hashes) of the articles with these seqs, read apart from their rows;
        rows stored before shingles were kept are missing from it."""
        ...

    def published_and_seq(self, article_id: str) -> tuple[int, int] | None:
        """When an article was published and its ingest order: what ranks a group's head as
        its cluster's canonical, after the group's size. Nothing else of its row is read."""
        ...

    def find_exact(self, exact_key: str) -> Member | None:
        """An article with this exact text key: its group's head if stored, else the first stored."""
        ...

    def get_member(self, article_id: str) -> Member | None:
        """An article's bookkeeping columns alone: deciding a copy needs its head's, not its
        text and blobs (a whole row cost 76 us to read and decode at 40,000 stored)."""
        ...

    def member_by_seq(self, seq: int) -> Member | None: ...

    def insert_article(self, article: Article) -> int: ...

    def set_duplicate(self, article_id: str, duplicate_of: str, similarity: float) -> None: ...

    def set_head(self, article_id: str, story_signature: Signature) -> None:
        """Make a copy the head of its own duplicate group, with the story signature that
        puts it in the story index."""
        ...

    def delete_article(self, article_id: str) -> None: ...

    def group_members(self, canonical_id: str) -> list[Article]: ...

    def cluster_members(
        self, cluster_id: str, limit: int | None = None, after: tuple[int, int] | None = None
    ) -> list[Member]:
        """Members in (published_at, seq) order: all, or at most ``limit`` of them that come
        after the (published_at, seq) ``after``."""
        ...

    def group_size(self, cluster_id: str, canonical_id: str) -> int: ...

    def get_cluster(self, cluster_id: str) -> Cluster | None: ...

    def put_cluster(self, cluster: Cluster) -> None: ...

    def delete_cluster(self, cluster_id: str) -> None: ...

    def get_centroid(self, cluster_id: str) -> Vector | None: ...

    def put_centroid(self, cluster_id: str, centroid: Vector) -> None: ...

    def member_vectors(self, cluster_id: str) -> list[Vector]: ...

    def get_centroids(self, cluster_ids: Iterable[str]) -> dict[str, Vector]:
        """Centroids of those of these clusters that exist and have one, read together."""
        ...

    def cluster_sizes(self, cluster_ids: Iterable[str]) -> dict[str, int]:
        """Member counts of those of these clusters that exist, read together."""
        ...

    def merge_cluster(self, old_id: str, new_id: str) -> None: ...

    def resolve_cluster(self, cluster_id: str) -> str: ...

    def merged_into(self, cluster_id: str) -> list[str]: ...

    def load_document_frequencies(self, batch: int = 100_000) -> Iterator[tuple[Slots, Counts]]:
        """Every stored (slot, count) of the document frequencies, ``batch`` rows at a time, as arrays."""
        ...

    def save_document_frequencies(self, table: Counts, changed: Slots) -> None:
        """Keep the ``changed`` slots of the whole ``table`` (by slot), in the current transaction."""
        ...

    def list_clusters(
        self, updated_since: int | None, min_size: int, limit: int, after: tuple[int, str] | None
    ) -> list[Cluster]: ...

    def cluster_sources(self, cluster_ids: Sequence[str]) -> dict[str, list[str]]: ...

    def signatures(self, batch: int = 50_000) -> Iterator[SignatureBatch]:
        """What the indexes are built from, for every article, ``batch`` articles at a time."""
        ...

    def template_keys(self, source: str) -> set[int]: ...

    def add_template_keys(self, source: str, keys: Iterable[int]) -> None: ...

    def recent_pages(self, source: str, limit: int) -> list[tuple[int, str, LineKeys]]: ...

    def recent_languages(self, limit: int) -> set[str | None]:
        """The languages of the ``limit`` most recently stored articles."""
        ...

    def close(self) -> None: ...
