from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from app.fingerprint import TABLE_FROM_CANDIDATES, Signer, estimate_jaccard, from_bytes, overlap, overlaps, to_bytes

hash_sets = st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=300).map(
    lambda xs: np.unique(np.array(xs, dtype=np.uint32))
)
SIGNER = Signer(num_perm=128, seed=1)
# Hashes from a small grid of 16-bit halves collide in the low half, in the high half, or in
# both: every path of the membership tables is taken, and the empty slots' values are drawn too.
HALVES = [0, 1, 2, 3, 0xFFFE, 0xFFFF]
colliding_sets = st.lists(
    st.tuples(st.sampled_from(HALVES), st.sampled_from(HALVES)).map(lambda hl: (hl[0] << 16) | hl[1]), max_size=36
).map(lambda xs: np.unique(np.array(xs, dtype=np.uint32)))
any_sets = st.one_of(hash_sets, colliding_sets)


def shared_by_sets(a: np.ndarray, b: np.ndarray) -> tuple[float, float, int]:
    common = len(set(a.tolist()) & set(b.tolist()))
    union, smaller = len(a) + len(b) - common, min(len(a), len(b))
    return (common / union if union else 1.0, common / smaller if smaller else 1.0, smaller)


@given(hash_sets)
def test_signature_equals_datasketch_default_scheme(hashes: np.ndarray) -> None:
    reference = MinHash(num_perm=128, seed=1, hashfunc=lambda v: v)
    reference.update_batch(hashes.tolist())
    assert reference.scheme == "affine32"
    assert np.array_equal(SIGNER.sign(hashes), reference.hashvalues)


@given(hash_sets)
def test_signature_is_deterministic_and_round_trips(hashes: np.ndarray) -> None:
    sig = SIGNER.sign(hashes)
    assert np.array_equal(sig, Signer(num_perm=128, seed=1).sign(hashes))
    assert np.array_equal(from_bytes(to_bytes(sig)), sig)
    assert estimate_jaccard(sig, sig) == 1.0
    assert overlap(hashes, hashes).jaccard == 1.0


def test_long_inputs_are_signed_in_chunks_with_the_same_result() -> None:
    hashes = np.unique(np.random.default_rng(0).integers(0, 2**32, 10_000, dtype=np.uint64).astype(np.uint32))
    reference = MinHash(num_perm=128, seed=1, hashfunc=lambda v: v)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(SIGNER.sign(hashes), reference.hashvalues)


def test_estimate_tracks_exact_jaccard() -> None:
    rng = np.random.default_rng(1)
    base = np.unique(rng.integers(0, 2**32, 2000, dtype=np.uint64).astype(np.uint32))
    half = np.unique(np.concatenate([base[:1000], rng.integers(0, 2**32, 1000, dtype=np.uint64).astype(np.uint32)]))
    exact = overlap(base, half).jaccard
    assert abs(estimate_jaccard(SIGNER.sign(base), SIGNER.sign(half)) - exact) < 0.12


def test_other_seed_gives_other_signature() -> None:
    hashes = np.arange(100, dtype=np.uint32)
    assert not np.array_equal(SIGNER.sign(hashes), Signer(num_perm=128, seed=2).sign(hashes))


@given(any_sets, st.lists(any_sets, max_size=2 * TABLE_FROM_CANDIDATES))
def test_overlaps_agree_with_set_arithmetic_pairwise_and_by_table(query: np.ndarray, others: list[np.ndarray]) -> None:
    """Under TABLE_FROM_CANDIDATES candidates pairs are sorted together, from it on the query is
    looked up in tables: either way each candidate gets the same figures as sets give."""
    got = [(o.jaccard, o.containment, o.smaller) for o in overlaps(query, others)]
    assert got == [shared_by_sets(query, other) for other in others]


def test_a_query_whose_hashes_collide_in_both_halves_still_counts_exactly() -> None:
    grid = np.array([(high << 16) | low for high in range(10) for low in range(10)], dtype=np.uint32)
    others = [grid[::k] for k in range(1, 2 * TABLE_FROM_CANDIDATES)] + [np.array([], dtype=np.uint32), grid + 1]
    shares = overlaps(grid, others)
    assert [round(s.containment * s.smaller) for s in shares] == [
        len(grid[::k]) for k in range(1, 2 * TABLE_FROM_CANDIDATES)
    ] + [0, 90]
