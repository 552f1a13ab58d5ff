"""Load the committed topic artifact once and score posts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np

ARTIFACT_DIR = Path(__file__).parent / "artifacts"


@dataclass
class TopicPrediction:
    """Topics (ids, best first) and the probability of every taxonomy topic for one post."""

    topics: list[str]
    scores: dict[str, float]


class TopicPredictor:
    """Wraps the fitted classifier with its model card (versions, labels)."""

    def __init__(self, artifact_dir: Path = ARTIFACT_DIR) -> None:
        card_path = artifact_dir / "model_card.json"
        model_path = artifact_dir / "topic_model.joblib"
        if not model_path.is_file():
            raise FileNotFoundError(f"topic model artifact not found: {model_path} (run `python -m models.topics all`)")
        self.card: dict[str, Any] = json.loads(card_path.read_text(encoding="utf-8"))
        self.model = joblib.load(model_path)
        self.labels: list[str] = list(self.model.topic_ids)
        self.model_version: str = self.card["version"]
        self.taxonomy_version: str = self.card["taxonomy_version"]

    def predict_many(self, texts: list[str]) -> tuple[list[list[str]], np.ndarray]:
        """Topic lists and the (n, topics) probability matrix; empty/None texts get no topics."""
        clean = ["" if t is None else str(t) for t in texts]
        if not clean:
            return [], np.zeros((0, len(self.labels)))
        labels, proba = self.model.predict(clean)
        for i, text in enumerate(clean):
            if not text.strip():
                labels[i] = []
                proba[i] = 0.0
        return labels, proba

    def predict(self, text: str) -> TopicPrediction:
        """Score one post."""
        labels, proba = self.predict_many([text])
        return TopicPrediction(labels[0], {k: round(float(v), 6) for k, v in zip(self.labels, proba[0], strict=True)})


@lru_cache(maxsize=1)
def load_predictor() -> TopicPredictor:
    """The process-wide predictor (artifact loaded once per process / Spark worker)."""
    return TopicPredictor()


def predict_topics(text: str) -> TopicPrediction:
    """Convenience: topics of one post with the committed artifact."""
    return load_predictor().predict(text)
