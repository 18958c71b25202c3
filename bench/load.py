"""Traffic to the service (127.0.0.1 only): batch ingest on N connections and latency probes.

Every loop is bounded by a count and by a deadline (``time.monotonic()`` seconds).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.stats import Latency, latency, rate, tail_rate
from bench.stream import ArticleStream, Post

JSON = {"Content-Type": "application/json"}
BATCH_TIMEOUT = 600.0
PROBE_TIMEOUT = 60.0
MAX_FILL_ROUNDS = 5
CLUSTER_SAMPLE = 5000
LIST_PAGE = 50  # clusters a page of the polled list holds
MAX_BODY_BYTES = 2_000_000  # the service's default STORYWIRE_MAX_BODY_BYTES


@dataclass
class ClusterSample:
    """A seeded reservoir sample of cluster ids seen in ingest answers (bigger clusters weigh more)."""

    rng: random.Random
    size: int = CLUSTER_SAMPLE
    seen: int = 0
    ids: list[str] = field(default_factory=list)

    def add(self, cluster_id: str) -> None:
        self.seen += 1
        if len(self.ids) < self.size:
            self.ids.append(cluster_id)
        elif (slot := self.rng.randrange(self.seen)) < self.size:
            self.ids[slot] = cluster_id


@dataclass
class IngestRun:
    """What one ingest segment did; ``progress`` is (seconds, articles answered) after each request.

    ``rate`` counts every article the service answered (stored or rejected, as the baselines
    process every article too); ``stored_rate`` only those stored."""

    posted: int = 0
    stored: int = 0
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    progress: list[tuple[float, int]] = field(default_factory=lambda: [(0.0, 0)])
    timed_out: bool = False

    @property
    def rate(self) -> float:
        return rate(self.posted, self.seconds)

    @property
    def stored_rate(self) -> float:
        return rate(self.stored, self.seconds)

    @property
    def tail_rate(self) -> float:
        return tail_rate(self.progress)


def encode(body: Any) -> bytes:
    """Compact UTF-8 JSON (Arabic stays two bytes a letter, not a six-byte escape)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fit_bodies(batch: list[Post], limit: int) -> list[tuple[list[Post], bytes]]:
    """The batch as request bodies of at most ``limit`` bytes, halving it until each fits
    (a single article over the limit is sent anyway, and answered 413)."""
    body = encode({"articles": batch})
    if len(body) <= limit or len(batch) == 1:
        return [(batch, body)]
    half = len(batch) // 2
    return fit_bodies(batch[:half], limit) + fit_bodies(batch[half:], limit)


