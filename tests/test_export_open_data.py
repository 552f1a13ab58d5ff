"""Open-data export: k-suppression, no text or pseudonyms, bilingual dictionary (delta-rs only, no Spark)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from gold_data import indicator_row, write_indicators

from jobs.export_open_data import (
    FORBIDDEN,
    ExportError,
    export_open_data,
    main,
    suppress,
    verify_export,
)
from jobs.settings import Settings

DAY = date(2026, 11, 27)


@pytest.fixture
def lake_settings(tmp_path: Path) -> Settings:
    s = Settings(lake_root=str(tmp_path / "lake")).resolved()
    write_indicators(s, [
        indicator_row(DAY, posts=40, authors=30),
        indicator_row(DAY, "institution", "anaf", posts=12, authors=10),
        indicator_row(DAY, "institution", "cnas", posts=15, authors=9),  # one author short: suppressed
        indicator_row(DAY, "topic", topic="health", posts=3, authors=3),
        indicator_row(date(2026, 11, 26), posts=50, authors=45),  # other day: not exported
    ])
    return s


def test_export_suppresses_rows_below_k_and_publishes_no_text(lake_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = export_open_data(lake_settings, DAY, out, k=10)
    assert (result.rows_in, result.rows_published, result.rows_suppressed) == (4, 2, 2)
    with (out / "indicators-2026-11-27.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted((r["grouping_level"], r["institution_id"]) for r in rows) == [("institution", "anaf"), ("total", "ALL")]
    assert all(int(r["distinct_authors"]) >= 10 for r in rows)
    assert not set(rows[0]) & set(FORBIDDEN) and "gold_run_id" not in rows[0]
    data = json.loads((out / "indicators-2026-11-27.json").read_text(encoding="utf-8"))
    assert data["k"] == 10 and len(data["rows"]) == 2 and data["rows"][0]["day"] == "2026-11-27"
    dictionary = json.loads((out / "data-dictionary.json").read_text(encoding="utf-8"))
    assert {c["name"] for c in dictionary["columns"]} == set(rows[0])
    assert all(c["ro"] and c["en"] for c in dictionary["columns"])
    assert "Descriere (RO)" in (out / "data-dictionary.md").read_text(encoding="utf-8")
    # k is configurable
    assert export_open_data(lake_settings, DAY, tmp_path / "k3", k=3).rows_published == 4


def test_verification_fails_on_a_leaky_export(lake_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_open_data(lake_settings, DAY, out, k=10)
    verify_export(out, DAY, 10)
    # a stricter k on the same files must fail: the check really looks at the numbers
    with pytest.raises(ExportError, match="fewer than k=20"):
        verify_export(out, DAY, 20)
    # a row below k smuggled into the CSV is caught
    csv_path = out / "indicators-2026-11-27.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = lines[1].split(",")
    bad[header.index("distinct_authors")] = "2"
    csv_path.write_text("\n".join([*lines, ",".join(bad)]) + "\n", encoding="utf-8")
    with pytest.raises(ExportError, match="fewer than k=10"):
        verify_export(out, DAY, 10)
    # a text column smuggled into the JSON is caught
    export_open_data(lake_settings, DAY, out, k=10)
    json_path = out / "indicators-2026-11-27.json"
    data: dict[str, Any] = json.loads(json_path.read_text(encoding="utf-8"))
    data["rows"][0]["text_masked"] = "leak"
    json_path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ExportError, match="forbidden"):
        verify_export(out, DAY, 10)


def test_suppress_rejects_bad_k_and_cli_runs(lake_settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        suppress([], 0)
    out = tmp_path / "cli"
    assert main(["--day", "2026-11-27", "--out", str(out), "--k", "9", "--lake-root", lake_settings.lake_root]) == 0
    with (out / "indicators-2026-11-27.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3
