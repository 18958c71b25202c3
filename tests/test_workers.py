"""A batch prepared in worker processes is answered exactly as one prepared in process."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.engine import POOL_MIN_BATCH
from app.main import create_app
from app.settings import Settings
from tests.conftest import SEEDS


def batch() -> list[dict[str, object]]:
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    articles: list[dict[str, object]] = []
    for i in range(POOL_MIN_BATCH + 8):
        text = (
            seeds[i % 5]
            if i % 3
            else seeds[i % 5] + f"\n\nتحديث {i}: وصل الوفد إلى موسكو صباح اليوم لمتابعة المحادثات."
        )
        articles.append({"id": f"a{i}", "text": text, "source": f"site{i % 4}"})
    articles.insert(7, {"id": "bad id", "text": "x"})
    articles.insert(9, {"id": "empty", "text": "Home\nNews"})
    return articles


def answers(tmp_path: Path, workers: int) -> list[dict[str, object]]:
    settings = Settings(data_dir=tmp_path / f"w{workers}", prepare_workers=workers, sqlite_synchronous="OFF")
    with TestClient(create_app(settings)) as client:
        results: list[dict[str, object]] = client.post("/v1/articles/batch", json={"articles": batch()}).json()[
            "results"
        ]
        return results


def test_pool_and_in_process_answers_agree(tmp_path: Path) -> None:
    in_process, pooled = answers(tmp_path, 0), answers(tmp_path, 1)
    assert pooled == in_process
    assert in_process[7]["ok"] is False and in_process[9]["error"]["code"] == "empty_text"  # type: ignore[index]
    assert sum(r["status"] == "duplicate" for r in in_process) > 10
