"""The labelled near-duplicate stream: bodies republished on synthetic sites, in crawl order.

Every body is published on one to four sites of its language; the first page is the
original, later pages are copies with random edits (see ``edits.py``). Gold: pages of one
body form one duplicate group; pages of different bodies are never duplicates, even when
they share a site's chrome on the same day (the look-alikes). Everything is drawn from
seeded ``random.Random`` instances, so one (slice, seed, sizes) gives one stream.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eval import edits, sites, vocab
from eval.bodies import Body, select_bodies

SLICES = ("tune", "heldout")
DEFAULT_SEEDS = {"tune": 1011, "heldout": 2029}
SLICE_TLDS = {"tune": (".com", ".net", ".sa", ".co"), "heldout": (".org", ".info", ".news", ".me")}
"""Disjoint host suffixes make the two slices' sites disjoint by construction."""

BASE_TIME = datetime(2015, 8, 2, tzinfo=UTC)
_SYLLABLES = (
    "ka",
    "lo",
    "ma",
    "ri",
    "sa",
    "na",
    "de",
    "ba",
    "mi",
    "ru",
    "ta",
    "zo",
    "fe",
    "hu",
    "qa",
    "ye",
    "wi",
    "jo",
)
_ARABIC_WORD = re.compile("^[\u0621-\u064a]{4,}$")
_LATIN_WORD = re.compile("^[A-Za-z]{5,}$")


@dataclass(frozen=True)
class StreamConfig:
    """Knobs of the stream; the defaults give >= 400 bodies and >= 700 pages per slice."""

    slice: str = "tune"
    seed: int | None = None
    bodies_per_lang: int = 210
    big_sites_per_lang: int = 6
    small_sites_per_lang: int = 24
    small_share: float = 1 / 3
    days: int = 4
    min_chars: int = 400
    copy_weights: tuple[float, ...] = (0.30, 0.30, 0.22, 0.18)

    def __post_init__(self) -> None:
        if self.slice not in SLICES:
            raise ValueError(f"slice must be one of {SLICES}, got {self.slice!r}")
        if self.bodies_per_lang < 1 or self.days < 1:
            raise ValueError("bodies_per_lang and days must be >= 1")
        if not 1 <= len(self.copy_weights) <= 4:
            raise ValueError("copy_weights gives the odds of 1..k copies with 1 <= k <= 4")

    @property
    def effective_seed(self) -> int:
        """The seed in use: the explicit one or the slice's default."""
        return DEFAULT_SEEDS[self.slice] if self.seed is None else self.seed


@dataclass(frozen=True)
class Page:
    """One crawled page with its gold label (``body``) and how it was made."""

    id: str
    url: str
    source: str
    title: str
    text: str
    bare_text: str
    published_at: str
    language: str
    body: str
    copy: int
    big_site: bool
    day: int
    edits: tuple[str, ...] = ()

    def payload(self, chrome: bool = True, send_language: bool = True) -> dict[str, str]:
        """The ingest JSON for this page, with or without site chrome in ``text``."""
        item = {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "title": self.title,
            "text": self.text if chrome else self.bare_text,
            "published_at": self.published_at,
        }
        if send_language:
            item["language"] = self.language
        return item


@dataclass(frozen=True)
class Stream:
    """A built stream: pages in crawl order plus the bodies and sites they came from."""

    config: StreamConfig
    pages: tuple[Page, ...]
    bodies: tuple[Body, ...]
    sites: tuple[sites.SiteTemplate, ...] = field(repr=False)


@dataclass(frozen=True)
class Slot:
    """A planned page before rendering: which body, which copy, where and when."""

    body: Body
    copy: int
    site: sites.SiteTemplate
    when: datetime


def rng_for(config: StreamConfig, purpose: str) -> random.Random:
    """An independent RNG per purpose, so changing one step does not reshuffle the others."""
    return random.Random(f"storywire-eval|{config.slice}|{config.effective_seed}|{purpose}")


def page_id(config: StreamConfig, body: Body, copy: int) -> str:
    """An opaque, stable page id (it must not reveal the body to the service)."""
    digest = hashlib.sha1(f"{config.slice}|{config.effective_seed}|{body.key}|{copy}".encode()).hexdigest()
    return f"p{digest[:16]}"


def title_words(bodies: Sequence[Body], lang: str) -> list[str]:
    """Distinct headline words usable in generated site names, in stable order."""
    pattern = _ARABIC_WORD if lang == "ar" else _LATIN_WORD
    words = {w.strip("«»\"'،,.:") for b in bodies if b.lang == lang for w in b.title.split()}
    return sorted(w for w in words if pattern.match(w))


def site_name(rng: random.Random, lang: str, words: Sequence[str]) -> str:
    """A generated outlet name built from a headline word, e.g. "The Harbor Tribune"."""
    word = rng.choice(words)
    if lang == "ar":
        core = word if word.startswith("ال") else "ال" + word
        return " ".join(
            p for p in (rng.choice(vocab.SITE_PREFIX["ar"]), core, rng.choice(vocab.SITE_SUFFIX["ar"])) if p
        )
    return f"The {word.capitalize()} {rng.choice(vocab.SITE_SUFFIX['en'])}"


