"""From a posted page to what the index compares: cleaned text, tokens and shingle hashes.

Every function here is pure: same input and config, same output. The config is built once
at start-up (stoplists are read from jusText's package data) and passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.text.chrome import ChromeConfig, make_blocks, strip_chrome
from app.text.language import detect_language, load_stopwords, primary_tag
from app.text.shingle import U32, set_hashes, shingle_hashes


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


def exact_key(clean: CleanText) -> str:
    """Equal for two texts whose normalised words are equal: the exact-duplicate short cut."""
    return hashlib.sha1(" ".join(clean.tokens).encode("utf-8")).hexdigest()


def shingles(clean: CleanText, cfg: TextConfig) -> U32:
    """Hashes of the word shingles that near-duplicate detection compares."""
    return shingle_hashes(clean.tokens, cfg.shingle_size)


def story_terms(clean: CleanText, cfg: TextConfig) -> U32:
    """Hashes of the content words (no stopwords, no single letters) that stories compare."""
    stop = cfg.stopwords.get(clean.language or "", frozenset())
    return set_hashes([t for t in clean.tokens if len(t) > 1 and t not in stop])
