"""A day of SaudiNewsNet through the service, for a person to spot-check the story clusters.

Posts every article of one day (in publication order) over HTTP, then prints the largest
clusters with their members' source and title, so they can be judged right or wrong by
reading. The judged check is written down in eval/SPOTCHECK.md.

Run: ``python -m eval.saudi_day [--day 2015-07-21] [--clusters 20]``.
"""

from __future__ import annotations

import argparse

from eval import datasets
from eval.paths import data_dir
from eval.service import Target, connect, post_all


def payload(doc: datasets.Doc, position: int) -> dict[str, str]:
    item = {"id": f"snn{position}", "title": doc.title, "text": doc.text, "language": "ar"}
    if doc.source:
        item["source"] = doc.source
    if doc.published:
        item["published_at"] = doc.published[:19] + "Z"
    return item


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.saudi_day", description=__doc__.split("\n\n")[0])
    parser.add_argument("--day", default="2015-07-21", help="which daily zip (YYYY-MM-DD)")
    parser.add_argument("--clusters", type=int, default=20, help="how many of the largest clusters to print")
    parser.add_argument("--url", help="a running service instead of a fresh one")
    args = parser.parse_args()
    docs = datasets.load_saudinewsnet(data_dir(), [f"{args.day}.zip"])
    docs = sorted(docs, key=lambda d: (d.published or "", d.order))
    with connect(Target(url=args.url)) as client:
        results = post_all(client, [payload(d, i) for i, d in enumerate(docs)], batch_size=200)
        sizes: dict[str, int] = {}
        for r in results:
            if r.get("ok"):
                sizes[r["cluster_id"]] = 0
        listing = client.http.get("/v1/clusters", params={"limit": 1000, "min_size": 2}).json()["clusters"]
        ok = sum(bool(r.get("ok")) for r in results)
        print(f"{args.day}: {len(docs)} articles posted, {ok} accepted, {len(listing)} clusters of 2 or more")
        for summary in sorted(listing, key=lambda c: (-c["size"], c["id"]))[: args.clusters]:
            cluster = client.http.get(f"/v1/clusters/{summary['id']}").json()
            print(f"\n## {cluster['id']} size={cluster['size']} sources={len(cluster['sources'])}")
            for m in cluster["members"]:
                mark = f" (dup of {m['duplicate_of']})" if m["duplicate_of"] else ""
                print(f"- [{m['source']}] {m['title']}{mark}")


if __name__ == "__main__":
    main()
