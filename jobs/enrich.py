"""Enrich job: silver.posts of one day → silver.posts_enriched (sentiment, topics, institutions, places).

Run: ``python -m jobs.enrich --day 2026-11-27`` or ``spark-submit jobs/enrich.py --day 2026-11-27``.

The three models run in one Arrow pass (``mapInArrow``), loaded once per Python worker; no
row-at-a-time UDFs. The pass is spread over one task per :data:`SCORING_ROWS_PER_TASK` rows (a
day of silver is often one Parquet file, which would otherwise be one task on one core), and
each task stages its rows as Parquet itself (:func:`stage_partition`); the merge audits and
publishes them. Sentiment reads the
masked post text; topics and entities also see the masked title (the article, petition or
thread a comment belongs to). Only Romanian posts and posts too short to identify (``und``) are
scored; the rest keep null model columns with the reason. MERGE on post_id: a re-run with
unchanged silver and models commits nothing.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # spark-submit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from jobs.cli import job_parser, parse_job_args
from jobs.lake import Lake, open_lake
from jobs.lake.base import Staged, WriteResult
from jobs.runmetrics import PhaseTimer
from jobs.settings import Settings
from jobs.spark import build_spark, python_pass_tasks
from schemas.contract import spark_to_arrow_schema
from schemas.enriched import POSTS_ENRICHED, SCORED_LANGS
from schemas.ops import MODEL_QUALITY
from schemas.silver import POSTS as SILVER_POSTS

log = logging.getLogger("civic_pulse.enrich")

SENTIMENT_TEXT = "_sentiment_text"  # masked post text

TOPIC_TEXT = "_topic_text"
SCORING_ROWS_PER_TASK = 18_000
"""Rows per task of the model pass, at most (whole rounds of one task per core,
:func:`jobs.spark.python_pass_tasks`): under the 20,000-row Arrow batch,
so that a task is one batch and the copies of a text that :func:`stage_enriched` sends to it are
scored once (:func:`score_partition`)."""
SKIPPED_REASON = "enrich_skipped_reason"
MODEL_COLUMNS = [
    f for f in POSTS_ENRICHED.schema.fields
    if f.name not in SILVER_POSTS.columns and f.name not in (SKIPPED_REASON, "enrich_run_id", "enriched_at")
]


@dataclass(frozen=True)
class EnrichResult:
    run_id: str
    day: date
    silver_rows: int
    scored: int
    skipped: int
    inserted: int
    updated: int
    version: int
    model_versions: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "day": self.day.isoformat()}


def score_partition(
    batches: Iterator[pa.RecordBatch], out_schema: pa.Schema, distinct: bool = True
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: silver rows in, the same rows + model columns + skip reason out.

    Rows in a language the models do not score (:data:`SCORED_LANGS`, or none) come back with
    null model columns and the reason, here rather than in a second Spark branch: that branch
    read and decoded the whole day of silver a second time to find 1 % of its rows.

    The two model texts are derived here, in Arrow (:func:`with_model_texts`), rather than in Spark:
    two more text columns would travel from the JVM to Python for nothing. A batch that already
    holds them (the bench's in-process measure) is taken as it is.

    With ``distinct`` (the default), each model scores each distinct text of a batch once and its
    columns are taken back to every row holding that text: every model column is a function of
    its text alone (tested), and a day repeats texts (short replies, "Bravo!", templated answers
    under different posts) that :func:`stage_enriched` sends to one task and batch.
    """
    import pyarrow.compute as pc

    scored_langs = pa.array(SCORED_LANGS)
    for batch in batches:
        if batch.num_rows == 0:
            continue
        scorable = pc.fill_null(pc.is_in(batch.column("lang"), value_set=scored_langs), False)
        to_score = pc.sum(scorable).as_py() or 0
        if to_score < batch.num_rows:
            yield _skipped_rows(batch.filter(pc.invert(scorable)), out_schema)
            if to_score == 0:
                continue
            batch = batch.filter(scorable)
        yield _scored_rows(batch, out_schema, distinct)


def _skipped_rows(batch: pa.RecordBatch, out_schema: pa.Schema) -> pa.RecordBatch:
    """Rows the models do not score: null model columns, and "language <lang> not scored"."""
    import pyarrow.compute as pc

    lang = pc.fill_null(batch.column("lang").cast(pa.string()), "unknown")
    reason = pc.binary_join_element_wise(pa.scalar("language "), lang, pa.scalar(" not scored"), "")
    columns = []
    for field in out_schema:
        if field.name == SKIPPED_REASON:
            columns.append(reason.cast(field.type))
        elif field.name in batch.schema.names:
            columns.append(batch.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(batch.num_rows, field.type))
    return pa.RecordBatch.from_arrays(columns, schema=out_schema)


