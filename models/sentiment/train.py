"""Training: compare candidate models by k-fold cross-validation on the training pool, keep the best,
calibrate it on its out-of-fold scores and refit it on the whole pool.

The pool is ``train`` + ``dev`` from ``prepare`` (official test splits are never read here). Every
candidate is scored on the same stratified folds (source × label); the IDF weights are refitted on
each fold's training part, and the calibrators are cross-fitted on the out-of-fold scores, so the
reported cross-validation metrics never saw the posts they score.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from models.sentiment.data import PSEUDO_SOURCE, REAL_TRAIN_SOURCE, Example, read_jsonl
from models.sentiment.model import (
    LABELS,
    SCORE_CLIP,
    FeatureConfig,
    Featurizer,
    Head,
    SentimentModel,
    mix_heads,
    projection_block,
    sigmoid,
)

if TYPE_CHECKING:
    from models.topics.model import E5Projection

LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}
CLASSIFIERS = ("linearsvc", "nbsvm", "logreg", "sgd")
ARCHITECTURES = ("joint", "domain_heads")
REVIEW_SOURCES = frozenset({"laroseda"})
# PSEUDO_SOURCE (data.py): teacher-labelled posts (distill.py), trained on, never scored or calibrated on
REAL_TRAIN_WEIGHT = 0.25  # the real training comments' total weight against SART's 1.0 (in the pool unless prepare --no-real-train; sections E, F)
PSEUDO_WEIGHT = 0.5  # their total weight against SART's (and RED's) 1.0, chosen by fold-internal CV (docs/sentiment.md)
SELECTION_METRIC = ("mean(LaRoSeDa binary accuracy, SART macro-F1, RED macro-F1, and the civic-post and real-"
                    "training-comment macro-F1 when prepare put them in the pool: --civic-train, and the real "
                    "comments unless --no-real-train) of the calibrated out-of-fold predictions, k-fold "
                    "cross-validation on train+dev")
Log = Callable[[str], Any]
PROJECTION_FILE = Path(__file__).parent / "data" / "e5_projection.npz"  # `distill project` writes it
PROJECTION_WEIGHT = 0.25  # block scale of section E's grid; the default grid also tries 0.1 (2.4.0; section F)


def load_projection(path: Path = PROJECTION_FILE) -> E5Projection:
    """The committed e5 projection (fitted on unlabelled posts only), or a clear error naming the command."""
    from models.topics.model import E5Projection

    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `python -m models.sentiment.distill project`")
    with np.load(path, allow_pickle=False) as data:
        return E5Projection.from_arrays(data)


@dataclass(frozen=True)
class Candidate:
    """One configuration to compare.

    ``joint``: one head on all sources (per-source weights ``source_weights``).
    ``domain_heads``: a *review* head (LaRoSeDa, plus social posts at ``review_social_share`` of its
    total weight), a *social* head (SART + RED, weighted by ``source_weights``) and a logistic gate
    (review vs social text, regularisation ``gate_c``) that mixes their calibrated probabilities.
    """

    name: str
    features: FeatureConfig = field(default_factory=FeatureConfig)
    classifier: str = "linearsvc"
    c: float = 0.3
    source_weights: tuple[tuple[str, float], ...] = (("laroseda", 1.0), ("sart", 1.0), ("red", 1.0))
    architecture: str = "joint"
    review_c: float = 0.3
    review_social_share: float = 0.0
    gate_c: float = 10.0
    projection_weight: float = 0.0  # > 0: the e5 projection block, scaled, for the social / joint head

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly description."""
        data = asdict(self)
        data["source_weights"] = dict(self.source_weights)
        if self.architecture == "joint":
            for key in ("review_c", "review_social_share", "gate_c"):
                data.pop(key)
        if not self.projection_weight:
            data.pop("projection_weight")
        return data


