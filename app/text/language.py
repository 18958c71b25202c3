"""Language detection (py3langid's model, run by app.text.langid_fast) and the stopword lists
that chrome removal relies on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from itertools import islice

import justext

from app.text import langid_fast
from app.text.normalize import normalize
from app.text.tokenize import tokenize

# Arabic varieties the detector may name; the pipeline treats them as one language.
_ARABIC_VARIETIES = frozenset({"ar", "ary", "arz", "apc", "ajp", "acm", "afb", "ayl", "aeb", "arq", "ars", "acq"})

# Characters sampled: 1,000 named the same language as 1,500 for all 31,683 texts of the shared
# datasets and the 946 chrome-wrapped pages of the eval's tune stream, at 77% of the cost; 750
# differed on 2 texts (see README, "Speed and memory").
_SAMPLE = 1000
_MIN_LETTERS = 20  # below this many letters in the sample the language is not told
_LETTERS = re.compile(r"[^\W\d_]")

# ISO 639-1 code → name of jusText's stoplist, for the languages we support.
JUSTEXT_NAMES: Mapping[str, str] = {
    "ar": "Arabic", "en": "English", "fr": "French", "de": "German", "es": "Spanish",
    "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian",
    "tr": "Turkish", "fa": "Persian", "ur": "Urdu", "id": "Indonesian", "ms": "Malay",
    "pl": "Polish", "cs": "Czech", "sv": "Swedish", "da": "Danish", "no": "Norwegian_Bokmal",
    "fi": "Finnish", "el": "Greek", "ro": "Romanian", "hu": "Hungarian", "he": "Hebrew",
    "hi": "Hindi", "bn": "Bengali", "sw": "Swahili", "ca": "Catalan", "hr": "Croatian",
    "sr": "Serbian", "bg": "Bulgarian", "sk": "Slovak", "sl": "Slovenian", "vi": "Vietnamese",
    "tl": "Tagalog",
}  # fmt: skip


def detect_language(text: str) -> str | None:
    """BCP 47 primary tag of the text's language, or None when there is too little text.

    The middle of the page is sampled: it is article more often than the menus at its top, and
    a sample tells the language as well as the whole page at a fraction of the cost.
    """
    start = max(0, len(text) // 2 - _SAMPLE // 2)
    sample = text[start : start + _SAMPLE]
    if next(islice(_LETTERS.finditer(sample), _MIN_LETTERS - 1, None), None) is None:
        return None  # fewer letters than that (counted only up to there: findall cost 0.1 ms)
    code = langid_fast.classify(sample)
    return "ar" if code in _ARABIC_VARIETIES else code


def primary_tag(language: str | None) -> str | None:
    """``ar-SA`` → ``ar``: stopwords and tokenisation depend on the language, not the region."""
    if not language:
        return None
    tag = language.split("-")[0].lower()
    return "ar" if tag in _ARABIC_VARIETIES else tag


@cache
def load_stopwords() -> Mapping[str, frozenset[str]]:
    """Normalised stopword sets by language code, from jusText's stoplists (read once)."""
    available = set(justext.get_stoplists())
    lists: dict[str, frozenset[str]] = {}
    for code, name in JUSTEXT_NAMES.items():
        if name in available:
            words = {tok for word in justext.get_stoplist(name) for tok in tokenize(normalize(word))}
            lists[code] = frozenset(words)
    return lists
