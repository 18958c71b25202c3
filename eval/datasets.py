"""Loaders for the shared datasets, each returning plain ``Doc`` records.

Every loader reads the files exactly as README.txt in the dataset folder describes them and
keeps the file order (``order``), because replays without dates fall back on it.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SAUDI_DIR = "saudinewsnet/dataset"
GIVEME_FILE = "giveme5w1h-news-cluster/articles.jsonl"
NEWSWCL_FILE = "newswcl50/newswcl50_articles.jsonl"
WIKIREF_FILE = "wikiref/wikiref220.jsonl"
NEWSWCL_URLS = "newswcl50/urls.tsv"


@dataclass(frozen=True)
class Doc:
    """One dataset article; ``label`` is the story/topic gold label where the set has one."""

    key: str
    dataset: str
    lang: str
    title: str
    text: str
    label: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    order: int = 0


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    """Yield the JSON objects of a JSON-lines file, skipping blank lines."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _opt_str(value: object) -> str | None:
    """Return ``value`` as a non-empty string, or None (datasets use null and "")."""
    return str(value) if value not in (None, "") else None


def saudi_zip_names(data_root: Path) -> list[str]:
    """Return the daily zip file names of SaudiNewsNet, oldest first."""
    return sorted(p.name for p in (data_root / SAUDI_DIR).glob("*.zip"))


def load_saudinewsnet(data_root: Path, days: Sequence[str] | None = None) -> list[Doc]:
    """Load SaudiNewsNet (Arabic) from the daily zips; ``days`` limits which zips are read.

    Reading only a few zips keeps stream building fast; the whole set is 31k articles.
    """
    names = list(days) if days is not None else saudi_zip_names(data_root)
    docs: list[Doc] = []
    for name in names:
        with zipfile.ZipFile(data_root / SAUDI_DIR / name) as archive:
            for member in sorted(archive.namelist()):
                records = json.loads(archive.read(member).decode("utf-8"))
                docs.extend(_saudi_doc(rec, len(docs) + i) for i, rec in enumerate(records))
    return docs


def _saudi_doc(rec: dict[str, str], order: int) -> Doc:
    """Map one SaudiNewsNet record (source,url,date_extracted,title,author,content)."""
    return Doc(
        key=f"saudinewsnet:{rec['url']}",
        dataset="saudinewsnet",
        lang="ar",
        title=(rec.get("title") or "").strip(),
        text=rec.get("content") or "",
        source=rec.get("source"),
        url=rec.get("url"),
        published=(rec.get("date_extracted") or "").replace(" ", "T") or None,
        order=order,
    )


def load_giveme5w1h(data_root: Path) -> list[Doc]:
    """Load Giveme5W1H news_cluster (English); label = ``event_id``."""
    return [
        Doc(
            key=f"giveme5w1h:{row['id']}",
            dataset="giveme5w1h",
            lang="en",
            title=str(row.get("title") or "").strip(),
            text=str(row.get("text") or ""),
            label=str(row["event_id"]),
            source=_opt_str(row.get("source_domain")),
            url=_opt_str(row.get("url")),
            published=_opt_str(row.get("date_publish")),
            order=i,
        )
        for i, row in enumerate(_jsonl(data_root / GIVEME_FILE))
    ]


def _newswcl_urls(data_root: Path) -> dict[tuple[str, str], str]:
    """Map (event id, outlet orientation) to the article URL from urls.tsv."""
    urls: dict[tuple[str, str], str] = {}
    path = data_root / NEWSWCL_URLS
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) >= 3:
                urls[(parts[0], parts[1])] = parts[2].strip()
    return urls


def load_newswcl50(data_root: Path) -> list[Doc]:
    """Load NewsWCL50 (English, 10 events x 5 outlets); label = ``event``; no dates."""
    urls = _newswcl_urls(data_root)
    docs = []
    for i, row in enumerate(_jsonl(data_root / NEWSWCL_FILE)):
        event, outlet = str(row["event"]), str(row["outlet_orientation"])
        url = urls.get((event, outlet))
        docs.append(
            Doc(
                key=f"newswcl50:{row['file']}",
                dataset="newswcl50",
                lang="en",
                title=str(row.get("title") or "").strip(),
                text=str(row.get("text") or ""),
                label=event,
                source=_host(url) if url else None,
                url=url,
                order=i,
            )
        )
    return docs


def load_wikiref(data_root: Path) -> list[Doc]:
    """Load WikiRef220 (English, topic-level labels); no dates, no outlets, no URLs."""
    return [
        Doc(
            key=f"wikiref:{row['file']}",
            dataset="wikiref",
            lang="en",
            title=str(row.get("title") or "").strip(),
            text=str(row.get("text") or ""),
            label=str(row["topic"]),
            order=i,
        )
        for i, row in enumerate(_jsonl(data_root / WIKIREF_FILE))
    ]


def _host(url: str) -> str:
    """Return the host part of an http(s) URL (no port handling needed for these sets)."""
    return url.split("://", 1)[-1].split("/", 1)[0].lower()


def paragraphs(text: str) -> list[str]:
    """Split a dataset text into non-empty, stripped paragraphs (one per line)."""
    return [p.strip() for p in text.replace("\r", "\n").split("\n") if p.strip()]


def body_paragraphs(doc: Doc) -> list[str]:
    """Return the body paragraphs without a leading copy of the title.

    Giveme5W1H, NewsWCL50 and WikiRef repeat the headline as the first line of ``text``;
    the stream renders the headline itself, so it must not be counted twice.
    """
    paras = paragraphs(doc.text)
    if paras and doc.title and paras[0].strip() == doc.title.strip():
        paras = paras[1:]
    return paras
