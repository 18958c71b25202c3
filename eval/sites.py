"""Synthetic news-site templates and the rendering of one page's plain text.

A ``SiteTemplate`` fixes everything that stays the same on every page of a site (name,
menu, headings, share bar, comment form, footer, block order); a ``PageChrome`` holds what
changes per page (section, ticker, related and most-read items). ``render_page`` is pure:
same inputs, same text. Chrome lines are separate lines, as in crawled plain text.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from eval import vocab

AFTER_BODY_BLOCKS = ("share", "related", "most_read", "latest", "comments", "follow", "digest")


@dataclass(frozen=True)
class SiteTemplate:
    """Everything fixed per site; ``big`` sites publish many pages, small ones a few."""

    key: str
    name: str
    lang: str
    big: bool
    sections: tuple[str, ...]
    nav: tuple[str, ...]
    nav_one_line: bool
    ticker_label: str | None
    ticker_items: int
    crumb_home: str | None
    crumb_sep: str
    date_form: str | None
    byline_form: str | None
    staff: tuple[str, ...]
    title_repeats: int
    related_head: str | None
    related_n: int
    teaser_prob: float
    most_head: str | None
    most_n: int
    latest_head: str | None
    latest_n: int
    digest_sections: tuple[str, ...]
    digest_n: int
    share_line: str | None
    follow_line: str | None
    comment_lines: tuple[str, ...]
    footer_lines: tuple[str, ...]
    para_sep: str
    after_body: tuple[str, ...]


@dataclass(frozen=True)
class PageChrome:
    """The per-page parts of the chrome, chosen by the stream builder.

    ``related``/``digests`` items are (title, teaser) pairs, the teaser possibly empty;
    ``digests`` are per-section headline lists that stay the same on a site for a whole day.
    """

    section: str
    ticker: tuple[str, ...] = ()
    related: tuple[tuple[str, str], ...] = ()
    most_read: tuple[str, ...] = ()
    latest: tuple[tuple[str, str], ...] = ()
    digests: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    byline: str = ""


def _maybe(rng: random.Random, p: float, value: str) -> str | None:
    """``value`` with probability ``p``, else None (optional template parts)."""
    return value if rng.random() < p else None


def _pick(rng: random.Random, bank: dict[str, tuple[str, ...]], lang: str) -> str:
    """One random phrase of ``bank`` for ``lang``."""
    return rng.choice(bank[lang])


def _join(*parts: str) -> str:
    """Join non-empty phrase parts with single spaces."""
    return " ".join(p for p in parts if p)


def related_heading(rng: random.Random, lang: str) -> str:
    """A "related news" heading: composed ("Related stories") or a fixed "read next" form."""
    if rng.random() < 0.7:
        return _join(_pick(rng, vocab.RELATED_FIRST, lang), _pick(rng, vocab.RELATED_SECOND, lang))
    return _pick(rng, vocab.READ_MORE_HEADS, lang)


def most_read_heading(rng: random.Random, lang: str) -> str:
    """A "most read" heading such as "Most shared this week" / "الأكثر قراءة اليوم"."""
    head = _join(
        _pick(rng, vocab.MOST_FIRST, lang), _pick(rng, vocab.MOST_SECOND, lang), _pick(rng, vocab.MOST_SCOPE, lang)
    )
    if lang == "ar" and rng.random() < 0.5:
        return _join(rng.choice(("الأخبار", "المقالات", "المواضيع")), head)
    return head


def share_line(rng: random.Random, lang: str) -> str:
    """A share bar: a lead phrase and three to seven platform names."""
    targets = rng.sample(vocab.SHARE_TARGETS[lang], rng.randint(3, 7))
    sep = rng.choice((" ", " | ", " · ", " - "))
    return _pick(rng, vocab.SHARE_LEADS, lang) + rng.choice((": ", " ", "\n")) + sep.join(targets)


def comment_form(rng: random.Random, lang: str) -> tuple[str, ...]:
    """Comment form labels: heading, name, email, comment, terms, security code, submit."""
    mark = rng.choice(vocab.REQUIRED_MARKS)
    fields = [vocab.COMMENT_NAME, vocab.COMMENT_EMAIL, vocab.COMMENT_BODY]
    lines = [_pick(rng, vocab.COMMENT_HEADS, lang)] + [_pick(rng, bank, lang) + mark for bank in fields]
    if rng.random() < 0.6:
        lines.append(_pick(rng, vocab.COMMENT_NOTES, lang) + (" *" if mark.strip() == "*" else ""))
    lines += [_pick(rng, vocab.COMMENT_TERMS, lang), _pick(rng, vocab.COMMENT_CODE, lang) + mark]
    lines.append(_pick(rng, vocab.COMMENT_SUBMIT, lang))
    return tuple(lines)


def footer(rng: random.Random, lang: str, name: str, year: int) -> tuple[str, ...]:
    """Footer lines: link row, copyright and a postal address (sometimes a phone line)."""
    links = rng.sample(vocab.FOOTER_LINKS[lang], rng.randint(3, 6))
    lines = [
        rng.choice((" | ", " - ", "  ")).join(links),
        _pick(rng, vocab.COPYRIGHT, lang).format(site=name, year=year),
        _address(rng, lang),
    ]
    if rng.random() < 0.5:
        phone = f"+{rng.randint(1, 999)} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        lines.append(("هاتف: " if lang == "ar" else "Tel: ") + phone)
    return tuple(lines)


def _city(rng: random.Random, lang: str) -> str:
    """A city name as it appears in running text (English datelines are upper case)."""
    city = _pick(rng, vocab.CITIES, lang)
    return city.title() if lang == "en" else city


def _address(rng: random.Random, lang: str) -> str:
    """A postal address line in the language's usual order."""
    street, unit, number = _pick(rng, vocab.STREETS, lang), _pick(rng, vocab.DISTRICTS, lang), rng.randint(1, 400)
    if lang == "en":
        return f"{number} {street}, {unit}, {_city(rng, lang)}"
    return f"{street} {number}، {unit}، {_city(rng, lang)}"


