"""Packaging: copy the trained artifact into ``models/sentiment/artifacts`` with a JSON model card."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from models.sentiment.data import SOURCES
from models.sentiment.evaluate import HEADLINE_KEYS, OPTIONAL_HEADLINE_KEYS
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
        rows.append({"name": cand["name"], "architecture": cand.get("architecture", "joint"),
                     "classifier": cand["classifier"], "c": cand["c"], "review_c": cand.get("review_c"),
                     "source_weights": cand["source_weights"], "cv_seconds": row.get("cv_seconds"),
                     **{k: round(v, 4) for k, v in row.get("cv", {}).items()}})
    return rows


def _method(model: SentimentModel) -> dict[str, Any]:
    cand = model.meta.get("candidate") or {}
    heads = [h.name for h in model.heads]
    if model.gate_coef is not None:
        architecture = (f"two linear heads on shared features: '{heads[0]}' (product reviews: LaRoSeDa) and "
                        f"'{heads[1]}' (social posts: SART + RED, and the real training comments when the pool has "
                        "them), each calibrated on its own out-of-fold "
                        "scores; a logistic gate g = P(review-style text | features) mixes them: "
                        "p = g·p_review + (1-g)·p_social. Social posts are routed to the social head.")
    else:
        architecture = "one linear head on all sources, calibrated on out-of-fold scores"
    return {
        "architecture": architecture,
        "heads": heads,
        "classifier": cand.get("classifier"),
        "features": asdict(model.featurizer.config),
        **({"e5_projection": {"weight": model.projection_weight, **model.projection.info,
                              "what": "dense block after the n-grams: lemma/prefix TF-IDF times a ridge map to the "
                                      "first principal components of multilingual-e5-small embeddings, fitted on "
                                      "unlabelled posts only, never on an annotated one (models/sentiment/data/"
                                      "e5_projection.npz); used by the social head and the gate, not by the "
                                      "review head"}}
           if model.projection is not None else {}),
        "normalisation": ("NFC, ş/ţ→ș/ț, lower-case diacritics-free key, placeholders <CNP> <PHONE> <EMAIL> "
                          "<IBAN> <PLATE> <URL> <USER> (also <|EMAIL|>-style) and raw URLs/@users/e-mails as "
                          "tokens, emoji and emoticons mapped to positive/negative/neutral tokens, hashtags "
                          "split off, elongations squeezed, digits→0, negation scope: up to 3 tokens after "
                          "nu/n-/nici/fără/... are prefixed neg_ (ends at punctuation or 'dar'); "
                          "polarity-lexicon tokens xxpolpos/xxpolneg that flip in negation scope"),
        "selected_candidate": cand,
        "calibration": "matrix scaling (multinomial LR on each head's 3 scores) fitted on out-of-fold scores "
                       "of the training pool",
        "no_signal_fallback": {"rule": "no word token and no sentiment emoji/emoticon (e.g. only <URL>)",
                               "probabilities": list(model.no_signal_probs)},
        "cross_validation_metrics_train_dev": model.meta.get("cv_metrics"),
    }


def build_card(model: SentimentModel, artifact: Path, work_dir: Path, metrics: dict[str, Any]) -> dict[str, Any]:
    """Model card contents from the artifact, its metrics and the JSON files written by prepare/train."""
    def read(name: str) -> dict[str, Any]:
        path = work_dir / name
        return json.loads(path.read_text()) if path.is_file() else {}

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
                     "format": "numpy .npz (no pickle): float16 weights of every head and the gate, IDF, "
                               "calibration matrices, JSON meta"
                               + ("; the e5 projection's vocabularies, IDF and float16 map (format 4)"
                                  if model.projection is not None else "")},
        "licence": ("CC BY-NC-SA 4.0, inherited from LaRoSeDa (training data): non-commercial use only, "
                    "derivatives must be shared alike; SART is CC0 1.0 and RED v1 is MIT"),
        "headline_metrics": {**{key: metrics.get(key) for key in HEADLINE_KEYS},
                             **{key: metrics[key] for key in OPTIONAL_HEADLINE_KEYS if key in metrics}},
        "targets": metrics.get("targets"),
        # only the sources this run's splits hold (a --pseudo or --civic-train source the run did not use
        # would read as training data)
        "training_data": {"sources": {name: info for name, info in SOURCES.items()
                                      if not summary or any(name in split for split in summary.values())},
                          "split_counts": summary,
                          "held_out_never_trained_on": ["LaRoSeDa official test (laroseda_test.json)",
                                                        "SART val", "RED v1 test",
                                                        "civic-style posts, split test "
                                                        "(models/sentiment/data/civic_posts.jsonl)",
                                                        "real comments and tweets about policy topics "
                                                        "(models/sentiment/data/real_comments.jsonl; texts "
                                                        "from the topics annotations' test split)",
                                                        "200 further real posts of that split, labelled after "
                                                        "2.4.0 was chosen "
                                                        "(models/sentiment/data/real_comments_fresh.jsonl)"],
                          "model_selection": "k-fold cross-validation on train+dev only; the held-out splits "
                                             "are read only by the evaluate step"},
        "method": _method(model),
        "comparison_cv": {"selection_metric": comparison.get("selection_metric"),
                          "folds": comparison.get("folds"), "selected": comparison.get("selected"),
                          "candidates": _comparison_table(comparison), "other_approaches": extra},
        "held_out_metrics": metrics.get("held_out", {}),
        "gate_share_routed_to_review_head": metrics.get("gate_share_routed_to_review_head"),
        "throughput": {"social_posts": metrics.get("throughput_social_posts"),
                       "reviews": metrics.get("throughput_reviews")},
        "limitations": [
            "Neutral examples come from tweets (SART, RED) and the real training comments; reviews have no "
            "neutral class, so a text the gate sends to the review head is rarely labelled neutral.",
            "Bag of n-grams: sarcasm, irony and long-range context are not modelled.",
            "Negation is handled by a 3-token scope and a ~200-word polarity lexicon; longer-range or "
            "implicit negation and sarcasm are not.",
            "LaRoSeDa test is scored with title + content; without the title accuracy drops (see "
            "laroseda_test_content_only).",
            "Trained mostly on tweets and product reviews; real comments about public policy are a small part "
            "of the pool (see the real_train source in training_data): expect lower accuracy on public-policy "
            "talk (see real_comments_test, real_comments_fresh_test and civic_test in held_out_metrics).",
            "On real comments about policy topics the weak class is neutral: factual or argumentative posts "
            "are often scored negative.",
            *(["With the e5 projection block some factual complaints without a sentiment word are scored neutral, "
               "the way SART labels news-style tweets (see civic_test in held_out_metrics)."]
              if model.projection is not None else []),
        ],
    }


def package(work_dir: Path, artifact_dir: Path = ARTIFACT_DIR) -> dict[str, Any]:
    """Write ``artifact_dir/model_card.json`` for ``artifact_dir/sentiment.npz`` and its metrics.

    The metrics are ``artifact_dir/metrics.json`` (else ``work_dir/metrics.json``) and must have been
    computed on this very artifact (same SHA-256). An artifact left in ``work_dir/model.npz`` by an
    older run is copied in first when ``artifact_dir`` has none.
    """
    target = artifact_dir / ARTIFACT_NAME
    if not target.is_file():
        legacy = work_dir / "model.npz"
        if not legacy.is_file():
            raise FileNotFoundError(f"{target} not found: run `python -m models.sentiment train` first")
        artifact_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(legacy, target)
    if target.stat().st_size > SIZE_BUDGET_BYTES:
        raise ValueError(f"{target} is {target.stat().st_size} bytes, over the 50 MB budget")
    metrics_path = artifact_dir / "metrics.json"
    if not metrics_path.is_file():
        metrics_path = work_dir / "metrics.json"
    if not metrics_path.is_file():
        raise FileNotFoundError(f"no metrics.json in {artifact_dir} or {work_dir}: run `evaluate` first")
    metrics = json.loads(metrics_path.read_text())
    digest = sha256_of(target)
    if metrics.get("artifact_sha256") != digest:
        raise FileNotFoundError(f"{metrics_path} was computed on another artifact (sha256 "
                                f"{metrics.get('artifact_sha256')} != {digest}): run `evaluate` again")
    model = SentimentModel.load(target)
    card = build_card(model, target, work_dir, metrics)
    (artifact_dir / CARD_NAME).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    return card
