"""The printed table, the ratios, the project's bars, and the JSON result."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KB = 1024


@dataclass(frozen=True)
class Bar:
    """One target of the issue "Fast and lean at a million articles" (defined at 1M stored)."""

    name: str
    target: float
    higher_is_better: bool
    unit: str

    def passes(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.target if self.higher_is_better else value <= self.target


BARS = (
    Bar("batch ingest articles/s", 1000, True, "/s"),
    Bar("ingest / bare fingerprint", 0.60, True, "x"),
    Bar("ingest / naive datasketch", 3.0, True, "x"),
    Bar("single POST p99 ms", 20, False, "ms"),
    Bar("/v1/similar p99 ms", 10, False, "ms"),
    Bar("index RAM bytes/article", 1.5 * KB, False, "B"),
    Bar("start-up s", 60, False, "s"),
)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def ratios(result: Mapping[str, Any]) -> dict[str, float | None]:
    """Ours against the baselines, from the last (largest) checkpoint's ingest segment."""
    last = result["service"]["checkpoints"][-1] if result["service"]["checkpoints"] else None
    ours = last["ingest"]["rate"] if last else None
    base = result["baselines"]
    bare = base.get("bare_fingerprint_mean_per_s")
    naive = (base.get("naive_datasketch") or {}).get("articles_per_s")
    prep = (base.get("service_prepare") or {}).get("articles_per_s")
    return {
        "ingest_over_bare_fingerprint": _ratio(ours, bare),
        "ingest_over_naive_datasketch": _ratio(ours, naive),
        "ingest_over_service_prepare": _ratio(ours, prep),
        "bare_fingerprint_over_naive_datasketch": _ratio(bare, naive),
    }


def bar_values(result: Mapping[str, Any]) -> list[float | None]:
    """The figure each bar is judged on, at the largest checkpoint, in the order of BARS."""
    checkpoints = result["service"]["checkpoints"]
    if not checkpoints:
        return [None] * len(BARS)
    last = checkpoints[-1]
    r = result["ratios"]
    return [
        last["ingest"]["rate"],
        r["ingest_over_bare_fingerprint"],
        r["ingest_over_naive_datasketch"],
        last["single_post"]["p99_ms"],
        last["similar"]["p99_ms"],
        last.get("index_rss_bytes_per_article_after_restart"),
        last.get("startup_s"),
    ]


def judge(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    values = bar_values(result)
    return [
        {"bar": b.name, "target": b.target, "value": v, "pass": b.passes(v)} for b, v in zip(BARS, values, strict=True)
    ]


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))


CHECKPOINT_HEAD = (
    "stored", "ingest/s", "stored/s", "tail/s", "÷bare", "POST p50", "POST p99", "sim p50", "sim p99", "clu p99",
    "list p99", "RSS MB", "idx B/art", "disk B/art", "start s",
)  # fmt: skip


def checkpoint_cells(c: Mapping[str, Any]) -> list[str]:
    return [
        _fmt(c["stored"]), _fmt(c["ingest"]["rate"]), _fmt(c["ingest"]["stored_rate"]), _fmt(c["ingest"]["tail_rate"]),
        _fmt(c.get("ingest_over_bare_now"), 2),
        _fmt(c["single_post"]["p50_ms"]), _fmt(c["single_post"]["p99_ms"]),
        _fmt(c["similar"]["p50_ms"]), _fmt(c["similar"]["p99_ms"]), _fmt(c["cluster_get"]["p99_ms"]),
        _fmt(c.get("cluster_list", {}).get("p99_ms")),  # runs before the list was probed lack it
        _fmt(c["rss_bytes"] / 2**20), _fmt(c.get("index_rss_bytes_per_article_after_restart"), 0),
        _fmt(c["disk_bytes_per_article"], 0), _fmt(c.get("startup_s"), 2),
    ]  # fmt: skip


def table(result: Mapping[str, Any]) -> str:
    """The whole report as text."""
    rows = [list(CHECKPOINT_HEAD)] + [checkpoint_cells(c) for c in result["service"]["checkpoints"]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(CHECKPOINT_HEAD))]
    lines = [
        "storywire over HTTP: ingest/s = articles answered per second (stored or rejected), stored/s = stored only,",
        "tail/s = ingest/s over the segment's last 20%; ÷bare = ingest/s over the bare fingerprint measured",
        "right after the segment; latencies in ms; idx B/art = RSS over the empty service, after a restart,",
        "per stored article",
    ]
    lines += [_row(r, widths) for r in rows]
    lines += after_restart_lines(result["service"]["checkpoints"])
    lines += ["", *baseline_lines(result), "", *ratio_lines(result), "", *bar_lines(result), "", code_line(result)]
    return "\n".join(lines)