def site_key(rng: random.Random, part: str, taken: set[str]) -> str:
    """A fresh host name with the slice's TLDs, unique within ``taken``."""
    while True:
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        key = stem + rng.choice(("", "-news", "daily", "-online", "24", "press")) + rng.choice(SLICE_TLDS[part])
        if key not in taken:
            taken.add(key)
            return key


def make_sites(config: StreamConfig, bodies: Sequence[Body]) -> list[sites.SiteTemplate]:
    """Big and small site templates for both languages of the slice."""
    rng = rng_for(config, "sites")
    taken: set[str] = set()
    made = []
    for lang in ("ar", "en"):
        words = title_words(bodies, lang)
        counts = ((True, config.big_sites_per_lang), (False, config.small_sites_per_lang))
        for big, count in counts:
            for _ in range(count):
                key = site_key(rng, config.slice, taken)
                made.append(sites.make_site(rng, lang, key, site_name(rng, lang, words), big, BASE_TIME.year))
    return made


def choose_sites(
    rng: random.Random, pool: Sequence[sites.SiteTemplate], count: int, small_share: float
) -> list[sites.SiteTemplate]:
    """``count`` distinct sites; each is a small site with probability ``small_share``."""
    big = [s for s in pool if s.big]
    small = [s for s in pool if not s.big]
    chosen: list[sites.SiteTemplate] = []
    for _ in range(count):
        prefer_small = rng.random() < small_share
        options = [s for s in (small if prefer_small else big) if s not in chosen]
        options = options or [s for s in pool if s not in chosen]
        chosen.append(rng.choice(options))
    return chosen


def schedule(config: StreamConfig, bodies: Sequence[Body], site_pool: Sequence[sites.SiteTemplate]) -> list[Slot]:
    """Plan every page: copies per body, their sites and publication times; crawl-ordered."""
    rng = rng_for(config, "schedule")
    slots = []
    for body in bodies:
        count = rng.choices(range(1, len(config.copy_weights) + 1), weights=config.copy_weights)[0]
        origin = BASE_TIME + timedelta(days=rng.randrange(config.days), seconds=rng.randint(5 * 3600, 23 * 3600))
        delays = sorted(timedelta(seconds=rng.randint(600, 36 * 3600)) for _ in range(count - 1))
        own_sites = choose_sites(rng, [s for s in site_pool if s.lang == body.lang], count, config.small_share)
        for copy, (site, delay) in enumerate(zip(own_sites, [timedelta(0), *delays], strict=True)):
            slots.append(Slot(body, copy, site, origin + delay))
    return sorted(slots, key=lambda s: (s.when, s.body.key, s.copy))


def teaser(body: Body, limit: int = 140) -> str:
    """The first sentence of a body, cut to ``limit`` characters with an ellipsis."""
    first = re.split(r"(?<=[.!?؟])\s", body.paras[0], maxsplit=1)[0] if body.paras else ""
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


