"""The bench's reading of what a probe cost the service's process."""

from __future__ import annotations

import os
import time

from bench.report import after_restart_lines
from bench.service import process_cost


def test_process_cost_counts_the_cpu_a_process_used() -> None:
    before = process_cost(os.getpid())
    busy_until = time.process_time() + 0.3
    while time.process_time() < busy_until:
        pass
    after = process_cost(os.getpid())
    assert 0.2 <= after.cpu_s - before.cpu_s < 5
    assert after.disk_read_bytes >= before.disk_read_bytes >= 0


def test_the_similar_line_gives_the_server_cost_when_measured() -> None:
    probe = {"p50_ms": 4.2, "p99_ms": 9.5}
    measured = {**probe, "server_cpu_ms_per_request": 8.13, "server_disk_read_kb_per_request": 121.4}
    checkpoint = {"stored": 1_000_000, "similar": measured, "similar_after_restart": probe}
    (_, _, line) = after_restart_lines([checkpoint])
    assert line == (
        "  at 1,000,000: after ingest 4.2 / 9.5 [server: 8.1 ms CPU, 121.4 KB from the disk a query],"
        " after the restart 4.2 / 9.5"
    )
    held = {"dirty": 2048, "writeback": 0}
    (_, _, line) = after_restart_lines([checkpoint | {"similar": probe, "unflushed_writes_kb": held}])
    assert line == "  at 1,000,000: after ingest 4.2 / 9.5 (2 MB dirty, 0 MB in writeback), after the restart 4.2 / 9.5"
