"""Spark helper: add topic columns with ``DataFrame.mapInArrow`` (artifact loaded once per worker).

    from models.topics.spark import add_topics
    scored = add_topics(df, text_col="text")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

TOPIC_FIELDS: list[pa.Field] = [
    pa.field("topics", pa.list_(pa.string())),
    pa.field("topic_scores", pa.map_(pa.string(), pa.float64())),
    pa.field("topic_taxonomy_version", pa.string()),
    pa.field("topic_model_version", pa.string()),
]


def score_batch(batch: pa.RecordBatch, text_col: str = "text") -> pa.RecordBatch:
    """Append the topic columns to one Arrow batch (pure function, usable outside Spark)."""
    from models.topics.predictor import load_predictor

    predictor = load_predictor()
    texts = batch.column(text_col).to_pylist()
    labels, proba = predictor.predict_many(texts)
    n = batch.num_rows
    keys = predictor.labels
    scores = [list(zip(keys, (round(float(v), 6) for v in row), strict=True)) for row in proba]
    arrays = [
        pa.array(labels, type=pa.list_(pa.string())),
        pa.array(scores, type=pa.map_(pa.string(), pa.float64())),
        pa.array([predictor.taxonomy_version] * n, type=pa.string()),
        pa.array([predictor.model_version] * n, type=pa.string()),
    ]
    return pa.RecordBatch.from_arrays(
        list(batch.columns) + arrays, schema=pa.schema(list(batch.schema) + TOPIC_FIELDS)
    )


def topic_mapper(text_col: str = "text") -> Any:
    """A ``mapInArrow`` function closing over ``text_col``."""

    def _map(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield score_batch(batch, text_col)

    return _map


def output_schema(input_schema: Any) -> Any:
    """Spark schema of ``add_topics`` output: input columns + topic columns."""
    from pyspark.sql.types import (
        ArrayType,
        DoubleType,
        MapType,
        StringType,
        StructField,
        StructType,
    )

    return StructType(
        list(input_schema.fields)
        + [
            StructField("topics", ArrayType(StringType()), True),
            StructField("topic_scores", MapType(StringType(), DoubleType()), True),
            StructField("topic_taxonomy_version", StringType(), True),
            StructField("topic_model_version", StringType(), True),
        ]
    )


def add_topics(df: Any, text_col: str = "text") -> Any:
    """``df`` plus topics (array<string>), topic_scores (map<string,double>) and version columns."""
    if text_col not in df.columns:
        raise ValueError(f"column {text_col!r} not in DataFrame columns {df.columns}")
    return df.mapInArrow(topic_mapper(text_col), output_schema(df.schema))
