"""Quality gates: each reason to stop a run, on small hand-made ops rows, plus a property test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest
from deltalake import write_deltalake
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jobs.quality import (
    IngestQuality,
    QualityGateFailed,
    check_ingest,
    check_stage,
    ingest_problems,
    schema_drift,
)
from schemas.bronze import INGEST_RUNS, POSTS
from schemas.ops import RUN_METRICS

DAY = date(2026, 11, 27)


def _ingest_row(day: date, source: str, read: int, quarantined: int = 0, run_id: str | None = None) -> dict:
    t = datetime(day.year, day.month, day.day, 3, tzinfo=UTC).replace(tzinfo=None)
    return {
        "run_id": run_id or f"run-{day}", "landing_date": day, "source": source, "files": 1,
        "records_read": read, "ingested_new": read - quarantined, "updated": 0, "unchanged": 0,
        "duplicates": 0, "quarantined": quarantined, "started_at": t, "finished_at": t + timedelta(minutes=1),
    }


def _write_runs(lake, spark, rows: list[dict]) -> None:
    lake.append(INGEST_RUNS, spark.createDataFrame(rows, INGEST_RUNS.schema))


def _history(days: int, sources: dict[str, int]) -> list[dict]:
    return [_ingest_row(DAY - timedelta(days=d), s, n) for d in range(1, days + 1) for s, n in sources.items()]


def test_a_healthy_day_passes(lake, spark, settings) -> None:
    _write_runs(lake, spark, _history(5, {"x": 100, "facebook": 50}) + [
        _ingest_row(DAY, "x", 120, 3), _ingest_row(DAY, "facebook", 40, 1)
    ])
    q = check_ingest(settings, DAY)
    assert (q.records_read, q.quarantined, q.silent_sources) == (160, 4, [])


def test_zero_volume_stops_the_run(lake, spark, settings) -> None:
    _write_runs(lake, spark, [_ingest_row(DAY, "x", 0)])
    with pytest.raises(QualityGateFailed, match="zero volume"):
        check_ingest(settings, DAY)


def test_no_ingest_recorded_for_the_day(lake, spark, settings) -> None:
    _write_runs(lake, spark, _history(2, {"x": 10}))
    with pytest.raises(QualityGateFailed, match="no ingest run recorded for 2026-11-27"):
        check_ingest(settings, DAY)


def test_overall_quarantine_rate_above_threshold(lake, spark, settings) -> None:
    _write_runs(lake, spark, [_ingest_row(DAY, "x", 100, 30)])
    with pytest.raises(QualityGateFailed, match=r"quarantine rate 30\.0% .* exceeds 20\.0%"):
        check_ingest(settings, DAY, max_quarantine_rate=0.2)
    assert check_ingest(settings, DAY, max_quarantine_rate=0.35).quarantined == 30


def test_one_source_changing_its_format_is_reported_as_input_drift(lake, spark, settings) -> None:
    # 40 of 1,040 records overall (3.8 %), but every facebook record fails to parse.
    _write_runs(lake, spark, [_ingest_row(DAY, "x", 1000), _ingest_row(DAY, "facebook", 40, 40)])
    with pytest.raises(QualityGateFailed, match="source 'facebook'.*export format has probably changed"):
        check_ingest(settings, DAY)


def test_a_source_that_went_silent_stops_the_run_unless_allowed(lake, spark, settings) -> None:
    _write_runs(lake, spark, _history(5, {"x": 100, "facebook": 50}) + _history(2, {"reddit": 5}) + [
        _ingest_row(DAY, "x", 100)
    ])
    with pytest.raises(QualityGateFailed, match="went silent on 2026-11-27: facebook sent posts") as info:
        check_ingest(settings, DAY)
    assert "reddit" not in str(info.value)  # active on 2 earlier days only: not expected daily
    assert check_ingest(settings, DAY, allow_silent=("facebook",)).silent_sources == ["facebook"]


def test_only_the_latest_ingest_run_of_the_day_counts(lake, spark, settings) -> None:
    bad = _ingest_row(DAY, "x", 100, 90, run_id="run-a")
    good = _ingest_row(DAY, "x", 100, 1, run_id="run-b")
    good["finished_at"] = bad["finished_at"] + timedelta(hours=1)
    _write_runs(lake, spark, [bad, good])
    assert check_ingest(settings, DAY).quarantined == 1


def test_table_schema_drift_is_caught(lake, spark, settings) -> None:
    _write_runs(lake, spark, [_ingest_row(DAY, "x", 100)])
    write_deltalake(settings.table_path(POSTS.layer, POSTS.name), pa.table({"post_id": ["a"], "oops": [1]}))
    assert schema_drift(settings, ["bronze.posts"])[0].startswith("bronze.posts: columns differ")
    with pytest.raises(QualityGateFailed, match="schema drift: bronze.posts"):
        check_ingest(settings, DAY)


def _metrics_row(stage: str, rows_in: int, rows_out: int, details: dict[str, str]) -> dict:
    t = datetime(2026, 11, 28, 3)
    return {
        "run_id": "r", "day": DAY, "stage": stage, "attempt_id": f"{stage}-{rows_in}-{rows_out}", "status": "success",
        "error": None, "started_at": t, "finished_at": t, "duration_s": 1.0, "rows_in": rows_in,
        "rows_out": rows_out, "rows_quarantined": 0, "details": details, "code_version": "test",
        "model_versions": {}, "table_versions": {}, "lake_engine": "delta-rs", "host": "h",
    }


def test_stage_gates_check_reconciliation(lake, spark, settings) -> None:
    rows = [
        _metrics_row("silver", 10, 7, {"duplicates_collapsed": "2"}),
        _metrics_row("enrich", 7, 6, {"skipped": "1"}),
    ]
    lake.append(RUN_METRICS, spark.createDataFrame(rows, RUN_METRICS.schema))
    with pytest.raises(QualityGateFailed, match="silver counts do not reconcile.*10 bronze rows != 7 silver rows"):
        check_stage(settings, "silver", DAY)
    assert check_stage(settings, "enrich", DAY).rows_out == 6
    lake.append(RUN_METRICS, spark.createDataFrame([_metrics_row("enrich", 5, 5, {"skipped": "0"})], RUN_METRICS.schema))
    with pytest.raises(QualityGateFailed, match="no successful gold run"):
        check_stage(settings, "gold", DAY)
    lake.append(RUN_METRICS, spark.createDataFrame([_metrics_row("gold", 0, 0, {})], RUN_METRICS.schema))
    with pytest.raises(QualityGateFailed, match="gold.indicators_daily does not exist yet"):
        check_stage(settings, "gold", DAY)


@st.composite
def ingest_days(draw) -> IngestQuality:
    sources = draw(st.dictionaries(st.sampled_from(["x", "facebook", "reddit", "rss", "petitions"]),
                                   st.tuples(st.integers(0, 500), st.integers(0, 500)), max_size=5))
    per_source = {s: {"records_read": r, "quarantined": min(q, r)} for s, (r, q) in sources.items()}
    silent = draw(st.lists(st.sampled_from(["x", "facebook", "reddit"]), unique=True, max_size=2))
    return IngestQuality(
        day=DAY,
        records_read=sum(v["records_read"] for v in per_source.values()),
        quarantined=sum(v["quarantined"] for v in per_source.values()),
        ingested_new=0, updated=0, silent_sources=silent, per_source=per_source,
    )


@hsettings(max_examples=300, deadline=None)
@given(ingest_days(), st.floats(0.01, 0.99))
def test_gate_verdict_property(q: IngestQuality, rate: float) -> None:
    problems = ingest_problems(q, rate, allow_silent=(), min_source_records=20)
    should_stop = (
        q.records_read == 0
        or q.quarantined / q.records_read > rate
        or any(v["records_read"] >= 20 and v["quarantined"] / v["records_read"] > rate for v in q.per_source.values())
        or bool(q.silent_sources)
    )
    assert bool(problems) == should_stop
    # Allowing every silent source never adds a problem.
    assert len(ingest_problems(q, rate, allow_silent=tuple(q.silent_sources))) <= len(problems)
