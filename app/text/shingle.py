"""Word shingles, hashed to 32-bit values in numpy rather than one Python object per shingle."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from app.arrays import sorted_distinct

U32 = npt.NDArray[np.uint32]
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier: each position weighs differently


def token_hashes(tokens: Sequence[str]) -> npt.NDArray[np.uint64]:
    """A stable 32-bit hash per token (CRC-32 of its UTF-8), widened for mixing."""
    # map over builtins rather than a generator expression: no Python frame per token.
    return np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64, count=len(tokens))


def _fold32(values: npt.NDArray[np.uint64]) -> U32:
    """MurmurHash3's 64-bit finaliser, keeping the high half: an avalanching 64→32 fold."""
    v = values ^ (values >> np.uint64(33))
    v = v * np.uint64(0xFF51AFD7ED558CCD)
    v = v ^ (v >> np.uint64(33))
    v = v * np.uint64(0xC4CEB9FE1A85EC53)
    v = v ^ (v >> np.uint64(33))
    folded: U32 = (v >> np.uint64(32)).astype(np.uint32)
    return folded


def shingle_width(tokens: Sequence[str], size: int) -> int:
    """Words per shingle: ``size``, or all of a text shorter than that (one shingle), so
    short texts still have a fingerprint."""
    return min(size, len(tokens))


def shingle_sequence(tokens: Sequence[str], size: int) -> U32:
    """The hash of the word ``size``-gram starting at each position of ``tokens``, in text order."""
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    th = token_hashes(tokens)
    width = shingle_width(tokens, size)
    count = len(th) - width + 1
    acc = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        acc = acc * _MIX + th[offset : offset + count]  # wraps mod 2^64 by design
    return _fold32(acc)


def shingle_hashes(tokens: Sequence[str], size: int) -> U32:
    """Distinct hashes of the word ``size``-grams of ``tokens``, sorted: what is fingerprinted."""
    return sorted_distinct(shingle_sequence(tokens, size))
