"""``python -m eval stories``: replay story-labelled datasets and score the clusters.

Each dataset is split by label (hash of the label, so a story is never in both parts) into
a tune and a held-out part; every part is replayed in publication order into a fresh service
(titles in ``title``, bodies in ``text``). The service's clusters are scored with B-cubed
and ARI against the labels, next to three single-pass baselines. The held-out figures are the
headline; WikiRef labels are topics, not stories, and are reported separately.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from eval import baselines, datasets, metrics, report
from eval.paths import data_dir
from eval.service import Anomaly, Client, Target, connect, post_all

LOADERS: dict[str, Callable[[Path], list[datasets.Doc]]] = {
    "giveme5w1h": datasets.load_giveme5w1h,
    "newswcl50": datasets.load_newswcl50,
    "wikiref": datasets.load_wikiref,
}
LEVEL = {"giveme5w1h": "story (event_id)", "newswcl50": "event", "wikiref": "topic (not story-level)"}
PARTS = ("heldout", "tune")
SYNTHETIC_START = datetime(2020, 1, 13, 6, 0, tzinfo=UTC)
SYNTHETIC_STEP = timedelta(minutes=20)


def part_of(dataset: str, label: str) -> str:
    """Deterministic ~50/50 tune/heldout split by label."""
    digest = hashlib.sha1(f"{dataset}|{label}".encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "heldout"


def replay_order(docs: Sequence[datasets.Doc]) -> list[datasets.Doc]:
    """Publication order where every doc has a date, else file order."""
    if docs and all(d.published for d in docs):
        return sorted(docs, key=lambda d: (d.published or "", d.order))
    return sorted(docs, key=lambda d: d.order)


def published_at(doc: datasets.Doc, position: int) -> str:
    """RFC 3339 UTC time: the dataset's own date, or a synthetic one from the replay position."""
    if doc.published:
        return doc.published[:19] + "Z"
    return (SYNTHETIC_START + position * SYNTHETIC_STEP).strftime("%Y-%m-%dT%H:%M:%SZ")


def article_id(doc: datasets.Doc, prefix: str = "") -> str:
    """An opaque, stable id for a dataset article."""
    return prefix + "s" + hashlib.sha1(doc.key.encode()).hexdigest()[:16]


def payload(doc: datasets.Doc, position: int, prefix: str = "", dated: bool = True) -> dict[str, str]:
    """The ingest JSON: title in ``title``, body (without the repeated headline) in ``text``;
    ``published_at`` unless ``dated`` is off (the service then dates it on receipt)."""
    item = {
        "id": article_id(doc, prefix),
        "title": doc.title,
        "text": "\n\n".join(datasets.body_paragraphs(doc)),
        "language": doc.lang,
    }
    if dated:
        item["published_at"] = published_at(doc, position)
    if doc.url and doc.url.startswith(("http://", "https://")) and len(doc.url) <= 2048:
        item["url"] = doc.url
    if doc.source:
        item["source"] = doc.source
    return item


def cluster_scores(pred: Mapping[str, Any], gold: Mapping[str, Any]) -> dict[str, Any]:
    """B-cubed P/R/F1, ARI and cluster counts of one labelling."""
    return {
        "bcubed": metrics.bcubed(pred, gold),
        "ari": metrics.ari(pred, gold),
        "clusters": len(set(pred.values())),
        "gold_clusters": len(set(gold.values())),
    }


def observe_service(
    client: Client, docs: Sequence[datasets.Doc], batch_size: int, prefix: str, dated: bool = True
) -> dict[str, Any]:
    """Replay into the service; cluster labels at ingest and after the replay."""
    items = [payload(d, i, prefix, dated) for i, d in enumerate(docs)]
    started = time.perf_counter()
    results = post_all(client, items, batch_size)
    seconds = time.perf_counter() - started
    ingest = {
        d.key: (r.get("cluster_id") if r.get("ok") else None) or f"failed:{d.key}"
        for d, r in zip(docs, results, strict=True)
    }
    final = {}
    for d, r in zip(docs, results, strict=True):
        article = (client.get_article(article_id(d, prefix)) or {}) if r.get("ok") else {}
        final[d.key] = article.get("cluster_id") or f"missing:{d.key}"
    check_clusters(client, final, {d.key: article_id(d, prefix) for d in docs}, exclusive=not prefix)
    return {"ingest": ingest, "final": final, "seconds": seconds, "failed": sum(not r.get("ok") for r in results)}


def check_clusters(client: Client, final: Mapping[str, str], ids: Mapping[str, str], exclusive: bool) -> None:
    """``GET /v1/clusters/{id}`` must list our members (and, on a fresh service, only them)."""
    expected: dict[str, set[str]] = {}
    for key, cluster_id in final.items():
        expected.setdefault(cluster_id, set()).add(ids[key])
    for cluster_id, members in expected.items():
        if cluster_id.startswith(("missing:", "failed:")):
            continue
        body = client.get_cluster(cluster_id)
        if body is None:
            continue
        listed = {m.get("id") for m in body.get("members", []) if isinstance(m, dict)}
        if not members <= listed:
            client.note(
                "contract", "cluster members lack articles whose cluster_id is it", f"GET /v1/clusters/{cluster_id}"
            )
        if exclusive and (listed != members or body.get("size") != len(members)):
            client.note(
                "contract",
                "cluster size/members differ from articles carrying its id",
                f"GET /v1/clusters/{cluster_id}",
            )


