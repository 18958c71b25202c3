"""``python -m bench``: see :mod:`bench.cli`.

``app/`` is copied first and put at the front of ``sys.path``, so the in-process baselines and
the service subprocess run the same code even if the working tree changes during the run.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from bench.service import snapshot_app

_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--app-ref")
root = Path(tempfile.mkdtemp(prefix="storywire-bench-"))
app_hash = snapshot_app(root / "src", _pre.parse_known_args()[0].app_ref)
sys.path.insert(0, str(root / "src"))

from bench.cli import main  # noqa: E402  (imports app, from the snapshot)

raise SystemExit(main(root=root, app_hash=app_hash))