class _ChromePlanner:
    """Chooses the per-page chrome (ticker, related, most read, latest) from other bodies."""

    def __init__(self, config: StreamConfig, slots: Sequence[Slot]) -> None:
        self.config = config
        self.rng = rng_for(config, "chrome")
        self.day_of = {s.body.key: (s.when - BASE_TIME).days for s in slots if s.copy == 0}
        self.by_lang: dict[str, list[Body]] = defaultdict(list)
        self.by_site: dict[str, list[Body]] = defaultdict(list)
        for s in slots:
            if s.copy == 0:
                self.by_lang[s.body.lang].append(s.body)
            self.by_site[s.site.key].append(s.body)
        for groups in (self.by_lang, self.by_site):
            for key in groups:
                groups[key].sort(key=lambda b: b.key)
        self.first_seen = sorted(((s.when, s.body) for s in slots if s.copy == 0), key=lambda t: (t[0], t[1].key))

    def _others(self, bodies: Sequence[Body], own: Body, count: int, rng: random.Random) -> list[Body]:
        """Up to ``count`` bodies from ``bodies`` (distinct, in a stable order) other than ``own``."""
        options = [b for b in bodies if b.key != own.key]
        return rng.sample(options, min(count, len(options)))

    def related(self, slot: Slot) -> tuple[tuple[str, str], ...]:
        """Related items: mostly the same site's other articles, the rest any of the language."""
        wanted = slot.site.related_n
        same_site = self._others(self.by_site[slot.site.key], slot.body, wanted, self.rng)
        anywhere = self._others(self.by_lang[slot.body.lang], slot.body, wanted, self.rng)
        picked: dict[str, Body] = {}
        while len(picked) < wanted and (same_site or anywhere):
            source = same_site if same_site and (self.rng.random() < 0.7 or not anywhere) else anywhere
            body = source.pop()
            picked.setdefault(body.key, body)
        return tuple((b.title, teaser(b) if self.rng.random() < slot.site.teaser_prob else "") for b in picked.values())

    def _daily(self, slot: Slot, day: int, tag: str, count: int) -> tuple[list[Body], random.Random]:
        """A site's list for one day (same on all its pages that day), minus the page's own body."""
        rng = random.Random(f"{self.config.slice}|{self.config.effective_seed}|{tag}|{slot.site.key}|{day}")
        pool = [b for b in self.by_lang[slot.body.lang] if self.day_of[b.key] <= day]
        picked = self._others(pool, Body("", "", "", "", ()), count + 1, rng)
        return [b for b in picked if b.key != slot.body.key][:count], rng

    def most_read(self, slot: Slot, day: int) -> tuple[str, ...]:
        """The site's most-read list of the day."""
        return tuple(b.title for b in self._daily(slot, day, "most", slot.site.most_n)[0])

    def latest(self, slot: Slot) -> tuple[tuple[str, str], ...]:
        """The newest articles of the language published before this page, with dates."""
        before = [
            (w, b) for w, b in self.first_seen if w < slot.when and b.lang == slot.body.lang and b.key != slot.body.key
        ]
        newest = before[-slot.site.latest_n :][::-1]
        return tuple((b.title, w.strftime("%d/%m/%Y")) for w, b in newest)

    def digests(self, slot: Slot, day: int) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """Per-section front-page headline lists of the site and day, teasers included."""
        out = []
        for section in slot.site.digest_sections:
            picked, rng = self._daily(slot, day, f"digest|{section}", slot.site.digest_n)
            out.append(
                (section, tuple((b.title, teaser(b) if rng.random() < slot.site.teaser_prob else "") for b in picked))
            )
        return tuple(out)

    def ticker(self, slot: Slot, day: int) -> tuple[str, ...]:
        """Ticker headlines of bodies first published the same day."""
        same_day = [b for b in self.by_lang[slot.body.lang] if self.day_of[b.key] == day]
        return tuple(b.title for b in self._others(same_day, slot.body, slot.site.ticker_items, self.rng))

    def chrome(self, slot: Slot) -> sites.PageChrome:
        """All per-page chrome of one slot."""
        day = (slot.when - BASE_TIME).days
        return sites.PageChrome(
            section=self.rng.choice(slot.site.sections),
            ticker=self.ticker(slot, day),
            related=self.related(slot),
            most_read=self.most_read(slot, day),
            latest=self.latest(slot),
            digests=self.digests(slot, day),
            byline=sites.byline(slot.site, self.rng),
        )


def edit_copy(slot: Slot, rng: random.Random, titles: Sequence[str]) -> tuple[list[str], tuple[str, ...]]:
    """The body as this copy prints it: the original for copy 0, else 1-3 random edits."""
    if slot.copy == 0:
        return list(slot.body.paras), ()
    names = edits.choose_edits(slot.body.lang, rng)
    other = rng.choice([t for t in titles if t != slot.body.title] or [""])
    return edits.apply_edits(slot.body.paras, names, rng, edits.EditContext(slot.body.lang, other))


def plan(config: StreamConfig, data_root: Path) -> tuple[list[Body], list[sites.SiteTemplate], list[Slot]]:
    """Bodies, sites and the crawl-ordered page slots of the slice (nothing rendered yet)."""
    per_lang = {"ar": config.bodies_per_lang, "en": config.bodies_per_lang}
    bodies = select_bodies(data_root, config.slice, per_lang, rng_for(config, "bodies"), config.min_chars)
    site_pool = make_sites(config, bodies)
    return bodies, site_pool, schedule(config, bodies, site_pool)


def build_stream(config: StreamConfig, data_root: Path) -> Stream:
    """Build the slice's stream; each page carries both its chrome and no-chrome text."""
    bodies, site_pool, slots = plan(config, data_root)
    planner = _ChromePlanner(config, slots)
    edit_rng = rng_for(config, "edits")
    titles = {lang: sorted(b.title for b in bodies if b.lang == lang) for lang in ("ar", "en")}
    pages = tuple(_page(config, slot, planner, edit_rng, titles[slot.body.lang]) for slot in slots)
    return Stream(config, pages, tuple(bodies), tuple(site_pool))


def _page(config: StreamConfig, slot: Slot, planner: _ChromePlanner, rng: random.Random, titles: Sequence[str]) -> Page:
    """Render one planned slot into a Page (both text variants)."""
    paras, applied = edit_copy(slot, rng, titles)
    pid = page_id(config, slot.body, slot.copy)
    chrome = planner.chrome(slot)
    return Page(
        id=pid,
        url=f"https://{slot.site.key}/{slot.when:%Y/%m/%d}/{pid[1:11]}.html",
        source=slot.site.key,
        title=slot.body.title,
        text=sites.render_page(slot.site, slot.body.title, paras, slot.when, chrome),
        bare_text=sites.render_page(slot.site, slot.body.title, paras, slot.when, None),
        published_at=slot.when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        language=slot.body.lang,
        body=slot.body.key,
        copy=slot.copy,
        big_site=slot.site.big,
        day=(slot.when - BASE_TIME).days,
        edits=applied,
    )
