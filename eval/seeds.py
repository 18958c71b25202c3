"""``python -m eval seeds``: end-to-end check on the five crawled seed pages.

The five seeds are Arabic pages about the same Libya talks from three sites (two pairs share
a site and its chrome). They are posted first; then article bodies cut from one seed are
wrapped in another seed's chrome (hand-picked line ranges) and posted. Expected: each
wrapped copy lands in the duplicate group of the seed its body came from, and no two
original seeds are duplicates of each other (they are different writings of one story).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from eval import metrics, report
from eval.paths import seeds_dir
from eval.service import Anomaly, Target, connect

SOURCES = {
    "000": "almaghribtoday.net",
    "001": "turkey-now.example",
    "002": "arabic.rt.com",
    "003": "almaghribtoday.net",
    "004": "arabic.rt.com",
}
"""Outlet of each seed, read off its chrome by hand (000/003 and 002/004 share a site)."""

Lines = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Wrap:
    """A body cut from ``body_seed`` placed between head and tail lines of ``chrome_seed``."""

    body_seed: str
    body: Lines
    chrome_seed: str
    head: Lines
    tail: Lines


WRAPS = (
    Wrap("001", ((3, 21),), "002", ((1, 31),), ((52, 62),)),
    Wrap("003", ((7, 7), (13, 31)), "004", ((1, 35),), ((56, 70),)),
    Wrap("004", ((36, 54),), "000", ((1, 1),), ((14, 71),)),
)
"""Line ranges are 1-based and inclusive, as printed by ``cat -n``."""


def load_seeds(folder: Path) -> dict[str, list[str]]:
    """Seed number (file prefix) -> lines of the page."""
    return {p.name[:3]: p.read_text(encoding="utf-8").splitlines() for p in sorted(folder.glob("*.txt"))}


def cut(lines: Sequence[str], ranges: Lines) -> list[str]:
    """The lines of the given 1-based inclusive ranges, in order."""
    return [line for start, end in ranges for line in lines[start - 1 : end]]


def wrapped_text(seeds: Mapping[str, Sequence[str]], wrap: Wrap) -> str:
    """The other site's header, the cut body, the other site's footer."""
    chrome = seeds[wrap.chrome_seed]
    return "\n".join(cut(chrome, wrap.head) + cut(seeds[wrap.body_seed], wrap.body) + cut(chrome, wrap.tail))


def seed_id(number: str) -> str:
    """Article id of an original seed."""
    return f"seed-{number}"


def wrap_id(wrap: Wrap) -> str:
    """Article id of a wrapped copy."""
    return f"seed-wrap-{wrap.body_seed}-in-{wrap.chrome_seed}"


def items(seeds: Mapping[str, Sequence[str]], prefix: str = "") -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Ingest payloads: the originals, then the wrapped copies (posted after them)."""
    originals = [
        {
            "id": prefix + seed_id(n),
            "source": SOURCES.get(n, f"seed{n}.example"),
            "text": "\n".join(lines),
            "published_at": f"2020-01-13T1{i}:00:00Z",
        }
        for i, (n, lines) in enumerate(sorted(seeds.items()))
    ]
    wraps = [
        {
            "id": prefix + wrap_id(w),
            "source": SOURCES.get(w.chrome_seed, f"seed{w.chrome_seed}.example"),
            "text": wrapped_text(seeds, w),
            "published_at": f"2020-01-14T0{i}:00:00Z",
        }
        for i, w in enumerate(WRAPS)
        if w.body_seed in seeds and w.chrome_seed in seeds
    ]
    return originals, wraps


