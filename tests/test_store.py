"""The SQLite store's narrow reads and its centroid cache answer as the stored rows do."""

from __future__ import annotations

import sqlite3
import threading
import time
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from app.store.base import Article, Cluster
from app.store.sqlite import (
    FIND_EXACT_SQL,
    GROUP_SIZE_SQL,
    FrequencySnapshots,
    SqliteStore,
    WakeableThread,
    cluster_members_sql,
    cluster_sources_sql,
)
from app.stories import Vector


def article(article_id: str, cluster_id: str, published_at: int) -> Article:
    sig = np.arange(128, dtype=np.uint32)
    return Article(
        id=article_id, url=None, source=None, title=None, language="en", published_at=published_at,
        ingested_at=1, content_hash="h", exact_key=article_id, raw_zlib=zlib.compress(b"text"), raw_is_html=False,
        clean_text="text", signature=sig, story_signature=sig, story_vector=Vector.empty(),
        cluster_id=cluster_id, line_keys=np.zeros(0, dtype=np.int64),
    )  # fmt: skip


def vector(*terms: int) -> Vector:
    return Vector(np.array(terms, dtype=np.uint32), np.arange(1, len(terms) + 1, dtype=np.float32))


def same(a: Vector | None, b: Vector | None) -> bool:
    if a is None or b is None:
        return a is b
    return np.array_equal(a.terms, b.terms) and np.array_equal(a.weights, b.weights)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    store = SqliteStore(tmp_path / "s.db", "OFF")
    with store.transaction():
        for cid in ("c1", "c2", "c3"):
            store.put_cluster(Cluster(cid, 1, None, "a", 0, 0))
            store.put_centroid(cid, vector(int(cid[1:]), 100))
    return store


def stored_centroid(path: Path, cluster_id: str) -> Vector | None:
    """What a fresh connection (no cache) reads."""
    fresh = SqliteStore(path, "OFF")
    try:
        return fresh.get_centroids([cluster_id]).get(cluster_id)
    finally:
        fresh.close()


def test_cached_centroids_follow_writes_merges_and_deletes(store: SqliteStore, tmp_path: Path) -> None:
    with store.transaction():
        store.put_centroid("c1", vector(7, 8, 9))
        store.merge_cluster("c2", "c1")
        store.delete_cluster("c3")
        store.put_centroid("c9", vector(1))  # no such cluster: nothing stored, nothing cached
    found = store.get_centroids(["c1", "c2", "c3", "c9"])
    assert list(found) == ["c1"]
    for cid in ("c1", "c2", "c3", "c9"):
        assert same(store.get_centroid(cid), stored_centroid(tmp_path / "s.db", cid)), cid


