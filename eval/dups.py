"""``python -m eval dups``: replay the labelled near-duplicate stream and score the groups.

The service is scored twice: **at ingest** (each page grouped with the ``duplicate_of`` of its
own POST answer, i.e. the decision a crawler acts on) and **final** (``duplicate_of`` from
``GET /v1/articles/{id}`` after the whole stream). The raw-text MinHash LSH baseline is run on
the same pages. With ``--no-chrome`` the same pages are replayed again without chrome into a
fresh service and the decisions of the two runs are compared.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eval import baselines, metrics, report
from eval.paths import data_dir
from eval.service import Anomaly, Client, Target, connect, post_all
from eval.stream import Page, Stream, StreamConfig, build_stream


@dataclass
class Observation:
    """What one system decided for every page of one run (keyed by stream page id)."""

    system: str
    variant: str
    ingest_links: dict[str, str | None]
    final_links: dict[str, str | None]
    statuses: dict[str, str]
    final_clusters: dict[str, str | None] = field(default_factory=dict)
    seconds: float = 0.0


def _local_id(target: object, prefix: str) -> str | None:
    """Map a service id back to the stream id; ids we did not post stay recognisably foreign."""
    if not isinstance(target, str) or not target:
        return None
    return target[len(prefix) :] if target.startswith(prefix) else f"foreign:{target}"


def observe_service(
    client: Client, pages: Sequence[Page], variant: str, batch_size: int, send_language: bool, prefix: str = ""
) -> Observation:
    """Post the pages in crawl order, then read every accepted article back (rejected ones 404)."""
    items = [dict(p.payload(variant == "chrome", send_language), id=prefix + p.id) for p in pages]
    started = time.perf_counter()
    results = post_all(client, items, batch_size)
    seconds = time.perf_counter() - started
    ingest = {
        p.id: _local_id(r.get("duplicate_of"), prefix) if r.get("ok") else None
        for p, r in zip(pages, results, strict=True)
    }
    statuses = {p.id: str(r.get("status")) if r.get("ok") else "error" for p, r in zip(pages, results, strict=True)}
    articles = {p.id: (client.get_article(prefix + p.id) or {}) if statuses[p.id] != "error" else {} for p in pages}
    final = {pid: _local_id(a.get("duplicate_of"), prefix) for pid, a in articles.items()}
    clusters = {pid: a.get("cluster_id") for pid, a in articles.items()}
    check_duplicate_clusters(client, final, clusters)
    return Observation("service", variant, ingest, final, statuses, clusters, seconds)


def check_duplicate_clusters(client: Client, links: Mapping[str, str | None], clusters: Mapping[str, Any]) -> None:
    """Contract: a duplicate is always in its canonical's cluster (checked on final state)."""
    for page_id, target in links.items():
        if target is not None and target in clusters and clusters[page_id] != clusters[target]:
            client.note("contract", "duplicate not in its canonical's cluster", f"GET /v1/articles/{page_id}")


def observe_baseline(pages: Sequence[Page], variant: str) -> Observation:
    """The raw-text word-5-gram MinHash LSH (0.5) baseline on the same pages and order."""
    started = time.perf_counter()
    texts = [(p.id, p.text if variant == "chrome" else p.bare_text) for p in pages]
    links = baselines.lsh_duplicates(texts)
    statuses = {pid: "duplicate" if target else "new" for pid, target in links.items()}
    return Observation("baseline_lsh_raw", variant, links, links, statuses, {}, time.perf_counter() - started)


def gold_groups(pages: Sequence[Page]) -> dict[str, str]:
    """Gold duplicate groups: the body each page carries."""
    return {p.id: p.body for p in pages}


def predicted_groups(pages: Sequence[Page], links: Mapping[str, str | None]) -> dict[str, str]:
    """Predicted groups: connected components of the ``duplicate_of`` links."""
    return metrics.groups_from_links([p.id for p in pages], links)


def scores(pages: Sequence[Page], links: Mapping[str, str | None]) -> dict[str, metrics.PRF]:
    """Pair P/R/F1 overall and per language."""
    gold = gold_groups(pages)
    pred = predicted_groups(pages, links)
    out = {"all": metrics.pair_prf(pred, gold)}
    for lang in ("ar", "en"):
        ids = {p.id for p in pages if p.language == lang}
        out[lang] = metrics.pair_prf({k: v for k, v in pred.items() if k in ids}, {k: gold[k] for k in ids})
    return out


