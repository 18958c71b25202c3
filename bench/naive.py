"""The naive datasketch pipeline, run as a child process so its memory is measured alone.

``python -m bench.naive --n N --seed S`` prints one JSON object: the articles/s of word
5-gram shingles → ``MinHash(num_perm=128).update_batch`` → ``MinHashLSH(threshold=0.5)``
query + insert, and the RSS the index added per article.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Iterator, Sequence

from datasketch import MinHash, MinHashLSH

from bench.corpus import load_saudinewsnet
from bench.paths import saudinewsnet_dir
from bench.service import rss_bytes
from bench.stream import ArticleStream

NUM_PERM = 128
SHINGLE = 5
CHUNK = 1000


def word_shingles(text: str, size: int = SHINGLE) -> list[bytes]:
    """Whitespace words joined in ``size``-grams, UTF-8 encoded (one shingle for short texts)."""
    words = text.split()
    if len(words) <= size:
        return [" ".join(words).encode("utf-8")]
    return [" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)]


def chunks(stream: ArticleStream, n: int) -> Iterator[list[str]]:
    """The texts of the first ``n`` stream articles, ``CHUNK`` at a time (lazy)."""
    for batch in stream.batches(0, n, CHUNK):
        yield [post["text"] for post in batch]


def index_chunk(lsh: MinHashLSH, texts: Sequence[str], first_key: int) -> int:
    """Query then insert each text; the number of texts that had a candidate."""
    hits = 0
    for offset, text in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(word_shingles(text))
        hits += bool(lsh.query(m))
        lsh.insert(first_key + offset, m, check_duplication=False)
    return hits


def measure(stream: ArticleStream, n: int) -> dict[str, float | int]:
    """Time only the indexing (not the stream's generation); RSS growth of the index."""
    lsh = MinHashLSH(threshold=0.5, num_perm=NUM_PERM)
    gc.collect()
    rss_before = rss_bytes(os.getpid())
    seconds, done, hits = 0.0, 0, 0
    for texts in chunks(stream, n):
        started = time.perf_counter()
        hits += index_chunk(lsh, texts, done)
        seconds += time.perf_counter() - started
        done += len(texts)
    gc.collect()
    grown = rss_bytes(os.getpid()) - rss_before
    return {
        "articles": done,
        "seconds": round(seconds, 3),
        "articles_per_s": round(done / seconds, 1) if seconds else 0.0,
        "rss_added_bytes": grown,
        "rss_bytes_per_article": round(grown / done, 1) if done else 0.0,
        "with_candidates": hits,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    stream = ArticleStream(load_saudinewsnet(saudinewsnet_dir()), args.seed)
    print(json.dumps(measure(stream, args.n)))


if __name__ == "__main__":
    main()
