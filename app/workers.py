"""Preparing a batch's articles in worker processes, so a second core does the text work.

The text pipeline is pure and CPU-bound, and one Python process runs it on one core at a time.
Each worker builds its own configuration once (stoplists, permutations, language model) and
then prepares articles sent to it with their source's template; errors come back as values.
The engine keeps every decision in the main process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from app.errors import StorywireError
from app.fingerprint import Signer
from app.ingest import ArticleIn, Prepared, prepare_or_error
from app.stories import StoryConfig
from app.text.language import detect_language
from app.text.pipeline import TextConfig

_worker: tuple[TextConfig, Signer, StoryConfig] | None = None
PARENT_CHECK_SECONDS = 1.0


def _start(shingle_size: int, num_perm: int, seed: int, server: int) -> None:
    global _worker
    _worker = (TextConfig.default(shingle_size), Signer(num_perm, seed), StoryConfig())
    detect_language("Load the language model once per worker.")
    threading.Thread(target=_exit_without, args=(server,), name="exit-without-server", daemon=True).start()


def _exit_without(server: int) -> None:
    """Exit once the server process is gone. A server killed outright (kill -9, the OOM killer)
    cannot shut its pool down, and a worker waiting for work would wait forever: it holds the
    task queue's write end itself, so the queue never reports the server's end closed. Each
    crash would leave a worker (~300 MB) behind."""
    while os.getppid() == server:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _prepare(job: tuple[ArticleIn, frozenset[int]]) -> Prepared | StorywireError:
    assert _worker is not None, "the pool's initializer sets the configuration"
    text, signer, story = _worker
    return prepare_or_error(job[0], text, signer, job[1], story)


def start_pool(workers: int, shingle_size: int, num_perm: int, seed: int) -> Executor:
    """A pool of ``workers`` processes, started fresh (not forked from a threaded server)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(shingle_size, num_perm, seed, os.getpid()),
    )


def prepare_all(pool: Executor, jobs: Sequence[tuple[ArticleIn, frozenset[int]]]) -> list[Prepared | StorywireError]:
    """Prepare articles in the pool, in order."""
    chunk = max(1, len(jobs) // 16)
    return list(pool.map(_prepare, jobs, chunksize=chunk))
