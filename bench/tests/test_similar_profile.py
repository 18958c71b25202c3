"""The similar profiler times each step without changing the answers it times."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.main import open_engine
from app.settings import Settings
from bench.corpus import BaseArticle
from bench.profile import ingest_range
from bench.similar_profile import STEPS, measure, queries, report
from bench.stream import ArticleStream
from bench.tests.test_stream_gen import make_base


def long_base(count: int) -> list[BaseArticle]:
    """Articles long enough for an edited copy to stay a near-duplicate."""
    return [
        replace(a, content=" ".join(f"{a.content} الفقرة {p} عن الخبر {k} والموضوع {p * k}." for p in range(12)))
        for k, a in enumerate(make_base(count))
    ]


def test_steps_are_timed_and_answers_unchanged(tmp_path: Path) -> None:
    stream = ArticleStream(long_base(8), seed=3)
    engine = open_engine(Settings(data_dir=tmp_path, prepare_workers=0))
    try:
        ingest_range(engine, stream, 0, 24)  # three passes: each article and two edited copies
        inputs = queries(stream, 24, 6, seed=1)
        before = [engine.similar(article, 100) for article in inputs]
        rows = measure(engine, inputs, 100)
        after = [engine.similar(article, 100) for article in inputs]
    finally:
        engine.store.close()
    assert after == before
    assert "prepare_many" not in vars(engine)  # the wrapping is gone
    assert len(rows) == len(inputs)
    assert [listed for _seconds, listed, _steps in rows] == [len(r.duplicates) for r in before]
    assert all(listed >= 1 for _seconds, listed, _steps in rows)  # a copy finds the stored copies
    for seconds, _listed, steps in rows:
        assert steps["prepare"] > 0 and steps["verify"] > 0
        assert sum(steps[label] for label in ("prepare", "index query", "verify")) <= seconds
    lines = report(rows)
    for label, _owner, _method in STEPS:
        assert any(line.strip().startswith(label) for line in lines)
