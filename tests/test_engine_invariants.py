"""Any sequence of ingests, re-posts, updates and deletes leaves a consistent store:
clusters partition the articles, sizes are true, duplicates sit in their canonical's cluster."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import Engine
from app.errors import NotFound
from app.ingest import ArticleIn
from app.settings import Settings
from app.store.sqlite import SqliteStore
from app.text.pipeline import TextConfig
from tests.conftest import check_invariants

TEXT_CONFIG = TextConfig.default()
BASES = [
    " ".join(f"alpha{i % 37} beta{i % 11} gamma{i}" for i in range(60)) + ".",
    " ".join(f"delta{i % 29} eps{i % 7} zeta{i}" for i in range(60)) + ".",
    " ".join(f"alpha{i % 37} eta{i % 13} theta{i}" for i in range(60)) + ".",
]


def variant(base: int, edit: int) -> str:
    """Near-copies of three bodies: the same text with a different tail, or truncated."""
    text = BASES[base]
    return text + f" extra{edit} words{edit}." if edit % 2 else text[: len(text) - 40 * edit] + "."


ops = st.lists(
    st.tuples(
        st.sampled_from(["post", "post", "post", "delete"]),
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.integers(0, 2),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_any_sequence_of_writes_keeps_the_invariants(sequence: list[tuple[str, str, int, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.db"
        engine = Engine(SqliteStore(db, "OFF"), Settings(data_dir=Path(tmp)), TEXT_CONFIG)
        live: dict[str, str] = {}
        for op, article_id, base, edit in sequence:
            if op == "delete":
                try:
                    engine.delete(article_id)
                    live.pop(article_id)
                except NotFound:
                    assert article_id not in live
                continue
            text = variant(base, edit)
            result = engine.ingest(ArticleIn(id=article_id, text=text))
            expected = "unchanged" if live.get(article_id) == text else "updated" if article_id in live else None
            if expected is not None:
                assert result.status == expected
            live[article_id] = text
            stored = engine.article(article_id).article
            assert (stored.duplicate_of, stored.cluster_id) == (result.duplicate_of, result.cluster_id)
        check_invariants(db)
        assert_group_heads_are_stored_ones(engine, live)
        reopened = Engine(SqliteStore(db, "OFF"), Settings(data_dir=Path(tmp)), TEXT_CONFIG)
        assert_group_heads_are_stored_ones(reopened, live)
        reopened.store.close()
        engine.store.close()


def assert_group_heads_are_stored_ones(engine: Engine, ids: Iterable[str]) -> None:
    """The engine's in-memory map to each article's group canonical (by which a duplicate-index
    answer is verified) says what the store says, whether kept up by writes or loaded."""
    for article_id in ids:
        article = engine.store.get_article(article_id)
        assert article is not None
        head = engine.store.get_article(article.duplicate_of) if article.duplicate_of else article
        assert head is not None
        assert engine._group_heads[article.seq] == head.seq


def test_copies_of_an_updated_canonical_stay_found(tmp_path: Path) -> None:
    """A canonical updated to other content leaves its group: a later copy of the old text is
    a duplicate of the copy that now heads the group, before and after a restart."""
    db = tmp_path / "s.db"
    engine = Engine(SqliteStore(db, "OFF"), Settings(data_dir=tmp_path), TEXT_CONFIG)
    engine.ingest(ArticleIn(id="head", text=variant(0, 0)))
    assert engine.ingest(ArticleIn(id="copy", text=variant(0, 1))).duplicate_of == "head"
    assert engine.ingest(ArticleIn(id="head", text=variant(1, 0))).status == "updated"
    assert engine.ingest(ArticleIn(id="later", text=variant(0, 3))).duplicate_of == "copy"
    engine.store.close()
    reopened = Engine(SqliteStore(db, "OFF"), Settings(data_dir=tmp_path), TEXT_CONFIG)
    assert reopened.ingest(ArticleIn(id="last", text=variant(0, 2))).duplicate_of == "copy"
    assert reopened.ingest(ArticleIn(id="other", text=variant(1, 1))).duplicate_of == "head"
    check_invariants(db)
    reopened.store.close()


def test_verifying_uses_the_stored_shingles(tmp_path: Path) -> None:
    """Every article keeps its shingles (equal to the recomputed ones: the invariants check
    that), and verifying a candidate uses them: it never re-tokenises a stored text."""
    db = tmp_path / "s.db"
    engine = Engine(SqliteStore(db, "OFF"), Settings(data_dir=tmp_path), TEXT_CONFIG)
    engine.ingest(ArticleIn(id="head", text=variant(0, 0)))
    copy = engine.ingest(ArticleIn(id="copy", text=variant(0, 1)))
    assert copy.duplicate_of == "head"
    engine.delete("head")  # the copy heads the group now
    again = engine.ingest(ArticleIn(id="again", text=variant(0, 3)))
    assert again.duplicate_of == "copy"
    found = engine.similar(ArticleIn(text=variant(0, 1)), limit=10)
    assert [d[0] for d in found.duplicates] == ["copy", "again"]
    assert len(engine._shingle_cache) == 0  # nothing was recomputed
    check_invariants(db)
    engine.store.close()