def all_candidates() -> list[Candidate]:
    """Every named configuration (``train --candidates`` picks from these)."""
    base = FeatureConfig()
    pol = replace(base, polarity_lexicon=True)
    heads = "domain_heads"
    return [
        *default_candidates(),
        Candidate("nbsvm_word+char_neg_C0.3", base, "nbsvm", 0.3),
        Candidate("svc_word+char_neg_C0.3", base, "linearsvc", 0.3),
        Candidate("nbsvm_word_only_C0.1", replace(base, use_chars=False), "nbsvm", 0.1),
        Candidate("nbsvm_char_only_C0.1", replace(base, use_words=False), "nbsvm", 0.1),
        Candidate("logreg_word+char_neg_C10", base, "logreg", 10.0),
        Candidate("sgd_modhuber_word+char_neg", base, "sgd", 2e-5),
        Candidate("heads_svc_R0.3_S0.3", pol, "linearsvc", 0.3, architecture=heads),
        *civic_candidates(),
        Candidate("heads_nbsvm_char1-6_R0.3_S0.3", replace(pol, char_ngrams=(1, 6)), "nbsvm", 0.3,
                  (("laroseda", 0.0), ("sart", 1.0), ("red", 1.0)), heads, review_c=0.3),
    ]


def baseline_candidates() -> list[Candidate]:
    """The grid of the 2.0.0 recipe (``train --candidates baseline``), n-gram features only. With
    ``prepare --no-real-train`` (and without ``--pseudo``) those posts are not in the pool and their weights do
    not matter."""
    pol = FeatureConfig(polarity_lexicon=True)
    heads = "domain_heads"
    pseudo = (PSEUDO_SOURCE, PSEUDO_WEIGHT)  # no effect unless prepare --pseudo put them in the pool
    real = (REAL_TRAIN_SOURCE, REAL_TRAIN_WEIGHT)  # no effect unless prepare --real-train put them in the pool
    social = (("laroseda", 0.0), ("sart", 1.0), ("red", 1.0), real, pseudo)
    return [
        Candidate("joint_nbsvm_pol_C0.3", pol, "nbsvm", 0.3,
                  (("laroseda", 1.0), ("sart", 1.0), ("red", 1.0), real, pseudo)),
        Candidate("heads_nbsvm_R0.3_S0.3", pol, "nbsvm", 0.3, social, heads, review_c=0.3),
        Candidate("heads_nbsvm_R0.3_S0.5", pol, "nbsvm", 0.5, social, heads, review_c=0.3),
        Candidate("heads_nbsvm_R1.0_S0.3", pol, "nbsvm", 0.3, social, heads, review_c=1.0),
        Candidate("heads_nbsvm_R0.3+social0.15_S0.3", pol, "nbsvm", 0.3, social, heads, review_c=0.3,
                  review_social_share=0.15),
    ]


def projection_variants() -> list[Candidate]:
    """The 2.0.0 configuration with the real training comments only scored (weight 0), and with the e5
    projection block in its social head at two scales, the comments trained on (weight
    :data:`REAL_TRAIN_WEIGHT`) or only scored (docs/sentiment.md, sections E and F)."""
    pol = FeatureConfig(polarity_lexicon=True)
    out = []
    for beta in (0.0, PROJECTION_WEIGHT, 0.1):
        for real in ((REAL_TRAIN_WEIGHT, 0.0) if beta else (0.0,)):
            social = (("laroseda", 0.0), ("sart", 1.0), ("red", 1.0), (REAL_TRAIN_SOURCE, real),
                      (PSEUDO_SOURCE, PSEUDO_WEIGHT))
            name = "heads_nbsvm_R0.3_S0.5" + (f"_e5proj{beta}" if beta else "") + ("" if real else "_real0")
            out.append(Candidate(name, pol, "nbsvm", 0.5, social, "domain_heads", review_c=0.3,
                                 projection_weight=beta))
    return out


def default_candidates() -> list[Candidate]:
    """The grid of a full ``train`` run, the recipe of the shipped model since 2.4.0, meant for a pool with the real training
    comments (``prepare`` puts them in unless ``--no-real-train``): the baseline grid and the projection
    variants, selected by the mean of the four cross-validated columns."""
    return [*baseline_candidates(), *projection_variants()]


