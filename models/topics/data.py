"""Annotated data, weak supervision from seed lemmas, and evaluation metrics."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.topics.taxonomy import TOPIC_IDS, SeedMatcher
from models.topics.text import fold

ANNOTATIONS = Path(__file__).parent / "data" / "annotations.jsonl"
SPLITS = ("train", "test", "test_synthetic")


@dataclass
class Example:
    """One annotated post."""

    id: str
    text: str
    labels: list[str]
    split: str
    source: str
    synthetic: bool
    institutions: list[str]
    county: str | None
    pool: str = ""


def load_annotations(path: Path = ANNOTATIONS) -> list[Example]:
    """Read and validate the annotation file (unknown topic ids or splits raise ``ValueError``)."""
    out: list[Example] = []
    known = set(TOPIC_IDS)
    seen: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            row: dict[str, Any] = json.loads(line)
            bad = set(row["labels"]) - known
            if bad:
                raise ValueError(f"{path}:{n}: unknown topic ids {sorted(bad)}")
            if row["split"] not in SPLITS:
                raise ValueError(f"{path}:{n}: unknown split {row['split']!r}")
            if row["id"] in seen:
                raise ValueError(f"{path}:{n}: duplicate id {row['id']}")
            seen.add(row["id"])
            out.append(
                Example(
                    row["id"], row["text"], list(row["labels"]), row["split"], row["source"],
                    bool(row["synthetic"]), list(row.get("institutions", [])), row.get("county"),
                    str(row.get("pool", "")),
                )
            )
    return out


def label_matrix(labels: list[list[str]], topic_ids: list[str] = TOPIC_IDS) -> np.ndarray:
    """Binary (n, topics) indicator matrix."""
    index = {t: k for k, t in enumerate(topic_ids)}
    Y = np.zeros((len(labels), len(topic_ids)), dtype=np.int8)
    for i, labs in enumerate(labels):
        for lab in labs:
            Y[i, index[lab]] = 1
    return Y


def weak_labels(
    texts: list[str],
    matcher: SeedMatcher,
    exclude: set[str],
    min_hits: int = 2,
    per_topic: int = 150,
    negatives: int = 1500,
    seed: int = 0,
) -> tuple[list[str], np.ndarray]:
    """Seed-lemma weak labels for unannotated posts.

    A topic is weakly positive when it gets at least ``min_hits`` seed hits; posts of at least six
    words with no hit at all become weak negatives. ``exclude`` holds folded texts never to use
    (every annotated post, so nothing from the test split leaks in).
    """
    rng = random.Random(seed)
    cand = [t for t in dict.fromkeys(texts) if fold(t) not in exclude and len(t.split()) >= 4]
    rng.shuffle(cand)
    counts = matcher.matrix(cand)
    chosen_pos: dict[int, list[int]] = {k: [] for k in range(matcher.n)}
    neg: list[int] = []
    for i, row in enumerate(counts):
        hits = np.flatnonzero(row >= min_hits)
        if row.sum() == 0 and len(cand[i].split()) >= 6 and len(neg) < negatives:
            neg.append(i)
        for k in hits:
            if len(chosen_pos[int(k)]) < per_topic:
                chosen_pos[int(k)].append(i)
    keep = sorted({i for ids in chosen_pos.values() for i in ids} | set(neg))
    Y = (counts[keep] >= min_hits).astype(np.int8)
    return [cand[i] for i in keep], Y


def prf(pred: np.ndarray, gold: np.ndarray) -> dict[str, Any]:
    """Per-topic precision/recall/F1/support, micro and macro F1, empty-list accuracy."""
    per: dict[str, dict[str, float]] = {}
    f1s: list[float] = []
    for k, topic in enumerate(TOPIC_IDS):
        p, g = pred[:, k].astype(bool), gold[:, k].astype(bool)
        tp, fp, fn = int((p & g).sum()), int((p & ~g).sum()), int((~p & g).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[topic] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                      "support": int(g.sum()), "predicted": int(p.sum())}
        if g.sum():
            f1s.append(f1)
    tp = int((pred.astype(bool) & gold.astype(bool)).sum())
    micro_p = tp / max(int(pred.sum()), 1)
    micro_r = tp / max(int(gold.sum()), 1)
    micro = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    empty_gold = gold.sum(1) == 0
    empty_pred = pred.sum(1) == 0
    return {
        "n_posts": int(len(gold)),
        "macro_f1": round(float(np.mean(f1s)) if f1s else 0.0, 4),
        "macro_f1_topics_with_support": len(f1s),
        "micro_precision": round(micro_p, 4),
        "micro_recall": round(micro_r, 4),
        "micro_f1": round(micro, 4),
        "exact_match": round(float((pred == gold).all(1).mean()), 4) if len(gold) else 0.0,
        "empty_list_accuracy": round(float(empty_pred[empty_gold].mean()), 4) if empty_gold.any() else None,
        "n_no_topic_posts": int(empty_gold.sum()),
        "per_topic": per,
    }
