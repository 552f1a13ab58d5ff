"""Reports for policy teams: a daily (and on Mondays a weekly) HTML + PDF report, per institution too.

Entry points: :func:`run_report` (one period), :func:`run_nightly_reports` (what the nightly run
writes) and :func:`rerender` (a past report from its manifest, tables read at the recorded
versions). Command line: ``python -m jobs.report --day D [--period day|week|nightly]`` and
``python -m jobs.report rerender --manifest M --out DIR``. See docs/reports.md.

Names are loaded lazily so that ``jobs.report.fmt`` and friends import without Spark or matplotlib.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "run_report",
    "run_nightly_reports",
    "rerender",
    "ReportResult",
    "RerenderResult",
    "Options",
    "GENERATOR_VERSION",
    "report_paths",
    "load_manifest",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        from jobs.report import run

        return getattr(run, name)
    if name == "ReportError":
        from jobs.report.build import ReportError

        return ReportError
    raise AttributeError(f"module 'jobs.report' has no attribute {name!r}")


__all__ = sorted(_EXPORTS | {"ReportError"})
