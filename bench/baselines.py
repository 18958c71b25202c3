"""Baselines measured on the same stream articles as the service: how fast could ingest be?

- ``bare_fingerprint``: the project's own clean → shingle → sign, in this process, one core.
- ``service_prepare``: everything the service computes per article before the engine decides
  (``app.ingest.prepare``: clean, exact key, shingles, two signatures), in process, one core.
- ``naive_datasketch``: see :mod:`bench.naive` (a child process, for its RSS).
- ``datasketch_update``: ``MinHash.update()`` once per shingle, on a small sample.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from datasketch import MinHash

from app.errors import StorywireError
from app.fingerprint import Signer
from app.ingest import prepare
from app.text.pipeline import TextConfig, clean_text, shingles
from bench.naive import NUM_PERM, word_shingles
from bench.paths import REPO_ROOT
from bench.profile import to_input
from bench.stats import rate
from bench.stream import ArticleStream, Post

NAIVE_TIMEOUT = 3600.0


WARMUP = 20


def timed_rate(items: Sequence[Any], work: Callable[[Any], object]) -> dict[str, float | int]:
    """Articles/s of ``work`` over ``items``, one after another, after an untimed warm-up on the
    first few (models and stoplists load lazily on first use)."""
    for item in items[:WARMUP]:
        work(item)
    started = time.perf_counter()
    for item in items:
        work(item)
    seconds = time.perf_counter() - started
    return {"articles": len(items), "seconds": round(seconds, 3), "articles_per_s": rate(len(items), seconds)}


def bare_fingerprint(posts: Sequence[Post], cfg: TextConfig, signer: Signer) -> dict[str, float | int]:
    """``clean_text`` (language detected, as the service does for posts without one) →
    ``shingles`` → ``Signer.sign``."""
    return timed_rate([p["text"] for p in posts], lambda text: signer.sign(shingles(clean_text(text, None, cfg), cfg)))


def _prepare(post: Post, cfg: TextConfig, signer: Signer) -> None:
    with contextlib.suppress(StorywireError):  # an article left empty by chrome removal costs all the same
        prepare(to_input(post), cfg, signer)


def service_prepare(posts: Sequence[Post], cfg: TextConfig, signer: Signer) -> dict[str, float | int]:
    """The service's whole per-article computation before any decision, in process."""
    return timed_rate(posts, lambda post: _prepare(post, cfg, signer))


def _update_each(text: str) -> None:
    m = MinHash(num_perm=NUM_PERM)
    for shingle in word_shingles(text):
        m.update(shingle)


def datasketch_update(posts: Sequence[Post]) -> dict[str, float | int]:
    """Naive shingles hashed with ``MinHash.update()`` one at a time."""
    return timed_rate([p["text"] for p in posts], _update_each)


def naive_datasketch(n: int, seed: int, timeout: float = NAIVE_TIMEOUT) -> dict[str, Any]:
    """Run :mod:`bench.naive` in a child process on the first ``n`` stream articles."""
    command = [sys.executable, "-m", "bench.naive", "--n", str(n), "--seed", str(seed)]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def sample(stream: ArticleStream, n: int) -> list[Post]:
    """The first ``n`` stream articles: the ones the service ingests first."""
    return list(stream.iter(0, n))
