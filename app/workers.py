"""Preparing a batch's articles in worker processes, so a second core does the text work.

The text pipeline is pure and CPU-bound, and one Python process runs it on one core at a time.
Each worker builds its own configuration once (stoplists, permutations, language model) and
then prepares articles sent to it with their source's template; errors come back as values.
The engine keeps every decision in the main process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice

from app.errors import StorywireError, Unprocessable
from app.fingerprint import Signer
from app.ingest import ArticleIn, Prepared, prepare_or_error
from app.memory import freeze_startup_objects
from app.stories import StoryConfig
from app.text.language import detect_language
from app.text.pipeline import TextConfig

_log = logging.getLogger("storywire")
_worker: tuple[TextConfig, Signer, StoryConfig] | None = None
PARENT_CHECK_SECONDS = 1.0
# Prepared after a page killed a worker alone: if this kills the next one too, workers are
# dying whatever they prepare, and the page is not to blame.
KNOWN_GOOD = ArticleIn(
    id="known-good", text="A short known-good text, prepared to tell a bad page from a failing worker."
)


def _start(shingle_size: int, num_perm: int, seed: int, server: int) -> None:
    global _worker
    _worker = (TextConfig.default(shingle_size), Signer(num_perm, seed), StoryConfig())
    detect_language("Load the language model once per worker.")
    freeze_startup_objects()
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


def _prepare_chunk(jobs: Sequence[tuple[ArticleIn, frozenset[int]]]) -> list[Prepared | StorywireError]:
    return [_prepare(job) for job in jobs]


# A call's articles go to the pool in chunks of at most this many, and at most one chunk more
# than there are workers is queued there at a time: enough to keep every worker busy while the
# next is submitted. The pool serves its queue in order, so a job another request submits
# meanwhile (a single HTML page) waits behind those few chunks, not behind a whole batch: with
# all of a batch's chunks queued at once, a page posted beside a text crawler's batches of 100
# waited p50 236 / p99 611 ms, and now 68 / 351 (one worker; README, "An HTML page beside a
# text crawler"). A small batch is still cut into about 16 chunks, so that the workers share it.
MAX_CHUNK = 16


def prepare_all(
    pool: Executor, workers: int, jobs: Sequence[tuple[ArticleIn, frozenset[int]]]
) -> list[Prepared | StorywireError]:
    """Prepare articles in the pool of ``workers`` processes, in order."""
    size = min(MAX_CHUNK, max(1, len(jobs) // 16))
    chunks = (jobs[start : start + size] for start in range(0, len(jobs), size))
    queued = deque(pool.submit(_prepare_chunk, chunk) for chunk in islice(chunks, workers + 1))
    prepared: list[Prepared | StorywireError] = []
    while queued:
        prepared.extend(queued.popleft().result())
        following = next(chunks, None)
        if following is not None:
            queued.append(pool.submit(_prepare_chunk, following))
    return prepared


class Turnstile:
    """Lets callers through one at a time, in the order they arrived."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._issued = 0
        self._serving = 0
        self._abandoned: set[int] = set()  # tickets whose holders stopped waiting

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._changed:
            ticket = self._issued
            self._issued += 1
            try:
                self._changed.wait_for(lambda: self._serving == ticket)
            except BaseException:  # interrupted while waiting: the turn must not stay taken
                if self._serving == ticket:
                    self._pass_on()
                else:
                    self._abandoned.add(ticket)
                raise
        try:
            yield
        finally:
            with self._changed:
                self._pass_on()

    def _pass_on(self) -> None:
        """End the current turn (the condition's lock held): the next waiting ticket's."""
        self._serving += 1
        while self._serving in self._abandoned:
            self._abandoned.remove(self._serving)
            self._serving += 1
        self._changed.notify_all()


