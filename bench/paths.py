"""Where the repository and the shared, read-only data live (data is never copied in)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_ENV = "STORYWIRE_SHARED_DIR"
SAUDI_SUBDIR = Path("data/saudinewsnet/dataset")
OUT_DIR = REPO_ROOT / "bench" / "out"


def shared_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$STORYWIRE_SHARED_DIR`` if set, else ``<repo>/../shared``."""
    env = os.environ if environ is None else environ
    configured = env.get(SHARED_ENV)
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


def saudinewsnet_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of SaudiNewsNet's daily zips."""
    return shared_dir(environ) / SAUDI_SUBDIR
