"""Annotated data, weak supervision from seed lemmas, and evaluation metrics."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.topics.taxonomy import TOPIC_IDS, SeedMatcher
from models.topics.text import fold

ANNOTATIONS = Path(__file__).parent / "data" / "annotations.jsonl"
# rounds 9-11 (training posts only, labelled or written by blind sessions; docs/topics.md): kept, but not used by
# default, because no model trained with them beat topics-2.3.0 on the held-out split
EXTRA_ANNOTATIONS = Path(__file__).parent / "data" / "annotations_extra.jsonl"
EXTRA_ROUNDS_ENV = "CIVIC_PULSE_TOPICS_EXTRA_ROUNDS"
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
    entities_annotated: bool = True  # False for rounds 9-11: topic labels only


EXTRA_ROUNDS = (9, 10, 11)


def extra_rounds_enabled() -> tuple[int, ...]:
    """The extra rounds training reads too: ``--extra-rounds 9,11`` or the environment variable (none by default)."""
    value = os.environ.get(EXTRA_ROUNDS_ENV, "").strip()
    return parse_rounds(value) if value else ()


def parse_rounds(value: str) -> tuple[int, ...]:
    """``"9,11"`` -> ``(9, 11)``; a round that :data:`EXTRA_ANNOTATIONS` does not hold raises ``ValueError``."""
    try:
        rounds = tuple(sorted({int(part) for part in value.split(",") if part.strip()}))
    except ValueError:
        raise ValueError(f"extra rounds must be comma-separated numbers from {EXTRA_ROUNDS}, got {value!r}") from None
    if not rounds or not set(rounds) <= set(EXTRA_ROUNDS):
        raise ValueError(f"extra rounds must be comma-separated numbers from {EXTRA_ROUNDS}, got {value!r}")
    return rounds


def load_annotations(path: Path = ANNOTATIONS, extra: tuple[int, ...] | None = None) -> list[Example]:
    """Read and validate the annotation file (unknown topic ids or splits raise ``ValueError``).

    ``extra`` (default: :func:`extra_rounds_enabled`) appends the posts of those rounds from ``EXTRA_ANNOTATIONS``;
    a row there outside the training split, or repeating an id, raises ``ValueError``."""
    out: list[Example] = []
    known = set(TOPIC_IDS)
    seen: set[str] = set()
    _read_annotation_file(path, (), known, seen, out)
    rounds = extra_rounds_enabled() if extra is None else extra
    if rounds:
        _read_annotation_file(EXTRA_ANNOTATIONS, rounds, known, seen, out)
    return out


def _read_annotation_file(path: Path, rounds: tuple[int, ...], known: set[str], seen: set[str],
                          out: list[Example]) -> None:
    """Append the rows of ``path`` (only those of ``rounds`` when given: the extra-rounds file) to ``out``."""
    prefixes = tuple(f"round {r}:" for r in rounds)
    every_round = tuple(f"round {r}:" for r in EXTRA_ROUNDS)
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            row: dict[str, Any] = json.loads(line)
            pool = str(row.get("pool", ""))
            if prefixes and not pool.startswith(every_round):  # would never be read by any --extra-rounds
                raise ValueError(f"{path}:{n}: pool {pool!r} names none of the extra rounds {EXTRA_ROUNDS}")
            if prefixes and not pool.startswith(prefixes):
                continue
            if prefixes and row["split"] != "train":
                raise ValueError(f"{path}:{n}: the extra rounds hold training posts only, got {row['split']!r}")
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
                    str(row.get("pool", "")), "institutions" in row,
                )
            )


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
