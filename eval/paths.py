"""Where the shared, read-only data lives (never copied into the repository)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_ENV = "STORYWIRE_SHARED_DIR"


def shared_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return the shared directory: ``$STORYWIRE_SHARED_DIR`` or ``<repo>/../shared``.

    The environment is an argument so tests can pass a dict instead of patching os.environ.
    """
    env = os.environ if environ is None else environ
    configured = env.get(SHARED_ENV)
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return ``<shared>/data``, where every dataset folder has its README.txt."""
    return shared_dir(environ) / "data"


def seeds_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return ``<shared>/seeds``, the five crawled Arabic pages with site chrome."""
    return shared_dir(environ) / "seeds"
