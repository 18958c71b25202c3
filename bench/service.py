"""The storywire service as a subprocess on 127.0.0.1: start, wait until ready, measure, kill."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.paths import REPO_ROOT

HOST = "127.0.0.1"
LOG_NAME = "service.log"


class ServiceError(RuntimeError):
    """The service did not start, or died."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def service_env(data_dir: Path) -> dict[str, str]:
    """This environment without any STORYWIRE_* variable (all settings at their defaults,
    and the service rejects unknown ones), plus the data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYWIRE_")}
    env["STORYWIRE_DATA_DIR"] = str(data_dir)
    return env


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ServiceError(f"no VmRSS for pid {pid}")


@dataclass(frozen=True)
class ProcessCost:
    """What a process has used so far: CPU seconds (all its threads, not its children) and
    bytes it had read from the disk (reads the page cache served are not counted)."""

    cpu_s: float
    disk_read_bytes: int


def process_cost(pid: int) -> ProcessCost:
    """From /proc/<pid>/stat (utime + stime) and /proc/<pid>/io (read_bytes)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    counters = dict(line.split(": ", 1) for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return ProcessCost(ticks / os.sysconf("SC_CLK_TCK"), int(counters["read_bytes"]))


def tree_hash(folder: Path) -> str:
    """SHA-256 over the relative paths and bytes of a folder's .py files (what the service runs)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def snapshot_app(dest: Path, ref: str | None = None) -> str:
    """Copy ``app/`` under ``dest`` (from the working tree, or from git ``ref``) and return its hash:
    the service runs this copy, so edits to the working tree during a run do not change the code under test."""
    if ref is None:
        shutil.copytree(REPO_ROOT / "app", dest / "app", ignore=shutil.ignore_patterns("__pycache__"))
    else:
        archive = subprocess.run(["git", "archive", "--format=tar", ref, "app"], cwd=REPO_ROOT, capture_output=True)
        if archive.returncode != 0:
            raise ServiceError(f"git archive {ref} app: {archive.stderr.decode(errors='replace').strip()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(dest, filter="data")
    return tree_hash(dest / "app")


def dir_bytes(folder: Path) -> int:
    """Total size of the files under a folder (the store and its WAL)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@dataclass
class Service:
    """One uvicorn process serving ``app.main:app`` (from ``code_dir``) with its store in ``data_dir``."""

    data_dir: Path
    log_dir: Path
    code_dir: Path = REPO_ROOT  # the folder holding the ``app`` package to serve
    settings: dict[str, str] = field(default_factory=dict)  # STORYWIRE_* variables other than the defaults
    ready_timeout: float = 900.0
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ServiceError("the service is not running")
        return self.process.pid

    def start(self) -> float:
        """Start the process and wait for ``GET /readyz`` 200; the seconds that took."""
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", HOST, "--port", str(self.port)]
        started = time.perf_counter()
        with (self.log_dir / LOG_NAME).open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.code_dir,
                env={**service_env(self.data_dir), **self.settings},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready(started)
        return time.perf_counter() - started

    def _wait_ready(self, started: float) -> None:
        deadline = started + self.ready_timeout
        with httpx.Client(base_url=self.base_url, timeout=5.0) as client:
            while time.perf_counter() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise ServiceError(f"the service exited with {self.process.returncode}; see {self.log_path}")
                try:
                    if client.get("/readyz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise ServiceError(f"/readyz not 200 within {self.ready_timeout:.0f} s; see {self.log_path}")

    @property
    def log_path(self) -> Path:
        return self.log_dir / LOG_NAME

    def stop(self, sig: signal.Signals = signal.SIGKILL, timeout: float = 60.0) -> None:
        """Signal the process (SIGKILL by default: a crash, not a clean shutdown) and reap it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self.process = None

    def restart(self) -> float:
        """Kill, then start again on the same store (on a fresh port); seconds to ready."""
        self.stop()
        self.port = free_port()
        return self.start()

    def rss(self) -> int:
        return rss_bytes(self.pid)

    def cost(self) -> ProcessCost:
        return process_cost(self.pid)

    def disk(self) -> int:
        return dir_bytes(self.data_dir)
