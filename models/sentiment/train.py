"""Training: compare candidate feature sets and linear classifiers on the dev split, keep the best,
calibrate it on out-of-fold scores and refit it on train+dev.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from models.sentiment.data import Example, read_jsonl
from models.sentiment.model import LABELS, FeatureConfig, Featurizer, SentimentModel

LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}
CLASSIFIERS = ("linearsvc", "nbsvm", "logreg", "sgd")


@dataclass(frozen=True)
class Candidate:
    """One configuration to compare: features, classifier, regularisation, dataset weighting."""

    name: str
    features: FeatureConfig = field(default_factory=FeatureConfig)
    classifier: str = "linearsvc"
    c: float = 0.3
    source_weights: tuple[tuple[str, float], ...] = (("laroseda", 1.0), ("sart", 1.0), ("red", 1.0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly description."""
        data = asdict(self)
        data["source_weights"] = dict(self.source_weights)
        return data


def default_candidates() -> list[Candidate]:
    """The comparison grid recorded in the model card (kept small: 2 shared cores)."""
    base = FeatureConfig()
    balanced = (("laroseda", 1.0), ("sart", 1.0), ("red", 1.0))
    tweets_up = (("laroseda", 1.0), ("sart", 1.5), ("red", 1.0))
    unbalanced = (("laroseda", 0.0), ("sart", 0.0), ("red", 0.0))
    return [
        Candidate("nbsvm_word+char_neg_polarity_C0.3", replace(base, polarity_lexicon=True), "nbsvm", 0.3),
        Candidate("nbsvm_word+char_neg_C0.1", base, "nbsvm", 0.1),
        Candidate("nbsvm_word+char_neg_C0.3", base, "nbsvm", 0.3),
        Candidate("svc_word+char_neg_C0.1", base, "linearsvc", 0.1),
        Candidate("svc_word+char_neg_C0.3", base, "linearsvc", 0.3),
        Candidate("nbsvm_word+char_neg_C0.1_sart1.5", base, "nbsvm", 0.1, tweets_up),
        Candidate("nbsvm_word+char_noneg_C0.1", replace(base, negation=False), "nbsvm", 0.1, balanced),
        Candidate("nbsvm_word_only_C0.1", replace(base, use_chars=False), "nbsvm", 0.1),
        Candidate("nbsvm_char_only_C0.1", replace(base, use_words=False), "nbsvm", 0.1),
        Candidate("nbsvm_unbalanced_C0.1", base, "nbsvm", 0.1, unbalanced),
        Candidate("logreg_word+char_neg_C10", base, "logreg", 10.0),
        Candidate("sgd_modhuber_word+char_neg", base, "sgd", 2e-5),
    ]


def example_weights(sources: Sequence[str], source_weights: dict[str, float]) -> np.ndarray:
    """Per-example weights: each source gets total weight proportional to ``source_weights``.

    All weights zero means no balancing (every example weight 1). Mean weight is 1.
    """
    src = np.asarray(sources)
    if not any(source_weights.values()):
        return np.ones(len(src))
    weights = np.zeros(len(src))
    present = list(np.unique(src))
    total = sum(source_weights.get(s, 1.0) for s in present)
    for s in present:
        mask = src == s
        weights[mask] = source_weights.get(s, 1.0) / total * len(src) / mask.sum()
    return weights


