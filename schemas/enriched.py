"""silver.posts_enriched: silver posts plus sentiment, topics, institutions and places.

One row per silver post. Romanian posts (and posts too short to tell, ``und``) are scored;
posts in other languages keep null model columns and say why in ``enrich_skipped_reason``.
Every scored row names the model and taxonomy versions that produced it.
"""

from __future__ import annotations

from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from schemas.contract import TableContract
from schemas.silver import POSTS as SILVER_POSTS

INSTITUTION_TYPE = StructType([StructField(n, StringType(), True) for n in ("id", "name", "kind", "county")])
SCORED_LANGS = ("ro", "und")
ENRICH_METADATA_COLUMNS = ("enrich_run_id", "enriched_at")

_extra: list[tuple[StructField, str]] = [
    (StructField("sentiment", StringType(), True), "negative / neutral / positive (null when not scored)."),
    (StructField("p_negative", DoubleType(), True), "Calibrated probability of negative."),
    (StructField("p_neutral", DoubleType(), True), "Calibrated probability of neutral."),
    (StructField("p_positive", DoubleType(), True), "Calibrated probability of positive."),
    (StructField("sentiment_model_version", StringType(), True), "Sentiment model version that scored the row."),
    (StructField("topics", ArrayType(StringType()), True), "Policy topic ids (taxonomy), possibly empty."),
    (StructField("topic_scores", MapType(StringType(), DoubleType()), True), "Score per topic id."),
    (StructField("topic_taxonomy_version", StringType(), True), "Taxonomy version of the topic ids."),
    (StructField("topic_model_version", StringType(), True), "Topic model version that scored the row."),
    (StructField("institutions", ArrayType(INSTITUTION_TYPE), True), "Institutions mentioned: id, name, kind, county."),
    (StructField("county_code", StringType(), True), "ISO 3166-2:RO county the post is about (e.g. RO-CJ)."),
    (StructField("locality_siruta", LongType(), True), "SIRUTA code of the locality the post is about."),
    (StructField("locality_name", StringType(), True), "Name of that locality."),
    (StructField("enrich_skipped_reason", StringType(), True), "Why the models did not score the row, if so."),
    (StructField("enrich_run_id", StringType(), False), "Enrich run that last wrote the row."),
    (StructField("enriched_at", TimestampType(), False), "When that run started (UTC)."),
]

POSTS_ENRICHED = TableContract(
    name="posts_enriched",
    layer="silver",
    schema=StructType([*SILVER_POSTS.schema.fields, *(f for f, _ in _extra)]),
    column_docs={**SILVER_POSTS.column_docs, **{f.name: d for f, d in _extra}},
    description="Silver posts with sentiment, topics, institutions and places; MERGE on post_id.",
    keys=("post_id",),
    partition_by="created_date",
    write_mode="merge",
    ignore_on_compare=(*SILVER_POSTS.ignore_on_compare, *ENRICH_METADATA_COLUMNS),
)

CONTRACTS = [POSTS_ENRICHED]
