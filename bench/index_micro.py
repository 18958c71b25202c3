"""The LSH index alone: storywire's BandedIndex against datasketch's MinHashLSH, same signatures.

Each (index, threshold) runs in its own child process so its memory is measured alone: RSS
added per inserted article, mean insert time, mean query time.

Run: ``python -m bench.index_micro [--n 100000]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

THRESHOLDS = (0.3, 0.02)  # the duplicate index and the story index (their defaults)


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) * 1024


def measure(kind: str, threshold: float, n: int) -> str:
    """One measurement, in this process."""
    from datasketch import LeanMinHash, MinHashLSH

    from app.fingerprint import Signer
    from app.index import BandedIndex

    rng = np.random.default_rng(0)
    signer = Signer(128, 1)
    base = [signer.sign(np.unique(rng.integers(0, 2**32, 300, dtype=np.uint64).astype(np.uint32))) for _ in range(2000)]
    before = _rss()
    ours = BandedIndex(128, threshold) if kind == "storywire" else None
    theirs = MinHashLSH(threshold=threshold, num_perm=128) if ours is None else None
    started = time.perf_counter()
    for i in range(n):
        sig = base[i % len(base)].copy()
        sig[i % 128] ^= np.uint32(i + 1)  # every article distinct, many sharing bands
        if ours is not None:
            ours.insert(i, sig)
        elif theirs is not None:
            theirs.insert(i, LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"))
    insert_us = (time.perf_counter() - started) / n * 1e6
    queries = base[:1000]
    started = time.perf_counter()
    for sig in queries:
        if ours is not None:
            ours.query(sig)
        elif theirs is not None:
            theirs.query(LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"))
    query_ms = (time.perf_counter() - started) / len(queries) * 1e3
    per_article = (_rss() - before) / n
    figures = f"{per_article:>8,.0f} B/article {insert_us:>7.1f} us/insert {query_ms:>6.2f} ms/query"
    if ours is not None:
        figures += f" (arrays alone {ours.nbytes() / n:,.0f} B/article)"
    return f"{kind:<11} t={threshold:<5} {figures}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.index_micro", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles inserted")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "THRESHOLD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(measure(args.one[0], float(args.one[1]), args.n))
        return
    for threshold in THRESHOLDS:
        for kind in ("storywire BandedIndex", "datasketch MinHashLSH"):
            name = "storywire" if kind.startswith("storywire") else "datasketch"
            cmd = [sys.executable, "-m", "bench.index_micro", "--n", str(args.n), "--one", name, str(threshold)]
            print(subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=1800).stdout.strip())


if __name__ == "__main__":
    main()
