"""The HTML bench posts every page to a real service and reports what it measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.html import main


def test_a_small_run_posts_every_page_and_times_the_probe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "html.json"
    main(["--limit", "4", "--workers", "1", "--rounds", "2", "--batch-size", "3", "--json", str(out)])
    result = json.loads(out.read_text())
    (run,) = result["runs"]
    assert run["workers"] == 1 and run["pages"] == 8
    assert run["pages_per_s"] > 0 and result["in_process"]["pages"] == 4 and result["in_process"]["pages_per_s"] > 0
    assert run["probe_post"]["errors"] == 0  # every small POST beside the pages was stored
    assert "| 1 |" in capsys.readouterr().out
