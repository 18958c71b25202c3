"""SaudiNewsNet's articles as the base of the benchmark stream (read from the shared zips)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

# SaudiNewsNet's date_extracted is local time in Riyadh.
RIYADH = timezone(timedelta(hours=3))
FALLBACK_DATE = datetime(2015, 7, 21, tzinfo=RIYADH)


@dataclass(frozen=True)
class BaseArticle:
    """One source article; the stream recycles these with edits."""

    source: str
    url: str
    title: str
    published: datetime
    content: str


def parse_date(value: str) -> datetime:
    """``YYYY-MM-DD hh:mm:ss`` (Riyadh time) as an aware datetime; a fixed date when malformed."""
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=RIYADH)
    except (ValueError, AttributeError):
        return FALLBACK_DATE


def _records(zip_path: Path) -> Iterator[dict[str, object]]:
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if name.endswith(".json"):
                yield from json.loads(archive.read(name))


def _to_base(record: dict[str, object]) -> BaseArticle | None:
    content = str(record.get("content") or "")
    if not content.strip():
        return None
    return BaseArticle(
        source=str(record.get("source") or "unknown"),
        url=str(record.get("url") or ""),
        title=str(record.get("title") or ""),
        published=parse_date(str(record.get("date_extracted") or "")),
        content=content,
    )


def load_saudinewsnet(folder: Path, max_files: int | None = None) -> list[BaseArticle]:
    """Articles with non-empty content from the daily zips, oldest day first, in file order."""
    zips = sorted(folder.glob("*.zip"))[:max_files]
    if not zips:
        raise FileNotFoundError(f"no SaudiNewsNet zips in {folder} (set STORYWIRE_SHARED_DIR?)")
    articles = []
    for path in zips:
        for record in _records(path):
            article = _to_base(record)
            if article is not None:
                articles.append(article)
    return articles
