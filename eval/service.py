"""Start/stop the service under test and talk to it strictly through the v1 HTTP contract.

``managed_service`` runs ``python -m uvicorn app.main:app`` on a free port with a fresh
``STORYWIRE_DATA_DIR`` (plus ``--set`` overrides) and waits for ``GET /readyz`` == 200;
``Client`` posts batches and reads articles/clusters, recording every HTTP error, 5xx and
contract deviation as an ``Anomaly`` instead of raising, so one bad answer never hides the
rest of the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from eval.paths import REPO_ROOT

DEFAULT_APP = "app.main:app"
STATUSES = frozenset({"new", "duplicate", "unchanged", "updated"})
ARTICLE_FIELDS = ("id", "url", "source", "title", "published_at", "ingested_at", "cluster_id", "duplicate_of")
CLUSTER_FIELDS = ("id", "size", "title", "canonical", "members", "first_published_at", "last_updated_at")


class ServiceError(RuntimeError):
    """The service could not be started or stopped cleanly."""


@dataclass
class Anomaly:
    """One kind of misbehaviour, how often it happened and the first request that caused it."""

    kind: str
    detail: str
    request: str
    status: int | None = None
    count: int = 1


@dataclass
class Client:
    """Contract-level client; ``anomalies`` collects everything that was not per the contract."""

    http: httpx.Client
    anomalies: dict[tuple[str, str], Anomaly] = field(default_factory=dict)
    seconds_posting: float = 0.0
    batches: int = 0

    def note(self, kind: str, detail: str, request: str, status: int | None = None) -> None:
        """Record an anomaly, folding repeats of the same kind and detail into a count."""
        key = (kind, detail)
        if key in self.anomalies:
            self.anomalies[key].count += 1
        else:
            self.anomalies[key] = Anomaly(kind, detail, request, status)

    def _send(self, method: str, path: str, body: Any = None) -> httpx.Response | None:
        """One request; transport failures become anomalies and None."""
        try:
            return self.http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            self.note("transport", f"{type(exc).__name__}: {exc}", f"{method} {path}")
            return None

    def _check_error_body(self, response: httpx.Response, request: str) -> None:
        """Every 4xx/5xx body must be ``{"error": {"code", "message"}}``; 5xx is always wrong."""
        if response.status_code >= 500:
            self.note("5xx", response.text[:300], request, response.status_code)
        with contextlib.suppress(ValueError):
            error = response.json().get("error")
            if isinstance(error, dict) and {"code", "message"} <= error.keys():
                return
        self.note("contract", "error body is not {error:{code,message}}", request, response.status_code)

    def post_batch(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """POST one batch; return one result per item (failed items get ``ok: false``).

        A 413 splits the batch in halves and retries, so an over-size limit costs requests,
        not data; any other HTTP error fails the whole batch and is recorded.
        """
        request = f"POST /v1/articles/batch ({len(items)} items, first id {items[0].get('id') if items else None})"
        started = time.perf_counter()
        response = self._send("POST", "/v1/articles/batch", {"articles": list(items)})
        self.seconds_posting += time.perf_counter() - started
        self.batches += 1
        if response is not None and response.status_code == 413 and len(items) > 1:
            self.note("http_status", "413 on a batch, retried in halves", request, 413)
            half = len(items) // 2
            return self.post_batch(items[:half]) + self.post_batch(items[half:])
        if response is None or response.status_code != 200:
            if response is not None:
                self.note("http_status", f"batch answered {response.status_code}", request, response.status_code)
                self._check_error_body(response, request)
            return [_failed(i, "batch_failed") for i in range(len(items))]
        return self._batch_results(response, items, request)

    def _batch_results(
        self, response: httpx.Response, items: Sequence[Mapping[str, Any]], request: str
    ) -> list[dict[str, Any]]:
        """Validate and index-align the results of a 200 batch answer."""
        try:
            results = response.json()["results"]
        except (ValueError, KeyError, TypeError):
            self.note("contract", "batch 200 without a results list", request, 200)
            return [_failed(i, "no_results") for i in range(len(items))]
        by_index: dict[int, dict[str, Any]] = {}
        for result in results:
            index = result.get("index") if isinstance(result, dict) else None
            if not isinstance(index, int) or not 0 <= index < len(items):
                self.note("contract", "batch result without a valid index", request)
                continue
            by_index[index] = result
        if len(results) != len(items):
            self.note("contract", "batch results count differs from items count", request)
        for index, item in enumerate(items):
            result = by_index.setdefault(index, _failed(index, "missing_result"))
            self._check_result(result, item, request)
        return [by_index[i] for i in range(len(items))]

    def _check_result(self, result: Mapping[str, Any], item: Mapping[str, Any], batch: str) -> None:
        """Per-item contract checks: status values and duplicate_of consistency."""
        request = f"{batch.split(' (')[0]} item id={item.get('id')} -> {json.dumps(result)[:300]}"
        if not result.get("ok"):
            error = result.get("error")
            if not (isinstance(error, dict) and "code" in error):
                self.note("contract", "failed batch item without error.code", request)
            else:
                detail = f"item failed: {error.get('code')}: {error.get('message')}"
                self.note("item_error", detail, f"POST /v1/articles/batch item id={item.get('id')}")
            return
        status = result.get("status")
        if status not in STATUSES:
            self.note("contract", f"unknown status {status!r}", request)
        if "id" in item and result.get("id") != item["id"]:
            self.note("contract", "result id differs from the posted id", request)
        if status == "duplicate" and not result.get("duplicate_of"):
            self.note("contract", "status duplicate without duplicate_of", request)
        if status == "new" and result.get("duplicate_of"):
            self.note("contract", "status new with a duplicate_of", request)
        if not result.get("cluster_id") or not isinstance(result.get("cluster_size"), int):
            self.note("contract", "ok result without cluster_id/cluster_size", request)

    def get_json(self, path: str, fields: Sequence[str]) -> dict[str, Any] | None:
        """GET a resource; None (and an anomaly) unless 200 with the contract's fields."""
        request = f"GET {path}"
        response = self._send("GET", path)
        if response is None:
            return None
        if response.status_code != 200:
            self.note("http_status", f"GET answered {response.status_code}", request, response.status_code)
            self._check_error_body(response, request)
            return None
        body = response.json()
        missing = [name for name in fields if name not in body]
        if missing:
            self.note("contract", f"{path.split('/')[2]} lacks fields {missing}", request)
        return dict(body)

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """``GET /v1/articles/{id}``: the article's current state."""
        return self.get_json(f"/v1/articles/{article_id}", ARTICLE_FIELDS)

    def get_cluster(self, cluster_id: str) -> dict[str, Any] | None:
        """``GET /v1/clusters/{id}``: size, canonical and members."""
        return self.get_json(f"/v1/clusters/{cluster_id}", CLUSTER_FIELDS)

    def anomaly_list(self) -> list[Anomaly]:
        """Anomalies in the order they were first seen."""
        return list(self.anomalies.values())


