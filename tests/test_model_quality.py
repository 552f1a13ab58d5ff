"""models.quality: the held-out figures of the shipped models as ops.model_quality rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.quality import (
    ENTITIES_CARD,
    SENTIMENT_METRICS,
    TOPICS_METRICS,
    QualityError,
    entities_rows,
    quality_rows,
    sentiment_rows,
    topics_rows,
)
from schemas.ops import MODEL_QUALITY


def test_rows_repeat_the_committed_metrics_and_fit_the_contract() -> None:
    sentiment = json.loads(SENTIMENT_METRICS.read_text(encoding="utf-8"))
    topics = json.loads(TOPICS_METRICS.read_text(encoding="utf-8"))
    card = json.loads(ENTITIES_CARD.read_text(encoding="utf-8"))
    rows, notes = quality_rows({
        "sentiment_model_version": sentiment["model_version"], "topic_model_version": topics["model_version"],
        "entity_gazetteer_version": card["gazetteer_version"],
    })  # fmt: skip
    assert notes == [] and set(rows[0]) == set(MODEL_QUALITY.columns)
    keys = [tuple(r[k] for k in MODEL_QUALITY.keys) for r in rows]
    assert len(keys) == len(set(keys)) == 2 + 3 * 3 + 3 + 3 * 19 + 2 * 3
    value = {k: r["value"] for k, r in zip(keys, rows, strict=True)}
    held = sentiment["held_out"]["real_comments_test"]
    assert value[("sentiment", sentiment["model_version"], "real_comments_test", "macro_f1", "all")] == held["macro_f1"]
    assert value[("sentiment", sentiment["model_version"], "real_comments_test", "recall", "neutral")] == (
        held["per_class"]["neutral"]["recall"])
    version = topics["model_version"]
    assert value[("topics", version, "real_posts_test", "macro_f1", "all")] == topics["test_macro_f1"]
    for topic, per in topics["per_topic"].items():
        assert value[("topics", version, "real_posts_test", "f1", topic)] == per["f1"]
    assert value[("entities", card["gazetteer_version"], "real_posts_test", "precision", "institutions")] == (
        card["test"]["institutions"]["precision"])
    assert all(0.0 <= r["value"] <= 1.0 and len(r["source_sha256"]) == 64 for r in rows)
    assert {r["source_file"] for r in rows} == {
        "models/sentiment/artifacts/metrics.json", "models/topics/artifacts/metrics.json",
        "models/entities/data/entities_card.json"}  # fmt: skip


def test_a_model_the_run_did_not_use_or_whose_metrics_describe_another_version_gets_no_rows() -> None:
    topics = json.loads(TOPICS_METRICS.read_text(encoding="utf-8"))
    rows, notes = quality_rows({"topic_model_version": topics["model_version"]})
    assert {r["model"] for r in rows} == {"topics"} and notes == []
    rows, notes = quality_rows({"topic_model_version": "topics-9.9.9"})
    assert rows == [] and notes == [
        f"topics: scored with topics-9.9.9, but models/topics/artifacts/metrics.json describes "
        f"{topics['model_version']}; no quality rows written for it"
    ]
    assert quality_rows({}) == ([], [])


def test_a_broken_metrics_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import models.quality as quality

    monkeypatch.setattr(quality, "ROOT", tmp_path)  # source names are relative to ROOT's parent
    topics = json.loads(TOPICS_METRICS.read_text(encoding="utf-8"))
    bad = tmp_path / "topics" / "metrics.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps({**topics, "test_macro_f1": 1.7}), encoding="utf-8")
    with pytest.raises(QualityError, match=r"metrics.json: topics macro_f1 all is 1.7, not a number in \[0, 1\]"):
        topics_rows(bad)
    del topics["per_topic"]
    bad.write_text(json.dumps(topics), encoding="utf-8")
    with pytest.raises(QualityError, match="missing 'per_topic'"):
        topics_rows(bad)
    empty = tmp_path / "card.json"
    empty.write_text("{}", encoding="utf-8")
    for build in (sentiment_rows, entities_rows):
        with pytest.raises(QualityError, match="missing"):
            build(empty)
