"""Ingest job: initial load, incremental load, re-runs that change nothing, quarantine, reconciliation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from jobs.ingest import NoLandingData, main, run_ingest
from jobs.sample_data import generate_day
from schemas.bronze import ENGAGEMENT_COLUMNS, INGEST_RUNS, PLATFORM_TYPES, POSTS, QUARANTINE

ROOT = Path(__file__).resolve().parents[1]
DAY1, DAY2 = date(2026, 11, 26), date(2026, 11, 27)
POSTS_PER_DAY = 700


def engagement():
    return sum((F.coalesce(F.col(c), F.lit(0)) for c in ENGAGEMENT_COLUMNS), F.lit(0)).alias("engagement")


def manifest(settings, day: date) -> dict:
    return json.loads((Path(settings.landing_root) / "_manifests" / f"{day.isoformat()}.json").read_text())


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory, spark):
    """Day 1, its re-run, day 2 (re-emitting some day-1 posts with more engagement), day 1 again."""
    from jobs.lake import open_lake
    from jobs.settings import Settings

    base = tmp_path_factory.mktemp("ingest")
    settings = Settings(
        lake_root=str(base / "lake"), landing_root=str(base / "landing"), shuffle_partitions=2, demo_mode=True
    ).resolved()
    generate_day(Path(settings.landing_root), DAY1, POSTS_PER_DAY, seed=11)
    generate_day(Path(settings.landing_root), DAY2, POSTS_PER_DAY, seed=11, repeat_of=DAY1)
    lake = open_lake(settings, spark)
    results = {
        "day1": run_ingest(settings, spark, DAY1, "run-day1", lake),
        "day1_rerun": run_ingest(settings, spark, DAY1, "run-day1-again", lake),
    }
    results["day1_bronze"] = {
        r["post_id"]: r["engagement"] for r in lake.read(POSTS).select("post_id", engagement()).collect()
    }
    results["day2"] = run_ingest(settings, spark, DAY2, "run-day2", lake)
    results["day1_after_day2"] = run_ingest(settings, spark, DAY1, "run-day1-late", lake)
    return settings, lake, results


def test_initial_load_reconciles_with_the_generator(two_days) -> None:
    settings, lake, results = two_days
    first = results["day1"]
    planted = manifest(settings, DAY1)["totals"]
    assert first.total("records_read") == planted["expected_valid"] + planted["expected_rejected"]
    assert first.total("quarantined") == planted["expected_rejected"]
    assert first.total("duplicates") == planted["duplicates"]
    assert first.total("ingested_new") == planted["expected_valid"] - planted["duplicates"]
    assert all(s.reconciles for s in first.sources)
    # Every platform type of the canonical schema is represented.
    types = {r["platform_type"] for r in lake.read(POSTS, version=first.posts_version).select("platform_type").distinct().collect()}
    assert types == set(PLATFORM_TYPES)


def test_rerun_of_same_day_changes_nothing(two_days) -> None:
    _, _, results = two_days
    first, again = results["day1"], results["day1_rerun"]
    assert again.posts_version == first.posts_version
    assert again.quarantine_version == first.quarantine_version
    assert again.total("ingested_new") == 0 and again.total("updated") == 0
    assert again.total("unchanged") == first.total("ingested_new")


def test_incremental_day_updates_engagement(two_days) -> None:
    settings, lake, results = two_days
    second = results["day2"]
    planted = manifest(settings, DAY2)["totals"]
    assert second.total("updated") > 0
    assert second.total("updated") + second.total("unchanged") <= planted["repeated_records"]
    assert second.total("records_read") == planted["expected_valid"] + planted["expected_rejected"]
    assert second.posts_version == results["day1"].posts_version + 1
    # Updated rows carry more engagement than on day 1 and the day-2 landing date.
    before = results["day1_bronze"]
    now = lake.read(POSTS).where(F.col("landing_date") == F.lit(DAY2)).select("post_id", engagement()).collect()
    bumped = [r for r in now if r["post_id"] in before]
    assert len(bumped) == second.total("updated")
    assert all(r["engagement"] > before[r["post_id"]] for r in bumped)


def test_late_rerun_of_an_older_day_cannot_undo_a_newer_one(two_days) -> None:
    _, _, results = two_days
    late = results["day1_after_day2"]
    assert late.total("updated") == 0 and late.total("ingested_new") == 0
    assert late.posts_version == results["day2"].posts_version


def test_quarantine_has_reason_file_line_and_raw(two_days) -> None:
    _, lake, results = two_days
    rows = lake.read(QUARANTINE).where(F.col("landing_date") == F.lit(DAY1)).collect()
    assert len(rows) == results["day1"].total("quarantined") > 0
    assert all(r["reason"] and r["ingest_file"] and r["raw_text"] is not None for r in rows)
    assert any(r["ingest_line"] == 0 for r in rows), "a whole malformed file is quarantined with line 0"
    assert any(r["ingest_line"] > 0 for r in rows)


def test_run_counts_are_recorded_per_source(two_days) -> None:
    _, lake, results = two_days
    runs = lake.read(INGEST_RUNS).where(F.col("run_id") == "run-day2").collect()
    assert {r["source"] for r in runs} == {s.source for s in results["day2"].sources}
    for r in runs:
        outcomes = r["ingested_new"] + r["updated"] + r["unchanged"] + r["duplicates"] + r["quarantined"]
        assert r["records_read"] == outcomes


def test_bronze_reads_the_same_with_polars(two_days) -> None:
    _, lake, _ = two_days
    out = subprocess.run(
        [sys.executable, "-c",
         "import polars as pl, sys, json; f = pl.read_delta(sys.argv[1]);"
         "print(json.dumps(sorted(f['post_id'].to_list())))", lake.path(POSTS)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    polars_ids = json.loads(out.stdout)
    spark_ids = sorted(r["post_id"] for r in lake.read(POSTS).select("post_id").collect())
    assert polars_ids == spark_ids
    assert len(set(spark_ids)) == len(spark_ids)


def test_corrupt_file_is_quarantined_and_run_finishes(spark, settings) -> None:
    folder = Path(settings.landing_root) / "x" / DAY1.isoformat()
    folder.mkdir(parents=True)
    (folder / "broken.json").write_bytes(b'{"data": [{"id": "1", "text": "Primaria nu')
    (folder / "binary.json.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = run_ingest(settings, spark, DAY1, "corrupt")
    assert result.total("records_read") == 2 and result.total("quarantined") == 2
    assert result.total("ingested_new") == 0


def test_missing_landing_folder_is_clear_and_writes_nothing(spark, settings, capsys) -> None:
    with pytest.raises(NoLandingData, match="no landing files for 2026-11-26|does not exist"):
        run_ingest(settings, spark, DAY1, "missing")
    assert not Path(settings.lake_root).exists()
    Path(settings.landing_root, "x", DAY2.isoformat()).mkdir(parents=True)
    env = {"CIVIC_PULSE_LAKE_ROOT": settings.lake_root, "CIVIC_PULSE_LANDING_ROOT": settings.landing_root}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        assert main(["--day", DAY1.isoformat()]) == 3
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert not Path(settings.lake_root).exists()


def test_required_fields_enforced_by_contract(lake, spark) -> None:
    """A post without created_at can never reach bronze: the contract rejects the write."""
    from jobs.lake import LakeError

    bad = spark.createDataFrame([], POSTS.schema).unionByName(
        spark.createDataFrame([{c: None for c in POSTS.columns} | {"post_id": "p"}], schema=replace_nullable(POSTS.schema))
    )
    with pytest.raises(LakeError):
        lake.merge(POSTS, bad)


def replace_nullable(schema):
    from pyspark.sql.types import StructField, StructType

    return StructType([StructField(f.name, f.dataType, True) for f in schema.fields])


def test_landing_files_parse_in_balanced_tasks_biggest_first(spark, settings) -> None:
    """A few tasks (4 per core), no shuffle, every file once, the largest (gzip ~6x) first in its task."""
    from datetime import UTC, datetime

    from jobs.ingest import PARSE_TASKS_PER_CORE, _parse_weight, balanced_bins, landing_files, parse_landing

    generate_day(Path(settings.landing_root), DAY1, 400, seed=5)
    files = landing_files(settings, DAY1)
    tasks = PARSE_TASKS_PER_CORE * spark.sparkContext.defaultParallelism
    assert len(files) > tasks
    parsed = parse_landing(spark, files, "order", datetime(2026, 11, 26, tzinfo=UTC), DAY1)
    assert parsed.rdd.getNumPartitions() == tasks
    per_task = {}
    for r in parsed.select("ingest_file", F.spark_partition_id().alias("task")).collect():
        per_task.setdefault(r["task"], []).append(r["ingest_file"])
    seen = [f for task in sorted(per_task) for f in dict.fromkeys(per_task[task])]
    assert sorted(seen) == sorted(p for _, p in files)  # each file in exactly one task
    for task_files in per_task.values():
        weights = [_parse_weight(f) for f in dict.fromkeys(task_files)]
        assert weights == sorted(weights, reverse=True)
    bins = balanced_bins(files, tasks)
    loads = [sum(_parse_weight(p) for _, p in b) for b in bins]
    assert max(loads) - min(loads) <= max(_parse_weight(p) for _, p in files)
    assert balanced_bins(files, 10_000) == [[f] for f in sorted(files, key=lambda f: (-_parse_weight(f[1]), f))]
    assert parse_landing(spark, [], "none", datetime(2026, 11, 26, tzinfo=UTC), DAY1).count() == 0
