"""DAG integrity: every DAG file parses with zero import errors, and parsing stays light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"
HEAVY = ["pyspark", "pandas", "sklearn", "spacy", "deltalake", "polars", "duckdb", "jobs.lake", "models"]


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("airflow_home")
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "PYTHONPATH": str(ROOT),
    }


def _run(code: str, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_dagbag_has_no_import_errors(airflow_env: dict[str, str]) -> None:
    result = _run(
        "import json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(DAGS)!r})\n"
        "dags = {d: {'tags': sorted(bag.dags[d].tags), 'tasks': sorted(bag.dags[d].task_ids),"
        " 'retries': [t.retries for t in bag.dags[d].tasks], 'doc': bool(bag.dags[d].doc_md),"
        " 'params': sorted(bag.dags[d].params.keys()), 'deadline': bag.dags[d].deadline is not None}"
        " for d in bag.dags}\n"
        "print(json.dumps({'errors': {k: str(v) for k, v in bag.import_errors.items()}, 'dags': dags}))",
        airflow_env,
    )
    assert result["errors"] == {}
    nightly = result["dags"]["civic_pulse_nightly"]
    assert nightly["doc"] and nightly["deadline"]
    assert "civic-pulse" in nightly["tags"]
    assert {"ingest", "ingest_quality_gate"} <= set(nightly["tasks"])
    assert {"day", "lake_engine", "max_quarantine_rate"} <= set(nightly["params"])
    spark_tasks = [r for r in nightly["retries"]]
    assert all(r >= 0 for r in spark_tasks) and max(spark_tasks) >= 2


@pytest.mark.parametrize("dag_file", sorted(p.name for p in DAGS.glob("*.py")))
def test_dag_file_parse_is_pure(airflow_env: dict[str, str], dag_file: str) -> None:
    """Parsing a DAG file must not import Spark, pandas, models or the lake layer."""
    result = _run(
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('dag_under_test', {str(DAGS / dag_file)!r})\n"
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        f"heavy = [m for m in {HEAVY!r} if any(k == m or k.startswith(m + '.') for k in sys.modules)]\n"
        "print(json.dumps({'heavy': heavy}))",
        airflow_env,
    )
    assert result["heavy"] == []


def test_nightly_processes_yesterdays_interval(airflow_env: dict[str, str]) -> None:
    """The timetable gives a run at 02:30 on day D+1 the interval [D 00:00, D+1 00:00)."""
    result = _run(
        "import json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "from airflow.timetables.base import DataInterval, TimeRestriction\n"
        "import pendulum\n"
        f"bag = DagBag(dag_folder={str(DAGS)!r})\n"
        "from airflow.serialization.encoders import coerce_to_core_timetable\n"
        "tt = coerce_to_core_timetable(bag.dags['civic_pulse_nightly'].timetable)\n"
        "info = tt.next_dagrun_info(last_automated_data_interval=DataInterval("
        "pendulum.datetime(2026,11,26,2,30,tz='UTC'), pendulum.datetime(2026,11,27,2,30,tz='UTC')),"
        " restriction=TimeRestriction(earliest=None, latest=None, catchup=True))\n"
        "print(json.dumps({'start': info.data_interval.start.isoformat(), 'end': info.data_interval.end.isoformat()}))",
        airflow_env,
    )
    # A run is due after its interval closes: interval [11-27 02:30, 11-28 02:30) runs on 11-28 02:30
    # and its `data_interval_start | ds` is 2026-11-27, i.e. "yesterday" for that run.
    assert result["start"].startswith("2026-11-27T02:30")
    assert result["end"].startswith("2026-11-28T02:30")
