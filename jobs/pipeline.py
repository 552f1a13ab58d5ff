"""The main job end to end on local Spark: optional sample data, then every stage, day by day.

``python -m jobs.pipeline --day 2026-11-27 --days 3 --generate 20000`` generates seeded sample
landing files for the three days ending on ``--day`` (each later day also re-emits some earlier
posts with new engagement), then runs the stages in order in one Spark session (ingest, silver,
enrich, gold, report) and prints what each wrote, ending with where the last day's report is.
It is what ``make demo`` runs; the nightly DAG runs the same stages as separate spark-submit jobs.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jobs.settings import Settings, SettingsError, load_settings

log = logging.getLogger("civic_pulse.pipeline")


@dataclass
class StageReport:
    stage: str
    day: date
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)


def _ingest(settings: Settings, spark: Any, day: date, run_id: str) -> dict[str, Any]:
    from jobs.ingest import run_ingest
    from jobs.runmetrics import run_recorded

    result = run_recorded("ingest", settings, spark, day, run_id, lambda: run_ingest(settings, spark, day, run_id))
    return {
        "records_read": result.total("records_read"),
        "ingested_new": result.total("ingested_new"),
        "updated": result.total("updated"),
        "unchanged": result.total("unchanged"),
        "duplicates": result.total("duplicates"),
        "quarantined": result.total("quarantined"),
        "bronze.posts version": result.posts_version,
    }


def _silver(settings: Settings, spark: Any, day: date, run_id: str) -> dict[str, Any]:
    from jobs.runmetrics import run_recorded
    from jobs.silver import run_silver

    result = run_recorded("silver", settings, spark, day, run_id, lambda: run_silver(settings, spark, day, run_id))
    return {k: v for k, v in result.as_dict().items() if k not in ("run_id", "day")}


def _enrich(settings: Settings, spark: Any, day: date, run_id: str) -> dict[str, Any]:
    from jobs.enrich import run_enrich
    from jobs.runmetrics import run_recorded

    result = run_recorded("enrich", settings, spark, day, run_id, lambda: run_enrich(settings, spark, day, run_id))
    return {k: v for k, v in result.as_dict().items() if k not in ("run_id", "day")}


def _gold(settings: Settings, spark: Any, day: date, run_id: str) -> dict[str, Any]:
    from jobs.gold import run_gold
    from jobs.runmetrics import run_recorded

    result = run_recorded("gold", settings, spark, day, run_id, lambda: run_gold(settings, spark, day, run_id))
    summary = {k: v for k, v in result.as_dict().items() if k not in ("run_id", "day")}
    for key in ("touched_days", "recomputed_days"):
        if isinstance(summary.get(key), list):
            summary[key] = len(summary[key])
    return summary


def _report(settings: Settings, spark: Any, day: date, run_id: str) -> dict[str, Any]:
    from jobs.report import run_nightly_reports
    from jobs.runmetrics import StageOutcome, run_recorded

    results = run_recorded(
        "report", settings, spark, day, run_id, lambda: run_nightly_reports(settings, spark, day, run_id),
        outcome=lambda rs: StageOutcome(rows_out=len(rs), details={r.period: r.html for r in rs}),
    )
    return {
        r.period: {"html": r.html, "pdf": r.pdf or r.pdf_note, "institution_reports": len(r.institutions)}
        for r in results
    }


Stage = Callable[[Settings, Any, date, str], dict[str, Any]]


def stages() -> list[tuple[str, Stage]]:
    """The stages, in pipeline order."""
    return [("ingest", _ingest), ("silver", _silver), ("enrich", _enrich), ("gold", _gold), ("report", _report)]


def run_pipeline(
    settings: Settings, days: list[date], generate: int = 0, seed: int = 7, spark: Any = None
) -> list[StageReport]:
    """Generate (optionally) and process each day; returns one report per stage and day."""
    if generate:
        from jobs.sample_data import generate_day

        for i, day in enumerate(days):
            generate_day(
                Path(settings.landing_root), day, generate, seed, repeat_of=days[i - 1] if i else None
            )
    if spark is None:
        from jobs.spark import build_spark

        spark = build_spark(settings, app_name="civic-pulse-pipeline")
    reports: list[StageReport] = []
    for day in days:
        for name, stage in stages():
            started = time.perf_counter()
            summary = stage(settings, spark, day, f"{day.isoformat()}-pipeline")
            reports.append(StageReport(name, day, round(time.perf_counter() - started, 1), summary))
            log.info("%s %s done in %.1fs: %s", name, day, reports[-1].seconds, summary)
    return reports


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--day", type=date.fromisoformat, required=True, help="last day to process")
    parser.add_argument("--days", type=int, default=1, help="consecutive days ending on --day")
    parser.add_argument("--generate", type=int, default=0, help="sample posts per day to generate first (0: none)")
    parser.add_argument("--seed", type=int, default=7)
    ns = parser.parse_args(argv)
    if ns.days < 1:
        parser.error("--days must be >= 1")
    try:
        settings = load_settings(demo_mode=True) if ns.generate else load_settings()
    except SettingsError as exc:
        parser.error(str(exc))
    days = [ns.day - timedelta(days=ns.days - 1 - i) for i in range(ns.days)]
    reports = run_pipeline(settings, days, ns.generate, ns.seed)
    print("\nCivic Pulse pipeline finished")
    for r in reports:
        print(f"  {r.day} {r.stage:<8} {r.seconds:>6.1f}s  {json.dumps(r.summary, ensure_ascii=False)}")
    print(f"\nLanding files: {settings.landing_root}")
    print(f"Delta lake:    {settings.lake_root}  (bronze/, silver/, gold/, ops/)")
    last = [r for r in reports if r.stage == "report" and r.day == days[-1]]
    for period, files in (last[0].summary if last else {}).items():
        print(f"Report ({period}):  {files['html']}")
        print(f"  PDF:          {files['pdf']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
