"""Chrome removal on the five crawled seed pages: article paragraphs kept, site chrome dropped."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.fingerprint import overlap
from app.text.chrome import Kind, is_boilerplate, resolve
from app.text.normalize import normalize
from app.text.pipeline import TextConfig, clean_text, shingles
from tests.conftest import seed_body

CFG = TextConfig.default()


@pytest.mark.parametrize("index", range(5))
def test_seed_keeps_its_article_paragraphs(seeds: list[str], index: int) -> None:
    clean = clean_text(seeds[index], None, CFG)
    kept = clean.text.splitlines()
    body = [" ".join(p.split()) for p in seed_body(seeds[index])]
    article = [p for p in body if p in kept]
    assert len(article) >= 0.8 * len(kept), "most of what is kept is article text"
    assert sum(map(len, article)) >= 0.8 * sum(len(p) for p in body if len(p) > 300), "long paragraphs survive"


@pytest.mark.parametrize(
    ("description", "line"),
    [
        ("copyright footer", "جميع الحقوق محفوظة لمجموعة العرب اليوم الاعلامية 2023 ©"),
        ("comment form field", "البريد الألكتروني *"),
        ("truncated teaser", "المغرب يجدد التأكيد أمام مجلس السلم والأمن على دعمه…"),
        ("English footer", "Copyright 2024 Example News. All rights reserved."),
    ],
)
def test_chrome_lines_are_dropped(description: str, line: str) -> None:
    paragraph = (
        "The foreign ministers met in Moscow on Monday and said that the talks would go on, "
        "because both sides wanted a ceasefire that would hold through the winter and beyond it."
    )
    clean = clean_text(f"{paragraph}\n{line}\n{paragraph} Again.", "en", CFG)
    assert line not in clean.text, description


def test_same_body_in_two_sites_chrome_matches_and_two_articles_of_one_site_do_not(seeds: list[str]) -> None:
    # seeds 0 and 3 share one site's template (almaghribtoday), 2 and 4 another (RT Arabic).
    page0, page3 = seeds[0].splitlines(), seeds[3].splitlines()
    body0 = page0[5:13]
    wrapped = "\n".join(page3[:15] + body0 + page3[32:])  # seed 0's article in seed 3's chrome
    sig = {
        name: shingles(clean_text(text, None, CFG), CFG)
        for name, text in {"0": seeds[0], "3": seeds[3], "2": seeds[2], "4": seeds[4], "wrapped": wrapped}.items()
    }
    assert overlap(sig["0"], sig["wrapped"]).jaccard >= 0.9
    assert overlap(sig["3"], sig["wrapped"]).jaccard < 0.1
    assert overlap(sig["0"], sig["3"]).jaccard < 0.1
    assert overlap(sig["2"], sig["4"]).jaccard < 0.1


def test_text_without_article_is_empty() -> None:
    menu = "Home\nWorld\nSports\nContact us\nPrivacy policy"
    assert clean_text(menu, "en", CFG).tokens == ()


def test_a_one_sentence_brief_without_its_full_stop_is_kept() -> None:
    # As posted in Giveme5W1H: a news brief cut before its full stop, and a source line.
    sentence = (
        "A gunman killed more than 50 people at an open-air concert in Las Vegas, "
        "firing down on them from a hotel across the street"
    )
    assert clean_text(f"{sentence}\n\nSource: CNN", "en", CFG).text == sentence
    assert clean_text(f"Home\nWorld\n{sentence}\nCopyright 2017 Example News", None, CFG).text == sentence


# What the boilerplate check replaced: one case-insensitive pattern. On normalised text the two
# must agree (stored pages were cleaned with the old one).
_CASE_INSENSITIVE_BOILERPLATE = re.compile(
    r"©|\(c\)|copyright|all rights reserved|جميع الحقوق|حقوق النشر|"
    r"^\S.{0,40}\*$|security code|characters left|terms of (use|service)|privacy policy",
    re.IGNORECASE,
)
_PHRASES = ["Copyright", "ALL RIGHTS RESERVED", "Security Code", "characters left", "Terms of Use",
            "terms of service", "Privacy Policy", "PRIVACY POLİCY", "prıvacy polıcy", "ſecurity code",
            "(C)", "©", "جميع الحقوق", "حقوق النشر", "Name *", "*"]  # fmt: skip
_PIECES = st.sampled_from([*_PHRASES, " ", "  ", "a", "ı", "İ", "K", "x" * 30, "word ", "\t"])


@given(st.lists(_PIECES, max_size=8).map("".join))
def test_boilerplate_check_agrees_with_the_case_insensitive_pattern(raw: str) -> None:
    text = normalize(raw)
    assert is_boilerplate(text) == bool(_CASE_INSENSITIVE_BOILERPLATE.search(text))


def _nearest_decisive(kinds: list[Kind], at: int, step: int) -> Kind:
    """The definition: walk out from a block to the first GOOD or BAD one (the edge is BAD)."""
    i = at + step
    while 0 <= i < len(kinds):
        if kinds[i] in (Kind.GOOD, Kind.BAD):
            return kinds[i]
        i += step
    return Kind.BAD


@given(st.lists(st.sampled_from(list(Kind)), max_size=60))
def test_uncertain_blocks_are_kept_by_their_nearest_decisive_neighbours(kinds: list[Kind]) -> None:
    expected = []
    for i, kind in enumerate(kinds):
        sides = (_nearest_decisive(kinds, i, -1), _nearest_decisive(kinds, i, 1))
        if kind in (Kind.GOOD, Kind.BAD):
            expected.append(kind is Kind.GOOD)
        elif kind is Kind.NEAR_GOOD:
            expected.append(Kind.GOOD in sides)
        else:
            expected.append(sides == (Kind.GOOD, Kind.GOOD))
    assert resolve(kinds) == expected


def test_a_page_of_thousands_of_short_lines_keeps_its_article(seeds: list[str]) -> None:
    """Link lists of thousands of lines around the story (the chrome step once walked out from
    every such line to its neighbours: quadratic in the page's lines)."""
    cfg = TextConfig.default()
    links = "\n".join(f"Link number {i}" for i in range(3000))
    body = "\n".join(seed_body(seeds[0]))
    cleaned = clean_text(f"{links}\n{body}\n{links}", None, cfg)
    assert "Link number" not in cleaned.text
    assert overlap(shingles(cleaned, cfg), shingles(clean_text(body, None, cfg), cfg)).jaccard >= 0.9
