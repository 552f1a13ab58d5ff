"""Ingest job: landing files of one day → bronze.posts (MERGE), bronze.quarantine, ops.ingest_runs.

Run: ``python -m jobs.ingest --day 2026-11-27`` or ``spark-submit jobs/ingest.py --day 2026-11-27``.

Files of ``<landing_root>/<source>/<day>/`` are parsed in parallel on the executors
(Arrow batches, a few tasks of equal weight), staged as Parquet, de-duplicated within the run, and
merged on ``post_id``: a re-run of the same day adds nothing, a post seen again with new
engagement updates its row. Every record read ends up counted as new, updated, unchanged,
duplicate or quarantined, and the job fails if those counts do not reconcile.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # spark-submit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from jobs.cli import job_parser, parse_job_args
from jobs.lake import Lake, open_lake
from jobs.settings import Settings
from jobs.spark import build_spark, cores
from schemas.bronze import ENGAGEMENT_COLUMNS, INGEST_RUNS, POSTS, QUARANTINE

log = logging.getLogger("civic_pulse.ingest")

REJECT_REASON = "_reject_reason"
REJECT_RAW = "_reject_raw"
BATCH_RECORDS = 5_000
PARSE_TASKS_PER_CORE = 4  # parse tasks per core: few enough that task start-up stays small
# Parsed rows are posts or rejects, so every column may be null here; the contract's
# required columns are enforced again when bronze.posts is written.
PARSED_SCHEMA = StructType(
    [StructField(f.name, f.dataType, True) for f in POSTS.schema.fields]
    + [StructField(REJECT_REASON, StringType()), StructField(REJECT_RAW, StringType())]
)
FILES_SCHEMA = StructType([StructField("source", StringType(), False), StructField("path", StringType(), False)])


class NoLandingData(RuntimeError):
    """The landing zone has nothing for the requested day; nothing was written."""


class CountsDoNotReconcile(RuntimeError):
    """Records read differ from the sum of outcomes: something would have been lost."""


@dataclass(frozen=True)
class SourceCounts:
    source: str
    files: int = 0
    records_read: int = 0
    ingested_new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0

    @property
    def reconciles(self) -> bool:
        outcomes = self.ingested_new + self.updated + self.unchanged + self.duplicates + self.quarantined
        return self.records_read == outcomes


@dataclass(frozen=True)
class IngestResult:
    run_id: str
    day: date
    sources: list[SourceCounts]
    posts_version: int
    quarantine_version: int

    def total(self, field_name: str) -> int:
        return sum(int(getattr(s, field_name)) for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "day": self.day.isoformat(),
            "posts_version": self.posts_version,
            "quarantine_version": self.quarantine_version,
            "sources": [asdict(s) for s in self.sources],
        }


def landing_files(settings: Settings, day: date) -> list[tuple[str, str]]:
    """(source, path) of every file under ``<landing_root>/<source>/<day>/``, sorted."""
    root = Path(settings.landing_root)
    if not root.is_dir():
        raise NoLandingData(f"landing root {root} does not exist")
    found: list[tuple[str, str]] = []
    for source_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        day_dir = source_dir / day.isoformat()
        if day_dir.is_dir():
            for path in sorted(day_dir.rglob("*")):
                if path.is_file() and not path.name.startswith((".", "_")):
                    found.append((source_dir.name, str(path)))
    if not found:
        raise NoLandingData(
            f"no landing files for {day.isoformat()} under {root}/<source>/{day.isoformat()}/; nothing written"
        )
    return found


def _parsed_rows(
    source: str, path: str, run_id: str, ingested_at: datetime, landing_day: date
) -> Iterator[dict[str, Any]]:
    """Parse one file into rows of PARSED_SCHEMA: posts, or rejects with their reason."""
    from jobs.adapters import parse_file
    from jobs.adapters.base import Rejected

    try:
        for item in parse_file(path, source):
            if isinstance(item, Rejected):
                yield {
                    "source": source,
                    "ingest_file": path,
                    "ingest_line": item.line,
                    REJECT_REASON: item.reason,
                    REJECT_RAW: item.raw,
                }
                continue
            row = dict(item)
            created = row["created_at"]
            row.update(
                source=row.get("source") or source,
                created_date=created.astimezone(UTC).date(),
                ingest_file=path,
                run_id=run_id,
                ingested_at=ingested_at,
                landing_date=landing_day,
            )
            yield row
    except Exception as exc:  # an adapter bug or an unreadable file must not lose the file silently
        with open(path, "rb") as handle:
            head = handle.read(2000).decode("utf-8", "replace")
        yield {
            "source": source,
            "ingest_file": path,
            "ingest_line": 0,
            REJECT_REASON: f"file could not be parsed: {type(exc).__name__}: {exc}",
            REJECT_RAW: head,
        }


def parse_partition(
    batches: Iterator[pa.RecordBatch], run_id: str, ingested_at: datetime, landing_day: date
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (source, path) batches in, parsed record batches out."""
    from schemas.contract import spark_to_arrow_schema

    schema = spark_to_arrow_schema(PARSED_SCHEMA)
    for batch in batches:
        for source, path in zip(batch.column("source").to_pylist(), batch.column("path").to_pylist(), strict=False):
            buffer: list[dict[str, Any]] = []
            for row in _parsed_rows(source, path, run_id, ingested_at, landing_day):
                buffer.append(row)
                if len(buffer) >= BATCH_RECORDS:
                    yield pa.RecordBatch.from_pylist(buffer, schema=schema)
                    buffer = []
            if buffer:
                yield pa.RecordBatch.from_pylist(buffer, schema=schema)


