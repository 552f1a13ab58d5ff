"""Spark session for every job, configured from settings (local by default, any master works)."""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from jobs.settings import Settings

DELTA_JARS_ENV = "CIVIC_PULSE_DELTA_JARS"


def find_delta_jars(env: dict[str, str] | None = None) -> list[str]:
    """Delta Spark jars (delta-spark + delta-storage) from ``CIVIC_PULSE_DELTA_JARS`` or the ivy cache.

    The variable may name a folder or a comma-separated list of jar files. Nothing is
    downloaded: Maven is not reachable from every machine this runs on.
    """
    env = dict(os.environ) if env is None else env
    configured = env.get(DELTA_JARS_ENV, "")
    candidates: list[str] = []
    for part in filter(None, (p.strip() for p in configured.split(","))):
        candidates.extend(glob.glob(f"{part}/*.jar") if os.path.isdir(part) else [part])
    if not configured:
        ivy = Path.home() / ".ivy2" / "jars"
        candidates.extend(glob.glob(str(ivy / "io.delta_delta-*.jar")))
    jars = [j for j in candidates if os.path.isfile(j)]
    names = " ".join(os.path.basename(j) for j in jars)
    if "delta-spark" in names and "delta-storage" in names:
        return sorted(jars)
    return []


def cores(spark: SparkSession) -> int:
    """Cores Spark schedules tasks on (``defaultParallelism``, at least 1)."""
    return max(1, spark.sparkContext.defaultParallelism)


def python_pass_tasks(spark: SparkSession, rows: int, rows_per_task: int) -> int:
    """Tasks for a CPU-heavy Python pass: one per ``rows_per_task`` rows or fewer, in whole rounds
    of one task per core (5 tasks on 2 cores would leave one core idle for the last round)."""
    per_core = cores(spark)
    return per_core * max(1, -(-rows // (rows_per_task * per_core)))


def launched_by_spark_submit() -> bool:
    """True inside a driver started by spark-submit (the JVM gateway already exists)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def build_spark(settings: Settings, app_name: str = "civic-pulse") -> SparkSession:
    """A Spark session for ``settings.spark_master``: UTC, micros timestamps, Arrow on, AQE on.

    Only the master and the driver memory depend on where it runs (and only when not started
    by spark-submit, whose command line then decides them); everything else is the same on a
    laptop and on a cluster (docs/performance.md, "Running on a real cluster"). Shuffles start
    with ``settings.shuffle_partitions`` partitions and adaptive execution coalesces small
    ones; the CPU-heavy Python passes choose their own task counts (jobs/silver.py).
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if settings.spark_master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # The JVM and Python workers started from here inherit it. A driver JVM with a 4 GiB heap reached
    # ~8 GiB resident at 1M posts; glibc's per-thread malloc arenas are one known cause of such growth
    # (Hadoop sets 4). Measured effect: docs/performance.md, item 14 (not isolated from noise).
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    builder = SparkSession.builder.appName(app_name)
    if not launched_by_spark_submit():
        # Under spark-submit the master and driver memory come from its command line.
        builder = builder.master(settings.spark_master).config("spark.driver.memory", settings.driver_memory)
    builder = (
        builder
        .config("spark.sql.shuffle.partitions", str(settings.shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "20000")
        # any plain Python UDF added later runs Arrow-batched too, not row at a time
        .config("spark.sql.execution.pythonUDF.arrow.enabled", "true")
        .config("spark.python.worker.reuse", "true")  # models and lingua load once per worker
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
        .config("spark.sql.adaptive.skewJoin.enabled", "true")
    )
    if settings.lake_engine == "delta-spark":
        jars = find_delta_jars()
        if jars:
            builder = builder.config("spark.jars", ",".join(jars))
        builder = builder.config(
            "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension"
        ).config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        builder = builder.config("spark.databricks.delta.properties.defaults.enableDeletionVectors", "false")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