def fit_scorer(classifier: str, c: float, matrix: sp.csr_matrix, y: np.ndarray, weights: np.ndarray,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fit one linear model; returns ``(coef (3, d), intercept (3,))`` for labels 0..2."""
    if classifier == "nbsvm":
        return _fit_nbsvm(c, matrix, y, weights, seed)
    if classifier == "linearsvc":
        model: Any = LinearSVC(C=c, random_state=seed)
    elif classifier == "logreg":
        model = LogisticRegression(C=c, max_iter=300)
    elif classifier == "sgd":
        model = SGDClassifier(loss="modified_huber", alpha=c, random_state=seed, max_iter=50, tol=1e-4)
    else:
        raise ValueError(f"unknown classifier {classifier!r}; choose from {CLASSIFIERS}")
    model.fit(matrix, y, sample_weight=weights)
    coef = np.zeros((len(LABELS), matrix.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(LABELS))
    for row, cls in enumerate(model.classes_):
        coef[cls] = model.coef_[row]
        intercept[cls] = model.intercept_[row]
    for cls in set(range(len(LABELS))) - set(model.classes_.tolist()):
        intercept[cls] = -1e3  # a class absent from training is never predicted
    return coef, intercept


def nb_ratios(
    matrix: sp.csr_matrix, positive: np.ndarray, weights: np.ndarray, alpha: float = 1.0
) -> np.ndarray:
    """Naive-Bayes log-count ratios of binary feature presence, one-vs-rest (Wang & Manning 2012)."""
    present = matrix.copy()
    present.data[:] = 1.0
    p = np.asarray(present[positive].T @ weights[positive]).ravel() + alpha
    q = np.asarray(present[~positive].T @ weights[~positive]).ravel() + alpha
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def _fit_nbsvm(c: float, matrix: sp.csr_matrix, y: np.ndarray, weights: np.ndarray,
               seed: int) -> tuple[np.ndarray, np.ndarray]:
    """NB-SVM: one binary LinearSVC per class on NB-scaled features; the scaling folds into the weights."""
    coef = np.zeros((len(LABELS), matrix.shape[1]), dtype=np.float32)
    intercept = np.full(len(LABELS), -1e3)
    for cls in np.unique(y):
        positive = y == cls
        ratios = nb_ratios(matrix, positive, weights)
        scaled = matrix @ sp.diags(ratios)
        model = LinearSVC(C=c, random_state=seed).fit(scaled, positive.astype(int), sample_weight=weights)
        coef[cls] = model.coef_[0] * ratios
        intercept[cls] = model.intercept_[0]
    return coef, intercept


def fit_calibrator(scores: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matrix scaling: multinomial logistic regression on the three raw scores."""
    model = LogisticRegression(C=100.0, max_iter=1000)
    model.fit(scores, y, sample_weight=weights)
    matrix = np.zeros((len(LABELS), len(LABELS)))
    bias = np.full(len(LABELS), -1e3)
    for row, cls in enumerate(model.classes_):
        matrix[cls] = model.coef_[row]
        bias[cls] = model.intercept_[row]
    return matrix, bias


def source_metrics(scores: np.ndarray, y: np.ndarray, sources: Sequence[str]) -> dict[str, float]:
    """Selection metrics: LaRoSeDa binary accuracy (neg vs pos), SART and RED macro-F1."""
    src = np.asarray(sources)
    out: dict[str, float] = {}
    mask = src == "laroseda"
    if mask.any():
        binary = np.where(scores[mask, 0] >= scores[mask, 2], 0, 2)
        out["laroseda_binary_accuracy"] = float(accuracy_score(y[mask], binary))
    for name in ("sart", "red"):
        mask = src == name
        if mask.any():
            out[f"{name}_macro_f1"] = float(f1_score(y[mask], scores[mask].argmax(axis=1), average="macro",
                                                     labels=[0, 1, 2], zero_division=0))
    out["selection_score"] = float(np.mean(list(out.values()))) if out else 0.0
    return out


def _arrays(examples: Sequence[Example]) -> tuple[list[str], np.ndarray, list[str]]:
    return ([e.text for e in examples], np.array([LABEL_INDEX[e.label] for e in examples]),
            [e.source for e in examples])


def compare(candidates: Sequence[Candidate], train: Sequence[Example], dev: Sequence[Example],
            log: Any = print) -> list[dict[str, Any]]:
    """Fit every candidate on ``train`` and score it on ``dev``; features are cached per config."""
    texts, y, sources = _arrays(train)
    dev_texts, dev_y, dev_sources = _arrays(dev)
    cache: dict[tuple, tuple[sp.csr_matrix, sp.csr_matrix]] = {}
    results = []
    for cand in candidates:
        weights = example_weights(sources, dict(cand.source_weights))
        start = time.perf_counter()
        key = (cand.features, cand.source_weights)
        if key not in cache:
            featurizer = Featurizer(cand.features).fit(texts, weights)
            cache[key] = (featurizer.transform(texts), featurizer.transform(dev_texts))
        x_train, x_dev = cache[key]
        coef, intercept = fit_scorer(cand.classifier, cand.c, x_train, y, weights)
        scores = np.asarray(x_dev @ coef.T) + intercept
        dev_metrics = source_metrics(scores, dev_y, dev_sources)
        seconds = round(time.perf_counter() - start, 1)
        row = {"candidate": cand.to_dict(), "dev": dev_metrics, "fit_seconds": seconds}
        log(json.dumps({"name": cand.name, **dev_metrics, "fit_seconds": seconds}))
        results.append(row)
    return results


def fit_final(cand: Candidate, examples: Sequence[Example], folds: int = 3, seed: int = 13,
              version: str = "dev") -> SentimentModel:
    """Calibrate on out-of-fold scores, then refit ``cand`` on all ``examples``."""
    texts, y, sources = _arrays(examples)
    weights = example_weights(sources, dict(cand.source_weights))
    featurizer = Featurizer(cand.features).fit(texts, weights)
    matrix = featurizer.transform(texts)
    oof = np.zeros((len(texts), len(LABELS)))
    strata = np.array([f"{s}:{label}" for s, label in zip(sources, y, strict=True)])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_idx, held_idx in splitter.split(np.zeros(len(texts)), strata):
        coef, intercept = fit_scorer(cand.classifier, cand.c, matrix[fit_idx], y[fit_idx], weights[fit_idx])
        oof[held_idx] = np.asarray(matrix[held_idx] @ coef.T) + intercept
    calib_matrix, calib_bias = fit_calibrator(oof, y, weights)
    coef, intercept = fit_scorer(cand.classifier, cand.c, matrix, y, weights)
    return SentimentModel(featurizer=featurizer, coef=coef, intercept=intercept, calib_matrix=calib_matrix,
                          calib_bias=calib_bias, version=version,
                          meta={"candidate": cand.to_dict(), "oof_metrics": source_metrics(oof, y, sources),
                                "n_train": len(texts)})


def train(work_dir: Path, candidates: Sequence[Candidate] | None = None, version: str = "dev",
          folds: int = 3, log: Any = print) -> dict[str, Any]:
    """Compare on dev, refit the best on train+dev, write ``model.npz`` and ``comparison.json``."""
    data_dir = work_dir / "data"
    train_set = read_jsonl(data_dir / "train.jsonl")
    dev_set = read_jsonl(data_dir / "dev.jsonl")
    results = compare(candidates or default_candidates(), train_set, dev_set, log=log)
    best = max(results, key=lambda r: r["dev"]["selection_score"])
    cand = next(c for c in (candidates or default_candidates()) if c.name == best["candidate"]["name"])
    log(f"selected {cand.name}; refitting on train+dev with {folds}-fold calibration")
    start = time.perf_counter()
    model = fit_final(cand, [*train_set, *dev_set], folds=folds, version=version)
    model.meta["final_fit_seconds"] = round(time.perf_counter() - start, 1)
    path = model.save(work_dir / "model.npz")
    summary = {"selected": cand.name, "selection_metric": "mean(LaRoSeDa binary acc, SART macro-F1, "
               "RED macro-F1) on the dev split", "candidates": results, "model_path": str(path)}
    (work_dir / "comparison.json").write_text(json.dumps(summary, indent=2))
    return summary
