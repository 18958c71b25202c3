"""Edits that turn one body into a near-duplicate copy, as republishing sites do.

Each edit is a pure function ``(paragraphs, rng, context) -> paragraphs``: it never mutates
its input and draws all randomness from the ``random.Random`` it is given, so a stream
built from the same seed is identical byte for byte. An edit that finds nothing to change
returns an equal list; ``apply_edits`` only records edits that changed something.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eval import vocab


@dataclass(frozen=True)
class EditContext:
    """What an edit may need besides the text: the language and another stream title."""

    lang: str
    other_title: str = ""


Edit = Callable[[list[str], random.Random, EditContext], list[str]]

HARAKAT = "\u064e\u064f\u0650\u0652\u064b\u064c\u064d"
SHADDA = "\u0651"
ARABIC_LETTER = re.compile("[\u0621-\u063a\u0641-\u064a]")
WESTERN_DIGITS = "0123456789"
INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


def drop_paragraph(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Drop one non-lead paragraph that holds at most a third of the text (keeps it a copy)."""
    total = sum(len(p) for p in paras)
    candidates = [i for i in range(1, len(paras)) if len(paras[i]) <= total / 3]
    if len(paras) < 3 or not candidates:
        return list(paras)
    drop = rng.choice(candidates)
    return [p for i, p in enumerate(paras) if i != drop]