def _parse_weight(path: str) -> int:
    """Rough parsing cost of a file: its size, compressed files counted as ~6x their bytes."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return 0
    return size * 6 if path.endswith(".gz") else size


def parse_tasks(spark: SparkSession, files: int) -> int:
    """Tasks of the parse: PARSE_TASKS_PER_CORE per core, at most one per file."""
    return max(1, min(files, PARSE_TASKS_PER_CORE * cores(spark)))


def balanced_bins(files: list[tuple[str, str]], bins: int) -> list[list[tuple[str, str]]]:
    """``files`` in ``bins`` lists of about equal parsing weight, each list biggest file first.

    Longest processing time first: the files, heaviest first, go one by one to the lightest list
    so far, so no list outweighs another by more than one file (ties: the lower list number).
    """
    loads = [(0, b) for b in range(bins)]
    out: list[list[tuple[str, str]]] = [[] for _ in range(bins)]
    for f in sorted(files, key=lambda f: (-_parse_weight(f[1]), f)):
        load, b = heapq.heappop(loads)
        out[b].append(f)
        heapq.heappush(loads, (load + _parse_weight(f[1]), b))
    return [b for b in out if b]


def parse_landing(
    spark: SparkSession, files: list[tuple[str, str]], run_id: str, ingested_at: datetime, day: date
) -> DataFrame:
    """All landing files parsed in parallel, in a few tasks of equal weight, biggest files first.

    One task per file cost ~45 s of task overhead at 1M posts (700 files: 71.5 s against 27.0 s
    in 8 tasks; docs/performance.md, item 19). Within a task, the largest files go first, so a
    50,000-row CSV export does not leave one core finishing alone at the end.
    """
    bins = balanced_bins(files, parse_tasks(spark, len(files)))
    # one list per task; no files: one empty task, as before (parallelize cannot make 0 slices)
    rdd = spark.sparkContext.parallelize(bins, max(1, len(bins))).flatMap(lambda b: b)
    frame = spark.createDataFrame(rdd, FILES_SCHEMA)
    return frame.mapInArrow(
        partial(parse_partition, run_id=run_id, ingested_at=ingested_at, landing_day=day), PARSED_SCHEMA
    )


def deduplicate(posts: DataFrame) -> DataFrame:
    """One row per post_id: the copy with the highest engagement, then the latest file and line."""
    engagement = sum((F.coalesce(F.col(c), F.lit(0)) for c in ENGAGEMENT_COLUMNS), F.lit(0))
    order = Window.partitionBy("post_id").orderBy(
        engagement.desc(), F.col("ingest_file").desc(), F.col("ingest_line").desc()
    )
    return posts.withColumn("_rank", F.row_number().over(order)).where("_rank = 1").drop("_rank")


def run_ingest(
    settings: Settings, spark: SparkSession, day: date, run_id: str, lake: Lake | None = None
) -> IngestResult:
    """Ingest one landing day; returns reconciled counts per source."""
    started = datetime.now(UTC).replace(microsecond=0)  # audit timestamp only, not a data date
    files = landing_files(settings, day)
    lake = lake or open_lake(settings, spark)
    lake.ensure_all([POSTS, QUARANTINE, INGEST_RUNS])

    mark = lake.staged_count
    parsed = lake.stage(parse_landing(spark, files, run_id, started, day), f"ingest/{run_id}").df
    try:
        rejected = parsed.where(F.col(REJECT_REASON).isNotNull())
        valid = parsed.where(F.col(REJECT_REASON).isNull()).drop(REJECT_REASON, REJECT_RAW)
        quarantine = rejected.select(
            F.lit(day).alias("landing_date"),
            "source",
            "ingest_file",
            "ingest_line",
            F.col(REJECT_REASON).alias("reason"),
            F.col(REJECT_RAW).alias("raw_text"),
            F.lit(run_id).alias("run_id"),
            F.lit(started).alias("quarantined_at"),
        )
        read_counts = {
            r["source"]: (r["records"], r["rejected"])
            for r in parsed.groupBy("source")
            .agg(F.count(F.lit(1)).alias("records"), F.count(REJECT_REASON).alias("rejected"))
            .collect()
        }
        # Staged once: the counts below and the MERGE (key check, change detection) read the
        # de-duplicated posts from Parquet instead of re-running the window over every row.
        staged_unique = lake.stage(deduplicate(valid), f"ingest/{run_id}/unique")
        unique_posts = staged_unique.df
        distinct_counts = {r["source"]: r["count"] for r in unique_posts.groupBy("source").count().collect()}
        merged = lake.merge(POSTS, staged_unique, count_by="source")
        quarantined = lake.replace_partition(QUARANTINE, quarantine, day)
    finally:
        lake.cleanup_staging(keep=mark)

    files_per_source: dict[str, int] = {}
    for source, _ in files:
        files_per_source[source] = files_per_source.get(source, 0) + 1
    counts = []
    for source in sorted(files_per_source):
        records, rejected_n = read_counts.get(source, (0, 0))
        distinct = distinct_counts.get(source, 0)
        new, upd = merged.counts_by.get(source, (0, 0))
        counts.append(
            SourceCounts(
                source=source,
                files=files_per_source[source],
                records_read=records,
                ingested_new=new,
                updated=upd,
                unchanged=distinct - new - upd,
                duplicates=records - rejected_n - distinct,
                quarantined=rejected_n,
            )
        )
    broken = [c for c in counts if not c.reconciles or c.unchanged < 0]
    if broken:
        raise CountsDoNotReconcile(f"ingest counts do not reconcile: {broken}")

    finished = datetime.now(UTC).replace(microsecond=0)
    runs = spark.createDataFrame(
        [
            (run_id, day, c.source, c.files, c.records_read, c.ingested_new, c.updated, c.unchanged,
             c.duplicates, c.quarantined, started, finished)
            for c in counts
        ],
        INGEST_RUNS.schema,
    )
    lake.append(INGEST_RUNS, runs)
    return IngestResult(
        run_id=run_id,
        day=day,
        sources=counts,
        posts_version=merged.version,
        quarantine_version=quarantined.version,
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = job_parser(__doc__.splitlines()[0] if __doc__ else "ingest")
    args, _ = parse_job_args(parser, argv)
    try:
        landing_files(args.settings, args.day)  # fail fast, before Spark starts
    except NoLandingData as exc:
        log.error("%s", exc)
        return 3
    spark = build_spark(args.settings, app_name=f"civic-pulse-ingest-{args.day}")
    from jobs.runmetrics import run_recorded

    result = run_recorded(
        "ingest", args.settings, spark, args.day, args.run_id,
        lambda: run_ingest(args.settings, spark, args.day, args.run_id),
    )
    print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    raise SystemExit(main())
