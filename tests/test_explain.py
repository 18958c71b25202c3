"""The evidence /compare shows: passages two texts share and the words their story cosine rests on."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from app.explain import ELLIPSIS, shared_passages, shared_words, term_words
from app.stories import Vector, cosine
from app.text.shingle import shingle_hashes

WORDS = [
    "the",
    "ministers",
    "met",
    "in",
    "moscow",
    "on",
    "monday",
    "to",
    "discuss",
    "a",
    "ceasefire",
    "and",
    "agreed",
    "to",
    "keep",
    "working",
]


def test_passages_are_the_shared_runs_longest_first() -> None:
    mine = ["intro", "words", *WORDS[:6], "changed", *WORDS[6:], "closing"]
    theirs = ["other", "site", "menu", *WORDS, "footer"]
    passages = shared_passages(mine, shingle_hashes(theirs, 3), 3, limit=5, max_words=50)
    assert passages == [" ".join(WORDS[6:]), " ".join(WORDS[:6])]


def test_passages_are_limited_in_number_and_cut_in_length() -> None:
    mine = [*WORDS[:6], "x", *WORDS[6:12], "y", *WORDS[12:]]
    passages = shared_passages(mine, shingle_hashes(WORDS, 3), 3, limit=1, max_words=4)
    assert passages == [" ".join(WORDS[:4]) + " " + ELLIPSIS]


def test_no_passage_when_nothing_is_shared() -> None:
    assert shared_passages(WORDS, shingle_hashes(["something", "else", "entirely"], 3), 3, 5, 50) == []
    assert shared_passages([], shingle_hashes(WORDS, 3), 3, 5, 50) == []


def test_a_text_shorter_than_a_shingle_is_one_passage() -> None:
    assert shared_passages(["two", "words"], shingle_hashes(["two", "words"], 5), 5, 5, 50) == ["two words"]


def vector(weights: dict[str, float]) -> Vector:
    """A story vector of these words and weights, keyed as the service keys words."""
    by_term = {term: weights[word] for term, word in term_words([list(weights)]).items()}
    terms = sorted(by_term)
    return Vector(np.array(terms, dtype=np.uint32), np.array([by_term[t] for t in terms], dtype=np.float32))


@given(
    st.dictionaries(st.sampled_from(WORDS), st.floats(0.1, 5.0), min_size=1),
    st.dictionaries(st.sampled_from(WORDS), st.floats(0.1, 5.0), min_size=1),
)
def test_shared_words_add_up_to_the_cosine(a_words: dict[str, float], b_words: dict[str, float]) -> None:
    a, b = vector(a_words), vector(b_words)
    found = shared_words(a, b, term_words([WORDS]), limit=len(WORDS))
    assert {w for w, _ in found} == a_words.keys() & b_words.keys()
    assert abs(sum(v for _, v in found) - cosine(a, b)) < 1e-5
    assert [v for _, v in found] == sorted((v for _, v in found), reverse=True)


def test_shared_words_keep_the_largest_and_name_unknown_terms_by_hash() -> None:
    a = vector({"moscow": 3.0, "ceasefire": 2.0, "monday": 0.5})
    b = vector({"moscow": 3.0, "ceasefire": 2.0, "monday": 0.5})
    top = shared_words(a, b, term_words([["moscow", "monday"]]), limit=2)
    assert top[0][0] == "moscow" and top[1][0].startswith("#")
