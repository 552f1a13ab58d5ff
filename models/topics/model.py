"""Multi-label topic classifier: TF-IDF (lemma words + characters) + seed-lemma features -> one-vs-rest LR.

Per-topic decision thresholds are tuned on out-of-fold (dev) predictions over the training split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from models.topics.taxonomy import SeedMatcher, load_taxonomy
from models.topics.text import _lemma_table, clean_for_model, tokens


@dataclass
class ModelConfig:
    """Hyper-parameters and which components are switched on (used for ablations)."""

    use_word: bool = True
    use_char: bool = True
    use_seeds: bool = True
    seed_weight: float = 1.0
    C: float = 4.0
    max_word_features: int = 30000
    max_char_features: int = 40000
    default_threshold: float = 0.5
    extra: dict[str, Any] = field(default_factory=dict)


def lemma_string(text: str, table: dict[str, str] | None = None, folded: str | None = None) -> str:
    """Space-joined folded lemmas (input of the word vectoriser)."""
    table = _lemma_table() if table is None else table
    folded = clean_for_model(text) if folded is None else folded
    return " ".join(table.get(t, t) for t in tokens(folded))


class TopicClassifier:
    """Fit/predict wrapper; ``predict_proba`` returns an (n, topics) matrix in taxonomy order."""

    def __init__(self, config: ModelConfig | None = None) -> None:
        self.config = config or ModelConfig()
        self.taxonomy = load_taxonomy()
        self.topic_ids = self.taxonomy.ids
        self.word: TfidfVectorizer | None = None
        self.char: TfidfVectorizer | None = None
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.thresholds = np.full(len(self.topic_ids), self.config.default_threshold)
        self.lemmas: dict[str, str] | None = None  # pruned lemma table stored with the fitted model
        self._seeds: SeedMatcher | None = None

    # -- features -------------------------------------------------------------------------------
    @property
    def seeds(self) -> SeedMatcher:
        if self._seeds is None:
            self._seeds = SeedMatcher(self.taxonomy, self.lemmas)
        return self._seeds

    def _prune_lemmas(self) -> None:
        """Keep only lemma-table entries that can change a feature: lemma or form in the word vocabulary,
        or lemma hitting a seed. Makes the artifact self-contained and fast to load."""
        full = _lemma_table()
        vocab = set(self.word.vocabulary_) if self.word is not None else set()
        matcher = SeedMatcher(self.taxonomy, full)
        keep: dict[str, str] = {}
        for form, lem in full.items():
            if form == lem:
                continue
            if lem in vocab or form in vocab or matcher.is_seed(lem):
                keep[form] = lem
        self.lemmas = keep
        self._seeds = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_seeds"] = None
        return state

    def _features(self, texts: list[str], fit: bool = False) -> sparse.csr_matrix:
        cfg = self.config
        blocks: list[sparse.spmatrix] = []
        folded = [clean_for_model(t) for t in texts]
        if cfg.use_word:
            table = self.lemmas if (self.lemmas is not None and not fit) else _lemma_table()
            lemmatised = [lemma_string(t, table, f) for t, f in zip(texts, folded, strict=True)]
            if fit:
                self.word = TfidfVectorizer(
                    analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                    max_features=cfg.max_word_features, token_pattern=r"(?u)\b\w[\w-]+\b",
                    dtype=np.float32,
                )
                blocks.append(self.word.fit_transform(lemmatised))
            else:
                assert self.word is not None
                blocks.append(self.word.transform(lemmatised))
        if cfg.use_char:
            if fit:
                self.char = TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                    max_features=cfg.max_char_features, dtype=np.float32,
                )
                blocks.append(self.char.fit_transform(folded))
            else:
                assert self.char is not None
                blocks.append(self.char.transform(folded))
        if cfg.use_seeds:
            counts = self.seeds.matrix(texts, folded)
            blocks.append(sparse.csr_matrix(np.log1p(counts) * cfg.seed_weight))
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    # -- training ---------------------------------------------------------------------------------
    def _fit_lr(self, X: sparse.csr_matrix, Y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = X.astype(np.float64)
        coefs = np.zeros((Y.shape[1], X.shape[1]), dtype=np.float32)
        intercepts = np.full(Y.shape[1], -10.0, dtype=np.float32)
        for k in range(Y.shape[1]):
            y = Y[:, k]
            if y.min() == y.max():
                continue
            lr = LogisticRegression(
                C=self.config.C, class_weight="balanced", solver="liblinear", dual=True, max_iter=500
            )
            lr.fit(X, y, sample_weight=w)
            coefs[k] = lr.coef_[0]
            intercepts[k] = lr.intercept_[0]
        return coefs, intercepts

    def fit(
        self, texts: list[str], Y: np.ndarray, weights: np.ndarray | None = None, prune: bool = True
    ) -> TopicClassifier:
        """Fit vectorisers and one logistic regression per topic (``prune``: store a pruned lemma table)."""
        w = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=float)
        self.lemmas = None
        self._seeds = None
        X = self._features(texts, fit=True)
        self.coef, self.intercept = self._fit_lr(X, Y, w)
        if prune:
            self._prune_lemmas()
        return self

    def tune_thresholds(
        self,
        texts: list[str],
        Y: np.ndarray,
        weights: np.ndarray,
        tunable: np.ndarray,
        folds: int = 5,
        seed: int = 0,
    ) -> np.ndarray:
        """Out-of-fold probabilities on the ``tunable`` (gold) rows, then the F1-best threshold per topic.

        Rows with ``tunable == False`` (weak / pseudo labels) are always kept in the training folds.
        """
        gold = np.flatnonzero(tunable)
        other = np.flatnonzero(~tunable)
        oof = np.zeros((len(gold), Y.shape[1]))
        for tr, va in KFold(folds, shuffle=True, random_state=seed).split(gold):
            idx = np.concatenate([gold[tr], other])
            sub = TopicClassifier(self.config)
            sub.fit([texts[i] for i in idx], Y[idx], weights[idx], prune=False)
            oof[va] = sub.predict_proba([texts[i] for i in gold[va]])
        self.thresholds = best_thresholds(oof, Y[gold], self.config.default_threshold)
        return oof

    # -- inference --------------------------------------------------------------------------------
    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability per topic (columns in taxonomy order)."""
        if self.coef is None or self.intercept is None:
            raise RuntimeError("model is not fitted")
        if not texts:
            return np.zeros((0, len(self.topic_ids)))
        X = self._features(texts)
        z = np.asarray(X @ self.coef.T) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def predict(self, texts: list[str]) -> tuple[list[list[str]], np.ndarray]:
        """Topic id lists (probability >= topic threshold, best first) and the probability matrix."""
        proba = self.predict_proba(texts)
        labels: list[list[str]] = []
        for row in proba:
            chosen = np.flatnonzero(row >= self.thresholds)
            chosen = chosen[np.argsort(-row[chosen])]
            labels.append([self.topic_ids[k] for k in chosen])
        return labels, proba


def best_thresholds(proba: np.ndarray, Y: np.ndarray, default: float = 0.5) -> np.ndarray:
    """Per column, the threshold on a 0.05..0.95 grid maximising F1 (default when no positives)."""
    grid = np.round(np.arange(0.05, 0.96, 0.025), 3)
    out = np.full(Y.shape[1], default)
    for k in range(Y.shape[1]):
        y = Y[:, k].astype(bool)
        if not y.any():
            continue
        best, best_t = -1.0, default
        for t in grid:
            p = proba[:, k] >= t
            tp = float((p & y).sum())
            f1 = 2 * tp / (p.sum() + y.sum()) if (p.sum() + y.sum()) else 0.0
            # ties: prefer the threshold closest to the default (more stable than the extreme)
            if f1 > best + 1e-9 or (abs(f1 - best) <= 1e-9 and abs(t - default) < abs(best_t - default)):
                best, best_t = f1, float(t)
        out[k] = best_t
    return out
