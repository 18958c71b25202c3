"""The embedded store: one SQLite database in WAL mode under the data directory, and beside it
a snapshot file of the document frequencies (see ``FrequencySnapshots``).

WAL with ``synchronous=FULL`` makes every committed transaction durable across a process
kill or power loss; readers never block the writer.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import struct
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from app.fingerprint import Signature, from_bytes, to_bytes
from app.store.base import (
    KEPT_TEXT_ZLIB_LEVEL,
    Article,
    Cluster,
    Counts,
    LineKeys,
    Member,
    Shingles,
    SignatureBatch,
    Slots,
)
from app.stories import Vector
from app.text.pipeline import PageText

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
    story_vector BLOB NOT NULL,
    cluster_id TEXT NOT NULL,
    line_keys BLOB NOT NULL,
    duplicate_of TEXT,
    similarity REAL,
    template_evidence INTEGER NOT NULL
);
-- Each article's shingle hashes, apart from its wide row, with its id: verifying near-duplicate
-- candidates and listing the ones found reads these short rows alone. At the end of the article
-- row the shingles sat behind the text and the blobs, on its overflow pages, and reading them
-- walked that chain: two to four pages a candidate, each a random read once the store outgrows
-- the page cache. Rows stored before shingles were kept have none here (their shingles are
-- recomputed from the clean text).
CREATE TABLE IF NOT EXISTS article_shingles (
    seq INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
    id TEXT NOT NULL,
    shingles BLOB NOT NULL
);
-- The text an HTML page yielded before the chrome step (app.text.pipeline.PageText), zlib-
-- compressed: when its source's template grows, the page is cleaned again from this, under the
-- write lock, instead of running the extractor over its HTML again (some 40 ms a page). Posted
-- text has no row here, nor HTML stored before these were kept. by_extractor: the chrome step
-- may read it leniently (an extractor's text of an article, not visible text or lists of links).
-- Rows stored before 518f5b4 hold the extractor's text with its link lines, and keep them.
CREATE TABLE IF NOT EXISTS article_pages (
    seq INTEGER PRIMARY KEY REFERENCES articles (seq) ON DELETE CASCADE,
    by_extractor INTEGER NOT NULL,
    text_zlib BLOB NOT NULL,
    title TEXT
);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source, seq) WHERE template_evidence = 1;
CREATE TABLE IF NOT EXISTS source_template (
    source TEXT NOT NULL,
    line_key INTEGER NOT NULL,
    PRIMARY KEY (source, line_key)
) WITHOUT ROWID;
-- find_exact's order (a group's canonical first, then the first stored) is the index's own, so a
-- text posted thousands of times is looked up without sorting its every copy. It replaces an
-- index on exact_key alone, dropped from stores made before.
CREATE INDEX IF NOT EXISTS articles_exact_head ON articles (exact_key, duplicate_of IS NOT NULL, seq);
DROP INDEX IF EXISTS articles_exact;
-- A group's copies with their cluster: group_size counts the copies in a cluster from the index
-- alone, not from each copy's row (a wide row: that cost 0.5 ms a count at a million stored).
-- It replaces an index on duplicate_of alone, dropped from stores made before.
CREATE INDEX IF NOT EXISTS articles_group_cluster ON articles (duplicate_of, cluster_id);
DROP INDEX IF EXISTS articles_group;
-- A cluster's sources from the index alone: the cluster list (what a dashboard polls) names each
-- cluster's sources, and reading them from the member rows took 140 ms a page of 50 at a
-- million stored. It replaces an index on cluster_id alone, dropped from stores made before.
CREATE INDEX IF NOT EXISTS articles_cluster_source ON articles (cluster_id, source);
DROP INDEX IF EXISTS articles_cluster;
-- A cluster's members in the order they are listed, with every column a listing shows: a page
-- of a large cluster's members is read from the index alone, without sorting them all and
-- without their rows. In the row, duplicate_of and similarity sit behind the text and the
-- blobs, on its overflow pages: reading them there cost 12 us a member with the pages cached
-- (24 ms for 2,000) and a random read or more each without. It replaces an index on
-- (cluster_id, published_at), dropped from stores made before.
CREATE INDEX IF NOT EXISTS articles_cluster_members
    ON articles (cluster_id, published_at, seq, id, url, source, title, duplicate_of, similarity);
DROP INDEX IF EXISTS articles_cluster_time;
CREATE TABLE IF NOT EXISTS clusters (
    id TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    title TEXT,
    canonical_id TEXT NOT NULL,
    first_published_at INTEGER NOT NULL,
    last_updated_at INTEGER NOT NULL,
    centroid BLOB
);
CREATE TABLE IF NOT EXISTS cluster_aliases (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cluster_aliases_new ON cluster_aliases (new_id);
CREATE TABLE IF NOT EXISTS document_frequencies (slot INTEGER PRIMARY KEY, documents INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS document_frequency_log (id INTEGER PRIMARY KEY, slots BLOB NOT NULL, counts BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS clusters_recent ON clusters (last_updated_at DESC, id DESC);
DROP INDEX IF EXISTS articles_story;
"""

