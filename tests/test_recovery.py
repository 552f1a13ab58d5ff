"""Failure recovery and run observability over the whole pipeline (issue: orchestration).

One module-scoped lake runs a generated day through every stage (a corrupt file planted in
it) and ingests the next day. The tests then check the run metrics and the quality gates on it, re-run a day and
demand identical tables, kill a job in the middle of a Delta write and re-run it, run the
same stage twice at once, and ask for a day whose landing folder does not exist.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from jobs.quality import QualityGateFailed, check_ingest, check_stage
from jobs.sample_data import generate_day
from schemas import all_contracts
from schemas.bronze import INGEST_METADATA_COLUMNS, POSTS, QUARANTINE
from schemas.gold import CONTRACTS as GOLD_CONTRACTS
from schemas.gold import GOLD_METADATA_COLUMNS
from schemas.ops import RUN_METRICS

ROOT = Path(__file__).resolve().parents[1]
DAY1, DAY2 = date(2026, 11, 26), date(2026, 11, 27)
POSTS_PER_DAY = 300
SEED = 23
STAGES = ("ingest", "silver", "enrich", "gold", "report")
DATA_STAGES = STAGES[:4]


def _settings(base: Path):
    from jobs.settings import Settings

    return Settings(
        lake_root=str(base / "lake"),
        landing_root=str(base / "landing"),
        reports_root=str(base / "reports"),
        shuffle_partitions=2,
        demo_mode=True,
    ).resolved()


def _generate(settings) -> None:
    landing = Path(settings.landing_root)
    generate_day(landing, DAY1, POSTS_PER_DAY, seed=SEED)
    generate_day(landing, DAY2, POSTS_PER_DAY, seed=SEED, repeat_of=DAY1)
    # A corrupt file: gzip magic, then garbage. It must be quarantined, not stop the run.
    corrupt = landing / "x" / DAY1.isoformat() / "broken-export.jsonl.gz"
    corrupt.parent.mkdir(parents=True, exist_ok=True)
    corrupt.write_bytes(gzip.compress(b'{"id": "1", "text": "ok"}\n')[:25])


def _versions(lake) -> dict[str, int]:
    """Versions of every table except the append-only run logs (a re-run adds a log row)."""
    logs = (RUN_METRICS.qualified_name, "ops.ingest_runs")
    return {c.qualified_name: lake.version(c) for c in all_contracts() if c.qualified_name not in logs and lake.exists(c)}


def _rows(lake, contract, drop=()) -> list[tuple]:
    df = lake.read(contract)
    keep = [c for c in contract.columns if c not in drop]
    return sorted(tuple(r) for r in df.select(*keep).collect())


@pytest.fixture(scope="module")
def pipeline_lake(tmp_path_factory: pytest.TempPathFactory, spark):
    from jobs.lake import open_lake
    from jobs.pipeline import run_pipeline

    settings = _settings(tmp_path_factory.mktemp("recovery"))
    _generate(settings)
    run_pipeline(settings, [DAY1], spark=spark)
    return settings, open_lake(settings, spark)


@pytest.fixture(scope="module")
def day2_ingested(pipeline_lake, spark):
    """The same lake after the next day's ingest (tests using it run after the day-1 re-run)."""
    from jobs.ingest import run_ingest
    from jobs.runmetrics import run_recorded

    settings, lake = pipeline_lake
    run_recorded("ingest", settings, spark, DAY2, "day2", lambda: run_ingest(settings, spark, DAY2, "day2", lake))
    return settings, lake


# ------------------------------------------------------------------ run observability
def test_every_stage_records_a_metrics_row_that_matches_the_tables(pipeline_lake) -> None:
    settings, lake = pipeline_lake
    rows = [r.asDict(recursive=True) for r in lake.read(RUN_METRICS).collect()]
    day1 = {r["stage"]: r for r in rows if r["day"] == DAY1 and r["status"] == "success"}
    assert set(day1) == set(STAGES), sorted(day1)
    ingest, silver, enrich = day1["ingest"], day1["silver"], day1["enrich"]
    assert ingest["rows_in"] == (
        ingest["rows_out"] + ingest["rows_quarantined"] + int(ingest["details"]["duplicates"])
        + int(ingest["details"]["unchanged"])
    )
    assert silver["rows_in"] == ingest["rows_out"]
    assert silver["rows_in"] == silver["rows_out"] + int(silver["details"]["duplicates_collapsed"])
    assert enrich["rows_in"] == silver["rows_out"]
    assert set(enrich["model_versions"]) >= {"sentiment_model_version", "topic_model_version", "topic_taxonomy_version",
                                             "entity_gazetteer_version"}
    for r in day1.values():
        assert r["duration_s"] > 0 and r["code_version"].startswith("0.1.0")
        assert r["lake_engine"] == lake.engine_name
    assert all(day1[s]["table_versions"] for s in DATA_STAGES)
    # The recorded versions are real versions of those tables.
    assert day1["gold"]["table_versions"]["gold.indicators_daily"] == lake.version(GOLD_CONTRACTS[0])
    assert day1["ingest"]["table_versions"]["bronze.posts"] == lake.version(POSTS)
    quarantined = lake.read(QUARANTINE).where("ingest_file like '%broken-export%'").count()
    assert quarantined == 1


