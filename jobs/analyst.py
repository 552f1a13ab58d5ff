"""Analyst access: every contract as a Spark SQL view, DuckDB / polars readers, time travel.

In Spark::

    from jobs.analyst import register_views
    register_views(spark, settings)           # gold_indicators_daily, silver_posts_enriched, ...
    spark.sql("SELECT * FROM gold_alerts WHERE day = '2026-11-27'")

Without Spark: :func:`duckdb_view` (DuckDB ``delta_scan``, extension loaded by path, offline)
and :func:`polars_frame`; both accept ``version=`` for time travel, and :func:`history` lists
the versions of a table with their timestamps and operations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jobs.settings import Settings
from schemas import all_contracts, contract
from schemas.contract import TableContract


def view_name(c: TableContract) -> str:
    """``layer_name``, e.g. ``gold_indicators_daily``."""
    return f"{c.layer}_{c.name}"


def table_path(settings: Settings, qualified_name: str) -> str:
    c = contract(qualified_name)
    return settings.table_path(c.layer, c.name)


def _exists(path: str) -> bool:
    from deltalake import DeltaTable

    return bool(DeltaTable.is_deltatable(path))


def register_views(spark: Any, settings: Settings, version: dict[str, int] | None = None) -> list[str]:
    """Register every existing table of all_contracts() as a temp view; returns the view names.

    ``version`` pins some tables (by qualified name) to a past version.
    """
    from jobs.lake import open_lake

    lake = open_lake(settings, spark)
    pinned = version or {}
    names = []
    for c in all_contracts():
        if not lake.exists(c):
            continue
        lake.read(c, version=pinned.get(c.qualified_name)).createOrReplaceTempView(view_name(c))
        names.append(view_name(c))
    return names


def duckdb_view(con: Any, settings: Settings, qualified_name: str, version: int | None = None,
                name: str | None = None) -> str:
    """Create a DuckDB view over a Delta table (optionally at ``version``); returns the view name."""
    c = contract(qualified_name)
    path = table_path(settings, qualified_name).replace("'", "''")
    view = name or view_name(c) + (f"_v{version}" if version is not None else "")
    if version is None:
        con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM delta_scan('{path}')")
    else:
        # delta_scan reads the latest snapshot; a past version is materialised from delta-rs via Arrow
        arrow = _arrow(settings, qualified_name, version)
        con.register(f"_{view}_arrow", arrow)
        con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM _{view}_arrow")
    return view


def duckdb_views(settings: Settings) -> Any:
    """A DuckDB connection with a view per existing table (see jobs.access.duckdb_connection)."""
    from jobs.access import duckdb_connection

    con = duckdb_connection()
    for c in all_contracts():
        if _exists(settings.table_path(c.layer, c.name)):
            duckdb_view(con, settings, c.qualified_name)
    return con


def _arrow(settings: Settings, qualified_name: str, version: int | None = None,
           timestamp: datetime | None = None) -> Any:
    from deltalake import DeltaTable

    table = DeltaTable(table_path(settings, qualified_name), version=version)
    if timestamp is not None:
        table.load_as_version(timestamp)
    return table.to_pyarrow_table()


def polars_frame(settings: Settings, qualified_name: str, version: int | None = None,
                 timestamp: datetime | None = None) -> Any:
    """A polars DataFrame of a table, latest or as of ``version`` / ``timestamp``."""
    import polars as pl

    return pl.from_arrow(_arrow(settings, qualified_name, version, timestamp))


def history(settings: Settings, qualified_name: str) -> list[dict[str, Any]]:
    """Versions of a table, oldest first: version, timestamp (UTC ms), operation, parameters."""
    from deltalake import DeltaTable

    rows = DeltaTable(table_path(settings, qualified_name)).history()
    return sorted(
        ({"version": int(h["version"]), "timestamp": h.get("timestamp"), "operation": h.get("operation"),
          "parameters": h.get("operationParameters", {})} for h in rows),
        key=lambda h: h["version"],
    )


def compare_versions(settings: Settings, qualified_name: str, old: int, new: int | None = None) -> dict[str, Any]:
    """Rows only in ``old`` / only in ``new`` (ignoring run metadata), as polars frames."""
    import polars as pl

    c = contract(qualified_name)
    cols = [*c.keys, *c.compare_columns]
    a = polars_frame(settings, qualified_name, old).select(cols)
    b = polars_frame(settings, qualified_name, new).select(cols)
    # anti-joins on every column: nulls compare equal (join_nulls)
    removed = a.join(b, on=cols, how="anti", nulls_equal=True)
    added = b.join(a, on=cols, how="anti", nulls_equal=True)
    return {"removed": removed, "added": added, "old_rows": a.height, "new_rows": b.height,
            "schema": pl.Schema(a.schema)}
