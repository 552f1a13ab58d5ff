"""Instagram Graph API exports: media objects (``caption``) with nested ``comments``, or comment lists.

Mapping: id → native_id; ``caption`` (media) / ``text`` (comment) → text; ``timestamp`` → created_at;
``username`` → author_handle; ``permalink`` → url; ``like_count`` → likes; ``comments_count`` →
replies. Comments nested under a media object get parent_id = the media; ``replies.data`` get
parent_id = their comment; thread_id is the media (or the top comment when the media is unknown).
A top-level comment with ``media.id`` links to that media. ingest_line = depth-first ordinal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import (
    Context,
    RecordError,
    dumps,
    file_rejected,
    load_json_document,
    new_record,
    opt_str,
    parse_ts,
    ref_id,
    require_text,
    to_count,
)


def _is_media(item: dict[str, Any]) -> bool:
    return "caption" in item or "media_type" in item


def _item(item: dict[str, Any], ctx: Context, line: int, raw: str, parent: str | None, thread: str | None,
          media_url: str | None) -> Record:
    native = opt_str(item.get("id"))
    if not native:
        raise RecordError("missing id")
    media = _is_media(item)
    text = require_text(item.get("caption") if media else item.get("text"), "text (caption)" if media else "text")
    media_ref = item.get("media")
    if parent is None and isinstance(media_ref, dict) and media_ref.get("id"):
        parent = thread = opt_str(media_ref["id"])
    return new_record(
        ctx,
        native_id=native,
        created_at=parse_ts(item.get("timestamp")),
        text=text,
        line=line,
        raw=raw,
        author_handle=opt_str(item.get("username")),
        author_name=None,
        url=opt_str(item.get("permalink")) or media_url,
        parent_id=ref_id(ctx, parent),
        thread_id=ref_id(ctx, thread) if thread else None,
        likes=to_count(item.get("like_count"), "like_count"),
        replies=to_count(item.get("comments_count"), "comments_count"),
    )


def _walk(items: list[Any], parent: str | None, thread: str | None, url: str | None,
          counter: list[int]) -> Iterator[tuple[int, Any, str | None, str | None, str | None]]:
    for item in items:
        counter[0] += 1
        yield counter[0], item, parent, thread, url
        if not isinstance(item, dict):
            continue
        own = opt_str(item.get("id"))
        own_url = opt_str(item.get("permalink")) or url
        for edge in ("comments", "replies"):
            nested = item.get(edge)
            if isinstance(nested, dict) and isinstance(nested.get("data"), list):
                yield from _walk(nested["data"], own, thread or own, own_url, counter)


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    doc, bad = load_json_document(path)
    if bad:
        yield bad
        return
    items = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        yield file_rejected("not an Instagram Graph export: expected an object with a 'data' list", dumps(doc))
        return
    for line, item, parent, thread, url in _walk(items, None, None, None, [0]):
        if not isinstance(item, dict):
            yield Rejected(line, f"item is not an object ({type(item).__name__})", dumps(item))
            continue
        raw = dumps({k: v for k, v in item.items() if k not in ("comments", "replies")})
        try:
            yield _item(item, ctx, line, raw, parent, thread, url)
        except RecordError as exc:
            yield Rejected(line, str(exc), raw)
