"""Read a Delta table with polars or DuckDB in a separate process and print it as JSON lines.

Usage: python tests/independent_reader.py polars|duckdb TABLE_PATH [VERSION]
Kept out of the test process so the two readers never share native libraries with Spark or each other.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    engine, path = sys.argv[1], sys.argv[2]
    version = int(sys.argv[3]) if len(sys.argv) > 3 else None
    if engine == "polars":
        import polars as pl

        frame = pl.read_delta(path, version=version)
        rows = frame.to_dicts()
    else:
        from jobs.access import duckdb_connection

        con = duckdb_connection()
        query = f"SELECT * FROM delta_scan('{path}')"
        if version is not None:
            raise SystemExit("duckdb reader: version not supported here")
        cur = con.execute(query)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=False)) for r in cur.fetchall()]
    for row in rows:
        print(json.dumps(row, default=str, sort_keys=True))


if __name__ == "__main__":
    main()
