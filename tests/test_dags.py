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
        " 'params': sorted(bag.dags[d].params.keys()), 'deadline': bag.dags[d].deadline is not None,"
        " 'order': [t.task_id for t in bag.dags[d].topological_sort()] if hasattr(bag.dags[d], 'topological_sort')"
        " else sorted(bag.dags[d].task_ids),"
        " 'downstream': {t.task_id: sorted(t.downstream_task_ids) for t in bag.dags[d].tasks},"
        " 'outlets': {t.task_id: sorted(getattr(o, 'name', str(o)) for o in (t.outlets or [])) for t in bag.dags[d].tasks},"
        " 'schedule': str(getattr(bag.dags[d], 'timetable', None).__class__.__name__)}"
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
    # A quality gate stands between every pair of layers, and the chain ends with the alerts.
    chain = ["ingest", "ingest_quality_gate", "silver", "silver_quality_gate", "enrich",
             "enrich_quality_gate", "gold", "gold_quality_gate", "alerts"]
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        assert downstream in nightly["downstream"][upstream], (upstream, nightly["downstream"][upstream])
    assert "civic_pulse.gold.indicators_daily" in nightly["outlets"]["gold"]
    assert "civic_pulse.bronze.posts" in nightly["outlets"]["ingest"]
    assert nightly["outlets"]["enrich"] == ["civic_pulse.ops.model_quality", "civic_pulse.silver.posts_enriched"]
    assert "allow_silent_sources" in nightly["params"]

    maintenance = result["dags"]["civic_pulse_maintenance"]
    assert maintenance["doc"] and {"retention_hours", "dry_run"} <= set(maintenance["params"])
    assert {f"maintain_{layer}" for layer in ("bronze", "silver", "gold", "ops")} == set(maintenance["tasks"])

    training = result["dags"]["civic_pulse_training"]
    assert training["doc"] and {"datasets_root", "promote"} <= set(training["params"])
    for model in ("sentiment", "topics"):
        assert f"promote_{model}" in training["downstream"][f"train_{model}"]

    open_data = result["dags"]["civic_pulse_open_data"]
    assert open_data["doc"] and open_data["schedule"] == "AssetTriggeredTimetable"
    for dag in result["dags"].values():
        assert "civic-pulse" in dag["tags"] and dag["doc"]


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
