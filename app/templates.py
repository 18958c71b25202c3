"""Per-source site templates, learned while running.

A site repeats its chrome line for line on every page (menus, tickers, share bars, footers,
comment forms), while an article's own lines stand on one page. A line found on at least
``min_pages`` (and ``min_fraction``) of a source's recent pages belongs to the source's
template and is dropped from its pages as chrome, whatever it looks like. Only one page per
duplicate group counts, so an article a site posts twice never becomes its template.

Learned lines are kept for good (in the store); the recent pages are the newest template
evidence of each source, read back from the store when a source is first seen after a start.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from app.store.base import LineKeys, Store


@dataclass(frozen=True)
class TemplateConfig:
    window: int = 50  # recent pages of a source that are compared
    min_pages: int = 3
    min_fraction: float = 0.1
    cached_sources: int = 4096  # sources whose state is kept in memory (least recently used go)


def recurring_lines(line_pages: Mapping[int, int], lines: Iterable[int], pages: int, cfg: TemplateConfig) -> set[int]:
    """Those of ``lines`` that recur on enough of a source's ``pages`` recent pages to be its
    template (``line_pages``: on how many of those pages each line is)."""
    if pages < cfg.min_pages:
        return set()
    needed = max(cfg.min_pages, math.ceil(cfg.min_fraction * pages))
    return {line for line in lines if line_pages.get(line, 0) >= needed}


def _line_pages(pages: Iterable[LineKeys]) -> Counter[int]:
    return Counter(line for keys in pages for line in keys.tolist())


def _uncount(line_pages: Counter[int], keys: LineKeys) -> None:
    """Take a page that leaves the window out of the counts (lines on no page left go)."""
    for line in keys.tolist():
        line_pages[line] -= 1
        if not line_pages[line]:
            del line_pages[line]


@dataclass
class _Source:
    template: frozenset[int]
    pages: deque[tuple[int, str, LineKeys]]
    # On how many of ``pages`` each line is, kept up as pages come and go: a new page can
    # only make its own lines template, so learning from it need not count every page again.
    line_pages: Counter[int]
    # False until the lines of all pages were checked (after a load or a forgotten page).
    checked: bool = False


class TemplateLearner:
    """The template of each source, and the evidence it is learned from."""

    def __init__(self, store: Store, cfg: TemplateConfig | None = None) -> None:
        self.store = store
        self.cfg = cfg or TemplateConfig()
        self._sources: OrderedDict[str, _Source] = OrderedDict()

    def _state(self, source: str) -> _Source:
        state = self._sources.get(source)
        if state is None:
            pages = deque(reversed(self.store.recent_pages(source, self.cfg.window)), maxlen=self.cfg.window)
            state = _Source(frozenset(self.store.template_keys(source)), pages, _line_pages(k for _, _, k in pages))
            self._sources[source] = state
            while len(self._sources) > self.cfg.cached_sources:
                self._sources.popitem(last=False)
        self._sources.move_to_end(source)
        return state

    def template(self, source: str | None) -> frozenset[int]:
        return self._state(source).template if source else frozenset()

    def is_evidence(self, source: str | None, group_id: str) -> bool:
        """Whether a page teaches its source's template: not when its group already did."""
        return bool(source) and all(g != group_id for _, g, _ in self._state(source).pages)  # type: ignore[arg-type]

    def add_page(self, source: str, seq: int, group_id: str, keys: LineKeys) -> tuple[set[int], list[int]]:
        """Learn from a page; returns the lines that just became template and the recent
        pages (by seq) that carry them, whose clean text may now be wrong."""
        state = self._state(source)
        if len(state.pages) == state.pages.maxlen:
            _uncount(state.line_pages, state.pages[0][2])  # the append below drops that page
        state.pages.append((seq, group_id, keys))
        lines = keys.tolist()
        state.line_pages.update(lines)
        if not state.checked:
            lines = list(state.line_pages)
        new = recurring_lines(state.line_pages, lines, len(state.pages), self.cfg) - state.template
        state.checked = True
        if not new:
            return set(), []
        state.template = state.template | new
        self.store.add_template_keys(source, new)
        marked = np.fromiter(new, dtype=np.int64)
        return new, [s for s, _, k in state.pages if np.isin(k, marked).any()]

    def forget(self, source: str | None, seq: int) -> None:
        """Drop a deleted or replaced page from the evidence (learned lines stay learned)."""
        state = self._sources.get(source) if source else None
        gone = [p for p in state.pages if p[0] == seq] if state is not None else []
        if state is None or not gone:
            return
        for _, _, keys in gone:
            _uncount(state.line_pages, keys)
        state.pages = deque((p for p in state.pages if p[0] != seq), maxlen=self.cfg.window)
        state.checked = False  # fewer pages may need fewer repeats

    def reset(self) -> None:
        """Forget cached state, e.g. after a rolled-back transaction; it is read again from the store."""
        self._sources.clear()
