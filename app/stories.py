"""Story similarity: TF-IDF term vectors with document frequencies learned online.

Two reports of one event share its specific words (names, places, numbers), not its
sentences; two look-alike events share the generic words. Weighting each word by how rare it
is in the stream so far (IDF) and comparing an article with a cluster as a whole (its average
cosine with the members, from the sum of their vectors: the cluster's centroid) tells them
apart far better than word-set Jaccard. Title words count ``title_weight`` times.

Terms are 32-bit hashes of normalised words; document frequencies live in a fixed-size
hashed table (collisions only make rare words look a little less rare).

Early in a stream (or in a small one) the counts say little: after ten articles every word
looks rare. So the counts start from a prior, worth ``prior_documents`` articles, of how many
articles hold each word in the language at large, from wordfreq's word frequencies; as the
stream grows its own counts take over.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import wordfreq

from app.text.normalize import normalize_many
from app.text.shingle import token_hashes
from app.text.tokenize import tokenize

Terms = npt.NDArray[np.uint32]
Weights = npt.NDArray[np.float32]
DF_SLOTS = 1 << 22  # 16 MB of counters
TYPICAL_ARTICLE_WORDS = 400  # turns a word's share of all words into the share of articles holding it
# Our language codes that wordfreq knows under another name.
_WORDFREQ_CODES = {"no": "nb", "tl": "fil", "sr": "sh", "hr": "sh", "bs": "sh"}


@dataclass(frozen=True)
class StoryConfig:
    title_weight: float = 3.0
    keywords: int = 20  # top-weighted terms whose MinHash finds candidate clusters
    centroid_terms: int = 2000  # a centroid keeps its heaviest terms only


@dataclass(frozen=True)
class Vector:
    """A sparse vector: sorted distinct term hashes and their weights."""

    terms: Terms
    weights: Weights

    @staticmethod
    def empty() -> Vector:
        return Vector(np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.float32))

    def norm(self) -> float:
        return float(np.sqrt(np.dot(self.weights, self.weights)))

    def to_bytes(self) -> bytes:
        return self.terms.astype("<u4").tobytes() + self.weights.astype("<f4").tobytes()

    @staticmethod
    def from_bytes(data: bytes) -> Vector:
        half = len(data) // 2
        terms = np.frombuffer(data[:half], dtype="<u4").astype(np.uint32)
        return Vector(terms, np.frombuffer(data[half:], dtype="<f4").astype(np.float32))


def term_counts(body: Sequence[str], title: Sequence[str], stopwords: frozenset[str], cfg: StoryConfig) -> Vector:
    """Raw term frequencies of an article's content words; title words weigh more."""
    words = [t for t in body if len(t) > 1 and t not in stopwords]
    heads = [t for t in title if len(t) > 1 and t not in stopwords]
    hashes = token_hashes([*words, *heads]).astype(np.uint32)
    counts = np.concatenate([np.ones(len(words)), np.full(len(heads), cfg.title_weight)]).astype(np.float32)
    terms, inverse = np.unique(hashes, return_inverse=True)
    return Vector(terms, np.bincount(inverse, weights=counts, minlength=len(terms)).astype(np.float32))


class DocumentFrequencies:
    """How many stored articles hold each term (hashed), and how many articles there are."""

    def __init__(self, counts: npt.NDArray[np.uint32] | None = None, documents: int = 0) -> None:
        self.counts = np.zeros(DF_SLOTS, dtype=np.uint32) if counts is None else counts
        self.documents = documents

    @staticmethod
    def slots(terms: Terms) -> npt.NDArray[np.int64]:
        return (terms % DF_SLOTS).astype(np.int64)

    def add(self, terms: Terms, sign: int = 1) -> npt.NDArray[np.int64]:
        """Count (or, with sign -1, uncount) one article's terms; returns the slots touched
        (two terms may share a slot: it is listed twice but counted once)."""
        # A fancy-indexed ``+=`` updates a repeated index once, as a document is counted once
        # per slot, so the slots need no np.unique first.
        slots = self.slots(terms)
        if sign > 0:
            self.counts[slots] += np.uint32(1)
        else:
            self.counts[slots] -= np.minimum(self.counts[slots], np.uint32(1))
        self.documents = max(0, self.documents + sign)
        return slots

    def idf(self, terms: Terms, prior_counts: Weights | None = None, prior_documents: float = 0.0) -> Weights:
        """Smoothed inverse document frequency (never below a small positive floor), the
        counts optionally starting from a prior of ``prior_counts`` in ``prior_documents``."""
        df = self.counts[self.slots(terms)].astype(np.float64)
        if prior_counts is not None:
            df += prior_counts
        return np.maximum(np.log((self.documents + prior_documents + 1) / (df + 0.5)), 0.01).astype(np.float32)


