"""py3langid's classifier with its per-byte Python loop done in numpy: the same answer, faster.

py3langid finds its byte n-gram features by walking a DFA (an Aho-Corasick automaton) one
byte at a time in Python, then scores them against a float16 table. Both steps dominated the
service's ingest profile. Here:

- The walk is vectorised. In an Aho-Corasick automaton the state after a byte is the longest
  suffix of the text so far that is a prefix of some feature, so it depends only on the last
  ``WINDOW`` bytes when no feature is longer than that. Walking every window from the start
  state is then ``WINDOW`` gathers over all positions at once, with the same states.
- The rows of the scoring table that a text uses are widened to float32 (exact) the first
  time they are needed, so the product runs in BLAS instead of numpy's casting loop. The
  float32 table is allocated zeroed, so only the pages of rows in use become resident (news
  in one or two languages touches a fifth of its 57 MB).

Features are summed in the order the library sums them (first occurrence), so the scores are
equal bit for bit; tests compare :func:`classify` with ``py3langid.classify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import py3langid
from py3langid.langid import RAW_FLOOR, LanguageIdentifier

# Longest feature of py3langid's model, in bytes: the depth of its automaton (tested).
WINDOW = 6


@dataclass(frozen=True)
class _Model:
    next_state: npt.NDArray[np.uint32]  # next_state[row_base[state] + byte]
    row_base: npt.NDArray[np.int64]
    feature: npt.NDArray[np.int64]  # feature counted on entering a state, -1 for none
    half_table: npt.NDArray[np.float16]  # log P(feature | language), one row per feature
    table: npt.NDArray[np.float32]  # the same, widened row by row as rows are first used
    widened: npt.NDArray[np.bool_]
    prior: npt.NDArray[np.float32]
    languages: list[str]
    aliases: list[tuple[int, int]]  # columns of one label (kept first, folded second)


@cache
def model() -> _Model:
    """py3langid's default model, in arrays (loaded once per process)."""
    ident = py3langid.langid._get_identifier()
    return _Model(
        next_state=np.asarray(ident.tk_nextmove).astype(np.uint32),  # 2- or 4-byte entries by model size
        row_base=np.asarray(ident._rowbase, dtype=np.int64),
        feature=np.asarray(ident.tk_output, dtype=np.int64),
        half_table=np.asarray(ident.nb_ptc, dtype=np.float16),
        table=np.zeros(ident.nb_ptc.shape, dtype=np.float32),
        widened=np.zeros(len(ident.nb_ptc), dtype=bool),
        prior=np.asarray(ident.nb_pc, dtype=np.float32),
        languages=list(ident.nb_classes),
        aliases=list(ident._alias_pairs),
    )


def automaton_states(m: _Model, data: bytes) -> npt.NDArray[np.int64]:
    """The automaton's state after each byte of ``data``, as the library's walk reaches them."""
    text = np.frombuffer(data, dtype=np.uint8)
    n = len(text)
    states = np.zeros(n, dtype=np.int64)
    for step in range(WINDOW):
        skip = WINDOW - 1 - step  # the first positions have shorter windows: they wait
        if skip < n:
            states[skip:] = m.next_state[m.row_base[states[skip:]] + text[: n - skip]]
    return states


def feature_counts(m: _Model, data: bytes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Features found in ``data`` and how often, in order of first occurrence."""
    found = m.feature[automaton_states(m, data)]
    found = found[found >= 0]
    n = len(found)
    if n == 0:
        return found, np.zeros(0, dtype=np.float32)
    # Two plain sorts of packed keys, not stable argsorts: on SaudiNewsNet samples (1,850
    # features found) counting took 165 us after the walk, 96 of them in a stable argsort of
    # int64, and takes 92 so. A key packs a feature (< 2^17) above a position (< 2^bits): it fits
    # an int64 for any text. First (feature, position): each feature's occurrences together.
    bits = n.bit_length()
    by_feature = (found << bits) | np.arange(n)
    by_feature.sort()
    features = by_feature >> bits
    starts = np.flatnonzero(np.concatenate(([True], features[1:] != features[:-1])))
    counts = np.diff(np.append(starts, n))
    # Then (first position, index among the distinct features): the library's order.
    distinct = len(starts)
    index_bits = distinct.bit_length()
    by_first = ((by_feature[starts] & ((1 << bits) - 1)) << index_bits) | np.arange(distinct)
    by_first.sort()
    order = by_first & ((1 << index_bits) - 1)
    return features[starts][order], counts[order].astype(np.float32)


def table_rows(m: _Model, features: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """The float32 table rows of these features, widening those not used before."""
    fresh = features[~m.widened[features]]
    if len(fresh):
        m.table[fresh] = m.half_table[fresh]
        m.widened[fresh] = True  # after the rows: a concurrent reader at worst widens them again
    return m.table[features]


def classify(text: str) -> str:
    """The language py3langid's ``classify`` names for ``text``."""
    m = model()
    data = LanguageIdentifier._encode(text)
    features, counts = feature_counts(m, data)
    if len(features):
        scores = np.log1p(counts) @ table_rows(m, features) + m.prior
    else:
        scores = np.full(len(m.languages), RAW_FLOOR, dtype=np.float32)
    for kept, folded in m.aliases:
        scores[kept] = max(scores[kept], scores[folded])
        scores[folded] = RAW_FLOOR
    return m.languages[int(scores.argmax())]
