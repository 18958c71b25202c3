"""Text of an HTML page: the main text by trafilatura (a maintained extractor), and as a
fallback the page's visible text block by block (lxml), never regular expressions."""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml.etree import ParserError

_PARSER = lxml.html.HTMLParser(encoding="utf-8")
_INVISIBLE = ("script", "style", "noscript", "template", "head")
# Control characters other than tab and line breaks are never visible text, and lxml refuses to
# move text holding them (as dropping an element does with its tail), so they become spaces.
_CONTROLS = {c: " " for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}


@dataclass(frozen=True)
class Extracted:
    """What the extractor found: paragraphs separated by newlines, and the page title if any."""

    text: str
    title: str | None


def html_to_text(html: str) -> Extracted:
    """Article text and title of a page; empty text when the extractor finds no article."""
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


def visible_text(html: str) -> str:
    """Every visible text node of the page, one per line: what a plain crawler would see.
    The chrome step then treats it like posted page text."""
    try:
        root = lxml.html.document_fromstring(html.translate(_CONTROLS).encode("utf-8"), parser=_PARSER)
    except (ParserError, ValueError):
        return ""
    for element in list(root.iter(*_INVISIBLE)):
        element.drop_tree()
    return "\n".join(t.strip() for t in root.itertext() if t.strip())
