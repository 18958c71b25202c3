"""``python -m bench``: storywire through HTTP at growing store sizes, and the baselines.

See bench/README.md for the figures and the bars they are judged against.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import app
from app.fingerprint import Signer
from app.text.pipeline import TextConfig
from bench import baselines, load, report
from bench.corpus import load_saudinewsnet
from bench.paths import OUT_DIR, REPO_ROOT, saudinewsnet_dir
from bench.service import Service, snapshot_app, tree_hash
from bench.stats import Latency, PeakSampler
from bench.stream import ArticleStream, Post

NAIVE_MAX = 20_000
CALIBRATION_N = 1000


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("sizes are positive integers, e.g. 10000,100000")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--sizes", type=parse_sizes, default=parse_sizes("10000,100000"), help="stored-article checkpoints")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--connections", type=int, default=2)
    p.add_argument("--probes", type=int, default=300, help="requests per latency probe at each checkpoint")
    p.add_argument("--baseline-n", type=int, default=3000, help="articles for the in-process baselines")
    p.add_argument("--naive-n", type=int, help=f"articles for naive datasketch (default: min(max size, {NAIVE_MAX}))")
    p.add_argument("--update-n", type=int, default=300, help="articles for MinHash.update() per shingle")
    p.add_argument("--time-limit", type=float, default=4 * 3600, help="seconds for the whole service phase")
    p.add_argument("--max-files", type=int, default=None, help="read only the first N daily zips (quick runs)")
    p.add_argument("--app-ref", help="benchmark app/ of this git ref (default: the working tree, as the run starts)")
    p.add_argument("--skip-baselines", action="store_true")
    p.add_argument("--keep-data", action="store_true", help="keep the temporary data directory")
    p.add_argument("--json", type=Path, default=OUT_DIR / "result.json")
    return p.parse_args(argv)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def git(*command: str) -> str:
    return subprocess.run(["git", *command], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()


def run_config(args: argparse.Namespace, base_size: int, app_hash: str) -> dict[str, Any]:
    return {
        "sizes": args.sizes, "seed": args.seed, "batch_size": args.batch_size, "connections": args.connections,
        "probes": args.probes, "base_articles": base_size, "cpus": os.cpu_count(), "python": platform.python_version(),
        "git_commit": git("rev-parse", args.app_ref or "HEAD"), "app_ref": args.app_ref,
        "app_uncommitted_changes": args.app_ref is None and bool(git("status", "--porcelain", "app")),
        "app_sha256": app_hash, "app_imported_from": str(Path(app.__file__).parent),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }  # fmt: skip


def bare_mean(result: dict[str, Any]) -> float | None:
    keys = ("bare_fingerprint_before", "bare_fingerprint_after")
    rates = [result[k]["articles_per_s"] for k in keys if result.get(k)]
    return round(sum(rates) / len(rates), 1) if rates else None


def run_baselines(stream: ArticleStream, args: argparse.Namespace) -> dict[str, Any]:
    """Bare fingerprint, service prepare, datasketch update() (in process) and naive datasketch (child)."""
    cfg, signer = TextConfig.default(), Signer()
    posts = baselines.sample(stream, args.baseline_n)
    result: dict[str, Any] = {}
    log(f"baseline: bare fingerprint on {len(posts)} articles")
    result["bare_fingerprint_before"] = baselines.bare_fingerprint(posts, cfg, signer)
    log("baseline: service prepare()")
    result["service_prepare"] = baselines.service_prepare(posts, cfg, signer)
    log(f"baseline: datasketch update() on {args.update_n} articles")
    result["datasketch_update"] = baselines.datasketch_update(posts[: args.update_n])
    naive_n = args.naive_n or min(args.sizes[-1], NAIVE_MAX)
    log(f"baseline: naive datasketch on {naive_n} articles (child process)")
    result["naive_datasketch"] = baselines.naive_datasketch(naive_n, args.seed)
    return result


@dataclasses.dataclass
class Run:
    """The service phase: what is running, where the stream is, and the deadline."""

    args: argparse.Namespace
    stream: ArticleStream
    service: Service
    deadline: float
    calibration: list[Post]
    clusters: load.ClusterSample
    empty_rss: int = 0
    position: int = 0
    stored: int = 0


def calibrate(run: Run) -> float:
    """Bare-fingerprint articles/s right now (the machine is shared: its speed drifts)."""
    return float(baselines.bare_fingerprint(run.calibration, TextConfig.default(), Signer())["articles_per_s"])


def probes(run: Run) -> dict[str, Any]:
    """Latency of single POSTs (stored, so they advance the stream), /v1/similar, cluster GETs and
    the first page of the cluster list; and the writes the kernel holds unflushed as they begin."""
    rng = random.Random(f"{run.args.seed}/probes/{run.stored}")
    count = run.args.probes
    writeback = unflushed_writes()
    with httpx.Client(base_url=run.service.base_url, timeout=load.PROBE_TIMEOUT) as client:
        single = load.probe_single_posts(client, run.stream, run.position, count, run.deadline)
        run.position += single.count + single.errors
        run.stored += single.count
        similar = with_server_cost(
            run.service, lambda: load.probe_similar(client, run.stream, run.position, count, rng, run.deadline)
        )
        cluster = load.probe_clusters(client, run.clusters, count, rng, run.deadline)
        cluster_list = load.probe_cluster_list(client, count, run.deadline)
    figures = {"single_post": single, "cluster_get": cluster, "cluster_list": cluster_list}
    return {name: dataclasses.asdict(value) for name, value in figures.items()} | {
        "similar": similar,
        "unflushed_writes_kb": writeback,
    }


def with_server_cost(service: Service, probe: Callable[[], Latency]) -> dict[str, Any]:
    """A probe's latencies, and what it cost the service's process per request: CPU (all its
    threads, background ones included; the prepare workers are other processes) and bytes read
    from the disk, i.e. pages the kernel's cache did not hold. Tells whether a slow probe
    computed more or waited for the disk."""
    before = service.cost()
    figures = dataclasses.asdict(probe())
    after = service.cost()
    requests = max(1, figures["count"] + figures["errors"])
    figures["server_cpu_ms_per_request"] = round(1000 * (after.cpu_s - before.cpu_s) / requests, 2)
    read_kb = (after.disk_read_bytes - before.disk_read_bytes) / 1024
    figures["server_disk_read_kb_per_request"] = round(read_kb / requests, 1)
    return figures


def similar_after_restart(run: Run) -> dict[str, Any]:
    """``POST /v1/similar`` again, with other fresh queries, on the service just restarted: beside
    the probe above (of the service that ingested the segment, while the kernel may still be
    writing the segment out), it tells what the state a long ingest leaves adds to the latency."""
    rng = random.Random(f"{run.args.seed}/after-restart/{run.stored}")
    count = run.args.probes
    with httpx.Client(base_url=run.service.base_url, timeout=load.PROBE_TIMEOUT) as client:
        return with_server_cost(
            run.service, lambda: load.probe_similar(client, run.stream, run.position, count, rng, run.deadline)
        )


def unflushed_writes() -> dict[str, int] | None:
    """The kernel's dirty and writeback memory (kB, /proc/meminfo): written by the service, not
    yet on the disk, and competing with it for the disk while the probes run."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
    except OSError:
        return None
    return {name.lower(): int(fields[name].split()[0]) for name in ("Dirty", "Writeback")}


