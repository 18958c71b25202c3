"""What a posted article becomes before any decision: derived id and source, clean text, fingerprints."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from app.errors import EmptyText, InvalidInput, StorywireError
from app.fingerprint import Signature, Signer
from app.store.base import KEPT_TEXT_ZLIB_LEVEL, Article
from app.stories import StoryConfig, Vector, term_counts
from app.text.extract import parse_problem
from app.text.normalize import normalize
from app.text.pipeline import PageText, TextConfig, clean_page, clean_text, exact_key, page_text, shingles
from app.text.shingle import shingle_hashes
from app.text.tokenize import tokenize


@dataclass(frozen=True)
class ArticleIn:
    """A posted article, already checked for types and formats by the API layer."""

    text: str | None = None
    html: str | None = None
    id: str | None = None
    url: str | None = None
    source: str | None = None
    title: str | None = None
    published_at: datetime | None = None
    language: str | None = None

    @property
    def content_field(self) -> str:
        """The field its content came in: what an error about that content names."""
        return "html" if self.html is not None else "text"


@dataclass(frozen=True)
class Prepared:
    """An article ready for the index: everything derived from the post, nothing decided yet."""

    article: ArticleIn
    template_size: int  # size of the source template it was cleaned with (templates only grow)
    id: str
    url: str | None
    source: str | None
    title: str | None
    published_at: int | None  # epoch microseconds; None means "time of receipt"
    raw_zlib: bytes  # as posted (text or HTML), compressed here (in a worker) to keep it for re-cleaning
    raw_is_html: bool
    page: PageText | None  # of an HTML post: kept, so that cleaning it again skips the extractor
    content_hash: str
    # What the engine keeps of the cleaned text (not its tokens: the shingles and term counts
    # below are made from them, and shipping them back from a worker would cost more than they are worth).
    language: str | None
    clean_text: str
    line_keys: npt.NDArray[np.int64]  # of every distinct line of the page (template evidence)
    exact_key: str
    shingles: npt.NDArray[np.uint32]
    signature: Signature
    story_counts: Vector  # term frequencies; weighted by the engine, which owns the statistics


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Epoch microseconds of an aware datetime, exactly (no float rounding)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


# What a datetime can hold. Requests are refused outside it, but stores from before that check
# (71abd18) may hold a moment up to 14 hours beyond either end (a date in year 1 or 9999 with a
# far offset): it reads as the nearest end, so reading it back is not an error.
_FIRST_MICROS = to_micros(datetime.min.replace(tzinfo=UTC))
_LAST_MICROS = to_micros(datetime.max.replace(tzinfo=UTC))


def clamp_micros(micros: int) -> int:
    """Epoch microseconds moved, if need be, to the nearest moment a datetime can hold."""
    return min(max(micros, _FIRST_MICROS), _LAST_MICROS)


def from_micros(micros: int) -> datetime:
    """The UTC datetime of epoch microseconds (clamped); inverse of :func:`to_micros`."""
    return _EPOCH + timedelta(microseconds=clamp_micros(micros))


def content_hash(article: ArticleIn) -> str:
    """Fingerprint of what was posted, to tell a re-post (``unchanged``) from an edit (``updated``).
    A language tag is case-insensitive (BCP 47): ``AR`` and ``ar`` are the same post."""
    fields = {
        "text": article.text, "html": article.html, "url": article.url, "source": article.source,
        "title": article.title, "language": None if article.language is None else article.language.lower(),
        "published_at": None if article.published_at is None else to_micros(article.published_at),
    }  # fmt: skip
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode("utf-8")).hexdigest()


def derive_id(article: ArticleIn) -> str:
    """The client's id, else one derived from the URL, else from the content."""
    if article.id:
        return article.id
    if article.url:
        return "u-" + hashlib.sha256(article.url.encode("utf-8")).hexdigest()[:32]
    body = article.text if article.text is not None else article.html or ""
    return "c-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def derive_source(article: ArticleIn) -> str | None:
    """The client's source key, else the host of the URL."""
    if article.source:
        return article.source
    if article.url:
        return url_host(article.url)
    return None


def url_host(url: str) -> str | None:
    """The host of a URL, lower-cased (None if it has none). ValueError for a URL ``urlsplit``
    cannot read: the API refuses those (app.api.schemas)."""
    return urlsplit(url).hostname


def clean_tokens(clean_text_: str) -> list[str]:
    """Tokens of stored clean text, line by line, exactly as :func:`clean_text` produced them."""
    return [tok for line in clean_text_.splitlines() for tok in tokenize(normalize(line))]


def title_tokens(title: str | None) -> list[str]:
    """Tokens of a title, as its words enter the story vector."""
    return tokenize(normalize(title or ""))


def stored_shingles(clean_text_: str, cfg: TextConfig) -> npt.NDArray[np.uint32]:
    """Shingle hashes of an already stored article, for verifying a candidate."""
    return shingle_hashes(clean_tokens(clean_text_), cfg.shingle_size)


def prepare(
    article: ArticleIn,
    cfg: TextConfig,
    signer: Signer,
    template: frozenset[int] = frozenset(),
    story: StoryConfig = StoryConfig(),  # noqa: B008 (frozen, so sharing the default is safe)
    page: PageText | None = None,
) -> Prepared:
    """Clean and fingerprint a posted article; raises EmptyText when no article text remains.

    ``template`` holds the line keys of its source's learned template (app.templates); ``page``,
    the text of its HTML found when it was first prepared, when it is prepared again.
    """
    title = article.title
    if article.html is not None:
        if page is None:
            problem = parse_problem(article.html)
            if problem is not None:
                raise InvalidInput(problem, "html")
            page = page_text(article.html, title=not title)
        clean = clean_page(page, article.language, cfg, template)
        title = title or page.title
    else:
        clean = clean_text(article.text or "", article.language, cfg, template)
    if not clean.tokens:
        raise EmptyText("no article text is left once the page is cleaned of site chrome", article.content_field)
    hashes = shingles(clean, cfg)
    raw = article.html if article.html is not None else article.text or ""
    return Prepared(
        article=article,
        template_size=len(template),
        id=derive_id(article),
        url=article.url,
        source=derive_source(article),
        title=title,
        published_at=None if article.published_at is None else to_micros(article.published_at),
        raw_zlib=zlib.compress(raw.encode("utf-8"), KEPT_TEXT_ZLIB_LEVEL),
        raw_is_html=article.html is not None,
        page=page,
        content_hash=content_hash(article),
        language=clean.language,
        clean_text=clean.text,
        line_keys=np.array(clean.line_keys, dtype=np.int64),
        exact_key=exact_key(clean),
        shingles=hashes,
        signature=signer.sign(hashes),
        story_counts=term_counts(
            clean.tokens, title_tokens(title), cfg.stopwords.get(clean.language or "", frozenset()), story
        ),
    )


def prepare_or_error(
    article: ArticleIn, cfg: TextConfig, signer: Signer, template: frozenset[int], story: StoryConfig
) -> Prepared | StorywireError:
    """:func:`prepare`, with bad input returned in place, for batches where one item fails alone."""
    try:
        return prepare(article, cfg, signer, template, story)
    except StorywireError as exc:
        return exc


def stored_input(article: Article) -> ArticleIn:
    """The post a stored article came from, to clean and fingerprint it again."""
    return ArticleIn(
        text=None if article.raw_is_html else article.raw,
        html=article.raw if article.raw_is_html else None,
        id=article.id,
        url=article.url,
        source=article.source,
        title=article.title,
        published_at=from_micros(article.published_at),
        language=article.language,
    )
