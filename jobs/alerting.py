"""Callbacks Airflow runs when a nightly run misses its deadline (kept free of heavy imports)."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("civic_pulse.alerting")


def _alert_log() -> Path:
    root = Path(os.environ.get("CIVIC_PULSE_LAKE_ROOT", "./lake"))
    return root / "_ops" / "deadline_alerts.jsonl"


async def deadline_missed(context: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Log the miss and append it to ``<lake>/_ops/deadline_alerts.jsonl`` for the on-call view."""
    context = context or {}
    dag_run = context.get("dag_run")
    record = {
        "at": datetime.now(UTC).isoformat(),
        "dag_id": getattr(dag_run, "dag_id", None) or kwargs.get("dag_id"),
        "run_id": getattr(dag_run, "run_id", None),
        "message": kwargs.get("message", "nightly run missed its deadline"),
    }
    log.warning("DEADLINE MISSED: %s", record)
    path = _alert_log()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