def ingest_segment(run: Run, target: int) -> dict[str, Any]:
    """Batch-ingest until ``target`` articles are stored; its rates, answers and peak RSS."""
    log(f"ingest: {run.stored:,} → {target:,} stored")
    a = run.args
    with PeakSampler(run.service.rss) as peak:
        done, run.position = load.ingest(
            run.service.base_url, run.stream, run.position, target - run.stored, run.clusters, run.deadline,
            a.batch_size, a.connections,
        )  # fmt: skip
    run.stored += done.stored
    log(f"ingest: {done.posted:,} posted, {done.stored:,} stored in {done.seconds:.1f} s = {done.rate:,.1f}/s posted")
    return {
        "articles": done.stored, "posted": done.posted, "requests": done.requests,
        "items_per_request": round(done.posted / max(done.requests, 1), 1), "seconds": round(done.seconds, 2),
        "rate": done.rate, "stored_rate": done.stored_rate, "tail_rate": done.tail_rate,
        "statuses": dict(done.statuses), "failures": dict(done.failures), "timed_out": done.timed_out,
        "peak_rss_bytes": peak.peak,
    }  # fmt: skip


def memory_and_restart(run: Run) -> dict[str, Any]:
    """RSS and disk now, then a kill and restart: start-up time and RSS of the reloaded service."""
    rss, disk, stored = run.service.rss(), run.service.disk(), max(run.stored, 1)
    log(f"restart with {run.stored:,} stored")
    startup = run.service.restart()
    rss_restart = run.service.rss()
    mb = (rss / 2**20, rss_restart / 2**20)
    log(f"start-up {startup:.2f} s (pid {run.service.pid}), RSS {mb[0]:.0f} MB → {mb[1]:.0f} MB after restart")
    return {
        "stored": run.stored, "stream_position": run.position,
        "rss_bytes": rss, "rss_bytes_per_article": round(rss / stored, 1),
        "index_rss_bytes_per_article": round((rss - run.empty_rss) / stored, 1),
        "disk_bytes": disk, "disk_bytes_per_article": round(disk / stored, 1),
        "startup_s": round(startup, 3), "rss_after_restart_bytes": rss_restart,
        "index_rss_bytes_per_article_after_restart": round((rss_restart - run.empty_rss) / stored, 1),
    }  # fmt: skip