@dataclass(frozen=True)
class Background:
    """Share of articles expected to hold each word of a language (term hashes sorted)."""

    terms: Terms
    shares: Weights

    def share(self, terms: Terms) -> Weights:
        """The expected share of each term (0 for words the language list lacks)."""
        at = np.minimum(np.searchsorted(self.terms, terms), len(self.terms) - 1)
        return np.where(self.terms[at] == terms, self.shares[at], np.float32(0)).astype(np.float32)


@cache
def background(language: str | None) -> Background | None:
    """wordfreq's frequencies of ``language`` as shares of articles, keyed like our terms
    (normalised and hashed the same way); None for languages wordfreq has no list for.
    Built once per language and process (1-3 s: a few hundred thousand words)."""
    files = wordfreq.available_languages()
    code = _WORDFREQ_CODES.get(language or "", language or "")
    if code not in files:
        return None
    words: list[str] = []
    word_frequencies: list[float] = []
    # read_cBpack rather than get_frequency_dict: the latter keeps every list it read in a cache.
    for centibels, bucket in enumerate(wordfreq.read_cBpack(files[code])):
        words.extend(bucket)
        word_frequencies.extend([wordfreq.cB_to_freq(-centibels)] * len(bucket))
    tokens: list[str] = []
    frequencies: list[float] = []
    for normalized, frequency in zip(normalize_many(words), word_frequencies, strict=True):
        parts = tokenize(normalized)
        tokens.extend(parts)
        frequencies.extend([frequency] * len(parts))
    terms, inverse = np.unique(token_hashes(tokens).astype(np.uint32), return_inverse=True)
    per_term = np.bincount(inverse, weights=frequencies, minlength=len(terms))
    shares = -np.expm1(-per_term * TYPICAL_ARTICLE_WORDS)  # P(a word at this rate appears at least once)
    return Background(terms, shares.astype(np.float32))


def weigh(
    counts: Vector, df: DocumentFrequencies, prior: Background | None = None, prior_documents: float = 0.0
) -> Vector:
    """Unit-length TF-IDF vector (sublinear term frequency). With a ``prior``, the stream's
    counts start from ``prior_documents`` articles with the language's word shares."""
    if len(counts.terms) == 0:
        return counts
    if prior is None or prior_documents <= 0:
        idf = df.idf(counts.terms)
    else:
        idf = df.idf(counts.terms, prior.share(counts.terms) * np.float32(prior_documents), prior_documents)
    weights = (1 + np.log(counts.weights)) * idf
    norm = float(np.sqrt(np.dot(weights, weights))) or 1.0
    return Vector(counts.terms, (weights / norm).astype(np.float32))


def keywords(vector: Vector, k: int) -> Terms:
    """The ``k`` heaviest terms, sorted: what the candidate MinHash is computed over."""
    if len(vector.terms) <= k:
        return vector.terms
    top = np.argpartition(-vector.weights, k - 1)[:k]
    return np.sort(vector.terms[top])


