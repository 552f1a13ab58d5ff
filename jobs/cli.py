"""Shared command line for every job: ``python -m jobs.<stage> --day YYYY-MM-DD`` (or spark-submit).

The day is the start of the run's data interval (Airflow passes ``{{ data_interval_start | ds }}``);
jobs never look at the clock to decide what to process. Settings come from the environment
(``CIVIC_PULSE_*``) with command-line overrides, and are validated before any read.
"""

from __future__ import annotations

import argparse
import uuid
from dataclasses import dataclass
from datetime import date

from jobs.settings import Settings, SettingsError, load_settings


@dataclass(frozen=True)
class JobArgs:
    day: date
    run_id: str
    settings: Settings


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--day must be YYYY-MM-DD, got {text!r}") from exc


def job_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--day", type=_iso_day, required=True, help="data interval start, YYYY-MM-DD")
    parser.add_argument("--run-id", default=None, help="run id (default: a new uuid)")
    parser.add_argument("--lake-root", default=None)
    parser.add_argument("--landing-root", default=None)
    parser.add_argument("--reports-root", default=None)
    parser.add_argument("--spark-master", default=None)
    parser.add_argument("--lake-engine", default=None, choices=["delta-rs", "delta-spark"])
    return parser


def parse_job_args(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> tuple[JobArgs, argparse.Namespace]:
    """Parse and validate; exits with status 2 and a clear message on bad configuration."""
    ns = parser.parse_args(argv)
    try:
        settings = load_settings(
            lake_root=ns.lake_root,
            landing_root=ns.landing_root,
            reports_root=ns.reports_root,
            spark_master=ns.spark_master,
            lake_engine=ns.lake_engine,
        )
    except SettingsError as exc:
        parser.error(str(exc))
    run_id = ns.run_id or f"{ns.day.isoformat()}-{uuid.uuid4().hex[:12]}"
    return JobArgs(day=ns.day, run_id=run_id, settings=settings), ns