def after_restart_lines(checkpoints: Sequence[Mapping[str, Any]]) -> list[str]:
    """``/v1/similar`` after the ingest segment beside the same probe after the restart (runs
    from before that probe lack it), with the writes the kernel held unflushed as the probes began."""
    lines = []
    for c in checkpoints:
        again, unflushed = c.get("similar_after_restart"), c.get("unflushed_writes_kb")
        if again is None:
            continue
        held = ""  # the kernel's counts are missing where /proc/meminfo could not be read
        if unflushed:
            held = f" ({unflushed['dirty'] / KB:,.0f} MB dirty, {unflushed['writeback'] / KB:,.0f} MB in writeback)"
        lines.append(
            f"  at {c['stored']:,}: after ingest {_fmt(c['similar']['p50_ms'])} / {_fmt(c['similar']['p99_ms'])}"
            f"{server_cost(c['similar'])}{held},"
            f" after the restart {_fmt(again['p50_ms'])} / {_fmt(again['p99_ms'])}{server_cost(again)}"
        )
    return ["", "/v1/similar p50 / p99 ms:", *lines] if lines else []


def server_cost(probe: Mapping[str, Any]) -> str:
    """`` [server: 8.1 ms CPU, 120.0 KB from the disk a query]``, or nothing for runs from
    before the harness measured it."""
    if "server_cpu_ms_per_request" not in probe:
        return ""
    cpu, disk = probe["server_cpu_ms_per_request"], probe["server_disk_read_kb_per_request"]
    return f" [server: {cpu:.1f} ms CPU, {disk:,.1f} KB from the disk a query]"


def code_line(result: Mapping[str, Any]) -> str:
    c = result["config"]
    return (
        f"code: app/ sha256 {c['app_sha256'][:12]} at commit {c['git_commit'][:10]}"
        f"{' plus uncommitted changes' if c['app_uncommitted_changes'] else ''}; the service ran that snapshot"
        f"{' (app/ changed in the working tree during the run)' if c.get('app_changed_during_run') else ''}"
    )


def baseline_lines(result: Mapping[str, Any]) -> list[str]:
    b = result["baselines"]
    empty = result["service"]["empty"]
    lines = ["baselines (one core, in process unless noted):"]
    for key, label in (
        ("bare_fingerprint_before", "bare fingerprint (clean+shingle+sign), before service run"),
        ("bare_fingerprint_after", "bare fingerprint, after service run"),
        ("service_prepare", "service prepare() (clean+2 signatures+keys)"),
        ("naive_datasketch", "naive datasketch update_batch + LSH (child process)"),
        ("datasketch_update", "datasketch MinHash.update() per shingle"),
    ):
        if b.get(key):
            extra = b[key].get("rss_bytes_per_article")
            tail = f", {extra:,.0f} B RSS/article" if extra is not None else ""
            lines.append(f"  {label}: {_fmt(b[key]['articles_per_s'])} articles/s over {b[key]['articles']}{tail}")
    rss_mb = _fmt(empty["rss_bytes"] / 2**20)
    lines.append(f"  empty service: start-up {_fmt(empty['startup_s'], 2)} s, RSS {rss_mb} MB")
    return lines


def ratio_lines(result: Mapping[str, Any]) -> list[str]:
    return ["ratios (largest checkpoint's ingest rate):"] + [
        f"  {name}: {_fmt(value, 3)}" for name, value in result["ratios"].items()
    ]


def bar_lines(result: Mapping[str, Any]) -> list[str]:
    size = result["service"]["checkpoints"][-1]["stored"] if result["service"]["checkpoints"] else 0
    lines = [f"bars (defined at 1,000,000 stored; judged here at {size:,}):"]
    for row in result["bars"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[row["pass"]]
        lines.append(f"  {verdict:4}  {row['bar']}: {_fmt(row['value'], 2)} (target {_fmt(row['target'], 2)})")
    return lines


def write_json(result: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
