from __future__ import annotations

import pytest

from app.text.language import detect_language, primary_tag


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The council met on Monday to discuss the new budget for roads and schools.", "en"),
        ("اجتمع المجلس يوم الاثنين لمناقشة الميزانية الجديدة للطرق والمدارس في المدينة", "ar"),
        ("Le conseil s'est réuni lundi pour discuter du nouveau budget des routes et des écoles.", "fr"),
        ("12 345 — 678 / 90 !!", None),  # no letters: nothing to tell
        (" ".join("abcdefghijklmnopqrs"), None),  # 19 letters: too few
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_twenty_letters_are_enough_to_try() -> None:
    assert detect_language(" ".join("abcdefghijklmnopqrst")) is not None


@pytest.mark.parametrize(
    ("tag", "expected"), [("ar-SA", "ar"), ("EN-gb", "en"), ("arz", "ar"), ("", None), (None, None)]
)
def test_primary_tag(tag: str | None, expected: str | None) -> None:
    assert primary_tag(tag) == expected