def civic_candidates() -> list[Candidate]:
    """The grid of the civic experiment (``prepare --civic-train``; docs/sentiment.md, candidate 2.1.0): the
    baseline grid with the civic posts at a quarter of SART's total weight, plus the 2.0.0 configuration with
    the civic posts at 0, 0.5 and 1.0."""
    pol = FeatureConfig(polarity_lexicon=True)
    heads = "domain_heads"
    out = [replace(c, name=f"{c.name}_civic0.25", source_weights=(*c.source_weights, ("civic", 0.25)))
           if c.architecture == heads else
           replace(c, name=f"{c.name}_civic0.25", source_weights=(("laroseda", 1.0), ("sart", 1.0), ("red", 1.0),
                                                                   ("civic", 0.25), (PSEUDO_SOURCE, PSEUDO_WEIGHT)))
           for c in baseline_candidates()]
    return out + [Candidate(f"heads_nbsvm_R0.3_S0.5_civic{w}", pol, "nbsvm", 0.5,
                            (("laroseda", 0.0), ("sart", 1.0), ("red", 1.0), ("civic", w),
                             (PSEUDO_SOURCE, PSEUDO_WEIGHT)), heads, review_c=0.3)
                  for w in (0.0, 0.5, 1.0)]


def example_weights(sources: Sequence[str] | np.ndarray, source_weights: dict[str, float]) -> np.ndarray:
    """Per-example weights: each source gets total weight proportional to ``source_weights``.

    All weights zero means no balancing (every example weight 1). Mean weight is 1 over the examples
    of sources with a positive weight (a source with weight 0 gets weight 0).
    """
    src = np.asarray(sources)
    if not any(source_weights.values()):
        return np.ones(len(src))
    weights = np.zeros(len(src))
    present = [s for s in np.unique(src) if source_weights.get(s, 1.0) > 0]
    total = sum(source_weights.get(s, 1.0) for s in present)
    used = sum(int((src == s).sum()) for s in present)
    for s in present:
        mask = src == s
        weights[mask] = source_weights.get(s, 1.0) / total * used / mask.sum()
    return weights


