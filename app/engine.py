"""The engine: decides duplicates and story clusters, keeps indexes and store in step.

One writer at a time (a lock); each request's writes are one store transaction. The LSH
indexes live in memory and are rebuilt from the stored signatures at start-up, so the store
is the only source of truth.

Rules (also in the README):
- Duplicate group: a new article joins the group whose canonical shares the most with it, if
  their exact shingle Jaccard is at least ``duplicate_threshold`` or the smaller text lies
  ``containment_threshold`` inside the other (a copy cut short); an article whose normalised
  words equal a stored article's joins that article's group at once. The canonical is the
  group's first-ingested article; when it is deleted or updated, the rest are re-grouped in
  ingest order among themselves; they stay in their cluster.
- Cluster: a duplicate goes to its canonical's cluster; any other article joins the candidate
  cluster (from the story LSH index, within ``story_window_days``) whose members its TF-IDF
  vector is closest to on average (average cosine, less a time penalty growing with the log of
  the days to the cluster's nearest member found), if at least ``story_threshold``, else
  starts one; other candidates at or above ``story_merge_threshold`` merge into the chosen one.
  Clusters older than the window stop taking members: the story index holds the heads of
  duplicate groups (not their copies) and forgets those published more than
  ``story_window_days`` + ``STORY_LATE_DAYS`` before the newest one seen, so it holds a
  window of distinct articles, not the whole store.
- A cluster's canonical member is the canonical of its largest duplicate group (ties: the
  earliest published, then the first ingested); its title is that article's title.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from app.arrays import sorted_distinct
from app.errors import EmptyText, NotFound, StoreMismatch, StorywireError
from app.explain import shared_passages, shared_words, term_words
from app.fingerprint import Overlap, Signature, Signer, estimate_jaccard, overlap, overlaps
from app.index import BandedIndex
from app.ingest import (
    ArticleIn,
    Prepared,
    clean_tokens,
    derive_source,
    prepare,
    prepare_or_error,
    stored_input,
    stored_shingles,
    title_tokens,
)
from app.memory import release_free_memory
from app.settings import Settings
from app.store.base import Article, Cluster, Member, SignatureBatch, Store
from app.stories import (
    DocumentFrequencies,
    StoryConfig,
    Vector,
    add,
    average_similarities,
    average_similarity,
    background,
    cosine,
    keywords,
    time_penalty,
    total,
    weigh,
)
from app.templates import TemplateLearner
from app.text.pipeline import PageText, TextConfig
from app.workers import WorkerPool

# Bumped whenever the text pipeline changes what a stored fingerprint means.
PIPELINE_VERSION = 2
MAX_SIMILAR_CLUSTERS = 10
# What /compare shows of the evidence: passages the two texts share, cut to so many words, and
# the words their story similarity rests on.
COMPARE_PASSAGES = 5
COMPARE_PASSAGE_WORDS = 50
COMPARE_WORDS = 10
POOL_MIN_BATCH = 32  # fewer posted texts are prepared in process: shipping them costs more
# Story candidates scored per article: those sharing the most keyword bands first, so the
# work per article stays bounded however many articles share a common keyword.
MAX_STORY_CANDIDATES = 200
# /v1/similar verifies at most this many duplicate-index candidates per near-duplicate it may
# list: a popular story's every stored copy is a candidate (thousands at a million stored).
SIMILAR_CHECKS_PER_LISTED = 4
SHINGLE_CACHE_SIZE = 20_000  # shingles recomputed for rows stored without them (~2 KB each)
# How late an article may come (published before the newest one seen) and still be compared
# with its whole story window. The story index keeps this much more than the window; an article
# older than that (a backfill) is only compared with what the index still holds.
STORY_LATE_DAYS = 30
# Containment decides only for texts of at least this many shingles: a few shared words
# inside a long article are a quotation, not a copy.
MIN_CONTAINED_SHINGLES = 15


@dataclass(frozen=True)
class IngestResult:
    id: str
    status: str  # new | duplicate | unchanged | updated
    duplicate_of: str | None
    similarity: float | None
    cluster_id: str
    cluster_size: int
    created: bool


@dataclass(frozen=True)
class ArticleView:
    article: Article
    duplicates: list[tuple[str, float | None]]


@dataclass(frozen=True)
class ClusterView:
    cluster: Cluster
    canonical: Article
    members: list[Member]  # all, or one page of them
    more_members: bool  # members after this page
    sources: list[str]  # of all its members
    merged_from: list[str]  # ids of clusters merged into this one; they resolve to it


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    similarity: float
    containment: float
    estimated_similarity: float
    story_similarity: float
    lsh_candidates: bool
    duplicate_threshold: float
    containment_threshold: float
    story_threshold: float
    same_group: bool
    same_cluster: bool
    shared_passages: list[str]
    shared_words: list[tuple[str, float]]
    a_score_in_b_cluster: float | None
    b_score_in_a_cluster: float | None


@dataclass(frozen=True)
class SimilarResult:
    duplicates: list[tuple[str, float]]
    duplicates_truncated: bool  # candidates left unverified or duplicates cut: more may be stored
    clusters: list[tuple[str, float]]


def worth_shipping(articles: Sequence[ArticleIn]) -> bool:
    """Whether preparing these articles in the worker pool beats preparing them in the server.
    An HTML page costs some twenty posted texts to clean (tens of ms), much of it in lxml calls
    that hold the GIL, so cleaned in the server it stalls every other request; shipping it costs
    1-1.5 ms (see README, "HTML over HTTP"). Posted text is worth shipping only in bulk."""
    return len(articles) >= POOL_MIN_BATCH or any(a.html is not None for a in articles)


def canonical_rank(group_size: int, published_at: int, seq: int) -> tuple[int, int, int]:
    """Sort key of the README's rule for a cluster's canonical: the largest duplicate group,
    then the earliest published head, then the first ingested."""
    return (-group_size, published_at, seq)


def _micros_now() -> int:
    return time.time_ns() // 1000


def _cluster_number(cluster_id: str) -> int:
    """The number in a cluster id: ids are ``c<number>`` (see ``Engine._new_cluster_id``)."""
    return int(cluster_id[1:])


def _set_at(array: npt.NDArray[Any], seqs: npt.NDArray[np.int64], values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``array`` with ``array[seqs] = values``: the same array, or, when a seq lies past its end,
    a copy grown (zero-filled, at least doubled) to hold it."""
    if len(seqs) == 0:
        return array
    if seqs.max() >= len(array):
        grown = np.zeros(max(1024, 2 * len(array), int(seqs.max()) + 1), dtype=array.dtype)
        grown[: len(array)] = array
        array = grown
    array[seqs] = values
    return array


