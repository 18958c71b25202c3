"""Where ``POST /v1/similar``'s time goes, in process, step by step, on a store the harness kept.

``python -m bench.similar_profile --data-dir <kept>/data --stored 1000000`` opens the store as
the service does (with the text work in process), builds ``n`` queries as the harness's probe
does (fresh edited copies of stored stream articles), answers them twice and reports the
second pass: latency percentiles of the whole call and of each step, and how many duplicates
each listed. A run of ``python -m bench --keep-data`` leaves such a store (its log names the
folder). HTTP is not in it: the run's ``sim p50/p99`` less these figures is what the server and
the client add. With ``--cold`` the database file is dropped from the page cache once the store
is open and the first pass is reported: every page a query needs beyond what start-up holds in
memory is then read from the disk, the case of a store larger than the page cache.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.engine import Engine
from app.errors import StorywireError
from app.ingest import ArticleIn
from app.main import DB_FILE, open_engine
from app.settings import Settings
from bench.corpus import load_saudinewsnet
from bench.load import similar_queries
from bench.paths import saudinewsnet_dir
from bench.profile import to_input
from bench.stream import ArticleStream

# The steps timed, as (label, owner, method): each is a method ``Engine.similar`` calls once or
# a few times per query; ``verify`` includes ``read shingles``.
STEPS = (
    ("prepare", "engine", "prepare_many"),
    ("index query", "dup_index", "query"),
    ("read shingles", "engine", "_candidate_shingles"),
    ("verify", "engine", "_listed_duplicates"),
    ("find duplicate", "engine", "_find_duplicate"),
    ("story scores", "engine", "_story_scores"),
    ("score clusters", "engine", "_scored"),
)
PERCENTILES = (50, 90, 99, 100)


class StepClock:
    """Seconds spent in each step during the current query: within ``with``, the engine's
    methods are wrapped (as attributes of the instances, removed again on leaving)."""

    def __init__(self, engine: Engine) -> None:
        self.spent: dict[str, float] = {}
        self._owners: dict[str, object] = {"engine": engine, "dup_index": engine.dup_index}

    def __enter__(self) -> StepClock:
        for label, owner, method in STEPS:
            target = self._owners[owner]
            setattr(target, method, self._timed(label, getattr(target, method)))
        return self

    def __exit__(self, *exc: object) -> None:
        for _label, owner, method in STEPS:
            delattr(self._owners[owner], method)

    def _timed(self, label: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - started

        return timed


def queries(stream: ArticleStream, stored: int, n: int, seed: int) -> list[ArticleIn]:
    """The ``n`` queries the harness's similar probe would send, as the API hands them over."""
    return [to_input(post) for post in similar_queries(stream, stored, n, random.Random(seed))]


def measure(
    engine: Engine, inputs: Sequence[ArticleIn], limit: int, warm: bool = True
) -> list[tuple[float, int, dict[str, float]]]:
    """(seconds, duplicates listed, seconds per step) of each query answered: on a second pass
    when ``warm`` (the first warms the caches, as the service's earlier requests would), else on
    the first."""
    rows: list[tuple[float, int, dict[str, float]]] = []
    with StepClock(engine) as clock:
        for measured in (False, True) if warm else (True,):
            for article in inputs:
                clock.spent = {}
                started = time.perf_counter()
                try:
                    result = engine.similar(article, limit)
                except StorywireError:
                    continue  # refused as the API would refuse it (empty text)
                if measured:
                    rows.append((time.perf_counter() - started, len(result.duplicates), clock.spent))
    return rows


def evict_from_page_cache(path: Path) -> None:
    """Ask the kernel to drop a file's cached pages (no privilege needed), so that what reads
    them next waits for the disk, as a service whose store outgrows the page cache does."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def report(rows: Sequence[tuple[float, int, dict[str, float]]]) -> list[str]:
    def line(label: str, seconds: Sequence[float]) -> str:
        ms = np.percentile(np.asarray(seconds) * 1000, PERCENTILES)
        return f"  {label:<16}" + "".join(f"{v:9.2f}" for v in ms) + f"{1000 * float(np.mean(seconds)):9.2f}"

    header = (
        "  step (ms)       " + "".join(f"{'p' + str(p) if p < 100 else 'max':>9}" for p in PERCENTILES) + "     mean"
    )
    lines = [f"{len(rows)} queries answered", header, line("similar", [r[0] for r in rows])]
    lines += [line(label, [r[2].get(label, 0.0) for r in rows]) for label, _owner, _method in STEPS]
    listed = np.percentile([r[1] for r in rows], (50, 99, 100))
    lines.append(f"duplicates listed: p50 {listed[0]:.0f}, p99 {listed[1]:.0f}, max {listed[2]:.0f}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.similar_profile", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="a store's folder (STORYWIRE_DATA_DIR)")
    parser.add_argument("--stored", type=int, required=True, help="how many stream articles the store holds")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--limit", type=int, default=100, help="the query's limit (the API's default: 100)")
    parser.add_argument("--seed", type=int, default=1, help="the stream's seed, as the run that filled the store")
    parser.add_argument("--query-seed", type=int, default=7)
    parser.add_argument("--max-files", type=int, default=None, help="as the run that filled the store")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="drop the database file from the page cache once the store is open, and report the first pass",
    )
    args = parser.parse_args(argv)
    stream = ArticleStream(load_saudinewsnet(saudinewsnet_dir(), args.max_files), args.seed)
    started = time.perf_counter()
    engine = open_engine(Settings(data_dir=args.data_dir, prepare_workers=0))
    print(f"opened {len(engine.dup_index):,} articles in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    inputs = queries(stream, args.stored, args.n, args.query_seed)
    if args.cold:
        evict_from_page_cache(args.data_dir / DB_FILE)
    try:
        rows = measure(engine, inputs, args.limit, warm=not args.cold)
    finally:
        engine.store.close()
    print("\n".join(report(rows)))


if __name__ == "__main__":
    main()
