"""The embedded store: one SQLite database in WAL mode under the data directory.

WAL with ``synchronous=FULL`` makes every committed transaction durable across a process
kill or power loss; readers never block the writer.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from app.fingerprint import Signature, from_bytes, to_bytes
from app.store.base import Article, Cluster, LineKeys, Member

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    url TEXT, source TEXT, title TEXT, language TEXT,
    published_at INTEGER NOT NULL,
    ingested_at INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    exact_key TEXT NOT NULL,
    raw BLOB NOT NULL,
    raw_is_html INTEGER NOT NULL,
    clean_text TEXT NOT NULL,
    signature BLOB NOT NULL,
    story_signature BLOB NOT NULL,
    cluster_id TEXT NOT NULL,
    line_keys BLOB NOT NULL,
    duplicate_of TEXT,
    similarity REAL,
    template_evidence INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source, seq) WHERE template_evidence = 1;
CREATE TABLE IF NOT EXISTS source_template (
    source TEXT NOT NULL,
    line_key INTEGER NOT NULL,
    PRIMARY KEY (source, line_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS articles_exact ON articles (exact_key);
CREATE INDEX IF NOT EXISTS articles_group ON articles (duplicate_of);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles (cluster_id);
CREATE TABLE IF NOT EXISTS clusters (
    id TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    title TEXT,
    canonical_id TEXT NOT NULL,
    first_published_at INTEGER NOT NULL,
    last_updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS clusters_recent ON clusters (last_updated_at DESC, id DESC);
"""

_ARTICLE_COLUMNS = (
    "seq, id, url, source, title, language, published_at, ingested_at, content_hash, exact_key, "
    "raw, raw_is_html, clean_text, signature, story_signature, cluster_id, line_keys, duplicate_of, similarity, "
    "template_evidence"
)


def _article(row: sqlite3.Row) -> Article:
    return Article(
        seq=row["seq"],
        id=row["id"],
        url=row["url"],
        source=row["source"],
        title=row["title"],
        language=row["language"],
        published_at=row["published_at"],
        ingested_at=row["ingested_at"],
        content_hash=row["content_hash"],
        exact_key=row["exact_key"],
        raw=zlib.decompress(row["raw"]).decode("utf-8"),
        raw_is_html=bool(row["raw_is_html"]),
        clean_text=row["clean_text"],
        signature=from_bytes(row["signature"]),
        story_signature=from_bytes(row["story_signature"]),
        cluster_id=row["cluster_id"],
        line_keys=np.frombuffer(row["line_keys"], dtype="<i8").astype(np.int64),
        duplicate_of=row["duplicate_of"],
        similarity=row["similarity"],
        template_evidence=bool(row["template_evidence"]),
    )


def _article_values(a: Article) -> tuple[object, ...]:
    return (
        a.id, a.url, a.source, a.title, a.language, a.published_at, a.ingested_at, a.content_hash,
        a.exact_key, zlib.compress(a.raw.encode("utf-8")), int(a.raw_is_html), a.clean_text,
        to_bytes(a.signature), to_bytes(a.story_signature), a.cluster_id, a.line_keys.astype("<i8").tobytes(),
        a.duplicate_of, a.similarity, int(a.template_evidence),
    )  # fmt: skip


def _cluster(row: sqlite3.Row) -> Cluster:
    return Cluster(
        id=row["id"],
        size=row["size"],
        title=row["title"],
        canonical_id=row["canonical_id"],
        first_published_at=row["first_published_at"],
        last_updated_at=row["last_updated_at"],
    )


