"""A deterministic, lazy stream of N articles made by recycling a base corpus.

Article ``i`` comes from pass ``e = i // M`` over the ``M`` base articles, in an order shuffled
per pass from the seed. Pass 0 posts the originals; every later pass posts a lightly edited
copy (see :mod:`bench.edits`) published ``e`` corpus-spans later, with a fresh id. Article ``i``
depends only on ``(seed, i)``, so any slice can be rebuilt without generating what precedes it,
and nothing but the base corpus is held in memory.
"""

from __future__ import annotations

import random
import re
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.corpus import BaseArticle
from bench.edits import light_edit

Post = dict[str, Any]  # a body for POST /v1/articles
_CACHED_PASSES = 4
_WHITESPACE = re.compile(r"\s")


class ArticleStream:
    """Article ``i`` of the stream as a JSON-ready ``POST /v1/articles`` body."""

    def __init__(self, base: Sequence[BaseArticle], seed: int = 1, prefix: str = "bw") -> None:
        if not base:
            raise ValueError("the base corpus is empty")
        self.base = base
        self.seed = seed
        self.prefix = prefix
        self.span = self._time_span(base)
        self._orders: OrderedDict[int, npt.NDArray[np.int64]] = OrderedDict()

    @staticmethod
    def _time_span(base: Sequence[BaseArticle]) -> timedelta:
        """How far each pass is shifted in time: the corpus's span plus a day."""
        dates = [a.published for a in base]
        return max(dates) - min(dates) + timedelta(days=1)

    def _order(self, epoch: int) -> npt.NDArray[np.int64]:
        """The shuffled order of base articles in one pass (a few passes are cached)."""
        if epoch not in self._orders:
            rng = np.random.default_rng([self.seed, epoch])
            self._orders[epoch] = rng.permutation(len(self.base))
            if len(self._orders) > _CACHED_PASSES:
                self._orders.popitem(last=False)
        self._orders.move_to_end(epoch)
        return self._orders[epoch]

    def source_of(self, i: int) -> tuple[int, BaseArticle]:
        """The pass number and base article behind article ``i``."""
        epoch, position = divmod(i, len(self.base))
        return epoch, self.base[int(self._order(epoch)[position])]

    def article_id(self, i: int) -> str:
        return f"{self.prefix}{self.seed}-{i:08d}"

    def article(self, i: int) -> Post:
        """Article ``i``: the original in pass 0, an edited re-post after."""
        if i < 0:
            raise IndexError(i)
        epoch, source = self.source_of(i)
        text = source.content
        if epoch > 0:
            text = light_edit(random.Random(f"{self.seed}/{i}"), text)
        return self._post(self.article_id(i), source, text, epoch)

    def variant(self, i: int, tag: str) -> Post:
        """An unstored, freshly edited copy of article ``i`` (for queries), id ``q<tag>-<i>``."""
        epoch, source = self.source_of(i)
        text = light_edit(random.Random(f"{self.seed}/{i}/{tag}"), source.content)
        return self._post(f"q{tag}-{i}", source, text, epoch)

    def _post(self, article_id: str, source: BaseArticle, text: str, epoch: int) -> Post:
        post: Post = {
            "id": article_id,
            "source": source.source,
            "text": text,
            "published_at": (source.published + epoch * self.span).isoformat(),
        }
        if source.title:
            post["title"] = source.title
        if source.url.startswith(("http://", "https://")):
            url = _WHITESPACE.sub("%20", source.url)  # two corpus URLs hold a no-break space
            post["url"] = url if epoch == 0 else f"{url}#r{epoch}"
        return post

    def iter(self, start: int, stop: int) -> Iterator[Post]:
        """Articles ``start..stop-1``, generated one at a time."""
        for i in range(start, stop):
            yield self.article(i)

    def batches(self, start: int, stop: int, size: int) -> Iterator[list[Post]]:
        """Articles ``start..stop-1`` in lists of at most ``size``, one list in memory at a time."""
        for first in range(start, stop, size):
            yield [self.article(i) for i in range(first, min(first + size, stop))]
