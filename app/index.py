"""Candidate search over signatures: MinHash LSH banding, with the candidate semantics of
datasketch's ``MinHashLSH`` (the same band split for a threshold, a candidate when one whole
band of ``r`` hash values is equal) but kept in numpy arrays instead of Python dicts of sets.

Layout: rows are appended to a small pending buffer (with a dict from key to rows, so a query
does not scan it); full buffers become sorted *runs* (band keys, each distinct one once, with
the rows holding it, found through a directory of their top bits); runs of similar size are
merged, so a query looks its band keys up in a few runs. A removed article's row is marked
dead and dropped at the next merge; an updated article gets a new row. The engine verifies
every candidate, so the index only has to never miss a pair datasketch would find.

Each row also carries a time (the story index: the article's ``published_at``). A query can
ask for rows within a time range, and :meth:`BandedIndex.forget_before` sets a horizon: rows
older than it are never returned again, and are dropped when their run merges or when more
than a quarter of its rows are forgotten (checked every ``PENDING_ROWS`` inserts, from each
run's sorted row times). So an index whose horizon follows the newest article holds about a
time window of articles (at most about 4/3 of it), not everything ever inserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from datasketch.lsh import _optimal_param

from app.arrays import sorted_distinct
from app.fingerprint import Signature

Keys = npt.NDArray[np.uint64]
Composite = npt.NDArray[np.uint32]
Rows = npt.NDArray[np.int32]
Times = npt.NDArray[np.int64]
PENDING_ROWS = 2048  # rows kept unsorted before they become a run


class CandidateIndex(Protocol):
    """What the engine needs from an LSH index; keys are article sequence numbers."""

    def insert(self, key: int, sig: Signature, time: int = 0) -> None: ...

    def remove(self, key: int) -> None: ...

    def query(
        self, sig: Signature, limit: int | None = None, times: tuple[int, int] | None = None
    ) -> npt.NDArray[np.int64]: ...

    def __len__(self) -> int: ...


def band_split(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band that datasketch's MinHashLSH uses for this threshold."""
    bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(bands), int(rows)