_ARTICLE_COLUMNS = (
    "seq, id, url, source, title, language, published_at, ingested_at, content_hash, exact_key, "
    "raw, raw_is_html, clean_text, signature, story_signature, story_vector, cluster_id, line_keys, duplicate_of, "
    "similarity, template_evidence"
)
# A whole article: its row, its shingles (None for rows stored before they were kept) and the
# text of its HTML (None for posted text).
_SELECT_ARTICLES = (
    "SELECT " + ", ".join(f"a.{c.strip()}" for c in _ARTICLE_COLUMNS.split(",")) + ", s.shingles,"
    " p.by_extractor AS page_by_extractor, p.text_zlib AS page_text_zlib, p.title AS page_title"
    " FROM articles a LEFT JOIN article_shingles s ON s.seq = a.seq LEFT JOIN article_pages p ON p.seq = a.seq"
)


V = TypeVar("V")
_CLUSTER_COLUMNS = "id, size, title, canonical_id, first_published_at, last_updated_at"
# In Member's field order, so a row builds a Member by position (a dict per row of a cluster
# listing cost half the time of reading it).
_MEMBER_COLUMNS = ", ".join(f.name for f in fields(Member))
FIND_EXACT_SQL = (
    f"SELECT {_MEMBER_COLUMNS} FROM articles WHERE exact_key = ? ORDER BY duplicate_of IS NOT NULL, seq LIMIT 1"
)
# The copies through articles_group_cluster; the canonical through its id (``+cluster_id`` keeps
# SQLite from walking the cluster's index, all its members, instead).
GROUP_SIZE_SQL = (
    "SELECT (SELECT COUNT(*) FROM articles WHERE duplicate_of = ? AND cluster_id = ?)"
    " + (SELECT COUNT(*) FROM articles WHERE id = ? AND +cluster_id = ?) AS n"
)


def cluster_sources_sql(clusters: int) -> str:
    """The distinct sources of ``clusters`` clusters, read from articles_cluster_source alone."""
    return (
        f"SELECT DISTINCT cluster_id, source FROM articles WHERE cluster_id IN ({_placeholders(clusters)})"
        " AND source IS NOT NULL ORDER BY cluster_id, source"
    )


def cluster_members_sql(after: bool) -> str:
    """A page of a cluster's members in the order of articles_cluster_time (no sort of them
    all): parameters cluster_id, the (published_at, seq) to start after when ``after``, and
    the most rows (-1: all)."""
    start = " AND (published_at, seq) > (?, ?)" if after else ""
    return f"SELECT {_MEMBER_COLUMNS} FROM articles WHERE cluster_id = ?{start} ORDER BY published_at, seq LIMIT ?"


# Centroids and cluster rows kept in memory: story scoring reads dozens per article, mostly of
# the same active clusters (8 bytes a centroid term: a few KB for most, 16 KB at 2,000 terms),
# and every ingest reads and writes its cluster's row.
CENTROID_CACHE_SIZE = 10_000
# Document frequencies a request changed are appended to a log as one row (their new values),
# not written slot by slot: one article touches ~80 slots, ~80 pages of a table. Once the log
# holds more than DF_LOG_SLOTS slots, the whole table (16 MB) is written as a snapshot file
# beside the database, by a thread after the request's commit, and the log rows it covers are
# then deleted. Folding the log into a table of slot rows instead rewrote most of that table's
# pages each time (20,000 random slots touch nearly all of them): at 35,000 stored, about 65 ms
# in the single POST that did it (one in ~300) and up to 80 ms of every 500-article batch.
DF_LOG_SLOTS = 500_000
# After a snapshot write fails (a full disk, say), the next one is handed over only this much
# later: retried at once, every request would copy the 16 MB table for another failed write.
# The log keeps every row meanwhile, so nothing is lost, only the log grows.
DF_SNAPSHOT_RETRY_SECONDS = 60.0
# Checkpoints (copying committed pages from the WAL into the database file) wait on the disk:
# run by SQLite in the committing thread, they cost ingest about 0.5 ms an article at 100,000
# stored, nearly all of it waiting for writes. A thread of the store's own runs them after
# commits instead. The writer checkpoints itself only once the WAL outgrows this many pages
# (about 40 MB), which happens only if that thread falls behind.
WAL_BACKSTOP_PAGES = 10_000

