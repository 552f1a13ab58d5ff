"""Command line of the report job (also the spark-submit application ``jobs/report/__main__.py``).

    python -m jobs.report --day 2026-11-30 [--period day|week|nightly] [--out DIR] [--no-pdf]
                          [--min-institution-posts 50] [--max-institutions 30]
    python -m jobs.report rerender --manifest reports/day/2026-11-27/manifest.json --out /tmp/again [--no-pdf]

``--period nightly`` (what the DAG and the pipeline run) writes the day's report and, when the day
is a Monday, the report of the week that ended the day before. ``rerender`` exits with status 1
when a figure differs from the manifest.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # spark-submit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _rerender_main(argv: list[str]) -> int:
    from jobs.report.build import ReportError
    from jobs.report.run import rerender
    from jobs.settings import SettingsError, load_settings
    from jobs.spark import build_spark

    parser = argparse.ArgumentParser(
        prog="python -m jobs.report rerender",
        description="Re-render a past report from its manifest (time travel).",
    )
    parser.add_argument("--manifest", type=Path, required=True, help="manifest.json of the report")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the re-rendered report into")
    parser.add_argument("--lake-root", default=None, help="lake root (default: the one in the manifest)")
    parser.add_argument("--no-pdf", action="store_true")
    ns = parser.parse_args(argv)
    if not ns.manifest.is_file():
        parser.error(f"--manifest {ns.manifest} does not exist")
    try:
        settings = load_settings(lake_root=ns.lake_root) if ns.lake_root else None
        spark_settings = settings or load_settings()
    except SettingsError as exc:
        parser.error(str(exc))
    spark = build_spark(spark_settings, app_name="civic-pulse-report-rerender")
    try:
        outcome = rerender(ns.manifest, ns.out, spark, settings=settings, pdf=not ns.no_pdf)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(outcome.as_dict(), indent=2, ensure_ascii=False))
    print(f"\nRe-rendered report: {outcome.result.html}")
    print(
        "Figures identical to the manifest: "
        + ("yes" if outcome.figures_identical else "NO: " + ", ".join(outcome.differences))
    )
    return 0 if outcome.figures_identical else 1


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["rerender"]:
        return _rerender_main(args_list[1:])

    from jobs.cli import job_parser, parse_job_args
    from jobs.report.build import ReportError
    from jobs.report.run import (
        DEFAULT_MAX_INSTITUTIONS,
        DEFAULT_MIN_INSTITUTION_POSTS,
        report_paths,
        run_nightly_reports,
        run_report,
    )
    from jobs.runmetrics import StageOutcome, run_recorded
    from jobs.spark import build_spark

    parser = job_parser("Reports for policy teams: HTML + PDF per day (and per week), per institution.")
    parser.add_argument(
        "--period",
        choices=["day", "week", "nightly"],
        default="day",
        help="day (default), week (the last Monday-Sunday week before --day), or nightly "
        "(the day, plus the week when --day is a Monday)",
    )
    parser.add_argument("--out", default=None, help="reports root (default: CIVIC_PULSE_REPORTS_ROOT)")
    parser.add_argument("--no-pdf", action="store_true", help="write HTML only")
    parser.add_argument(
        "--min-institution-posts",
        type=int,
        default=DEFAULT_MIN_INSTITUTION_POSTS,
        help="posts in the period an institution needs for its own report",
    )
    parser.add_argument(
        "--max-institutions",
        type=int,
        default=DEFAULT_MAX_INSTITUTIONS,
        help="at most this many institution reports (largest first)",
    )
    args, ns = parse_job_args(parser, args_list)
    if ns.min_institution_posts < 1:
        parser.error("--min-institution-posts must be >= 1")
    if ns.max_institutions < 0:
        parser.error("--max-institutions must be >= 0")
    options = {
        "out_root": ns.out,
        "pdf": not ns.no_pdf,
        "min_institution_posts": ns.min_institution_posts,
        "max_institutions": ns.max_institutions,
    }
    spark = build_spark(args.settings, app_name=f"civic-pulse-report-{args.day}")

    def body() -> list[Any]:
        if ns.period == "nightly":
            return run_nightly_reports(args.settings, spark, args.day, args.run_id, **options)
        return [run_report(args.settings, spark, args.day, args.run_id, ns.period, **options)]

    try:
        # one ops.run_metrics row per attempt, under the stage lock, like every other stage
        results = run_recorded(
            "report",
            args.settings,
            spark,
            args.day,
            args.run_id,
            body,
            outcome=lambda rs: StageOutcome(rows_out=len(rs), details={r.period: r.html for r in rs}),
        )
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    print()
    print("\n".join(report_paths(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
