"""A batch prepared in worker processes is answered exactly as one prepared in process."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from app import workers
from app.engine import POOL_MIN_BATCH, worth_shipping
from app.errors import StorywireError
from app.fingerprint import Signer
from app.ingest import ArticleIn, Prepared
from app.main import create_app
from app.settings import Settings
from app.stories import StoryConfig
from app.text.pipeline import TextConfig
from tests.conftest import SEEDS


def batch() -> list[dict[str, object]]:
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    articles: list[dict[str, object]] = []
    for i in range(POOL_MIN_BATCH + 8):
        text = (
            seeds[i % 5]
            if i % 3
            else seeds[i % 5] + f"\n\nتحديث {i}: وصل الوفد إلى موسكو صباح اليوم لمتابعة المحادثات."
        )
        articles.append({"id": f"a{i}", "text": text, "source": f"site{i % 4}"})
    articles.insert(7, {"id": "bad id", "text": "x"})
    articles.insert(9, {"id": "empty", "text": "Home\nNews"})
    return articles


def answers(tmp_path: Path, workers: int) -> list[dict[str, object]]:
    settings = Settings(data_dir=tmp_path / f"w{workers}", prepare_workers=workers, sqlite_synchronous="OFF")
    with TestClient(create_app(settings)) as client:
        results: list[dict[str, object]] = client.post("/v1/articles/batch", json={"articles": batch()}).json()[
            "results"
        ]
        return results


def test_pool_and_in_process_answers_agree(tmp_path: Path) -> None:
    in_process, pooled = answers(tmp_path, 0), answers(tmp_path, 1)
    assert pooled == in_process
    assert in_process[7]["ok"] is False and in_process[9]["error"]["code"] == "empty_text"  # type: ignore[index]
    assert sum(r["status"] == "duplicate" for r in in_process) > 10


def page(text: str) -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    nav = "<nav><a href='/'>Home</a></nav>"
    return f"<html><head><title>t</title></head><body>{nav}<article>{paragraphs}</article></body></html>"


def html_answers(tmp_path: Path, workers: int) -> list[object]:
    """Answers to HTML posts, each of which the pool prepares when there is one: a single post,
    a batch of three with a bad page, a near-duplicate looked up without storing it."""
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    settings = Settings(data_dir=tmp_path / f"h{workers}", prepare_workers=workers, sqlite_synchronous="OFF")
    with TestClient(create_app(settings)) as client:
        single = client.post("/v1/articles", json={"id": "h0", "html": page(seeds[0]), "source": "a.example"})
        items = [
            {"id": "h1", "html": page(seeds[1]), "source": "b.example"},
            {"id": "h2", "html": "<html><body><script>track()</script></body></html>", "source": "b.example"},
            {"id": "h3", "html": page(seeds[0] + "\nتحديث: وصل الوفد."), "source": "c.example"},
        ]
        batch = client.post("/v1/articles/batch", json={"articles": items})
        similar = client.post("/v1/similar", json={"html": page(seeds[1])})
        return [r.status_code for r in (single, batch, similar)] + [single.json(), batch.json(), similar.json()]


def test_html_posts_are_answered_alike_by_the_pool_and_in_process(tmp_path: Path) -> None:
    in_process, pooled = html_answers(tmp_path, 0), html_answers(tmp_path, 1)
    assert pooled == in_process
    assert in_process[:3] == [201, 200, 200]
    results = in_process[4]["results"]  # type: ignore[index]
    assert results[1]["error"]["code"] == "empty_text" and results[2]["duplicate_of"] == "h0"
    assert in_process[5]["duplicates"][0]["id"] == "h1"  # type: ignore[index]


def test_a_worker_killed_outright_is_replaced_and_the_post_still_answered(tmp_path: Path) -> None:
    """The OOM killer or a crash in C code kills a worker: posts that need the pool still work."""
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    settings = Settings(data_dir=tmp_path / "killed", prepare_workers=1, sqlite_synchronous="OFF")
    with TestClient(create_app(settings)) as client:
        first = client.post("/v1/articles", json={"id": "k0", "html": page(seeds[0]), "source": "a.example"})
        assert first.status_code == 201
        killed = [child.pid for child in multiprocessing.active_children()]
        assert killed, "the pool's worker is a child process"
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        for child in multiprocessing.active_children():
            child.join(timeout=10)
        again = client.post("/v1/articles", json={"id": "k1", "html": page(seeds[1]), "source": "b.example"})
        assert again.status_code == 201, again.text
        texts = [{"id": f"t{i}", "text": seeds[i % 5], "source": f"s{i}"} for i in range(POOL_MIN_BATCH)]
        batch = client.post("/v1/articles/batch", json={"articles": texts})
        assert batch.status_code == 200 and all(item["ok"] for item in batch.json()["results"])
        assert not set(killed) & {child.pid for child in multiprocessing.active_children()}


def test_html_is_worth_shipping_to_the_pool_posted_text_only_in_bulk() -> None:
    text, html = ArticleIn(text="words"), ArticleIn(html="<p>words</p>")
    assert worth_shipping([html])
    assert worth_shipping([*[text] * 5, html])
    assert not worth_shipping([text] * (POOL_MIN_BATCH - 1))
    assert worth_shipping([text] * POOL_MIN_BATCH)


class _CountingPool(Executor):
    """Runs each job when submitted; counts the chunks submitted and not yet collected."""

    def __init__(self) -> None:
        self.queued = 0
        self.most_queued = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.queued += 1
        self.most_queued = max(self.most_queued, self.queued)
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        collect = future.result

        def result(timeout: float | None = None) -> Any:
            self.queued -= 1
            return collect(timeout)

        future.result = result  # type: ignore[method-assign]
        return future


def test_a_batch_keeps_only_a_few_chunks_queued_in_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool serves its queue in order: a page another request posts beside a big batch waits
    behind one chunk more than there are workers, not behind the whole batch."""
    monkeypatch.setattr(workers, "_worker", (TextConfig.default(), Signer(128, 1), StoryConfig()))
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    jobs = [(ArticleIn(id=f"a{i}", text=f"{texts[i % 5]}\n\nتحديث {i}"), frozenset[int]()) for i in range(300)]
    for count in (1, 2):
        pool = _CountingPool()
        prepared = workers.prepare_all(pool, count, jobs)
        assert pool.most_queued == count + 1
        assert [p.id for p in prepared if isinstance(p, Prepared)] == [f"a{i}" for i in range(300)]


