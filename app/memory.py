"""What the service's memory costs it: freed pages given back, and start-up objects kept out
of the garbage collector's way.

Building the LSH indexes at start-up merges ever larger sorted runs: the temporary arrays are
freed, but glibc keeps the freed heap pages in the process, so the resident size stays at
the build's peak. ``malloc_trim`` hands them back, so that the service's RSS is what it holds.

Start-up leaves ~100,000 objects that live as long as the process (py3langid's tables as
Python lists, stoplists, framework and library internals), and CPython's oldest
garbage-collector generation walks all of them at every full collection: 56 ms on a fresh
service, 75-139 ms on one that had ingested 450,000 articles (every ~8 s under a crawler's
load), and a request caught in one waits it out: the slowest cluster GETs were those. Frozen,
they are skipped, and the longest full collection there took 17-44 ms; what the service
allocates afterwards is collected as before (README, "Start-up objects out of the collector's
way").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
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


def freeze_startup_objects() -> None:
    """Move every object alive now out of the collector's generations (garbage collected
    first, so none is kept); for a process's start-up, once what it loads for good is loaded."""
    gc.collect()
    gc.freeze()


@contextmanager
def startup_objects_frozen() -> Iterator[None]:
    """:func:`freeze_startup_objects` for the life of a service that may be started again in
    this process (tests do): its objects become collectable again when it stops."""
    freeze_startup_objects()
    try:
        yield
    finally:
        gc.unfreeze()
