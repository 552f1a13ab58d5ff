"""Streaming CSV reading shared by the CSV formats: encoding, delimiter, header aliases, line numbers."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from typing import IO

from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import Context, RecordError, file_rejected, open_bytes
from jobs.adapters.encoding import detect_encoding

csv.field_size_limit(10_000_000)


def header_key(name: str) -> str:
    """Header cell → lookup key: lower case, no diacritics, spaces/dashes as underscores."""
    folded = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff").lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return "_".join(plain.replace("-", " ").split())


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


RowHandler = Callable[[dict[str, str], Context, int, str], Record]


def parse_csv(path: str, ctx: Context, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...],
              handler: RowHandler, kind: str) -> Iterator[Record | Rejected]:
    """Yield records/rejections of a CSV with a header row, one row at a time.

    ``aliases`` maps canonical field → accepted header names (already ``header_key``-ed). Line
    numbers are physical lines, the header being line 1; a quoted multi-line row gets its first line.
    """
    try:
        encoding = ctx.encoding or detect_encoding(path)
        stream = open_bytes(path)
    except (OSError, EOFError) as exc:
        yield file_rejected(f"unreadable file: {exc}", b"")
        return
    with stream:
        text = _TrackedLines(stream, encoding)
        header_line = text.peek_first()
        if header_line is None:
            yield file_rejected(f"empty {kind} file (no header)", b"")
            return
        reader = csv.reader(text, delimiter=_delimiter(header_line), strict=False)
        try:
            header = next(reader)
        except csv.Error as exc:
            yield file_rejected(f"unreadable {kind} header: {exc}", header_line)
            return
        text.take_raw()
        keys = [header_key(h) for h in header]
        columns: dict[str, int] = {}
        for field, names in aliases.items():
            for i, key in enumerate(keys):
                if key in names and field not in columns:
                    columns[field] = i
        missing = [f for f in required if f not in columns]
        if missing:
            yield file_rejected(
                f"{kind} header lacks required columns {missing} (found {header}; encoding {encoding})", header_line
            )
            return
        width = len(header)
        while True:
            start = text.lines_read + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield Rejected(start, f"malformed CSV row: {exc}", text.take_raw())
                continue
            raw = text.take_raw()
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line: no record
            if len(row) != width:
                yield Rejected(start, f"expected {width} columns, got {len(row)}", raw.rstrip("\r\n"))
                continue
            values = {field: row[i] for field, i in columns.items()}
            try:
                yield handler(values, ctx, start, raw.rstrip("\r\n"))
            except RecordError as exc:
                yield Rejected(start, str(exc), raw.rstrip("\r\n"))


class _TrackedLines:
    """Line iterator over a decoded byte stream that remembers the raw text of the current row."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self._lines = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")  # type: ignore[type-var]
        self._pending: str | None = None
        self._buffer: list[str] = []
        self.lines_read = 0

    def peek_first(self) -> str | None:
        line = self._lines.readline()
        if not line:
            return None
        self._pending = line
        return line

    def __iter__(self) -> _TrackedLines:
        return self

    def __next__(self) -> str:
        if self._pending is not None:
            line, self._pending = self._pending, None
        else:
            line = self._lines.readline()
            if not line:
                raise StopIteration
        self.lines_read += 1
        self._buffer.append(line)
        return line

    def take_raw(self) -> str:
        raw = "".join(self._buffer)
        self._buffer.clear()
        return raw
