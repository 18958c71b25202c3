"""The pool of distinct article bodies that the synthetic stream republishes.

Gold labels are only as clean as the pool: two dataset articles that already carry the same
writing (wire copies reprinted by several outlets, re-crawled pages) would be "different
bodies" in the gold while being true duplicates. Such groups are dropped whole here.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from datasketch import MinHashLSH

from eval import datasets, textproc

MAX_BODY_CHARS = 12_000
"""Longer bodies are cut at a paragraph end: news-sized pages, bounded request sizes."""

SAUDI_ZIPS = 3
"""How many daily SaudiNewsNet zips feed the Arabic pool (about 4,500 articles)."""

NEAR_DUP_THRESHOLD = 0.3
"""Jaccard of folded word-3-grams above which two pool bodies count as the same writing."""


@dataclass(frozen=True)
class Body:
    """One distinct piece of writing: headline and paragraphs, with its dataset key."""

    key: str
    dataset: str
    lang: str
    title: str
    paras: tuple[str, ...]


def slice_of(key: str) -> str:
    """Deterministic tune/heldout assignment of a dataset key (hash, not position)."""
    return "tune" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


def cap_paragraphs(paras: Sequence[str], limit: int = MAX_BODY_CHARS) -> tuple[str, ...]:
    """Keep whole paragraphs while the running length stays within ``limit`` (at least one)."""
    kept: list[str] = []
    total = 0
    for para in paras:
        if kept and total + len(para) > limit:
            break
        kept.append(para)
        total += len(para)
    return tuple(kept)


def to_body(doc: datasets.Doc) -> Body:
    """Turn a dataset record into a Body (headline line removed, length capped)."""
    return Body(doc.key, doc.dataset, doc.lang, doc.title, cap_paragraphs(datasets.body_paragraphs(doc)))


def usable(body: Body, min_chars: int) -> bool:
    """A body needs a headline and at least ``min_chars`` characters of text."""
    return bool(body.title) and sum(len(p) for p in body.paras) >= min_chars


def drop_shared_groups(bodies: Sequence[Body]) -> list[Body]:
    """Drop every body whose folded 300-char prefix or folded title occurs more than once."""
    keys = [(textproc.prefix_key(" ".join(b.paras)), textproc.fold(b.title)) for b in bodies]
    prefixes = Counter(k[0] for k in keys)
    titles = Counter(k[1] for k in keys)
    return [b for b, (p, t) in zip(bodies, keys, strict=True) if prefixes[p] == 1 and titles[t] == 1]


@lru_cache(maxsize=4)
def clean_pool(data_root: Path, min_chars: int) -> tuple[Body, ...]:
    """All usable bodies of both languages (both slices), shared-writing groups removed."""
    saudi_days = datasets.saudi_zip_names(data_root)[:SAUDI_ZIPS]
    docs = (
        datasets.load_saudinewsnet(data_root, saudi_days)
        + datasets.load_giveme5w1h(data_root)
        + datasets.load_wikiref(data_root)
        + datasets.load_newswcl50(data_root)
    )
    bodies = [b for b in map(to_body, docs) if usable(b, min_chars)]
    arabic = drop_shared_groups([b for b in bodies if b.lang == "ar"])
    english = drop_shared_groups([b for b in bodies if b.lang == "en"])
    return tuple(arabic + english)


def candidate_order(pool: Sequence[Body], lang: str, part: str, rng: random.Random) -> list[Body]:
    """Bodies of one language and slice in draw order: Giveme5W1H before other English sets.

    Giveme5W1H alone has too few usable bodies for two English halves of 200, so WikiRef220
    and NewsWCL50 top it up; taking Giveme5W1H first keeps it the main English source.
    """
    mine = [b for b in pool if b.lang == lang and slice_of(b.key) == part]
    rng.shuffle(mine)
    return sorted(mine, key=lambda b: b.dataset not in ("saudinewsnet", "giveme5w1h"))


def take_distinct(candidates: Sequence[Body], count: int) -> list[Body]:
    """Take up to ``count`` bodies, skipping any that shares writing with one already taken."""
    lsh = MinHashLSH(threshold=NEAR_DUP_THRESHOLD, num_perm=64)
    taken: list[Body] = []
    for body in candidates:
        if len(taken) == count:
            break
        shingles = textproc.shingles(textproc.folded_tokens(" ".join(body.paras)), 3)
        sig = textproc.minhash(shingles, num_perm=64, hashfunc=textproc.crc32)
        if lsh.query(sig):
            continue
        lsh.insert(body.key, sig)
        taken.append(body)
    return taken


def select_bodies(
    data_root: Path, part: str, per_lang: dict[str, int], rng: random.Random, min_chars: int
) -> list[Body]:
    """Draw the slice's bodies per language; raise if the pool cannot supply enough."""
    pool = clean_pool(data_root, min_chars)
    chosen: list[Body] = []
    for lang in sorted(per_lang):
        got = take_distinct(candidate_order(pool, lang, part, rng), per_lang[lang])
        if len(got) < per_lang[lang]:
            raise ValueError(
                f"only {len(got)} distinct {lang} bodies available for slice {part!r}, {per_lang[lang]} requested"
            )
        chosen += got
    rng.shuffle(chosen)
    return chosen
