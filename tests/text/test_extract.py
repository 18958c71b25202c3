"""HTML input: the extractor's main text, refined by the chrome step, with a fallback."""

from __future__ import annotations

import pytest

from app.text import pipeline
from app.text.extract import (
    MAX_EXTRACTED_TAGS,
    MAX_TAG_ATTRIBUTES,
    html_to_text,
    parse_problem,
    visible_text,
)
from app.text.pipeline import TextConfig, clean_html, page_text, without_link_lines

CFG = TextConfig.default()
PARAGRAPHS = [
    "The foreign ministers of Russia and Turkey met in Moscow on Monday to discuss a ceasefire in Libya, "
    "and said after five hours of talks that both sides had agreed to keep working on a political settlement.",
    "Officials from the two Libyan camps did not meet face to face, according to a diplomat who was present, "
    "and the commander of the eastern forces left the city without signing the draft agreement.",
]


def page(body: str) -> str:
    return (
        "<html><head><title>Talks end in Moscow</title><script>var x = 1;</script></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li></ul></nav>"
        f"<article>{body}</article>"
        "<aside><h3>Most read</h3><ul><li><a href='/a'>Storm hits the coast</a></li></ul></aside>"
        "<footer>Copyright 2020 Example News. All rights reserved.</footer></body></html>"
    )


def test_article_page_keeps_its_paragraphs_and_title() -> None:
    clean, title = clean_html(page("".join(f"<p>{p}</p>" for p in PARAGRAPHS)), "en", CFG)
    assert title == "Talks end in Moscow"
    assert clean.text.splitlines() == PARAGRAPHS


