"""Policy-topic classification (multi-label, Romanian) with a versioned taxonomy."""

from models.topics.predictor import TopicPredictor, load_predictor, predict_topics
from models.topics.taxonomy import TAXONOMY_VERSION, TOPIC_IDS

__all__ = ["TAXONOMY_VERSION", "TOPIC_IDS", "TopicPredictor", "load_predictor", "predict_topics"]
