"""Facebook Graph API page feed exports: posts with nested ``comments`` (and replies), or comment lists.

Mapping: id → native_id; ``message`` → text (posts without a message, e.g. a cover-photo change, are
rejected); created_time; ``from`` (username, else id → author_handle; name → author_name);
permalink_url → url; ``reactions.summary.total_count`` (or ``likes``) → likes; ``shares.count`` →
shares; ``comments.summary.total_count`` / ``comment_count`` → replies; ``place`` → geo.
Comments nested under a post get parent_id = that post (or ``parent.id`` for replies) and
thread_id = the post. ingest_line is the item's 1-based position in depth-first document order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import (
    Context,
    RecordError,
    as_dict,
    dumps,
    file_rejected,
    load_json_document,
    new_record,
    opt_str,
    parse_ts,
    ref_id,
    require_text,
    to_count,
    to_float,
)


def _summary_count(edge: object, field: str) -> int | None:
    if isinstance(edge, dict) and isinstance(edge.get("summary"), dict):
        return to_count(edge["summary"].get("total_count"), field)
    return None


def _item(item: dict[str, Any], ctx: Context, line: int, raw: str, parent: str | None,
          thread: str | None) -> Record:
    native = opt_str(item.get("id"))
    if not native:
        raise RecordError("missing id")
    text = require_text(item.get("message"), "text (message)")
    created_at = parse_ts(item.get("created_time"))
    author = as_dict(item.get("from"))
    explicit_parent = item.get("parent")
    if isinstance(explicit_parent, dict) and explicit_parent.get("id"):
        parent = opt_str(explicit_parent["id"])
    place = as_dict(item.get("place"))
    location = as_dict(place.get("location"))
    likes = _summary_count(item.get("reactions"), "reactions")
    if likes is None:
        likes = _summary_count(item.get("likes"), "likes")
    if likes is None:
        likes = to_count(item.get("like_count"), "like_count")
    shares = item.get("shares")
    replies = _summary_count(item.get("comments"), "comments")
    if replies is None:
        replies = to_count(item.get("comment_count"), "comment_count")
    return new_record(
        ctx,
        native_id=native,
        created_at=created_at,
        text=text,
        line=line,
        raw=raw,
        author_handle=opt_str(author.get("username")) or opt_str(author.get("id")),
        author_name=opt_str(author.get("name")),
        url=opt_str(item.get("permalink_url")) or f"https://www.facebook.com/{native}",
        parent_id=ref_id(ctx, parent),
        thread_id=ref_id(ctx, thread) if thread else None,
        likes=likes,
        shares=to_count(shares.get("count"), "shares") if isinstance(shares, dict) else None,
        replies=replies,
        geo_place=opt_str(place.get("name")) or opt_str(location.get("city")),
        geo_lat=to_float(location.get("latitude"), "latitude"),
        geo_lon=to_float(location.get("longitude"), "longitude"),
    )


def _walk(items: list[Any], parent: str | None, thread: str | None,
          counter: list[int]) -> Iterator[tuple[int, Any, str | None, str | None]]:
    """Depth-first (ordinal, item, parent native id, thread native id)."""
    for item in items:
        counter[0] += 1
        yield counter[0], item, parent, thread
        if isinstance(item, dict):
            nested = item.get("comments")
            if isinstance(nested, dict) and isinstance(nested.get("data"), list):
                own = opt_str(item.get("id"))
                yield from _walk(nested["data"], own, thread or own, counter)


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    doc, bad = load_json_document(path)
    if bad:
        yield bad
        return
    items = doc.get("data") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        yield file_rejected("not a Facebook Graph export: expected an object with a 'data' list", dumps(doc))
        return
    for line, item, parent, thread in _walk(items, None, None, [0]):
        if not isinstance(item, dict):
            yield Rejected(line, f"item is not an object ({type(item).__name__})", dumps(item))
            continue
        flat = {k: v for k, v in item.items() if k != "comments"}
        if isinstance(item.get("comments"), dict) and "summary" in item["comments"]:
            flat["comments"] = {"summary": item["comments"]["summary"]}
        raw = dumps(flat)
        try:
            yield _item(item, ctx, line, raw, parent, thread)
        except RecordError as exc:
            yield Rejected(line, str(exc), raw)
