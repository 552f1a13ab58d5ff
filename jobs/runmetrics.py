"""Run observability: every stage attempt appends one row to ``ops.run_metrics``.

``run_recorded`` wraps a stage: it takes the stage lock (jobs/runlock.py), times the stage,
turns its result into rows in / out / quarantined plus details, and appends the row, also
when the stage fails (status ``failed`` with the error), before re-raising. Writing the
metrics row never hides the stage's own error.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from jobs.settings import Settings

log = logging.getLogger("civic_pulse.runmetrics")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
R = TypeVar("R")

# Tables each stage writes: their versions after the stage go into the metrics row.
STAGE_TABLES: dict[str, tuple[str, ...]] = {
    "ingest": ("bronze.posts", "bronze.quarantine", "ops.ingest_runs"),
    "silver": ("silver.posts",),
    "enrich": ("silver.posts_enriched",),
    "gold": ("gold.indicators_daily", "gold.alerts", "gold.responsiveness", "gold.public_debate",
             "gold.term_counts_daily"),
}


@dataclass
class StageOutcome:
    """What a stage reports about itself; filled from its result object."""

    rows_in: int | None = None
    rows_out: int | None = None
    rows_quarantined: int | None = None
    details: dict[str, str] = field(default_factory=dict)
    model_versions: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def code_version() -> str:
    """``<package version>+<git commit>`` (``-dirty`` with local changes), or the env override."""
    import os
    from importlib.metadata import PackageNotFoundError, version

    override = os.environ.get("CIVIC_PULSE_CODE_VERSION")
    if override:
        return override
    try:
        package = version("civic-pulse")
    except PackageNotFoundError:
        package = "0+unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", ""
    if not commit:
        return package
    return f"{package}+{commit}{'-dirty' if dirty else ''}"


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def outcome_of(stage: str, result: Any) -> StageOutcome:
    """Rows in / out / quarantined and details from a stage's result object (``as_dict``)."""
    data: dict[str, Any] = result.as_dict() if hasattr(result, "as_dict") else dict(result or {})
    out = StageOutcome()
    if stage == "ingest":
        sources = data.get("sources", [])
        total = {k: sum(int(s.get(k, 0)) for s in sources) for k in
                 ("records_read", "ingested_new", "updated", "unchanged", "duplicates", "quarantined")}
        out.rows_in = total["records_read"]
        out.rows_out = total["ingested_new"] + total["updated"]  # rows the day wrote to bronze
        out.rows_quarantined = total["quarantined"]
        out.details = {k: str(v) for k, v in total.items()}
        out.details["sources"] = _text({s["source"]: s.get("records_read", 0) for s in sources})
    elif stage == "silver":
        out.rows_in = data.get("bronze_rows")
        out.rows_out = data.get("silver_rows")
        out.rows_quarantined = 0
        for key in ("duplicates_collapsed", "near_dup_clusters", "campaigns", "pii_masked", "languages", "inserted", "updated"):
            if key in data:
                out.details[key] = _text(data[key])
    elif stage == "enrich":
        out.rows_in = data.get("silver_rows")
        out.rows_out = data.get("scored")
        out.rows_quarantined = 0
        for key in ("skipped", "inserted", "updated"):
            if key in data:
                out.details[key] = _text(data[key])
        out.model_versions = {str(k): str(v) for k, v in (data.get("model_versions") or {}).items()}
    else:
        for key, value in data.items():
            if key in ("run_id", "day"):
                continue
            if key == "rows_in":
                out.rows_in = int(value)
            elif key == "rows_out":
                out.rows_out = int(value)
            elif key == "model_versions" and isinstance(value, dict):
                out.model_versions = {str(k): str(v) for k, v in value.items()}
            else:
                out.details[key] = _text(value)
    return out


def _table_versions(lake: Any, stage: str) -> dict[str, int]:
    from schemas import contract as find_contract

    versions: dict[str, int] = {}
    for name in STAGE_TABLES.get(stage, ()):
        c = find_contract(name)
        try:
            if lake.exists(c):
                versions[name] = int(lake.version(c))
        except Exception as exc:  # noqa: BLE001 - a version we cannot read is left out, not fatal
            log.warning("could not read the version of %s: %s", name, exc)
    return versions


def record(
    lake: Any,
    *,
    stage: str,
    day: date,
    run_id: str,
    status: str,
    started_at: datetime,
    seconds: float,
    outcome: StageOutcome,
    error: str | None = None,
) -> None:
    """Append one row to ops.run_metrics (never raises: a failure is logged)."""
    from schemas.ops import RUN_METRICS

    row = {
        "run_id": run_id,
        "day": day,
        "stage": stage,
        "attempt_id": uuid.uuid4().hex,
        "status": status,
        "error": error,
        "started_at": started_at.replace(tzinfo=None),
        "finished_at": datetime.now(UTC).replace(tzinfo=None),
        "duration_s": round(seconds, 3),
        "rows_in": outcome.rows_in,
        "rows_out": outcome.rows_out,
        "rows_quarantined": outcome.rows_quarantined,
        "details": outcome.details,
        "code_version": code_version(),
        "model_versions": outcome.model_versions,
        "table_versions": _table_versions(lake, stage),
        "lake_engine": lake.engine_name,
        "host": socket.gethostname(),
    }
    try:
        lake.append(RUN_METRICS, lake.spark.createDataFrame([row], RUN_METRICS.schema))
    except Exception as exc:  # noqa: BLE001 - observability must not mask the stage's result
        log.error("could not record run metrics for %s %s: %s", stage, day, exc)


def run_recorded(
    stage: str,
    settings: Settings,
    spark: Any,
    day: date,
    run_id: str,
    body: Callable[[], R],
    outcome: Callable[[R], StageOutcome] | None = None,
) -> R:
    """Run ``body`` under the stage lock and record its metrics row, success or failure."""
    from jobs.lake import open_lake
    from jobs.runlock import stage_lock

    lake = open_lake(settings, spark)
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    try:
        with stage_lock(settings, stage, run_id):
            result = body()
    except BaseException as exc:
        record(
            lake, stage=stage, day=day, run_id=run_id, status="failed", started_at=started_at,
            seconds=time.perf_counter() - t0, outcome=StageOutcome(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    record(
        lake, stage=stage, day=day, run_id=run_id, status="success", started_at=started_at,
        seconds=time.perf_counter() - t0, outcome=(outcome or (lambda r: outcome_of(stage, r)))(result),
    )
    return result


class PhaseTimer:
    """Logs how long each phase of a stage run took (wall clock), e.g. ``enrich 2026-11-27: merge took 3.1 s``."""

    def __init__(self, stage: str, day: date) -> None:
        self.stage = stage
        self.day = day
        self.last = time.perf_counter()

    def done(self, phase: str) -> None:
        now = time.perf_counter()
        log.info("%s %s: %s took %.1f s", self.stage, self.day, phase, now - self.last)
        self.last = now
