"""Stream building: determinism, slice disjointness and gold-label sanity (reads ../shared/data)."""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache

import pytest

from eval import bodies, paths, textproc
from eval.stream import Stream, StreamConfig, build_stream, plan

pytestmark = pytest.mark.skipif(not paths.data_dir().exists(), reason="shared datasets not available")


@cache
def small(slice_: str = "tune", seed: int | None = None) -> Stream:
    return build_stream(StreamConfig(slice=slice_, seed=seed, bodies_per_lang=40), paths.data_dir())


def test_same_seed_same_stream() -> None:
    a = small()
    b = build_stream(StreamConfig(slice="tune", bodies_per_lang=40), paths.data_dir())
    assert a.pages == b.pages


def test_other_seed_other_stream() -> None:
    assert [p.text for p in small(seed=5).pages] != [p.text for p in small().pages]


def test_tune_and_heldout_are_disjoint() -> None:
    tune, held = small("tune"), small("heldout")
    assert not {b.key for b in tune.bodies} & {b.key for b in held.bodies}
    assert not {s.key for s in tune.sites} & {s.key for s in held.sites}
    assert not {s.name for s in tune.sites} & {s.name for s in held.sites}
    assert not {p.id for p in tune.pages} & {p.id for p in held.pages}
    assert all(bodies.slice_of(b.key) == "heldout" for b in held.bodies)


def test_default_slices_meet_the_size_targets() -> None:
    for slice_ in ("tune", "heldout"):
        chosen, _, slots = plan(StreamConfig(slice=slice_), paths.data_dir())
        langs = Counter(s.body.lang for s in slots)
        assert len(chosen) >= 400 and len(slots) >= 700
        assert 0.4 < langs["ar"] / len(slots) < 0.6
        assert 0.25 < sum(not s.site.big for s in slots) / len(slots) < 0.45


def test_gold_groups_are_sane() -> None:
    stream = small()
    by_body = defaultdict(list)
    for page in stream.pages:
        by_body[page.body].append(page)
    assert all(1 <= len(pages) <= 4 for pages in by_body.values())
    assert all(len({p.source for p in pages}) == len(pages) for pages in by_body.values())
    assert all(pages[0].copy == 0 and not pages[0].edits for pages in by_body.values())
    times = [p.published_at for p in stream.pages]
    assert times == sorted(times) and all(t.endswith("Z") for t in times)


def test_chrome_wraps_the_same_article_as_the_bare_text() -> None:
    site_of = {s.key: s for s in small().sites}
    for page in small().pages:
        assert page.bare_text.split("\n\n")[0] == page.title
        assert all(line in page.text for line in page.bare_text.split("\n\n"))
        assert site_of[page.source].name in page.text and site_of[page.source].name not in page.bare_text
        assert site_of[page.source].lang == page.language


def test_pool_bodies_do_not_share_writing() -> None:
    stream = small()
    prefixes = Counter(textproc.prefix_key(" ".join(b.paras)) for b in stream.bodies)
    assert max(prefixes.values()) == 1


def test_payload_is_contract_shaped() -> None:
    item = small().pages[0].payload(chrome=False, send_language=False)
    assert set(item) == {"id", "url", "source", "title", "text", "published_at"}
    assert item["url"].startswith("https://") and len(item["id"]) <= 200