def add(a: Vector, b: Vector, keep: int) -> Vector:
    """Sum of two sparse vectors, keeping the ``keep`` heaviest terms."""
    if len(a.terms) < len(b.terms):
        a, b = b, a  # the smaller (an article's few hundred terms) is merged into the larger
    terms, summed = a.terms, a.weights
    if len(b.terms):
        # Both are sorted: the smaller's terms are looked up in the larger, added where held and
        # slotted in where not, rather than both being sorted again (a centroid gains an
        # article's terms at every ingest).
        at = np.searchsorted(a.terms, b.terms)
        held = np.take(a.terms, at, mode="clip") == b.terms
        fresh = ~held
        before = at[fresh]  # each fresh term goes before the larger's term at this index
        slots = before + np.arange(len(before))  # where the fresh terms land
        from_larger = np.ones(len(a.terms) + len(slots), dtype=bool)
        from_larger[slots] = False
        terms = np.empty(len(from_larger), dtype=np.uint32)
        terms[from_larger], terms[slots] = a.terms, b.terms[fresh]
        summed = np.empty(len(from_larger), dtype=np.float32)
        summed[from_larger], summed[slots] = a.weights, b.weights[fresh]
        summed[at[held] + np.searchsorted(before, at[held], side="right")] += b.weights[held]
    if len(terms) > keep:
        kept = np.zeros(len(terms), dtype=bool)
        kept[np.argpartition(-summed, keep - 1)[:keep]] = True
        terms, summed = terms[kept], summed[kept]
    # Arrays built above are new already; only an unchanged larger vector is copied (a cached
    # centroid's are read-only).
    return Vector(terms.astype(np.uint32, copy=terms is a.terms), summed.astype(np.float32, copy=summed is a.weights))


def total(vectors: Iterable[Vector], keep: int) -> Vector:
    result = Vector.empty()
    for vector in vectors:
        result = add(result, vector, keep)
    return result


def time_penalty(gap_days: float, penalty: float, scale_days: float) -> float:
    """What a cluster's score loses for lying ``gap_days`` from the article: ``penalty`` per
    doubling of ``1 + gap_days / scale_days`` (nothing at 0 days, ``penalty`` at
    ``scale_days``, about 3.3 x ``penalty`` at a year for a 30-day scale). Two reports of one
    event come close together; a look-alike event months later must be much more alike to join."""
    return penalty * math.log2(1 + abs(gap_days) / scale_days)


def average_similarity(vector: Vector, member_sum: Vector, members: int) -> float:
    """Average cosine of a unit vector with a cluster's members, from the sum of their unit
    vectors (average link: unlike the cosine with the centroid, a big, spread-out cluster
    does not pull harder than a small tight one)."""
    return float(average_similarities(vector, [member_sum], [members])[0])


def average_similarities(
    vector: Vector, member_sums: Sequence[Vector], members: Sequence[int]
) -> npt.NDArray[np.float64]:
    """:func:`average_similarity` with many clusters at once, in one pass over all their terms
    (an article is scored against dozens of candidate clusters, of up to 2,000 terms each)."""
    scores = np.zeros(len(member_sums), dtype=np.float64)
    if not member_sums or len(vector.terms) == 0:
        return scores
    terms = np.concatenate([s.terms for s in member_sums])
    # Most centroid terms are not in the article: a 64 Kbit table of the article's terms' low
    # bits rules out all but a few (terms are hashes) before the exact binary search.
    # (Indexing with intp rather than uint32: numpy 2.4 gathers 2-3 times slower with any other
    # index type, 150 against 50 us for a scored article's 48,000 centroid terms.)
    present = np.zeros(1 << 16, dtype=bool)
    present[vector.terms & 0xFFFF] = True
    maybe = np.flatnonzero(present[(terms & 0xFFFF).astype(np.intp)])
    at = np.minimum(np.searchsorted(vector.terms, terms[maybe]), len(vector.terms) - 1)
    hit = vector.terms[at] == terms[maybe]
    where, at = maybe[hit], at[hit]
    weights = np.concatenate([s.weights for s in member_sums])[where].astype(np.float64)
    ends = np.cumsum([len(s.terms) for s in member_sums])
    owner = np.searchsorted(ends, where, side="right")
    dots = np.bincount(owner, weights=weights * vector.weights[at], minlength=len(member_sums))
    counts = np.asarray(members, dtype=np.float64)
    np.divide(dots, counts, out=scores, where=counts > 0)
    return scores


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two sparse vectors (0 when either is empty)."""
    na, nb = a.norm(), b.norm()
    if na == 0 or nb == 0:
        return 0.0
    _, ia, ib = np.intersect1d(a.terms, b.terms, assume_unique=True, return_indices=True)
    return float(np.dot(a.weights[ia], b.weights[ib])) / (na * nb)
