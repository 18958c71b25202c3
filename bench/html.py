"""``python -m bench.html``: crawled HTML pages through the service, and what they cost others.

A crawler may post a page's raw HTML instead of its text. Cleaning one (trafilatura, then the
chrome step) costs some twenty posted texts, much of it inside lxml calls that hold the GIL. So
this measures two things over HTTP, for each ``--workers`` setting, on a fresh store: the rate
at which one client's batches of L3S-GN1 pages (its 621 real news pages, posted again with
fresh ids each round) are answered, and the latency of a small text POST that a second client
sends every 50 ms meanwhile. Beside them, in a child process running the same code: the same
pages prepared one after another in process, one core's limit.

Run: ``python -m bench.html [--workers 0,1,2] [--batch-size 10] [--rounds 2] [--app-ref REF]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from bench.load import Request, encode, probe
from bench.paths import OUT_DIR, REPO_ROOT
from bench.service import Service, snapshot_app
from bench.stats import Latency, rate

PROBE_EVERY_S = 0.05


def l3s_pages(limit: int | None) -> list[str]:
    from eval.l3s import pages  # the one reader of L3S-GN1's archive

    return [page.html for page in pages(limit)]


def batches(pages: list[str], rounds: int, size: int) -> Iterator[list[dict[str, str]]]:
    """The pages as batch items, ``rounds`` times with fresh ids, spread over 20 sources."""
    items = [
        {"id": f"r{r}-p{i}", "html": html, "source": f"site{i % 20}.example", "title": f"Page {i}"}
        for r in range(rounds)
        for i, html in enumerate(pages)
    ]
    for start in range(0, len(items), size):
        yield items[start : start + size]


def paced_posts(stop: threading.Event) -> Iterator[Request]:
    """A small new text to post every ``PROBE_EVERY_S``, until ``stop``."""
    n = 0
    while not stop.wait(PROBE_EVERY_S):
        text = f"Notice {n}: the town council meets on day {n} of the month to discuss the roads, the schools"
        text += f" and the parks of the city, and what {n} new houses will need."
        yield "POST", "/v1/articles", encode({"id": f"probe-{n}", "text": text})
        n += 1


def probe_beside(base_url: str, stop: threading.Event, out: list[Latency]) -> None:
    """Time the paced small posts until ``stop`` (run on a thread beside the load)."""
    with httpx.Client(base_url=base_url, timeout=120) as client:
        out.append(probe(client, paced_posts(stop), {201}, math.inf))


def warm_up(base_url: str, pages: list[str]) -> None:
    """One batch and one text before timing: the worker processes start, and each process loads
    its language model and the story prior of English, on first use."""
    with httpx.Client(base_url=base_url, timeout=600) as client:
        items = [{"id": f"warm-{i}", "html": html, "source": "warm.example"} for i, html in enumerate(pages)]
        client.post("/v1/articles/batch", json={"articles": items}).raise_for_status()
        text = "A warm-up notice: the town council meets today to discuss the roads, the schools and the parks."
        client.post("/v1/articles", json={"id": "warm-text", "text": text}).raise_for_status()


def run_service(src: Path, root: Path, workers: int, pages: list[str], args: argparse.Namespace) -> dict[str, Any]:
    settings = {"STORYWIRE_PREPARE_WORKERS": str(workers)}
    service = Service(root / f"data-{workers}", root, code_dir=src, settings=settings)
    service.start()
    try:
        warm_up(service.base_url, pages[: args.batch_size])
        stop, timed = threading.Event(), list[Latency]()
        prober = threading.Thread(target=probe_beside, args=(service.base_url, stop, timed))
        prober.start()
        posted, failed, started = 0, 0, time.perf_counter()
        try:
            with httpx.Client(base_url=service.base_url, timeout=600) as client:
                for batch in batches(pages, args.rounds, args.batch_size):
                    answer = client.post("/v1/articles/batch", json={"articles": batch})
                    answer.raise_for_status()
                    posted += len(batch)
                    failed += sum(not item["ok"] for item in answer.json()["results"])
        finally:
            elapsed = time.perf_counter() - started
            stop.set()
            prober.join()
        return {
            "workers": workers, "pages": posted, "failed_items": failed, "seconds": round(elapsed, 2),
            "pages_per_s": rate(posted, elapsed), "probe_post": asdict(timed[0]),
        }  # fmt: skip
    finally:
        service.stop()


def in_process_rate(limit: int | None) -> dict[str, Any]:
    """Pages prepared one after another in this process (what one core can do), after a warm-up."""
    from app.fingerprint import Signer
    from app.ingest import ArticleIn, prepare_or_error
    from app.stories import StoryConfig
    from app.text.pipeline import TextConfig
    from bench.baselines import timed_rate

    cfg, signer, story = TextConfig.default(), Signer(128, 1), StoryConfig()
    jobs = [ArticleIn(html=html, id=f"p{i}", title=f"Page {i}") for i, html in enumerate(l3s_pages(limit))]
    timed = timed_rate(jobs, lambda job: prepare_or_error(job, cfg, signer, frozenset(), story))
    return {"pages": timed["articles"], "seconds": timed["seconds"], "pages_per_s": timed["articles_per_s"]}


def baseline(src: Path, limit: int | None) -> dict[str, Any]:
    """:func:`in_process_rate` in a child process that imports the measured copy of ``app``."""
    command = [sys.executable, "-m", "bench.html", "--in-process-only"]
    if limit is not None:
        command += ["--limit", str(limit)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}  # bench and eval from here; app from cwd, first
    done = subprocess.run(command, cwd=src, env=env, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(result: dict[str, Any]) -> str:
    bare = result["in_process"]["pages_per_s"]
    lines = [
        f"in process, one page after another: {bare} pages/s",
        "| prepare workers | pages/s | ÷ in process | small POST beside it p50 / p99 / max ms |",
        "|---|---|---|---|",
    ]
    for run in result["runs"]:
        p = run["probe_post"]
        ratio = f"{run['pages_per_s'] / bare:.2f}" if bare else "-"
        lines.append(
            f"| {run['workers']} | {run['pages_per_s']} | {ratio} | {p['p50_ms']} / {p['p99_ms']} / {p['max_ms']} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.html", description=__doc__)
    p.add_argument("--workers", default="0,1,2", help="STORYWIRE_PREPARE_WORKERS values, one fresh service each")
    p.add_argument("--batch-size", type=int, default=10, help="pages a batch (a body is at most 2 MB by default)")
    p.add_argument("--rounds", type=int, default=2, help="times every page is posted, with fresh ids")
    p.add_argument("--limit", type=int, help="use only the first N pages")
    p.add_argument("--app-ref", help="benchmark app/ of this git ref (default: the working tree)")
    p.add_argument("--json", type=Path, default=OUT_DIR / "html.json")
    p.add_argument("--in-process-only", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.in_process_only:
        print(json.dumps(in_process_rate(args.limit)))
        return
    pages = l3s_pages(args.limit)
    with tempfile.TemporaryDirectory(prefix="sw-html-") as tmp:
        root = Path(tmp)
        app_hash = snapshot_app(root / "src", args.app_ref)
        result: dict[str, Any] = {"app_ref": args.app_ref, "app_sha256": app_hash, "batch_size": args.batch_size}
        result["in_process"] = baseline(root / "src", args.limit)
        result["runs"] = [
            run_service(root / "src", root, int(w), pages, args) for w in args.workers.split(",") if w.strip()
        ]
    print(table(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
