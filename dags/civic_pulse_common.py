"""Wiring shared by the Civic Pulse DAGs (no DAG here; light imports only).

The DAGs folder is on ``sys.path`` when Airflow parses DAG files, so the DAG files import this
module by name.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import Asset

PROJECT_ROOT = os.environ.get(
    "CIVIC_PULSE_HOME", os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)
SPARK_CONN_ID = os.environ.get("CIVIC_PULSE_SPARK_CONN_ID", "spark_civic_pulse")
# Zipped project packages for cluster executors (local mode uses the installed project).
PY_FILES = os.environ.get("CIVIC_PULSE_PY_FILES") or None
LAKE_ROOT = os.path.abspath(os.environ.get("CIVIC_PULSE_LAKE_ROOT", os.path.join(PROJECT_ROOT, "lake")))
REPORTS_ROOT = os.path.abspath(os.environ.get("CIVIC_PULSE_REPORTS_ROOT", os.path.join(PROJECT_ROOT, "reports")))

# The day to process: the `day` param of a manual run, else the data interval start.
DAY = (
    "{{ params.day if params.day else "
    "(data_interval_start | ds if data_interval_start else '') }}"
)

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "civic-pulse",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
}


def table_asset(qualified_name: str) -> Asset:
    """The Airflow Asset of a lake table, e.g. ``gold.indicators_daily``."""
    layer, name = qualified_name.split(".", 1)
    return Asset(name=f"civic_pulse.{qualified_name}", uri=f"file://{LAKE_ROOT}/{layer}/{name}")


def spark_job(
    task_id: str,
    application: str,
    args: list[str],
    outlets: list[Asset] | None = None,
    timeout: timedelta = timedelta(hours=2),
    **kwargs: Any,
) -> SparkSubmitOperator:
    """One Spark job (``jobs/<file>.py``) as a spark-submit through connection ``spark_civic_pulse``."""
    return SparkSubmitOperator(
        task_id=task_id,
        application=os.path.join(PROJECT_ROOT, application),
        conn_id=SPARK_CONN_ID,
        name=f"civic-pulse-{task_id}",
        application_args=[*args, "--lake-engine", "{{ params.lake_engine }}"],
        py_files=PY_FILES,
        conf={
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
            "spark.ui.enabled": "false",
        },
        driver_memory=os.environ.get("CIVIC_PULSE_DRIVER_MEMORY", "3g"),
        # MALLOC_ARENA_MAX: fewer glibc malloc arenas for the driver JVM (see jobs/spark.py)
        env_vars={"CIVIC_PULSE_LAKE_ENGINE": "{{ params.lake_engine }}", "MALLOC_ARENA_MAX": "2"},
        execution_timeout=timeout,
        outlets=outlets or [],
        **kwargs,
    )
