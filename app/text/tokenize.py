"""Word tokens for Arabic, Latin, Cyrillic and other space-separated scripts; CJK per character."""

from __future__ import annotations

import re

# Ideographs and kana carry no spaces between words: each character is a token.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


def tokenize(normalized: str) -> list[str]:
    """Split normalised text into word tokens, dropping punctuation and symbols."""
    return _TOKEN.findall(normalized)
