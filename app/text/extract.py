"""Text of an HTML page: the main text by trafilatura (a maintained extractor), and as a
fallback the page's visible text block by block (lxml), never regular expressions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml.etree import ParserError
from trafilatura.deduplication import LRUCache
from trafilatura.utils import load_html

from app.text.normalize import collapse_space

# huge_tree lifts libxml2's depth limit of 256, past which it drops the text: pages of unclosed
# tags nest that deep. (Its other limits guard text nodes far larger than a body may be.)
_PARSER = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
# What no news page comes near, and what makes a page cost the parser or the extractor seconds
# to minutes. L3S-GN1's 1,242 files of real pages (621, each also annotated) hold at most
# 16,344 '<' and 768 '=' between two '<'.
# trafilatura takes about 0.14 ms per element (150,000 empty paragraphs: 21 s); libxml2 compares
# each attribute of a tag with the others (one tag of 60,000 attributes: 13 s to parse).
MAX_EXTRACTED_TAGS = 50_000
MAX_TAG_ATTRIBUTES = 10_000
_NO_DATE_SEARCH = {"extensive_search": False, "original_date": False}
# trafilatura's deduplication drops a paragraph seen more than twice (and returns nothing for a
# document seen more than twice). With ``deduplicate=True`` it counts in one cache for the whole
# process: from the fourth site that carries a wire story (or the fourth crawl of a page), the
# extractor gave nothing (the page was then read as visible text) or only the paragraphs it had
# not seen (L3S-GN1 read four times over: recall 0.951 -> 0.894 on the fourth reading). Each page
# now counts in a cache of its own (trafilatura 2.3 takes one): text a page repeats within itself
# is still dropped, and a page's text depends on that page alone.
_DEDUP_CACHE_SIZE = 4096
_INVISIBLE = ("script", "style", "noscript", "template", "head")
# Control characters other than tab and line breaks are never visible text, and lxml refuses to
# move text holding them (as dropping an element does with its tail), so they become spaces.
_CONTROLS = {c: " " for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}


@dataclass(frozen=True)
class Extracted:
    """What the extractor found: paragraphs separated by newlines, and the page title if any;
    and the whole text of each link of the page (white space collapsed)."""

    text: str
    title: str | None
    links: frozenset[str] = frozenset()


def extractable(html: str) -> bool:
    """Whether the page is small enough in tags for the extractor; a larger one is read as
    visible text (linear in its size)."""
    return html.count("<") <= MAX_EXTRACTED_TAGS


def parse_problem(html: str) -> str | None:
    """Why the page must not be parsed at all, or None: a tag with more attributes than
    parsing can afford, counted as the '=' from a '<' to the next '>' or '<'. (Counting to the
    next '<' alone took an inline script's or a text's '=' for attributes: a page with a 200 KB
    script was refused.) Pages are only split when they hold that many '=' in all."""
    if html.count("=") > MAX_TAG_ATTRIBUTES and max(_tag_parts(html), default=0) > MAX_TAG_ATTRIBUTES:
        return f"the page has a tag with more than {MAX_TAG_ATTRIBUTES:,} attributes, more than parsing can afford"
    return None


def _tag_parts(html: str) -> Iterator[int]:
    """The '=' count of each stretch that starts at a '<' and ends before the next '>' or '<'."""
    for part in html.split("<")[1:]:
        end = part.find(">")
        yield part.count("=", 0, end if end >= 0 else len(part))


def html_to_text(html: str, title: bool = True) -> Extracted:
    """Article text of a page, and its title when ``title`` is asked for; empty text when the
    extractor finds no article. The title comes from the metadata step (meta tags, JSON-LD,
    headings), which is about three tenths of the extractor's time: a caller that knows the title
    already does not ask (L3S-GN1, 471 pages: 53 -> 38 ms a page, the same text)."""
    # Parsed here rather than by the extractor, which works on a copy of the tree it is given:
    # the links are read from the page as parsed once (a second parse cost 2-3 ms a page).
    tree = load_html(html)
    if tree is None:
        return Extracted("", None)
    links = frozenset(collapse_space(a.text_content()) for a in tree.iter("a"))
    doc = trafilatura.bare_extraction(
        tree,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=title,
        # The metadata step also looks for the page's date, which is not used. Its default deep
        # search (dateparser over the page's text, in every locale) took a third of the time
        # (L3S-GN1: 76 -> 50 ms a page; the same text and titles on all 621 pages).
        date_extraction_params=_NO_DATE_SEARCH,
        deduplicate=LRUCache(maxsize=_DEDUP_CACHE_SIZE),
    )
    if doc is None:
        return Extracted("", None, links)
    if isinstance(doc, dict):  # older releases return a dict
        return Extracted(doc.get("text") or "", doc.get("title") or None, links)
    return Extracted(doc.text or "", doc.title or None, links)


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