class SqliteStore:
    """:class:`app.store.base.Store` on one SQLite file; one connection shared under a lock."""

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic, durable unit of writes; rolled back when the block raises."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self._execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def get_article(self, article_id: str) -> Article | None:
        rows = self._query(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        return _article(rows[0]) if rows else None

    def articles_by_seq(self, seqs: Iterable[int]) -> list[Article]:
        keys = list(seqs)
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._query(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE seq IN ({marks}) ORDER BY seq", keys)
        return [_article(r) for r in rows]

    def find_exact(self, exact_key: str) -> Article | None:
        rows = self._query(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE exact_key = ?"
            " ORDER BY duplicate_of IS NOT NULL, seq LIMIT 1",
            (exact_key,),
        )
        return _article(rows[0]) if rows else None

    def insert_article(self, article: Article) -> int:
        """Insert; a new article gets the next sequence number, a re-inserted one keeps its own."""
        cur = self._execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES ({','.join('?' * 20)})",
            (article.seq or None, *_article_values(article)),
        )
        assert cur.lastrowid is not None
        article.seq = cur.lastrowid
        return cur.lastrowid

    def set_duplicate(self, article_id: str, duplicate_of: str | None, similarity: float | None) -> None:
        self._execute(
            "UPDATE articles SET duplicate_of = ?, similarity = ? WHERE id = ?", (duplicate_of, similarity, article_id)
        )

    def delete_article(self, article_id: str) -> None:
        self._execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def group_members(self, canonical_id: str) -> list[Article]:
        rows = self._query(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE duplicate_of = ? ORDER BY seq", (canonical_id,)
        )
        return [_article(r) for r in rows]

    def cluster_members(self, cluster_id: str) -> list[Member]:
        rows = self._query(
            "SELECT seq, id, url, source, title, published_at, duplicate_of, similarity FROM articles"
            " WHERE cluster_id = ? ORDER BY published_at, seq",
            (cluster_id,),
        )
        return [Member(**dict(r)) for r in rows]

    def get_cluster(self, cluster_id: str) -> Cluster | None:
        rows = self._query("SELECT * FROM clusters WHERE id = ?", (cluster_id,))
        return _cluster(rows[0]) if rows else None

    def put_cluster(self, cluster: Cluster) -> None:
        self._execute(
            "INSERT OR REPLACE INTO clusters (id, size, title, canonical_id, first_published_at, last_updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (cluster.id, cluster.size, cluster.title, cluster.canonical_id, cluster.first_published_at,
             cluster.last_updated_at),
        )  # fmt: skip

    def delete_cluster(self, cluster_id: str) -> None:
        self._execute("DELETE FROM clusters WHERE id = ?", (cluster_id,))

    def list_clusters(
        self, updated_since: int | None, min_size: int, limit: int, after: tuple[int, str] | None
    ) -> list[Cluster]:
        where: list[str] = ["size >= ?"]
        params: list[object] = [min_size]
        if updated_since is not None:
            where.append("last_updated_at >= ?")
            params.append(updated_since)
        if after is not None:
            where.append("(last_updated_at < ? OR (last_updated_at = ? AND id < ?))")
            params.extend([after[0], after[0], after[1]])
        sql = f"SELECT * FROM clusters WHERE {' AND '.join(where)} ORDER BY last_updated_at DESC, id DESC LIMIT ?"
        return [_cluster(r) for r in self._query(sql, [*params, limit])]

    def cluster_sources(self, cluster_ids: Sequence[str]) -> dict[str, list[str]]:
        if not cluster_ids:
            return {}
        marks = ",".join("?" * len(cluster_ids))
        rows = self._query(
            f"SELECT DISTINCT cluster_id, source FROM articles WHERE cluster_id IN ({marks}) AND source IS NOT NULL"
            " ORDER BY cluster_id, source",
            list(cluster_ids),
        )
        sources: dict[str, list[str]] = {cid: [] for cid in cluster_ids}
        for r in rows:
            sources[r["cluster_id"]].append(r["source"])
        return sources

    def signatures(self) -> Iterator[tuple[int, Signature, Signature]]:
        with self._lock:
            rows = self._db.execute("SELECT seq, signature, story_signature FROM articles ORDER BY seq").fetchall()
        for r in rows:
            yield r["seq"], from_bytes(r["signature"]), from_bytes(r["story_signature"])

    def template_keys(self, source: str) -> set[int]:
        rows = self._query("SELECT line_key FROM source_template WHERE source = ?", (source,))
        return {int(r["line_key"]) for r in rows}

    def add_template_keys(self, source: str, keys: Iterable[int]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR IGNORE INTO source_template (source, line_key) VALUES (?, ?)", [(source, k) for k in keys]
            )

    def recent_pages(self, source: str, limit: int) -> list[tuple[int, str, LineKeys]]:
        """The newest pages of a source that count as template evidence: (seq, group id, line keys)."""
        rows = self._query(
            "SELECT seq, coalesce(duplicate_of, id) AS grp, line_keys FROM articles"
            " WHERE source = ? AND template_evidence = 1 ORDER BY seq DESC LIMIT ?",
            (source, limit),
        )
        return [(r["seq"], r["grp"], np.frombuffer(r["line_keys"], dtype="<i8").astype(np.int64)) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
