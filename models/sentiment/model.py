"""The sentiment model: hashed word+char n-gram features, a linear scorer and a probability calibrator.

The artifact is one ``.npz`` file (no pickle): weights as float16, inverse document frequencies,
the calibration matrix and a JSON metadata blob. Features are hashed by :mod:`models.sentiment.hashing`
(vectorised numpy, deterministic), so inference needs only numpy and scipy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from models.sentiment.hashing import char_ngram_counts, word_ngram_counts
from models.sentiment.text import analyse

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
FORMAT_VERSION = 2


@dataclass(frozen=True)
class FeatureConfig:
    """Which n-grams are hashed, into how many buckets, and how the two blocks are weighted."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    word_bits: int = 18
    char_bits: int = 20
    negation: bool = True
    word_weight: float = 1.0
    char_weight: float = 1.0
    use_words: bool = True
    use_chars: bool = True
    polarity_lexicon: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        """Inverse of :func:`dataclasses.asdict` (JSON turns tuples into lists)."""
        values = dict(data)
        for key in ("word_ngrams", "char_ngrams"):
            values[key] = tuple(values[key])
        return cls(**values)


def _l2_normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale every row to unit Euclidean norm in place (empty rows stay empty)."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(rows, weights=matrix.data.astype(np.float64) ** 2, minlength=matrix.shape[0]))
    norms[norms == 0.0] = 1.0
    matrix.data /= norms[rows].astype(matrix.data.dtype)
    return matrix


def _log_tf(matrix: sp.csr_matrix) -> sp.csr_matrix:
    matrix.data = (1.0 + np.log(matrix.data)).astype(np.float32)
    return matrix


