"""Small figures over samples: percentiles, rates, and a peak-RSS sampler thread."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType

import numpy as np


@dataclass(frozen=True)
class Latency:
    """Percentiles of request latencies, in milliseconds."""

    count: int
    errors: int
    other_statuses: dict[str, int]
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None


def latency(seconds: Sequence[float], others: Mapping[int, int] | None = None) -> Latency:
    """Summarise latencies given in seconds; ``others`` counts the answers left out, by status."""
    statuses = {str(code): n for code, n in sorted((others or {}).items())}
    errors = sum(statuses.values())
    if not seconds:
        return Latency(0, errors, statuses, None, None, None)
    ms = np.asarray(seconds) * 1000.0
    p50, p99 = np.percentile(ms, [50, 99])
    return Latency(len(ms), errors, statuses, round(float(p50), 2), round(float(p99), 2), round(float(ms.max()), 2))


def rate(count: int, seconds: float) -> float:
    """Items per second, 0 when no time passed."""
    return round(count / seconds, 1) if seconds > 0 else 0.0


def tail_rate(progress: Sequence[tuple[float, int]], fraction: float = 0.2) -> float:
    """Rate over the last ``fraction`` of the items, from cumulative (seconds, items) points."""
    if len(progress) < 2:
        return 0.0
    end_t, end_n = progress[-1]
    start_t, start_n = progress[0]
    for t, n in progress:
        if n <= end_n * (1 - fraction):
            start_t, start_n = t, n
    return rate(end_n - start_n, end_t - start_t)


@dataclass
class PeakSampler:
    """Samples a gauge (e.g. a process's RSS) every ``interval`` seconds on a thread; keeps the peak."""

    read: Callable[[], int]
    interval: float = 0.5
    peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):  # the process may be gone between two samples
            self.peak = max(self.peak, self.read())

    def __enter__(self) -> PeakSampler:
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()