def band_mixers(bands: int, rows: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The constants :func:`band_hashes` mixes with: an odd 64-bit multiplier per band and row,
    and an offset per band (so the same values in two bands hash apart). Fixed, not seeded by
    the settings: the index lives in memory only and is rebuilt at every start."""
    rng = np.random.default_rng(0x5EED)
    multipliers = rng.integers(0, 2**64, (bands, rows), dtype=np.uint64, endpoint=False) | np.uint64(1)
    return multipliers, rng.integers(0, 2**64, bands, dtype=np.uint64, endpoint=False)


def band_hashes(sigs: npt.NDArray[np.uint32], multipliers: npt.NDArray[np.uint64], offsets: Keys) -> Composite:
    """One 32-bit hash per band of each signature (a row each), of the band's number and its hash values.

    Equal bands hash equal. Each band's values are combined linearly (mod 2^64) with their own
    odd multipliers, so the hash is a few numpy operations however many rows a band has (a
    query computes it for one signature, where each operation's call costs more than its
    work), then mixed and cut to the top 32 bits. Two different (band, values) pairs share a
    hash with odds of about 2^-32: against the 7.5 million distinct hashes of the duplicate
    index at a million stored, about one query in fifteen meets such a stranger, which can only
    add a candidate (the engine verifies or scores every one), never lose one. One sorted array
    of these serves all bands, at 4 bytes a hash.
    """
    bands, rows = multipliers.shape
    matrix = np.atleast_2d(sigs)
    values = matrix[:, : bands * rows].astype(np.uint64).reshape(len(matrix), bands, rows)
    mixed = (values * multipliers).sum(axis=2, dtype=np.uint64) + offsets  # wraps mod 2^64 by design
    mixed ^= mixed >> np.uint64(31)
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    hashes: Composite = (mixed >> np.uint64(32)).astype(np.uint32)
    return hashes


def _buckets(keys: Composite) -> tuple[int, npt.NDArray[np.int32], Composite]:
    """(shift, directory, padded) of sorted distinct keys: the keys whose top bits
    (``key >> shift``) are ``j`` lie in ``keys[directory[j]:directory[j + 1]]``. The top bits
    are as many as make one or two keys a bucket on average (keys are hashes, so spread evenly):
    at most 4 bytes of directory per key. ``padded`` is ``keys`` followed by as many zeros as
    the fullest bucket holds keys, so a look-up can read that many slots from any bucket's
    start (see :meth:`_Run.matches`)."""
    bits = max(1, len(keys).bit_length() - 1)
    counts = np.bincount(keys >> np.uint32(32 - bits), minlength=1 << bits)
    directory = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=directory[1:])
    padded = np.zeros(len(keys) + int(counts.max(initial=0)), dtype=np.uint32)
    padded[: len(keys)] = keys
    return 32 - bits, directory, padded


@dataclass
class _Run:
    """Many rows' composite keys, sorted, each distinct key stored once: ``keys[i]`` is held by
    ``rows[starts[i]:starts[i + 1]]``. A popular story's copies share most of their band keys
    (at a million stored, 37 million entries had 7.5 million distinct keys), so one look-up
    per key finds all its rows, in an array a fraction of the size.

    A look-up goes through a directory of the keys' top bits (see :func:`_buckets`) rather than
    a binary search: in a run of millions of keys nearly every step of a binary search misses
    the cache, where a bucket of one or two keys costs a miss or two. In a lab index of a
    million near-copies, a query's look-ups in its largest run (6.4 million keys) took 58 us
    instead of 88."""

    starts: npt.NDArray[np.int64]  # one more offset into rows than there are keys
    rows: Rows
    times: Times  # the time of each row it holds (one per row, not per key; rows removed since may linger), sorted
    shift: int  # a key's bucket is key >> shift
    directory: npt.NDArray[np.int32]  # where each bucket starts in keys, and where the last one ends
    padded: Composite  # the keys, then zeros (see _buckets)

    @property
    def keys(self) -> Composite:
        return self.padded[: len(self.starts) - 1]

    @property
    def width(self) -> int:
        """The most keys in one bucket: as many as the padding holds."""
        return len(self.padded) - len(self.starts) + 1

    @staticmethod
    def build(keys: Composite, rows: Rows, times: Times) -> _Run:
        # Sorting key and row packed in one 64-bit word needs no index array (argsort's is
        # 8 bytes an entry, as much as both columns), so building a run peaks lower.
        packed = (keys.astype(np.uint64) << np.uint64(32)) | rows.astype(np.uint64)
        packed.sort()
        keys, rows = (packed >> np.uint64(32)).astype(np.uint32), (packed & np.uint64(0xFFFFFFFF)).astype(np.int32)
        return _Run.from_sorted(keys, rows, np.sort(times))

    @staticmethod
    def from_sorted(keys: Composite, rows: Rows, times: Times) -> _Run:
        """A run of entries already in key order (one key per entry)."""
        # The first entry of each distinct key (the slice leaves none for an empty run).
        first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))[: len(keys)]
        distinct = keys[first]
        return _Run(np.append(first, len(keys)).astype(np.int64), rows, times, *_buckets(distinct))

    def nbytes(self) -> int:
        return self.padded.nbytes + self.starts.nbytes + self.rows.nbytes + self.times.nbytes + self.directory.nbytes

    def entry_keys(self) -> Composite:
        """The key of each entry (of each of ``rows``)."""
        expanded: Composite = np.repeat(self.keys, np.diff(self.starts))
        return expanded

    def matches(self, query: Composite) -> Rows:
        """Rows that share at least one composite key with the query."""
        # Every slot from the start of each query key's bucket, as many as the fullest bucket
        # holds. Slots past the bucket's end hold the next buckets' keys (other top bits, so
        # never equal to the query key) or the padding's zeros, which a key 0 (bucket 0, whose
        # slots all lie in keys) never reaches.
        at = self.directory[query >> np.uint32(self.shift)][:, None] + np.arange(self.width)
        at = at[self.padded[at] == query[:, None]]
        if len(at) == 0:
            return np.zeros(0, dtype=np.int32)
        lo = self.starts[at]
        counts = self.starts[at + 1] - lo
        ends = np.cumsum(counts)
        rows: Rows = self.rows[np.arange(ends[-1]) + np.repeat(lo + counts - ends, counts)]
        return rows


class BandedIndex:
    """:class:`CandidateIndex` with MinHashLSH's banding for ``threshold``, in numpy arrays.

    Memory: 4 bytes per band per article (its row) and at most 16 per distinct band key in a
    run (the key, its offset and its share of the directory; at most one per band per article,
    far fewer when copies share bands), 8 for its time in its run, plus 21 bytes per article
    for the row tables (these grow with every row ever inserted, forgotten ones included). A
    query is a few vectorised look-ups per run.
    """

    def __init__(self, num_perm: int, threshold: float) -> None:
        self.bands, self.rows_per_band = band_split(threshold, num_perm)
        self._mixers = band_mixers(self.bands, self.rows_per_band)
        self._runs: list[_Run] = []
        self._pending_keys = np.zeros((PENDING_ROWS, self.bands), dtype=np.uint32)
        self._pending_rows = np.zeros(PENDING_ROWS, dtype=np.int32)
        self._pending = 0
        self._pending_lookup: dict[int, int | list[int]] = {}  # composite key → pending row(s) holding it
        self._row_key = np.zeros(0, dtype=np.int64)  # the article key of each row
        self._row_time = np.zeros(0, dtype=np.int64)  # the time of each row
        self._horizon = np.iinfo(np.int64).min  # rows older than this are forgotten
        self._dead = np.zeros(0, dtype=bool)  # rows removed or replaced
        self._row_of = np.zeros(0, dtype=np.int32)  # live row of each article key, -1 if none
        self._next_row = 0
        self._live = 0

    def __len__(self) -> int:
        return self._live

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (runs, pending rows, row tables)."""
        runs = sum(run.nbytes() for run in self._runs)
        pending = self._pending_keys.nbytes + self._pending_rows.nbytes
        tables = self._row_key.nbytes + self._row_time.nbytes + self._dead.nbytes + self._row_of.nbytes
        return runs + pending + tables

    def entries(self) -> int:
        """Band entries held in runs and pending rows, forgotten rows not yet dropped included."""
        return sum(len(run.rows) for run in self._runs) + self._pending * self.bands

    def _room(self, key: int, rows: int = 1) -> None:
        """Grow the row tables for ``rows`` more rows and article keys up to ``key``."""
        if self._next_row + rows > len(self._row_key):
            size = max(1024, 2 * len(self._row_key), self._next_row + rows)
            self._row_key = np.concatenate([self._row_key, np.zeros(size - len(self._row_key), dtype=np.int64)])
            self._row_time = np.concatenate([self._row_time, np.zeros(size - len(self._row_time), dtype=np.int64)])
            self._dead = np.concatenate([self._dead, np.zeros(size - len(self._dead), dtype=bool)])
        if key >= len(self._row_of):
            size = max(1024, 2 * len(self._row_of), key + 1)
            self._row_of = np.concatenate([self._row_of, np.full(size - len(self._row_of), -1, dtype=np.int32)])

    def insert(self, key: int, sig: Signature, time: int = 0) -> None:
        self.remove(key)
        self._room(key)
        row = self._next_row
        self._next_row += 1
        self._row_key[row] = key
        self._row_time[row] = time
        self._row_of[key] = row
        self._live += 1
        keys = band_hashes(sig, *self._mixers)[0]
        self._pending_keys[self._pending] = keys
        self._pending_rows[self._pending] = row
        self._look_up_pending(keys.tolist(), row)
        self._pending += 1
        if self._pending == PENDING_ROWS:
            self._flush()

    def insert_many(
        self, keys: npt.NDArray[np.int64], sigs: npt.NDArray[np.uint32], times: npt.NDArray[np.int64] | None = None
    ) -> None:
        """Insert many articles (distinct keys, one signature per row of ``sigs``) in one step:
        band keys computed together and one run pushed, as at start-up."""
        if len(keys) == 0:
            return
        self._room(int(keys.max()), len(keys))
        previous = self._row_of[keys]
        self._dead[previous[previous >= 0]] = True
        self._live -= int((previous >= 0).sum())
        rows = np.arange(self._next_row, self._next_row + len(keys), dtype=np.int32)
        self._next_row += len(keys)
        self._row_key[rows] = keys
        self._row_time[rows] = 0 if times is None else times
        self._row_of[keys] = rows
        self._live += len(keys)
        band = band_hashes(sigs, *self._mixers)
        self._push_run(band.ravel(), np.repeat(rows, self.bands), self._row_time[rows])

    def _look_up_pending(self, keys: list[int], row: int) -> None:
        """Make a pending row findable by its keys (built in C; a key another pending row holds
        too, rare outside popular story words, becomes a list)."""
        fresh = dict.fromkeys(keys, row)
        lookup = self._pending_lookup
        for key in fresh.keys() & lookup.keys():
            held = lookup[key]
            lookup[key] = [*held, row] if isinstance(held, list) else [held, row]
            del fresh[key]
        lookup.update(fresh)

    def _pending_matches(self, keys: list[int]) -> Rows:
        """Pending rows sharing each key with the query, once per shared key."""
        hits: list[int] = []
        for held in map(self._pending_lookup.get, keys):
            if held is None:
                continue
            if isinstance(held, list):
                hits.extend(held)
            else:
                hits.append(held)
        return np.array(hits, dtype=np.int32)

    def remove(self, key: int) -> None:
        if key < len(self._row_of) and self._row_of[key] >= 0:
            self._dead[self._row_of[key]] = True
            self._row_of[key] = -1
            self._live -= 1

    def times(self, keys: npt.NDArray[np.int64]) -> Times:
        """The times the index holds for these keys (each must be in the index)."""
        times: Times = self._row_time[self._row_of[keys]]
        return times

    def forget_before(self, horizon: int) -> None:
        """Forget the rows older than ``horizon`` (which only moves forward): queries skip them
        at once; merges and compactions drop them later, so forgetting costs no work of its own."""
        self._horizon = max(self._horizon, horizon)

    def _flush(self) -> None:
        """Turn the pending rows into a run."""
        keys = self._pending_keys[: self._pending].ravel()
        pending = self._pending_rows[: self._pending]
        self._pending = 0
        self._pending_lookup.clear()
        self._push_run(keys, np.repeat(pending, self.bands), self._row_time[pending])
        self._compact()

    def _push_run(self, keys: Composite, rows: Rows, times: Times) -> None:
        """Add a run; merge runs while the newest is as big as the one before (dropping dead
        and forgotten rows), so there are only a few runs, each about twice as large as the next."""
        while self._runs and len(self._runs[-1].rows) <= len(rows):
            older = self._runs.pop()
            keys, rows = np.concatenate([older.entry_keys(), keys]), np.concatenate([older.rows, rows])
            times = np.concatenate([older.times, times])
            self._drop_forgotten(rows)
            live = ~self._dead[rows]
            keys, rows, times = keys[live], rows[live], times[times >= self._horizon]
        self._runs.append(_Run.build(keys, rows, times))

    def _compact(self) -> None:
        """Drop the forgotten rows of each run of which more than a quarter are forgotten. A
        run's cost is paid back by the rows it drops (each is dropped once), so this is
        constant work per insert on average, and a run holds at most 4/3 of its kept rows."""
        for i, run in enumerate(self._runs):
            forgotten = int(np.searchsorted(run.times, self._horizon))
            if forgotten * 4 > len(run.times):
                self._drop_forgotten(run.rows)
                live = ~self._dead[run.rows]  # the keys stay sorted
                self._runs[i] = _Run.from_sorted(run.entry_keys()[live], run.rows[live], run.times[forgotten:])

    def _drop_forgotten(self, rows: Rows) -> None:
        """Mark the forgotten ones of these rows (one entry per band each) dead: their
        articles leave the index."""
        forgotten = sorted_distinct(rows[(self._row_time[rows] < self._horizon) & ~self._dead[rows]])
        self._dead[forgotten] = True
        self._row_of[self._row_key[forgotten]] = -1
        self._live -= len(forgotten)

    def query(
        self, sig: Signature, limit: int | None = None, times: tuple[int, int] | None = None
    ) -> npt.NDArray[np.int64]:
        """Keys of the articles sharing at least one band with ``sig``; with ``times``, only
        those whose time lies in that closed range; with ``limit``, at most that many, those
        sharing the most bands first (the likeliest to be similar), in that order (without
        ``limit``, in the order their rows were inserted). An array: a popular story's every
        stored copy shares bands with a new one (thousands of rows at a million stored), and the
        engine maps them to their groups' heads in numpy, not one Python int at a time."""
        keys = band_hashes(sig, *self._mixers)[0]
        found = [run.matches(keys) for run in self._runs]
        if self._pending:
            found.append(self._pending_matches(keys.tolist()))
        if not found:
            return np.zeros(0, dtype=np.int64)
        if limit is None:  # no ranking, so no counts: a plain sort (see sorted_distinct)
            rows = sorted_distinct(np.concatenate(found))
            shared = None
        else:
            rows, shared = np.unique(np.concatenate(found), return_counts=True)
        rows = rows.astype(np.intp)  # numpy gathers 2-3 times slower by an int32 index (stories.average_similarities)
        row_times = self._row_time[rows]
        live = ~self._dead[rows] & (row_times >= self._horizon)
        if times is not None:
            live &= (row_times >= times[0]) & (row_times <= times[1])
        rows = rows[live]
        if shared is not None:
            rows = rows[np.argsort(-shared[live], kind="stable")[:limit]]
        return self._row_key[rows]