def staff_names(rng: random.Random, lang: str, count: int) -> tuple[str, ...]:
    """Reporter names used in bylines of one site."""
    return tuple(f"{_pick(rng, vocab.FIRST_NAMES, lang)} {_pick(rng, vocab.LAST_NAMES, lang)}" for _ in range(count))


def make_site(rng: random.Random, lang: str, key: str, name: str, big: bool, year: int) -> SiteTemplate:
    """Draw one site template; big sites get richer chrome (longer lists, more blocks)."""
    sections = tuple(rng.sample(vocab.SECTIONS[lang], rng.randint(6, 11)))
    extras = tuple(rng.sample(vocab.NAV_EXTRA[lang], rng.randint(0, 3)))
    blocks = [b for b in AFTER_BODY_BLOCKS if rng.random() < (0.85 if big else 0.6)] or ["related"]
    rng.shuffle(blocks)
    return SiteTemplate(
        key=key,
        name=name,
        lang=lang,
        big=big,
        sections=sections,
        nav=sections + extras,
        nav_one_line=rng.random() < 0.5,
        ticker_label=_maybe(rng, 0.6 if big else 0.3, _pick(rng, vocab.TICKER_LABELS, lang)),
        ticker_items=rng.randint(1, 3),
        crumb_home=_maybe(rng, 0.7, _pick(rng, vocab.HOME, lang)),
        crumb_sep=rng.choice(("»", "›", ">", "/", "|")),
        date_form=_maybe(rng, 0.85, _pick(rng, vocab.DATE_FORMS, lang)),
        byline_form=_maybe(rng, 0.6, _pick(rng, vocab.BYLINES, lang)),
        staff=staff_names(rng, lang, rng.randint(3, 8)),
        title_repeats=rng.choice((1, 1, 2, 3)),
        related_head=related_heading(rng, lang) if "related" in blocks else None,
        related_n=rng.randint(3, 7) if big else rng.randint(2, 5),
        teaser_prob=rng.choice((0.0, 0.0, 0.5, 1.0)),
        most_head=most_read_heading(rng, lang) if "most_read" in blocks else None,
        most_n=rng.randint(3, 6),
        latest_head=_pick(rng, vocab.LATEST_HEADS, lang) if "latest" in blocks else None,
        latest_n=rng.randint(3, 6),
        digest_sections=tuple(rng.sample(sections, rng.randint(3, 6) if big else rng.randint(1, 2)))
        if "digest" in blocks
        else (),
        digest_n=rng.randint(4, 6) if big else rng.randint(3, 4),
        share_line=share_line(rng, lang) if "share" in blocks else None,
        follow_line=_follow_line(rng, lang) if "follow" in blocks else None,
        comment_lines=comment_form(rng, lang) if "comments" in blocks else (),
        footer_lines=footer(rng, lang, name, year),
        para_sep=rng.choice(("\n", "\n\n", "\n\n")),
        after_body=tuple(blocks),
    )


