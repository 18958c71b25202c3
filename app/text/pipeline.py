"""From a posted page to what the index compares: cleaned text, tokens and shingle hashes.

Every function here is pure: same input and config, same output. The config is built once
at start-up (stoplists are read from jusText's package data) and passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import chain

from app.text.chrome import ChromeConfig, make_blocks, strip_chrome
from app.text.extract import Extracted, extractable, html_to_text, visible_text
from app.text.language import detect_language, load_stopwords, primary_tag
from app.text.normalize import collapse_space
from app.text.shingle import U32, shingle_hashes


@dataclass(frozen=True)
class TextConfig:
    """Parameters of the text pipeline; part of what fingerprints depend on."""

    shingle_size: int = 5
    chrome: ChromeConfig = field(default_factory=ChromeConfig)
    stopwords: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def default(cls, shingle_size: int = 5) -> TextConfig:
        """The configuration the service runs with, stoplists loaded."""
        return cls(shingle_size=shingle_size, stopwords=load_stopwords())


@dataclass(frozen=True)
class CleanText:
    """An article's text with site chrome removed, its normalised tokens, and the keys of
    every distinct line of the page (the evidence its source's template is learned from)."""

    language: str | None
    text: str
    tokens: tuple[str, ...]
    line_keys: tuple[int, ...] = ()


def clean_text(raw: str, language: str | None, cfg: TextConfig, template: frozenset[int] = frozenset()) -> CleanText:
    """Detect the language when not given, drop site chrome, normalise and tokenise."""
    lang = primary_tag(language) or detect_language(raw)
    page = make_blocks(raw, cfg.stopwords.get(lang or ""))
    blocks = strip_chrome(page, cfg.chrome, template)
    tokens = tuple(chain.from_iterable(block.tokens for block in blocks))  # no Python frame per token
    keys = tuple(dict.fromkeys(b.key for b in page))
    return CleanText(lang, "\n".join(b.text for b in blocks), tokens, keys)


# Below this share of an extractor's words left by the chrome step, the extractor is trusted:
# short news items are all short blocks, and the step would leave next to nothing of them.
MIN_KEPT_OF_EXTRACTED = 0.5
# From this share of an extractor's text in lines that are links on, the text is a page's lists
# of links, not a short item: the extractor falls back to them on a front or section page, where
# it finds no article. What is left of it then gets no leniency: the chrome step alone decides,
# and usually leaves nothing (422 empty_text). Chosen as "mostly links" beforehand: on L3S-GN1's
# first 150 pages 0.5 and 0.9 gave the same text.
MAX_LINK_SHARE_OF_EXTRACTED = 0.5


@dataclass(frozen=True)
class PageText:
    """What the chrome step reads of an HTML page: the extractor's main text without the lines
    that are links, or the page's visible text when the extractor finds nothing. It does not
    depend on the source's template, so a page cleaned again after its template grew starts from
    here, not from the HTML again (the extractor is nearly all of an HTML page's cost)."""

    text: str
    by_extractor: bool  # the extractor's text of an article, not of lists of links: refined leniently
    title: str | None  # the page's own title, when it was asked for and found


def page_text(html: str, title: bool = True) -> PageText:
    """The text of an HTML page, and its title if ``title``: the extractor's main text without
    the lines that are links, or, when the extractor finds nothing or the page has too many tags
    for it, its visible text."""
    extracted = html_to_text(html, title) if extractable(html) else Extracted("", None)
    if not extracted.text.strip():
        return PageText(visible_text(html), False, extracted.title)
    text, link_share = without_link_lines(extracted.text, extracted.links)
    return PageText(text, link_share < MAX_LINK_SHARE_OF_EXTRACTED, extracted.title)


def without_link_lines(text: str, links: frozenset[str]) -> tuple[str, float]:
    """``text`` without its lines that are the whole text of one of ``links`` (the extractor
    keeps lists of related headlines, tags and "read more" links that sit inside the article's
    element), and the share of its characters those lines held."""
    kept: list[str] = []
    total = dropped = 0
    for line in text.splitlines():
        words = collapse_space(line)
        total += len(words)
        if words in links:
            dropped += len(words)
        else:
            kept.append(line)
    return "\n".join(kept), dropped / total if total else 0.0


def clean_page(
    page: PageText, language: str | None, cfg: TextConfig, template: frozenset[int] = frozenset()
) -> CleanText:
    """Clean the text of an HTML page: the extractor's text refined by the chrome step, unless
    the step would leave too little of it; the page's visible text, or an extractor's text that
    was mostly links, through the chrome step alone."""
    refined = clean_text(page.text, language, cfg, template)
    if not page.by_extractor:
        return refined
    lenient_cfg = replace(cfg, chrome=replace(cfg.chrome, heuristics=False))
    lenient = clean_text(page.text, refined.language, lenient_cfg, template)
    enough = len(refined.tokens) >= MIN_KEPT_OF_EXTRACTED * len(lenient.tokens)
    return refined if enough else lenient


def clean_html(
    html: str, language: str | None, cfg: TextConfig, template: frozenset[int] = frozenset(), title: bool = True
) -> tuple[CleanText, str | None]:
    """Clean an HTML page, and find its title if ``title``."""
    page = page_text(html, title)
    return clean_page(page, language, cfg, template), page.title


def exact_key(clean: CleanText) -> str:
    """Equal for two texts whose normalised words are equal: the exact-duplicate short cut."""
    return hashlib.sha1(" ".join(clean.tokens).encode("utf-8")).hexdigest()


def shingles(clean: CleanText, cfg: TextConfig) -> U32:
    """Hashes of the word shingles that near-duplicate detection compares."""
    return shingle_hashes(clean.tokens, cfg.shingle_size)