def test_quality_gates_pass_on_a_good_run(pipeline_lake) -> None:
    settings, _ = pipeline_lake
    assert check_ingest(settings, DAY1, max_quarantine_rate=0.2).records_read > 0
    for stage in ("silver", "enrich", "gold"):
        assert check_stage(settings, stage, DAY1).rows_out > 0


def test_gate_fails_without_a_successful_stage_run(pipeline_lake) -> None:
    settings, _ = pipeline_lake
    with pytest.raises(QualityGateFailed, match="no successful silver run"):
        check_stage(settings, "silver", date(2026, 11, 20))


# ------------------------------------------------------------------ idempotence
def test_running_the_same_day_again_changes_no_table(pipeline_lake, spark) -> None:
    from jobs.pipeline import run_pipeline

    settings, lake = pipeline_lake
    before = _versions(lake)
    gold_before = {c.name: _rows(lake, c, GOLD_METADATA_COLUMNS) for c in GOLD_CONTRACTS}
    run_pipeline(settings, [DAY1], spark=spark)
    assert _versions(lake) == before
    for c in GOLD_CONTRACTS:
        assert _rows(lake, c, GOLD_METADATA_COLUMNS) == gold_before[c.name], c.name


# ------------------------------------------------------------------ killed mid-write
def _job(module: str, settings, day: date, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, "--day", day.isoformat(), "--lake-root", settings.lake_root,
         "--landing-root", settings.landing_root, "--run-id", f"{module}-{day}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "CIVIC_PULSE_DEMO_MODE": "true", "CIVIC_PULSE_SHUFFLE_PARTITIONS": "2",
             "CIVIC_PULSE_DRIVER_MEMORY": "1g", **(env or {})},
    )


def test_job_killed_mid_write_then_rerun_loses_nothing_and_duplicates_nothing(
    day2_ingested, tmp_path: Path, spark
) -> None:
    from jobs.ingest import run_ingest
    from jobs.lake import open_lake

    clean_settings, clean_lake = day2_ingested
    settings = _settings(tmp_path)
    _generate(settings)
    lake = open_lake(settings, spark)
    run_ingest(settings, spark, DAY1, "day1", lake)
    day1_version, day1_rows = lake.version(POSTS), lake.read(POSTS).count()

    killed = _job("jobs.ingest", settings, DAY2, {"CIVIC_PULSE_FAULT_KILL_DURING_WRITE": "bronze.posts"})
    assert killed.returncode == -9, killed.stderr[-2000:]
    # The MERGE never committed: the table is exactly as day 1 left it.
    assert lake.version(POSTS) == day1_version
    assert lake.read(POSTS).count() == day1_rows

    run_ingest(settings, spark, DAY2, "day2-rerun", lake)
    posts = lake.read(POSTS)
    assert posts.count() == posts.select("post_id").distinct().count()
    # Same rows as the clean run of the same landing files, compared both ways.
    assert _rows(lake, POSTS, INGEST_METADATA_COLUMNS) == _rows(clean_lake, POSTS, INGEST_METADATA_COLUMNS)


# ------------------------------------------------------------------ missing landing folder
def test_missing_landing_folder_is_clear_and_writes_nothing(pipeline_lake) -> None:
    settings, lake = pipeline_lake
    before = _versions(lake)
    result = _job("jobs.ingest", settings, date(2026, 11, 1))
    assert result.returncode == 3
    assert "no landing files for 2026-11-01" in result.stderr and "nothing written" in result.stderr
    assert _versions(lake) == before


# ------------------------------------------------------------------ concurrent runs
def test_concurrent_runs_of_the_same_day_queue_and_change_nothing_twice(day2_ingested, spark) -> None:
    from jobs.ingest import run_ingest
    from jobs.runmetrics import run_recorded

    settings, lake = day2_ingested
    before = _versions(lake)
    errors: list[BaseException] = []

    def one(run_id: str) -> None:
        try:
            run_recorded("ingest", settings, spark, DAY2, run_id, lambda: run_ingest(settings, spark, DAY2, run_id))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(f"concurrent-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    # Both runs saw the day already loaded: no table moved (the run logs got their rows).
    assert _versions(lake) == before
    runs = lake.read(RUN_METRICS).where("run_id like 'concurrent-%' and status = 'success'").count()
    assert runs == 2
    posts = lake.read(POSTS)
    assert posts.count() == posts.select("post_id").distinct().count()


def test_a_run_that_cannot_get_the_stage_lock_fails_clearly_and_writes_nothing(pipeline_lake, spark) -> None:
    from jobs.runlock import StageLocked, stage_lock
    from jobs.runmetrics import run_recorded

    settings, lake = pipeline_lake
    before = _versions(lake)
    called = []
    with stage_lock(settings, "silver", "holder"):
        os.environ["CIVIC_PULSE_LOCK_TIMEOUT_S"] = "1"
        try:
            with pytest.raises(StageLocked, match="still locked"):
                run_recorded("silver", settings, spark, DAY2, "blocked", lambda: called.append(1))
        finally:
            del os.environ["CIVIC_PULSE_LOCK_TIMEOUT_S"]
    assert not called and _versions(lake) == before
    failed = lake.read(RUN_METRICS).where("run_id = 'blocked' and status = 'failed'").collect()
    assert len(failed) == 1 and "StageLocked" in failed[0]["error"]
