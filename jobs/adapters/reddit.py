"""Reddit listing JSON (``kind: Listing``; ``t3`` posts, ``t1`` comments with nested ``replies``).

A file holds one Listing or a list of Listings (the post + comments page). Mapping: id → native_id;
t3 ``selftext`` (or the ``title`` for link posts) → text, ``title`` → title, ``num_comments`` →
replies; t1 ``body`` → text; ``created_utc`` (epoch seconds) → created_at; ``author`` →
author_handle; ``ups`` (else ``score``) → likes; ``permalink`` → url; ``parent_id`` (t1_/t3_ prefix
removed) → parent_id; ``link_id`` → thread_id; ``r/<subreddit>`` → geo_place (city subreddits are
place hints). Deleted/removed comments and ``more`` stubs are rejected with that reason.
ingest_line = depth-first ordinal of the child.
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
)

_GONE = ("[deleted]", "[removed]")


def _strip_prefix(fullname: object) -> str | None:
    value = opt_str(fullname)
    if value and len(value) > 3 and value[2] == "_" and value[0] == "t":
        return value[3:]
    return value


def _child(kind: object, data: dict[str, Any], ctx: Context, line: int, raw: str) -> Record:
    if kind == "more":
        raise RecordError(f"pagination stub 'more' ({len(data.get('children') or [])} comments not exported)")
    if kind not in ("t1", "t3"):
        raise RecordError(f"unsupported listing kind {kind!r}")
    native = opt_str(data.get("id"))
    if not native:
        raise RecordError("missing id")
    title = None
    if kind == "t3":
        title = require_text(data.get("title"), "title")
        body = data.get("selftext")
        text = body if isinstance(body, str) and body.strip() and body not in _GONE else title
        parent = None
        thread = None
    else:
        text = require_text(data.get("body"))
        if text.strip() in _GONE:
            raise RecordError(f"comment {text.strip()[1:-1]} by Reddit")
        parent = _strip_prefix(data.get("parent_id"))
        thread = _strip_prefix(data.get("link_id"))
    author = opt_str(data.get("author"))
    likes = data.get("ups") if data.get("ups") is not None else data.get("score")
    subreddit = opt_str(data.get("subreddit"))
    permalink = opt_str(data.get("permalink"))
    return new_record(
        ctx,
        native_id=native,
        created_at=parse_ts(data.get("created_utc")),
        text=text,
        line=line,
        raw=raw,
        author_handle=None if author in _GONE else author,
        url=f"https://www.reddit.com{permalink}" if permalink and permalink.startswith("/") else permalink,
        parent_id=ref_id(ctx, parent),
        thread_id=ref_id(ctx, thread) if thread else None,
        title=title,
        likes=to_count(likes, "ups"),
        replies=to_count(data.get("num_comments"), "num_comments") if kind == "t3" else None,
        geo_place=f"r/{subreddit}" if subreddit else None,
    )


def _children(node: object, counter: list[int]) -> Iterator[tuple[int, Any]]:
    if isinstance(node, list):
        for listing in node:
            yield from _children(listing, counter)
        return
    if not isinstance(node, dict) or node.get("kind") != "Listing":
        return
    data = as_dict(node.get("data"))
    for child in data.get("children") or []:
        counter[0] += 1
        yield counter[0], child
        if isinstance(child, dict) and isinstance(child.get("data"), dict):
            yield from _children(child["data"].get("replies"), counter)


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    doc, bad = load_json_document(path)
    if bad:
        yield bad
        return
    listings = doc if isinstance(doc, list) else [doc]
    if not listings or not all(isinstance(x, dict) and x.get("kind") == "Listing" for x in listings):
        yield file_rejected("not a Reddit listing: expected {'kind': 'Listing', ...} or a list of them", dumps(doc))
        return
    for line, child in _children(listings, [0]):
        if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
            yield Rejected(line, "child is not {kind, data}", dumps(child))
            continue
        data = child["data"]
        raw = dumps({"kind": child.get("kind"), "data": {k: v for k, v in data.items() if k != "replies"}})
        try:
            yield _child(child.get("kind"), data, ctx, line, raw)
        except RecordError as exc:
            yield Rejected(line, str(exc), raw)