def check(
    seeds: Mapping[str, Sequence[str]], links: Mapping[str, str | None], clusters: Mapping[str, str | None]
) -> dict[str, Any]:
    """Pass/fail of the expectations on one set of ``duplicate_of`` links."""
    ids = [seed_id(n) for n in sorted(seeds)] + [wrap_id(w) for w in WRAPS]
    groups = metrics.groups_from_links(ids, links)
    wraps = {
        wrap_id(w): {
            "expected": seed_id(w.body_seed),
            "duplicate_of": links.get(wrap_id(w)),
            "ok": groups[wrap_id(w)] == groups[seed_id(w.body_seed)]
            and all(groups[wrap_id(w)] != groups[seed_id(n)] for n in seeds if n != w.body_seed),
        }
        for w in WRAPS
        if wrap_id(w) in groups
    }
    merged = [(a, b) for a, b in combinations(sorted(seeds), 2) if groups[seed_id(a)] == groups[seed_id(b)]]
    seed_clusters = {seed_id(n): clusters.get(seed_id(n)) for n in sorted(seeds)}
    return {
        "wraps": wraps,
        "seed_pairs_marked_duplicate": merged,
        "originals_ok": not merged,
        "distinct_clusters_among_seeds": len(set(seed_clusters.values())),
    }


def run(target: Target) -> dict[str, Any]:
    """Post the seeds and the wrapped copies; check ingest and final decisions."""
    seeds = load_seeds(seeds_dir())
    prefix = "eval-" if target.url else ""
    originals, wraps = items(seeds, prefix)
    with connect(target) as client:
        results = client.post_batch(originals) + client.post_batch(wraps)
        posted = [item["id"] for item in originals + wraps]
        finals = [client.get_article(i) or {} for i in posted]
        anomalies = client.anomaly_list()
    ids = [i[len(prefix) :] for i in posted]
    ingest = {i: _strip(r.get("duplicate_of"), prefix) for i, r in zip(ids, results, strict=True)}
    final = {i: _strip(a.get("duplicate_of"), prefix) for i, a in zip(ids, finals, strict=True)}
    clusters = {i: a.get("cluster_id") for i, a in zip(ids, finals, strict=True)}
    out: dict[str, Any] = {
        "statuses": {i: r.get("status") if r.get("ok") else "error" for i, r in zip(ids, results, strict=True)},
        "similarity": {i: a.get("similarity") for i, a in zip(ids, finals, strict=True)},
        "ingest": check(seeds, ingest, clusters),
        "final": check(seeds, final, clusters),
        "anomalies": [dict(vars(a)) for a in anomalies],
    }
    out["passed"] = _passed(out["ingest"]) and _passed(out["final"])
    return out


def _strip(value: object, prefix: str) -> str | None:
    """Remove the run prefix from an id the service returned."""
    if not isinstance(value, str):
        return None
    return value[len(prefix) :] if prefix and value.startswith(prefix) else value


def _passed(result: Mapping[str, Any]) -> bool:
    """Every wrap found its seed and no two originals were grouped."""
    return bool(result["originals_ok"]) and all(w["ok"] for w in result["wraps"].values())


def render(out: Mapping[str, Any]) -> str:
    """The printed seeds report."""
    rows = []
    for when in ("ingest", "final"):
        res = out[when]
        for wid, w in res["wraps"].items():
            rows.append([f"{when}: {wid}", w["expected"], w["duplicate_of"] or "(new)", "PASS" if w["ok"] else "FAIL"])
        merged = ", ".join(f"{a}~{b}" for a, b in res["seed_pairs_marked_duplicate"]) or "none"
        rows.append([f"{when}: original seeds grouped", "none", merged, "PASS" if res["originals_ok"] else "FAIL"])
    lines = [
        report.table(["seeds check", "expected", "got", "result"], rows),
        f"statuses: {out['statuses']}",
        f"similarity (final): {out['similarity']}",
        f"story clusters among the 5 seeds (same Libya story, informational): "
        f"{out['final']['distinct_clusters_among_seeds']} distinct",
        "overall: " + ("PASS" if out["passed"] else "FAIL"),
        report.anomaly_lines([_anomaly(a) for a in out["anomalies"]]),
    ]
    return "\n\n".join(lines)


def _anomaly(data: Mapping[str, Any]) -> Anomaly:
    """Rebuild an Anomaly from its dict form."""
    return Anomaly(data["kind"], data["detail"], data["request"], data.get("status"), data["count"])