def checkpoint(run: Run, target: int) -> dict[str, Any]:
    """Ingest to ``target``, then measure latencies, memory, disk, a restart, and the machine's speed."""
    result: dict[str, Any] = {"target": target, "ingest": ingest_segment(run, target)}
    result.update(probes(run))
    result.update(memory_and_restart(run))
    result["similar_after_restart"] = similar_after_restart(run)
    bare = calibrate(run)
    result["bare_fingerprint_now_per_s"] = bare
    result["ingest_over_bare_now"] = round(result["ingest"]["rate"] / bare, 3) if bare else None
    return result


def run_service(stream: ArticleStream, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """Start the service (the snapshot of app/ in ``root/src``) on a fresh store; walk the checkpoints."""
    service = Service(data_dir=root / "data", log_dir=root, code_dir=root / "src")
    calibration = baselines.sample(stream, min(CALIBRATION_N, args.baseline_n))
    run = Run(args, stream, service, time.monotonic() + args.time_limit, calibration,
              load.ClusterSample(random.Random(args.seed)))  # fmt: skip
    checkpoints: list[dict[str, Any]] = []
    try:
        startup = service.start()
        run.empty_rss = service.rss()
        empty = {"startup_s": round(startup, 3), "rss_bytes": run.empty_rss, "data_dir": str(root)}
        log(f"service up on {service.base_url} in {startup:.2f} s (pid {service.pid}); its log: {service.log_path}")
        for target in args.sizes:
            if target > run.stored and time.monotonic() < run.deadline:
                checkpoints.append(checkpoint(run, target))
    finally:
        service.stop()
    return {"empty": empty, "checkpoints": checkpoints}


def finish(result: dict[str, Any], stream: ArticleStream, args: argparse.Namespace) -> None:
    """The second bare-fingerprint measurement, ratios and bars; write and print."""
    if not args.skip_baselines:
        log("baseline: bare fingerprint again, after the service run")
        posts = baselines.sample(stream, args.baseline_n)
        result["baselines"]["bare_fingerprint_after"] = baselines.bare_fingerprint(
            posts, TextConfig.default(), Signer()
        )
    result["baselines"]["bare_fingerprint_mean_per_s"] = bare_mean(result["baselines"])
    if args.app_ref is None:
        result["config"]["app_changed_during_run"] = tree_hash(REPO_ROOT / "app") != result["config"]["app_sha256"]
    result["ratios"] = report.ratios(result)
    result["bars"] = report.judge(result)
    report.write_json(result, args.json)
    print(report.table(result))
    print(f"\nJSON: {args.json}")


def main(argv: list[str] | None = None, root: Path | None = None, app_hash: str | None = None) -> int:
    """Run the benchmark; ``root`` (a temp dir holding the app/ snapshot in ``src``) is removed at the end."""
    args = parse_args(argv)
    if root is None or app_hash is None:
        root = Path(tempfile.mkdtemp(prefix="storywire-bench-"))
        app_hash = snapshot_app(root / "src", args.app_ref)
    try:
        base = load_saudinewsnet(saudinewsnet_dir(), args.max_files)
        stream = ArticleStream(base, args.seed)
        log(f"{len(base):,} base articles; sizes {args.sizes}; app/ snapshot {app_hash[:12]} in {root / 'src'}")
        result: dict[str, Any] = {"config": run_config(args, len(base), app_hash)}
        result["baselines"] = {} if args.skip_baselines else run_baselines(stream, args)
        result["service"] = run_service(stream, args, root)
        finish(result, stream, args)
    finally:
        if not args.keep_data:
            shutil.rmtree(root, ignore_errors=True)
    return 0
