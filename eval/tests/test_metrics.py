"""Metrics on small hand-computed examples, plus invariants that must hold for any labelling."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eval import metrics

GOLD = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
PRED = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}
# gold pairs ab ac bc de (4); predicted pairs ab cd (2); shared ab (1)


def test_pair_prf_hand_computed() -> None:
    prf = metrics.pair_prf(PRED, GOLD)
    assert prf.precision == pytest.approx(1 / 2)
    assert prf.recall == pytest.approx(1 / 4)
    assert prf.f1 == pytest.approx(1 / 3)


def test_bcubed_hand_computed() -> None:
    # per item precision a,b: 1; c,d: 1/2; e: 1 -> 4/5. recall a,b: 2/3; c: 1/3; d,e: 1/2 -> 8/15
    prf = metrics.bcubed(PRED, GOLD)
    assert prf.precision == pytest.approx(4 / 5)
    assert prf.recall == pytest.approx(8 / 15)
    assert prf.f1 == pytest.approx(2 * (4 / 5) * (8 / 15) / (4 / 5 + 8 / 15))


def test_ari_hand_computed() -> None:
    # index 1, expected 2*4/10 = 0.8, max (2+4)/2 = 3 -> (1-0.8)/(3-0.8) = 1/11
    assert metrics.ari(PRED, GOLD) == pytest.approx(1 / 11)


def test_ari_of_a_textbook_example() -> None:
    # Hubert & Arabie style check: the same partition under other names is perfect
    gold = {str(i): i // 3 for i in range(9)}
    pred = {str(i): f"c{2 - i // 3}" for i in range(9)}
    assert metrics.ari(pred, gold) == pytest.approx(1.0)
    assert metrics.bcubed(pred, gold).f1 == pytest.approx(1.0)
    assert metrics.pair_prf(pred, gold).f1 == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("description", "pred", "expected"),
    [
        ("all singletons: no predicted pairs, precision vacuously 1", {k: k for k in GOLD}, (1.0, 0.0)),
        ("one big group: every gold pair found, 4 of 10 right", {k: 0 for k in GOLD}, (0.4, 1.0)),
    ],
)
def test_pair_prf_edge_cases(description: str, pred: dict[str, object], expected: tuple[float, float]) -> None:
    prf = metrics.pair_prf(pred, GOLD)
    assert (prf.precision, prf.recall) == pytest.approx(expected), description


def test_only_shared_items_are_scored() -> None:
    assert metrics.pair_prf({**PRED, "zz": "x"}, GOLD) == metrics.pair_prf(PRED, GOLD)


def test_groups_from_links_follows_chains_and_foreign_targets() -> None:
    links = {"b": "a", "c": "b", "d": "foreign:q", "e": "foreign:q", "f": None}
    groups = metrics.groups_from_links(["a", "b", "c", "d", "e", "f"], links)
    assert groups["a"] == groups["b"] == groups["c"]
    assert groups["d"] == groups["e"] != groups["a"]
    assert groups["f"] not in {groups["a"], groups["d"]}


def test_pair_disagreement_counts_symmetric_difference() -> None:
    a = {"p": 1, "q": 1, "r": 2, "s": 3}
    b = {"p": 1, "q": 2, "r": 2, "s": 3}
    assert metrics.pair_disagreement(a, b) == (2, 2)  # pq only in a, qr only in b
    assert metrics.pair_disagreement(a, a) == (0, 1)


labellings = st.dictionaries(st.sampled_from("abcdefghij"), st.integers(0, 3), min_size=2)


@settings(max_examples=40, deadline=None)
@given(labellings, labellings)
def test_symmetries(pred: dict[str, int], gold: dict[str, int]) -> None:
    assert metrics.ari(pred, gold) == pytest.approx(metrics.ari(gold, pred))
    assert metrics.bcubed(pred, gold).precision == pytest.approx(metrics.bcubed(gold, pred).recall)
    assert metrics.pair_prf(pred, gold).precision == pytest.approx(metrics.pair_prf(gold, pred).recall)


@settings(max_examples=40, deadline=None)
@given(labellings)
def test_perfect_prediction_scores_one(gold: dict[str, int]) -> None:
    renamed = {k: f"label-{v}" for k, v in gold.items()}
    assert metrics.ari(renamed, gold) == pytest.approx(1.0)
    assert metrics.bcubed(renamed, gold).f1 == pytest.approx(1.0)
    assert metrics.pair_prf(renamed, gold).f1 == pytest.approx(1.0)
