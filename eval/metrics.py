"""Clustering/grouping metrics over labelled items, all from one contingency table.

A labelling is a mapping item -> label. Pair precision/recall/F1 count item pairs that share
a predicted label vs a gold label (the duplicate-group score); B-cubed averages per item
(the story-cluster score); ARI is the chance-corrected Rand index. Only items present in
both labellings are scored, so a failed ingest must be given a singleton label by the caller.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PRF:
    """Precision, recall and their harmonic mean."""

    precision: float
    recall: float
    f1: float


def f1(precision: float, recall: float) -> float:
    """Harmonic mean; 0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def contingency(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> np.ndarray:
    """Counts n[i, j] of items with predicted label i and gold label j (shared items only)."""
    items = sorted(set(pred) & set(gold))
    pred_ids = _dense([pred[k] for k in items])
    gold_ids = _dense([gold[k] for k in items])
    table = np.zeros((max(pred_ids, default=-1) + 1, max(gold_ids, default=-1) + 1), dtype=np.int64)
    np.add.at(table, (np.asarray(pred_ids, dtype=np.int64), np.asarray(gold_ids, dtype=np.int64)), 1)
    return table


def _dense(labels: Sequence[Hashable]) -> list[int]:
    """Map arbitrary hashable labels to 0..k-1 in order of first appearance."""
    index: dict[Hashable, int] = {}
    return [index.setdefault(label, len(index)) for label in labels]


def _comb2(counts: np.ndarray) -> int:
    """Sum of n*(n-1)/2 over an array of counts: the number of within-group pairs."""
    c = counts.astype(np.int64)
    return int((c * (c - 1) // 2).sum())


def pair_counts(table: np.ndarray) -> tuple[int, int, int]:
    """(pairs together in both, pairs together in prediction, pairs together in gold)."""
    return _comb2(table), _comb2(table.sum(axis=1)), _comb2(table.sum(axis=0))


def pair_prf(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PRF:
    """Pair precision/recall/F1; an empty predicted (gold) pair set gives precision (recall) 1."""
    both, predicted, actual = pair_counts(contingency(pred, gold))
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    return PRF(precision, recall, f1(precision, recall))


def bcubed(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PRF:
    """Item-averaged B-cubed precision/recall/F1 (Bagga & Baldwin)."""
    table = contingency(pred, gold).astype(np.float64)
    n = table.sum()
    if n == 0:
        return PRF(1.0, 1.0, 1.0)
    squares = table**2
    precision = float((squares.sum(axis=1) / np.maximum(table.sum(axis=1), 1)).sum() / n)
    recall = float((squares.sum(axis=0) / np.maximum(table.sum(axis=0), 1)).sum() / n)
    return PRF(precision, recall, f1(precision, recall))


def ari(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> float:
    """Adjusted Rand index (Hubert & Arabie); 1.0 when both labellings are trivial alike."""
    table = contingency(pred, gold)
    n = int(table.sum())
    both, rows, cols = pair_counts(table)
    total = n * (n - 1) // 2
    if total == 0:
        return 1.0
    expected = rows * cols / total
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return float((both - expected) / (maximum - expected))


def groups_from_links(items: Iterable[str], links: Mapping[str, str | None]) -> dict[str, str]:
    """Label each item with the root of its ``duplicate_of`` chain (union-find).

    Links may point outside ``items`` (e.g. to an article posted by someone else); such a
    target still joins the items that point to it.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for item, target in links.items():
        if target:
            parent[find(item)] = find(target)
    return {item: find(item) for item in items}


def pair_disagreement(a: Mapping[str, Hashable], b: Mapping[str, Hashable]) -> tuple[int, int]:
    """(pairs grouped by exactly one of a and b, pairs grouped by at least one of them)."""
    both, in_a, in_b = pair_counts(contingency(a, b))
    return in_a + in_b - 2 * both, in_a + in_b - both


def count_pairs(labels: Mapping[str, Hashable]) -> int:
    """Number of item pairs that share a label."""
    return pair_counts(contingency(labels, {k: 0 for k in labels}))[1]
