"""Held-out quality of the shipped models, as rows of ``ops.model_quality``.

The figures are read from the committed metrics next to each artifact (never recomputed at run time):
sentiment on the held-out real comments, topics on the held-out real posts (per topic), institutions and
counties on the same posts. ``jobs.enrich`` merges them for the model versions a run scored with, so a
report can say how far to trust each topic's and each class's counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
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


Figures = tuple[str, list[tuple[str, Any, Any]], list[tuple[str, dict[str, Any], Any]]]


def _build(model: str, evaluation: str, path: Path, read: Callable[[dict[str, Any]], Figures]) -> list[dict[str, Any]]:
    """Rows of one metrics file: ``read`` returns (version, whole-model (metric, value, support) triples,
    per-label (label, {precision, recall, f1}, support) triples); a missing key is a :class:`QualityError`."""
    data, name, sha = _load(path)
    try:
        version, whole, per_label = read(data)
        rows = [_row(model, version, evaluation, metric, "all", value, support, (name, sha))
                for metric, value, support in whole]
        for label, per, support in per_label:
            rows += [_row(model, version, evaluation, m, label, per[m], support, (name, sha))
                     for m in ("precision", "recall", "f1")]
    except KeyError as exc:
        raise QualityError(f"{name}: missing {exc}") from None
    return rows


def sentiment_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """Accuracy, macro-F1 and per-class P/R/F1 on the held-out real comments."""
    def read(metrics: dict[str, Any]) -> Figures:
        held = metrics["held_out"][SENTIMENT_EVALUATION]
        return (str(metrics["model_version"]), [(m, held[m], held["n"]) for m in ("accuracy", "macro_f1")],
                [(label, per, per["support"]) for label, per in sorted(held["per_class"].items())])

    return _build("sentiment", SENTIMENT_EVALUATION, path or SENTIMENT_METRICS, read)


def topics_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """Macro / micro F1, empty-list accuracy and per-topic P/R/F1 on the held-out real posts."""
    def read(metrics: dict[str, Any]) -> Figures:
        posts = metrics["test_posts"]
        whole = [("macro_f1", metrics["test_macro_f1"], posts), ("micro_f1", metrics["test_micro_f1"], posts),
                 ("empty_list_accuracy", metrics["empty_list_accuracy"], metrics["test_no_topic_posts"])]
        return (str(metrics["model_version"]), whole,
                [(topic, per, per["support"]) for topic, per in sorted(metrics["per_topic"].items())])

    return _build("topics", TOPICS_EVALUATION, path or TOPICS_METRICS, read)


def entities_rows(path: Path | None = None) -> list[dict[str, Any]]:
    """Institution and county P/R/F1 on the held-out real posts."""
    def read(card: dict[str, Any]) -> Figures:
        test = card["test"]
        return (str(card["gazetteer_version"]), [],
                [(label, test[label], test[f"posts_with_{label}"]) for label in ("institutions", "county")])

    return _build("entities", ENTITIES_EVALUATION, path or ENTITIES_CARD, read)


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
