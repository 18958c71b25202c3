"""Scoring of dups runs and the seeds check on tiny hand-made inputs."""

from __future__ import annotations

import pytest

from eval import datasets, dups, seeds, stories
from eval.stream import Page


def page(pid: str, body: str, source: str, day: int = 0, copy: int = 0, edits: tuple[str, ...] = ()) -> Page:
    return Page(
        pid,
        f"https://{source}/{pid}",
        source,
        "t",
        "x",
        "x",
        "2015-08-02T00:00:00Z",
        "en",
        body,
        copy,
        True,
        day,
        edits,
    )


PAGES = [
    page("a1", "A", "s1"),
    page("b1", "B", "s1"),
    page("a2", "A", "s2", copy=1, edits=("dateline",)),
    page("b2", "B", "s3", copy=1, edits=("truncate_end",)),
    page("c1", "C", "s1"),
]


def test_decision_stats_counts_found_copies_and_lookalike_errors() -> None:
    links = {"a1": None, "b1": None, "a2": "a1", "b2": None, "c1": "b1"}  # c1 wrongly joins b1 (same site)
    stats = dups.decision_stats(PAGES, links)
    assert stats["copy_recall"]["all"] == (0.5, 2)
    assert stats["copy_recall"]["edit:dateline"] == (1.0, 1)
    assert stats["copy_recall"]["edit:truncate_end"] == (0.0, 1)
    assert stats["false_links"] == {"all": 1, "same_site": 1, "same_site_same_day": 1}


def test_scores_pairs_per_language() -> None:
    links = {"a2": "a1", "b2": "b1"}
    score = dups.scores(PAGES, links)
    assert score["all"].f1 == pytest.approx(1.0)
    assert score["en"].f1 == pytest.approx(1.0)


def test_invariance_counts_changed_decisions() -> None:
    with_chrome = dups.Observation("s", "chrome", {"a2": "a1", "b2": "b1"}, {}, {})
    without = dups.Observation("s", "no_chrome", {"a2": "a1"}, {}, {})
    inv = dups.invariance(PAGES, with_chrome, without)
    assert inv["status_changed"] == 1 and inv["group_changed"] == 2
    assert (inv["pairs_differ"], inv["pairs_grouped_in_either"]) == (1, 2)


def test_wrapped_seed_is_other_chrome_around_the_cut_body() -> None:
    lines = {n: [f"{n}-line{i}" for i in range(1, 80)] for n in seeds.SOURCES}
    wrap = seeds.WRAPS[0]
    text = seeds.wrapped_text(lines, wrap).splitlines()
    assert text[0] == f"{wrap.chrome_seed}-line1"
    assert f"{wrap.body_seed}-line3" in text and f"{wrap.body_seed}-line22" not in text
    assert text[-1] == f"{wrap.chrome_seed}-line62"


def test_seed_check_passes_and_fails() -> None:
    lines = {n: ["x"] * 80 for n in seeds.SOURCES}
    good = {seeds.wrap_id(w): seeds.seed_id(w.body_seed) for w in seeds.WRAPS}
    result = seeds.check(lines, good, {})
    assert result["originals_ok"] and all(w["ok"] for w in result["wraps"].values())
    merged = dict(good, **{seeds.seed_id("002"): seeds.seed_id("004")})
    result = seeds.check(lines, merged, {})
    assert result["seed_pairs_marked_duplicate"] == [("002", "004")]
    assert not result["wraps"][seeds.wrap_id(seeds.WRAPS[2])]["ok"]  # its seed 004 is now merged with 002


def test_story_payload_is_dated_unless_the_replay_is_undated() -> None:
    doc = datasets.Doc(key="k", dataset="newswcl50", lang="en", title="Talks", text="Talks\nBody text.", label="1")
    dated, undated = stories.payload(doc, 3), stories.payload(doc, 3, dated=False)
    assert dated["published_at"] == "2020-01-13T07:00:00Z"  # synthetic: 3 steps of 20 minutes
    assert "published_at" not in undated and {k: v for k, v in dated.items() if k != "published_at"} == undated