def fit_scorer(classifier: str, c: float, matrix: sp.csr_matrix, y: np.ndarray, weights: np.ndarray,
               seed: int = 0, dense_columns: int = 0, use_dense: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fit one linear model; returns ``(coef (3, d), intercept (3,))`` for labels 0..2.

    The last ``dense_columns`` columns are a dense block (the e5 projection): NB-SVM leaves them unscaled
    (naive-Bayes ratios are for sparse presence features), and ``use_dense=False`` keeps them out of this
    model (zero weights)."""
    if dense_columns and not use_dense:
        coef, intercept = fit_scorer(classifier, c, matrix[:, :-dense_columns], y, weights, seed)
        return np.hstack([coef, np.zeros((coef.shape[0], dense_columns), dtype=coef.dtype)]), intercept
    if classifier == "nbsvm":
        return _fit_nbsvm(c, matrix, y, weights, seed, dense_columns)
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
    classes = model.classes_.tolist()
    if len(classes) == 2:  # binary sklearn models have one weight vector: +w for classes[1]
        coef[classes[1]], intercept[classes[1]] = model.coef_[0] / 2, model.intercept_[0] / 2
        coef[classes[0]], intercept[classes[0]] = -model.coef_[0] / 2, -model.intercept_[0] / 2
    else:
        for row, cls in enumerate(classes):
            coef[cls] = model.coef_[row]
            intercept[cls] = model.intercept_[row]
    for cls in set(range(len(LABELS))) - set(classes):
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
               seed: int, dense_columns: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """NB-SVM: one binary LinearSVC per class on NB-scaled features; the scaling folds into the weights."""
    coef = np.zeros((len(LABELS), matrix.shape[1]), dtype=np.float32)
    intercept = np.full(len(LABELS), -1e3)
    for cls in np.unique(y):
        positive = y == cls
        ratios = nb_ratios(matrix, positive, weights)
        if dense_columns:
            ratios[-dense_columns:] = 1.0
        scaled = matrix @ sp.diags(ratios)
        model = LinearSVC(C=c, random_state=seed).fit(scaled, positive.astype(int), sample_weight=weights)
        coef[cls] = model.coef_[0] * ratios
        intercept[cls] = model.intercept_[0]
    return coef, intercept


def fit_calibrator(scores: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matrix scaling: multinomial logistic regression on the three (clipped) raw scores."""
    model = LogisticRegression(C=100.0, max_iter=2000)
    model.fit(np.clip(scores, -SCORE_CLIP, SCORE_CLIP), y, sample_weight=weights)
    matrix = np.zeros((len(LABELS), len(LABELS)))
    bias = np.full(len(LABELS), -1e3)
    if len(model.classes_) == 2:
        lo, hi = model.classes_.tolist()
        matrix[hi], bias[hi] = model.coef_[0] / 2, model.intercept_[0] / 2
        matrix[lo], bias[lo] = -model.coef_[0] / 2, -model.intercept_[0] / 2
        return matrix, bias
    for row, cls in enumerate(model.classes_):
        matrix[cls] = model.coef_[row]
        bias[cls] = model.intercept_[row]
    return matrix, bias


def source_metrics(scores: np.ndarray, y: np.ndarray, sources: Sequence[str] | np.ndarray) -> dict[str, float]:
    """Selection metrics: LaRoSeDa binary accuracy (neg vs pos), SART, RED, civic-post and real-comment
    (training split) macro-F1 (each when the source is present)."""
    src = np.asarray(sources)
    out: dict[str, float] = {}
    mask = src == "laroseda"
    if mask.any():
        binary = np.where(scores[mask, 0] >= scores[mask, 2], 0, 2)
        out["laroseda_binary_accuracy"] = float(accuracy_score(y[mask], binary))
    for name in ("sart", "red", "civic", REAL_TRAIN_SOURCE):
        mask = src == name
        if mask.any():
            out[f"{name}_macro_f1"] = float(f1_score(y[mask], scores[mask].argmax(axis=1), average="macro",
                                                     labels=[0, 1, 2], zero_division=0))
    out["selection_score"] = float(np.mean(list(out.values()))) if out else 0.0
    return out


def _arrays(examples: Sequence[Example]) -> tuple[list[str], np.ndarray, np.ndarray]:
    return ([e.text for e in examples], np.array([LABEL_INDEX[e.label] for e in examples]),
            np.array([e.source for e in examples]))


# --- one candidate: fit parts, raw scores, calibration --------------------------------------------


def _head_weights(cand: Candidate, sources: np.ndarray) -> dict[str, np.ndarray]:
    """Per-example training weights of every head (0 = not used by that head)."""
    if cand.architecture == "joint":
        return {"all": example_weights(sources, dict(cand.source_weights))}
    is_review = np.isin(sources, list(REVIEW_SOURCES))
    social = example_weights(sources, {**dict(cand.source_weights), **{s: 0.0 for s in REVIEW_SOURCES}})
    social[is_review] = 0.0
    share = cand.review_social_share if social.sum() > 0 else 0.0
    review = np.zeros(len(sources))
    if share > 0:
        review[~is_review] = share * social[~is_review] / social.sum()
    review[is_review] = (1.0 - share) / max(int(is_review.sum()), 1)
    used = review > 0
    review[used] /= review[used].mean()
    return {"review": review, "social": social}


def _gate_target(sources: np.ndarray) -> np.ndarray:
    return np.isin(sources, list(REVIEW_SOURCES)).astype(int)


@dataclass
class _Fitted:
    heads: list[tuple[str, np.ndarray, np.ndarray]]
    gate: tuple[np.ndarray, float] | None

    def raw(self, matrix: sp.csr_matrix) -> np.ndarray:
        cols = [np.asarray(matrix @ coef.T) + b for _, coef, b in self.heads]
        if self.gate is not None:
            cols.append((np.asarray(matrix @ self.gate[0]).ravel() + self.gate[1])[:, None])
        return np.hstack(cols)


def fit_parts(cand: Candidate, matrix: sp.csr_matrix, y: np.ndarray, sources: np.ndarray,
              seed: int = 0, dense_columns: int = 0) -> _Fitted:
    """Fit the candidate's heads (and gate) on one feature matrix (its last ``dense_columns`` columns: the
    projection block, used by the social / joint head and the gate, not by the review head)."""
    heads = []
    weights = _head_weights(cand, sources)
    for name, w in weights.items():
        used = w > 0
        if not used.any():
            raise ValueError(f"head {name!r} of {cand.name} has no training examples")
        c = cand.review_c if name == "review" else cand.c
        coef, intercept = fit_scorer(cand.classifier, c, matrix[used], y[used], w[used], seed,
                                     dense_columns, use_dense=name != "review")
        heads.append((name, coef, intercept))
    gate = None
    if cand.architecture == "domain_heads":
        target = _gate_target(sources)
        if target.min() == target.max():
            raise ValueError("the gate needs both review and social examples")
        balance = np.where(target == 1, 0.5 / target.mean(), 0.5 / (1 - target.mean()))
        model = LogisticRegression(C=cand.gate_c, max_iter=2000).fit(matrix, target, sample_weight=balance)
        gate = (model.coef_[0].astype(np.float32), float(model.intercept_[0]))
    return _Fitted(heads, gate)


def fit_calibrators(cand: Candidate, raw: np.ndarray, y: np.ndarray,
                    sources: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """One matrix-scaling calibrator per head, fitted on that head's own (weighted) gold examples: pseudo-labelled
    posts train the heads but never the calibrators, so probabilities stay calibrated against human labels."""
    out = []
    gold = np.asarray(sources) != PSEUDO_SOURCE
    for i, w in enumerate(_head_weights(cand, sources).values()):
        used = (w > 0) & gold
        # mean weight 1 over the gold rows, whatever share the pseudo rows took (without them it already is)
        out.append(fit_calibrator(raw[used, 3 * i : 3 * i + 3], y[used], w[used] / w[used].mean()))
    return out


def build_model(cand: Candidate, featurizer: Featurizer, fitted: _Fitted,
                calibrators: Sequence[tuple[np.ndarray, np.ndarray]], version: str = "dev",
                projection: E5Projection | None = None) -> SentimentModel:
    """Assemble a :class:`SentimentModel` from fitted parts."""
    heads = [Head(name, coef, intercept, cm, cb)
             for (name, coef, intercept), (cm, cb) in zip(fitted.heads, calibrators, strict=True)]
    gate_coef, gate_intercept = fitted.gate if fitted.gate is not None else (None, 0.0)
    return SentimentModel(featurizer=featurizer, heads=heads, gate_coef=gate_coef, gate_intercept=gate_intercept,
                          version=version, meta={"candidate": cand.to_dict()}, projection=projection,
                          projection_weight=cand.projection_weight if projection is not None else 0.0)


def _probabilities(raw: np.ndarray, calibrators: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Calibrated, gate-mixed probabilities from raw OOF scores (same maths as the model)."""
    probs = [Head("h", np.zeros((3, 0), np.float32), np.zeros(3), cm, cb).calibrate(raw[:, 3 * i : 3 * i + 3])
             for i, (cm, cb) in enumerate(calibrators)]
    gate = sigmoid(raw[:, -1]) if raw.shape[1] > 3 * len(calibrators) else None
    return mix_heads(probs, gate)


# --- cross-validation -----------------------------------------------------------------------------


class FoldFeatures:
    """Raw n-gram counts of the pool, computed once per feature config; per-fold IDF + transform."""

    def __init__(self, texts: Sequence[str], folds: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        self.texts = list(texts)
        self.folds = folds
        self._counts: dict[FeatureConfig, tuple[Any, Any]] = {}
        self._fold_cache: dict[tuple[FeatureConfig, int], tuple[sp.csr_matrix, sp.csr_matrix]] = {}
        self._projection: tuple[E5Projection, np.ndarray] | None = None

    def projection(self) -> tuple[E5Projection, np.ndarray]:
        """The committed projection and its unit-length block for every pool text (computed once)."""
        if self._projection is None:
            projection = load_projection()
            self._projection = (projection, projection.transform(self.texts))
        return self._projection

    def with_projection(self, cand: Candidate, matrix: sp.csr_matrix, idx: np.ndarray) -> sp.csr_matrix:
        """``matrix`` (rows ``idx`` of the pool) plus the candidate's scaled projection block, if it has one."""
        if cand.projection_weight <= 0:
            return matrix
        block = self.projection()[1][idx] * np.float32(cand.projection_weight)
        return sp.hstack([matrix, sp.csr_matrix(block)], format="csr")

    def counts(self, config: FeatureConfig) -> tuple[Any, Any]:
        if config not in self._counts:
            words, chars, _ = Featurizer(config).counts(self.texts)
            self._counts[config] = (words, chars)
        return self._counts[config]

    def fold(self, config: FeatureConfig, k: int, weights: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(fit-part matrix, held-out matrix) of fold ``k``; IDF from the fit part only."""
        key = (config, k)
        if key not in self._fold_cache:
            if len(self._fold_cache) >= 2 * len(self.folds):  # keep at most two configs in memory
                self._fold_cache.pop(next(iter(self._fold_cache)))
            words, chars = self.counts(config)
            fit_idx, held_idx = self.folds[k]

            def rows(m: Any, idx: np.ndarray) -> Any:
                return None if m is None else m[idx]

            featurizer = Featurizer(config).fit_counts(rows(words, fit_idx), rows(chars, fit_idx), weights[fit_idx])
            self._fold_cache[key] = (featurizer.transform_counts(rows(words, fit_idx), rows(chars, fit_idx)),
                                     featurizer.transform_counts(rows(words, held_idx), rows(chars, held_idx)))
        return self._fold_cache[key]


def features_width(cand: Candidate) -> int:
    """Columns of the candidate's n-gram block (a projection block follows them)."""
    return Featurizer(cand.features).n_features


def idf_weights(sources: np.ndarray) -> np.ndarray:
    """Document weights of the IDF: every source counts the same."""
    return example_weights(sources, {s: 1.0 for s in np.unique(sources)})


def cross_validate(cand: Candidate, features: FoldFeatures, y: np.ndarray, sources: np.ndarray,
                   seed: int = 0) -> tuple[np.ndarray, dict[str, float]]:
    """Out-of-fold raw scores and the metrics of the cross-fitted calibrated OOF probabilities."""
    raw: np.ndarray | None = None
    for k, (fit_idx, held_idx) in enumerate(features.folds):
        x_fit, x_held = features.fold(cand.features, k, idf_weights(sources))
        x_fit = features.with_projection(cand, x_fit, fit_idx)
        x_held = features.with_projection(cand, x_held, held_idx)
        dense = x_fit.shape[1] - features_width(cand)
        fitted = fit_parts(cand, x_fit, y[fit_idx], sources[fit_idx], seed, dense)
        scores = fitted.raw(x_held)
        if raw is None:
            raw = np.zeros((len(y), scores.shape[1]))
        raw[held_idx] = scores
    assert raw is not None
    probs = np.zeros((len(y), len(LABELS)))
    for fit_idx, held_idx in features.folds:  # calibrators cross-fitted on the OOF scores
        calibrators = fit_calibrators(cand, raw[fit_idx], y[fit_idx], sources[fit_idx])
        probs[held_idx] = _probabilities(raw[held_idx], calibrators)
    return raw, source_metrics(probs, y, sources)


def make_folds(y: np.ndarray, sources: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified (source × label) k-fold split of the pool."""
    strata = np.array([f"{s}:{label}" for s, label in zip(sources, y, strict=True)])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), strata))


def projection_fit_keys(path: Path | None = None) -> np.ndarray:
    """Fingerprints of the texts the projection file (default :data:`PROJECTION_FILE`) was fitted on (``distill
    project`` stores them)."""
    from models.sentiment.distill import FIT_KEYS

    path = path or PROJECTION_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `python -m models.sentiment.distill project`")
    with np.load(path, allow_pickle=False) as data:
        if FIT_KEYS not in data:
            raise ValueError(f"{path} does not record the texts it was fitted on: rebuild it with "
                             "`python -m models.sentiment.distill project`")
        return np.asarray(data[FIT_KEYS])


def check_projection_pool(candidates: Sequence[Candidate], texts: Sequence[str], path: Path | None = None) -> None:
    """Refuse projection candidates when the projection was fitted on a pool text: that text's block would be
    better than an unseen post's, so its out-of-fold scores would be optimistic (docs/sentiment.md, section E)."""
    from models.sentiment.distill import text_fingerprints

    named = [c.name for c in candidates if c.projection_weight > 0]
    if not named:
        return
    path = path or PROJECTION_FILE
    fitted = projection_fit_keys(path)
    overlap = np.intersect1d(text_fingerprints(texts), fitted).size
    if overlap:
        raise ValueError(f"candidates {named} use the e5 projection {path.name}, which was fitted on {overlap} "
                         "texts of the training pool: their scores would be optimistic; rebuild the projection "
                         "(`distill project` leaves out every annotated post) or drop the projection candidates")


def compare(candidates: Sequence[Candidate], examples: Sequence[Example], folds: int = 5, seed: int = 13,
            log: Log = print) -> tuple[list[dict[str, Any]], dict[str, np.ndarray], FoldFeatures]:
    """Cross-validate every candidate on the same folds; returns rows, OOF raw scores and the features."""
    texts, y, sources = _arrays(examples)
    check_projection_pool(candidates, texts)
    features = FoldFeatures(texts, make_folds(y, sources, folds, seed))
    results, raws = [], {}
    for cand in candidates:
        start = time.perf_counter()
        raw, metrics = cross_validate(cand, features, y, sources)
        seconds = round(time.perf_counter() - start, 1)
        raws[cand.name] = raw
        row = {"candidate": cand.to_dict(), "cv": metrics, "cv_seconds": seconds}
        log(json.dumps({"name": cand.name, **{k: round(v, 4) for k, v in metrics.items()},
                        "cv_seconds": seconds}))
        results.append(row)
    return results, raws, features


def fit_final(cand: Candidate, examples: Sequence[Example], oof_raw: np.ndarray, version: str = "dev",
              seed: int = 0) -> SentimentModel:
    """Refit ``cand`` on all ``examples``; calibrators come from its out-of-fold scores."""
    texts, y, sources = _arrays(examples)
    featurizer = Featurizer(cand.features)
    words, chars, _ = featurizer.counts(texts)
    featurizer.fit_counts(words, chars, idf_weights(sources))
    matrix = featurizer.transform_counts(words, chars, copy=False)
    projection = load_projection() if cand.projection_weight > 0 else None
    if projection is not None:
        matrix = sp.hstack([matrix, projection_block(projection, cand.projection_weight, texts)], format="csr")
    fitted = fit_parts(cand, matrix, y, sources, seed, projection.dims if projection is not None else 0)
    calibrators = fit_calibrators(cand, oof_raw, y, sources)
    model = build_model(cand, featurizer, fitted, calibrators, version, projection)
    model.meta["n_train"] = len(texts)
    return model


def train(work_dir: Path, candidates: Sequence[Candidate] | None = None, version: str = "dev",
          folds: int = 5, out: Path | None = None, log: Log = print, seed: int = 13) -> dict[str, Any]:
    """Cross-validate on train+dev, refit the best; write ``<out>/sentiment.npz`` and ``comparison.json``."""
    from models.sentiment.package import ARTIFACT_DIR, ARTIFACT_NAME

    data_dir = work_dir / "data"
    pool = [*read_jsonl(data_dir / "train.jsonl"), *read_jsonl(data_dir / "dev.jsonl")]
    candidates = list(candidates or default_candidates())
    results, raws, _ = compare(candidates, pool, folds=folds, seed=seed, log=log)
    best = max(results, key=lambda r: r["cv"]["selection_score"])
    cand = next(c for c in candidates if c.name == best["candidate"]["name"])
    log(f"selected {cand.name}; refitting on all {len(pool)} pool examples")
    start = time.perf_counter()
    model = fit_final(cand, pool, raws[cand.name], version=version)
    model.meta["cv_metrics"] = best["cv"]
    model.meta["final_fit_seconds"] = round(time.perf_counter() - start, 1)
    target_dir = Path(out) if out is not None else ARTIFACT_DIR
    path = model.save(target_dir / ARTIFACT_NAME)
    summary = {"selected": cand.name, "selection_metric": SELECTION_METRIC, "folds": folds, "seed": seed,
               "n_pool": len(pool), "candidates": results, "model_path": str(path)}
    (work_dir / "comparison.json").write_text(json.dumps(summary, indent=2))
    return summary