@dataclass
class _Feeder:
    """Hands out batches to the worker threads under one lock, and tallies their answers."""

    batches: Iterator[list[Post]]
    deadline: float
    run: IngestRun
    clusters: ClusterSample
    started: float = field(default_factory=time.perf_counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_batch(self) -> list[Post] | None:
        with self.lock:
            if time.monotonic() > self.deadline:
                self.run.timed_out = True
                return None
            return next(self.batches, None)

    def record(self, items: list[Post], response: httpx.Response | None) -> None:
        with self.lock:
            self.run.posted += len(items)
            self.run.requests += 1
            if response is None or response.status_code != 200:
                code = "transport" if response is None else f"http_{response.status_code}"
                self.run.failures[code] += len(items)
            else:
                self._tally(response.json()["results"])
            self.run.progress.append((time.perf_counter() - self.started, self.run.posted))

    def _tally(self, results: list[dict[str, Any]]) -> None:
        for item in results:
            if item.get("ok"):
                self.run.stored += item["status"] != "unchanged"
                self.run.statuses[item["status"]] += 1
                self.clusters.add(item["cluster_id"])
            else:
                self.run.failures[item.get("error", {}).get("code", "unknown")] += 1


def _worker(base_url: str, feeder: _Feeder, max_body: int) -> None:
    with httpx.Client(base_url=base_url, timeout=BATCH_TIMEOUT) as client:
        while (batch := feeder.next_batch()) is not None:
            for items, body in fit_bodies(batch, max_body):
                try:
                    response: httpx.Response | None = send(client, ("POST", "/v1/articles/batch", body))
                except httpx.HTTPError:
                    response = None
                feeder.record(items, response)


def _run_workers(base_url: str, feeder: _Feeder, connections: int, max_body: int) -> None:
    threads = [threading.Thread(target=_worker, args=(base_url, feeder, max_body)) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def ingest(
    base_url: str,
    stream: ArticleStream,
    start: int,
    count: int,
    clusters: ClusterSample,
    deadline: float,
    batch_size: int = 500,
    connections: int = 2,
    max_body: int = MAX_BODY_BYTES,
) -> tuple[IngestRun, int]:
    """Post stream articles from ``start`` until ``count`` more are stored (rejected ones are
    replaced by further articles, for a few rounds); the run and the next stream index."""
    run = IngestRun()
    started = time.perf_counter()
    position = start
    for _ in range(MAX_FILL_ROUNDS):
        missing = count - run.stored
        if missing <= 0 or run.timed_out:
            break
        feeder = _Feeder(stream.batches(position, position + missing, batch_size), deadline, run, clusters, started)
        _run_workers(base_url, feeder, connections, max_body)
        position = start + run.posted
    run.seconds = time.perf_counter() - started
    return run, position


Request = tuple[str, str, bytes | None]  # method, path, encoded JSON body


def send(client: httpx.Client, request: Request) -> httpx.Response:
    method, path, body = request
    if body is None:
        return client.request(method, path)
    return client.request(method, path, content=body, headers=JSON)


def probe(client: httpx.Client, requests: Iterable[Request], ok: set[int], deadline: float) -> Latency:
    """Send requests one after another on one connection; latency of each answer in ``ok``,
    the other answers counted by status (0: transport error). Bodies are built before the clock starts."""
    seconds: list[float] = []
    others: Counter[int] = Counter()
    for request in requests:
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        try:
            status = send(client, request).status_code
        except httpx.HTTPError:
            status = 0
        elapsed = time.perf_counter() - started
        if status in ok:
            seconds.append(elapsed)
        else:
            others[status] += 1
    return latency(seconds, others)


def probe_single_posts(client: httpx.Client, stream: ArticleStream, start: int, count: int, deadline: float) -> Latency:
    """``POST /v1/articles`` for the next ``count`` stream articles (they are stored)."""
    requests = (("POST", "/v1/articles", encode(post)) for post in stream.iter(start, start + count))
    return probe(client, requests, {200, 201}, deadline)


def probe_similar(
    client: httpx.Client, stream: ArticleStream, stored_upto: int, count: int, rng: random.Random, deadline: float
) -> Latency:
    """``POST /v1/similar`` with fresh edited copies of stored articles (nothing is stored)."""
    requests = (("POST", "/v1/similar", encode(post)) for post in similar_queries(stream, stored_upto, count, rng))
    return probe(client, requests, {200}, deadline)


def similar_queries(stream: ArticleStream, stored_upto: int, count: int, rng: random.Random) -> list[Post]:
    """Fresh edited copies of ``count`` random stored stream articles: what the similar probe sends."""
    return [stream.variant(rng.randrange(stored_upto), "s") for _ in range(count)]


def probe_cluster_list(client: httpx.Client, count: int, deadline: float) -> Latency:
    """``GET /v1/clusters?limit=50``: the newest page of the list a dashboard polls (no
    ``If-None-Match``, so every answer is computed in full)."""
    requests = [("GET", f"/v1/clusters?limit={LIST_PAGE}", None)] * count
    return probe(client, requests, {200}, deadline)


def probe_clusters(
    client: httpx.Client, clusters: ClusterSample, count: int, rng: random.Random, deadline: float
) -> Latency:
    """``GET /v1/clusters/{id}`` for clusters drawn from those seen in ingest answers."""
    if not clusters.ids:
        return latency([])
    requests = [("GET", f"/v1/clusters/{rng.choice(clusters.ids)}", None) for _ in range(count)]
    return probe(client, requests, {200}, deadline)
