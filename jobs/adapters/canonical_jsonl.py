"""JSON Lines already in the canonical bronze.posts shape (partner feeds, replays).

One JSON object per line with bronze column names. Required: text, created_at, and platform_type
when the source registry gives none. post_id, parent_id and thread_id are kept when they are
sha256 hex ids; otherwise post_id is computed from native_id (or content). ``source`` is always
the landing folder; job-filled columns (run_id, ingest_file, ...) in the line are ignored, and
unknown keys stay only in raw_payload. Lines are read as bytes and decoded one at a time (UTF-8,
constant memory); the line number is the physical line, 1-based.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import (
    Context,
    RecordError,
    is_post_id,
    new_record,
    open_bytes,
    opt_str,
    parse_ts,
    require_text,
    to_count,
    to_float,
)
from jobs.adapters.registry import PLATFORM_TYPES

_COUNTS = ("likes", "shares", "replies", "views", "signatures")


def _link(value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not is_post_id(value):
        raise RecordError(f"{field} must be a sha256 hex post id, got {value!r}")
    return str(value)


def _record(obj: dict[str, Any], ctx: Context, line: int, raw: str) -> Record:
    text = require_text(obj.get("text"))
    ptype = obj.get("platform_type") or ctx.platform_type
    if ptype not in PLATFORM_TYPES:
        raise RecordError(f"platform_type {ptype!r} not one of {', '.join(PLATFORM_TYPES)}")
    official = obj.get("is_official_account", False)
    if not isinstance(official, bool):
        raise RecordError(f"is_official_account is not a boolean: {official!r}")
    record = new_record(
        replace(ctx, platform_type=str(ptype)),
        native_id=opt_str(obj.get("native_id")),
        created_at=parse_ts(obj.get("created_at")),
        text=text,
        line=line,
        raw=raw,
        author_handle=opt_str(obj.get("author_handle")),
        author_name=opt_str(obj.get("author_name")),
        url=opt_str(obj.get("url")),
        platform_official=official,
        parent_id=_link(obj.get("parent_id"), "parent_id"),
        thread_id=_link(obj.get("thread_id"), "thread_id"),
        title=opt_str(obj.get("title")),
        lang_hint=opt_str(obj.get("lang_hint")),
        geo_place=opt_str(obj.get("geo_place")),
        geo_lat=to_float(obj.get("geo_lat"), "geo_lat"),
        geo_lon=to_float(obj.get("geo_lon"), "geo_lon"),
        **{c: to_count(obj.get(c), c) for c in _COUNTS},
    )
    given = obj.get("post_id")
    if given not in (None, ""):
        record["post_id"] = _link(given, "post_id")
        if obj.get("thread_id") in (None, "") and record["parent_id"] is None:
            record["thread_id"] = record["post_id"]
    return record


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    with open_bytes(path) as fh:
        for line, data in enumerate(fh, start=1):
            if line == 1 and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            if not data.strip():
                continue
            try:
                raw = data.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                yield Rejected(line, f"line is not valid UTF-8 ({exc.reason})", data.decode("utf-8", "replace"))
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield Rejected(line, f"invalid JSON: {exc.msg} at column {exc.colno}", raw)
                continue
            if not isinstance(obj, dict):
                yield Rejected(line, f"line is not a JSON object ({type(obj).__name__})", raw)
                continue
            try:
                yield _record(obj, ctx, line, raw)
            except RecordError as exc:
                yield Rejected(line, str(exc), raw)
