"""Unicode and Arabic normalisation, so that spelling variants of one text compare equal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Harakat, Quranic marks and the superscript alef: optional in print, so copies differ by them.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
# Format characters (zero-width joiners, direction marks, soft hyphens, BOM) are invisible noise.
_FORMAT_CHARS = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")

# Letters folded to one spelling, and digits to ASCII. Applied with one ``str.replace`` per
# pair: ``str.translate`` with a dict looks every character up in Python and cost two thirds
# of this function on Arabic text. No pair's output is another pair's input, so the order of
# the pairs does not matter and the result is that of a simultaneous translation.
_ARABIC_FOLD: tuple[tuple[str, str], ...] = tuple(
    {
        "\u0640": "",  # tatweel (kashida): a stretch, not a letter
        "\u0623": "\u0627",  # alef with hamza above → alef
        "\u0625": "\u0627",  # alef with hamza below → alef
        "\u0622": "\u0627",  # alef with madda → alef
        "\u0671": "\u0627",  # alef wasla → alef
        "\u0672": "\u0627",
        "\u0673": "\u0627",
        "\u0649": "\u064a",  # alef maqsura → yeh
        "\u06cc": "\u064a",  # Farsi yeh → yeh
        "\u06a9": "\u0643",  # keheh → kaf
        "\u0629": "\u0647",  # taa marbuta → heh
        "\u0624": "\u0648",  # waw with hamza → waw
        "\u0626": "\u064a",  # yeh with hamza → yeh
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian (extended) digits
    }.items()
)


def normalize(text: str) -> str:
    """NFKC, case folding, Arabic letter and digit folding, and collapsed white space.

    Idempotent: ``normalize(normalize(t)) == normalize(t)``.
    """
    return collapse_space(_fold(text))


def collapse_space(text: str) -> str:
    """Runs of white space as one space, none at the ends (str.split's white space is re's \\s):
    how lines are compared wherever spacing must not count (a link's text and a line of the
    extractor's text, a block's text, normalised text)."""
    return " ".join(text.split())


def normalize_many(texts: Sequence[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, folded as one text: each call costs some 5 us beyond
    its characters, and a language's word list is some 300,000 words (normalising them one by
    one took 2.7 of the 4.0 s that French's story statistics took to build, profiled). A line
    feed is a starter that no character composes with and that no fold makes or removes, so
    folding the texts joined by line feeds and splitting there again gives each text's fold."""
    if any("\n" in text for text in texts):
        return [normalize(text) for text in texts]
    return [collapse_space(line) for line in _fold("\n".join(texts)).split("\n")] if texts else []


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKC", text)  # case folding can leave non-NFKC sequences
    text = _FORMAT_CHARS.sub("", text)
    text = _ARABIC_MARKS.sub("", text)
    if not text.isascii():  # nothing to fold in ASCII text
        for letter, folded in _ARABIC_FOLD:
            text = text.replace(letter, folded)
    return text
