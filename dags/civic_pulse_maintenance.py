"""
### Civic Pulse — weekly table maintenance

Every Sunday at 05:00 UTC (or on demand), one task per layer runs `jobs/maintenance.py`, which,
for every table of the layer:

1. sets the retention properties (the Delta log is kept 3,650 days so past versions stay readable);
2. **compacts** small files (`OPTIMIZE`), and fails if the row count changed;
3. writes a **checkpoint**;
4. **vacuums** files older than `retention_hours` (never less than 168 h), keeping every version
   a report manifest pinned, so past reports can still be re-rendered.

Each table is maintained under the lock of the stage that writes it, so a nightly run that
overlaps simply waits. `dry_run` reports what would be done and changes nothing.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

from airflow.sdk import DAG, Param  # type: ignore[attr-defined]  # lazily exported names
from airflow.timetables.trigger import CronTriggerTimetable

# Shared wiring lives next to the DAG files (Airflow puts the DAGs folder on sys.path;
# this makes the import independent of how the file is loaded).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from civic_pulse_common import DEFAULT_ARGS, spark_job  # noqa: E402

LAYERS = ["bronze", "silver", "gold", "ops"]

with DAG(
    dag_id="civic_pulse_maintenance",
    description="Compaction, checkpoints and safe vacuum of every Delta table",
    doc_md=__doc__,
    schedule=CronTriggerTimetable("0 5 * * 0", timezone="UTC"),
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["civic-pulse", "maintenance", "delta"],
    params={
        "lake_engine": Param(
            "delta-rs", type="string", enum=["delta-rs", "delta-spark"], description="Delta engine"
        ),
        "retention_hours": Param(
            168, type="integer", minimum=168, description="Vacuum files unneeded for this long (>= 7 days)"
        ),
        "dry_run": Param(False, type="boolean", description="Report what would be done; change nothing"),
    },
) as dag:
    previous = None
    for layer in LAYERS:
        maintain = spark_job(
            f"maintain_{layer}",
            "jobs/maintenance.py",
            [
                "--day", "{{ (data_interval_end or logical_date or dag_run.run_after) | ds }}",
                "--layer", layer,
                "--retention-hours", "{{ params.retention_hours }}",
                "--dry-run", "{{ params.dry_run }}",
            ],
        )
        if previous is not None:
            previous >> maintain
        previous = maintain