class _OrderedPool(Executor):
    """One thread serving submitted chunks in order, as a pool of one worker does; logs the
    id of each chunk's first article as it runs."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1)
        self.ran: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def run() -> Any:
            self.ran.append(args[0][0][0].id)
            time.sleep(0.002)  # long enough for the other caller to queue its chunks meanwhile
            return fn(*args, **kwargs)

        return self._thread.submit(run)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._thread.shutdown(wait, cancel_futures=cancel_futures)


def test_batches_take_turns_in_the_pool_and_a_single_page_does_not_wait_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two crawlers' batches, interleaved chunk by chunk, would both be prepared late; in turns,
    the first is ready to be decided while the second is prepared. A single post still waits
    behind a few chunks only."""
    monkeypatch.setattr(workers, "_worker", (TextConfig.default(), Signer(128, 1), StoryConfig()))
    ordered = _OrderedPool()
    monkeypatch.setattr(workers, "start_pool", lambda *_args: ordered)
    pool = workers.WorkerPool(1, 5, 128, 1)
    text = SEEDS[0].read_text(encoding="utf-8")

    def jobs(prefix: str, count: int) -> list[tuple[ArticleIn, frozenset[int]]]:
        return [(ArticleIn(id=f"{prefix}{i}", text=f"{text}\n\n{prefix} {i}"), frozenset[int]()) for i in range(count)]

    batches = [jobs("a", 160), jobs("b", 160)]
    with ThreadPoolExecutor(max_workers=3) as callers:
        first = callers.submit(pool.prepare, batches[0])
        while not ordered.ran:  # the first batch has come (and taken its turn) before the second
            time.sleep(0.001)
        second = callers.submit(pool.prepare, batches[1])
        while len(ordered.ran) < 3:
            time.sleep(0.001)
        single = callers.submit(pool.prepare, jobs("page", 1))
        answers = [first.result(), second.result()]
        single.result()
    pool.shutdown()
    assert [[p.id for p in a if isinstance(p, Prepared)] for a in answers] == [[j.id for j, _ in b] for b in batches]
    owners = [c[0] for c in ordered.ran if not c.startswith("page")]
    assert owners == sorted(owners)  # the first batch's every chunk, then the second's
    assert ordered.ran.index("page0") < len(ordered.ran) // 2  # not behind both batches


