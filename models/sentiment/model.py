"""The sentiment model: hashed word+char n-gram features, linear heads with probability calibrators
and an optional domain gate that mixes two heads (product reviews vs social posts).

The artifact is one ``.npz`` file (no pickle): weights as float16, inverse document frequencies,
the calibration matrices and a JSON metadata blob. Features are hashed by :mod:`models.sentiment.hashing`
(vectorised numpy, deterministic), so inference needs only numpy and scipy.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from models.sentiment.hashing import char_ngram_counts, word_ngram_counts
from models.sentiment.text import analyse

if TYPE_CHECKING:
    from models.topics.model import E5Projection

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
FORMAT_VERSION = 3
PROJECTION_FORMAT_VERSION = 4  # format 3 plus the e5 projection block (written only when a model has one)


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
        return self.fit_counts(words, chars, sample_weight)

    def fit_counts(self, words: sp.csr_matrix | None, chars: sp.csr_matrix | None,
                   sample_weight: np.ndarray | None = None) -> Featurizer:
        """Learn IDF weights from precomputed n-gram counts (see :meth:`counts`)."""
        self.idf_word = self._idf(words, sample_weight) if words is not None else None
        self.idf_char = self._idf(chars, sample_weight) if chars is not None else None
        return self

    def counts(self, texts: Sequence[object]) -> tuple[sp.csr_matrix | None, sp.csr_matrix | None, np.ndarray]:
        """Raw word and char n-gram counts and the has-signal mask (the text-dependent, slow part)."""
        return self._counts(texts)

    def transform_counts(self, words: sp.csr_matrix | None, chars: sp.csr_matrix | None,
                         copy: bool = True) -> sp.csr_matrix:
        """Feature matrix from raw counts (modified in place unless ``copy``)."""
        blocks = []
        for counts, idf, weight in ((words, self.idf_word, self.config.word_weight),
                                    (chars, self.idf_char, self.config.char_weight)):
            if counts is None:
                continue
            if idf is None:
                raise RuntimeError("Featurizer is not fitted")
            block = _log_tf(counts.copy() if copy else counts)
            block.data *= idf[block.indices]
            block = _l2_normalise_rows(block)
            if weight != 1.0:
                block.data *= np.float32(weight)
            blocks.append(block)
        return blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")

    def transform_with_signal(self, texts: Sequence[object]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Feature matrix plus a mask of texts that contain any word or sentiment-emoji token."""
        words, chars, signal = self._counts(texts)
        return self.transform_counts(words, chars, copy=False), signal

    def transform(self, texts: Sequence[object]) -> sp.csr_matrix:
        """Feature matrix for ``texts``."""
        return self.transform_with_signal(texts)[0]


def projection_block(projection: E5Projection, weight: float, texts: Sequence[object]) -> sp.csr_matrix:
    """The dense e5-projection columns of ``texts`` (unit rows scaled by ``weight``), as CSR for hstack."""
    z = projection.transform([t if isinstance(t, str) else "" for t in texts])
    return sp.csr_matrix(z * np.float32(weight))


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez_compressed`` with fixed zip timestamps, so equal weights give equal bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as handle:
                np.lib.format.write_array(handle, np.asanyarray(arrays[name]), allow_pickle=False)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def sigmoid(values: np.ndarray) -> np.ndarray:
    """Logistic function, numerically stable."""
    return 0.5 * (1.0 + np.tanh(0.5 * values))


def mix_heads(probs: Sequence[np.ndarray], gate: np.ndarray | None) -> np.ndarray:
    """One head: its probabilities; two heads: ``g·p_0 + (1-g)·p_1`` with ``g`` the gate probability."""
    if gate is None:
        return probs[0]
    g = gate[:, None]
    return g * probs[0] + (1.0 - g) * probs[1]


SCORE_CLIP = 100.0  # raw scores are clipped before calibration (an absent class has intercept -1e3)


