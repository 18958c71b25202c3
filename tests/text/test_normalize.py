from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.text import normalize as normalize_module
from app.text.normalize import normalize, normalize_many
from app.text.tokenize import tokenize


@pytest.mark.parametrize(
    ("description", "raw", "expected"),
    [
        ("diacritics are dropped", "مُحَمَّدٌ", "محمد"),
        ("tatweel is dropped", "الـــمدرسة", "المدرسه"),
        ("alef with hamza above", "أحمد", "احمد"),
        ("alef with hamza below", "إلى", "الي"),
        ("alef with madda", "آمن", "امن"),
        ("alef maqsura becomes yeh", "مستشفى", "مستشفي"),
        ("taa marbuta becomes heh", "مدرسة", "مدرسه"),
        ("hamza on waw and yeh", "مؤتمر رئيس", "موتمر رييس"),
        ("Arabic-Indic digits", "٢٠٢٠", "2020"),
        ("Persian digits", "۱۳۹۹", "1399"),
        ("presentation forms fold by NFKC", "ﻻ", "لا"),
        ("case folding", "Straße PARIS", "strasse paris"),
        ("full-width Latin folds by NFKC", "ＡＢＣ１２", "abc12"),
        ("zero-width and direction marks vanish", "a\u200bb\u200fc", "abc"),
        ("white space collapses", "  a \t\n b  ", "a b"),
    ],
)
def test_normalize(description: str, raw: str, expected: str) -> None:
    assert normalize(raw) == expected, description


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def test_spelling_variants_of_one_arabic_sentence_compare_equal() -> None:
    plain = "اعلن الرئيس ان المؤتمر سيعقد في 2020"
    dressed = "أعلنَ الرّئيسُ أنّ المؤتمرَ سيُعقد في ٢٠٢٠"
    assert tokenize(normalize(plain)) == tokenize(normalize(dressed))


@pytest.mark.parametrize(
    ("description", "text", "tokens"),
    [
        ("Arabic words and punctuation", "قال، الوزير: «نعم».", ["قال", "الوزير", "نعم"]),
        ("Latin words, numbers, hyphens split", "covid-19 cases rose 3.5%", ["covid", "19", "cases", "rose", "3", "5"]),
        ("mixed scripts", "حفتر met lavrov", ["حفتر", "met", "lavrov"]),
        ("CJK is one token per character", "東京都 tokyo", ["東", "京", "都", "tokyo"]),
        ("underscores are separators", "a_b", ["a", "b"]),
        ("Cyrillic", "москва сегодня", ["москва", "сегодня"]),
    ],
)
def test_tokenize(description: str, text: str, tokens: list[str]) -> None:
    assert tokenize(normalize(text)) == tokens, description


# The characters normalize treats specially, and white space of every kind, so that random
# text from them hits the folds, the removals and the collapse together.
_SPECIAL = st.sampled_from(
    [chr(c) for c in range(0x0600, 0x0700)]
    + ["\u00a0", "\u2028", "\u3000", "\x1c", "\x85", "\t", "\n", "\r", " ", "\u200b", "\ufeff", "A", "ß", "1"]
)


@given(st.lists(_SPECIAL, max_size=40).map("".join))
def test_normalize_folds_as_one_simultaneous_translation(text: str) -> None:
    """The folds run as a chain of replacements; they must give what mapping every character
    at once gives (stored fingerprints were made that way), and collapse white space as
    ``re``'s ``\\s+`` does."""
    module = normalize_module
    table = str.maketrans({letter: folded or None for letter, folded in module._ARABIC_FOLD})
    reference = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    reference = module._ARABIC_MARKS.sub("", module._FORMAT_CHARS.sub("", reference)).translate(table)
    assert normalize(text) == re.sub(r"\s+", " ", reference).strip()


# Combining marks and characters that compose with them, so that a line feed between two
# texts would show if a fold reached across it; and any text at all.
_AROUND_LINE_FEEDS = st.lists(
    st.one_of(
        st.lists(
            st.sampled_from(["e", "\u0301", "\u0308", "\u1100", "\u1161", "\u0627", "\u0653", "\u0654"]), max_size=6
        ).map("".join),
        st.lists(_SPECIAL, max_size=8).map("".join),
        st.text(max_size=8),
    ),
    max_size=12,
)


@given(_AROUND_LINE_FEEDS)
def test_normalize_many_is_normalize_of_each(texts: list[str]) -> None:
    """Folded as one text, each text still folds alone (a language's word list is folded so)."""
    assert normalize_many(texts) == [normalize(text) for text in texts]