_log = logging.getLogger("storywire.store")


class WakeableThread:
    """A daemon thread that runs ``work`` each time it is woken; wakes that come while it works
    are folded into one more run. ``stop`` lets a run in progress end, runs ``work`` once more
    (for whatever was handed over before), then ``finish``, on the thread, and ends it."""

    def __init__(self, name: str, work: Callable[[], None], finish: Callable[[], None] = lambda: None) -> None:
        self._work = work
        self._finish = finish
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                stopping = self._stopping
                self._work()
                if stopping:
                    return
        finally:
            self._finish()


class Checkpointer:
    """Passive checkpoints on a connection of its own, in a thread, after commits. In WAL mode
    a checkpoint may run beside the writer and readers (SQLite's design), and the sqlite3
    module lets other Python threads run while SQLite works. It syncs the database file as
    the store's ``synchronous`` setting says."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self._path = path
        self._synchronous = synchronous
        self._db: sqlite3.Connection | None = None  # opened, used and closed by the thread
        self._thread = WakeableThread("sqlite-checkpoint", self._checkpoint, self._close)

    def poke(self) -> None:
        """Ask for a checkpoint soon (pokes while one runs are folded into the next)."""
        self._thread.wake()

    def stop(self) -> None:
        self._thread.stop()

    def _checkpoint(self) -> None:
        try:
            if self._db is None:
                self._db = sqlite3.connect(self._path, isolation_level=None)
                self._db.execute(f"PRAGMA synchronous={self._synchronous}")
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:  # the next poke tries again; the writer's backstop holds
            _log.warning("background checkpoint failed: %s", exc)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()


class RecentValues(Generic[V]):
    """Values as stored, for the most recently used keys (at most ``size``). The store writes
    through it; a rollback may undo writes, so it is cleared then."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[str, V] = OrderedDict()
        self._size = size

    def put(self, key: str, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def get_many(self, keys: Iterable[str], load: Callable[[list[str]], Iterable[tuple[str, V]]]) -> dict[str, V]:
        """The values of ``keys``; those not held are read with ``load`` (keys it does not
        return do not exist) and kept."""
        found: dict[str, V] = {}
        missing: list[str] = []
        for key in keys:
            if key in self._items:
                found[key] = self._items[key]
                self._items.move_to_end(key)
            else:
                missing.append(key)
        for key, value in load(missing) if missing else ():
            found[key] = value
            self.put(key, value)
        return found


def _placeholders(count: int) -> str:
    """``?,?,…`` for an ``IN (…)`` list of ``count`` values."""
    return ",".join("?" * count)


def _shared_centroid(data: bytes) -> Vector:
    """A stored centroid with read-only arrays: the cache hands the same one to every caller."""
    centroid = Vector.from_bytes(data)
    centroid.terms.setflags(write=False)
    centroid.weights.setflags(write=False)
    return centroid


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
        raw_zlib=row["raw"],
        raw_is_html=bool(row["raw_is_html"]),
        clean_text=row["clean_text"],
        signature=from_bytes(row["signature"]),
        story_signature=from_bytes(row["story_signature"]) if row["story_signature"] else None,
        story_vector=Vector.from_bytes(row["story_vector"]),
        cluster_id=row["cluster_id"],
        line_keys=np.frombuffer(row["line_keys"], dtype="<i8").astype(np.int64),
        duplicate_of=row["duplicate_of"],
        similarity=row["similarity"],
        template_evidence=bool(row["template_evidence"]),
        shingles=None if row["shingles"] is None else from_bytes(row["shingles"]),
        page=_page(row),
    )


