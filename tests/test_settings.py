from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, load_settings


def test_defaults_without_environment() -> None:
    settings = load_settings({})
    assert settings == Settings()
    assert settings.data_dir == Path("./data") and settings.max_body_bytes == 2_000_000
    assert settings.max_batch_items == 1000


def test_values_are_read_and_converted() -> None:
    settings = load_settings({"STORYWIRE_DATA_DIR": "/tmp/x", "STORYWIRE_DUPLICATE_THRESHOLD": "0.7", "OTHER": "1"})
    assert settings.data_dir == Path("/tmp/x") and settings.duplicate_threshold == 0.7


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORYWIRE_NUM_PERMS": "64"}, "unknown setting"),
        ({"STORYWIRE_NUM_PERM": "many"}, "STORYWIRE_NUM_PERM"),
        ({"STORYWIRE_DUPLICATE_THRESHOLD": "1.5"}, "STORYWIRE_DUPLICATE_THRESHOLD"),
        ({"STORYWIRE_SQLITE_SYNCHRONOUS": "sometimes"}, "STORYWIRE_SQLITE_SYNCHRONOUS"),
        ({"STORYWIRE_STORY_PRIOR_DOCUMENTS": "-1"}, "STORYWIRE_STORY_PRIOR_DOCUMENTS"),
        ({"STORYWIRE_STORY_TIME_PENALTY": "-0.1"}, "STORYWIRE_STORY_TIME_PENALTY"),
        ({"STORYWIRE_STORY_TIME_SCALE_DAYS": "0"}, "STORYWIRE_STORY_TIME_SCALE_DAYS"),
    ],
)
def test_bad_settings_fail_with_a_clear_message(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(env)
