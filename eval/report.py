"""Plain-text tables and JSON output shared by the subcommands."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.metrics import PRF
from eval.service import Anomaly


def fmt(value: object) -> str:
    """Numbers as a reader wants them in a table: ratios with 3 decimals, ints as is."""
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A left-aligned first column and right-aligned numbers, widths fitted to content."""
    cells = [list(headers)] + [[fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def prf_row(name: str, prf: PRF, *extra: object) -> list[object]:
    """A table row: name, precision, recall, F1, then any extra columns."""
    return [name, prf.precision, prf.recall, prf.f1, *extra]


def anomaly_lines(anomalies: Sequence[Anomaly]) -> str:
    """One line per anomaly kind with its count and the first request that triggered it."""
    if not anomalies:
        return "service anomalies: none (no HTTP errors, no 5xx, no contract deviations seen)"
    lines = ["service anomalies:"]
    for a in anomalies:
        status = f" [{a.status}]" if a.status else ""
        lines.append(f"  - {a.kind}{status} x{a.count}: {a.detail} | first: {a.request}")
    return "\n".join(lines)


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Write the machine-readable results (UTF-8, stable key order)."""
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True, default=_default) + "\n")


def _default(value: object) -> object:
    """JSON fallback for dataclasses such as PRF and Anomaly."""
    if hasattr(value, "__dict__"):
        return dict(vars(value))
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