def _scored_rows(batch: pa.RecordBatch, out_schema: pa.Schema, distinct: bool) -> pa.RecordBatch:
    """Rows in a scored language, with every model column (and a null skip reason)."""
    if SENTIMENT_TEXT not in batch.schema.names:
        batch = with_model_texts(batch)
    if not distinct:
        return _score_rows(batch, out_schema)
    sentiment = batch.column(SENTIMENT_TEXT).dictionary_encode()
    topic = batch.column(TOPIC_TEXT).dictionary_encode()
    by_text = _score_rows(
        pa.RecordBatch.from_arrays([sentiment.dictionary], names=[SENTIMENT_TEXT]), None, topics=False
    )
    by_topic_text = _score_rows(
        pa.RecordBatch.from_arrays([topic.dictionary], names=[TOPIC_TEXT]), None, sentiment=False
    )
    columns = []
    for field in out_schema:
        if field.name in batch.schema.names:
            column = batch.column(field.name)
        elif field.name == SKIPPED_REASON:
            column = pa.nulls(batch.num_rows, field.type)
        elif field.name in by_text.schema.names:
            column = by_text.column(field.name).take(sentiment.indices)
        else:
            column = by_topic_text.column(field.name).take(topic.indices)
        columns.append(column.cast(field.type))
    return pa.RecordBatch.from_arrays(columns, schema=out_schema)


def _score_rows(
    batch: pa.RecordBatch, out_schema: pa.Schema | None, sentiment: bool = True, topics: bool = True
) -> pa.RecordBatch:
    """``batch`` plus the model columns (sentiment on SENTIMENT_TEXT; topics and entities on TOPIC_TEXT)."""
    from models.entities.spark import extract_batch
    from models.sentiment.spark import score_batches
    from models.topics.spark import score_batch

    scored = batch
    if sentiment:
        scored = next(score_batches(iter([scored]), text_col=SENTIMENT_TEXT))
    if topics:
        scored = extract_batch(score_batch(scored, text_col=TOPIC_TEXT), text_col=TOPIC_TEXT)
    if out_schema is None:
        return scored
    return pa.RecordBatch.from_arrays(
        [
            pa.nulls(scored.num_rows, f.type) if f.name == SKIPPED_REASON else scored.column(f.name).cast(f.type)
            for f in out_schema
        ],
        schema=out_schema,
    )


def scored_spark_schema(silver_schema: StructType = SILVER_POSTS.schema) -> StructType:
    """What :func:`score_partition` returns: the silver columns, the model columns, the skip reason."""
    return StructType([*silver_schema.fields, *MODEL_COLUMNS, POSTS_ENRICHED.schema[SKIPPED_REASON]])


