"""The benchmark stream: deterministic from its seed, unique ids, lazy, near-duplicate re-posts."""

from __future__ import annotations

import itertools
import json
import random
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from types import GeneratorType

import pytest

from bench.corpus import RIYADH, BaseArticle, load_saudinewsnet
from bench.edits import EDITS, light_edit, sentences
from bench.paths import saudinewsnet_dir
from bench.stream import ArticleStream

ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
TEXT = "الجملة الأولى عن الاجتماع في 2015. الجملة الثانية عن 43 مشاركا!\n\nفقرة ثالثة هنا؟ وأخيرة"


def make_base(count: int = 7) -> list[BaseArticle]:
    start = datetime(2015, 7, 21, 8, 0, tzinfo=RIYADH)
    return [
        BaseArticle(
            source=f"s{k % 3}",
            url=f"http://example.com/{k}",
            title=f"عنوان {k}",
            published=start + timedelta(days=k),
            content=f"{TEXT} رقم {k}. " + " ".join(f"كلمة{k}{j}." for j in range(20)),
        )
        for k in range(count)
    ]


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    a, b, c = ArticleStream(make_base(), 1), ArticleStream(make_base(), 1), ArticleStream(make_base(), 2)
    assert list(a.iter(0, 30)) == list(b.iter(0, 30))
    assert list(a.iter(0, 30)) != list(c.iter(0, 30))


def test_random_access_equals_iteration_order() -> None:
    stream = ArticleStream(make_base(), 3)
    in_order = list(stream.iter(0, 25))
    assert [stream.article(i) for i in (24, 3, 17, 0)] == [in_order[i] for i in (24, 3, 17, 0)]
    assert ArticleStream(make_base(), 3).article(18) == in_order[18]  # no state carried between calls


def test_ids_are_unique_and_valid_over_many_passes() -> None:
    ids = [post["id"] for post in ArticleStream(make_base(), 1).iter(0, 7 * 12)]
    assert len(set(ids)) == len(ids)
    assert all(ID_PATTERN.match(i) for i in ids)


def test_each_pass_posts_every_base_article_once() -> None:
    base = make_base()
    stream = ArticleStream(base, 5)
    for epoch in range(3):
        sources = [stream.source_of(epoch * len(base) + k)[1] for k in range(len(base))]
        assert sorted(s.url for s in sources) == sorted(b.url for b in base)


def test_first_pass_is_original_later_passes_are_edited_later_copies() -> None:
    base = make_base()
    stream = ArticleStream(base, 1)
    originals = {b.content for b in base}
    first = list(stream.iter(0, len(base)))
    assert all(post["text"] in originals for post in first)
    later = stream.article(len(base) * 2 + 1)
    _, source = stream.source_of(len(base) * 2 + 1)
    assert later["text"] != source.content
    words, source_words = set(later["text"].split()), set(source.content.split())
    assert len(words & source_words) / len(words | source_words) > 0.6
    assert datetime.fromisoformat(later["published_at"]) == source.published + 2 * stream.span


def test_stream_is_lazy() -> None:
    stream = ArticleStream(make_base(), 1)
    iterator = stream.iter(0, 10**12)
    assert isinstance(iterator, GeneratorType)
    assert len(list(itertools.islice(iterator, 5))) == 5
    batches = stream.batches(0, 10**12, 4)
    assert [len(b) for b in itertools.islice(batches, 3)] == [4, 4, 4]
    assert stream.article(999_999)["id"].endswith("-00999999")


def test_batches_cover_the_range_exactly() -> None:
    stream = ArticleStream(make_base(), 1)
    batches = list(stream.batches(3, 20, 5))
    assert [len(b) for b in batches] == [5, 5, 5, 2]
    assert [p["id"] for b in batches for p in b] == [stream.article_id(i) for i in range(3, 20)]


@pytest.mark.parametrize("text", [TEXT, "بلا نقطة", "", "a. b. c.\n\nd"])
def test_sentences_join_back(text: str) -> None:
    assert "".join(sentences(text)) == text


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__)
def test_each_edit_is_seeded_and_light(edit: object) -> None:
    assert callable(edit)
    first, again = edit(random.Random(4), TEXT), edit(random.Random(4), TEXT)
    assert first == again
    assert abs(len(first) - len(TEXT)) < len(TEXT) // 2


def test_light_edit_changes_the_text() -> None:
    assert all(light_edit(random.Random(k), TEXT) != TEXT for k in range(20))


def test_loads_zips_skipping_empty_content(tmp_path: Path) -> None:
    records = [
        {"source": "sabq", "url": "http://sabq.org/1", "date_extracted": "2015-08-01 10:00:00",
         "title": "t", "author": "a", "content": "نص المقال."},
        {"source": "okaz", "url": "http://okaz.com/2", "date_extracted": "bad", "title": "", "author": "",
         "content": "   "},
    ]  # fmt: skip
    with zipfile.ZipFile(tmp_path / "2015-08-01.zip", "w") as archive:
        archive.writestr("2015-08-01.json", json.dumps(records, ensure_ascii=False))
    [article] = load_saudinewsnet(tmp_path)
    assert article.source == "sabq" and article.published == datetime(2015, 8, 1, 10, tzinfo=RIYADH)


def test_real_corpus_first_day_when_present() -> None:
    folder = saudinewsnet_dir()
    if not any(folder.glob("*.zip")):
        pytest.skip(f"SaudiNewsNet not found in {folder}")
    base = load_saudinewsnet(folder, max_files=1)
    stream = ArticleStream(base, 1)
    ids = [post["id"] for post in stream.iter(0, 2 * len(base) + 10)]
    assert len(set(ids)) == len(ids) and len(base) > 1000
