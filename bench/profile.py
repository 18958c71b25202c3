"""Where ingest time goes, in process: cProfile of the service's two ingest steps.

``python -m bench.profile --prefill 10000 --n 2000`` stores ``prefill`` stream articles (not
profiled), then profiles the next ``n`` the way ``POST /v1/articles/batch`` handles them:
``Engine.prepare`` per article, then ``Engine.ingest_prepared`` per batch. It prints the
split between the two and the top functions by own time and by cumulative time, as a
percentage of the profiled time. HTTP, JSON and pydantic are not in it (use py-spy on the
running service for those; see bench/README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from app.engine import Engine
from app.errors import StorywireError
from app.ingest import ArticleIn, Prepared
from app.main import open_engine
from app.settings import Settings
from bench.corpus import load_saudinewsnet
from bench.paths import saudinewsnet_dir
from bench.stream import ArticleStream, Post

BATCH = 500


def to_input(post: Post) -> ArticleIn:
    """A stream article as the API layer hands it to the engine (with its publication time:
    without one the service takes the time of receipt, and the story index would forget the
    whole stream, which is dated years back)."""
    return ArticleIn(
        text=post["text"],
        id=post["id"],
        source=post["source"],
        title=post.get("title"),
        url=post.get("url"),
        published_at=datetime.fromisoformat(post["published_at"]),
    )


def prepare_all(engine: Engine, posts: Sequence[Post]) -> list[Prepared | StorywireError]:
    prepared: list[Prepared | StorywireError] = []
    for post in posts:
        try:
            prepared.append(engine.prepare(to_input(post)))
        except StorywireError as exc:
            prepared.append(exc)
    return prepared


def ingest_range(engine: Engine, stream: ArticleStream, start: int, stop: int) -> tuple[float, float]:
    """Ingest stream articles start..stop-1 in batches; seconds spent preparing and deciding."""
    prepare_s = ingest_s = 0.0
    for batch in stream.batches(start, stop, BATCH):
        t0 = time.perf_counter()
        prepared = prepare_all(engine, batch)
        t1 = time.perf_counter()
        engine.ingest_prepared(prepared)
        prepare_s += t1 - t0
        ingest_s += time.perf_counter() - t1
    return prepare_s, ingest_s


def top_lines(stats: pstats.Stats, key: str, top: int) -> list[str]:
    """The ``top`` functions by ``key`` (tottime or cumtime) with their share of the total."""
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in raw.values())
    index = 2 if key == "tottime" else 3
    rows = sorted(raw.items(), key=lambda kv: kv[1][index], reverse=True)[:top]
    lines = [f"top {top} by {key} (% of {total:.2f} s profiled):"]
    for (file, line, name), values in rows:
        where = f"{Path(file).name}:{line}" if line else file
        lines.append(
            f"  {100 * values[index] / total:5.1f}%  {values[index]:7.2f} s  {values[1]:>9,} calls  {name}  ({where})"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--prefill", type=int, default=10_000)
    parser.add_argument("--n", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    stream = ArticleStream(load_saudinewsnet(saudinewsnet_dir()), args.seed)
    with tempfile.TemporaryDirectory(prefix="storywire-profile-") as folder:
        engine = open_engine(Settings(data_dir=Path(folder)))
        print(f"prefill: {args.prefill:,} articles", file=sys.stderr, flush=True)
        ingest_range(engine, stream, 0, args.prefill)
        profiler = cProfile.Profile()
        profiler.enable()
        prepare_s, ingest_s = ingest_range(engine, stream, args.prefill, args.prefill + args.n)
        profiler.disable()
        engine.store.close()
    total = prepare_s + ingest_s
    print(f"{args.n:,} articles after {args.prefill:,} stored: {args.n / total:,.1f} articles/s under the profiler")
    print(f"  prepare (clean, shingle, sign): {prepare_s:.2f} s = {100 * prepare_s / total:.1f}%")
    print(f"  ingest_prepared (decide, store): {ingest_s:.2f} s = {100 * ingest_s / total:.1f}%")
    stats = pstats.Stats(profiler)
    print("\n".join(["", *top_lines(stats, "tottime", args.top), "", *top_lines(stats, "cumtime", args.top)]))


if __name__ == "__main__":
    main()
