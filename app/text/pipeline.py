"""From a posted page to what the index compares: cleaned text, tokens and shingle hashes.

Every function here is pure: same input and config, same output. The config is built once
at start-up (stoplists are read from jusText's package data) and passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from app.text.chrome import ChromeConfig, make_blocks, strip_chrome
from app.text.extract import Extracted, extractable, html_to_text, visible_text
from app.text.language import detect_language, load_stopwords, primary_tag
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
    tokens = tuple(tok for block in blocks for tok in block.tokens)
    keys = tuple(dict.fromkeys(b.key for b in page))
    return CleanText(lang, "\n".join(b.text for b in blocks), tokens, keys)


# Below this share of an extractor's words left by the chrome step, the extractor is trusted:
# short news items are all short blocks, and the step would leave next to nothing of them.
MIN_KEPT_OF_EXTRACTED = 0.5


def clean_html(
    html: str, language: str | None, cfg: TextConfig, template: frozenset[int] = frozenset(), title: bool = True
) -> tuple[CleanText, str | None]:
    """Clean an HTML page, and find its title if ``title``: the extractor's main text refined
    by the chrome step, or, when the extractor finds nothing or the page has too many tags for
    it, the page's visible text through the chrome step."""
    extracted = html_to_text(html, title) if extractable(html) else Extracted("", None)
    if not extracted.text.strip():
        return clean_text(visible_text(html), language, cfg, template), extracted.title
    refined = clean_text(extracted.text, language, cfg, template)
    lenient_cfg = replace(cfg, chrome=replace(cfg.chrome, heuristics=False))
    lenient = clean_text(extracted.text, refined.language, lenient_cfg, template)
    enough = len(refined.tokens) >= MIN_KEPT_OF_EXTRACTED * len(lenient.tokens)
    return (refined if enough else lenient), extracted.title


def exact_key(clean: CleanText) -> str:
    """Equal for two texts whose normalised words are equal: the exact-duplicate short cut."""
    return hashlib.sha1(" ".join(clean.tokens).encode("utf-8")).hexdigest()


def shingles(clean: CleanText, cfg: TextConfig) -> U32:
    """Hashes of the word shingles that near-duplicate detection compares."""
    return shingle_hashes(clean.tokens, cfg.shingle_size)