def decision_stats(pages: Sequence[Page], links: Mapping[str, str | None]) -> dict[str, Any]:
    """Per-page ingest decisions: copies found (by edit, site size, language) and wrong links.

    A page whose body was posted before is a copy: it is *found* when its ``duplicate_of``
    points to a page of the same body. A link to another body is a false link; when the two
    pages come from the same site it is a chrome look-alike error.
    """
    by_id = {p.id: p for p in pages}
    seen: set[str] = set()
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_links: Counter[str] = Counter()
    for page in pages:
        target = by_id.get(links.get(page.id) or "")
        if page.body in seen:
            hit = target is not None and target.body == page.body
            for key in _copy_keys(page):
                total[key] += 1
                found[key] += hit
        if links.get(page.id) and (target is None or target.body != page.body):
            false_links["all"] += 1
            if target is not None and target.source == page.source:
                false_links["same_site"] += 1
                false_links["same_site_same_day"] += target.day == page.day
        seen.add(page.body)
    recall = {key: (found[key] / total[key], total[key]) for key in sorted(total)}
    return {"copy_recall": recall, "false_links": dict(false_links), "pages": len(pages)}


def _copy_keys(page: Page) -> list[str]:
    """The breakdown buckets a copy page counts in."""
    site = "big_site" if page.big_site else "small_site"
    keys = ["all", f"lang:{page.language}", f"site:{site}"]
    keys += [f"edit:{e}" for e in page.edits] or ["edit:none"]
    return keys


def invariance(pages: Sequence[Page], a: Observation, b: Observation) -> dict[str, Any]:
    """How many ingest decisions differ between two runs of the same pages (chrome vs none)."""
    ga, gb = predicted_groups(pages, a.ingest_links), predicted_groups(pages, b.ingest_links)
    status_changed = sum((a.ingest_links.get(p.id) is None) != (b.ingest_links.get(p.id) is None) for p in pages)
    members_a, members_b = _members(ga), _members(gb)
    group_changed = sum(members_a[ga[p.id]] - {p.id} != members_b[gb[p.id]] - {p.id} for p in pages)
    differ, union = metrics.pair_disagreement(ga, gb)
    n = len(pages)
    all_pairs = n * (n - 1) // 2
    return {
        "pages": n,
        "status_changed": status_changed,
        "status_changed_pct": 100 * status_changed / n if n else 0.0,
        "group_changed": group_changed,
        "group_changed_pct": 100 * group_changed / n if n else 0.0,
        "pairs_differ": differ,
        "pairs_grouped_in_either": union,
        "pairs_differ_pct_of_grouped": 100 * differ / union if union else 0.0,
        "pairs_differ_pct_of_all": 100 * differ / all_pairs if all_pairs else 0.0,
    }


def _members(labels: Mapping[str, str]) -> dict[str, set[str]]:
    """Label -> the set of items carrying it."""
    groups: dict[str, set[str]] = defaultdict(set)
    for item, label in labels.items():
        groups[label].add(item)
    return groups


