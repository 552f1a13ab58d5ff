"""Romanian sentiment (negative/neutral/positive) with calibrated probabilities; no Spark needed.

    from models.sentiment import load_model, predict_texts
    labels, probs = predict_texts(["Nu e rău deloc!", "Primăria nu a făcut nimic."])
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.sentiment.model import LABELS, SentimentModel

MODEL_VERSION = "2.6.0"
MODEL_PATH_ENV = "CIVIC_PULSE_SENTIMENT_MODEL"
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "artifacts" / "sentiment.npz"

_CACHE: dict[str, SentimentModel] = {}
_LOCK = threading.Lock()

__all__ = ["DEFAULT_MODEL_PATH", "LABELS", "MODEL_VERSION", "SentimentModel", "load_model", "predict_texts",
           "resolve_model_path"]


def resolve_model_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path`` > ``$CIVIC_PULSE_SENTIMENT_MODEL`` > the committed artifact."""
    chosen = Path(path or os.environ.get(MODEL_PATH_ENV) or DEFAULT_MODEL_PATH).expanduser().resolve()
    if not chosen.is_file():
        raise FileNotFoundError(f"sentiment model {chosen} not found (run `python -m models.sentiment all`)")
    return chosen


def load_model(path: str | os.PathLike[str] | None = None) -> SentimentModel:
    """Load (once per process and path) and return the sentiment model."""
    key = str(resolve_model_path(path))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = SentimentModel.load(key)
        return _CACHE[key]


def predict_texts(
    texts: Sequence[str | None], model: SentimentModel | None = None
) -> tuple[list[str], np.ndarray]:
    """Labels and calibrated probabilities ``(n, 3)`` in :data:`LABELS` order; deterministic."""
    return (model or load_model()).predict(["" if t is None else t for t in texts])