def with_model_texts(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The two model texts, in Arrow: the masked text (or ""), and title and text joined as Spark's
    ``concat_ws(" \\n", title_masked, text_masked)`` joins them (tested against it)."""
    import pyarrow.compute as pc

    title, text = batch.column("title_masked"), batch.column("text_masked")
    sentiment = pc.fill_null(text, "")
    # concat_ws skips nulls; pyarrow's null_handling="skip" drops rows that are all null (26.0),
    # so both present are joined and otherwise the one present, or "", is taken.
    topic = pc.coalesce(pc.binary_join_element_wise(title, text, " \n"), title, text, pa.scalar(""))
    return pa.RecordBatch.from_arrays(
        [*batch.columns, sentiment, topic],
        names=[*batch.schema.names, SENTIMENT_TEXT, TOPIC_TEXT],
    )


def enriched_spark_schema(silver_schema: StructType = SILVER_POSTS.schema) -> StructType:
    """What :func:`stage_partition` stages: :func:`scored_spark_schema` plus the run's id and time."""
    run_columns = [POSTS_ENRICHED.schema["enrich_run_id"], POSTS_ENRICHED.schema["enriched_at"]]
    return StructType([*scored_spark_schema(silver_schema).fields, *run_columns])


SUMMARY_SCHEMA = StructType.fromJson({
    "type": "struct",
    "fields": [
        {"name": name, "type": kind, "nullable": True, "metadata": {}}
        for name, kind in (
            ("partition", "integer"), ("rows", "long"), ("scored", "long"),
            ("sentiment_model_version", "string"), ("topic_model_version", "string"),
            ("topic_taxonomy_version", "string"), ("entity_gazetteer_version", "string"),
        )
    ],
})  # fmt: skip
"""One row per task of :func:`stage_partition`: what it staged."""


def stage_partition(
    batches: Iterator[pa.RecordBatch],
    out_schema: pa.Schema,
    target: str,
    run_id: str,
    started: datetime,
    compression: str = "none",
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body that stages its own Parquet: :func:`score_partition`'s rows, with the run's
    id and time, go to ``target/part-<partition>.parquet``, and Spark gets one summary row back.

    Returning the rows to Spark to have its writer stage them made the JVM turn 58 Arrow columns
    back into rows and encode them again (docs/performance.md, item 21). A retried or
    speculative attempt writes a hidden ``_attempt-…`` file and renames it over the same final
    name, so each partition's rows are staged once whatever the attempts; readers skip the
    hidden files of an attempt that died.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from pyarrow import fs
    from pyspark import TaskContext

    context = TaskContext.get()
    partition = context.partitionId() if context is not None else 0
    attempt = context.attemptNumber() if context is not None else 0
    filesystem, root = fs.FileSystem.from_uri(arrow_staging_uri(target))
    final = f"{root}/part-{partition:05d}.parquet"
    temporary = f"{root}/_attempt-{partition:05d}-{attempt}-{uuid.uuid4().hex}.parquet"
    scored_schema = pa.schema([f for f in out_schema if f.name not in ("enrich_run_id", "enriched_at")])
    run_id_column, started_column = pa.scalar(run_id, pa.string()), pa.scalar(started, out_schema.field("enriched_at").type)
    rows = scored = 0
    versions: dict[str, str | None] = dict.fromkeys(_RUN_VERSION_KEYS)
    writer: pq.ParquetWriter | None = None
    try:
        for batch in score_partition(batches, scored_schema):
            n = batch.num_rows
            out = pa.RecordBatch.from_arrays(
                [*batch.columns, pa.repeat(run_id_column, n), pa.repeat(started_column, n)], schema=out_schema
            )
            if writer is None:
                filesystem.create_dir(root, recursive=True)
                writer = pq.ParquetWriter(
                    temporary, out_schema, filesystem=filesystem, compression=_ARROW_CODECS.get(compression, compression),
                    use_dictionary=False, write_statistics=False,
                )  # fmt: skip
            writer.write_batch(out)
            rows += n
            scored_here = n - out.column("sentiment").null_count
            scored += scored_here
            if scored_here and versions["sentiment_model_version"] is None:
                first = pc.index(pc.is_valid(out.column("sentiment")), True).as_py()
                versions = {name: out.column(name)[first].as_py() for name in _VERSION_COLUMNS}
                versions["entity_gazetteer_version"] = _gazetteer_version()
        if writer is not None:
            writer.close()
            writer = None
            filesystem.move(temporary, final)
    finally:
        if writer is not None:  # the pass failed: leave no partial file behind
            writer.close()
            filesystem.delete_file(temporary)
    yield pa.RecordBatch.from_pylist(
        [{"partition": partition, "rows": rows, "scored": scored, **versions}],
        schema=spark_to_arrow_schema(SUMMARY_SCHEMA),
    )


_VERSION_COLUMNS = ("sentiment_model_version", "topic_model_version", "topic_taxonomy_version")
# what the run records (ops.runs.model_versions): the model columns plus the gazetteer, which has no column
_RUN_VERSION_KEYS = (*_VERSION_COLUMNS, "entity_gazetteer_version")


def _gazetteer_version() -> str:
    """Version of the institutions gazetteer this worker scored with (already loaded by the scoring pass)."""
    from models.entities.extract import default_extractor

    return default_extractor().version
_ARROW_CODECS = {"uncompressed": "none", "none": "none"}


def arrow_staging_uri(target: str) -> str:
    """``target`` as pyarrow's ``FileSystem.from_uri`` takes it: a local path (``file:`` URI or
    not) made absolute, Hadoop's ``s3a://``/``s3n://`` as ``s3://``; other URIs (``gs://``,
    ``abfss://``, ``hdfs://``) as they are."""
    for hadoop_scheme in ("s3a://", "s3n://"):
        if target.startswith(hadoop_scheme):
            return "s3://" + target[len(hadoop_scheme) :]
    if "://" in target and not target.startswith("file://"):
        return target
    if target.startswith("file:"):
        target = "/" + target[len("file:") :].lstrip("/")
    return str(Path(target).resolve())


def stage_enriched(
    lake: Lake, silver: DataFrame, run_id: str, started: datetime, partitions: int
) -> tuple[Staged | None, list[dict[str, Any]]]:
    """silver rows → staged silver.posts_enriched rows (scored, or with the reason they were not;
    None when there are none), and one summary per task.

    The rows are spread over ``partitions`` tasks first, by a hash of ``text_masked``:
    deterministic on retry, no sort before the shuffle as round-robin needs, and the copies of
    a text meet in one task, which scores it once. A day of silver is one to a few Parquet
    files of one row group each, which would otherwise run the models on one core, or leave one
    core idle while the last large file finishes.
    """
    prepared = silver.select(*SILVER_POSTS.columns).repartition(partitions, "text_masked")
    schema = enriched_spark_schema(prepared.schema)
    target = lake.new_staging_path(f"enrich/{run_id}")
    body = partial(
        stage_partition,
        out_schema=spark_to_arrow_schema(schema),
        target=target,
        run_id=run_id,
        started=started,
        compression=lake.staging_compression,
    )
    summaries = [r.asDict() for r in prepared.mapInArrow(body, SUMMARY_SCHEMA).collect()]
    staged = lake.read_staged(target, schema) if any(s["rows"] for s in summaries) else None
    return staged, summaries


def record_model_quality(lake: Lake, spark: SparkSession, versions: dict[str, str]) -> WriteResult | None:
    """Merge the held-out quality of the model versions this run scored with into ``ops.model_quality``
    (no commit when the rows are already there; nothing when the run scored no post).

    A broken metrics file is logged as an error and writes nothing: the night's scores are already committed,
    and the report then says that the quality of that version is not recorded."""
    from models.quality import QualityError, quality_rows

    try:
        rows, notes = quality_rows(versions)
    except (QualityError, OSError, ValueError) as exc:
        log.error("model quality not recorded: %s", exc)
        return None
    for note in notes:
        log.warning("model quality: %s", note)
    if not rows:
        return None
    return lake.merge(MODEL_QUALITY, spark.createDataFrame(rows, MODEL_QUALITY.schema))


def run_enrich(
    settings: Settings, spark: SparkSession, day: date, run_id: str, lake: Lake | None = None
) -> EnrichResult:
    """Score the silver posts whose bronze rows landed on ``day``."""
    started = datetime.now(UTC).replace(microsecond=0)  # audit timestamp only
    lake = lake or open_lake(settings, spark)
    lake.ensure_table(POSTS_ENRICHED)
    if not lake.exists(SILVER_POSTS):
        raise RuntimeError(f"{SILVER_POSTS.qualified_name} does not exist yet: run jobs.silver for {day} first")
    silver = lake.read(SILVER_POSTS).where(F.col("landing_date") == F.lit(day))
    timer = PhaseTimer("enrich", day)
    mark = lake.staged_count
    silver_rows = silver.count()
    try:
        partitions = python_pass_tasks(spark, silver_rows, SCORING_ROWS_PER_TASK)
        staged, summaries = stage_enriched(lake, silver, run_id, started, partitions)
        timer.done(f"models ({partitions} tasks)")
        staged_rows = sum(s["rows"] for s in summaries)
        if staged_rows != silver_rows or sorted(s["partition"] for s in summaries) != list(range(partitions)):
            raise RuntimeError(
                f"enrich {day}: {len(summaries)} task summaries for {partitions} tasks staged "
                f"{staged_rows} rows for {silver_rows} silver rows"
            )
        if staged is not None:
            result = lake.merge(POSTS_ENRICHED, staged)
        else:  # no row landed that day: nothing staged, nothing to commit
            result = WriteResult(POSTS_ENRICHED.qualified_name, "merge", False, lake.version(POSTS_ENRICHED))
        timer.done("merge")
    finally:
        lake.cleanup_staging(keep=mark)
    scored = sum(s["scored"] for s in summaries)
    with_versions = [s for s in summaries if s["sentiment_model_version"] is not None]
    model_versions = {k: with_versions[0][k] for k in _RUN_VERSION_KEYS} if with_versions else {}
    record_model_quality(lake, spark, {k: str(v) for k, v in model_versions.items() if v is not None})
    timer.done("model quality")
    return EnrichResult(
        run_id=run_id,
        day=day,
        silver_rows=silver_rows,
        scored=scored,
        skipped=silver_rows - scored,
        inserted=result.inserted,
        updated=result.updated,
        version=result.version,
        model_versions={k: str(v) for k, v in model_versions.items()},
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = job_parser(__doc__.splitlines()[0] if __doc__ else "enrich")
    args, _ = parse_job_args(parser, argv)
    spark = build_spark(args.settings, app_name=f"civic-pulse-enrich-{args.day}")
    from jobs.runmetrics import run_recorded

    result = run_recorded(
        "enrich", args.settings, spark, args.day, args.run_id,
        lambda: run_enrich(args.settings, spark, args.day, args.run_id),
    )
    print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
