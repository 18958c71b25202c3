"""Site templates learned per source: repeated lines become chrome, earlier pages are corrected,
an article a site posts twice is never learned as template, and the learning survives a restart."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import app.text.pipeline
from app.main import DB_FILE, create_app
from app.settings import Settings
from app.store.base import LineKeys
from app.templates import TemplateConfig, TemplateLearner, recurring_lines
from app.text.extract import Extracted
from tests.conftest import check_invariants

# Prose-like chrome that the line heuristics alone keep: only the site's repetition gives it away.
ABOUT = (
    "Daily Ledger is an independent newspaper that has covered the city and its people since 1921, "
    "and it is read every morning by more than two hundred thousand subscribers across the region."
)
NEWSLETTER = (
    "Sign up for our morning newsletter to receive the most important stories of the day in your inbox, "
    "and follow our reporters on social media for live updates as events unfold."
)


def body(n: int) -> str:
    """Distinct article paragraphs: no shared word sequences between different n."""
    return "\n".join(
        " ".join(f"story{n}word{(p * 31 + k) % 97} and more{k}" for k in range(30)) + "." for p in range(3)
    )


def page(n: int) -> str:
    return f"{ABOUT}\n{body(n)}\n{NEWSLETTER}"


def template_lines(pages: list[LineKeys], cfg: TemplateConfig) -> set[int]:
    """The rule counted afresh over a window of pages: the lines found on at least
    ``min_pages`` of them, and on ``min_fraction`` of them, once there are ``min_pages``."""
    if len(pages) < cfg.min_pages:
        return set()
    keys, counts = np.unique(np.concatenate(pages), return_counts=True)
    needed = max(cfg.min_pages, math.ceil(cfg.min_fraction * len(pages)))
    return {int(k) for k in keys[counts >= needed]}


def test_a_line_is_template_once_on_enough_of_enough_pages() -> None:
    cfg = TemplateConfig(min_pages=3, min_fraction=0.5)
    assert recurring_lines({1: 2, 2: 2}, [1, 2], 2, cfg) == set()  # too few pages to tell
    assert recurring_lines({1: 3, 2: 2}, [1, 2], 3, cfg) == {1}
    assert recurring_lines({1: 3, 2: 3, 9: 1}, [1, 2, 9], 4, cfg) == {1, 2}
    assert recurring_lines({1: 3, 2: 3}, [2], 4, cfg) == {2}  # only the lines asked about
    assert recurring_lines({1: 3}, [1], 8, cfg) == set()  # 3 of 8 is under half


class _Pages:
    """The three store calls the learner makes, for one source's pages kept in memory."""

    def __init__(self, pages: list[tuple[int, str, LineKeys]]) -> None:
        self.pages, self.keys = pages, set[int]()

    def template_keys(self, source: str) -> set[int]:
        return set(self.keys)

    def add_template_keys(self, source: str, keys: Iterable[int]) -> None:
        self.keys |= set(keys)

    def recent_pages(self, source: str, limit: int) -> list[tuple[int, str, LineKeys]]:
        return self.pages[::-1][:limit]


_page_lines = st.lists(st.integers(0, 6), max_size=4, unique=True)


@hypothesis_settings(max_examples=300)
@given(
    stored=st.lists(_page_lines, max_size=8),
    steps=st.lists(st.one_of(_page_lines, st.integers(0, 20)), max_size=30),
)
def test_learner_finds_what_counting_all_recent_pages_finds(stored: list[list[int]], steps: list[object]) -> None:
    """The learner counts lines as pages come and go; after every page, the lines it has learned
    are those that recurred on enough of the recent pages at some point (template_lines' rule)."""
    cfg = TemplateConfig(window=6, min_pages=2, min_fraction=0.5)
    pages = [(seq, f"g{seq}", np.array(keys, dtype=np.int64)) for seq, keys in enumerate(stored)]
    store = _Pages(pages)
    learner = TemplateLearner(store, cfg)  # type: ignore[arg-type]  # only these three calls are made
    assert learner.template("site") == set()  # the source's recent pages are read from the store now
    recent, expected = pages[-cfg.window :], set[int]()
    for seq, step in enumerate(steps, start=len(stored)):
        if isinstance(step, int):  # a page deleted or replaced: gone from the store too
            store.pages = [p for p in store.pages if p[0] != step]
            learner.forget("site", step)
            recent = [p for p in recent if p[0] != step]
            continue
        keys = np.array(step, dtype=np.int64)
        new, _affected = learner.add_page("site", seq, f"g{seq}", keys)
        store.pages.append((seq, f"g{seq}", keys))
        recent = [*recent, (seq, f"g{seq}", keys)][-cfg.window :]
        now = template_lines([k for _, _, k in recent], cfg)
        assert new == now - expected
        expected |= now
        assert learner.template("site") == expected


def test_repeated_prose_becomes_chrome_and_earlier_pages_are_corrected(client: TestClient, invariants: None) -> None:
    for n in range(4):
        client.post("/v1/articles", json={"id": f"p{n}", "text": page(n), "source": "ledger"})
    for n in range(4):
        clean = client.get(f"/v1/articles/p{n}").json()["clean_text"]
        assert "independent newspaper" not in clean and "newsletter" not in clean, f"page {n} still has chrome"
        assert f"story{n}word" in clean
    # Another site's page is not affected by the ledger's template.
    client.post("/v1/articles", json={"id": "other", "text": page(9), "source": "another-site"})
    assert "independent newspaper" in client.get("/v1/articles/other").json()["clean_text"]