def _page(row: sqlite3.Row) -> PageText | None:
    if row["page_text_zlib"] is None:
        return None
    text = zlib.decompress(row["page_text_zlib"]).decode("utf-8")
    return PageText(text, bool(row["page_by_extractor"]), row["page_title"])


def _story_signature_bytes(signature: Signature | None) -> bytes:
    # An empty blob for none: the column is NOT NULL in stores made before copies had none.
    return b"" if signature is None else to_bytes(signature)


def _article_values(a: Article) -> tuple[object, ...]:
    return (
        a.id, a.url, a.source, a.title, a.language, a.published_at, a.ingested_at, a.content_hash,
        a.exact_key, a.raw_zlib, int(a.raw_is_html), a.clean_text,
        to_bytes(a.signature), _story_signature_bytes(a.story_signature), a.story_vector.to_bytes(), a.cluster_id,
        a.line_keys.astype("<i8").tobytes(), a.duplicate_of, a.similarity, int(a.template_evidence),
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


class FrequencySnapshots:
    """The document frequency table as one file beside the database (``<database>-df``): a
    header (magic, the store's id, the last log row it holds) and the counts, little-endian
    uint32. A thread of its own writes each one whole, to a temporary file renamed over the
    last (atomic), so no request waits for the 16 MB; the store reads it once when loading."""

    MAGIC = b"storywire-df-v1\n"
    HEADER = struct.Struct("<16s16sqq")  # magic, store id, last log row held, slots

    def __init__(self, path: Path, store_id: bytes, durable: bool) -> None:
        self.path = path
        self._store_id = store_id
        self._durable = durable  # fsync the file and its folder (the store's synchronous is not OFF)
        self._job: tuple[int, Counts] | None = None
        self._busy = False
        self._retry_at = 0.0  # monotonic time before which a failed write is not tried again
        # The last log row of the newest snapshot on disk: its rows up to there may be deleted.
        self.written_through = self._read_header()[0]
        self._thread = WakeableThread("df-snapshot", self._write_job)

    @property
    def busy(self) -> bool:
        """Whether a snapshot is waiting to be written or being written."""
        return self._busy

    @property
    def ready(self) -> bool:
        """Whether to hand over a new snapshot: none is in hand, and the last write did not
        fail within ``DF_SNAPSHOT_RETRY_SECONDS``."""
        return not self._busy and time.monotonic() >= self._retry_at

    def write(self, through: int, counts: Counts) -> None:
        """Write this snapshot, which holds the committed log up to row ``through``, soon."""
        self._busy = True
        self._job = (through, counts)
        self._thread.wake()

    def read(self) -> tuple[int, Counts] | None:
        """The snapshot on disk: (last log row held, counts); None when there is none or it is
        not this store's (a file left from another database is ignored, with a warning)."""
        try:
            with self.path.open("rb") as handle:
                through, slots = self._check(handle.read(self.HEADER.size))
                counts = np.fromfile(handle, dtype="<u4", count=slots)
        except FileNotFoundError:
            return None
        except ValueError as exc:
            _log.warning("ignoring %s: %s", self.path, exc)
            return None
        if len(counts) != slots:
            _log.warning("ignoring %s: cut short", self.path)
            return None
        return through, counts.astype(np.uint32, copy=False)

    def stop(self) -> None:
        """Finish the snapshot in hand, then end the thread."""
        self._thread.stop()

    def _read_header(self) -> tuple[int, int]:
        """(last log row held, slots) of this store's snapshot on disk; (0, 0) for none."""
        try:
            with self.path.open("rb") as handle:
                return self._check(handle.read(self.HEADER.size))
        except (FileNotFoundError, ValueError):
            return 0, 0

    def _check(self, header: bytes) -> tuple[int, int]:
        if len(header) != self.HEADER.size:
            raise ValueError("no header")
        magic, store_id, through, slots = self.HEADER.unpack(header)
        if magic != self.MAGIC:
            raise ValueError("not a document frequency snapshot")
        if store_id != self._store_id:
            raise ValueError("made for another database")
        return through, slots

    def _write_job(self) -> None:
        job, self._job = self._job, None
        if job is None:
            return
        try:
            self._write_file(*job)
            self.written_through = job[0]
        except OSError as exc:  # the log keeps every row until a snapshot is written
            self._retry_at = time.monotonic() + DF_SNAPSHOT_RETRY_SECONDS
            _log.warning("document frequency snapshot failed (next try in %.0f s): %s", DF_SNAPSHOT_RETRY_SECONDS, exc)
        finally:
            self._busy = self._job is not None

    def _write_file(self, through: int, counts: Counts) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("wb") as handle:
            handle.write(self.HEADER.pack(self.MAGIC, self._store_id, through, len(counts)))
            handle.write(counts.astype("<u4", copy=False).tobytes())
            handle.flush()
            if self._durable:
                os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        if self._durable:  # the rename itself, so the log rows are not deleted before it lasts
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)


