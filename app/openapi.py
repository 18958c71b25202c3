"""Writes ``openapi/openapi.json`` from the app (``make openapi``); a test checks they agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> None:
    from app.main import app

    SPEC.write_text(render(app.openapi()), encoding="utf-8")
    print(f"wrote {SPEC}")


if __name__ == "__main__":
    main()
