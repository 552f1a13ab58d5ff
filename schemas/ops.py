"""Operational tables: one row per stage attempt of every run (run observability).

``ops.run_metrics`` is appended to by every job, success or failure, so a failed attempt and
its retry are both visible. Together with ``ops.ingest_runs`` (per-source ingest counts) it
answers: what ran, on which day, how long it took, how many rows went in, out and to
quarantine, and which code, models and table versions it used.
"""

from __future__ import annotations

from pyspark.sql.types import DateType, DoubleType, LongType, MapType, StringType, TimestampType

from schemas.contract import TableContract, build_schema, column

STATUSES = ("success", "failed", "skipped")

_metrics_schema, _metrics_docs = build_schema(
    column("run_id", StringType(), "Run id shared by the stages of one pipeline run.", False),
    column("day", DateType(), "Data day the stage processed; partition column.", False),
    column("stage", StringType(), "Stage (ingest, silver, enrich, gold, report, maintenance, ...).", False),
    column("attempt_id", StringType(), "Unique id of this attempt (a retry gets a new one).", False),
    column("status", StringType(), f"One of {', '.join(STATUSES)}.", False),
    column("error", StringType(), "Error type and message of a failed attempt."),
    column("started_at", TimestampType(), "Attempt start (UTC).", False),
    column("finished_at", TimestampType(), "Attempt end (UTC).", False),
    column("duration_s", DoubleType(), "Wall-clock seconds.", False),
    column("rows_in", LongType(), "Rows the stage read (records for ingest)."),
    column("rows_out", LongType(), "Rows the stage wrote or kept for the next layer."),
    column("rows_quarantined", LongType(), "Rows sent to quarantine or collapsed as duplicates (see details)."),
    column("details", MapType(StringType(), StringType()), "Stage-specific counts and facts, as text."),
    column("code_version", StringType(), "Package version and git commit of the code that ran.", False),
    column("model_versions", MapType(StringType(), StringType()), "Model, taxonomy and gazetteer versions used (enrich: sentiment, topic model, topic taxonomy, entity gazetteer)."),
    column("table_versions", MapType(StringType(), LongType()), "Delta versions of the tables after the stage."),
    column("lake_engine", StringType(), "delta-rs or delta-spark.", False),
    column("host", StringType(), "Host name of the driver.", False),
)

RUN_METRICS = TableContract(
    name="run_metrics",
    layer="ops",
    schema=_metrics_schema,
    column_docs=_metrics_docs,
    description=(
        "One row per stage attempt: status, duration, rows in/out/quarantined, code, model and"
        " table versions. Append-only; a retry adds a row."
    ),
    keys=("attempt_id",),
    partition_by="day",
    write_mode="append",
)

_quality_schema, _quality_docs = build_schema(
    column("model", StringType(), "sentiment, topics or entities.", False),
    column("model_version", StringType(), "Version as recorded on the scored rows (entities: the gazetteer version).", False),
    column("evaluation", StringType(), "Held-out data set the figure was measured on (see the model's docs).", False),
    column("metric", StringType(), "accuracy, macro_f1, micro_f1, empty_list_accuracy, precision, recall or f1.", False),
    column("label", StringType(), "Class, topic id, institutions / county, or 'all' for a whole-model figure.", False),
    column("value", DoubleType(), "The measured value, between 0 and 1.", False),
    column("support", LongType(), "Held-out posts behind the figure (posts of the class or topic for per-label rows)."),
    column("source_file", StringType(), "Project file the figure was read from (metrics or card JSON).", False),
    column("source_sha256", StringType(), "SHA-256 of that file when the row was written.", False),
)

MODEL_QUALITY = TableContract(
    name="model_quality",
    layer="ops",
    schema=_quality_schema,
    column_docs=_quality_docs,
    description=(
        "Held-out quality of every model version that scored posts: per-class and per-topic precision, recall and"
        " F1, and whole-model figures, read from the committed metrics when enrich runs. Reports read it at the"
        " version in their manifest, so a re-rendered report shows the quality it showed first."
    ),
    keys=("model", "model_version", "evaluation", "metric", "label"),
    write_mode="merge",
)

CONTRACTS = [RUN_METRICS, MODEL_QUALITY]