@dataclass
class Head:
    """One linear scorer ``X·Wᵀ+b`` over :data:`LABELS` with its matrix-scaling calibrator."""

    name: str
    coef: np.ndarray
    intercept: np.ndarray
    calib_matrix: np.ndarray = field(default_factory=lambda: np.eye(3))
    calib_bias: np.ndarray = field(default_factory=lambda: np.zeros(3))

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Raw scores ``(n, 3)`` → probabilities (softmax of the calibrated scores)."""
        clipped = np.clip(scores, -SCORE_CLIP, SCORE_CLIP)
        return softmax(clipped @ self.calib_matrix.T + self.calib_bias)


@dataclass
class SentimentModel:
    """Linear heads on shared hashed n-gram features, mixed by an optional domain gate.

    One head: ``p = calibrated(head)``. Two heads and a gate (e.g. product reviews vs social posts):
    ``g = sigmoid(X·w_g + b_g)`` is the probability that the text is of the first head's domain and
    ``p = g·p_0 + (1-g)·p_1``. All heads and the gate are one sparse matrix product at inference.
    """

    featurizer: Featurizer
    heads: list[Head]
    gate_coef: np.ndarray | None = None
    gate_intercept: float = 0.0
    no_signal_probs: tuple[float, float, float] = (0.05, 0.9, 0.05)
    version: str = "dev"
    meta: dict[str, Any] = field(default_factory=dict)
    projection: E5Projection | None = None  # optional dense block appended after the n-gram columns
    projection_weight: float = 0.0

    labels: tuple[str, str, str] = LABELS

    def __post_init__(self) -> None:
        if not self.heads:
            raise ValueError("a sentiment model needs at least one head")
        if self.gate_coef is not None and len(self.heads) != 2:
            raise ValueError("a gate mixes exactly two heads")
        rows = [h.coef.astype(np.float32) for h in self.heads]
        if self.gate_coef is not None:
            rows.append(self.gate_coef.astype(np.float32).reshape(1, -1))
        width = self.featurizer.n_features + (self.projection.dims if self.projection is not None else 0)
        if any(r.shape[1] != width for r in rows):
            raise ValueError(f"head weights have {rows[0].shape[1]} columns; the features have {width}")
        # (d, k) C-contiguous: the CSR × dense product then streams each weight row once.
        self._weights = np.ascontiguousarray(np.vstack(rows).T)
        self._bias = np.concatenate([*(h.intercept for h in self.heads),
                                     [self.gate_intercept] if self.gate_coef is not None else []])

    def features(self, texts: Sequence[object]) -> tuple[sp.csr_matrix, np.ndarray]:
        """The feature matrix the heads score (n-grams, then the projection block if any) and the signal mask."""
        matrix, signal = self.featurizer.transform_with_signal(texts)
        if self.projection is not None:
            matrix = sp.hstack([matrix, projection_block(self.projection, self.projection_weight, texts)],
                               format="csr")
        return matrix, signal

    def raw_scores(self, matrix: sp.csr_matrix) -> np.ndarray:
        """All raw scores ``(n, 3·heads [+1 gate])``."""
        return np.asarray(matrix @ self._weights, dtype=np.float64) + self._bias

    def gate(self, matrix: sp.csr_matrix) -> np.ndarray | None:
        """Probability of the first head's domain, or None without a gate."""
        if self.gate_coef is None:
            return None
        return sigmoid(self.raw_scores(matrix)[:, -1])

    def probabilities_from_scores(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated, gate-mixed probabilities from :meth:`raw_scores` output."""
        probs = [h.calibrate(raw[:, 3 * i : 3 * i + 3]) for i, h in enumerate(self.heads)]
        return mix_heads(probs, sigmoid(raw[:, -1]) if self.gate_coef is not None else None)

    def predict_proba(self, texts: Sequence[object]) -> np.ndarray:
        """Calibrated probabilities ``(n, 3)``; texts without any signal get :attr:`no_signal_probs`."""
        if len(texts) == 0:
            return np.zeros((0, 3))
        matrix, signal = self.features(texts)
        probs = self.probabilities_from_scores(self.raw_scores(matrix))
        probs[~signal] = np.asarray(self.no_signal_probs)
        return probs

    def predict(self, texts: Sequence[object]) -> tuple[list[str], np.ndarray]:
        """Labels (argmax) and calibrated probabilities."""
        probs = self.predict_proba(texts)
        return [self.labels[i] for i in probs.argmax(axis=1)], probs

    def save(self, path: str | Path) -> Path:
        """Write the ``.npz`` artifact (float16 weights, compressed, no pickle); byte-deterministic."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "format_version": FORMAT_VERSION if self.projection is None else PROJECTION_FORMAT_VERSION,
            "version": self.version,
            "labels": list(self.labels),
            "feature_config": asdict(self.featurizer.config),
            "no_signal_probs": list(self.no_signal_probs),
            "heads": [h.name for h in self.heads],
            "gate_intercept": float(self.gate_intercept) if self.gate_coef is not None else None,
            **self.meta,
        }
        if self.projection is not None:
            meta["projection_weight"] = float(self.projection_weight)
        fz = self.featurizer
        arrays: dict[str, np.ndarray] = {
            "coef": np.vstack([h.coef for h in self.heads]).astype(np.float16),
            "intercept": np.concatenate([h.intercept for h in self.heads]).astype(np.float64),
            "calib_matrix": np.stack([h.calib_matrix for h in self.heads]).astype(np.float64),
            "calib_bias": np.stack([h.calib_bias for h in self.heads]).astype(np.float64),
            "meta": np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
        }
        if self.gate_coef is not None:
            arrays["gate_coef"] = self.gate_coef.astype(np.float16)
        if fz.idf_word is not None:
            arrays["idf_word"] = fz.idf_word.astype(np.float16)
        if fz.idf_char is not None:
            arrays["idf_char"] = fz.idf_char.astype(np.float16)
        if self.projection is not None:
            arrays.update(self.projection.to_arrays())
        _write_npz(path, arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        """Read an artifact written by :meth:`save` (format 3, 4 with the projection block, or the single-head
        format 2)."""
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            fmt = meta.pop("format_version", None)
            if fmt not in (2, FORMAT_VERSION, PROJECTION_FORMAT_VERSION):
                raise ValueError(f"unsupported sentiment artifact format {fmt!r}")
            config = FeatureConfig.from_dict(meta.pop("feature_config"))
            idf_word = data["idf_word"].astype(np.float32) if "idf_word" in data else None
            idf_char = data["idf_char"].astype(np.float32) if "idf_char" in data else None
            coef = data["coef"].astype(np.float32)
            intercept = data["intercept"]
            calib_matrix = data["calib_matrix"].reshape(-1, 3, 3)
            calib_bias = data["calib_bias"].reshape(-1, 3)
            names = meta.pop("heads", None) or ["all"]
            heads = [Head(name, coef[3 * i : 3 * i + 3], intercept[3 * i : 3 * i + 3], calib_matrix[i],
                          calib_bias[i]) for i, name in enumerate(names)]
            gate_coef = data["gate_coef"].astype(np.float32) if "gate_coef" in data else None
            gate_intercept = meta.pop("gate_intercept", None)
            projection = None
            projection_weight = float(meta.pop("projection_weight", 0.0))
            if "projection_meta" in data:
                from models.topics.model import E5Projection

                projection = E5Projection.from_arrays(data)
            model = cls(
                featurizer=Featurizer(config, idf_word, idf_char),
                heads=heads,
                gate_coef=gate_coef,
                gate_intercept=float(gate_intercept or 0.0),
                no_signal_probs=tuple(meta.pop("no_signal_probs")),  # type: ignore[arg-type]
                version=meta.pop("version"),
                labels=tuple(meta.pop("labels")),  # type: ignore[arg-type]
                projection=projection,
                projection_weight=projection_weight,
            )
        model.meta = meta
        return model
