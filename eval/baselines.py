"""Reference methods run on the same articles as the service, for comparison only.

Near-duplicates: raw-text (no chrome removal) word-5-gram MinHash LSH at Jaccard 0.5.
Stories: three single-pass online clusterers over the replay order - TF-IDF cosine to the
cluster centroid, word-5-gram MinHash and unigram Jaccard to the nearest earlier member -
each at the threshold that is best in hindsight (and at the one chosen on the tune part).
All numpy/datasketch; the pairwise matrices are small (a few hundred articles).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

from eval import textproc

TFIDF_THRESHOLDS = tuple(round(0.05 + 0.025 * i, 3) for i in range(23))
"""0.05..0.6 in steps of 0.025."""
MINHASH_THRESHOLDS = (0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6)
JACCARD_THRESHOLDS = TFIDF_THRESHOLDS


def lsh_duplicates(
    docs: Sequence[tuple[str, str]], threshold: float = 0.5, num_perm: int = 128, n: int = 5
) -> dict[str, str | None]:
    """Online near-duplicate links: each doc points to its most similar earlier LSH candidate.

    A candidate counts only if its estimated Jaccard is >= ``threshold`` (LSH alone also
    returns some below it). Text is only normalised (NFKC, case, diacritics): no chrome removal.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    signatures: dict[str, MinHash] = {}
    links: dict[str, str | None] = {}
    for doc_id, text in docs:
        sig = textproc.minhash(textproc.shingles(textproc.tokens(text), n), num_perm=num_perm)
        scored = [(sig.jaccard(signatures[c]), c) for c in lsh.query(sig)]
        best = max(scored, default=(0.0, None))
        links[doc_id] = best[1] if best[1] is not None and best[0] >= threshold else None
        lsh.insert(doc_id, sig)
        signatures[doc_id] = sig
    return links


def tfidf_matrix(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised sublinear TF-IDF rows (smoothed IDF over the replayed set)."""
    token_lists = [textproc.tokens(t) for t in texts]
    df = Counter(tok for toks in token_lists for tok in set(toks))
    vocab = {tok: i for i, tok in enumerate(sorted(df))}
    n = len(texts)
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in sorted(df)], dtype=np.float64)
    matrix = np.zeros((n, len(vocab)), dtype=np.float64)
    for row, toks in enumerate(token_lists):
        for tok, count in Counter(toks).items():
            matrix[row, vocab[tok]] = 1 + math.log(count)
    matrix *= idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def single_pass_centroid(gram: np.ndarray, threshold: float) -> list[int]:
    """Online clustering: join the cluster whose centroid has the highest cosine, if >= threshold.

    Works on the Gram matrix of unit rows: cos(x, sum of members) = sum(G[x, members]) / |sum|,
    and |sum|^2 grows by 2*sum(G[x, members]) + G[x, x] when x joins.
    """
    n = gram.shape[0]
    membership = np.zeros((n, n))
    norms_sq = np.zeros(n)
    labels: list[int] = []
    clusters = 0
    for i in range(n):
        dots = membership[:clusters] @ gram[i]
        scores = dots / np.sqrt(np.maximum(norms_sq[:clusters], 1e-12))
        best = int(np.argmax(scores)) if clusters else -1
        if best < 0 or scores[best] < threshold:
            best, clusters = clusters, clusters + 1
        norms_sq[best] += 2 * (dots[best] if best < len(dots) else 0.0) + gram[i, i]
        membership[best, i] = 1.0
        labels.append(best)
    return labels


def single_pass_nearest(sim: np.ndarray, threshold: float) -> list[int]:
    """Online clustering: join the cluster of the most similar earlier doc, if >= threshold."""
    labels: list[int] = []
    for i in range(sim.shape[0]):
        if i and sim[i, :i].max() >= threshold:
            labels.append(labels[int(np.argmax(sim[i, :i]))])
        else:
            labels.append(max(labels, default=-1) + 1)
    return labels


def minhash_similarity(texts: Sequence[str], n: int = 5, num_perm: int = 128) -> np.ndarray:
    """Pairwise estimated Jaccard of word-n-gram MinHash signatures."""
    sigs = np.array(
        [textproc.minhash(textproc.shingles(textproc.tokens(t), n), num_perm=num_perm).hashvalues for t in texts]
    )
    sim = np.zeros((len(texts), len(texts)))
    for i in range(len(texts)):
        sim[i] = (sigs == sigs[i]).mean(axis=1)
    return sim


def jaccard_similarity(texts: Sequence[str]) -> np.ndarray:
    """Pairwise exact Jaccard of unigram sets."""
    sets = [set(textproc.tokens(t)) for t in texts]
    sim = np.zeros((len(sets), len(sets)))
    for i, a in enumerate(sets):
        for j in range(i + 1):
            sim[i, j] = sim[j, i] = textproc.jaccard(a, sets[j])
    return sim


def story_runs(texts: Sequence[str]) -> dict[str, dict[float, list[int]]]:
    """Labels of every story baseline at every swept threshold, keyed by method name."""
    tfidf = tfidf_matrix(texts)
    gram = tfidf @ tfidf.T
    minhash = minhash_similarity(texts)
    jaccard = jaccard_similarity(texts)
    return {
        "tfidf_centroid": {t: single_pass_centroid(gram, t) for t in TFIDF_THRESHOLDS},
        "minhash5_nearest": {t: single_pass_nearest(minhash, t) for t in MINHASH_THRESHOLDS},
        "jaccard1_nearest": {t: single_pass_nearest(jaccard, t) for t in JACCARD_THRESHOLDS},
    }
