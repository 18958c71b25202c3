"""The service as crawlers and dashboards meet it: a real uvicorn process, the five crawled
seeds, a seed's article inside another site's chrome, a kill -9 and a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """A uvicorn process serving app.main:app on a data directory."""

    def __init__(self, data_dir: Path, **extra_env: str) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("STORYWIRE_")}
        env.update({"STORYWIRE_DATA_DIR": str(data_dir), **extra_env})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("service exited: " + self.proc.stderr.read().decode())  # type: ignore[union-attr]
            try:
                if self.http.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError("service did not become ready")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.http.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def service(data_dir: Path) -> Iterator[Service]:
    svc = Service(data_dir)
    svc.wait_ready()
    yield svc
    if svc.proc.poll() is None:
        svc.kill()


def in_other_chrome(body_page: str, chrome_page: str, body_lines: slice, head: int, tail: int) -> str:
    chrome = chrome_page.splitlines()
    return "\n".join(chrome[:head] + body_page.splitlines()[body_lines] + chrome[tail:])


def test_crawler_dashboard_and_crash(service: Service, data_dir: Path, seeds: list[str]) -> None:
    http = service.http
    # A crawler posts the five seeds in one batch: five articles, none a duplicate of another.
    batch = [
        {"id": f"seed-{i}", "text": text, "url": f"https://site{i}.example/{p.stem}", "title": text.splitlines()[0]}
        for i, (text, p) in enumerate(zip(seeds, SEEDS, strict=True))
    ]
    results = http.post("/v1/articles/batch", json={"articles": batch}).json()["results"]
    assert [r["status"] for r in results] == ["new"] * 5

    # Seed 0's article inside the chrome of seed 3, another page of another article.
    wrapped = in_other_chrome(seeds[0], seeds[3], slice(5, 13), 15, 32)
    copy = http.post("/v1/articles", json={"id": "wrapped-0", "text": wrapped, "source": "elsewhere"})
    assert copy.status_code == 201
    assert copy.json()["status"] == "duplicate" and copy.json()["duplicate_of"] == "seed-0"
    # The five seeds are five outlets' reports of one story (the Libya talks in Moscow): one cluster.
    assert len({r["cluster_id"] for r in results}) == 1
    assert copy.json()["cluster_id"] == results[0]["cluster_id"] and copy.json()["cluster_size"] == 6

    # A light re-edit of seed 1: a paragraph dropped, diacritics and Arabic-Indic digits added.
    lines = seeds[1].splitlines()
    edited = "\n".join(lines[:8] + lines[9:]).replace("ليبيا", "ليبْيا").replace("2024", "٢٠٢٤")
    reedit = http.post("/v1/articles", json={"id": "seed-1-edit", "text": edited}).json()
    assert reedit["status"] == "duplicate" and reedit["duplicate_of"] == "seed-1"

    # The dashboard lists, polls with If-None-Match, and opens a cluster.
    listing = http.get("/v1/clusters")
    etag = listing.headers["etag"]
    assert http.get("/v1/clusters", headers={"If-None-Match": etag}).status_code == 304
    cluster = http.get(f"/v1/clusters/{results[0]['cluster_id']}").json()
    assert {m["id"] for m in cluster["members"]} == {f"seed-{i}" for i in range(5)} | {"wrapped-0", "seed-1-edit"}
    assert cluster["canonical"]["id"] == "seed-0"
    assert "جميع الحقوق محفوظة" not in cluster["canonical"]["text"] and "شويغو" in cluster["canonical"]["text"]

    # curl deletes one article; then the process is killed without warning.
    assert http.delete("/v1/articles/seed-1-edit").status_code == 204
    before = {i: http.get(f"/v1/articles/{i}").json() for i in ["seed-0", "seed-2", "wrapped-0"]}
    clusters_before = http.get("/v1/clusters").json()
    service.kill()

    restarted = Service(data_dir)
    restarted.wait_ready()
    try:
        http = restarted.http
        assert {i: http.get(f"/v1/articles/{i}").json() for i in before} == before
        assert http.get("/v1/clusters").json() == clusters_before
        assert http.get("/v1/clusters", headers={"If-None-Match": etag}).status_code == 200
        assert http.get("/v1/articles/seed-1-edit").status_code == 404
        # The index rebuilt from the store finds duplicates of articles ingested before the crash.
        wrapped2 = in_other_chrome(seeds[2], seeds[4], slice(31, 49), 35, 55)
        found = http.post("/v1/similar", json={"text": wrapped2}).json()
        assert found["duplicates"][0]["id"] == "seed-2"
        again = http.post("/v1/articles", json={"id": "wrapped-2", "text": wrapped2}).json()
        assert again["duplicate_of"] == "seed-2"
    finally:
        restarted.kill()


def test_acknowledged_writes_survive_kill_9(service: Service, data_dir: Path, seeds: list[str]) -> None:
    acknowledged = []
    for i in range(20):
        text = seeds[i % 5] + f"\n\nتحديث رقم {i} من المراسل في موسكو بعد انتهاء المحادثات بين الوفود."
        response = service.http.post("/v1/articles", json={"id": f"n{i}", "text": text})
        assert response.status_code == 201
        acknowledged.append(f"n{i}")
    service.kill()
    restarted = Service(data_dir)
    restarted.wait_ready()
    try:
        assert all(restarted.http.get(f"/v1/articles/{i}").status_code == 200 for i in acknowledged)
        total = sum(c["size"] for c in restarted.http.get("/v1/clusters?limit=1000").json()["clusters"])
        assert total == 20
    finally:
        restarted.kill()


def test_data_made_with_other_parameters_is_refused(service: Service, data_dir: Path) -> None:
    service.http.post("/v1/articles", json={"id": "a", "text": "A short but real sentence about the talks."})
    service.kill()
    other = Service(data_dir, STORYWIRE_NUM_PERM="64")
    assert other.proc.wait(timeout=60) != 0
    message = other.proc.stderr.read().decode()  # type: ignore[union-attr]
    assert "fingerprint parameters" in message and "num_perm" in message


def _workers_of(pid: int) -> list[int]:
    """Pids of the prepare workers a process started (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # exited meanwhile
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's reaping is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_a_killed_service_leaves_no_worker_behind(service: Service) -> None:
    text = "The council met on Monday to discuss the new budget for roads and schools in district {}."
    items = [{"id": f"w{i}", "text": text.format(i)} for i in range(64)]  # a batch big enough for the pool
    assert service.http.post("/v1/articles/batch", json={"articles": items}).status_code == 200
    workers = _workers_of(service.proc.pid)
    assert workers, "a batch this size is prepared in a worker process"
    service.kill()
    deadline = time.monotonic() + 30
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_running, workers)), "workers outlived the killed service"