def stream_summary(stream: Stream) -> dict[str, Any]:
    """Sizes of the stream and how many look-alike pairs (same site, same day) it contains."""
    pages = stream.pages
    per_site_day = Counter((p.source, p.day) for p in pages)
    return {
        "slice": stream.config.slice,
        "seed": stream.config.effective_seed,
        "pages": len(pages),
        "bodies": len(stream.bodies),
        "pages_by_lang": dict(Counter(p.language for p in pages)),
        "pages_on_small_sites": sum(not p.big_site for p in pages),
        "sites": {"big": sum(s.big for s in stream.sites), "small": sum(not s.big for s in stream.sites)},
        "gold_duplicate_pairs": metrics.count_pairs(gold_groups(pages)),
        "lookalike_pairs_same_site_same_day": sum(n * (n - 1) // 2 for n in per_site_day.values()),
        "days": len({p.day for p in pages}),
    }


def evaluate(pages: Sequence[Page], obs: Observation) -> dict[str, Any]:
    """All figures of one observation."""
    return {
        "system": obs.system,
        "variant": obs.variant,
        "ingest": scores(pages, obs.ingest_links),
        "final": scores(pages, obs.final_links),
        "decisions": decision_stats(pages, obs.ingest_links),
        "statuses": dict(Counter(obs.statuses.values())),
        "failed_by_lang": dict(Counter(p.language for p in pages if obs.statuses.get(p.id) == "error")),
        "seconds": obs.seconds,
    }


def run(
    config: StreamConfig,
    target: Target,
    batch_size: int = 100,
    no_chrome: bool = False,
    send_language: bool = True,
) -> dict[str, Any]:
    """Build the stream, replay it (each variant into a fresh service), score, and report."""
    stream = build_stream(config, data_dir())
    pages = stream.pages
    variants = ["chrome", "no_chrome"] if no_chrome else ["chrome"]
    observations: list[Observation] = []
    anomalies = []
    for variant in variants:
        prefix = f"eval{int(time.time())}-{variant[0]}-" if target.url else ""
        _log(f"dups: posting {len(pages)} pages ({variant}) in batches of {batch_size}")
        with connect(target) as client:
            observations.append(observe_service(client, pages, variant, batch_size, send_language, prefix))
            anomalies += [dict(vars(a), variant=variant) for a in client.anomaly_list()]
        observations.append(observe_baseline(pages, variant))
    result: dict[str, Any] = {
        "stream": stream_summary(stream),
        "settings": dict(target.overrides),
        "url": target.url,
        "service_dir": str(target.cwd),
        "runs": [evaluate(pages, o) for o in observations],
        "anomalies": anomalies,
    }
    if no_chrome:
        by_key = {(o.system, o.variant): o for o in observations}
        result["no_chrome_invariance"] = {
            system: invariance(pages, by_key[(system, "chrome")], by_key[(system, "no_chrome")])
            for system in ("service", "baseline_lsh_raw")
        }
        if target.url:
            result["warning"] = "--url: both variants went into one service, so they are not independent"
    return result


def _log(message: str) -> None:
    """Progress on stderr, so stdout stays the report."""
    print(message, file=sys.stderr, flush=True)


def render(result: Mapping[str, Any]) -> str:
    """The printed report of one ``dups`` run."""
    s = result["stream"]
    head = (
        f"near-duplicate stream: slice={s['slice']} seed={s['seed']} pages={s['pages']} bodies={s['bodies']} "
        f"(pages ar={s['pages_by_lang'].get('ar', 0)} en={s['pages_by_lang'].get('en', 0)}, "
        f"{s['pages_on_small_sites']} on small sites; sites big={s['sites']['big']} small={s['sites']['small']}; "
        f"gold dup pairs={s['gold_duplicate_pairs']}; look-alike same-site-same-day pairs="
        f"{s['lookalike_pairs_same_site_same_day']})"
    )
    if result["settings"]:
        head += f"\nservice overrides: {result['settings']}"
    rows = []
    for run_ in result["runs"]:
        for when in ("ingest", "final"):
            if run_["system"] != "service" and when == "final":
                continue
            name = f"{run_['system']} [{run_['variant']}] @{when}"
            sc = run_[when]
            rows.append(report.prf_row(name, sc["all"], sc["ar"].f1, sc["en"].f1))
    parts = [head, report.table(["pair scores", "precision", "recall", "F1", "F1 ar", "F1 en"], rows)]
    parts.append(_decision_table(result["runs"]))
    parts.append(_status_lines(result["runs"]))
    if "no_chrome_invariance" in result:
        parts.append(_invariance_table(result["no_chrome_invariance"]))
    if "warning" in result:
        parts.append("WARNING: " + result["warning"])
    parts.append(report.anomaly_lines([_anomaly(a) for a in result["anomalies"]]))
    return "\n\n".join(parts)


def _decision_table(runs: Sequence[Mapping[str, Any]]) -> str:
    """Copy recall by bucket (ingest decisions), one column per run."""
    keys = sorted({k for r in runs for k in r["decisions"]["copy_recall"]}, key=lambda k: (k != "all", k))
    headers = ["copies found at ingest"] + [f"{r['system']}[{r['variant']}]" for r in runs]
    rows = []
    for key in keys:
        cells = []
        for r in runs:
            rate, n = r["decisions"]["copy_recall"].get(key, (None, 0))
            cells.append(f"{rate:.3f} ({n})" if rate is not None else "-")
        rows.append([key, *cells])
    false_rows = [
        [f"false links: {k}"] + [str(r["decisions"]["false_links"].get(k, 0)) for r in runs]
        for k in ("all", "same_site", "same_site_same_day")
    ]
    return report.table(headers, rows + false_rows)


def _status_lines(runs: Sequence[Mapping[str, Any]]) -> str:
    """Status counts and posting speed per run."""
    lines = []
    for r in runs:
        pages = r["decisions"]["pages"]
        speed = pages / r["seconds"] if r["seconds"] else 0.0
        failed = f"; rejected items by language {r['failed_by_lang']}" if r["failed_by_lang"] else ""
        lines.append(f"{r['system']}[{r['variant']}]: statuses {r['statuses']}{failed}; {speed:.0f} pages/s")
    return "\n".join(lines)


def _invariance_table(inv: Mapping[str, Mapping[str, Any]]) -> str:
    """Decisions changed between the chrome and no-chrome runs."""
    rows = [
        [
            system,
            f"{v['status_changed_pct']:.2f}% ({v['status_changed']})",
            f"{v['group_changed_pct']:.2f}% ({v['group_changed']})",
            f"{v['pairs_differ_pct_of_grouped']:.2f}% ({v['pairs_differ']}/{v['pairs_grouped_in_either']})",
            f"{v['pairs_differ_pct_of_all']:.3f}%",
        ]
        for system, v in inv.items()
    ]
    headers = ["chrome vs no-chrome", "pages new<->dup", "pages group changed", "pairs (of grouped)", "pairs (of all)"]
    return report.table(headers, rows)


def _anomaly(data: Mapping[str, Any]) -> Anomaly:
    """Rebuild an Anomaly from its dict form (with the variant folded into the detail)."""
    return Anomaly(
        data["kind"], f"{data['detail']} [{data['variant']}]", data["request"], data.get("status"), data["count"]
    )
