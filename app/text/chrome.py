"""Site-chrome removal for crawled page text: keep the article, drop menus, lists and footers.

Menus, "related news" lists, comment forms and footers are made of short lines with few
function words, while article prose is long lines dense in them. Each line (block) is
classified on its own features, then uncertain blocks take the class of their neighbours,
as in jusText (Pomikálek, 2011), whose stoplists we use. Works on plain text, where there
is no markup to lean on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from app.text.normalize import collapse_space, normalize
from app.text.tokenize import tokenize


class Kind(Enum):
    GOOD = "good"
    NEAR_GOOD = "near_good"
    SHORT = "short"
    BAD = "bad"


@dataclass(frozen=True)
class ChromeConfig:
    """Thresholds of the block classifier (lengths in characters of normalised text)."""

    length_low: int = 70
    length_high: int = 200
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32
    # Without a stoplist for the language, prose is told by length alone.
    length_only_good: int = 250
    # A run of prose-like blocks this long (characters) is article text even if no block is.
    run_length_good: int = 400
    # Off: only repeated and template lines go (for text a main-text extractor already chose).
    heuristics: bool = True


# Footers and forms: copyright lines, "all rights reserved", form texts. Matched on normalised
# (case-folded) text, so without IGNORECASE, which would keep re from skipping ahead to the
# first letters of the phrases (ten times slower); [iı] keeps what IGNORECASE matched, since
# the dotless ı is the one letter case folding leaves that IGNORECASE takes for an i.
_BOILERPLATE = re.compile(
    r"©|\(c\)|copyr[iı]ght|all r[iı]ghts reserved|جميع الحقوق|حقوق النشر|"
    r"secur[iı]ty code|characters left|terms of (use|serv[iı]ce)|pr[iı]vacy pol[iı]cy"
)
# A required-field label: a short line ending in an asterisk.
_REQUIRED_FIELD = re.compile(r"\S.{0,40}\*")


def is_boilerplate(normalized: str) -> bool:
    """A footer or form line (``normalized`` as :func:`normalize` returns it)."""
    if _BOILERPLATE.search(normalized):
        return True
    return len(normalized) <= 42 and normalized.endswith("*") and _REQUIRED_FIELD.fullmatch(normalized) is not None


_SENTENCE_END = re.compile(r"[.!?؟。।][\"'”’»)\]]*$")
# A full stop inside the line, after a word and before the next one (not an ellipsis "..").
_SENTENCE_BREAK = re.compile(r"\w(?<![.])[.!?؟。।](?![.])[\"'”’»)\]]*\s+\w")


@dataclass(frozen=True)
class Block:
    """One line of page text with the features the classifier uses."""

    text: str
    normalized: str
    tokens: tuple[str, ...]
    stop_density: float | None
    key: int  # 64-bit hash of the normalised line: how a source's template remembers it


def line_key(normalized: str) -> int:
    """Stable 64-bit key of a normalised line (signed, to fit an SQLite integer)."""
    return int.from_bytes(hashlib.blake2b(normalized.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def make_blocks(text: str, stopwords: frozenset[str] | None) -> list[Block]:
    """Split page text into non-empty lines with their normalised tokens and stopword density."""
    blocks = []
    for line in text.splitlines():
        normalized = normalize(line)
        if not normalized:
            continue
        tokens = tuple(tokenize(normalized))
        density = None
        if stopwords is not None and tokens:
            density = sum(map(stopwords.__contains__, tokens)) / len(tokens)
        blocks.append(Block(collapse_space(line), normalized, tokens, density, line_key(normalized)))
    return blocks


def reads_as_prose(normalized: str) -> bool:
    """Prose holds whole sentences: it ends with a full stop, or has one inside when the end
    was cut off. Headlines and menu items have neither."""
    return bool(_SENTENCE_END.search(normalized) or _SENTENCE_BREAK.search(normalized))


def classify(block: Block, cfg: ChromeConfig) -> Kind:
    """Context-free class of one block."""
    text, length = block.normalized, len(block.normalized)
    if not block.tokens or is_boilerplate(text) or (text.endswith("...") and length < cfg.length_high):
        return Kind.BAD  # footers, form labels, and teasers cut off with an ellipsis
    if length < cfg.length_low:
        return Kind.SHORT
    prose = reads_as_prose(text)
    if block.stop_density is None:
        return Kind.GOOD if prose and length >= cfg.length_only_good else Kind.NEAR_GOOD if prose else Kind.SHORT
    if block.stop_density >= cfg.stopwords_high and length > cfg.length_high:
        return Kind.GOOD if prose else Kind.NEAR_GOOD
    if block.stop_density >= cfg.stopwords_low or prose:
        # A lead paragraph full of names is still prose: let its neighbours decide.
        return Kind.NEAR_GOOD if prose else Kind.SHORT
    return Kind.BAD


def promote_runs(kinds: Sequence[Kind], lengths: Sequence[int], cfg: ChromeConfig) -> list[Kind]:
    """Consecutive prose-like blocks with no good one among them, but long together, are good.

    News is often written in one- or two-sentence paragraphs, none long enough alone; a
    menu or a teaser list rarely runs that long without a short line in between.
    """
    promoted = list(kinds)
    start = 0
    while start < len(kinds):
        end = start
        while end < len(kinds) and kinds[end] in (Kind.GOOD, Kind.NEAR_GOOD):
            end += 1
        if end > start and sum(lengths[start:end]) >= cfg.run_length_good:
            promoted[start:end] = [Kind.GOOD] * (end - start)
        start = end + 1
    return promoted


def _decisive_before(kinds: Sequence[Kind]) -> list[Kind]:
    """For each block, the nearest GOOD or BAD class before it; the page edge counts as BAD."""
    nearest, last = [], Kind.BAD
    for kind in kinds:
        nearest.append(last)
        if kind in (Kind.GOOD, Kind.BAD):
            last = kind
    return nearest


def resolve(kinds: Sequence[Kind]) -> list[bool]:
    """Keep mask after context: uncertain blocks between two good ones are kept.

    A near-good block is kept when either side is good; a short block only when both are.
    The nearest decisive class on each side comes from one pass each way: a walk out from every
    uncertain block was quadratic, most of the 2.9 s an L3S page of 1,950 lines took to prepare.
    """
    before, after = _decisive_before(kinds), _decisive_before(kinds[::-1])[::-1]
    keep = []
    for kind, left, right in zip(kinds, before, after, strict=True):
        if kind in (Kind.GOOD, Kind.BAD):
            keep.append(kind is Kind.GOOD)
        elif kind is Kind.NEAR_GOOD:
            keep.append(Kind.GOOD in (left, right))
        else:
            keep.append(left is Kind.GOOD and right is Kind.GOOD)
    return keep


def drop_repeats(blocks: Sequence[Block]) -> list[Block]:
    """Drop a block whose text already appeared on the page (repeated titles, doubled menus)."""
    seen: set[str] = set()
    unique = []
    for block in blocks:
        if block.normalized not in seen:
            seen.add(block.normalized)
            unique.append(block)
    return unique


def strip_chrome(blocks: Sequence[Block], cfg: ChromeConfig, template: frozenset[int] = frozenset()) -> list[Block]:
    """The blocks that read as article text, in page order.

    ``template`` holds the keys of lines the page's source repeats on its pages (learned while
    running, see app.templates): they are chrome whatever they look like.
    """
    unique = drop_repeats(blocks)
    if not cfg.heuristics:
        return [b for b in unique if b.key not in template]
    kinds = [Kind.BAD if b.key in template else classify(b, cfg) for b in unique]
    keep = resolve(promote_runs(kinds, [len(b.normalized) for b in unique], cfg))
    if not any(keep):  # a one-paragraph item: its prose-like blocks are all the article there is
        keep = [kind is Kind.NEAR_GOOD for kind in kinds]
    if not any(keep):
        # A brief of one sentence without its full stop (feeds cut them so): a line long
        # enough to be a sentence, not rejected outright, is all the article there is.
        keep = [k is Kind.SHORT and len(b.normalized) >= cfg.length_low for k, b in zip(kinds, unique, strict=True)]
    return [b for b, k in zip(unique, keep, strict=True) if k]
