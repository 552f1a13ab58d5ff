"""
### Civic Pulse — open-data export, when gold changes

Scheduled on the **Asset** `civic_pulse.gold.indicators_daily`: each time the nightly gold
stage updates the indicators, this DAG exports the newest indicator day as CSV and JSON with a
Romanian/English data dictionary (`jobs/export_open_data.py`; rows with fewer than `k`
distinct authors are suppressed). A manual run can name the day.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

from airflow.sdk import DAG, Param, task  # type: ignore[attr-defined]  # lazily exported names

# Shared wiring lives next to the DAG files (Airflow puts the DAGs folder on sys.path;
# this makes the import independent of how the file is loaded).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from civic_pulse_common import DEFAULT_ARGS, REPORTS_ROOT, table_asset  # noqa: E402

with DAG(
    dag_id="civic_pulse_open_data",
    description="Open-data export of the gold indicators, triggered by the gold Asset",
    doc_md=__doc__,
    schedule=[table_asset("gold.indicators_daily")],
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["civic-pulse", "open-data", "asset"],
    params={
        "day": Param("", type="string", pattern=r"^(\d{4}-\d{2}-\d{2})?$",
                     description="Day to export; empty = the newest day in gold.indicators_daily"),
        "k": Param(10, type="integer", minimum=1, description="Minimum distinct authors per published row"),
    },
) as dag:

    @task
    def export(day: str, k: int | str) -> dict:
        """Export one day of indicators to ``<reports_root>/open-data/<day>/``."""
        from datetime import date
        from pathlib import Path

        from deltalake import DeltaTable

        from jobs.export_open_data import export_open_data
        from jobs.settings import load_settings
        from schemas.gold import INDICATORS_DAILY

        settings = load_settings()
        if not day:
            table = DeltaTable(settings.table_path(INDICATORS_DAILY.layer, INDICATORS_DAILY.name))
            days = table.to_pyarrow_table(columns=["day"]).column("day").to_pylist()
            if not days:
                raise ValueError("gold.indicators_daily is empty: nothing to export")
            day = max(days).isoformat()
        out = Path(os.environ.get("CIVIC_PULSE_REPORTS_ROOT", REPORTS_ROOT)) / "open-data" / day
        result = export_open_data(settings, date.fromisoformat(day), out, int(k))
        return {"day": day, "out": str(out), **{k2: str(v) for k2, v in result.__dict__.items() if k2 != "day"}}

    export("{{ params.day }}", "{{ params.k }}")
