"""Copy edits: each changes the text the way it says and nothing else."""

from __future__ import annotations

import random

import pytest

from eval import edits, textproc

AR = [
    "أعلن الأمير إطلاق مبادرة جديدة في 2015 لدعم الطلاب. وقال إن المبادرة تشمل 300 مدرسة.",
    "وأضاف أن إدارة التعليم ستتابع التنفيذ في المناطق كافة خلال العام الدراسي المقبل.",
    "وأشار إلى أن الميزانية المخصصة تبلغ 45 مليون ريال.",
    "وختم بالتأكيد على أهمية الشراكة مع القطاع الخاص.",
]
EN = [
    'The minister said on Monday that "the plan is final". It covers 300 schools.',
    "Officials will follow the rollout across all regions during the next school year.",
    "The budget is 45 million riyals.",
    "He stressed the role of the private sector.",
]
CTX_AR = edits.EditContext("ar", "عنوان خبر آخر")
CTX_EN = edits.EditContext("en", "Another headline")


def run(edit: edits.Edit, paras: list[str], ctx: edits.EditContext, seed: int = 3) -> list[str]:
    return edit(list(paras), random.Random(seed), ctx)


def words(paras: list[str]) -> list[str]:
    return " ".join(paras).split()


def test_drop_paragraph_keeps_lead_and_drops_one() -> None:
    out = run(edits.drop_paragraph, EN, CTX_EN)
    assert len(out) == len(EN) - 1 and out[0] == EN[0] and set(out) < set(EN)


def test_truncate_end_keeps_a_prefix_of_60_to_90_percent() -> None:
    for seed in range(20):
        out = run(edits.truncate_end, EN, CTX_EN, seed)
        kept = " ".join(out).rstrip(".… ")
        assert " ".join(EN).startswith(kept)
        assert 0.5 * len(" ".join(EN)) <= len(" ".join(out)) < len(" ".join(EN))


def test_dateline_prefixes_the_lead_only() -> None:
    out = run(edits.add_dateline, AR, CTX_AR)
    assert out[0].endswith(AR[0]) and out[0] != AR[0] and out[1:] == AR[1:]


def test_read_also_inserts_one_line_with_the_other_title() -> None:
    out = run(edits.insert_read_also, EN, CTX_EN)
    inserted = [p for p in out if p not in EN]
    assert len(out) == len(EN) + 1 and len(inserted) == 1 and "Another headline" in inserted[0]
    assert [p for p in out if p in EN] == EN and out[0] == EN[0]


def test_diacritics_only_add_marks() -> None:
    out = run(edits.add_diacritics, AR, CTX_AR)
    assert out != AR
    assert [textproc.ARABIC_MARKS.sub("", p) for p in out] == AR


def test_alef_hamza_variants_fold_back_to_the_original() -> None:
    out = run(edits.vary_alef_hamza, AR, CTX_AR)
    assert out != AR
    assert [textproc.fold(p) for p in out] == [textproc.fold(p) for p in AR]


def test_digits_swap_both_ways() -> None:
    indic = run(edits.swap_digits, AR, CTX_AR)
    assert "٣٠٠" in indic[0] and "300" not in indic[0]
    assert run(edits.swap_digits, indic, CTX_AR) == AR


@pytest.mark.parametrize(
    ("description", "edit", "paras", "ctx"),
    [
        ("reflow keeps every word in order", edits.reflow_paragraphs, EN, CTX_EN),
        ("whitespace keeps every word in order", edits.perturb_whitespace, AR, CTX_AR),
    ],
)
def test_layout_edits_keep_the_words(
    description: str, edit: edits.Edit, paras: list[str], ctx: edits.EditContext
) -> None:
    changed = [run(edit, paras, ctx, seed) for seed in range(10)]
    assert any(out != paras for out in changed), description
    assert all(words(out) == words(paras) for out in changed), description


def test_quotes_curl_and_straighten() -> None:
    curled = run(edits.swap_quotes, EN, CTX_EN)
    assert "\u201cthe plan is final\u201d" in curled[0]
    assert run(edits.swap_quotes, curled, CTX_EN) == EN


def test_edits_do_not_mutate_their_input_and_are_deterministic() -> None:
    for name, edit in edits.EDITS.items():
        paras = list(AR)
        first = edit(paras, random.Random(7), CTX_AR)
        assert paras == AR, name
        assert edit(list(AR), random.Random(7), CTX_AR) == first, name


def test_apply_edits_records_only_edits_that_changed_something() -> None:
    no_digits = ["A body without any numbers at all.", "Second paragraph here."]
    out, applied = edits.apply_edits(no_digits, ["digits", "dateline"], random.Random(1), CTX_EN)
    assert applied == ("dateline",)
    assert out[1:] == no_digits[1:]


def test_choose_edits_respects_language() -> None:
    rng = random.Random(5)
    for _ in range(50):
        assert set(edits.choose_edits("en", rng)) <= set(edits.EDITS_BY_LANG["en"])
    assert "diacritics" not in edits.EDITS_BY_LANG["en"]