class WorkerPool:
    """The worker processes, started again when one dies.

    A worker killed outright (the OOM killer, kill -9, a crash in a C library) breaks a
    ``ProcessPoolExecutor`` for good: every later submit raises ``BrokenProcessPool``, so
    every post holding HTML and every large batch answered 500 until the server restarted,
    while /readyz still said ready. The request that meets the broken pool starts a fresh
    one and is prepared there; the requests after it use the fresh pool. If its articles
    break the fresh pool too, one of them may be what kills a worker (a page that crashes a
    C library, or takes all the memory): each is then prepared alone in a worker of its own,
    and one that kills that worker as well is refused (422), so a page that crashes the
    pipeline fails alone instead of failing its batch with a 500 every time it is posted.

    Batches of more than ``MAX_CHUNK`` articles take turns, in the order they came: one
    batch's chunks fill the pool's queue until it is prepared, then the next one's.
    Interleaved, two crawlers' batches were both prepared late, then decided one after the
    other in the server while the workers waited for the next batches to arrive. In turns, the
    workers prepare the next batch while the server decides the one before (README, "Batches
    take turns in the worker pool"). Smaller posts (a page, a few articles) skip the turnstile
    and wait behind at most workers + 1 chunks.
    """

    def __init__(self, workers: int, shingle_size: int, num_perm: int, seed: int) -> None:
        self.workers = workers
        self._config = (shingle_size, num_perm, seed)
        self._lock = threading.Lock()
        self._batches = Turnstile()
        self._apart = threading.Lock()
        self._executor = start_pool(workers, *self._config)

    def prepare(self, jobs: Sequence[tuple[ArticleIn, frozenset[int]]]) -> list[Prepared | StorywireError]:
        """:func:`prepare_all` in the pool (a batch in its turn); in a fresh pool if this one has
        lost a worker; each article apart if the fresh one is lost too."""
        if len(jobs) <= MAX_CHUNK:
            prepared = self._pooled(jobs)
        else:
            with self._batches.turn():
                prepared = self._pooled(jobs)
        return prepared if prepared is not None else self._prepare_apart(jobs)

    def _pooled(self, jobs: Sequence[tuple[ArticleIn, frozenset[int]]]) -> list[Prepared | StorywireError] | None:
        """The jobs prepared in the shared pool, started again once if a worker dies; None if
        the fresh pool loses a worker too."""
        executor = self._executor
        try:
            return prepare_all(executor, self.workers, jobs)
        except BrokenProcessPool:
            executor = self._replace(executor)
        try:
            return prepare_all(executor, self.workers, jobs)
        except BrokenProcessPool:
            self._replace(executor)
            return None

    def _prepare_apart(self, jobs: Sequence[tuple[ArticleIn, frozenset[int]]]) -> list[Prepared | StorywireError]:
        """Each job alone, in a worker of its own (one request at a time: at most one process
        more than the pool), so that what kills that worker is the job it was preparing, not
        another request's page. A job that kills it is refused, unless a known-good page kills
        the next worker too: then the fault is not the page's (the machine out of memory,
        workers that cannot start), and BrokenProcessPool goes up as before (a 500)."""
        with self._apart:
            prepared: list[Prepared | StorywireError] = []
            apart = start_pool(1, *self._config)
            try:
                for job in jobs:
                    try:
                        prepared.extend(prepare_all(apart, 1, [job]))
                        continue
                    except BrokenProcessPool:
                        apart.shutdown(wait=False, cancel_futures=True)
                        apart = start_pool(1, *self._config)
                    prepare_all(apart, 1, [(KNOWN_GOOD, frozenset())])  # raises if workers die regardless
                    _log.warning("refused article %r: preparing it alone killed the worker", job[0].id)
                    message = "preparing this page killed the worker process, in its batch and alone"
                    prepared.append(Unprocessable(message, job[0].content_field))
            finally:
                apart.shutdown(wait=False, cancel_futures=True)
            return prepared

    def _replace(self, broken: Executor) -> Executor:
        with self._lock:
            if self._executor is broken:  # not already replaced by a request that met it first
                _log.warning("a prepare worker died: starting the pool again")
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = start_pool(self.workers, *self._config)
            return self._executor

    def shutdown(self) -> None:
        self._executor.shutdown(cancel_futures=True)
