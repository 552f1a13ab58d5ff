"""Analyst access to the lake without Spark: DuckDB (delta extension loaded by path, offline) and polars."""

from __future__ import annotations

import glob
from typing import Any


def delta_extension_path() -> str:
    """The delta extension shipped by the ``duckdb-extension-delta`` wheel (nothing is downloaded)."""
    import duckdb
    import duckdb_extension_delta

    version = duckdb.__version__
    for root in duckdb_extension_delta.__path__:
        found = glob.glob(f"{root}/extensions/v{version}/delta.duckdb_extension")
        if found:
            return found[0]
    raise FileNotFoundError(
        f"duckdb-extension-delta has no build for duckdb {version}; install duckdb-extension-delta=={version}"
    )


def duckdb_connection() -> Any:
    """An in-memory DuckDB connection with ``delta_scan`` available."""
    import duckdb

    con = duckdb.connect(config={"allow_unsigned_extensions": "true", "autoinstall_known_extensions": "false"})
    con.execute(f"LOAD '{delta_extension_path()}'")
    return con
