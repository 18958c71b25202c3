"""MinHash signatures in datasketch's default ("affine32") scheme, vectorised over shingles.

datasketch's ``update_batch`` hashes every value in a Python loop; here the shingle hashes are
already a numpy array (see app.text.shingle), so the scheme — MurmurHash3 pre-mix, then
``a_k * h + b_k mod 2^32`` with datasketch's own seeded ``a``/``b`` — is applied in numpy.
The result equals ``MinHash(num_perm, seed, hashfunc=identity).update_batch(hashes)``
bit for bit (tested), so signatures stay interchangeable with datasketch's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash

Signature = npt.NDArray[np.uint32]
SCHEME = "affine32"
_EMPTY = np.uint32(0xFFFFFFFF)
_ROWS_PER_CHUNK = 2048  # bounds the (shingles × permutations) scratch matrix to ~1 MB


def _fmix32(h: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


@dataclass(frozen=True)
class Signer:
    """Computes signatures of ``num_perm`` permutations drawn from ``seed``."""

    num_perm: int = 128
    seed: int = 1
    _a: npt.NDArray[np.uint32] = field(init=False, repr=False, compare=False)
    _b: npt.NDArray[np.uint32] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        a, b = MinHash(num_perm=self.num_perm, seed=self.seed, scheme=SCHEME).permutations
        object.__setattr__(self, "_a", a.astype(np.uint32))
        object.__setattr__(self, "_b", b.astype(np.uint32))

    def sign(self, hashes: npt.NDArray[np.uint32]) -> Signature:
        """Signature of a set of 32-bit hashes; all-max (datasketch's empty) for an empty set."""
        sig = np.full(self.num_perm, _EMPTY, dtype=np.uint32)
        mixed = _fmix32(np.asarray(hashes, dtype=np.uint32))
        for start in range(0, len(mixed), _ROWS_PER_CHUNK):
            chunk = mixed[start : start + _ROWS_PER_CHUNK, None]
            np.minimum(sig, (chunk * self._a + self._b).min(axis=0), out=sig)
        return sig

    def lean(self, sig: Signature) -> LeanMinHash:
        """The datasketch object for a signature, for datasketch's LSH index."""
        return LeanMinHash(seed=self.seed, hashvalues=sig, scheme=SCHEME)


def estimate_jaccard(a: Signature, b: Signature) -> float:
    """Fraction of permutations on which two signatures agree: an unbiased Jaccard estimate."""
    return float(np.count_nonzero(a == b)) / len(a)


@dataclass(frozen=True)
class Overlap:
    """How much two shingle sets share."""

    jaccard: float
    containment: float  # share of the smaller set found in the larger
    smaller: int  # size of the smaller set


# Membership is looked up in direct-mapped tables of 2^16 slots, one per 16-bit half of the
# hash: the low half places nearly every shingle of an article (600 shingles collide ~3 times);
# when more than a few collide, they get a second chance in the high half; the few left are
# compared one by one. Shingle hashes are uniform (app.text.shingle), so halves spread evenly.
_HALF_BITS = 16
_LOW_HALF = (1 << _HALF_BITS) - 1
_COMPARED_ONE_BY_ONE = 4
# Below this many candidates, sorting each pair together (``np.intersect1d``, ~20 µs for two
# articles of 600 shingles) costs less than building the tables (~100 µs); from it on, the
# tables win: 100 candidates in 1.1 against 2.1 ms (``python -m bench.overlap_micro``).
TABLE_FROM_CANDIDATES = 8


def _low_slots(hashes: npt.NDArray[np.uint32]) -> npt.NDArray[np.intp]:
    return np.bitwise_and(hashes, _LOW_HALF, dtype=np.intp)  # native indices: numpy gathers ~3x faster


def _high_slots(hashes: npt.NDArray[np.uint32]) -> npt.NDArray[np.intp]:
    return np.right_shift(hashes, _HALF_BITS, dtype=np.intp)


# An empty slot holds a value that cannot be looked up there: its half is not the slot's.
_SLOTS = np.arange(1 << _HALF_BITS, dtype=np.uint32)
_EMPTY_TABLES = ((_low_slots, _SLOTS ^ np.uint32(1)), (_high_slots, (_SLOTS ^ np.uint32(1)) << np.uint32(_HALF_BITS)))


def _members(values: npt.NDArray[np.uint32], keys: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Whether each of ``values`` is one of the distinct ``keys``: cost linear in both, unlike a
    sort of the two together (``np.intersect1d``), and one pass for many candidates at once."""
    found = np.zeros(len(values), dtype=np.bool_)
    for slots, empty in _EMPTY_TABLES:
        if len(keys) <= _COMPARED_ONE_BY_ONE:
            break
        table = empty.copy()
        key_slots = slots(keys)
        table[key_slots] = keys  # of keys sharing a slot, one is placed
        found |= table[slots(values)] == values
        keys = keys[table[key_slots] != keys]
    for key in keys:
        found |= values == key
    return found


def overlaps(query: npt.NDArray[np.uint32], others: Sequence[npt.NDArray[np.uint32]]) -> list[Overlap]:
    """How much ``query`` shares with each of ``others`` (each an array of distinct hashes)."""
    if len(others) < TABLE_FROM_CANDIDATES:
        commons = [len(np.intersect1d(query, other, assume_unique=True)) for other in others]
    else:
        lengths = np.fromiter((len(o) for o in others), dtype=np.intp, count=len(others))
        starts = np.cumsum(lengths) - lengths
        filled = lengths > 0  # reduceat would give an empty array the next array's first count
        counted = np.zeros(len(others), dtype=np.int64)
        counted[filled] = np.add.reduceat(_members(np.concatenate(others), query), starts[filled], dtype=np.int64)
        commons = counted.tolist()
    return [_overlap(len(query), len(other), common) for other, common in zip(others, commons, strict=True)]


def overlap(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> Overlap:
    """Jaccard and containment of two arrays of distinct hashes."""
    return overlaps(a, [b])[0]


def _overlap(size_a: int, size_b: int, common: int) -> Overlap:
    smaller = min(size_a, size_b)
    union = size_a + size_b - common
    return Overlap(common / union if union else 1.0, common / smaller if smaller else 1.0, smaller)


def to_bytes(sig: Signature) -> bytes:
    """Little-endian bytes of a signature (or of any array of 32-bit hashes: shingles), for storage."""
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> Signature:
    """Inverse of :func:`to_bytes`."""
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
