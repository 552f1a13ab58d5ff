"""The nightly `alerts` task: gold alerts of the day published as a digest, re-publishing is stable."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from jobs.alerting import publish_alerts
from schemas.gold import ALERTS

DAY = date(2026, 11, 27)


def _alert(alert_id: str, day: date, z: float) -> dict:
    return {
        "day": day, "alert_id": alert_id, "alert_type": "negative_surge", "dimension": "institution_id",
        "dimension_value": "pmb", "dimension_label": "Primăria Municipiului București", "metric": "negative_share",
        "observed": 0.7, "baseline": 0.3, "mad": 0.05, "z": z, "window_days": 28, "support": 40,
        "explanation_ro": "Ponderea postărilor negative a crescut.", "explanation_en": "Negative share rose.",
        "examples": [{"post_id": "p1", "text_snippet": "Gunoiul nu a fost ridicat de la [ADRESĂ]"}],
        "gold_run_id": "r", "computed_at": datetime(2026, 11, 28, 3),
    }


def test_digest_lists_the_days_alerts_strongest_first(lake, spark, settings) -> None:
    rows = [_alert("a1", DAY, 3.5), _alert("a2", DAY, -6.0), _alert("old", date(2026, 11, 26), 9.0)]
    lake.append(ALERTS, spark.createDataFrame(rows, ALERTS.schema))
    result = publish_alerts(settings, DAY)
    digest = json.loads(Path(result["digest"]).read_text(encoding="utf-8"))
    assert result["alerts"] == 2 and not result["webhook"]
    assert [a["alert_id"] for a in digest["alerts"]] == ["a2", "a1"]
    assert digest["alerts"][0]["examples"][0]["text_snippet"].startswith("Gunoiul")
    first = Path(result["digest"]).read_bytes()
    publish_alerts(settings, DAY)
    assert Path(result["digest"]).read_bytes() == first


def test_missing_gold_table_is_a_clear_error(settings) -> None:
    with pytest.raises(FileNotFoundError, match="run the gold stage first"):
        publish_alerts(settings, DAY)
