from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from app.fingerprint import Signer, estimate_jaccard, from_bytes, overlap, to_bytes

hash_sets = st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=300).map(
    lambda xs: np.unique(np.array(xs, dtype=np.uint32))
)
SIGNER = Signer(num_perm=128, seed=1)


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
