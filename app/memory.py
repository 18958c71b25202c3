"""Giving freed memory back to the operating system.

Building the LSH indexes at start-up merges ever larger sorted runs: the temporary arrays are
freed, but glibc keeps the freed heap pages in the process, so the resident size stays at
the build's peak. ``malloc_trim`` hands them back, so that the service's RSS is what it holds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Return freed heap pages to the OS; False where the C library has no ``malloc_trim``
    (not glibc), which only means the pages stay with the process."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
