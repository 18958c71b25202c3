"""Service settings, read from ``STORYWIRE_*`` environment variables.

Settings are built by :func:`load_settings` from a mapping (the process
environment by default), so tests pass a plain dict instead of patching
``os.environ``. Nothing is read at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PREFIX = "STORYWIRE_"


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with; defaults are the tuned ones."""

    data_dir: Path = Path("./data")
    max_body_bytes: int = 2_000_000
    max_batch_items: int = 1000
    sqlite_synchronous: str = "FULL"
    prepare_workers: int = 1  # processes that prepare batches beside the server; 0: in process
    # Fingerprints (stored with the data: changing them needs a fresh data dir).
    num_perm: int = 128
    seed: int = 1
    shingle_size: int = 5
    # Near-duplicate decision.
    lsh_threshold: float = 0.3
    duplicate_threshold: float = 0.5
    containment_threshold: float = 0.9
    # Story clustering.
    story_lsh_threshold: float = 0.02
    story_threshold: float = 0.125
    story_merge_threshold: float = 0.22
    story_window_days: float = 730.0
    # Score taken off per doubling of (1 + days between the article and the cluster's nearest
    # member found / story_time_scale_days): the further apart in time, the more alike two
    # reports must be to be one story. 0: off.
    story_time_penalty: float = 0.03
    story_time_scale_days: float = 30.0
    story_prior_documents: float = 1000.0  # articles the language's word shares count as; 0: off

    def __post_init__(self) -> None:
        _require(self.max_body_bytes > 0, "STORYWIRE_MAX_BODY_BYTES must be positive")
        _require(1 <= self.max_batch_items <= 100_000, "STORYWIRE_MAX_BATCH_ITEMS must be 1..100000")
        _require(
            self.sqlite_synchronous.upper() in {"OFF", "NORMAL", "FULL", "EXTRA"},
            "STORYWIRE_SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA",
        )
        _require(16 <= self.num_perm <= 1024, "STORYWIRE_NUM_PERM must be 16..1024")
        _require(0 <= self.prepare_workers <= 64, "STORYWIRE_PREPARE_WORKERS must be 0..64")
        _require(1 <= self.shingle_size <= 12, "STORYWIRE_SHINGLE_SIZE must be 1..12")
        for name in (
            "lsh_threshold",
            "duplicate_threshold",
            "containment_threshold",
            "story_lsh_threshold",
            "story_threshold",
            "story_merge_threshold",
        ):
            value = getattr(self, name)
            _require(0.0 < value <= 1.0, f"STORYWIRE_{name.upper()} must be in (0, 1]")
        _require(self.story_window_days > 0, "STORYWIRE_STORY_WINDOW_DAYS must be positive")
        _require(self.story_time_penalty >= 0, "STORYWIRE_STORY_TIME_PENALTY must not be negative")
        _require(self.story_time_scale_days > 0, "STORYWIRE_STORY_TIME_SCALE_DAYS must be positive")
        _require(self.story_prior_documents >= 0, "STORYWIRE_STORY_PRIOR_DOCUMENTS must not be negative")


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _converter(kind: Any) -> Callable[[str], Any]:
    converters: dict[Any, Callable[[str], Any]] = {
        "int": int,
        "float": float,
        "str": str,
        "Path": Path,
    }
    return converters[kind if isinstance(kind, str) else kind.__name__]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``STORYWIRE_<FIELD>`` variables; unknown variables are an error."""
    env = os.environ if environ is None else environ
    known = {PREFIX + f.name.upper(): f for f in fields(Settings)}
    unknown = sorted(k for k in env if k.startswith(PREFIX) and k not in known)
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, field in known.items():
        if key in env:
            try:
                values[field.name] = _converter(field.type)(env[key])
            except ValueError as exc:
                raise ValueError(f"{key}={env[key]!r} is not a valid {field.type}") from exc
    return Settings(**values)
