"""Analyst access: Spark views, DuckDB / polars readers, time travel, the catalogue and the notebook."""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from gold_data import indicator_row, write_indicators

from jobs.analyst import compare_versions, duckdb_view, duckdb_views, history, polars_frame, register_views
from jobs.catalogue import CATALOGUE, main, render_catalogue
from jobs.settings import Settings
from schemas import all_contracts

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 11, 27)
INSTITUTIONS = ("anaf", "cnas", "ministerul_sanatatii")
TOPICS = ("health", "taxes", "transport")


def generated(days: int = 14, seed: int = 3) -> list[dict[str, Any]]:
    """Seeded indicator rows: totals and institution x topic cells for ``days`` days ending on DAY."""
    rng = random.Random(seed)
    rows = []
    for i in range(days):
        d = DAY - timedelta(days=days - 1 - i)
        total = 0
        for inst in INSTITUTIONS:
            for topic in TOPICS:
                posts = rng.randint(5, 40)
                neg = rng.randint(0, posts // 2)
                total += posts
                rows.append(indicator_row(d, "institution_topic", inst, topic, posts, max(1, posts - 3),
                                          negative=neg, positive=posts - neg - 1))
        rows.append(indicator_row(d, posts=total, authors=total - 10, negative=total // 3, positive=total // 3))
    return rows


@pytest.fixture
def analyst_lake(tmp_path: Path) -> Settings:
    """Version 0: 14 generated days; version 1: day-3 recomputed with more posts (a backfill)."""
    s = Settings(lake_root=str(tmp_path / "lake")).resolved()
    rows = generated()
    write_indicators(s, rows)
    changed_day = DAY - timedelta(days=3)
    redo = [{**r, "posts": r["posts"] + 5, "gold_run_id": "redo"} for r in rows if r["day"] == changed_day]
    import pyarrow as pa
    from deltalake import write_deltalake

    from schemas.gold import INDICATORS_DAILY

    write_deltalake(s.table_path("gold", "indicators_daily"), pa.Table.from_pylist(redo, INDICATORS_DAILY.arrow_schema),
                    mode="overwrite", predicate=f"day = '{changed_day.isoformat()}'")
    return s


def test_polars_duckdb_and_time_travel(analyst_lake: Settings) -> None:
    versions = history(analyst_lake, "gold.indicators_daily")
    assert [v["version"] for v in versions] == [0, 1]
    old, new = (polars_frame(analyst_lake, "gold.indicators_daily", version=v) for v in (0, None))
    assert old.height == new.height == 14 * 10
    assert new["posts"].sum() - old["posts"].sum() == 10 * 5
    diff = compare_versions(analyst_lake, "gold.indicators_daily", old=0)
    assert diff["removed"].height == diff["added"].height == 10
    assert set(diff["added"]["day"].to_list()) == {DAY - timedelta(days=3)}
    con = duckdb_views(analyst_lake)
    assert con.execute("SELECT count(*) FROM gold_indicators_daily").fetchone()[0] == 140
    v0 = duckdb_view(con, analyst_lake, "gold.indicators_daily", version=0)
    assert con.execute(f"SELECT sum(posts) FROM {v0}").fetchone()[0] == old["posts"].sum()


def test_register_views_names_every_existing_table(spark: Any, analyst_lake: Settings) -> None:
    names = register_views(spark, analyst_lake)
    assert names == ["gold_indicators_daily"]  # the only table this lake has
    assert spark.sql("SELECT count(*) AS n FROM gold_indicators_daily").collect()[0]["n"] == 140
    register_views(spark, analyst_lake, version={"gold.indicators_daily": 0})
    assert spark.sql("SELECT sum(posts) AS s FROM gold_indicators_daily").collect()[0]["s"] == sum(
        r["posts"] for r in generated())


def test_catalogue_is_up_to_date() -> None:
    text = render_catalogue()
    for c in all_contracts():
        assert f"## `{c.qualified_name}`" in text
        for name in c.columns:
            assert f"| `{name}` |" in text
    assert CATALOGUE.read_text(encoding="utf-8") == text, "run: python -m jobs.catalogue"
    assert main(["--check"]) == 0


def test_catalogue_check_fails_when_stale(tmp_path: Path) -> None:
    stale = tmp_path / "cat.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert main(["--check", "--out", str(stale)]) == 1
    assert main(["--out", str(stale)]) == 0 and main(["--check", "--out", str(stale)]) == 0


def test_analyst_notebook_runs_end_to_end(analyst_lake: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("CIVIC_PULSE_LAKE_ROOT", analyst_lake.lake_root)
    monkeypatch.setenv("CIVIC_PULSE_ANALYST_DAY", DAY.isoformat())
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.read(ROOT / "notebooks" / "analyst_tour.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
    )
    assert "week 2026-11-21 .. 2026-11-27" in outputs
    assert "version 0: 140 rows; latest: 140 rows" in outputs
    assert "2026-11-24" in outputs  # the recomputed day shows up in the time-travel comparison
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
