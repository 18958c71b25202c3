"""Story similarity: TF-IDF term vectors with document frequencies learned online.

Two reports of one event share its specific words (names, places, numbers), not its
sentences; two look-alike events share the generic words. Weighting each word by how rare it
is in the stream so far (IDF) and comparing an article with a cluster's centroid (the sum of
its members' vectors, so the cluster is judged as a whole) tells them apart far better than
word-set Jaccard. Title words count ``title_weight`` times.

Terms are 32-bit hashes of normalised words; document frequencies live in a fixed-size
hashed table (collisions only make rare words look a little less rare).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.text.shingle import token_hashes

Terms = npt.NDArray[np.uint32]
Weights = npt.NDArray[np.float32]
DF_SLOTS = 1 << 22  # 16 MB of counters


@dataclass(frozen=True)
class StoryConfig:
    title_weight: float = 3.0
    keywords: int = 20  # top-weighted terms whose MinHash finds candidate clusters
    centroid_terms: int = 400  # a centroid keeps its heaviest terms only


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
        """Count (or, with sign -1, uncount) one article's terms; returns the slots touched."""
        slots = np.unique(self.slots(terms))
        if sign > 0:
            self.counts[slots] += np.uint32(1)
        else:
            self.counts[slots] -= np.minimum(self.counts[slots], np.uint32(1))
        self.documents = max(0, self.documents + sign)
        return slots

    def idf(self, terms: Terms) -> Weights:
        """Smoothed inverse document frequency (never below a small positive floor)."""
        df = self.counts[self.slots(terms)].astype(np.float64)
        return np.maximum(np.log((self.documents + 1) / (df + 0.5)), 0.01).astype(np.float32)


def weigh(counts: Vector, df: DocumentFrequencies) -> Vector:
    """Unit-length TF-IDF vector (sublinear term frequency)."""
    if len(counts.terms) == 0:
        return counts
    weights = (1 + np.log(counts.weights)) * df.idf(counts.terms)
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
    terms = np.concatenate([a.terms, b.terms])
    weights = np.concatenate([a.weights, b.weights])
    merged, inverse = np.unique(terms, return_inverse=True)
    summed = np.bincount(inverse, weights=weights, minlength=len(merged)).astype(np.float32)
    if len(merged) > keep:
        top = np.sort(np.argpartition(-summed, keep - 1)[:keep])
        merged, summed = merged[top], summed[top]
    return Vector(merged.astype(np.uint32), summed)


def total(vectors: Iterable[Vector], keep: int) -> Vector:
    result = Vector.empty()
    for vector in vectors:
        result = add(result, vector, keep)
    return result


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two sparse vectors (0 when either is empty)."""
    na, nb = a.norm(), b.norm()
    if na == 0 or nb == 0:
        return 0.0
    _, ia, ib = np.intersect1d(a.terms, b.terms, assume_unique=True, return_indices=True)
    return float(np.dot(a.weights[ia], b.weights[ib])) / (na * nb)
