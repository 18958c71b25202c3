"""Text normalisation, tokens, shingles and MinHash used by the harness itself.

These serve the baselines and the cleaning of the body pool. They are deliberately simple
and independent of the service's own text pipeline, so a bug there cannot hide here.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from datasketch import MinHash

ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
"""Harakat, Quranic marks, superscript alef and tatweel: they do not change a word."""

_FOLDS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
_FOLDS.update(zip("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789", strict=True))

_WORD = re.compile(r"\w+")
SCHEME = "affine32"
"""datasketch 2.0's default permutation scheme, named because reused permutations need it."""


def normalize(text: str) -> str:
    """NFKC, casefold and drop Arabic diacritics/tatweel: spelling-preserving clean-up."""
    return ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text).casefold())


def fold(text: str) -> str:
    """``normalize`` plus alef/hamza/ya/ta-marbuta and digit folding (for equality keys)."""
    text = normalize(text)
    for variant, plain in _FOLDS.items():  # str.replace beats str.translate for non-ASCII maps
        if variant in text:
            text = text.replace(variant, plain)
    return text


def tokens(text: str) -> list[str]:
    """Word tokens of the normalised text (``\\w+`` runs)."""
    return _WORD.findall(normalize(text))


def folded_tokens(text: str) -> list[str]:
    """Word tokens of the folded text; used where spelling variants must not matter."""
    return _WORD.findall(fold(text))


def shingles(words: Sequence[str], n: int) -> set[str]:
    """Word n-grams as strings; a text shorter than n yields its single whole-text shingle."""
    if n < 1:
        raise ValueError(f"shingle size must be >= 1, got {n}")
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> Any:
    """datasketch's seeded permutations, drawn once per (num_perm, seed) instead of per signature."""
    return MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations


def crc32(data: bytes) -> int:
    """A fast 32-bit shingle hash for the harness's own pool clean-up (baselines keep SHA-1)."""
    return zlib.crc32(data)


def minhash(
    items: Iterable[str], num_perm: int = 128, seed: int = 1, hashfunc: Callable[[bytes], int] | None = None
) -> MinHash:
    """A datasketch MinHash over ``items`` (seeded, so signatures are reproducible).

    ``hashfunc`` defaults to datasketch's own (SHA-1 based).
    """
    permutations = _permutations(num_perm, seed)
    if hashfunc is None:
        sig = MinHash(num_perm=num_perm, seed=seed, permutations=permutations, scheme=SCHEME)
    else:
        sig = MinHash(num_perm=num_perm, seed=seed, permutations=permutations, scheme=SCHEME, hashfunc=hashfunc)
    encoded = [item.encode("utf-8") for item in items]
    if encoded:
        sig.update_batch(encoded)
    return sig


def prefix_key(text: str, chars: int = 300) -> str:
    """Equality key of the first ``chars`` letters/digits of the folded text.

    SaudiNewsNet has wire copies reprinted by several outlets; two bodies with the same key
    are treated as the same writing and only one is kept, so the gold labels stay clean.
    """
    return "".join(_WORD.findall(fold(text[: chars * 4])))[:chars]


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity; two empty sets count as identical."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