def truncate_end(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Cut the end, keeping 60-90% of the characters, at a word boundary (teaser copies)."""
    budget = int(sum(len(p) for p in paras) * rng.uniform(0.6, 0.9))
    kept: list[str] = []
    for para in paras:
        if len(para) <= budget:
            kept.append(para)
            budget -= len(para)
            continue
        cut = para[:budget].rsplit(" ", 1)[0].rstrip()
        if cut:
            kept.append(cut + rng.choice(["", "...", " …"]))
        break
    return kept or list(paras[:1])


def add_dateline(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Prefix the lead with a wire dateline such as ``CITY (Agency) -``."""
    if not paras:
        return []
    pattern = rng.choice(vocab.DATELINE_FORMS[ctx.lang])
    line = pattern.format(city=rng.choice(vocab.CITIES[ctx.lang]), agency=rng.choice(vocab.AGENCIES[ctx.lang]))
    return [f"{line} {paras[0]}", *paras[1:]]


def insert_read_also(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Insert an inline "read also: <other title>" line between two paragraphs."""
    if len(paras) < 2 or not ctx.other_title:
        return list(paras)
    line = rng.choice(vocab.READ_ALSO[ctx.lang]).format(title=ctx.other_title)
    at = rng.randrange(1, len(paras))
    return [*paras[:at], line, *paras[at:]]


def add_diacritics(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Vocalise 10-35% of Arabic words with one or two harakat (shadda sometimes)."""
    rate = rng.uniform(0.10, 0.35)
    return [_vocalise(p, rng, rate) for p in paras]


def _vocalise(text: str, rng: random.Random, rate: float) -> str:
    """Add marks after random letters of randomly chosen Arabic words of one paragraph."""
    words = text.split(" ")
    for i, word in enumerate(words):
        letters = [m.start() for m in ARABIC_LETTER.finditer(word)]
        if letters and rng.random() < rate:
            chosen = set(rng.sample(letters, min(len(letters), rng.randint(1, 2))))
            words[i] = "".join(ch + (_marks(rng) if j in chosen else "") for j, ch in enumerate(word))
    return " ".join(words)


def _marks(rng: random.Random) -> str:
    """One haraka, sometimes preceded by a shadda."""
    return (SHADDA if rng.random() < 0.15 else "") + rng.choice(HARAKAT)


_HAMZA_OFF = {"أ": "ا", "إ": "ا", "آ": "ا"}
_FINAL_SWAP = {"ى": "ي", "ي": "ى", "ة": "ه"}


def vary_alef_hamza(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Drop or add hamza on initial alef and swap final ya/alef maqsura/ta marbuta forms."""
    rate = rng.uniform(0.3, 0.9)
    return [" ".join(_vary_word(w, rng, rate) for w in p.split(" ")) for p in paras]


def _vary_word(word: str, rng: random.Random, rate: float) -> str:
    """Apply the spelling variants to one word, each with probability ``rate``."""
    if word and word[0] in _HAMZA_OFF and rng.random() < rate:
        word = _HAMZA_OFF[word[0]] + word[1:]
    elif word.startswith("ا") and not word.startswith("ال") and rng.random() < rate / 3:
        word = "أ" + word[1:]
    if len(word) > 2 and word[-1] in _FINAL_SWAP and rng.random() < rate:
        word = word[:-1] + _FINAL_SWAP[word[-1]]
    return word


def swap_digits(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Write Western digits as Arabic-Indic ones, or the other way if there are none."""
    text = "\n".join(paras)
    if any(d in text for d in WESTERN_DIGITS):
        table = str.maketrans(WESTERN_DIGITS, INDIC_DIGITS)
    else:
        table = str.maketrans(INDIC_DIGITS, WESTERN_DIGITS)
    return [p.translate(table) for p in paras]


def reflow_paragraphs(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Merge adjacent paragraphs or split one at a sentence end, one to three times."""
    out = list(paras)
    for _ in range(rng.randint(1, 3)):
        out = _merge_two(out, rng) if rng.random() < 0.5 else _split_one(out, rng)
    return out


def _merge_two(paras: list[str], rng: random.Random) -> list[str]:
    """Join paragraph i and i+1 with a space."""
    if len(paras) < 2:
        return paras
    i = rng.randrange(len(paras) - 1)
    return [*paras[:i], f"{paras[i]} {paras[i + 1]}", *paras[i + 2 :]]


def _split_one(paras: list[str], rng: random.Random) -> list[str]:
    """Split one paragraph at a random sentence end, if it has two sentences."""
    splittable = [i for i, p in enumerate(paras) if len(_SENTENCE_END.split(p)) > 1]
    if not splittable:
        return paras
    i = rng.choice(splittable)
    sentences = _SENTENCE_END.split(paras[i])
    at = rng.randrange(1, len(sentences))
    head, tail = " ".join(sentences[:at]), " ".join(sentences[at:])
    return [*paras[:i], head, tail, *paras[i + 1 :]]


def perturb_whitespace(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Double spaces, no-break spaces, tabs and padding, as CMS exports leave them."""
    return [_pad(_respace(p, rng), rng) for p in paras]


def _respace(text: str, rng: random.Random) -> str:
    """Replace about a tenth of the spaces by a different whitespace run."""
    runs = ["  ", "\u00a0", " \t", "   "]
    return "".join(rng.choice(runs) if ch == " " and rng.random() < 0.1 else ch for ch in text)


def _pad(text: str, rng: random.Random) -> str:
    """Sometimes add leading or trailing spaces to a paragraph."""
    return " " * rng.choice([0, 0, 1, 2]) + text + " " * rng.choice([0, 0, 1, 3])


_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def swap_quotes(paras: list[str], rng: random.Random, ctx: EditContext) -> list[str]:
    """Straighten curly quotes, or curl straight double quotes when there are none."""
    text = "\n".join(paras)
    if any(q in text for q in "\u201c\u201d\u2018\u2019"):
        return [p.translate(_CURLY) for p in paras]
    return [_curl(p) for p in paras]


def _curl(text: str) -> str:
    """Turn straight double quotes into alternating opening/closing curly ones."""
    parts = text.split('"')
    return "".join(part + ("\u201c" if i % 2 == 0 else "\u201d") for i, part in enumerate(parts[:-1])) + parts[-1]


EDITS: dict[str, Edit] = {
    "drop_paragraph": drop_paragraph,
    "truncate_end": truncate_end,
    "dateline": add_dateline,
    "read_also": insert_read_also,
    "diacritics": add_diacritics,
    "alef_hamza": vary_alef_hamza,
    "digits": swap_digits,
    "quotes": swap_quotes,
    "reflow": reflow_paragraphs,
    "whitespace": perturb_whitespace,
}
"""All edits in the order they are applied (content first, spelling next, layout last)."""

EDITS_BY_LANG: dict[str, tuple[str, ...]] = {
    "ar": (
        "drop_paragraph",
        "truncate_end",
        "dateline",
        "read_also",
        "diacritics",
        "alef_hamza",
        "digits",
        "reflow",
        "whitespace",
    ),
    "en": ("drop_paragraph", "truncate_end", "dateline", "read_also", "quotes", "reflow", "whitespace"),
}


def apply_edits(
    paras: Sequence[str], names: Sequence[str], rng: random.Random, ctx: EditContext
) -> tuple[list[str], tuple[str, ...]]:
    """Apply the named edits in canonical order; return the text and the edits that changed it."""
    out, applied = list(paras), []
    for name, edit in EDITS.items():
        if name in names:
            changed = edit(out, rng, ctx)
            if changed != out:
                applied.append(name)
            out = changed
    return out, tuple(applied)


def choose_edits(lang: str, rng: random.Random) -> tuple[str, ...]:
    """Draw one to three distinct edit names allowed for ``lang`` (40/40/20%)."""
    count = rng.choices([1, 2, 3], weights=[4, 4, 2])[0]
    return tuple(sorted(rng.sample(EDITS_BY_LANG[lang], count)))