def test_learned_template_makes_chrome_free_copy_a_duplicate(client: TestClient) -> None:
    for n in range(4):
        client.post("/v1/articles", json={"id": f"p{n}", "text": page(n), "source": "ledger"})
    plain = client.post("/v1/articles", json={"id": "plain", "text": body(2), "source": "wire"}).json()
    assert plain["duplicate_of"] == "p2" and plain["similarity"] == 1.0


def test_an_article_posted_three_times_by_its_site_is_not_template(client: TestClient) -> None:
    for n in range(3):
        client.post("/v1/articles", json={"id": f"copy{n}", "text": body(1), "source": "ledger"})
    client.post("/v1/articles", json={"id": "next", "text": body(1) + "\n" + body(2), "source": "ledger"})
    assert "story1word" in client.get("/v1/articles/next").json()["clean_text"]


def test_learning_survives_a_restart(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        for n in range(3):
            client.post("/v1/articles", json={"id": f"p{n}", "text": page(n), "source": "ledger"})
    with TestClient(create_app(settings)) as client:
        client.post("/v1/articles", json={"id": "after", "text": page(7), "source": "ledger"})
        assert "independent newspaper" not in client.get("/v1/articles/after").json()["clean_text"]


def test_response_reports_the_decision_after_learning_corrected_the_page(client: TestClient) -> None:
    """The page that completes the evidence is cleaned again at once: its answer says so."""
    chrome = "\n".join([ABOUT, NEWSLETTER, *(body(90 + i).splitlines()[0] for i in range(3))])
    short_body = body(5).splitlines()[0]
    client.post("/v1/articles", json={"id": "plain", "text": short_body, "source": "wire"})
    for n in range(2):
        client.post("/v1/articles", json={"id": f"p{n}", "text": f"{chrome}\n{body(n)}", "source": "ledger"})
    third = client.post("/v1/articles", json={"id": "p2", "text": f"{chrome}\n{short_body}", "source": "ledger"})
    answer = third.json()
    assert answer["status"] == "duplicate" and answer["duplicate_of"] == "plain"
    assert client.get("/v1/articles/p2").json()["duplicate_of"] == "plain"


def test_a_page_that_a_template_learned_in_its_own_batch_leaves_empty_fails_alone(client: TestClient) -> None:
    """The batch's first page makes the site's repeated prose template; the second page, prepared
    before that, holds nothing else. It alone is refused, and the other pages are stored."""
    for n in range(2):
        client.post("/v1/articles", json={"id": f"p{n}", "text": f"{ABOUT}\n{body(n)}", "source": "ledger"})
    batch = [
        {"id": "p2", "text": f"{ABOUT}\n{body(2)}", "source": "ledger"},
        {"id": "only-chrome", "text": ABOUT, "source": "ledger"},
        {"id": "elsewhere", "text": body(3), "source": "wire"},
    ]
    response = client.post("/v1/articles/batch", json={"articles": batch})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert results[1]["error"]["code"] == "empty_text"
    assert client.get("/v1/articles/p2").status_code == 200 and client.get("/v1/articles/elsewhere").status_code == 200
    assert client.get("/v1/articles/only-chrome").status_code == 404


def html_page(n: int) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in [ABOUT, *body(n).splitlines(), NEWSLETTER])
    return f"<html><head><title>Story {n}</title></head><body><article>{paragraphs}</article></body></html>"


def test_html_pages_are_cleaned_again_from_their_kept_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the third page makes the site's prose template, the two before it are cleaned again
    from the text their HTML yielded, not by the extractor again; a page stored before that text
    was kept (its row taken away here) is read from its HTML again, to the same clean text."""
    extracted: list[str] = []
    extract = app.text.pipeline.html_to_text

    def counted(html: str, title: bool = True) -> Extracted:
        extracted.append(html)
        return extract(html, title)

    monkeypatch.setattr(app.text.pipeline, "html_to_text", counted)
    cleaned: dict[bool, list[str]] = {}
    for kept in (True, False):
        settings = Settings(data_dir=tmp_path / str(kept), sqlite_synchronous="NORMAL", prepare_workers=0)
        extracted.clear()
        with TestClient(create_app(settings)) as client:
            for n in range(4):
                client.post("/v1/articles", json={"id": f"p{n}", "html": html_page(n), "source": "ledger"})
                if not kept:
                    with closing(sqlite3.connect(settings.data_dir / DB_FILE)) as db, db:
                        db.execute("DELETE FROM article_pages")
            cleaned[kept] = [client.get(f"/v1/articles/p{n}").json()["clean_text"] for n in range(4)]
        check_invariants(settings.data_dir / DB_FILE)
        for n, clean in enumerate(cleaned[kept]):
            assert "independent newspaper" not in clean and "newsletter" not in clean, f"page {n} still has chrome"
            assert f"story{n}word" in clean
        assert len(extracted) == (4 if kept else 6)  # once a page, and again for the two cleaned again
    assert cleaned[True] == cleaned[False]
