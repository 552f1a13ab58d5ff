"""
### Civic Pulse — model training (weekly or on demand)

For each model (sentiment, topics): **train** a challenger on the current labelled data
(`python -m models.<model> all --out <candidate dir>`: prepare → train → evaluate → package,
with metrics on the held-out splits and a model card), then **promote** it only if it beats
the champion on the held-out primary metric without losing on its guard metrics or falling
below the throughput floor (`models/registry.py`). Every decision is appended to
`models/registry.json`; a replaced champion is archived in `models/<model>/versions/`.
Scored rows carry the model version, so a promotion shows in the next nightly run.

Needs the labelled datasets (`datasets_root`, default `../shared/datasets`).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Param, task  # type: ignore[attr-defined]  # lazily exported names
from airflow.timetables.trigger import CronTriggerTimetable

# Shared wiring lives next to the DAG files (Airflow puts the DAGs folder on sys.path;
# this makes the import independent of how the file is loaded).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from civic_pulse_common import DEFAULT_ARGS, PROJECT_ROOT  # noqa: E402

MODELS = ["sentiment", "topics"]
PYTHON = os.path.join(os.environ.get("CIVIC_PULSE_VENV", os.path.join(PROJECT_ROOT, ".venv")), "bin", "python")
# A challenger needs its own version (the registry refuses to replace a champion by the same one).
VERSION_FLAG = dict.fromkeys(MODELS, " --version '{{ params.challenger_version or ('retrain-' ~ ts_nodash) }}'")
CANDIDATE_DIR = "{{ params.candidates_root }}/{{ run_id | replace(':', '_') | replace('+', '_') }}"

with DAG(
    dag_id="civic_pulse_training",
    description="Retrain sentiment and topic models; promote a challenger only if it beats the champion",
    doc_md=__doc__,
    schedule=CronTriggerTimetable("0 6 * * 6", timezone="UTC"),
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 1},
    tags=["civic-pulse", "training", "models"],
    params={
        "datasets_root": Param(
            os.environ.get("CIVIC_PULSE_DATASETS_ROOT", os.path.join(os.path.dirname(PROJECT_ROOT), "shared", "datasets")),
            type="string", description="Folder of the labelled datasets (see ../shared/datasets/README.md)",
        ),
        "candidates_root": Param(
            os.environ.get("CIVIC_PULSE_CANDIDATES_ROOT", "/tmp/civic-pulse-candidates"),
            type="string", description="Where challengers are written before the promotion decision",
        ),
        "promote": Param(True, type="boolean", description="False: train and decide, never swap the champion"),
        "challenger_version": Param(
            "", type="string", description="Version of the challenger; empty = retrain-<run timestamp>"
        ),
    },
) as dag:

    @task(retries=0)
    def promote(model: str, candidate: str, allowed: bool | str) -> dict:
        """Swap the challenger in if it beats the champion (always recorded in the registry)."""
        from dataclasses import asdict
        from pathlib import Path

        from models.registry import SPECS, decide, promote_if_better

        spec = SPECS[model]
        if str(allowed).lower() in ("false", "0"):
            return asdict(decide(spec, Path(candidate)))
        return asdict(promote_if_better(spec, Path(candidate)))

    for model in MODELS:
        candidate = f"{CANDIDATE_DIR}/{model}"
        train = BashOperator(
            task_id=f"train_{model}",
            bash_command=(
                f"cd {PROJECT_ROOT} && mkdir -p {candidate} && "
                f"{PYTHON} -m models.{model} all --datasets-root '{{{{ params.datasets_root }}}}' --out {candidate}"
                + VERSION_FLAG.get(model, "")
            ),
            env={"CIVIC_PULSE_DATASETS_ROOT": "{{ params.datasets_root }}"},
            append_env=True,
            execution_timeout=timedelta(hours=3),
        )
        train >> promote.override(task_id=f"promote_{model}")(model, candidate, "{{ params.promote }}")
