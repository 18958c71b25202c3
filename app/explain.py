"""The evidence behind two articles' figures, for a person asking why they are, or are not,
together: the passages their cleaned texts share and the words their story similarity rests on.

Pure functions over tokens, shingle hashes and story vectors; the engine's ``compare`` reads
the stored articles and calls them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from app.stories import Vector
from app.text.shingle import U32, shingle_sequence, shingle_width, token_hashes

ELLIPSIS = "…"


def shared_passages(tokens: Sequence[str], other: U32, size: int, limit: int, max_words: int) -> list[str]:
    """The longest runs of ``tokens`` that the other text holds too, longest first: stretches
    where every word ``size``-gram is among ``other`` (the other text's shingle hashes, sorted
    and distinct). At most ``limit`` of them, each cut to ``max_words`` words."""
    if not tokens or limit <= 0:
        return []
    inside = np.isin(shingle_sequence(tokens, size), other, assume_unique=False)
    edges = np.diff(np.concatenate(([0], inside.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # runs of shingles [start, end)
    width = shingle_width(tokens, size)
    # A run of n shingles covers n + width - 1 words; ties keep text order.
    longest = np.argsort(-(ends - starts), kind="stable")[:limit]
    passages = []
    for run in longest.tolist():
        words = tokens[int(starts[run]) : int(ends[run]) + width - 1]
        cut = len(words) > max_words
        passages.append(" ".join(words[:max_words]) + (" " + ELLIPSIS if cut else ""))
    return passages


def term_words(texts: Iterable[Sequence[str]]) -> dict[int, str]:
    """Story-vector term → the word it was hashed from, for the words of these token lists."""
    words: dict[int, str] = {}
    for tokens in texts:
        words.update(zip(token_hashes(tokens).astype(np.uint32).tolist(), tokens, strict=True))
    return words


def shared_words(a: Vector, b: Vector, words: dict[int, str], limit: int) -> list[tuple[str, float]]:
    """The terms two story vectors share that add most to their cosine, with what each adds
    (together they sum to the cosine), at most ``limit``, largest first. A term whose word is
    not in ``words`` is shown as ``#`` and its hash."""
    norms = a.norm() * b.norm()
    if norms == 0:
        return []
    common, ia, ib = np.intersect1d(a.terms, b.terms, assume_unique=True, return_indices=True)
    adds = a.weights[ia].astype(np.float64) * b.weights[ib] / norms
    top = np.argsort(-adds, kind="stable")[:limit]
    return [(words.get(int(common[i]), f"#{int(common[i]):08x}"), float(adds[i])) for i in top.tolist()]
