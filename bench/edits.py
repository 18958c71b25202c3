"""Light, seeded edits that turn a source article into a near-duplicate re-post."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

_SENTENCE = re.compile(r"[^.!?؟\n]*(?:[.!?؟]+|\n+|$)\s*")
_DIGITS = re.compile(r"\d+")
_TAGLINES = (
    "تابعونا على تويتر وفيسبوك",
    "المصدر: وكالة الأنباء السعودية",
    "اقرأ أيضا في الموقع",
    "للمزيد من الأخبار زوروا موقعنا",
    "تحديث",
)

Edit = Callable[[random.Random, str], str]


def sentences(text: str) -> list[str]:
    """Pieces ending in a full stop or a line break, with their trailing space; they join back to ``text``."""
    return [piece for piece in _SENTENCE.findall(text) if piece]


def drop_sentence(rng: random.Random, text: str) -> str:
    """Remove one sentence (texts of one sentence are left alone)."""
    parts = sentences(text)
    if len(parts) < 2:
        return text
    del parts[rng.randrange(len(parts))]
    return "".join(parts)


def swap_sentences(rng: random.Random, text: str) -> str:
    """Swap two neighbouring sentences."""
    parts = sentences(text)
    if len(parts) < 2:
        return text
    i = rng.randrange(len(parts) - 1)
    parts[i], parts[i + 1] = parts[i + 1], parts[i]
    return "".join(parts)


def append_line(rng: random.Random, text: str) -> str:
    """Add a short tagline at the end, as another site would."""
    return f"{text.rstrip()}\n{rng.choice(_TAGLINES)} {rng.randrange(1000)}"


def change_digits(rng: random.Random, text: str) -> str:
    """Replace one run of digits with other digits of the same length (a tagline if there is none)."""
    runs = list(_DIGITS.finditer(text))
    if not runs:
        return append_line(rng, text)
    run = rng.choice(runs)
    digits = "".join(str(rng.randrange(10)) for _ in run.group())
    return text[: run.start()] + digits + text[run.end() :]


EDITS: tuple[Edit, ...] = (drop_sentence, swap_sentences, append_line, change_digits)


def light_edit(rng: random.Random, text: str, max_edits: int = 3) -> str:
    """Apply 1..``max_edits`` edits drawn from :data:`EDITS`."""
    for _ in range(rng.randint(1, max_edits)):
        text = rng.choice(EDITS)(rng, text)
    return text
