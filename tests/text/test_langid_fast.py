from __future__ import annotations

import random

import numpy as np
import py3langid
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import LanguageIdentifier, visit_counts

from app.text.langid_fast import WINDOW, classify, feature_counts, model

TEXTS = [
    ("arabic", "أعلنت وزارة الصحة السعودية اليوم عن افتتاح مستشفى جديد في مدينة الرياض بسعة ثلاثمائة سرير."),
    ("english", "The ministry announced on Monday that the new hospital in Riyadh will open next spring."),
    ("french", "Le ministère a annoncé lundi que le nouvel hôpital ouvrira ses portes au printemps."),
    ("russian", "Министерство объявило в понедельник, что новая больница откроется весной."),
    ("persian", "وزارت بهداشت روز دوشنبه اعلام کرد که بیمارستان جدید در بهار افتتاح می‌شود."),
    ("urdu", "وزارت صحت نے پیر کو اعلان کیا کہ نیا ہسپتال موسم بہار میں کھلے گا۔"),
    ("chinese", "卫生部周一宣布，新医院将于明年春天开业。"),
    ("greek", "Το υπουργείο ανακοίνωσε τη Δευτέρα ότι το νέο νοσοκομείο θα ανοίξει την άνοιξη."),
    ("upper case", "BREAKING NEWS: THE MINISTRY ANNOUNCED A NEW HOSPITAL"),
    ("mixed", "قال الوزير في مؤتمر صحفي (press conference) إن المشروع سيكتمل عام 2025."),
    ("digits and symbols", "12:45 — 3.5% ++ 100,000 $"),
    ("one letter", "a"),
    ("empty", ""),
]


@pytest.mark.parametrize(("what", "text"), TEXTS)
def test_classify_names_what_py3langid_names(what: str, text: str) -> None:
    assert classify(text) == py3langid.classify(text)[0], what


@pytest.mark.parametrize(("what", "text"), TEXTS)
def test_features_are_the_library_walks_features(what: str, text: str) -> None:
    ident = py3langid.langid._get_identifier()
    data = LanguageIdentifier._encode(text)
    expected = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data) or {}
    features, counts = feature_counts(model(), data)
    assert list(expected.items()) == list(zip(features.tolist(), counts.astype(int).tolist(), strict=True)), what


def mixed_text(seed: int, length: int) -> str:
    """Random runs of letters from several scripts, spaces and punctuation."""
    rng = random.Random(seed)
    alphabets = ["abcdefghij klmnop", "ابتثجحخدذرزس شصضطظ", "абвгдежзий клмн", "αβγδεζηθ ικλμ", "の日本語中文 "]
    alphabets.append(".,!?-0123")
    return "".join(rng.choice(rng.choice(alphabets)) for _ in range(length))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 400))
def test_classify_agrees_on_random_mixed_text(seed: int, length: int) -> None:
    text = mixed_text(seed, length)
    assert classify(text) == py3langid.classify(text)[0]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 3000))
def test_features_and_their_order_agree_on_random_mixed_text(seed: int, length: int) -> None:
    """Long samples repeat features many times: counts and first-occurrence order must hold."""
    ident = py3langid.langid._get_identifier()
    data = LanguageIdentifier._encode(mixed_text(seed, length))
    expected = visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, data) or {}
    features, counts = feature_counts(model(), data)
    assert list(expected.items()) == list(zip(features.tolist(), counts.astype(int).tolist(), strict=True))


def test_no_feature_is_longer_than_the_window() -> None:
    """The vectorised walk is exact only if every automaton state is at most WINDOW bytes deep."""
    m = model()
    depth = np.full(len(m.row_base), -1)
    depth[0] = 0
    frontier, level = np.array([0]), 0
    while len(frontier):
        level += 1
        reached = np.unique(m.next_state[(m.row_base[frontier, None] + np.arange(256)).ravel()])
        frontier = reached[depth[reached] < 0]
        depth[frontier] = level
    assert depth.min() >= 0
    assert depth.max() <= WINDOW
