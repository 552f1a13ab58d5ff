"""Held-out quality of the shipped models, as rows of ``ops.model_quality``.

The figures are read from the committed metrics next to each artifact (never recomputed at run time):
sentiment on the held-out real comments, topics on the held-out real posts (per topic), institutions and
counties on the same posts. ``jobs.enrich`` merges them for the model versions a run scored with, so a
report can say how far to trust each topic's and each class's counts.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
SENTIMENT_METRICS = ROOT / "sentiment" / "artifacts" / "metrics.json"
TOPICS_METRICS = ROOT / "topics" / "artifacts" / "metrics.json"
ENTITIES_CARD = ROOT / "entities" / "data" / "entities_card.json"

# evaluation ids (see docs/sentiment.md and docs/topics.md for what each set is)
SENTIMENT_EVALUATION = "real_comments_test"  # 264 held-out real comments and tweets about policy topics
TOPICS_EVALUATION = "real_posts_test"  # 888 held-out real posts, 19 topics
ENTITIES_EVALUATION = "real_posts_test"


class QualityError(ValueError):
    """A metrics file lacks a figure the quality table needs."""


def _load(path: Path) -> tuple[dict[str, Any], str, str]:
    data = path.read_bytes()
    name = path.relative_to(ROOT.parent).as_posix() if path.is_relative_to(ROOT.parent) else str(path)
    return json.loads(data), name, hashlib.sha256(data).hexdigest()


def _row(model: str, version: str, evaluation: str, metric: str, label: str, value: Any, support: Any,
         source: tuple[str, str]) -> dict[str, Any]:
    if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise QualityError(f"{source[0]}: {model} {metric} {label} is {value!r}, not a number in [0, 1]")
    return {
        "model": model, "model_version": version, "evaluation": evaluation, "metric": metric, "label": label,
        "value": float(value), "support": None if support is None else int(support),
        "source_file": source[0], "source_sha256": source[1],
    }  # fmt: skip


def sentiment_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """Accuracy, macro-F1 and per-class P/R/F1 on the held-out real comments."""
    metrics, name, sha = _load(path or SENTIMENT_METRICS)
    try:
        version = str(metrics["model_version"])
        held = metrics["held_out"][SENTIMENT_EVALUATION]
        rows = [_row("sentiment", version, SENTIMENT_EVALUATION, m, "all", held[m], held["n"], (name, sha))
                for m in ("accuracy", "macro_f1")]
        for label, per in sorted(held["per_class"].items()):
            rows += [_row("sentiment", version, SENTIMENT_EVALUATION, m, label, per[m], per["support"], (name, sha))
                     for m in ("precision", "recall", "f1")]
    except KeyError as exc:
        raise QualityError(f"{name}: missing {exc}") from None
    return rows


def topics_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """Macro / micro F1, empty-list accuracy and per-topic P/R/F1 on the held-out real posts."""
    metrics, name, sha = _load(path or TOPICS_METRICS)
    try:
        version = str(metrics["model_version"])
        posts, empty = metrics["test_posts"], metrics["test_no_topic_posts"]
        rows = [
            _row("topics", version, TOPICS_EVALUATION, "macro_f1", "all", metrics["test_macro_f1"], posts, (name, sha)),
            _row("topics", version, TOPICS_EVALUATION, "micro_f1", "all", metrics["test_micro_f1"], posts, (name, sha)),
            _row("topics", version, TOPICS_EVALUATION, "empty_list_accuracy", "all", metrics["empty_list_accuracy"],
                 empty, (name, sha)),
        ]
        for topic, per in sorted(metrics["per_topic"].items()):
            rows += [_row("topics", version, TOPICS_EVALUATION, m, topic, per[m], per["support"], (name, sha))
                     for m in ("precision", "recall", "f1")]
    except KeyError as exc:
        raise QualityError(f"{name}: missing {exc}") from None
    return rows


def entities_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """Institution and county P/R/F1 on the held-out real posts."""
    card, name, sha = _load(path or ENTITIES_CARD)
    try:
        version = str(card["gazetteer_version"])
        test = card["test"]
        rows = []
        for label, support_key in (("institutions", "posts_with_institutions"), ("county", "posts_with_county")):
            rows += [_row("entities", version, ENTITIES_EVALUATION, m, label, test[label][m], test[support_key],
                          (name, sha)) for m in ("precision", "recall", "f1")]
    except KeyError as exc:
        raise QualityError(f"{name}: missing {exc}") from None
    return rows


def quality_rows(versions: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows for the models a run scored with (``versions``: the run's ``model_versions``), and a note for each
    model whose committed metrics describe another version (its rows are left out, not mislabelled)."""
    wanted = {
        "sentiment": (versions.get("sentiment_model_version"), sentiment_rows),
        "topics": (versions.get("topic_model_version"), topics_rows),
        "entities": (versions.get("entity_gazetteer_version"), entities_rows),
    }
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for model, (version, build) in wanted.items():
        if not version:
            continue
        found = build()
        if found and found[0]["model_version"] != version:
            notes.append(f"{model}: scored with {version}, but {found[0]['source_file']} describes "
                         f"{found[0]['model_version']}; no quality rows written for it")
            continue
        rows += found
    return rows, notes
