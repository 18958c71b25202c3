"""Verifying near-duplicate candidates alone: ``app.fingerprint.overlaps`` against a
``np.intersect1d`` per pair, on the same arrays, in one run.

The query and the candidates are sets of random shingle hashes of an article's size; half
of the candidates are copies of the query (90% kept, some hashes added), half are other
articles, as a popular story's candidates at a million stored are. For each number of
candidates it prints the median time of both and their ratio.

Run: ``python -m bench.overlap_micro [--shingles 600] [--repeats 50]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from app.fingerprint import overlaps

CANDIDATES = (1, 3, 6, 8, 10, 25, 100, 400)


def random_set(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint32]:
    return np.unique(rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32))


def candidates(rng: np.random.Generator, query: npt.NDArray[np.uint32], n: int) -> list[npt.NDArray[np.uint32]]:
    size = len(query)
    made = []
    for i in range(n):
        base = query if i % 2 == 0 else random_set(rng, size)
        made.append(np.unique(np.concatenate([base[rng.random(len(base)) < 0.9], random_set(rng, size // 10)])))
    return made


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.overlap_micro", description=__doc__)
    parser.add_argument("--shingles", type=int, default=600, help="shingles per article")
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    query = random_set(rng, args.shingles)
    print(f"{'candidates':>10} {'intersect1d ms':>15} {'overlaps ms':>12} {'ratio':>6}")
    for n in CANDIDATES:
        others = candidates(rng, query, n)
        pairwise = [len(np.intersect1d(query, other, assume_unique=True)) for other in others]
        assert [round(o.containment * o.smaller) for o in overlaps(query, others)] == pairwise
        sorted_ms = 1000 * median_seconds(
            lambda others=others: [np.intersect1d(query, o, assume_unique=True) for o in others], args.repeats
        )
        ours_ms = 1000 * median_seconds(lambda others=others: overlaps(query, others), args.repeats)
        print(f"{n:>10} {sorted_ms:>15.3f} {ours_ms:>12.3f} {sorted_ms / ours_ms:>6.2f}")


if __name__ == "__main__":
    main()
