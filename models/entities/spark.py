"""Spark helper: add institution/place columns with ``DataFrame.mapInArrow`` (gazetteer built once per worker).

    from models.entities.spark import add_entities
    enriched = add_entities(df, text_col="text")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

INSTITUTION = pa.struct(
    [pa.field("id", pa.string()), pa.field("name", pa.string()), pa.field("kind", pa.string()),
     pa.field("county", pa.string())]
)
ENTITY_FIELDS: list[pa.Field] = [
    pa.field("institutions", pa.list_(INSTITUTION)),
    pa.field("county_code", pa.string()),
    pa.field("locality_siruta", pa.int64()),
    pa.field("locality_name", pa.string()),
]


def extract_batch(batch: pa.RecordBatch, text_col: str = "text") -> pa.RecordBatch:
    """Append entity columns to one Arrow batch (pure function, usable outside Spark)."""
    from models.entities.extract import default_extractor

    ex = default_extractor()
    results = [ex.extract(t) for t in batch.column(text_col).to_pylist()]
    arrays = [
        pa.array([r["institutions"] for r in results], type=pa.list_(INSTITUTION)),
        pa.array([r["county"] for r in results], type=pa.string()),
        pa.array([r["locality"]["siruta"] if r["locality"] else None for r in results], type=pa.int64()),
        pa.array([r["locality"]["name"] if r["locality"] else None for r in results], type=pa.string()),
    ]
    return pa.RecordBatch.from_arrays(
        list(batch.columns) + arrays, schema=pa.schema(list(batch.schema) + ENTITY_FIELDS)
    )


def entity_mapper(text_col: str = "text") -> Any:
    """A ``mapInArrow`` function closing over ``text_col``."""

    def _map(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield extract_batch(batch, text_col)

    return _map


def output_schema(input_schema: Any) -> Any:
    """Spark schema of ``add_entities`` output."""
    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

    inst = StructType([StructField(n, StringType(), True) for n in ("id", "name", "kind", "county")])
    return StructType(
        list(input_schema.fields)
        + [
            StructField("institutions", ArrayType(inst), True),
            StructField("county_code", StringType(), True),
            StructField("locality_siruta", LongType(), True),
            StructField("locality_name", StringType(), True),
        ]
    )


def add_entities(df: Any, text_col: str = "text") -> Any:
    """``df`` plus institutions, county_code, locality_siruta, locality_name."""
    if text_col not in df.columns:
        raise ValueError(f"column {text_col!r} not in DataFrame columns {df.columns}")
    return df.mapInArrow(entity_mapper(text_col), output_schema(df.schema))
