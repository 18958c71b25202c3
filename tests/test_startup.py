"""What start-up prepares, so the first requests after a restart do not pay for it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.stories import background

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