def test_a_page_whose_title_is_known_gives_the_same_text_without_looking_for_one() -> None:
    html = page("".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    clean, title = clean_html(html, "en", CFG, title=False)
    assert title is None and clean == clean_html(html, "en", CFG)[0]


def test_a_page_read_again_and_again_gives_the_extractor_the_same_text() -> None:
    """The extractor's deduplication counts within one page, not across a process's pages: a
    wire story on a fourth site, or a page crawled a fourth time, keeps its paragraphs."""
    html = page("".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    texts = [html_to_text(html, title=False).text for _ in range(6)]
    assert texts[0].splitlines() == PARAGRAPHS
    assert texts == [texts[0]] * 6


def test_short_news_item_is_not_emptied_by_the_chrome_step() -> None:
    short = "<h1>Rates rise</h1><p>The central bank raised rates by half a point on Thursday.</p>"
    clean, _ = clean_html(page(short), "en", CFG)
    assert "central bank raised rates" in clean.text


SECTION_PAGE = (
    "<html><head><title>World news</title></head><body><nav><ul>"
    + "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(12))
    + "</ul></nav><div class='latest'><h3>Latest</h3><ul>"
    + "".join(
        f"<li><a href='/a{i}'>Minister opens the new hospital in district {i} on Monday</a></li>" for i in range(15)
    )
    + "</ul></div><footer>Copyright 2020 Example News. All rights reserved.</footer></body></html>"
)


def test_a_section_page_of_headline_links_has_no_article_text() -> None:
    """The extractor, finding no article, falls back to the page's lists of links; they are
    not taken for a short news item (the lenient reading) but left to the chrome step."""
    extracted = html_to_text(SECTION_PAGE, title=False)
    assert "Minister opens the new hospital in district 3" in extracted.text  # what the extractor gave
    assert without_link_lines(extracted.text, extracted.links)[1] > 0.9
    assert not page_text(SECTION_PAGE).by_extractor
    assert clean_html(SECTION_PAGE, "en", CFG)[0].text == ""


def test_a_short_item_keeps_its_text_when_a_linked_headline_among_it_is_dropped() -> None:
    """Less than half of the text in links: the linked headline goes, and the short item keeps
    the lenient reading (the chrome step alone would drop its short lines)."""
    rise = "The central bank raised rates by half a point on Thursday."
    fall = "Markets fell by two percent after the decision."
    headline = "Storm hits the coast and closes the port"
    html = page(f"<h1>Rates rise</h1><p>{rise}</p><h4><a href='/r1'>{headline}</a></h4><p>{fall}</p>")
    assert headline in html_to_text(html, title=False).text.splitlines()  # a line of its own
    clean, _ = clean_html(html, "en", CFG)
    assert rise in clean.text and fall in clean.text
    assert headline not in clean.text


def test_related_headlines_inside_the_article_are_dropped() -> None:
    """The extractor keeps a linked headline that sits between the article's paragraphs (a
    "related" box, as L3S-GN1's pages have them); a line that is the whole text of a link is
    not article text."""
    teaser = (
        "The storm that hit the coast on Sunday has closed the port for two days, and the ferry service"
        " to the islands will not resume before Friday, the harbour master said."
    )
    html = page(f"<p>{PARAGRAPHS[0]}</p><h3>Related</h3><h4><a href='/r1'>{teaser}</a></h4><p>{PARAGRAPHS[1]}</p>")
    assert teaser in html_to_text(html, title=False).text  # what the extractor gave
    clean, _ = clean_html(html, "en", CFG)
    assert "storm" not in clean.text
    assert clean.text.splitlines()[0] == PARAGRAPHS[0] and clean.text.splitlines()[-1] == PARAGRAPHS[1]


def test_only_lines_that_are_a_whole_link_are_link_lines() -> None:
    links = frozenset({"Storm hits the coast", "Read more"})
    text = "Storm  hits the coast\nThe storm hits the coast tonight, officials said.\nRead more"
    assert without_link_lines(text, links) == ("The storm hits the coast tonight, officials said.", 29 / 78)


def test_visible_text_skips_scripts_and_keeps_blocks_apart() -> None:
    text = visible_text("<html><head><style>p {}</style></head><body><p>One</p><div>Two</div><script>x</script>")
    assert text.splitlines() == ["One", "Two"]


def test_control_characters_in_html_are_spaces_not_an_error() -> None:
    """lxml refuses to move text holding them, as dropping a script does with its tail."""
    text = visible_text("<body><p>One\x00two</p><script>x</script>\x0bThree\x01four</body>")
    assert text.splitlines() == ["One two", "Three four"]


def test_unparseable_html_gives_no_text() -> None:
    clean, _ = clean_html("", "en", CFG)
    assert clean.tokens == ()


def test_a_page_of_more_tags_than_the_extractor_affords_is_read_as_visible_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """trafilatura would spend seconds on it (0.14 ms a tag); the visible text is linear."""

    def extractor_called(html: str) -> None:
        raise AssertionError("the extractor was given a page of too many tags")

    monkeypatch.setattr(pipeline, "html_to_text", extractor_called)
    padding = "<b></b>" * (MAX_EXTRACTED_TAGS // 2 + 1)
    clean, _ = clean_html(page("".join(f"<p>{p}</p>" for p in PARAGRAPHS) + padding), "en", CFG)
    assert clean.text.splitlines()[-2:] == PARAGRAPHS


def test_a_tag_of_too_many_attributes_is_a_parse_problem() -> None:
    many = "<p " + " ".join(f"a{i}=1" for i in range(MAX_TAG_ATTRIBUTES + 1)) + ">x</p>"
    assert parse_problem(many) is not None
    # As many attributes spread over many tags are what long pages hold.
    spread = "".join(f"<a href=/p{i}>x</a>" for i in range(MAX_TAG_ATTRIBUTES + 1))
    assert parse_problem(spread) is None and parse_problem(page("<p>short</p>")) is None
    # Nor are the '=' of an inline script or of a text.
    script = "<script>" + ";".join(f"var v{i}=function(a){{return a==={i}}}" for i in range(5200)) + "</script>"
    assert parse_problem(page(script + "<p>short</p>")) is None
    assert parse_problem(page("<p>" + "=" * 20_000 + "</p>")) is None


def test_text_nested_deeper_than_the_parser_limit_is_still_read() -> None:
    """libxml2 drops text more than 256 elements deep (as unclosed tags pile up) unless told
    not to; the extractor's own parser drops it, the visible-text fallback reads it."""
    deep = "<font>" * 300 + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    clean, _ = clean_html(f"<html><body>{deep}</body></html>", "en", CFG)
    assert clean.text.splitlines() == PARAGRAPHS
