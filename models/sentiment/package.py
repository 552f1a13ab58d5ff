"""Packaging: copy the trained artifact into ``models/sentiment/artifacts`` with a JSON model card."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from models.sentiment.data import SOURCES
from models.sentiment.model import SentimentModel

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
ARTIFACT_NAME = "sentiment.npz"
CARD_NAME = "model_card.json"
SIZE_BUDGET_BYTES = 50 * 1024 * 1024


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _comparison_table(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in comparison.get("candidates", []):
        cand = row["candidate"]
        rows.append({"name": cand["name"], "classifier": cand["classifier"], "c": cand["c"],
                     "source_weights": cand["source_weights"], "fit_seconds": row["fit_seconds"],
                     **{k: round(v, 4) for k, v in row["dev"].items()}})
    return rows


def build_card(model: SentimentModel, artifact: Path, work_dir: Path) -> dict[str, Any]:
    """Model card contents from the artifact and the JSON files written by prepare/train/evaluate."""
    def read(name: str) -> dict[str, Any]:
        path = work_dir / name
        return json.loads(path.read_text()) if path.is_file() else {}

    metrics = read("metrics.json")
    comparison = read("comparison.json")
    extra = read("extra_comparisons.json")
    summary = read("data/summary.json")
    return {
        "name": "civic-pulse-sentiment-ro",
        "version": model.version,
        "labels": list(model.labels),
        "task": "3-class sentiment (negative/neutral/positive) of Romanian social posts, calibrated "
                "probabilities",
        "artifact": {"file": artifact.name, "sha256": sha256_of(artifact), "bytes": artifact.stat().st_size,
                     "format": "numpy .npz (no pickle): float16 weights, IDF, calibration matrix, JSON meta"},
        "licence": ("CC BY-NC-SA 4.0, inherited from LaRoSeDa (training data): non-commercial use only, "
                    "derivatives must be shared alike; SART is CC0 1.0 and RED v1 is MIT"),
        "training_data": {"sources": SOURCES, "split_counts": summary,
                          "held_out_never_trained_on": ["LaRoSeDa official test (laroseda_test.json)",
                                                        "SART val", "RED v1 test"]},
        "method": {
            "features": model.featurizer.config.__dict__,
            "normalisation": ("NFC, ş/ţ→ș/ț, lower-case diacritics-free key, placeholders <CNP> <PHONE> "
                              "<EMAIL> "
                              "<IBAN> <PLATE> <URL> <USER> and raw URLs/@users/e-mails as tokens, emoji and "
                              "emoticons mapped to positive/negative/neutral tokens, hashtags split off, "
                              "elongations squeezed, digits→0, negation scope: up to 3 tokens after "
                              "nu/n-/nici/fără/... are prefixed neg_ (ends at punctuation or 'dar'); "
                              "optional polarity-lexicon tokens xxpolpos/xxpolneg that flip in negation "
                              "scope (the flipped word is replaced by its token in the char stream)"),
            "selected_candidate": model.meta.get("candidate"),
            "calibration": "matrix scaling (multinomial LR on the 3 scores) fitted on out-of-fold scores",
            "no_signal_fallback": {"rule": "no word token and no sentiment emoji/emoticon (e.g. only <URL>)",
                                   "probabilities": list(model.no_signal_probs)},
            "out_of_fold_metrics_train_dev": model.meta.get("oof_metrics"),
        },
        "comparison_on_dev": {"selection_metric": comparison.get("selection_metric"),
                              "selected": comparison.get("selected"),
                              "candidates": _comparison_table(comparison), "other_approaches": extra},
        "held_out_metrics": metrics.get("held_out", {}),
        "throughput": {"social_posts": metrics.get("throughput_social_posts"),
                       "reviews": metrics.get("throughput_reviews")},
        "limitations": [
            "Neutral examples come only from tweets (SART, RED); reviews have no neutral class.",
            "Bag of n-grams: sarcasm, irony and long-range context are not modelled.",
            "Negation is handled by a 3-token scope and a ~200-word polarity lexicon; longer-range or "
            "implicit negation and sarcasm are not.",
            "LaRoSeDa test is scored with title + content; without the title accuracy drops (see "
            "laroseda_test_content_only).",
            "Trained on tweets and product reviews, not on civic posts: expect lower accuracy on "
            "public-policy talk; validate on annotated project data.",
        ],
    }


def package(work_dir: Path, artifact_dir: Path = ARTIFACT_DIR) -> dict[str, Any]:
    """Copy ``work_dir/model.npz`` to ``artifact_dir`` and write the model card next to it."""
    source = work_dir / "model.npz"
    if not source.is_file():
        raise FileNotFoundError(f"{source} not found: run `python -m models.sentiment train` first")
    artifact_dir.mkdir(parents=True, exist_ok=True)
    target = artifact_dir / ARTIFACT_NAME
    shutil.copyfile(source, target)
    if target.stat().st_size > SIZE_BUDGET_BYTES:
        raise ValueError(f"{target} is {target.stat().st_size} bytes, over the 50 MB budget")
    model = SentimentModel.load(target)
    card = build_card(model, target, work_dir)
    (artifact_dir / CARD_NAME).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    return card
