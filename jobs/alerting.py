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


def publish_alerts(settings: Any, day: Any) -> dict[str, Any]:
    """Write the day's gold alerts to ``<reports_root>/alerts/<day>.json`` and POST them to
    ``CIVIC_PULSE_ALERT_WEBHOOK`` when it is set. Re-publishing a day rewrites the same file.

    Reads ``gold.alerts`` with delta-rs (no Spark). Returns what was published.
    """
    import urllib.request

    from deltalake import DeltaTable

    from schemas.gold import ALERTS

    path = settings.table_path(ALERTS.layer, ALERTS.name)
    path = path[len("file://") :] if path.startswith("file://") else path
    if not DeltaTable.is_deltatable(path):
        raise FileNotFoundError(f"gold.alerts does not exist at {path}: run the gold stage first")
    rows = DeltaTable(path).to_pyarrow_table(filters=[("day", "=", day)]).to_pylist()
    rows.sort(key=lambda r: (-abs(r["z"]), r["alert_id"]))
    alerts = [
        {
            "alert_id": r["alert_id"],
            "type": r["alert_type"],
            "dimension": r["dimension"],
            "value": r["dimension_value"],
            "label": r["dimension_label"],
            "metric": r["metric"],
            "observed": r["observed"],
            "baseline": r["baseline"],
            "z": round(r["z"], 2),
            "explanation_ro": r["explanation_ro"],
            "explanation_en": r["explanation_en"],
            "examples": [dict(e) for e in (r["examples"] or [])],
        }
        for r in rows
    ]
    digest = {"day": day.isoformat(), "alerts": alerts}
    out = Path(settings.reports_root) / "alerts" / f"{day.isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(digest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(out)
    webhook = os.environ.get("CIVIC_PULSE_ALERT_WEBHOOK")
    posted = False
    if webhook and alerts:
        request = urllib.request.Request(
            webhook, data=json.dumps(digest, default=str).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - operator-configured URL
            posted = 200 <= response.status < 300
    log.info("published %d alert(s) for %s to %s%s", len(alerts), day, out, " and the webhook" if posted else "")
    return {"day": day.isoformat(), "alerts": len(alerts), "digest": str(out), "webhook": posted}
