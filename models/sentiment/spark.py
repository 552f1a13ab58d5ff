"""Spark inference with ``DataFrame.mapInArrow``: whole Arrow batches, no row-at-a-time UDF.

The model is loaded once per Python worker process (module-level cache in :mod:`models.sentiment`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

from models.sentiment import load_model, predict_texts, resolve_model_path
from models.sentiment.model import LABELS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

SENTIMENT_COLUMNS = ("sentiment", *(f"p_{label}" for label in LABELS), "sentiment_model_version")


def score_batches(batches: Iterator[pa.RecordBatch], text_col: str = "text",
                  model_path: str | None = None) -> Iterator[pa.RecordBatch]:
    """Append sentiment columns to every batch (null text is scored as empty → neutral fallback)."""
    model = load_model(model_path)
    for batch in batches:
        texts = batch.column(text_col).to_pylist()
        labels, probs = predict_texts(texts, model)
        columns = [*batch.columns, pa.array(labels, pa.string()),
                   *(pa.array(probs[:, i], pa.float64()) for i in range(len(LABELS))),
                   pa.array([model.version] * batch.num_rows, pa.string())]
        names = [*batch.schema.names, *SENTIMENT_COLUMNS]
        yield pa.RecordBatch.from_arrays(columns, names=names)


def output_schema(schema: StructType) -> StructType:
    """Input schema plus the sentiment columns."""
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    clash = sorted(set(schema.fieldNames()) & set(SENTIMENT_COLUMNS))
    if clash:
        raise ValueError(f"input already has sentiment columns {clash}")
    extra = [StructField("sentiment", StringType(), False),
             *(StructField(f"p_{label}", DoubleType(), False) for label in LABELS),
             StructField("sentiment_model_version", StringType(), False)]
    return StructType([*schema.fields, *extra])


def score_dataframe(df: DataFrame, text_col: str = "text", model_path: str | None = None) -> DataFrame:
    """``df`` with sentiment, p_negative, p_neutral, p_positive and sentiment_model_version."""
    if text_col not in df.columns:
        raise ValueError(f"column {text_col!r} not in {df.columns}")
    path = str(resolve_model_path(model_path))
    function = functools.partial(score_batches, text_col=text_col, model_path=path)
    return df.mapInArrow(function, output_schema(df.schema))