def baseline_runs(docs: Sequence[datasets.Doc], gold: Mapping[str, str]) -> dict[str, dict[float, dict[str, Any]]]:
    """Scores of every baseline at every swept threshold."""
    texts = [d.title + "\n" + "\n".join(datasets.body_paragraphs(d)) for d in docs]
    keys = [d.key for d in docs]
    return {
        method: {t: cluster_scores(dict(zip(keys, labels, strict=True)), gold) for t, labels in by_t.items()}
        for method, by_t in baselines.story_runs(texts).items()
    }


def best_threshold(by_threshold: Mapping[float, Mapping[str, Any]]) -> float:
    """The threshold with the best B-cubed F1 (lowest threshold on ties)."""
    return max(sorted(by_threshold), key=lambda t: by_threshold[t]["bcubed"].f1)


def run_part(
    dataset: str, docs: Sequence[datasets.Doc], target: Target, batch_size: int, dated: bool = True
) -> dict[str, Any]:
    """Replay one part of one dataset into its own service and score everything."""
    ordered = replay_order(docs)
    gold = {d.key: str(d.label) for d in ordered}
    prefix = f"eval{int(time.time())}-{dataset}-" if target.url else ""
    _log(f"stories: {dataset} part of {len(ordered)} articles")
    with connect(target) as client:
        seen = observe_service(client, ordered, batch_size, prefix, dated)
        anomalies = [dict(vars(a), dataset=dataset) for a in client.anomaly_list()]
    return {
        "articles": len(ordered),
        "service": {when: cluster_scores(seen[when], gold) for when in ("final", "ingest")},
        "failed_items": seen["failed"],
        "seconds": seen["seconds"],
        "baselines": baseline_runs(ordered, gold),
        "anomalies": anomalies,
    }


def run(
    names: Sequence[str],
    parts: Sequence[str],
    target: Target,
    batch_size: int = 100,
    dated: bool = True,
) -> dict[str, Any]:
    """Replay and score every requested dataset part; with ``dated`` off, every article is
    posted without its publication time (as a labelled set without dates would be)."""
    out: dict[str, Any] = {
        "dated": dated,
        "settings": dict(target.overrides),
        "url": target.url,
        "service_dir": str(target.cwd),
        "datasets": {},
    }
    for name in names:
        docs = LOADERS[name](data_dir())
        by_part = {p: [d for d in docs if part_of(name, str(d.label)) == p] for p in PARTS}
        data: dict[str, Any] = {"level": LEVEL[name], "parts": {}}
        for part in parts:
            data["parts"][part] = run_part(name, by_part[part], target, batch_size, dated)
        if "tune" not in data["parts"]:
            ordered = replay_order(by_part["tune"])
            data["tune_baselines"] = baseline_runs(ordered, {d.key: str(d.label) for d in ordered})
        out["datasets"][name] = data
    return out


def _log(message: str) -> None:
    """Progress on stderr, so stdout stays the report."""
    print(message, file=sys.stderr, flush=True)


def _row(name: str, scores: Mapping[str, Any]) -> list[object]:
    """One table row of cluster scores."""
    b = scores["bcubed"]
    return [name, b.precision, b.recall, b.f1, scores["ari"], f"{scores['clusters']}/{scores['gold_clusters']}"]


def part_table(result: Mapping[str, Any], tune: Mapping[str, Any] | None) -> str:
    """Service vs baselines on one part; baselines at their hindsight-best threshold and,
    for the held-out part, also at the threshold that was best on the tune part."""
    rows = [_row("service @final", result["service"]["final"]), _row("service @ingest", result["service"]["ingest"])]
    for method, by_t in result["baselines"].items():
        best = best_threshold(by_t)
        rows.append(_row(f"{method} @{best:g} (best in hindsight)", by_t[best]))
        if tune is not None:
            chosen = best_threshold(tune["baselines"][method])
            rows.append(_row(f"{method} @{chosen:g} (chosen on tune)", by_t[chosen]))
    return report.table(["system", "B3 P", "B3 R", "B3 F1", "ARI", "clusters/gold"], rows)


def render(out: Mapping[str, Any]) -> str:
    """The printed report: held-out first (the headline), then tune, per dataset."""
    parts = []
    if out["settings"]:
        parts.append(f"service overrides: {out['settings']}")
    if not out.get("dated", True):
        parts.append("UNDATED replay: articles posted without published_at (dated on receipt)")
    summary = []
    anomalies: list[Anomaly] = []
    for name, data in out["datasets"].items():
        tune = data["parts"].get("tune") or {"baselines": data.get("tune_baselines", {})}
        for part in PARTS:
            if part not in data["parts"]:
                continue
            res = data["parts"][part]
            label = "HELD-OUT (headline)" if part == "heldout" else "tune"
            title = f"stories: {name} [{data['level']}] part={label} articles={res['articles']}"
            if res["failed_items"]:
                title += f" failed_items={res['failed_items']}"
            parts.append(title + "\n" + part_table(res, tune if part == "heldout" else None))
            anomalies += [_anomaly(a) for a in res["anomalies"]]
            if part == "heldout":
                summary.append(_row(f"{name} [{data['level'].split()[0]}]", res["service"]["final"]))
    if summary:
        head = ["HELD-OUT service @final", "B3 P", "B3 R", "B3 F1", "ARI", "clusters/gold"]
        parts.insert(0, report.table(head, summary))
    parts.append(report.anomaly_lines(anomalies))
    return "\n\n".join(parts)


def _anomaly(data: Mapping[str, Any]) -> Anomaly:
    """Rebuild an Anomaly from its dict form, tagged with its dataset."""
    return Anomaly(
        data["kind"], f"{data['detail']} [{data['dataset']}]", data["request"], data.get("status"), data["count"]
    )
