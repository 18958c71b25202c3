"""The hot paths' array helpers give what numpy's own functions give."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from app.arrays import sorted_distinct


@given(hnp.arrays(st.sampled_from([np.uint32, np.int32, np.int64]), st.integers(0, 300), elements=st.integers(0, 40)))
def test_sorted_distinct_is_numpys_unique(values: np.ndarray) -> None:
    got = sorted_distinct(values)
    assert got.dtype == values.dtype
    assert np.array_equal(got, np.unique(values))
