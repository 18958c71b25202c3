"""The compact LSH index finds exactly the candidates datasketch's MinHashLSH finds."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from app.fingerprint import Signer
from app.index import PENDING_ROWS, BandedIndex, _Run, band_split

SIGNER = Signer(128, 1)


def signatures(count: int, vocabulary: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Signatures of random word sets over a small vocabulary, so that many pairs collide."""
    sets = [np.unique(rng.integers(0, vocabulary, rng.integers(5, 40)).astype(np.uint32)) for _ in range(count)]
    return [SIGNER.sign(s) for s in sets]


@pytest.mark.parametrize("threshold", [0.01, 0.05, 0.3, 0.5, 0.8])
def test_same_candidates_as_datasketch(threshold: float) -> None:
    rng = np.random.default_rng(int(threshold * 100))
    sigs = signatures(PENDING_ROWS * 3 + 17, 120, rng)  # several runs, merges and a pending buffer
    ours, theirs = BandedIndex(128, threshold), MinHashLSH(threshold=threshold, num_perm=128)
    assert (ours.bands, ours.rows_per_band) == (theirs.b, theirs.r) == band_split(threshold, 128)
    for key, sig in enumerate(sigs):
        ours.insert(key, sig)
        theirs.insert(key, LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"))
    removed = set(range(0, len(sigs), 7))
    for key in removed:
        ours.remove(key)
        theirs.remove(key)
    for key in range(0, len(sigs), 5):  # updates: the old signature must stop matching
        if key not in removed:
            new = sigs[(key * 31) % len(sigs)]
            ours.insert(key, new)
            theirs.remove(key)
            theirs.insert(key, LeanMinHash(seed=1, hashvalues=new, scheme="affine32"))
    assert len(ours) == len(sigs) - len(removed)
    for probe in signatures(60, 120, rng):
        expected = set(theirs.query(LeanMinHash(seed=1, hashvalues=probe, scheme="affine32")))
        # Mixed keys of >2 rows may add a rare false candidate, never drop a true one.
        found = set(ours.query(probe))
        assert expected <= found
        assert len(found - expected) <= max(1, len(expected) // 100)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 30), st.integers(0, 9)), max_size=80))
def test_removed_and_replaced_articles_are_never_returned(ops: list[tuple[bool, int, int]]) -> None:
    index = BandedIndex(128, 0.5)
    current: dict[int, int] = {}
    for insert, key, variant in ops:
        if insert:
            index.insert(key, SIGNER.sign(np.arange(variant, variant + 20, dtype=np.uint32)))
            current[key] = variant
        else:
            index.remove(key)
            current.pop(key, None)
    assert len(index) == len(current)
    for variant in range(10):
        found = set(index.query(SIGNER.sign(np.arange(variant, variant + 20, dtype=np.uint32))))
        assert {k for k, v in current.items() if v == variant} <= found <= set(current)


def test_limited_query_keeps_the_articles_sharing_most_bands() -> None:
    index = BandedIndex(128, 0.3)
    base = np.arange(100, dtype=np.uint32)
    for overlap in range(0, 101, 10):  # article k shares `overlap` of the base's 100 words
        words = np.concatenate([base[:overlap], np.arange(1000 + overlap * 200, 1100 + overlap * 200 - overlap)])
        index.insert(overlap, SIGNER.sign(np.unique(words.astype(np.uint32))))
    everything = index.query(SIGNER.sign(base))
    top = index.query(SIGNER.sign(base), limit=3)
    assert len(top) == 3 and set(top) <= set(everything)
    assert 100 in top and 90 in top


@pytest.mark.parametrize("threshold", [0.01, 0.3])
def test_bulk_insert_answers_as_inserting_one_by_one(threshold: float) -> None:
    rng = np.random.default_rng(7)
    sigs = signatures(PENDING_ROWS + 500, 120, rng)
    one_by_one, bulk = BandedIndex(128, threshold), BandedIndex(128, threshold)
    for key, sig in enumerate(sigs):
        one_by_one.insert(key, sig)
    keys = np.arange(len(sigs), dtype=np.int64)
    bulk.insert_many(keys[:700], np.stack(sigs[:700]))  # several bulk steps, as start-up reads in batches
    bulk.insert_many(keys[700:], np.stack(sigs[700:]))
    bulk.insert(3, sigs[10])  # and the index keeps working one by one afterwards
    one_by_one.insert(3, sigs[10])
    assert len(bulk) == len(one_by_one) == len(sigs)
    for probe in signatures(40, 120, rng) + sigs[:5]:
        assert sorted(bulk.query(probe)) == sorted(one_by_one.query(probe))
        # the pending rows of one_by_one count their shared bands as the sorted runs of bulk do
        assert bulk.query(probe, limit=7).tolist() == one_by_one.query(probe, limit=7).tolist()


def test_memory_is_four_bytes_per_band_entry_and_at_most_sixteen_per_distinct_key_plus_row_tables() -> None:
    n = 3 * PENDING_ROWS
    distinct = np.random.default_rng(3).integers(0, 2**32, (n, 128), dtype=np.uint64).astype(np.uint32)
    copies = distinct[np.arange(n) % (n // 10)]  # ten copies of each: they share every band key

    def per_article(sigs: np.ndarray) -> float:
        index = BandedIndex(128, 0.02)
        index.insert_many(np.arange(n, dtype=np.int64), sigs)
        fixed = PENDING_ROWS * (index.bands * 4 + 4)  # the pending buffer is allocated up front
        return (index.nbytes() - fixed) / n

    bands, _rows = band_split(0.02, 128)
    assert 16 * bands <= per_article(distinct) <= 20 * bands + 36
    assert per_article(copies) <= (4 + 16 / 10) * bands + 36


def test_forgotten_rows_are_never_returned_and_leave_at_merges() -> None:
    rng = np.random.default_rng(11)
    window, total = 4 * PENDING_ROWS, 12 * PENDING_ROWS
    sigs = signatures(total, 60, rng)  # a small vocabulary: most articles are candidates of most
    index = BandedIndex(128, 0.02)
    for key, sig in enumerate(sigs):  # one article per time unit, the horizon one window back
        index.forget_before(key - window)
        index.insert(key, sig, time=key)
        # Bounded by the window, not the total: at most 4/3 of it in runs, plus the pending
        # rows (without compaction, 2 windows are held at times).
        assert index.entries() <= 1.6 * window * index.bands
    horizon = total - 1 - window
    for probe in sigs[:20]:
        found = index.query(probe).tolist()
        assert found and min(found) >= horizon
        assert index.query(probe, times=(horizon + 10, horizon + 20)).tolist() == [
            k for k in found if horizon + 10 <= k <= horizon + 20
        ]
    assert len(index) < 1.6 * window


def test_a_time_range_keeps_only_rows_inside_it_before_the_limit() -> None:
    index = BandedIndex(128, 0.3)
    words = np.arange(50, dtype=np.uint32)
    for key in range(10):
        index.insert(key, SIGNER.sign(words), time=100 * key)
    assert sorted(index.query(SIGNER.sign(words), times=(250, 600))) == [3, 4, 5, 6]
    assert sorted(index.query(SIGNER.sign(words), limit=2, times=(700, 900))) == [7, 8]


EDGE_KEYS = st.sampled_from([0, 1, 2, 2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1]) | st.integers(0, 2**32 - 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(EDGE_KEYS, max_size=300), st.lists(EDGE_KEYS, max_size=40))
def test_a_run_finds_every_row_of_each_key_it_holds_and_no_other(held: list[int], query: list[int]) -> None:
    # Keys at both ends of the range and full buckets: the look-up reads a fixed number of slots
    # from each bucket's start, past its end into the next buckets and the padding.
    keys = np.array(held, dtype=np.uint32)
    rows = np.arange(len(held), dtype=np.int32)
    run = _Run.build(keys, rows, np.zeros(len(held), dtype=np.int64))
    wanted = sorted(row for key in query for row, k in enumerate(held) if k == key)
    assert sorted(run.matches(np.array(query, dtype=np.uint32)).tolist()) == wanted
