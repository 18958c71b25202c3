from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from app.text.shingle import shingle_hashes, token_hashes

words = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "ليبيا", "موسكو"]), max_size=40)


def test_shingles_depend_on_order_and_count() -> None:
    tokens = ["the", "talks", "in", "moscow", "ended", "on", "monday"]
    assert len(shingle_hashes(tokens, 5)) == 3
    assert not np.array_equal(shingle_hashes(tokens, 5), shingle_hashes(tokens[::-1], 5))


def test_short_text_is_one_shingle() -> None:
    assert len(shingle_hashes(["two", "words"], 5)) == 1
    assert len(shingle_hashes([], 5)) == 0


@given(words)
def test_shingles_are_sorted_distinct_and_deterministic(tokens: list[str]) -> None:
    hashes = shingle_hashes(tokens, 3)
    assert hashes.dtype == np.uint32
    assert np.array_equal(hashes, np.unique(hashes))
    assert np.array_equal(hashes, shingle_hashes(list(tokens), 3))


def test_hashes_stay_those_stored_fingerprints_were_made_with() -> None:
    """Stored signatures are compared with new ones: a change of hash here would need a new
    PIPELINE_VERSION (and a fresh store), never a silent change. CRC-32 of the UTF-8 bytes."""
    assert token_hashes(["ليبيا", "moscow"]).tolist() == [1184112177, 30782535]
    tokens = ["the", "talks", "in", "moscow", "ended", "on", "monday"]
    assert shingle_hashes(tokens, 5).tolist() == [971377757, 3878156744, 4047440034]
