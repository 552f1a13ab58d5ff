"""Contract tests for the lake interface, run against every engine available here.

delta-rs always runs; delta-spark runs when its jars are on the classpath (see jobs/spark.py)
and is skipped with the reason otherwise. Tables are also read back with independent readers
(polars, DuckDB) in separate processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DateType, LongType, StringType, TimestampType

from jobs.lake import Lake, LakeError, open_lake
from jobs.spark import find_delta_jars
from schemas.contract import TableContract, build_schema, column

ROOT = Path(__file__).resolve().parents[1]
DAY1, DAY2 = date(2026, 11, 26), date(2026, 11, 27)
T0 = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)

_schema, _docs = build_schema(
    column("event_id", StringType(), "key", False),
    column("day", DateType(), "partition", False),
    column("at", TimestampType(), "event time", False),
    column("likes", LongType(), "engagement"),
    column("label", StringType(), "free text"),
    column("run_id", StringType(), "run metadata, ignored when comparing", False),
)
EVENTS = TableContract(
    name="lake_contract_events",
    layer="ops",
    schema=_schema,
    column_docs=_docs,
    description="test table",
    keys=("event_id",),
    partition_by="day",
    write_mode="merge",
    ignore_on_compare=("run_id",),
)

ENGINES = [
    "delta-rs",
    pytest.param(
        "delta-spark",
        marks=pytest.mark.skipif(
            not find_delta_jars(),
            reason="delta-spark jars (io.delta:delta-spark_2.13 + delta-storage 4.x) are not on this machine "
            "(Maven is unreachable); set CIVIC_PULSE_DELTA_JARS to a folder holding them to run these",
        ),
    ),
]


@pytest.fixture(params=ENGINES)
def engine_lake(request: pytest.FixtureRequest, spark, settings) -> Lake:
    from dataclasses import replace

    return open_lake(replace(settings, lake_engine=request.param), spark)


def events(spark, rows: list[tuple[str, date, int | None, str | None]], run_id: str = "r1") -> DataFrame:
    data = [
        (eid, day, T0 + timedelta(minutes=i), likes, label, run_id)
        for i, (eid, day, likes, label) in enumerate(rows)
    ]
    return spark.createDataFrame(data, EVENTS.schema)


def as_set(df: DataFrame, cols: tuple[str, ...] = ("event_id", "day", "likes", "label")) -> set[tuple]:
    return {tuple(r) for r in df.select(*cols).collect()}


def test_create_if_missing_from_contract(engine_lake: Lake) -> None:
    assert not engine_lake.exists(EVENTS)
    engine_lake.ensure_table(EVENTS)
    engine_lake.ensure_table(EVENTS)  # second call is a no-op
    assert engine_lake.exists(EVENTS)
    assert engine_lake.version(EVENTS) == 0
    assert engine_lake.read(EVENTS).schema == EVENTS.schema
    assert engine_lake.read(EVENTS).count() == 0


def test_merge_initial_incremental_and_rerun(engine_lake: Lake, spark) -> None:
    first = events(spark, [("a", DAY1, 1, "x"), ("b", DAY1, 2, "y")])
    r1 = engine_lake.merge(EVENTS, first)
    assert (r1.committed, r1.inserted, r1.updated) == (True, 2, 0)

    # Re-run with unchanged content (only run metadata differs): no new version.
    r2 = engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("b", DAY1, 2, "y")], run_id="r2"))
    assert not r2.committed
    assert r2.version == r1.version

    # Incremental: b's engagement changed, c is new, a unchanged.
    r3 = engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("b", DAY1, 5, "y"), ("c", DAY2, None, None)]))
    assert (r3.committed, r3.inserted, r3.updated, r3.version) == (True, 1, 1, r1.version + 1)
    expected = {("a", DAY1, 1, "x"), ("b", DAY1, 5, "y"), ("c", DAY2, None, None)}
    assert as_set(engine_lake.read(EVENTS)) == expected
    # Time travel to the first merge still shows the old engagement.
    assert as_set(engine_lake.read(EVENTS, version=r1.version)) == {("a", DAY1, 1, "x"), ("b", DAY1, 2, "y")}
    # Only new keys: committed as an append (no scan for matches); any update: a real MERGE.
    ops = [h.operation for h in engine_lake.history(EVENTS)]
    assert [op.upper() for op in ops[-2:]] == ["WRITE", "MERGE"], ops
    r4 = engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("d", DAY2, 3, "w")]))
    assert (r4.committed, r4.inserted, r4.updated, r4.version) == (True, 1, 0, r3.version + 1)
    assert engine_lake.history(EVENTS)[-1].operation.upper() == "WRITE"
    assert as_set(engine_lake.read(EVENTS)) == expected | {("d", DAY2, 3, "w")}


def test_merge_of_staged_rows_appends_their_parquet_only_when_every_key_is_new(
    engine_lake: Lake, spark, monkeypatch: pytest.MonkeyPatch
) -> None:
    stagings: list[str] = []
    real_stage = engine_lake.stage

    def counting_stage(df: DataFrame, label: str):  # noqa: ANN202 - same as Lake.stage
        stagings.append(label)
        return real_stage(df, label)

    first = engine_lake.stage(events(spark, [("a", DAY1, 1, "x"), ("b", DAY1, 2, "y")]), "test/first")
    monkeypatch.setattr(engine_lake, "stage", counting_stage)
    r1 = engine_lake.merge(EVENTS, first, count_by="label")
    assert (r1.committed, r1.inserted, r1.updated, r1.counts_by) == (True, 2, 0, {"x": (1, 0), "y": (1, 0)})
    assert stagings == [], "all keys new: the staged Parquet itself is appended"
    assert engine_lake.history(EVENTS)[-1].operation.upper() == "WRITE"
    assert as_set(engine_lake.read(EVENTS)) == {("a", DAY1, 1, "x"), ("b", DAY1, 2, "y")}

    # The same staged rows again: keys exist, so the changes are computed (and there are none).
    r2 = engine_lake.merge(EVENTS, first)
    assert (r2.committed, r2.version) == (False, r1.version)
    assert stagings == [EVENTS.qualified_name]

    # One existing key changed and one new: a real MERGE with both counted.
    mixed = real_stage(events(spark, [("b", DAY1, 5, "y"), ("c", DAY2, None, None)]), "test/mixed")
    r3 = engine_lake.merge(EVENTS, mixed)
    assert (r3.committed, r3.inserted, r3.updated) == (True, 1, 1)
    assert engine_lake.history(EVENTS)[-1].operation.upper() == "MERGE"
    expected = {("a", DAY1, 1, "x"), ("b", DAY1, 5, "y"), ("c", DAY2, None, None)}
    assert as_set(engine_lake.read(EVENTS)) == expected

    # New keys, but staged with another type than the contract's: conformed and staged again.
    stagings.clear()
    other_types = real_stage(events(spark, [("d", DAY2, 7, "w")]).withColumn("likes", F.col("likes").cast("int")),
                             "test/int")
    r4 = engine_lake.merge(EVENTS, other_types)
    assert (r4.committed, r4.inserted, r4.updated) == (True, 1, 0)
    assert stagings == [EVENTS.qualified_name]
    assert as_set(engine_lake.read(EVENTS)) == expected | {("d", DAY2, 7, "w")}

    # Staged rows are checked like any others: nulls in required columns and duplicate keys fail.
    version = engine_lake.version(EVENTS)
    nulls = real_stage(events(spark, [("e", DAY2, 1, "x")]).withColumn("run_id", F.lit(None).cast("string")), "t/n")
    with pytest.raises(LakeError, match="nulls in required columns"):
        engine_lake.merge(EVENTS, nulls)
    dupes = real_stage(events(spark, [("f", DAY2, 1, "x"), ("f", DAY2, 2, "x")]), "t/d")
    with pytest.raises(LakeError, match="duplicate keys"):
        engine_lake.merge(EVENTS, dupes)
    assert engine_lake.version(EVENTS) == version
    engine_lake.cleanup_staging()


def test_one_audit_pass_counts_rows_and_keys_already_in_the_table(engine_lake: Lake, spark) -> None:
    """The staged-merge audit: rows, keys the table holds, duplicates and nulls, from one query."""
    engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("b", DAY1, 2, "y")]))
    audit = engine_lake._audit_against_table  # noqa: SLF001 - the pass merge() relies on
    assert audit(EVENTS, events(spark, [("b", DAY1, 2, "y"), ("c", DAY2, 1, "x"), ("d", DAY2, 1, "x")])) == (3, 1)
    assert audit(EVENTS, events(spark, [("c", DAY2, 1, "x")])) == (1, 0)
    assert audit(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("b", DAY1, 1, "x")])) == (2, 2)
    assert audit(EVENTS, events(spark, [("c", DAY2, 1, "x")]).where("false")) == (0, 0)
    with pytest.raises(LakeError, match=r"duplicate keys in input, e.g. \[\('c',\)\]"):
        audit(EVENTS, events(spark, [("c", DAY2, 1, "x"), ("c", DAY2, 2, "x"), ("a", DAY1, 1, "x")]))
    # a null in a required column fails even when the row's key is already in the table
    with pytest.raises(LakeError, match=r"nulls in required columns \{'run_id': 1\}"):
        audit(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("e", DAY2, 1, "x")]).withColumn(
            "run_id", F.when(F.col("event_id") == "a", None).otherwise(F.lit("r")).cast("string")))


def test_merge_counts_by_column(engine_lake: Lake, spark) -> None:
    engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x")]))
    result = engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 2, "x"), ("b", DAY1, 1, "x"), ("c", DAY1, 1, "z")]),
                               count_by="label")
    assert result.counts_by == {"x": (1, 1), "z": (1, 0)}


def test_merge_rejects_duplicate_keys_and_nulls(engine_lake: Lake, spark) -> None:
    with pytest.raises(LakeError, match="duplicate keys"):
        engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("a", DAY1, 2, "x")]))
    bad = events(spark, [("a", DAY1, 1, "x")]).withColumn("run_id", F.lit(None).cast("string"))
    with pytest.raises(LakeError, match="nulls in required columns"):
        engine_lake.merge(EVENTS, bad)
    assert engine_lake.read(EVENTS).count() == 0
    with pytest.raises(LakeError, match="lacks columns"):
        engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x")]).drop("label"))


def test_replace_partition_is_idempotent_and_scoped(engine_lake: Lake, spark) -> None:
    engine_lake.replace_partition(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("b", DAY1, 1, "x")]), DAY1)
    engine_lake.replace_partition(EVENTS, events(spark, [("c", DAY2, 1, "x")]), DAY2)
    v = engine_lake.version(EVENTS)

    same = engine_lake.replace_partition(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("b", DAY1, 1, "x")], "r9"), DAY1)
    assert not same.committed and same.version == v

    changed = engine_lake.replace_partition(EVENTS, events(spark, [("d", DAY1, 7, "y")]), DAY1)
    assert changed.committed and changed.version == v + 1
    assert as_set(engine_lake.read(EVENTS)) == {("d", DAY1, 7, "y"), ("c", DAY2, 1, "x")}

    with pytest.raises(LakeError, match="outside partition"):
        engine_lake.replace_partition(EVENTS, events(spark, [("e", DAY2, 1, "x")]), DAY1)
    with pytest.raises(ValueError):
        engine_lake.replace_partition(EVENTS, events(spark, [("e", DAY1, 1, "x")]), "2026-11-26' OR 1=1 --")


def test_replace_partitions_commits_the_named_days_once_and_leaves_the_rest(engine_lake: Lake, spark) -> None:
    DAY0, DAY3 = date(2026, 11, 25), date(2026, 11, 28)
    engine_lake.replace_partition(EVENTS, events(spark, [("a", DAY0, 1, "x")]), DAY0)
    engine_lake.replace_partition(EVENTS, events(spark, [("b", DAY1, 1, "x"), ("b2", DAY1, 2, "x")]), DAY1)
    engine_lake.replace_partition(EVENTS, events(spark, [("c", DAY2, 1, "x")]), DAY2)
    v = engine_lake.version(EVENTS)
    # Staged rows of four days; DAY0 is not named (left alone although its staged row differs),
    # DAY2 is named but has no staged rows (emptied), DAY3 is new.
    staged = engine_lake.stage(
        engine_lake.conform(EVENTS, events(spark, [
            ("a-new", DAY0, 9, "z"), ("b", DAY1, 5, "y"), ("d", DAY3, 1, "x"),
        ], "r2")),
        "test/replace_partitions",
    )
    result = engine_lake.replace_partitions(EVENTS, staged, [DAY3, DAY1, DAY2, DAY1])
    assert result.committed and result.version == v + 1 and result.rows_written == 2  # one commit, three days
    assert as_set(engine_lake.read(EVENTS)) == {("a", DAY0, 1, "x"), ("b", DAY1, 5, "y"), ("d", DAY3, 1, "x")}

    nothing = engine_lake.replace_partitions(EVENTS, staged, [])
    assert not nothing.committed and nothing.version == v + 1
    unconformed = engine_lake.stage(events(spark, [("e", DAY1, 1, "x")]).drop("run_id"), "test/unconformed")
    with pytest.raises(LakeError, match="contract's columns and types"):
        engine_lake.replace_partitions(EVENTS, unconformed, [DAY1])
    with pytest.raises(ValueError):
        engine_lake.replace_partitions(EVENTS, staged, ["2026-11-26') OR (1=1"])
    nulls = engine_lake.stage(
        engine_lake.conform(EVENTS, events(spark, [("f", DAY1, 1, "x")]).withColumn("run_id", F.lit(None).cast("string"))),
        "test/nulls",
    )
    with pytest.raises(LakeError, match="nulls in required columns"):
        engine_lake.replace_partitions(EVENTS, nulls, [DAY1])
    assert engine_lake.version(EVENTS) == v + 1
    engine_lake.cleanup_staging()


def test_append_and_history(engine_lake: Lake, spark) -> None:
    empty = engine_lake.append(EVENTS, events(spark, []))
    assert not empty.committed
    engine_lake.append(EVENTS, events(spark, [("a", DAY1, 1, "x")]))
    engine_lake.append(EVENTS, events(spark, [("b", DAY2, 1, "x")]))
    ops = [h.operation for h in engine_lake.history(EVENTS)]
    assert len(ops) == 3 and ops[0] == "CREATE TABLE"
    assert engine_lake.read(EVENTS).count() == 2
    assert engine_lake.read(EVENTS, version=1).count() == 1


def test_read_at_timestamp(engine_lake: Lake, spark) -> None:
    engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x")]))
    after_first = engine_lake.history(EVENTS)[-1].timestamp
    assert after_first is not None
    import time

    time.sleep(1.1)
    engine_lake.merge(EVENTS, events(spark, [("a", DAY1, 2, "x")]))
    old = engine_lake.read(EVENTS, timestamp=after_first + timedelta(milliseconds=500))
    assert as_set(old) == {("a", DAY1, 1, "x")}


def test_staged_parquet_is_plain_and_its_compression_is_configuration(lake: Lake, spark) -> None:
    import glob

    import pyarrow.parquet as pq

    from jobs.lake.base import STAGING_COMPRESSION_CONF

    def column_chunks(path: str) -> list:
        files = glob.glob(f"{path}/*.parquet")
        assert files
        return [md.row_group(0).column(i) for md in (pq.ParquetFile(f).metadata for f in files)
                if md.num_row_groups for i in range(md.num_columns)]

    rows = events(spark, [(f"e{i}", DAY1, i % 3, "acelasi text repetat") for i in range(200)])
    plain = column_chunks(lake.stage(rows, "test/plain").path)
    assert {c.compression for c in plain} == {"UNCOMPRESSED"}
    assert not any("DICTIONARY" in e for c in plain for e in c.encodings)
    assert not any(c.is_stats_set and c.statistics.has_min_max for c in plain)
    spark.conf.set(STAGING_COMPRESSION_CONF, "zstd")
    try:
        assert {c.compression for c in column_chunks(lake.stage(rows, "test/zstd").path)} == {"ZSTD"}
    finally:
        spark.conf.unset(STAGING_COMPRESSION_CONF)
    lake.cleanup_staging()
    assert {c.compression for c in column_chunks(lake.stage(rows, "test/again").path)} == {"UNCOMPRESSED"}
    lake.cleanup_staging()


def test_large_write_streams_from_many_staged_files(lake: Lake, spark) -> None:
    n = 60_000
    big = (
        spark.range(n)
        .repartition(6)
        .select(
            F.concat(F.lit("e"), F.col("id").cast("string")).alias("event_id"),
            F.when(F.col("id") % 2 == 0, F.lit(DAY1)).otherwise(F.lit(DAY2)).alias("day"),
            F.lit(T0).alias("at"),
            F.col("id").alias("likes"),
            F.lit("bulk").alias("label"),
            F.lit("r1").alias("run_id"),
        )
    )
    result = lake.merge(EVENTS, big)
    assert result.inserted == n
    agg = lake.read(EVENTS).agg(F.count("*").alias("n"), F.sum("likes").alias("s")).collect()[0]
    assert (agg["n"], agg["s"]) == (n, n * (n - 1) // 2)
    # Staging is cleaned once the commit is done.
    staging = Path(lake.settings.staging_dir)
    assert not staging.exists() or not any(p.suffix == ".parquet" for p in staging.rglob("*"))


def _independent_read(reader: str, path: str) -> set[tuple]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "independent_reader.py"), reader, path],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return {(r["event_id"], str(r["day"]), r["likes"], r["label"]) for r in rows}


@pytest.mark.parametrize("reader", ["polars", "duckdb"])
def test_independent_readers_agree_with_spark(lake: Lake, spark, reader: str) -> None:
    lake.merge(EVENTS, events(spark, [("a", DAY1, 1, "x"), ("b", DAY2, None, "ș ț ă")]))
    lake.merge(EVENTS, events(spark, [("a", DAY1, 3, "x")]))
    spark_rows = {(e, str(d), n, lab) for e, d, n, lab in as_set(lake.read(EVENTS))}
    other = _independent_read(reader, lake.path(EVENTS))
    assert other == spark_rows  # both directions: set equality
    assert ("a", str(DAY1), 3, "x") in other


def test_merge_and_replace_compare_map_columns(lake: Lake, spark) -> None:
    from pyspark.sql.types import DoubleType, MapType, StructField, StructType

    schema = StructType([*EVENTS.schema.fields, StructField("scores", MapType(StringType(), DoubleType()), True)])
    contract = TableContract(
        name="lake_map_events", layer="ops", schema=schema, column_docs={**_docs, "scores": "map"},
        description="test", keys=("event_id",), partition_by="day", write_mode="merge", ignore_on_compare=("run_id",),
    )
    rows = [("a", DAY1, T0, 1, "x", "r1", {"p": 0.5, "q": 0.1}), ("b", DAY1, T0, 1, "x", "r1", None)]
    assert lake.merge(contract, spark.createDataFrame(rows, schema)).inserted == 2
    assert not lake.merge(contract, spark.createDataFrame(rows, schema)).committed
    changed = [("a", DAY1, T0, 1, "x", "r2", {"p": 0.5, "q": 0.2})]
    assert lake.merge(contract, spark.createDataFrame(changed, schema)).updated == 1
    same_partition = lake.replace_partition(contract, lake.read(contract), DAY1)
    assert not same_partition.committed
