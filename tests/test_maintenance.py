"""Maintenance: compaction keeps rows, checkpoints are written, vacuum is safe and keeps pinned versions."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from jobs.maintenance import UnsafeRetention, pinned_versions, run_maintenance
from schemas.ops import RUN_METRICS

DAY = date(2026, 11, 27)


def _row(i: int) -> dict:
    t = datetime(2026, 11, 28, 3, i)
    return {
        "run_id": f"r{i}", "day": DAY, "stage": "ingest", "attempt_id": f"a{i}", "status": "success",
        "error": None, "started_at": t, "finished_at": t, "duration_s": float(i), "rows_in": i,
        "rows_out": i, "rows_quarantined": 0, "details": {"i": str(i)}, "code_version": "test",
        "model_versions": {}, "table_versions": {"bronze.posts": i}, "lake_engine": "delta-rs", "host": "h",
    }


@pytest.fixture
def small_files(lake, spark):
    for i in range(6):
        lake.append(RUN_METRICS, spark.createDataFrame([_row(i)], RUN_METRICS.schema))
    return lake


def _rows(lake, version=None) -> list[tuple]:
    return sorted(tuple(r) for r in lake.read(RUN_METRICS, version=version).select("attempt_id", "duration_s").collect())


def test_compaction_rewrites_small_files_and_keeps_every_row(small_files, spark, settings) -> None:
    lake = small_files
    before_rows, before_files, before_version = _rows(lake), lake.file_count(RUN_METRICS), lake.version(RUN_METRICS)
    assert before_files == 6
    result = run_maintenance(settings, spark, DAY, "m1", layers=["ops"])
    (entry,) = [t for t in result.tables if t.table == "ops.run_metrics"]
    assert (entry.files_before, entry.files_after, entry.rows) == (6, 1, 6)
    assert entry.compacted_removed == 6 and entry.compacted_added == 1
    assert _rows(lake) == before_rows
    assert _rows(lake, version=before_version) == before_rows  # time travel still works
    log = Path(lake.path(RUN_METRICS)) / "_delta_log"
    assert list(log.glob("*.checkpoint.parquet")), "no checkpoint written"
    assert lake.properties(RUN_METRICS)["delta.logRetentionDuration"] == "interval 3650 days"
    # A second run right after finds nothing to rewrite.
    again = run_maintenance(settings, spark, DAY, "m2", layers=["ops"])
    (entry2,) = [t for t in again.tables if t.table == "ops.run_metrics"]
    assert entry2.version_after == entry2.version_before and entry2.compacted_removed == 0


def test_dry_run_changes_nothing(small_files, spark, settings) -> None:
    lake = small_files
    version = lake.version(RUN_METRICS)
    result = run_maintenance(settings, spark, DAY, "m", layers=["ops"], dry_run=True)
    assert result.tables[0].files_after == 6 and lake.version(RUN_METRICS) == version


def test_retention_below_seven_days_is_refused(small_files, spark, settings) -> None:
    with pytest.raises(UnsafeRetention, match="below the safe minimum of 168 h"):
        run_maintenance(settings, spark, DAY, "m", retention_hours=24)


def test_vacuum_keeps_the_files_of_versions_a_report_pinned(small_files, spark, settings) -> None:
    lake = small_files
    pinned, unpinned = 3, 4
    manifest = Path(settings.reports_root) / "day" / "2026-11-27" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"table_versions": {"ops.run_metrics": pinned}}))
    assert pinned_versions(settings) == {"ops.run_metrics": {pinned}}
    expected_pinned = _rows(lake, version=pinned)
    run_maintenance(settings, spark, DAY, "m", layers=["ops"])  # compaction: old files now removed
    # Let the test vacuum immediately (the job itself never goes below 168 h).
    lake.set_properties(RUN_METRICS, {"delta.deletedFileRetentionDuration": "interval 0 hours"})
    deleted = lake.vacuum(RUN_METRICS, 0, keep_versions=sorted(pinned_versions(settings)["ops.run_metrics"]))
    assert deleted > 0
    assert _rows(lake, version=pinned) == expected_pinned  # the report's version still reads
    with pytest.raises(Exception):  # noqa: B017 - any engine error: the files are gone
        _rows(lake, version=unpinned)
    assert len(_rows(lake)) == 6


def test_command_line_as_the_dag_calls_it(small_files, settings, monkeypatch, capsys) -> None:
    from jobs.maintenance import main

    monkeypatch.setenv("CIVIC_PULSE_SHUFFLE_PARTITIONS", "2")
    monkeypatch.setenv("CIVIC_PULSE_DEMO_MODE", "true")
    argv = ["--day", "2026-11-29", "--lake-root", settings.lake_root, "--layer", "ops", "--retention-hours", "168"]
    assert main([*argv, "--dry-run", "True"]) == 0
    assert '"dry_run": true' in capsys.readouterr().out
    assert small_files.file_count(RUN_METRICS) == 7  # nothing compacted; its own metrics row added
    assert main([*argv, "--dry-run", "False"]) == 0
    # 6 rows of 11-27 compacted into 1 file, the dry run's row (11-29) and this run's row: 3 files
    assert small_files.file_count(RUN_METRICS) == 3
    stages = [r["stage"] for r in small_files.read(RUN_METRICS).where("stage = 'maintenance'").collect()]
    assert stages == ["maintenance", "maintenance"]
    with pytest.raises(SystemExit):
        main([*argv[:-2], "--retention-hours", "24"])