class Featurizer:
    """Sublinear-TF, IDF-weighted, L2-normalised hashed word and char n-grams."""

    def __init__(self, config: FeatureConfig, idf_word: np.ndarray | None = None,
                 idf_char: np.ndarray | None = None) -> None:
        self.config = config
        self.idf_word = idf_word
        self.idf_char = idf_char

    @property
    def n_features(self) -> int:
        """Width of the feature matrix."""
        width = 2**self.config.word_bits if self.config.use_words else 0
        return width + (2**self.config.char_bits if self.config.use_chars else 0)

    def _counts(
        self, texts: Sequence[object]
    ) -> tuple[sp.csr_matrix | None, sp.csr_matrix | None, np.ndarray]:
        negation, polarity = self.config.negation, self.config.polarity_lexicon
        analysed = [analyse(t, negation, polarity) for t in texts]
        signal = np.fromiter((a.has_signal for a in analysed), dtype=bool, count=len(analysed))
        words = None
        if self.config.use_words:
            words = word_ngram_counts([a.words for a in analysed], self.config.word_ngrams,
                                      2**self.config.word_bits)
        chars = None
        if self.config.use_chars:
            chars = char_ngram_counts([a.chars for a in analysed], self.config.char_ngrams,
                                      2**self.config.char_bits)
        return words, chars, signal

    @staticmethod
    def _idf(counts: sp.csr_matrix, weights: np.ndarray | None) -> np.ndarray:
        """Smooth IDF, optionally with weighted document counts (so big datasets do not dominate)."""
        w = np.ones(counts.shape[0]) if weights is None else np.asarray(weights, dtype=float)
        present = counts.copy()
        present.data[:] = 1.0
        df = np.asarray(present.T @ w).ravel()
        n = w.sum()
        return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)

    def fit(self, texts: Sequence[object], sample_weight: np.ndarray | None = None) -> Featurizer:
        """Learn IDF weights from ``texts``."""
        words, chars, _ = self._counts(texts)
        self.idf_word = self._idf(words, sample_weight) if words is not None else None
        self.idf_char = self._idf(chars, sample_weight) if chars is not None else None
        return self

    def transform_with_signal(self, texts: Sequence[object]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Feature matrix plus a mask of texts that contain any word or sentiment-emoji token."""
        words, chars, signal = self._counts(texts)
        blocks = []
        for counts, idf, weight in ((words, self.idf_word, self.config.word_weight),
                                    (chars, self.idf_char, self.config.char_weight)):
            if counts is None:
                continue
            if idf is None:
                raise RuntimeError("Featurizer is not fitted")
            block = _log_tf(counts)
            block.data *= idf[block.indices]
            block = _l2_normalise_rows(block)
            if weight != 1.0:
                block.data *= np.float32(weight)
            blocks.append(block)
        matrix = blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")
        return matrix, signal

    def transform(self, texts: Sequence[object]) -> sp.csr_matrix:
        """Feature matrix for ``texts``."""
        return self.transform_with_signal(texts)[0]


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class SentimentModel:
    """Linear scores ``X·Wᵀ+b`` → calibrated probabilities ``softmax(A·s+c)`` over :data:`LABELS`."""

    featurizer: Featurizer
    coef: np.ndarray
    intercept: np.ndarray
    calib_matrix: np.ndarray = field(default_factory=lambda: np.eye(3))
    calib_bias: np.ndarray = field(default_factory=lambda: np.zeros(3))
    no_signal_probs: tuple[float, float, float] = (0.05, 0.9, 0.05)
    version: str = "dev"
    meta: dict[str, Any] = field(default_factory=dict)

    labels: tuple[str, str, str] = LABELS

    def scores(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Raw linear scores, shape ``(n, 3)``."""
        return np.asarray(matrix @ self.coef.T, dtype=np.float64) + self.intercept

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Map raw scores to probabilities with the fitted calibration (matrix scaling)."""
        return softmax(scores @ self.calib_matrix.T + self.calib_bias)

    def predict_proba(self, texts: Sequence[object]) -> np.ndarray:
        """Calibrated probabilities ``(n, 3)``; texts without any signal get :attr:`no_signal_probs`."""
        if len(texts) == 0:
            return np.zeros((0, 3))
        matrix, signal = self.featurizer.transform_with_signal(texts)
        probs = self.calibrate(self.scores(matrix))
        probs[~signal] = np.asarray(self.no_signal_probs)
        return probs

    def predict(self, texts: Sequence[object]) -> tuple[list[str], np.ndarray]:
        """Labels (argmax) and calibrated probabilities."""
        probs = self.predict_proba(texts)
        return [self.labels[i] for i in probs.argmax(axis=1)], probs

    def save(self, path: str | Path) -> Path:
        """Write the ``.npz`` artifact (float16 weights, compressed, no pickle)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "format_version": FORMAT_VERSION,
            "version": self.version,
            "labels": list(self.labels),
            "feature_config": asdict(self.featurizer.config),
            "no_signal_probs": list(self.no_signal_probs),
            **self.meta,
        }
        fz = self.featurizer
        arrays: dict[str, np.ndarray] = {
            "coef": self.coef.astype(np.float16),
            "intercept": self.intercept.astype(np.float64),
            "calib_matrix": self.calib_matrix.astype(np.float64),
            "calib_bias": self.calib_bias.astype(np.float64),
            "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
        }
        if fz.idf_word is not None:
            arrays["idf_word"] = fz.idf_word.astype(np.float16)
        if fz.idf_char is not None:
            arrays["idf_char"] = fz.idf_char.astype(np.float16)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
        return path

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        """Read an artifact written by :meth:`save`."""
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            if meta.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"unsupported sentiment artifact format {meta.get('format_version')!r}")
            config = FeatureConfig.from_dict(meta.pop("feature_config"))
            idf_word = data["idf_word"].astype(np.float32) if "idf_word" in data else None
            idf_char = data["idf_char"].astype(np.float32) if "idf_char" in data else None
            model = cls(
                featurizer=Featurizer(config, idf_word, idf_char),
                coef=data["coef"].astype(np.float32),
                intercept=data["intercept"],
                calib_matrix=data["calib_matrix"],
                calib_bias=data["calib_bias"],
                no_signal_probs=tuple(meta.pop("no_signal_probs")),  # type: ignore[arg-type]
                version=meta.pop("version"),
                labels=tuple(meta.pop("labels")),  # type: ignore[arg-type]
            )
        meta.pop("format_version", None)
        model.meta = meta
        return model
