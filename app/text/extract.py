"""Main text of an HTML page, by trafilatura (a maintained extractor), never by regular expressions."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura


@dataclass(frozen=True)
class Extracted:
    """What the extractor found: paragraphs separated by newlines, and the page title if any."""

    text: str
    title: str | None


def html_to_text(html: str) -> Extracted:
    """Article text and title of a page; empty text when the page holds no readable article."""
    doc = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
        deduplicate=True,
    )
    if doc is None:
        return Extracted("", None)
    if isinstance(doc, dict):  # older releases return a dict
        return Extracted(doc.get("text") or "", doc.get("title") or None)
    return Extracted(doc.text or "", doc.title or None)
