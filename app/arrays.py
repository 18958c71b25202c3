"""Array helpers the hot paths share."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

G = TypeVar("G", bound=np.generic)


def sorted_distinct(values: npt.NDArray[G]) -> npt.NDArray[G]:
    """``np.unique(values)``, by sorting. Since numpy 2.3 a plain ``np.unique`` of integers goes
    through a hash table, then sorts: about 0.12 us a value here against 0.02 for sorting alone
    (71 against 14 us for an article's 600 shingles; 6 against 1 ms for a batch's 50,000
    document-frequency slots). The hash wins only below about ten values."""
    ordered = np.sort(values, axis=None)
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    distinct: npt.NDArray[G] = ordered[keep]
    return distinct