def _failed(index: int, code: str) -> dict[str, Any]:
    """A stand-in result for an item the service did not answer for."""
    return {"index": index, "ok": False, "error": {"code": code, "message": "no answer from the service"}}


def post_all(client: Client, items: Sequence[Mapping[str, Any]], batch_size: int = 100) -> list[dict[str, Any]]:
    """Post ``items`` in order, ``batch_size`` at a time (the contract allows up to 1000)."""
    if not 1 <= batch_size <= 1000:
        raise ValueError(f"batch size must be within 1..1000, got {batch_size}")
    results: list[dict[str, Any]] = []
    for start in range(0, len(items), batch_size):
        results += client.post_batch(items[start : start + batch_size])
    return results


def parse_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """Parse ``--set KEY=VALUE`` pairs; keys must be ``STORYWIRE_*`` settings."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.startswith("STORYWIRE_"):
            raise ValueError(f"--set expects STORYWIRE_KEY=VALUE, got {pair!r}")
        if key == "STORYWIRE_DATA_DIR":
            raise ValueError("STORYWIRE_DATA_DIR is chosen by the harness (a fresh temp dir per run)")
        overrides[key] = value
    return overrides


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(base: Mapping[str, str], data_dir: Path, overrides: Mapping[str, str]) -> dict[str, str]:
    """The child environment: ours, minus inherited STORYWIRE_* settings, plus data dir and overrides."""
    env = {k: v for k, v in base.items() if not k.startswith("STORYWIRE_")}
    env.update(overrides)
    env["STORYWIRE_DATA_DIR"] = str(data_dir)
    return env


def python_executable() -> str:
    """The repository's venv interpreter when present, else the running one."""
    venv = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@dataclass
class ManagedService:
    """A uvicorn subprocess with its own data dir; use as a context manager.

    ``data_dir`` is the run's temp root: the service's ``STORYWIRE_DATA_DIR`` is its ``data``
    sub-folder and ``service.log`` holds the service's output.
    """

    app: str = DEFAULT_APP
    overrides: Mapping[str, str] = field(default_factory=dict)
    ready_timeout: float = 120.0
    keep_data: bool = False
    cwd: Path = REPO_ROOT
    url: str = ""
    data_dir: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ManagedService:
        self.data_dir = Path(tempfile.mkdtemp(prefix="storywire-eval-"))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [python_executable(), "-m", "uvicorn", self.app, "--host", "127.0.0.1", "--port", str(port)]
        log = (self.data_dir / "service.log").open("wb")
        (self.data_dir / "data").mkdir()
        env = service_env(os.environ, self.data_dir / "data", self.overrides)
        self.process = subprocess.Popen(command, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self) -> None:
        """Poll ``/readyz`` until 200; fail early when the process dies."""
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServiceError(f"service exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise ServiceError(f"service not ready after {self.ready_timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The end of the service's combined stdout/stderr."""
        if self.data_dir is None or not (self.data_dir / "service.log").exists():
            return ""
        text = (self.data_dir / "service.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        """The whole service log (read before the data dir is removed)."""
        return self.log_tail(lines=1_000_000)

    def __exit__(self, *exc_info: object) -> None:
        """Stop our own process only (SIGTERM, then SIGKILL after 15 s) and remove the data dir."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self.data_dir is not None and not self.keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)


@dataclass(frozen=True)
class Target:
    """The service under test: a running one at ``url``, or one started from ``cwd`` per run.

    ``cwd`` lets a frozen copy of the service be measured while ``app/`` is being edited.
    """

    url: str | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)
    app: str = DEFAULT_APP
    cwd: Path = REPO_ROOT

    def __post_init__(self) -> None:
        if self.url and self.overrides:
            raise ValueError("--set only applies to a service the harness starts; drop --url or --set")


@contextlib.contextmanager
def connect(target: Target) -> Iterator[Client]:
    """A Client for ``target.url`` when given, else for a freshly started managed service."""
    with contextlib.ExitStack() as stack:
        managed = ManagedService(app=target.app, overrides=target.overrides, cwd=target.cwd)
        base = target.url or stack.enter_context(managed).url
        http = stack.enter_context(httpx.Client(base_url=base, timeout=httpx.Timeout(600.0, connect=10.0)))
        yield Client(http)


def dump_anomalies(anomalies: Sequence[Anomaly]) -> list[dict[str, Any]]:
    """Anomalies as JSON-ready dicts."""
    return [json.loads(json.dumps(a.__dict__)) for a in anomalies]