def test_a_rolled_back_centroid_is_not_served(store: SqliteStore, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.put_centroid("c1", vector(5, 6))
        store.delete_cluster("c2")
        raise RuntimeError("roll back")
    assert same(store.get_centroid("c1"), vector(1, 100))
    assert same(store.get_centroid("c2"), vector(2, 100))


def stored_sizes(path: Path, cluster_ids: list[str]) -> dict[str, int]:
    fresh = SqliteStore(path, "OFF")
    try:
        return fresh.cluster_sizes(cluster_ids)
    finally:
        fresh.close()


def test_cached_cluster_sizes_follow_writes_merges_deletes_and_rollbacks(store: SqliteStore, tmp_path: Path) -> None:
    ids = ["c1", "c2", "c3", "c9"]
    assert store.cluster_sizes(ids) == {"c1": 1, "c2": 1, "c3": 1}
    with store.transaction():
        store.put_cluster(Cluster("c1", 5, None, "a", 0, 0))
        store.merge_cluster("c2", "c1")
    with pytest.raises(RuntimeError), store.transaction():
        store.put_cluster(Cluster("c3", 7, None, "a", 0, 0))
        raise RuntimeError("roll back")
    assert store.cluster_sizes(ids) == stored_sizes(tmp_path / "s.db", ids) == {"c1": 5, "c3": 1}
    assert store.cluster_sizes([]) == {}


def test_cached_centroids_are_read_only(store: SqliteStore) -> None:
    centroid = store.get_centroid("c1")
    assert centroid is not None
    with pytest.raises(ValueError):
        centroid.weights[0] = 9.0


def test_signatures_give_what_the_indexes_are_built_from(store: SqliteStore) -> None:
    with store.transaction():
        seqs = [store.insert_article(article(f"a{i}", f"c{1 + i % 3}", 1000 + i)) for i in range(6)]
        store.merge_cluster("c2", "c3")
    batches = list(store.signatures(batch=4))
    assert [len(b.seqs) for b in batches] == [4, 2]
    assert [s for b in batches for s in b.seqs.tolist()] == seqs
    assert [p for b in batches for p in b.published.tolist()] == [1000 + i for i in range(6)]
    assert [c for b in batches for c in b.clusters] == ["c1", "c3", "c3", "c1", "c3", "c3"]
    assert batches[0].signatures.shape == batches[0].story_signatures.shape == (4, 128)


def test_a_copy_has_no_story_signature_until_it_becomes_a_head(store: SqliteStore) -> None:
    """Only heads are in the story index: a copy is stored without a story signature, the
    start-up batches say so (zeros, flagged), and set_head gives it one with its new role."""
    head = article("head", "c1", 1000)
    copy = replace(article("copy", "c1", 1001), duplicate_of="head", similarity=0.9, story_signature=None)
    with store.transaction():
        store.insert_article(head)
        store.insert_article(copy)
    (batch,) = store.signatures()
    assert batch.has_story_signature.tolist() == [True, False]
    assert np.array_equal(batch.story_signatures[0], head.story_signature)
    assert not batch.story_signatures[1].any()
    member = store.get_member("copy")
    assert member is not None and (member.duplicate_of, member.similarity, member.cluster_id) == ("head", 0.9, "c1")
    assert store.member_by_seq(copy.seq) == member
    assert store.get_member("nobody") is None and store.member_by_seq(999) is None
    promoted = np.arange(128, 256, dtype=np.uint32)
    with store.transaction():
        store.set_head("copy", promoted)
    again = store.get_article("copy")
    assert again is not None and again.duplicate_of is None and again.similarity is None
    assert again.story_signature is not None and np.array_equal(again.story_signature, promoted)
    (batch,) = store.signatures()
    assert batch.has_story_signature.tolist() == [True, True]


TABLE_SLOTS = 64  # the store keeps a table of any size; the engine's has DF_SLOTS


def loaded_frequencies(store: SqliteStore, batch: int = 100_000) -> npt.NDArray[np.uint32]:
    """The table as a restart rebuilds it: later batches replace earlier values."""
    table = np.zeros(TABLE_SLOTS, dtype=np.uint32)
    for slots, counts in store.load_document_frequencies(batch):
        table[slots] = counts
    return table


def save(store: SqliteStore, table: npt.NDArray[np.uint32], slots: npt.NDArray[np.int64], counts: object) -> None:
    """One request's changes: set them in the table and keep them."""
    table[slots] = counts
    with store.transaction():
        store.save_document_frequencies(table, slots)


def save_and_roll_back(store: SqliteStore, table: npt.NDArray[np.uint32], slots: list[int], count: int) -> None:
    """A request that changes these slots, saves them, then fails."""
    with pytest.raises(RuntimeError), store.transaction():
        table[slots] = count
        store.save_document_frequencies(table, np.array(slots))
        raise RuntimeError("roll back")


def reopened_frequencies(tmp_path: Path) -> npt.NDArray[np.uint32]:
    """The table as a restart of the store at ``tmp_path / "s.db"`` loads it."""
    return loaded_frequencies(SqliteStore(tmp_path / "s.db", "OFF"))


def settled(store: SqliteStore) -> SqliteStore:
    """The store once its snapshot thread has written what it was given."""
    deadline = time.monotonic() + 10
    while store._df_snapshots.busy and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not store._df_snapshots.busy
    return store


def log_slots(store: SqliteStore) -> int:
    sql = "SELECT coalesce(sum(length(slots)), 0) / 4 FROM document_frequency_log"
    return int(store._db.execute(sql).fetchone()[0])


def snapshot_file(tmp_path: Path) -> Path:
    return tmp_path / "s.db-df"


def empty_table(monkeypatch: pytest.MonkeyPatch, log_limit: int) -> npt.NDArray[np.uint32]:
    """A table of zero counts, with a snapshot due once the log holds over ``log_limit`` slots
    (0: after every request)."""
    monkeypatch.setattr("app.store.sqlite.DF_LOG_SLOTS", log_limit)
    return np.zeros(TABLE_SLOTS, dtype=np.uint32)


def test_document_frequencies_load_in_batches_as_saved(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = empty_table(monkeypatch, 1)  # a snapshot at once
    save(store, table, np.array([5, 1, 9, 63]), [2, 7, 1, 3])
    settled(store).close()
    reopened = SqliteStore(tmp_path / "s.db", "OFF")
    batches = list(reopened.load_document_frequencies(batch=3))
    assert [len(s) for s, _ in batches] == [3, 1]
    assert np.array_equal(loaded_frequencies(reopened), table)


@pytest.mark.parametrize("log_limit", [1, 4, 1_000])
def test_document_frequencies_survive_the_log_and_its_snapshots(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_limit: int
) -> None:
    table = empty_table(monkeypatch, log_limit)
    rng = np.random.default_rng(log_limit)
    for _ in range(6):
        slots = np.unique(rng.integers(0, 20, 5))
        save(store, table, slots, rng.integers(0, 9, len(slots)))
    committed = table.copy()
    save_and_roll_back(store, table, [0, 1], 99)
    assert np.array_equal(loaded_frequencies(settled(store)), committed)
    store.close()
    assert np.array_equal(reopened_frequencies(tmp_path), committed)


def test_a_snapshot_replaces_the_log_rows_it_holds(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = empty_table(monkeypatch, 30)
    rng = np.random.default_rng(4)
    for _ in range(40):
        slots = np.unique(rng.integers(0, 50, 6))
        save(settled(store), table, slots, rng.integers(1, 9, len(slots)))
        assert log_slots(store) <= 30 + 2 * 6  # the rows of one snapshot in writing, and this one
        assert np.array_equal(loaded_frequencies(store), table)
    assert snapshot_file(tmp_path).exists()
    assert store._db.execute("SELECT count(*) FROM document_frequency_log").fetchone()[0] > 1  # not emptied
    store.close()
    assert np.array_equal(reopened_frequencies(tmp_path), table)


def test_a_rolled_back_request_writes_no_snapshot(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = empty_table(monkeypatch, 1)
    save_and_roll_back(store, table, [3], 5)
    assert not settled(store)._df_snapshots.busy
    assert not snapshot_file(tmp_path).exists()
    assert not loaded_frequencies(store).any()


def test_a_restart_between_a_snapshot_and_its_trim_reads_each_count_once(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot is written, then the process dies before a request deletes the log rows it
    holds: the restart reads the snapshot and only the log rows after it, and trims the rest."""
    table = empty_table(monkeypatch, 0)  # a snapshot after every request
    for slot in range(6):  # slot 40 takes a new value each time
        save(settled(store), table, np.array([slot, 40]), [slot + 1, slot + 1])
    settled(store)  # the last snapshot is written; the row before its own is still in the log
    assert log_slots(store) == 4
    restarted = SqliteStore(tmp_path / "s.db", "OFF")
    assert np.array_equal(loaded_frequencies(restarted), table)  # the older row is not read after it
    save(restarted, table, np.array([50]), [1])
    assert log_slots(restarted) == 2 + 1  # the older row is gone; the snapshot's own row and this one
    restarted.close()
    assert np.array_equal(reopened_frequencies(tmp_path), table)


def test_a_snapshot_file_of_another_database_is_ignored(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    table = empty_table(monkeypatch, 0)
    save(store, table, np.array([7]), [3])
    settled(store).close()
    other = SqliteStore(tmp_path / "other" / "s.db", "OFF")
    other_table = np.zeros(TABLE_SLOTS, dtype=np.uint32)
    save(other, other_table, np.array([2]), [9])
    other.close()
    (tmp_path / "other" / "s.db-df").write_bytes(snapshot_file(tmp_path).read_bytes())
    with caplog.at_level("WARNING", logger="storywire.store"):
        loaded = loaded_frequencies(SqliteStore(tmp_path / "other" / "s.db", "OFF"))
    assert np.array_equal(loaded, other_table)
    assert "made for another database" in caplog.text


def test_a_missing_snapshot_that_the_log_relies_on_is_reported(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    table = empty_table(monkeypatch, 0)
    save(store, table, np.array([7]), [3])
    save(settled(store), table, np.array([8]), [4])  # the first snapshot's rows are trimmed
    settled(store).close()
    snapshot_file(tmp_path).unlink()  # the database copied without it
    with caplog.at_level("WARNING", logger="storywire.store"):
        loaded_frequencies(SqliteStore(tmp_path / "s.db", "OFF"))
    assert "s.db-df is missing" in caplog.text


def test_a_store_made_before_snapshots_loads_its_table_and_then_drops_it(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = np.zeros(TABLE_SLOTS, dtype=np.uint32)
    table[[1, 2, 3]] = [4, 5, 6]
    with store.transaction():  # as the table of slot rows was kept before
        store._db.executemany("INSERT INTO document_frequencies VALUES (?, ?)", [(1, 4), (2, 5), (3, 6)])
    save(store, table, np.array([2]), [7])
    assert np.array_equal(loaded_frequencies(store), table)
    monkeypatch.setattr("app.store.sqlite.DF_LOG_SLOTS", 1)
    save(store, table, np.array([9]), [1])
    save(settled(store), table, np.array([10]), [1])
    assert store._db.execute("SELECT count(*) FROM document_frequencies").fetchone()[0] == 0
    store.close()
    assert np.array_equal(reopened_frequencies(tmp_path), table)


def test_an_error_after_sqlite_rolled_back_by_itself_is_raised_and_not_cached(store: SqliteStore) -> None:
    with pytest.raises(RuntimeError, match="disk full"), store.transaction():
        store.put_cluster(Cluster("c1", 9, None, "a", 0, 0))
        store._db.execute("ROLLBACK")  # as SQLite does by itself on SQLITE_FULL or an I/O error
        raise RuntimeError("disk full")
    assert store.cluster_sizes(["c1"]) == {"c1": 1}
    with store.transaction():  # and the store keeps working
        store.put_cluster(Cluster("c1", 2, None, "a", 0, 0))
    assert store.cluster_sizes(["c1"]) == {"c1": 2}


def test_group_size_counts_the_head_and_its_copies_in_that_cluster_only(store: SqliteStore) -> None:
    with store.transaction():
        store.insert_article(article("head", "c1", 1))
        for i, cluster_id in enumerate(["c1", "c1", "c2"]):
            store.insert_article(article(f"copy{i}", cluster_id, 2))
            store.set_duplicate(f"copy{i}", "head", 0.9)
        store.insert_article(article("other", "c1", 3))
    assert store.group_size("c1", "head") == 3
    assert store.group_size("c2", "head") == 1  # a copy moved elsewhere; the head is not there
    assert store.group_size("c1", "other") == 1
    assert store.group_size("c3", "head") == 0


def with_shingles(article_id: str, seq: int, *shingles: int) -> Article:
    stored = article(article_id, "c1", seq)
    stored.shingles = np.array(shingles, dtype=np.uint32)
    return stored


def article_columns(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {row[1] for row in db.execute("PRAGMA table_info(articles)")}
    finally:
        db.close()


def test_shingles_are_read_apart_from_the_rows_and_leave_with_their_article(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db", "OFF")
    with store.transaction():
        for n, name in enumerate(("a", "b", "c"), start=1):
            store.insert_article(with_shingles(name, n, n, 10 * n))
    found = store.shingles_by_seq([3, 1, 9])
    assert {seq: (i, sh.tolist()) for seq, (i, sh) in found.items()} == {1: ("a", [1, 10]), 3: ("c", [3, 30])}
    whole = store.get_article("b")
    assert whole is not None and whole.shingles is not None and whole.shingles.tolist() == [2, 20]
    with store.transaction():
        store.delete_article("b")
        again = with_shingles("b", 0, 7)
        again.seq = 2  # re-inserted under its own seq, as an update does
        store.insert_article(again)
    assert store.shingles_by_seq([2])[2][1].tolist() == [7]
    with store.transaction():
        store.delete_article("a")
    assert list(store.shingles_by_seq([1, 2, 3])) == [2, 3]
    store.close()


def test_a_store_that_kept_shingles_in_the_article_rows_moves_them_to_their_table(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path, "OFF")
    with store.transaction():
        store.insert_article(with_shingles("a", 1, 3, 1, 2))
        store.insert_article(article("b", "c1", 2))  # stored before shingles were kept
    store.close()
    old = sqlite3.connect(path)  # the layout of the versions before the table
    old.execute("ALTER TABLE articles ADD COLUMN shingles BLOB")
    old.execute("UPDATE articles SET shingles = (SELECT shingles FROM article_shingles s WHERE s.seq = articles.seq)")
    old.execute("DROP TABLE article_shingles")
    old.commit()
    old.close()
    reopened = SqliteStore(path, "OFF")
    assert "shingles" not in article_columns(path)
    assert {seq: (i, sh.tolist()) for seq, (i, sh) in reopened.shingles_by_seq([1, 2]).items()} == {1: ("a", [3, 1, 2])}
    found = reopened.get_article("a")
    assert found is not None and found.shingles is not None and found.shingles.tolist() == [3, 1, 2]
    legacy = reopened.get_article("b")
    assert legacy is not None and legacy.shingles is None and legacy.raw == "text"
    reopened.close()
    SqliteStore(path, "OFF").close()  # opens again with nothing left to move


def test_a_store_made_before_shingles_were_kept_opens_and_reads_without_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path, "OFF")
    with store.transaction():
        store.insert_article(article("a", "c1", 1))
    store.close()
    old = sqlite3.connect(path)
    old.execute("DROP TABLE article_shingles")  # as the first versions made it
    old.close()
    reopened = SqliteStore(path, "OFF")
    found = reopened.get_article("a")
    assert found is not None and found.shingles is None and found.raw == "text"
    with reopened.transaction():
        reopened.insert_article(with_shingles("b", 2, 3, 1, 2))
    stored = reopened.get_article("b")
    assert stored is not None and stored.shingles is not None and stored.shingles.tolist() == [3, 1, 2]
    assert {seq: (i, sh.tolist()) for seq, (i, sh) in reopened.shingles_by_seq([2, 1]).items()} == {2: ("b", [3, 1, 2])}
    reopened.close()


def database_file_ids(path: Path) -> set[str]:
    """The article ids in the database file itself, ignoring the WAL (``immutable`` reads the
    file as it is): what a checkpoint has copied there."""
    db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone() is None:
            return set()  # not even the schema is in the file yet
        return {row[0] for row in db.execute("SELECT id FROM articles")}
    finally:
        db.close()


def test_commits_reach_the_database_file_without_the_writer_checkpointing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SqliteStore(path, "FULL")
    try:
        with store.transaction():
            store.insert_article(article("a", "c1", 1))
        # One small commit is far below the writer's own checkpoint threshold: only the
        # background checkpoint copies it into the file.
        deadline = time.monotonic() + 30
        while "a" not in database_file_ids(path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "a" in database_file_ids(path)
        assert store.get_article("a") is not None
    finally:
        store.close()


def test_closing_a_store_stops_its_checkpoint_thread_and_leaves_everything_in_the_file(tmp_path: Path) -> None:
    def checkpointers() -> int:
        return sum(t.name == "sqlite-checkpoint" for t in threading.enumerate())

    before = checkpointers()
    path = tmp_path / "s.db"
    store = SqliteStore(path, "FULL")
    assert checkpointers() == before + 1
    with store.transaction():
        for i in range(50):
            store.insert_article(article(f"a{i}", "c1", i))
    store.close()
    assert checkpointers() == before
    assert database_file_ids(path) == {f"a{i}" for i in range(50)}


def test_a_wakeable_thread_folds_wakes_that_come_while_it_works_and_works_once_more_when_stopped() -> None:
    first_started, release = threading.Event(), threading.Event()
    runs: list[int] = []
    finished: list[int] = []

    def work() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            first_started.set()
            release.wait(10)

    thread = WakeableThread("test-wakeable", work, lambda: finished.append(len(runs)))
    thread.wake()
    assert first_started.wait(10)
    for _ in range(3):  # while the first run works: one more run, not three
        thread.wake()
    release.set()
    deadline = time.monotonic() + 10
    while len(runs) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert runs == [0, 1]
    thread.stop()  # one last run for whatever was handed over, then finish, on the thread
    assert runs == [0, 1, 2] and finished == [3]
    assert not any(t.name == "test-wakeable" for t in threading.enumerate())


def test_published_and_seq_gives_what_ranks_a_canonical(store: SqliteStore) -> None:
    with store.transaction():
        store.insert_article(article("a", "c1", 5))
        store.insert_article(article("b", "c1", 3))
    assert store.published_and_seq("a") == (5, 1)
    assert store.published_and_seq("b") == (3, 2)
    assert store.published_and_seq("missing") is None


def _reopened_with_older_index(tmp_path: Path, index: str, older: str) -> tuple[SqliteStore, set[str]]:
    """A store made with the ``older`` index (``name ON table (columns)``) in place of ``index``,
    as a store from before it, then opened again; and the names of its indexes after opening."""
    path = tmp_path / "s.db"
    SqliteStore(path, "OFF").close()
    with sqlite3.connect(path) as db:
        db.execute(f"DROP INDEX {index}")
        db.execute(f"CREATE INDEX {older}")
    db.close()
    store = SqliteStore(path, "OFF")
    return store, {r[0] for r in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_exact_copies_find_their_canonical_without_sorting_every_copy(tmp_path: Path) -> None:
    """An exact-copy lookup answers the group's canonical however many copies share its text,
    straight from an index (no sort of every copy); a store made with the older index on
    ``exact_key`` alone loses it on open."""
    older = "articles_exact ON articles (exact_key)"
    store, indexes = _reopened_with_older_index(tmp_path, "articles_exact_head", older)
    assert "articles_exact_head" in indexes and "articles_exact" not in indexes
    with store.transaction():
        for i in range(5):
            store.insert_article(replace(article(f"copy{i}", "c1", i), exact_key="same", duplicate_of="head"))
        store.insert_article(replace(article("head", "c1", 9), exact_key="same"))
    found = store.find_exact("same")
    assert found is not None and found.id == "head"
    plan = " ".join(row[3] for row in store._db.execute("EXPLAIN QUERY PLAN " + FIND_EXACT_SQL, ("same",)))
    assert "articles_exact_head" in plan and "TEMP B-TREE" not in plan
    store.close()


def test_group_sizes_are_counted_from_an_index_without_reading_copies(tmp_path: Path) -> None:
    """A group's copies in a cluster are counted from an index that holds both columns (no
    copy's row is read); copies in another cluster do not count; a store made with the older
    index on ``duplicate_of`` alone loses it on open."""
    older = "articles_group ON articles (duplicate_of)"
    store, indexes = _reopened_with_older_index(tmp_path, "articles_group_cluster", older)
    assert "articles_group_cluster" in indexes and "articles_group" not in indexes
    with store.transaction():
        store.insert_article(article("head", "c1", 0))
        for i in range(4):
            store.insert_article(replace(article(f"copy{i}", "c1" if i < 3 else "c2", i + 1), duplicate_of="head"))
    assert store.group_size("c1", "head") == 4 and store.group_size("c2", "head") == 1
    assert store.group_size("c2", "copy0") == 0
    plan = [row[3] for row in store._db.execute("EXPLAIN QUERY PLAN " + GROUP_SIZE_SQL, ("head", "c1", "head", "c1"))]
    assert "SEARCH articles USING COVERING INDEX articles_group_cluster (duplicate_of=? AND cluster_id=?)" in plan
    store.close()


def test_cluster_sources_are_read_from_an_index_without_reading_members(tmp_path: Path) -> None:
    """The cluster list names each cluster's sources (distinct, sorted, none for members
    without one) from an index that holds both columns, not from every member's row; a store
    made with the older index on ``cluster_id`` alone loses it on open."""
    older = "articles_cluster ON articles (cluster_id)"
    store, indexes = _reopened_with_older_index(tmp_path, "articles_cluster_source", older)
    assert "articles_cluster_source" in indexes and "articles_cluster" not in indexes
    sources = ["b.example", "a.example", None, "b.example", "c.example"]
    with store.transaction():
        for i, source in enumerate(sources):
            store.insert_article(replace(article(f"x{i}", "c1" if i < 4 else "c2", i), source=source))
    clusters = ["c1", "c2", "c3"]
    assert store.cluster_sources(clusters) == {"c1": ["a.example", "b.example"], "c2": ["c.example"], "c3": []}
    plan = " ".join(row[3] for row in store._db.execute("EXPLAIN QUERY PLAN " + cluster_sources_sql(3), clusters))
    assert "COVERING INDEX articles_cluster_source" in plan and "TEMP B-TREE" not in plan
    store.close()


def test_a_page_of_members_is_read_from_the_index_alone_in_its_order(tmp_path: Path) -> None:
    """A cluster's members, all or a page, come oldest first (ties in ingest order) with every
    listed column from one index, not from their wide rows, and without sorting them all; a
    store made with the older index on (cluster_id, published_at) loses it on open."""
    older = "articles_cluster_time ON articles (cluster_id, published_at)"
    store, indexes = _reopened_with_older_index(tmp_path, "articles_cluster_members", older)
    assert "articles_cluster_members" in indexes and "articles_cluster_time" not in indexes
    with store.transaction():
        for i, published in enumerate([5, 3, 5, 1, 5]):
            store.insert_article(replace(article(f"m{i}", "c1", published), duplicate_of="m3", similarity=0.5 + i / 10))
        store.insert_article(article("other", "c2", 2))
    order = [m.id for m in store.cluster_members("c1")]
    assert order == ["m3", "m1", "m0", "m2", "m4"]
    assert [(m.duplicate_of, m.similarity) for m in store.cluster_members("c1")][:2] == [("m3", 0.8), ("m3", 0.6)]
    m0 = store.cluster_members("c1")[2]
    assert [m.id for m in store.cluster_members("c1", 2, (m0.published_at, m0.seq))] == ["m2", "m4"]
    assert [m.id for m in store.cluster_members("c1", 2)] == ["m3", "m1"]
    for sql, params in ((cluster_members_sql(False), ("c1", 2)), (cluster_members_sql(True), ("c1", 5, 1, 2))):
        plan = " ".join(row[3] for row in store._db.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "COVERING INDEX articles_cluster_members" in plan and "TEMP B-TREE" not in plan
    store.close()


def test_a_failed_snapshot_is_not_retried_by_every_request(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A full disk fails the snapshot: the requests after it neither copy the table nor write
    again until the pause is over, and nothing counted is lost meanwhile."""
    table = empty_table(monkeypatch, 0)  # a snapshot after every request
    tries: list[int] = []
    write_file = FrequencySnapshots._write_file

    def full_disk(self: FrequencySnapshots, through: int, counts: npt.NDArray[np.uint32]) -> None:
        tries.append(through)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FrequencySnapshots, "_write_file", full_disk)
    with caplog.at_level("WARNING", logger="storywire.store"):
        for slot in range(4):
            save(settled(store), table, np.array([slot]), [slot + 1])
        settled(store)
    assert len(tries) == 1
    assert "next try in" in caplog.text
    assert not snapshot_file(tmp_path).exists()
    assert np.array_equal(loaded_frequencies(store), table)

    monkeypatch.setattr(FrequencySnapshots, "_write_file", write_file)
    store._df_snapshots._retry_at = 0.0  # the pause is over
    save(store, table, np.array([9]), [2])
    settled(store).close()
    assert snapshot_file(tmp_path).exists()
    assert np.array_equal(reopened_frequencies(tmp_path), table)