class SqliteStore:
    """:class:`app.store.base.Store` on one SQLite file; one connection shared under a lock."""

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
        self._db.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._centroids: RecentValues[Vector] = RecentValues(CENTROID_CACHE_SIZE)  # read-only arrays
        self._clusters: RecentValues[Cluster] = RecentValues(CENTROID_CACHE_SIZE)  # frozen rows
        self._df_logged: int | None = None  # slots in the document frequency log
        self._df_trimmed = 0  # the log's rows up to here are deleted (those of the newest snapshot)
        self._df_snapshot: tuple[int, Counts] | None = None  # taken in this transaction, written after it
        self._df_snapshots = FrequencySnapshots(
            path.with_name(path.name + "-df"), self._store_id(), durable=synchronous.upper() != "OFF"
        )
        self._checkpointer = Checkpointer(path, synchronous.upper())
        self._move_shingles_out_of_article_rows()

    def _store_id(self) -> bytes:
        """This database's id, made when it is first opened: what ties a snapshot file to it."""
        stored = self.get_meta("store_id")
        if stored is None:
            stored = uuid.uuid4().hex
            self.set_meta("store_id", stored)
        return bytes.fromhex(stored)

    def _move_shingles_out_of_article_rows(self) -> None:
        """Bring a store made by an earlier version, which kept shingles in a column at the end
        of the article row, to their own table. Once, in one transaction: the column is dropped
        only with its values moved, and a crash before the commit leaves the store as it was."""
        present = {row["name"] for row in self._db.execute("PRAGMA table_info(articles)")}
        if "shingles" not in present:
            return
        started = time.monotonic()
        with self.transaction():
            self._db.execute(
                "INSERT INTO article_shingles (seq, id, shingles) SELECT seq, id, shingles FROM articles"
                " WHERE shingles IS NOT NULL"
            )
            self._db.execute("ALTER TABLE articles DROP COLUMN shingles")
        _log.info("moved shingles out of the article rows in %.1f s", time.monotonic() - started)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic, durable unit of writes; rolled back when the block raises."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                # The caches may hold values the rollback undoes. Clear them first: on a full
                # disk or an I/O error SQLite may already have rolled back, and then ROLLBACK
                # itself would fail and hide the first error.
                self._centroids.clear()
                self._clusters.clear()
                self._df_logged = None
                self._df_trimmed = 0
                self._df_snapshot = None
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            if self._df_snapshot is not None:
                self._df_snapshots.write(*self._df_snapshot)
                self._df_snapshot = None
            self._checkpointer.poke()

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
        rows = self._query(f"{_SELECT_ARTICLES} WHERE a.id = ?", (article_id,))
        return _article(rows[0]) if rows else None

    def articles_by_seq(self, seqs: Iterable[int]) -> list[Article]:
        keys = list(seqs)
        if not keys:
            return []
        rows = self._query(f"{_SELECT_ARTICLES} WHERE a.seq IN ({_placeholders(len(keys))}) ORDER BY a.seq", keys)
        return [_article(r) for r in rows]

    def shingles_by_seq(self, seqs: Iterable[int]) -> dict[int, tuple[str, Shingles]]:
        keys = list(seqs)
        if not keys:
            return {}
        sql = f"SELECT seq, id, shingles FROM article_shingles WHERE seq IN ({_placeholders(len(keys))})"
        return {seq: (article_id, from_bytes(blob)) for seq, article_id, blob in self._query(sql, keys)}

    def find_exact(self, exact_key: str) -> Member | None:
        rows = self._query(FIND_EXACT_SQL, (exact_key,))
        return Member(*rows[0]) if rows else None

    def get_member(self, article_id: str) -> Member | None:
        return self._member("id", article_id)

    def member_by_seq(self, seq: int) -> Member | None:
        return self._member("seq", seq)

    def _member(self, key: str, value: object) -> Member | None:
        rows = self._query(f"SELECT {_MEMBER_COLUMNS} FROM articles WHERE {key} = ?", (value,))
        return Member(*rows[0]) if rows else None

    def insert_article(self, article: Article) -> int:
        """Insert; a new article gets the next sequence number, a re-inserted one keeps its own."""
        cur = self._execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES ({_placeholders(_ARTICLE_COLUMNS.count(',') + 1)})",
            (article.seq or None, *_article_values(article)),
        )
        assert cur.lastrowid is not None
        article.seq = cur.lastrowid
        if article.shingles is not None:
            self._execute(
                "INSERT INTO article_shingles (seq, id, shingles) VALUES (?, ?, ?)",
                (article.seq, article.id, to_bytes(article.shingles)),
            )
        if article.page is not None:
            page = article.page
            self._execute(
                "INSERT INTO article_pages (seq, by_extractor, text_zlib, title) VALUES (?, ?, ?, ?)",
                (
                    article.seq,
                    int(page.by_extractor),
                    zlib.compress(page.text.encode("utf-8"), KEPT_TEXT_ZLIB_LEVEL),
                    page.title,
                ),
            )
        return cur.lastrowid

    def set_duplicate(self, article_id: str, duplicate_of: str, similarity: float) -> None:
        self._execute(
            "UPDATE articles SET duplicate_of = ?, similarity = ? WHERE id = ?", (duplicate_of, similarity, article_id)
        )

    def set_head(self, article_id: str, story_signature: Signature) -> None:
        self._execute(
            "UPDATE articles SET duplicate_of = NULL, similarity = NULL, story_signature = ? WHERE id = ?",
            (to_bytes(story_signature), article_id),
        )

    def delete_article(self, article_id: str) -> None:
        self._execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def group_members(self, canonical_id: str) -> list[Article]:
        rows = self._query(f"{_SELECT_ARTICLES} WHERE a.duplicate_of = ? ORDER BY a.seq", (canonical_id,))
        return [_article(r) for r in rows]

    def cluster_members(
        self, cluster_id: str, limit: int | None = None, after: tuple[int, int] | None = None
    ) -> list[Member]:
        most = -1 if limit is None else limit  # SQLite's LIMIT -1: no limit
        rows = self._query(cluster_members_sql(after is not None), (cluster_id, *(after or ()), most))
        return [Member(*r) for r in rows]

    def group_size(self, cluster_id: str, canonical_id: str) -> int:
        """Members of a cluster in the duplicate group of ``canonical_id`` (itself included)."""
        rows = self._query(GROUP_SIZE_SQL, (canonical_id, cluster_id, canonical_id, cluster_id))
        return int(rows[0]["n"])

    def get_cluster(self, cluster_id: str) -> Cluster | None:
        return self._cached_clusters([cluster_id]).get(cluster_id)

    def _cached_clusters(self, cluster_ids: Iterable[str]) -> dict[str, Cluster]:
        def load(missing: list[str]) -> Iterator[tuple[str, Cluster]]:
            sql = f"SELECT {_CLUSTER_COLUMNS} FROM clusters WHERE id IN ({_placeholders(len(missing))})"
            return ((str(r["id"]), _cluster(r)) for r in self._query(sql, missing))

        with self._lock:
            return self._clusters.get_many(cluster_ids, load)

    def put_cluster(self, cluster: Cluster) -> None:
        with self._lock:
            self._execute(
                "INSERT INTO clusters (id, size, title, canonical_id, first_published_at, last_updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size,"
                " title = excluded.title, canonical_id = excluded.canonical_id,"
                " first_published_at = excluded.first_published_at, last_updated_at = excluded.last_updated_at",
                (cluster.id, cluster.size, cluster.title, cluster.canonical_id, cluster.first_published_at,
                 cluster.last_updated_at),
            )  # fmt: skip
            self._clusters.put(cluster.id, cluster)

    def delete_cluster(self, cluster_id: str) -> None:
        with self._lock:
            self._execute("DELETE FROM clusters WHERE id = ?", (cluster_id,))
            self._centroids.pop(cluster_id)
            self._clusters.pop(cluster_id)

    def get_centroid(self, cluster_id: str) -> Vector | None:
        return self.get_centroids([cluster_id]).get(cluster_id)

    def put_centroid(self, cluster_id: str, centroid: Vector) -> None:
        data = centroid.to_bytes()
        with self._lock:
            cursor = self._execute("UPDATE clusters SET centroid = ? WHERE id = ?", (data, cluster_id))
            if cursor.rowcount:
                self._centroids.put(cluster_id, _shared_centroid(data))
            else:
                self._centroids.pop(cluster_id)

    def member_vectors(self, cluster_id: str) -> list[Vector]:
        rows = self._query("SELECT story_vector FROM articles WHERE cluster_id = ?", (cluster_id,))
        return [Vector.from_bytes(r["story_vector"]) for r in rows]

    def get_centroids(self, cluster_ids: Iterable[str]) -> dict[str, Vector]:
        def load(missing: list[str]) -> Iterator[tuple[str, Vector]]:
            # The rest of each row comes along and is kept too: scoring a story asks for the
            # sizes of the same clusters next, and would otherwise read their rows again.
            marks = _placeholders(len(missing))
            sql = f"SELECT {_CLUSTER_COLUMNS}, centroid FROM clusters WHERE id IN ({marks}) AND centroid IS NOT NULL"
            for row in self._query(sql, missing):
                self._clusters.put(row["id"], _cluster(row))
                yield str(row["id"]), _shared_centroid(row["centroid"])

        with self._lock:
            return self._centroids.get_many(cluster_ids, load)

    def cluster_sizes(self, cluster_ids: Iterable[str]) -> dict[str, int]:
        return {cluster_id: c.size for cluster_id, c in self._cached_clusters(cluster_ids).items()}

    def published_and_seq(self, article_id: str) -> tuple[int, int] | None:
        # Both sit at the start of the row, on its first page: its overflow pages are not read.
        rows = self._query("SELECT published_at, seq FROM articles WHERE id = ?", (article_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    def merge_cluster(self, old_id: str, new_id: str) -> None:
        """Move every member of ``old_id`` to ``new_id``; the old id resolves to the new from now on."""
        with self._lock:
            self._execute("UPDATE articles SET cluster_id = ? WHERE cluster_id = ?", (new_id, old_id))
            self._execute("UPDATE cluster_aliases SET new_id = ? WHERE new_id = ?", (new_id, old_id))
            self._execute("INSERT OR REPLACE INTO cluster_aliases (old_id, new_id) VALUES (?, ?)", (old_id, new_id))
            self.delete_cluster(old_id)

    def resolve_cluster(self, cluster_id: str) -> str:
        rows = self._query("SELECT new_id FROM cluster_aliases WHERE old_id = ?", (cluster_id,))
        return str(rows[0]["new_id"]) if rows else cluster_id

    def merged_into(self, cluster_id: str) -> list[str]:
        rows = self._query("SELECT old_id FROM cluster_aliases WHERE new_id = ? ORDER BY old_id", (cluster_id,))
        return [str(r["old_id"]) for r in rows]

    def load_document_frequencies(self, batch: int = 100_000) -> Iterator[tuple[Slots, Counts]]:
        """The newest snapshot (in a store made before snapshots, its table of slot rows), then
        the log rows after it, in order (later values of a slot replace earlier ones)."""
        with self._lock:
            snapshot = self._df_snapshots.read()
            if snapshot is None:
                if self.get_meta("df_snapshot_through") is not None:
                    _log.warning(
                        "%s is missing: the document frequencies it held are lost (copy the data folder whole)",
                        self._df_snapshots.path,
                    )
                through = 0
                cursor = self._db.execute("SELECT slot, documents FROM document_frequencies")
                cursor.row_factory = None  # plain tuples: millions of rows at a million articles
                while rows := cursor.fetchmany(batch):
                    slots, counts = zip(*rows, strict=True)
                    yield np.array(slots, dtype=np.int64), np.array(counts, dtype=np.uint32)
            else:
                through, table = snapshot
                held = np.flatnonzero(table)
                for start in range(0, len(held), batch):
                    yield held[start : start + batch], table[held[start : start + batch]]
            cursor = self._db.execute(
                "SELECT slots, counts FROM document_frequency_log WHERE id > ? ORDER BY id", (through,)
            )
            for slots, counts in cursor:
                yield np.frombuffer(slots, dtype="<u4").astype(np.int64), np.frombuffer(counts, dtype="<u4").copy()

    def save_document_frequencies(self, table: Counts, changed: Slots) -> None:
        slots = np.asarray(changed, dtype="<u4")
        with self._lock:
            self._trim_document_frequency_log()
            cursor = self._db.execute(
                "INSERT INTO document_frequency_log (slots, counts) VALUES (?, ?)",
                (slots.tobytes(), table[changed].astype("<u4").tobytes()),
            )
            if self._df_logged is None:  # unknown after opening, a rollback or a trim
                row = self._db.execute("SELECT coalesce(sum(length(slots)), 0) / 4 FROM document_frequency_log")
                self._df_logged = int(row.fetchone()[0])
            else:
                self._df_logged += len(slots)
            if self._df_logged > DF_LOG_SLOTS and self._df_snapshots.ready:
                # A copy: the engine goes on counting while the thread writes it.
                self._df_snapshot = (int(cursor.lastrowid or 0), table.astype(np.uint32, copy=True))

    def _trim_document_frequency_log(self) -> None:
        """Delete the log rows the newest snapshot on disk holds, and the table of slot rows of
        a store made before snapshots (the snapshot holds all of it). Its last row is kept: the
        log's ids are rowids, and with no row left at or after it, new rows would number from 1
        again, below the snapshot's mark, and be skipped when loading."""
        through = self._df_snapshots.written_through
        if through > self._df_trimmed:
            self._db.execute("DELETE FROM document_frequency_log WHERE id < ?", (through,))
            self._db.execute("DELETE FROM document_frequencies")
            self.set_meta("df_snapshot_through", str(through))  # from now on the snapshot is needed
            self._df_trimmed = through
            self._df_logged = None

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
        sql = (
            f"SELECT {_CLUSTER_COLUMNS} FROM clusters WHERE {' AND '.join(where)}"
            " ORDER BY last_updated_at DESC, id DESC LIMIT ?"
        )
        return [_cluster(r) for r in self._query(sql, [*params, limit])]

    def cluster_sources(self, cluster_ids: Sequence[str]) -> dict[str, list[str]]:
        if not cluster_ids:
            return {}
        rows = self._query(cluster_sources_sql(len(cluster_ids)), list(cluster_ids))
        sources: dict[str, list[str]] = {cid: [] for cid in cluster_ids}
        for r in rows:
            sources[r["cluster_id"]].append(r["source"])
        return sources

    def signatures(self, batch: int = 50_000) -> Iterator[SignatureBatch]:
        """``batch`` rows at a time, as arrays (one signature per row), so start-up never holds
        all rows as Python objects."""
        with self._lock:
            sql = (
                "SELECT a.seq, a.published_at, a.cluster_id, a.signature, a.story_signature,"
                " coalesce(h.seq, a.seq) FROM articles a LEFT JOIN articles h ON h.id = a.duplicate_of"
                " ORDER BY a.seq"
            )
            cursor = self._db.execute(sql)
            while rows := cursor.fetchmany(batch):
                sigs = np.frombuffer(b"".join(r[3] for r in rows), dtype="<u4").reshape(len(rows), -1)
                has_story = np.fromiter((bool(r[4]) for r in rows), dtype=bool, count=len(rows))
                story = np.zeros(sigs.shape, dtype=np.uint32)
                stored = np.frombuffer(b"".join(r[4] for r in rows), dtype="<u4")
                story[has_story] = stored.reshape(-1, sigs.shape[1])
                yield SignatureBatch(
                    seqs=np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
                    published=np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)),
                    heads=np.fromiter((r[5] for r in rows), dtype=np.int64, count=len(rows)),
                    clusters=[r[2] for r in rows],
                    signatures=sigs.astype(np.uint32),
                    story_signatures=story,
                    has_story_signature=has_story,
                )

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

    def recent_languages(self, limit: int) -> set[str | None]:
        rows = self._query("SELECT language FROM articles ORDER BY seq DESC LIMIT ?", (limit,))
        return {r["language"] for r in rows}

    def close(self) -> None:
        """Stop the checkpoint thread, then close: the last connection to close checkpoints the
        rest of the WAL into the database file."""
        self._df_snapshots.stop()
        self._checkpointer.stop()
        with self._lock:
            self._db.close()