def test_a_caller_interrupted_while_waiting_for_its_turn_does_not_hold_up_the_next() -> None:
    turnstile = workers.Turnstile()
    interrupted = threading.Event()

    def wait_for(_predicate: Callable[[], bool], timeout: float | None = None) -> bool:
        raise KeyboardInterrupt  # as a signal would, while the caller waits

    def interrupted_caller() -> None:
        try:
            with turnstile.turn():
                pytest.fail("an interrupted caller never gets its turn")
        except KeyboardInterrupt:
            interrupted.set()

    with turnstile.turn():
        turnstile._changed.wait_for = wait_for  # type: ignore[method-assign,assignment]
        caller = threading.Thread(target=interrupted_caller)
        caller.start()
        caller.join()
        del turnstile._changed.wait_for  # back to Condition.wait_for
    assert interrupted.is_set()
    later = threading.Thread(target=lambda: turnstile.turn().__enter__(), daemon=True)
    later.start()
    later.join(timeout=5)
    assert not later.is_alive(), "the turn after the abandoned one was never given"


class _DyingPool(Executor):
    """Prepares chunks in process, as a worker would; a chunk holding the article ``poison``
    (or any chunk, when workers die whatever they prepare) kills the worker, and the pool is
    broken from then on."""

    kill_everything = False

    def __init__(self) -> None:
        self.broken = False
        self.shut_down = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self.broken:
            raise BrokenProcessPool("a worker died")
        future: Future[Any] = Future()
        if self.kill_everything or any(article.id == "poison" for article, _template in args[0]):
            self.broken = True
            future.set_exception(BrokenProcessPool("a worker died"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.shut_down = True


@pytest.fixture
def dying_pools(monkeypatch: pytest.MonkeyPatch) -> list[_DyingPool]:
    """Every pool the service starts is a _DyingPool; the list holds them in start order."""
    monkeypatch.setattr(workers, "_worker", (TextConfig.default(), Signer(128, 1), StoryConfig()))
    started: list[_DyingPool] = []

    def start(*_args: Any) -> _DyingPool:
        started.append(_DyingPool())
        return started[-1]

    monkeypatch.setattr(workers, "start_pool", start)
    return started


def test_a_page_that_kills_every_worker_fails_alone_and_the_rest_is_prepared(dying_pools: list[_DyingPool]) -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    ids = [f"a{i}" for i in range(40)]
    ids[17] = "poison"
    pool = workers.WorkerPool(1, 5, 128, 1)
    prepared = pool.prepare([(ArticleIn(id=i, text=f"{text}\n\n{i}"), frozenset[int]()) for i in ids])
    assert [p.id if isinstance(p, Prepared) else p.code for p in prepared] == [
        "unprocessable_page" if i == "poison" else i for i in ids
    ]
    assert isinstance(prepared[17], StorywireError) and prepared[17].field == "text"
    # the shared pool started twice more (both attempts broke it), the page's own worker twice
    # (the poison broke the first); all but the shared pool in use are shut down
    assert len(dying_pools) == 5
    assert [p.shut_down for p in dying_pools] == [True, True, False, True, True]
    later = pool.prepare([(ArticleIn(id="after", text=text), frozenset[int]())])
    assert [p.id for p in later if isinstance(p, Prepared)] == ["after"]


def post_a_batch_holding_poison(client: TestClient, seeds: list[str]) -> None:
    """A batch of texts with the article ``poison`` fourth: it alone is refused, and not stored."""
    texts = [{"id": f"t{i}", "text": seeds[i % 5], "source": f"s{i}"} for i in range(POOL_MIN_BATCH)]
    texts.insert(3, {"id": "poison", "text": seeds[1], "source": "s"})
    results = client.post("/v1/articles/batch", json={"articles": texts}).json()["results"]
    assert [r["ok"] for r in results] == [i != 3 for i in range(len(texts))]
    assert results[3]["error"]["code"] == "unprocessable_page"
    assert client.get("/v1/articles/poison").status_code == 404


def test_a_post_that_kills_every_worker_is_refused_and_nothing_is_stored(
    tmp_path: Path, dying_pools: list[_DyingPool]
) -> None:
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    settings = Settings(data_dir=tmp_path / "poison", prepare_workers=1, sqlite_synchronous="OFF")
    with TestClient(create_app(settings)) as client:
        single = client.post("/v1/articles", json={"id": "poison", "html": page(seeds[0]), "source": "a.example"})
        assert single.status_code == 422, single.text
        assert single.json()["error"]["code"] == "unprocessable_page"
        assert single.json()["error"]["field"] == "html"
        post_a_batch_holding_poison(client, seeds)
        assert client.get("/v1/articles/t0").status_code == 200


def test_workers_dying_whatever_they_prepare_are_no_page_s_fault(
    dying_pools: list[_DyingPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of memory, every worker dies: the posts fail (a 500) rather than each being refused
    as a bad page, which a crawler would not send again."""
    monkeypatch.setattr(_DyingPool, "kill_everything", True)
    pool = workers.WorkerPool(1, 5, 128, 1)
    with pytest.raises(BrokenProcessPool):
        pool.prepare([(ArticleIn(id="fine", text=SEEDS[0].read_text(encoding="utf-8")), frozenset[int]())])
    assert [p.shut_down for p in dying_pools] == [True, True, False, True, True]


class _PoisonedPool(ProcessPoolExecutor):
    """A real pool of worker processes whose workers are killed outright (SIGKILL, as the OOM
    killer does) as soon as a chunk holding the article ``poison`` is submitted: the chunk dies
    with them, and the executor breaks by its own means, not by a fake's imitation of them."""

    started: ClassVar[list[_PoisonedPool]] = []  # every pool made, in order (set afresh by each test)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started.append(self)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        if any(article.id == "poison" for article, _template in args[0]):
            # submit has started the workers; a chunk takes them milliseconds, the kill microseconds
            for process in list(self._processes.values()):  # the executor's own {pid: process}
                process.kill()
        return future


def test_a_page_that_kills_real_workers_fails_alone_and_leaves_no_worker_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fallback with real processes: the batch is answered with the page refused, later
    batches use a fresh pool, and the pools the page broke leave no process behind."""
    monkeypatch.setattr(workers, "ProcessPoolExecutor", _PoisonedPool)
    monkeypatch.setattr(_PoisonedPool, "started", [])
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    settings = Settings(data_dir=tmp_path / "poisoned", prepare_workers=1, sqlite_synchronous="OFF")
    earlier = set(multiprocessing.active_children())  # of other tests, if any linger

    def ours() -> int:
        return len(set(multiprocessing.active_children()) - earlier)

    with TestClient(create_app(settings)) as client:
        post_a_batch_holding_poison(client, seeds)
        # the shared pool, its two replacements (the page broke the first two), and the page's own
        # worker twice (it broke the first; a known-good page then went through the second)
        assert len(_PoisonedPool.started) == 5
        later = [{"id": f"u{i}", "text": seeds[i % 5], "source": f"s{i}"} for i in range(POOL_MIN_BATCH)]
        answered = client.post("/v1/articles/batch", json={"articles": later})
        assert answered.status_code == 200 and all(item["ok"] for item in answered.json()["results"])
        assert len(_PoisonedPool.started) == 5, "the next batch is prepared in the last fresh shared pool"
        deadline = time.monotonic() + 30  # the last page-alone pool was shut down without waiting
        while ours() > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ours() == 1, "only the shared pool's one worker is left"
