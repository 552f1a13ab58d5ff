"""Reading and writing post tables (CSV / JSONL) for the model CLIs, with clear user-facing errors."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SUPPORTED = (".csv", ".jsonl", ".ndjson")


class InputError(ValueError):
    """A problem with the user's input file (reported without a traceback, exit code 2)."""


def read_posts(path: str | Path, text_col: str) -> list[dict[str, Any]]:
    """Read rows from CSV or JSONL; every row must carry ``text_col``.

    Raises ``InputError`` for a missing file, an unsupported extension, an empty file or a missing column.
    """
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in SUPPORTED:
        raise InputError(f"unsupported input extension {ext or '(none)'!r} for {p}; use one of {SUPPORTED}")
    if not p.is_file():
        raise InputError(f"input file not found: {p}")
    rows: list[dict[str, Any]]
    if ext == ".csv":
        with open(p, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames:
                raise InputError(f"input file is empty: {p}")
            if text_col not in reader.fieldnames:
                raise InputError(f"column {text_col!r} not found in {p}; columns: {list(reader.fieldnames)}")
            rows = [dict(r) for r in reader]
    else:
        rows = []
        with open(p, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{p}:{n}: invalid JSON ({exc.msg})") from exc
                if not isinstance(obj, dict):
                    raise InputError(f"{p}:{n}: each line must be a JSON object")
                if text_col not in obj:
                    raise InputError(f"{p}:{n}: column {text_col!r} not found; keys: {sorted(obj)}")
                rows.append(obj)
    if not rows:
        raise InputError(f"input file has no rows: {p}")
    return rows


def texts_of(rows: Iterable[dict[str, Any]], text_col: str) -> list[str]:
    """The text column as strings (missing/None become empty strings)."""
    return ["" if r.get(text_col) is None else str(r.get(text_col)) for r in rows]


def write_rows(rows: list[dict[str, Any]], path: str | Path) -> None:
    """Write rows to ``.csv`` or ``.jsonl`` depending on the output extension."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in SUPPORTED:
        raise InputError(f"unsupported output extension {ext or '(none)'!r} for {p}; use one of {SUPPORTED}")
    p.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".csv":
        fields: list[str] = []
        for r in rows:
            for k in r:
                if k not in fields:
                    fields.append(k)
        with open(p, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            for r in rows:
                writer.writerow({k: _cell(v) for k, v in r.items()})
    else:
        with open(p, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value
