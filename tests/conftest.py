"""Shared fixtures: an app on a fresh data directory, the seeds, and an invariant checker."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.fingerprint import Signer
from app.ingest import stored_shingles
from app.main import DB_FILE, create_app
from app.settings import Settings
from app.stories import StoryConfig, Vector, keywords
from app.text.pipeline import TextConfig

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # No worker pool by default: starting one costs a second per app; tests/test_workers.py
    # checks that the pool gives the same answers.
    return Settings(data_dir=tmp_path / "data", sqlite_synchronous="NORMAL", prepare_workers=0)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def seeds() -> list[str]:
    assert len(SEEDS) == 5, f"expected the five seeds in {SHARED / 'seeds'}"
    return [p.read_text(encoding="utf-8") for p in SEEDS]


def seed_body(page: str) -> list[str]:
    """The article paragraphs of a seed page: its long lines (> 100 characters, no ellipsis)."""
    return [line for line in page.splitlines() if len(line) > 100 and not line.rstrip().endswith("…")]


def check_invariants(db_path: Path) -> None:
    """What must hold after any sequence of writes: checked on the stored rows themselves."""
    db = sqlite3.connect(db_path)
    articles = db.execute("SELECT id, cluster_id, duplicate_of FROM articles").fetchall()
    by_id = {a: (c, d) for a, c, d in articles}
    for article_id, cluster_id, duplicate_of in articles:
        if duplicate_of is not None:
            assert duplicate_of in by_id, f"{article_id} points to missing {duplicate_of}"
            assert by_id[duplicate_of][1] is None, f"{article_id} points to a non-canonical {duplicate_of}"
            assert by_id[duplicate_of][0] == cluster_id, f"{article_id} is not in its canonical's cluster"
    params = json.loads(db.execute("SELECT value FROM meta WHERE key = 'fingerprint_params'").fetchone()[0])
    signer = Signer(params["num_perm"], params["seed"])
    rows = db.execute("SELECT id, duplicate_of, story_signature, story_vector FROM articles")
    for article_id, duplicate_of, story_signature, story_vector in rows:
        # A head is found by the signature of its vector's keywords; a copy joins its head's
        # cluster unscored and has none.
        if duplicate_of is None:
            wanted = signer.sign(keywords(Vector.from_bytes(story_vector), StoryConfig().keywords))
            stored = np.frombuffer(story_signature, dtype="<u4")
            assert np.array_equal(stored, wanted), f"{article_id}'s story signature is not its keywords'"
        else:
            assert story_signature == b"", f"copy {article_id} has a story signature"
    kept = {seq: (i, shingles) for seq, i, shingles in db.execute("SELECT seq, id, shingles FROM article_shingles")}
    for seq, article_id, clean_text in db.execute("SELECT seq, id, clean_text FROM articles"):
        kept_id, shingles = kept.pop(seq, (None, None))
        assert shingles is not None, f"{article_id} was stored without its shingles"
        assert kept_id == article_id, f"{article_id}'s shingles are kept under {kept_id}"
        recomputed = stored_shingles(clean_text, default_text_config())
        assert np.array_equal(np.frombuffer(shingles, dtype="<u4"), recomputed), f"{article_id}'s shingles are stale"
    assert not kept, f"shingles of deleted articles are left: {sorted(kept)}"
    html = {seq for (seq,) in db.execute("SELECT seq FROM articles WHERE raw_is_html = 1")}
    pages = {seq for (seq,) in db.execute("SELECT seq FROM article_pages")}
    assert pages <= html, f"page text kept for posted text or deleted articles: {sorted(pages - html)}"
    clusters = {
        cid: (size, canonical) for cid, size, canonical in db.execute("SELECT id, size, canonical_id FROM clusters")
    }
    counts: dict[str, int] = {}
    for _id, cluster_id, _dup in articles:
        counts[cluster_id] = counts.get(cluster_id, 0) + 1
    assert set(counts) == set(clusters), "every article's cluster exists and no cluster is empty"
    for cid, (size, canonical) in clusters.items():
        assert size == counts[cid], f"cluster {cid} says size {size}, has {counts[cid]}"
        assert by_id[canonical][0] == cid, f"cluster {cid}'s canonical {canonical} is not a member"
        assert canonical == documented_canonical(db, cid), f"cluster {cid}'s canonical breaks the README's rule"
    db.close()


@cache
def default_text_config() -> TextConfig:
    return TextConfig.default(Settings().shingle_size)


def documented_canonical(db: sqlite3.Connection, cluster_id: str) -> str:
    """The README's rule: the canonical of the largest duplicate group; ties to the earliest
    published, then the first ingested."""
    rows = db.execute(
        "SELECT coalesce(m.duplicate_of, m.id) AS grp, COUNT(*) AS n, c.published_at, c.seq"
        " FROM articles m JOIN articles c ON c.id = coalesce(m.duplicate_of, m.id)"
        " WHERE m.cluster_id = ? GROUP BY grp ORDER BY n DESC, c.published_at, c.seq LIMIT 1",
        (cluster_id,),
    ).fetchall()
    return str(rows[0][0])


@pytest.fixture
def invariants(settings: Settings) -> Iterator[None]:
    """Check the stored state's invariants after the test's writes."""
    yield
    check_invariants(settings.data_dir / DB_FILE)