def _follow_line(rng: random.Random, lang: str) -> str:
    """A "follow us on" line with a few platform names."""
    return _pick(rng, vocab.FOLLOW, lang) + " " + " ".join(rng.sample(vocab.SHARE_TARGETS[lang], 3))


def format_date(form: str, when: datetime, lang: str) -> str:
    """Render a site date line in the site's own format."""
    return form.format(
        weekday=vocab.WEEKDAYS[lang][when.weekday()],
        day=when.day,
        month=vocab.MONTHS[lang][when.month - 1],
        mon=f"{when.month:02d}",
        year=when.year,
        hh=f"{when.hour:02d}",
        mm=f"{when.minute:02d}",
    )


def byline(site: SiteTemplate, rng: random.Random) -> str:
    """A byline for one page of ``site`` (empty if the site prints none)."""
    if not site.byline_form:
        return ""
    return site.byline_form.format(name=rng.choice(site.staff), city=_city(rng, site.lang))


def _header(site: SiteTemplate, title: str, chrome: PageChrome, when: datetime) -> list[str]:
    """Site name, menu, ticker, breadcrumbs, date, headline(s) and byline."""
    lines = [site.name]
    lines += [" | ".join(site.nav)] if site.nav_one_line else list(site.nav)
    if site.ticker_label:
        lines += [f"{site.ticker_label}: {t}" for t in chrome.ticker]
    if site.crumb_home:
        lines.append(f" {site.crumb_sep} ".join((site.crumb_home, chrome.section)))
    if site.date_form:
        lines.append(format_date(site.date_form, when, site.lang))
    lines.append(title)
    lines += [f"{site.name} - {title}"] * (site.title_repeats - 1)
    return lines + ([chrome.byline] if chrome.byline else [])


def _block(site: SiteTemplate, name: str, chrome: PageChrome) -> list[str]:
    """The lines of one after-body block (empty when the page has nothing for it)."""
    if name == "related" and site.related_head and chrome.related:
        return [site.related_head, *_items(chrome.related)]
    if name == "most_read" and site.most_head and chrome.most_read:
        return [site.most_head, *chrome.most_read]
    if name == "latest" and site.latest_head and chrome.latest:
        return [site.latest_head] + [line for t, d in chrome.latest for line in (t, d)]
    if name == "digest":
        return [line for head, items in chrome.digests for line in (head, *_items(items))]
    if name == "share" and site.share_line:
        return [site.share_line]
    if name == "comments":
        return list(site.comment_lines)
    if name == "follow" and site.follow_line:
        return [site.follow_line]
    return []


def _items(items: Sequence[tuple[str, str]]) -> list[str]:
    """Headline lines, each followed by its teaser line when it has one."""
    return [line for title, teaser in items for line in (title, teaser) if line]


def render_page(site: SiteTemplate, title: str, body: Sequence[str], when: datetime, chrome: PageChrome | None) -> str:
    """The page's plain text: chrome lines around headline and body, or headline+body only.

    ``chrome=None`` renders the no-chrome variant of the same page: the same headline and the
    same (edited) body paragraphs, separated by blank lines.
    """
    if chrome is None:
        return "\n\n".join([title, *body])
    lines = _header(site, title, chrome, when) + list(body)
    for name in site.after_body:
        lines += _block(site, name, chrome)
    lines += list(site.footer_lines)
    return site.para_sep.join(lines)