def _micros(days: float) -> int:
    return int(days * 86_400 * 1_000_000)


def fingerprint_params(settings: Settings) -> dict[str, object]:
    """What stored signatures depend on; stored with the data and checked at every start."""
    return {
        "num_perm": settings.num_perm,
        "seed": settings.seed,
        "shingle_size": settings.shingle_size,
        "scheme": "affine32",
        "pipeline_version": PIPELINE_VERSION,
    }


class Engine:
    """Ingest, delete and query articles; the only writer of the store."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        text: TextConfig,
        clock: Callable[[], int] = _micros_now,
        pool: WorkerPool | None = None,
    ) -> None:
        self.store = store
        self.pool = pool
        self.settings = settings
        self.text = text
        self.signer = Signer(settings.num_perm, settings.seed)
        self._clock = clock
        self._last_tick = 0
        self._lock = threading.RLock()
        self.templates = TemplateLearner(store)
        self.story = StoryConfig()
        self._touched_slots: list[npt.NDArray[np.int64]] = []
        self._shingle_cache: OrderedDict[tuple[int, str], npt.NDArray[np.uint32]] = OrderedDict()
        self._check_params()
        self._load_indexes()

    # ---------------------------------------------------------------- start-up

    def _check_params(self) -> None:
        wanted = fingerprint_params(self.settings)
        stored = self.store.get_meta("fingerprint_params")
        if stored is None:
            with self.store.transaction():
                self.store.set_meta("fingerprint_params", json.dumps(wanted, sort_keys=True))
            return
        if json.loads(stored) != wanted:
            raise StoreMismatch(
                f"the data directory was made with fingerprint parameters {stored}, but this service runs "
                f"with {json.dumps(wanted, sort_keys=True)}: start with the settings it was made with, "
                "or with a new STORYWIRE_DATA_DIR"
            )

    def _load_indexes(self) -> None:
        """Rebuild everything kept in memory from the store."""
        self.dup_index = BandedIndex(self.settings.num_perm, self.settings.lsh_threshold)
        self.story_index = BandedIndex(self.settings.num_perm, self.settings.story_lsh_threshold)
        # A store made before this was kept forgets nothing until its next ingest.
        self._newest_published = self._saved_newest = int(self.store.get_meta("newest_published") or 0)
        horizon = self._story_horizon()
        self.story_index.forget_before(horizon)
        # The cluster of each article in the story index (its number, by seq) as it was when the
        # article was indexed: a merge since then is resolved when a query meets it.
        self._story_clusters = np.zeros(0, dtype=np.int32)
        # The seq of each article's duplicate-group canonical, by seq: a duplicate-index answer
        # (every stored copy of a popular story) becomes the few canonicals to verify against
        # without reading the copies' rows.
        self._group_heads = np.zeros(0, dtype=np.int64)
        for batch in self.store.signatures():
            self.dup_index.insert_many(batch.seqs, batch.signatures)
            self._group_heads = _set_at(self._group_heads, batch.seqs, batch.heads)
            recent = np.flatnonzero((batch.heads == batch.seqs) & (batch.published >= horizon))
            self._sign_unsigned_heads(batch, recent)
            self.story_index.insert_many(batch.seqs[recent], batch.story_signatures[recent], batch.published[recent])
            self._note_story_clusters(batch.seqs[recent], [batch.clusters[i] for i in recent.tolist()])
        self.version = self._saved_version = int(self.store.get_meta("clusters_version") or 0)
        self.df = DocumentFrequencies(documents=int(self.store.get_meta("story_documents") or 0))
        for slots, counts in self.store.load_document_frequencies():
            self.df.counts[slots] = counts
        release_free_memory()  # the index build's temporaries would otherwise stay resident

    def _sign_unsigned_heads(self, batch: SignatureBatch, heads: npt.NDArray[np.intp]) -> None:
        """Give the heads among ``batch[heads]`` that have no story signature one, from their
        stored vectors. Every head is stored with one (a copy that becomes a head gets it then),
        so this finds none unless a row's head went missing: it keeps such an article findable
        rather than indexing it by zeros."""
        unsigned = heads[~batch.has_story_signature[heads]]
        for i, stored in zip(unsigned.tolist(), self.store.articles_by_seq(batch.seqs[unsigned].tolist()), strict=True):
            batch.story_signatures[i] = self._story_signature(stored.story_vector)

    # ---------------------------------------------------------------- writes

    def prepare(self, article: ArticleIn, page: PageText | None = None) -> Prepared:
        """The CPU-bound part of ingest, in this process. Callers outside the write lock use
        :meth:`prepare_many`, which may ship the work to the pool; under the lock (cleaning again
        after a template grew) it stays here, so writers never wait on the pool's queue, and
        starts from the ``page`` text an HTML post yielded before, so it skips the extractor."""
        template = self.templates.template(derive_source(article))
        return prepare(article, self.text, self.signer, template, self.story, page)

    def prepare_many(self, articles: Sequence[ArticleIn]) -> list[Prepared | StorywireError]:
        """Prepare articles, bad input returned in place: in the worker pool when there is one
        and shipping them is worth it."""
        jobs = [(a, self.templates.template(derive_source(a))) for a in articles]
        if self.pool is None or not worth_shipping(articles):
            return [prepare_or_error(a, self.text, self.signer, template, self.story) for a, template in jobs]
        return self.pool.prepare(jobs)

    def ingest(self, article: ArticleIn) -> IngestResult:
        """Ingest one article (raises a StorywireError for bad input, storing nothing)."""
        result = self.ingest_prepared(self.prepare_many([article]))[0]
        if isinstance(result, StorywireError):
            raise result
        return result

    def ingest_prepared(self, items: Sequence[Prepared | StorywireError]) -> list[IngestResult | StorywireError]:
        """Ingest prepared articles in order, in one transaction; errors pass through in place."""
        for language in {item.language for item in items if isinstance(item, Prepared)}:
            background(language)  # built on first use of a language (1-2 s): not under the lock
        with self._write():
            return [item if isinstance(item, StorywireError) else self._ingest_one(item) for item in items]

    def delete(self, article_id: str) -> None:
        with self._write():
            article = self.store.get_article(article_id)
            if article is None:
                raise NotFound(f"no article with id {article_id!r}")
            self._detach(article)
            self.templates.forget(article.source, article.seq)
            self._refresh_cluster(article.cluster_id)

    @contextmanager
    def _write(self) -> Iterator[None]:
        """The writer lock and one store transaction. When the transaction rolls back, the
        indexes are rebuilt from the store, so memory never keeps a write the store lost."""
        with self._lock:
            try:
                with self.store.transaction():
                    yield
                    self._save_counters()
            except BaseException:
                self.templates.reset()
                self._load_indexes()
                raise
            finally:
                self._touched_slots.clear()

    def _save_counters(self) -> None:
        """Write what a request changed in the counters once, at the end of its transaction."""
        if self._touched_slots:
            slots = sorted_distinct(np.concatenate(self._touched_slots))
            self.store.save_document_frequencies(self.df.counts, slots)
            self.store.set_meta("story_documents", str(self.df.documents))
        if self.version != self._saved_version:
            self.store.set_meta("clusters_version", str(self.version))
            self._saved_version = self.version
        if self._newest_published != self._saved_newest:
            self.store.set_meta("newest_published", str(self._newest_published))
            self._saved_newest = self._newest_published

    def _tick(self) -> int:
        """Strictly increasing write time, so cluster update order is never ambiguous."""
        self._last_tick = max(self._clock(), self._last_tick + 1)
        return self._last_tick

    def _ingest_one(self, prepared: Prepared, *, reprocess: bool = False) -> IngestResult | StorywireError:
        """Decide and store one article. ``reprocess`` cleans a stored article in place
        (after its source's template grew): no re-post check, no new template evidence.
        An article that the grown template leaves empty is refused, in place, having changed
        nothing: the rest of its batch goes on."""
        existing = self.store.get_article(prepared.id)
        if not reprocess and existing is not None and existing.content_hash == prepared.content_hash:
            return self._result(existing, "unchanged", created=False)
        if prepared.template_size != len(self.templates.template(prepared.source)):
            # The template grew since it was prepared (an earlier page of its batch taught it).
            try:
                prepared = self.prepare(prepared.article, prepared.page)
            except StorywireError as error:
                return error
        now = self._tick()
        if existing is not None:
            self._detach(existing)
            if not reprocess:
                self.templates.forget(existing.source, existing.seq)
            self._refresh_cluster(existing.cluster_id)
        match = self._find_duplicate(prepared)
        published = prepared.published_at
        if published is None:
            published = existing.published_at if existing is not None else now
        self._see_published(published, now)
        vector = self._count_terms(prepared.story_counts, prepared.language)
        # A copy joins its head's cluster unscored and stays out of the story index: only a
        # head needs a story signature (the MinHash cost a tenth of deciding a copy).
        story_signature = self._story_signature(vector) if match is None else None
        merging: list[str] = []
        if match is not None:
            cluster_id = match[0].cluster_id
        elif existing is not None and published < self._story_horizon():
            # Older than the story index holds (an old page cleaned again after its source's
            # template grew, or an old article updated): nothing to compare it with, so it
            # stays in its cluster (recreated under its id if it was alone there).
            cluster_id = existing.cluster_id
        else:
            assert story_signature is not None
            scores = self._story_scores(vector, story_signature, published)
            chosen, merging = self._choose_cluster(scores)
            cluster_id = chosen or self._reusable_cluster(existing) or self._new_cluster_id()
        article = Article(
            id=prepared.id,
            url=prepared.url,
            source=prepared.source,
            title=prepared.title,
            language=prepared.language,
            published_at=published,
            ingested_at=existing.ingested_at if existing is not None else now,
            content_hash=prepared.content_hash,
            exact_key=prepared.exact_key,
            raw_zlib=prepared.raw_zlib,
            raw_is_html=prepared.raw_is_html,
            clean_text=prepared.clean_text,
            signature=prepared.signature,
            story_signature=story_signature,
            story_vector=vector,
            cluster_id=cluster_id,
            line_keys=prepared.line_keys,
            duplicate_of=match[0].id if match else None,
            similarity=match[1] if match else None,
            template_evidence=self._counts_as_evidence(prepared, match, existing if reprocess else None),
            seq=existing.seq if existing is not None else 0,
            shingles=prepared.shingles,
            page=prepared.page,
        )
        self.store.insert_article(article)
        self.dup_index.insert(article.seq, article.signature)
        self._note_group_head(article.seq, match[0].seq if match else article.seq)
        if match is None:
            self._index_story(article)
        centroid = add(self.store.get_centroid(cluster_id) or Vector.empty(), vector, self.story.centroid_terms)
        for other in merging:
            centroid = add(centroid, self.store.get_centroid(other) or Vector.empty(), self.story.centroid_terms)
            self.store.merge_cluster(other, cluster_id)
        if merging:
            self._refresh_cluster(cluster_id, centroid)
        else:
            self._add_to_cluster(cluster_id, article, match[0] if match else article, centroid)
        if article.template_evidence and not reprocess and article.source and self._learn(article):
            article = self.store.get_article(article.id) or article  # learning may have corrected it
        status = "updated" if existing is not None else "duplicate" if article.duplicate_of else "new"
        return self._result(article, status, created=existing is None)

    def _counts_as_evidence(
        self, prepared: Prepared, match: tuple[Member, float] | None, replaced: Article | None
    ) -> bool:
        if replaced is not None:
            return replaced.template_evidence
        return self.templates.is_evidence(prepared.source, match[0].id if match else prepared.id)

    def _learn(self, article: Article) -> bool:
        """Add a page to its source's template evidence; when lines become template, clean the
        source's recent pages that carry them again and correct their groups and clusters.
        Returns whether any stored page was corrected."""
        assert article.source is not None
        _new, affected = self.templates.add_page(article.source, article.seq, article.group_id, article.line_keys)
        corrected = False
        for stored in self.store.articles_by_seq(affected):
            try:
                again = replace(self.prepare(stored_input(stored), stored.page), content_hash=stored.content_hash)
            except EmptyText:
                continue  # nothing but template left: keep what was decided
            if again.exact_key != stored.exact_key:
                self._ingest_one(again, reprocess=True)
                corrected = True
        return corrected

    def _result(self, article: Article, status: str, created: bool) -> IngestResult:
        cluster = self.store.get_cluster(article.cluster_id)
        return IngestResult(
            id=article.id,
            status=status,
            duplicate_of=article.duplicate_of,
            similarity=article.similarity,
            cluster_id=article.cluster_id,
            cluster_size=cluster.size if cluster else 0,
            created=created,
        )

    def _detach(self, article: Article) -> None:
        """Take an article out of indexes, store and group; its cluster is refreshed by the caller."""
        self.dup_index.remove(article.seq)
        self.story_index.remove(article.seq)
        self._uncount_terms(article.story_vector)
        self.store.delete_article(article.id)
        if article.duplicate_of is None:
            self._regroup(self.store.group_members(article.id))

    def _regroup(self, members: list[Article]) -> None:
        """Re-point a group that lost its canonical: ingest order decides, as if posted again."""
        heads: list[tuple[Article, npt.NDArray[np.uint32]]] = []
        for member in members:
            shingles = self._shingles(member)
            scored = zip(self._near_duplicates(shingles, [head_sh for _, head_sh in heads]), heads, strict=True)
            matches = [(s, head) for s, (head, _) in scored if s is not None]
            best = max(matches, key=lambda m: m[0], default=None)
            if best is not None:
                self.store.set_duplicate(member.id, best[1].id, best[0])
                self._note_group_head(member.seq, best[1].seq)
            else:
                member.story_signature = self._story_signature(member.story_vector)
                self.store.set_head(member.id, member.story_signature)
                self._note_group_head(member.seq, member.seq)
                self._index_story(member)
                heads.append((member, shingles))

    def _find_duplicate(
        self, prepared: Prepared, candidates: npt.NDArray[np.int64] | None = None
    ) -> tuple[Member, float] | None:
        """The canonical this article duplicates and their similarity, or None. ``candidates``:
        the duplicate index's answer for its signature, when the caller has it already."""
        exact = self.store.find_exact(prepared.exact_key)
        if exact is not None:
            if exact.duplicate_of is None:
                return exact, 1.0
            canonical = self.store.get_member(exact.duplicate_of)
            if canonical is not None:
                return canonical, exact.similarity if exact.similarity is not None else 1.0
        best: tuple[int, float] | None = None
        if candidates is None:
            candidates = self.dup_index.query(prepared.signature)
        heads = self._candidate_heads(candidates)
        stored = self._candidate_shingles(heads)
        similarities = self._near_duplicates(prepared.shingles, [stored[head][1] for head in heads])
        # heads are in ingest order: of equally similar canonicals, the first wins
        for head, similarity in zip(heads, similarities, strict=True):
            if similarity is not None and (best is None or similarity > best[1]):
                best = (head, similarity)
        if best is None:
            return None
        found = self.store.member_by_seq(best[0])
        assert found is not None, "a candidate's head is stored"
        return found, best[1]

    def _shingles(self, article: Article) -> npt.NDArray[np.uint32]:
        """Shingle hashes of a stored article: as stored; for rows stored before they were kept,
        recomputed from the clean text, and kept for the most recently used."""
        if article.shingles is not None:
            return article.shingles
        key = (article.seq, article.exact_key)
        cached = self._shingle_cache.get(key)
        if cached is None:
            cached = stored_shingles(article.clean_text, self.text)
            self._shingle_cache[key] = cached
            if len(self._shingle_cache) > SHINGLE_CACHE_SIZE:
                self._shingle_cache.popitem(last=False)
        else:
            self._shingle_cache.move_to_end(key)
        return cached

    def _candidate_shingles(self, seqs: Sequence[int]) -> dict[int, tuple[str, npt.NDArray[np.uint32]]]:
        """(id, shingle hashes) of these stored articles by seq, read without their rows (a
        popular story's every copy is a candidate: hundreds at a million stored); rows stored
        before shingles were kept are read whole and their shingles recomputed."""
        found = self.store.shingles_by_seq(seqs)
        legacy = [seq for seq in seqs if seq not in found]
        if legacy:
            found.update((a.seq, (a.id, self._shingles(a))) for a in self.store.articles_by_seq(legacy))
        return found

    def _near_duplicates(
        self, shingles: npt.NDArray[np.uint32], others: Sequence[npt.NDArray[np.uint32]]
    ) -> list[float | None]:
        """For each of ``others``, its Jaccard with ``shingles`` if the two carry the same piece
        of writing, else None."""
        return [self._near_duplicate(shared) for shared in overlaps(shingles, others)]

    def _near_duplicate(self, shared: Overlap) -> float | None:
        """Their Jaccard if two shingle sets carry the same piece of writing, else None: enough
        shared overall, or one (long enough to judge) almost wholly inside the other, as a
        copy cut short is."""
        if shared.jaccard >= self.settings.duplicate_threshold:
            return shared.jaccard
        contained = shared.containment >= self.settings.containment_threshold
        return shared.jaccard if contained and shared.smaller >= MIN_CONTAINED_SHINGLES else None

    def _note_group_head(self, seq: int, head: int) -> None:
        """Remember the seq of the canonical of the group that article ``seq`` is now in."""
        self._group_heads = _set_at(self._group_heads, np.array([seq]), np.array([head]))

    def _candidate_heads(self, seqs: npt.NDArray[np.int64]) -> list[int]:
        """The seqs of the canonicals of the groups these duplicate-index candidates belong to,
        in ingest order, once each: however many copies of a group were found, only its
        canonical is verified."""
        heads: list[int] = sorted_distinct(self._group_heads[seqs]).tolist()
        return heads

    def _count_terms(self, counts: Vector, language: str | None) -> Vector:
        """Count an article's terms in the document frequencies; returns its TF-IDF vector
        under the updated statistics."""
        self._touched_slots.append(self.df.add(counts.terms))
        return self._weigh(counts, language)

    def _uncount_terms(self, vector: Vector) -> None:
        """Take a removed article's terms out of the document frequencies."""
        self._touched_slots.append(self.df.add(vector.terms, sign=-1))

    def _weigh(self, counts: Vector, language: str | None) -> Vector:
        """TF-IDF vector of term counts: the stream's document frequencies, started from the
        language's background word shares."""
        return weigh(counts, self.df, background(language), self.settings.story_prior_documents)

    def _story_signature(self, vector: Vector) -> Signature:
        """MinHash of the article's heaviest words: what the story index finds candidates by."""
        return self.signer.sign(keywords(vector, self.story.keywords))

    def _see_published(self, published: int, now: int) -> None:
        """Move the story index's horizon with the newest publication time seen; a date in the
        future counts only as now, so one wrong date cannot make the index forget everything."""
        self._newest_published = max(self._newest_published, min(published, now))
        self.story_index.forget_before(self._story_horizon())

    def _story_horizon(self) -> int:
        """Articles published before this are out of the story index."""
        return self._newest_published - _micros(self.settings.story_window_days + STORY_LATE_DAYS)

    def _story_scores(self, vector: Vector, signature: Signature, published: int) -> dict[str, float]:
        """Average cosine of the article with the members of each candidate cluster (from the
        cluster's summed vector and size), less the time penalty for the days between the
        article and the nearest of the cluster's members found: the clusters of the story-index
        candidates published within the story window of it."""
        window = _micros(self.settings.story_window_days)
        found = self.story_index.query(signature, MAX_STORY_CANDIDATES, (published - window, published + window))
        return self._scored(vector, *self._candidate_clusters(found, published))

    def _scored(self, vector: Vector, centroids: dict[str, Vector], gaps: dict[str, int]) -> dict[str, float]:
        """Each cluster's average cosine with the article (from its summed vector and size),
        less the time penalty for ``gaps[cluster]`` microseconds."""
        sizes = self.store.cluster_sizes(centroids)
        ids = list(centroids)
        scores = average_similarities(vector, [centroids[c] for c in ids], [sizes.get(c, 0) for c in ids])
        penalty, scale = self.settings.story_time_penalty, self.settings.story_time_scale_days
        return {
            c: score - time_penalty(gaps[c] / _micros(1), penalty, scale)
            for c, score in zip(ids, scores.tolist(), strict=True)
        }

    def _index_story(self, head: Article) -> None:
        """Put a duplicate group's head in the story index, unless it is older than the index
        holds. Only heads go in: a duplicate joins its head's cluster without being scored,
        and would be found for the same clusters as its head, so with the copies left out the
        index, and what each query wades through, grows with the distinct articles rather than
        with every republished copy."""
        if head.published_at >= self._story_horizon():
            assert head.story_signature is not None, "a group's head has a story signature"
            self.story_index.insert(head.seq, head.story_signature, head.published_at)
            self._note_story_clusters(np.array([head.seq]), [head.cluster_id])

    def _note_story_clusters(self, seqs: npt.NDArray[np.int64], clusters: Sequence[str]) -> None:
        """Remember the clusters of articles entering the story index (ids are ``c<number>``)."""
        numbers = np.array([_cluster_number(c) for c in clusters], dtype=np.int32)
        self._story_clusters = _set_at(self._story_clusters, seqs, numbers)

    def _candidate_clusters(
        self, seqs: npt.NDArray[np.int64], published: int
    ) -> tuple[dict[str, Vector], dict[str, int]]:
        """The clusters these story-index articles are in now: each one's centroid, and the time
        from ``published`` to the nearest of its articles found. A cluster remembered for them
        that has since merged into another is looked up (rare) and the articles are re-pointed,
        so the store is read only for clusters not in its cache."""
        numbers = self._story_clusters[seqs]
        ids = {f"c{n}" for n in sorted_distinct(numbers).tolist()}
        centroids = self.store.get_centroids(ids)
        for gone in ids - centroids.keys():
            now = self.store.resolve_cluster(gone)
            if now != gone:
                moved = numbers == _cluster_number(gone)
                numbers[moved] = _cluster_number(now)
                self._story_clusters[seqs[moved]] = numbers[moved]
                centroids.update(self.store.get_centroids([now]))
        return centroids, self._nearest_gaps(numbers, self.story_index.times(seqs), published)

    @staticmethod
    def _nearest_gaps(numbers: npt.NDArray[np.int32], times: npt.NDArray[np.int64], published: int) -> dict[str, int]:
        """Per cluster number, the time from ``published`` to the nearest of its articles' ``times``."""
        if len(numbers) == 0:
            return {}
        clusters, inverse = np.unique(numbers, return_inverse=True)
        nearest = np.full(len(clusters), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(nearest, inverse, np.abs(times - published))
        return {f"c{n}": gap for n, gap in zip(clusters.tolist(), nearest.tolist(), strict=True)}

    def _choose_cluster(self, scores: dict[str, float]) -> tuple[str | None, list[str]]:
        """The best cluster at or above the story threshold, and the others that the article
        bridges (at or above the merge threshold), which merge into it."""
        ranked = sorted(scores, key=lambda cid: (-scores[cid], cid))
        if not ranked or scores[ranked[0]] < self.settings.story_threshold:
            return None, []
        return ranked[0], [cid for cid in ranked[1:] if scores[cid] >= self.settings.story_merge_threshold]

    def _reusable_cluster(self, previous: Article | None) -> str | None:
        """An updated article that starts a cluster keeps its old cluster id if it was alone there."""
        if previous is not None and self.store.get_cluster(previous.cluster_id) is None:
            return previous.cluster_id
        return None

    def _new_cluster_id(self) -> str:
        number = int(self.store.get_meta("next_cluster") or 1)
        self.store.set_meta("next_cluster", str(number + 1))
        return f"c{number}"

    def _add_to_cluster(self, cluster_id: str, article: Article, head: Article | Member, centroid: Vector) -> None:
        """Update a cluster for one new member without reading all its members: only the sizes
        of the two duplicate groups that may now hold the canonical are counted. ``head`` is
        the canonical of the new member's group."""
        cluster = self.store.get_cluster(cluster_id)
        if cluster is None:
            self._refresh_cluster(cluster_id, centroid)
            return
        self._bump_version()
        canonical, title = cluster.canonical_id, cluster.title
        if head.id != canonical:
            holder = self.store.published_and_seq(canonical)
            challenger = canonical_rank(self.store.group_size(cluster_id, head.id), head.published_at, head.seq)
            if holder is None or challenger < canonical_rank(self.store.group_size(cluster_id, canonical), *holder):
                canonical, title = head.id, self._title(head)
        self.store.put_cluster(
            Cluster(
                id=cluster_id,
                size=cluster.size + 1,
                title=title,
                canonical_id=canonical,
                first_published_at=min(cluster.first_published_at, article.published_at),
                last_updated_at=self._tick(),
            )
        )
        self.store.put_centroid(cluster_id, centroid)

    def _refresh_cluster(self, cluster_id: str, centroid: Vector | None = None) -> None:
        """Recompute a cluster's size, canonical, title and times from its members, and set its
        centroid (summed again from the members when not given, as after a removal)."""
        self._bump_version()
        members = self.store.cluster_members(cluster_id)
        if not members:
            self.store.delete_cluster(cluster_id)
            return
        by_id = {m.id: m for m in members}
        groups = Counter(m.duplicate_of or m.id for m in members)
        canonical = min(groups, key=lambda g: canonical_rank(groups[g], by_id[g].published_at, by_id[g].seq))
        title = self._title(by_id[canonical])
        self.store.put_cluster(
            Cluster(
                id=cluster_id,
                size=len(members),
                title=title,
                canonical_id=canonical,
                first_published_at=min(m.published_at for m in members),
                last_updated_at=self._tick(),
            )
        )
        if centroid is None:
            centroid = total(self.store.member_vectors(cluster_id), self.story.centroid_terms)
        self.store.put_centroid(cluster_id, centroid)

    def _title(self, canonical: Article | Member) -> str | None:
        """The title a cluster takes from its canonical: the canonical's own, or the first line
        of its text when it has none (the text is read only then)."""
        if canonical.title:
            return canonical.title
        article = canonical if isinstance(canonical, Article) else self.store.get_article(canonical.id)
        return article.clean_text.split("\n", 1)[0][:200] if article else None

    def _bump_version(self) -> None:
        self.version += 1

    # ---------------------------------------------------------------- reads

    def article(self, article_id: str) -> ArticleView:
        article = self.store.get_article(article_id)
        if article is None:
            raise NotFound(f"no article with id {article_id!r}")
        group = self.store.group_members(article.id) if article.duplicate_of is None else []
        return ArticleView(article, [(m.id, m.similarity) for m in group])

    def cluster(
        self, cluster_id: str, members_limit: int | None = None, members_after: tuple[int, int] | None = None
    ) -> ClusterView:
        """A cluster by its id, or by the id of a cluster that was merged into it, with all its
        members or the page of at most ``members_limit`` after the (published_at, seq)
        ``members_after``."""
        cluster = self.store.get_cluster(self.store.resolve_cluster(cluster_id))
        canonical = self.store.get_article(cluster.canonical_id) if cluster else None
        if cluster is None or canonical is None:
            raise NotFound(f"no cluster with id {cluster_id!r}")
        read = None if members_limit is None else members_limit + 1  # one more tells if more follow
        members = self.store.cluster_members(cluster.id, read, members_after)
        more = members_limit is not None and len(members) > members_limit
        return ClusterView(
            cluster,
            canonical,
            members[:members_limit],
            more,
            self.store.cluster_sources([cluster.id])[cluster.id],
            self.store.merged_into(cluster.id),
        )

    def clusters(
        self, updated_since: int | None, min_size: int, limit: int, after: tuple[int, str] | None
    ) -> tuple[list[Cluster], dict[str, list[str]]]:
        """A page of clusters, most recently updated first, with each one's sources."""
        page = self.store.list_clusters(updated_since, min_size, limit, after)
        return page, self.store.cluster_sources([c.id for c in page])

    def compare(self, a_id: str, b_id: str) -> Comparison:
        """The figures behind the decisions about two stored articles, for a person debugging."""
        a, b = (self.article(i).article for i in (a_id, b_id))
        with self._lock:  # the index and the shingle cache are shared with the writer
            lsh_candidates = bool((self.dup_index.query(a.signature) == b.seq).any())
            shingles_a, shingles_b = self._shingles(a), self._shingles(b)
        shared = overlap(shingles_a, shingles_b)
        tokens_a = clean_tokens(a.clean_text)
        words = term_words([tokens_a, title_tokens(a.title)])
        return Comparison(
            a=a.id,
            b=b.id,
            similarity=shared.jaccard,
            containment=shared.containment,
            estimated_similarity=estimate_jaccard(a.signature, b.signature),
            story_similarity=cosine(a.story_vector, b.story_vector),
            lsh_candidates=lsh_candidates,
            duplicate_threshold=self.settings.duplicate_threshold,
            containment_threshold=self.settings.containment_threshold,
            story_threshold=self.settings.story_threshold,
            same_group=a.group_id == b.group_id,
            same_cluster=a.cluster_id == b.cluster_id,
            shared_passages=shared_passages(
                tokens_a, shingles_b, self.text.shingle_size, COMPARE_PASSAGES, COMPARE_PASSAGE_WORDS
            ),
            shared_words=shared_words(a.story_vector, b.story_vector, words, COMPARE_WORDS),
            a_score_in_b_cluster=self._story_score_in(a, b.cluster_id),
            b_score_in_a_cluster=self._story_score_in(b, a.cluster_id),
        )

    def _story_score_in(self, article: Article, cluster_id: str) -> float | None:
        """The article's story score against a cluster as an ingest would compute it now: its
        average cosine with the cluster's other members (from the cluster's summed vector, its
        own part taken out), less the time penalty for the days to the nearest of them. None
        when the cluster has no other member."""
        others = [m for m in self.store.cluster_members(cluster_id) if m.id != article.id]
        centroid = self.store.get_centroid(cluster_id)
        if not others or centroid is None:
            return None
        vector = article.story_vector
        dot = average_similarity(vector, centroid, 1)
        if article.cluster_id == cluster_id:
            held = np.isin(vector.terms, centroid.terms)  # a centroid keeps its heaviest terms only
            dot -= float(np.dot(vector.weights[held], vector.weights[held]))
        gap_days = min(abs(m.published_at - article.published_at) for m in others) / _micros(1)
        penalty = time_penalty(gap_days, self.settings.story_time_penalty, self.settings.story_time_scale_days)
        return dot / len(others) - penalty

    def ready(self) -> int:
        """Number of indexed articles; raises if the store cannot be read."""
        self.store.get_meta("fingerprint_params")
        return len(self.dup_index)

    def similar(self, article: ArticleIn, limit: int) -> SimilarResult:
        """What ingesting the article would match, without storing anything: up to ``limit``
        stored near-duplicates, and the clusters it would be scored against. A duplicate joins
        its canonical's cluster without scoring (as in ingest), so for one that cluster alone is
        given, with its score."""
        (prepared,) = self.prepare_many([article])
        if isinstance(prepared, StorywireError):
            raise prepared
        background(prepared.language)  # built on first use of a language: not under the lock
        with self._lock:
            candidates = self.dup_index.query(prepared.signature, limit=len(self.dup_index))  # likeliest first
            duplicates, truncated = self._listed_duplicates(prepared.shingles, candidates, limit)
            published = prepared.published_at if prepared.published_at is not None else self._clock()
            vector = self._weigh(prepared.story_counts, prepared.language)
            match = self._find_duplicate(prepared, candidates)
            if match is None:
                scores = self._story_scores(vector, self._story_signature(vector), published)
            else:
                joined = match[0].cluster_id
                scores = self._scored(
                    vector, self.store.get_centroids([joined]), {joined: abs(match[0].published_at - published)}
                )
        clusters = sorted(((cid, round(s, 4)) for cid, s in scores.items()), key=lambda c: (-c[1], c[0]))
        return SimilarResult(duplicates, truncated, clusters[:MAX_SIMILAR_CLUSTERS])

    def _listed_duplicates(
        self, shingles: npt.NDArray[np.uint32], candidates: npt.NDArray[np.int64], limit: int
    ) -> tuple[list[tuple[str, float]], bool]:
        """The ``limit`` most similar near-duplicates found by verifying ``candidates`` (likeliest
        first) ``limit`` at a time, until ``limit`` are found or ``SIMILAR_CHECKS_PER_LISTED`` x
        ``limit`` were verified; and whether the list may be incomplete (candidates were left
        unverified, or near-duplicates beyond ``limit`` were cut)."""
        found: list[tuple[str, float]] = []
        budget = min(len(candidates), SIMILAR_CHECKS_PER_LISTED * limit)
        checked = 0
        while checked < budget and len(found) < limit:
            chunk: list[int] = candidates[checked : min(budget, checked + limit)].tolist()
            stored = list(self._candidate_shingles(chunk).values())
            similarities = self._near_duplicates(shingles, [other for _, other in stored])
            found += [(i, round(s, 4)) for (i, _), s in zip(stored, similarities, strict=True) if s is not None]
            checked += len(chunk)
        found.sort(key=lambda d: (-d[1], d[0]))
        return found[:limit], checked < len(candidates) or len(found) > limit
