"""What start-up prepares, so the first requests after a restart do not pay for it."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.stories import background
from app.workers import start_pool

ENGLISH = (
    "The delegation arrived in Moscow on Tuesday morning for a second round of talks on the "
    "future of the country, and officials said the meetings would continue until Friday. "
    "Both sides described the first day as constructive but warned that the hardest questions "
    "about the ceasefire and the elections were still ahead of them."
)


def test_a_restart_builds_the_stored_languages_word_statistics_before_serving(
    settings: Settings, seeds: list[str]
) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/articles", json={"id": "ar", "text": seeds[0]}).json()["id"] == "ar"
        assert client.post("/v1/articles", json={"id": "en", "text": ENGLISH}).json()["id"] == "en"
        assert {client.get(f"/v1/articles/{i}").json()["language"] for i in ("ar", "en")} == {"ar", "en"}
    background.cache_clear()
    with TestClient(create_app(settings)):
        assert background.cache_info().currsize == 2  # built while starting, not on first use
        misses = background.cache_info().misses
        background("ar"), background("en")
        assert background.cache_info().misses == misses


# Once started, a service holds ~100,000 objects for good and a worker ~69,000 (frozen, they are
# counted here); without the freeze the count is 0.
LOADED_FOR_GOOD = 20_000


def test_what_start_up_loaded_is_out_of_the_collectors_way_while_serving_and_collectable_after(
    settings: Settings,
) -> None:
    # Full collections walking every start-up object held requests up for 75-139 ms each (app.memory).
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        assert gc.get_freeze_count() > LOADED_FOR_GOOD
    assert gc.get_freeze_count() == 0  # a stopped service's objects can be collected again


def test_a_worker_keeps_what_it_loaded_out_of_the_collectors_way() -> None:
    pool = start_pool(1, 5, 16, 1)
    try:
        assert pool.submit(gc.get_freeze_count).result() > LOADED_FOR_GOOD
    finally:
        pool.shutdown()
