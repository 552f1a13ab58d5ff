"""YouTube Data API v3 ``commentThreads.list`` (and ``comments.list``) responses.

Mapping per comment (``snippet``): id → native_id; ``textOriginal`` (else ``textDisplay`` with HTML
removed) → text; ``publishedAt`` → created_at; ``authorDisplayName`` → author_name, and as
author_handle when it is an ``@handle`` (else the channel id); ``likeCount`` → likes; the thread's
``totalReplyCount`` → replies of the top-level comment; url = watch?v=VIDEO&lc=COMMENT. Replies
(``replies.comments``) get parent_id from ``snippet.parentId`` (else the top comment) and thread_id =
the top-level comment. ingest_line = depth-first ordinal of the comment.
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
    html_to_text,
    load_json_document,
    new_record,
    opt_str,
    parse_ts,
    ref_id,
    to_count,
)


def _comment(comment: dict[str, Any], ctx: Context, line: int, raw: str, parent: str | None,
             thread: str | None, reply_count: object) -> Record:
    native = opt_str(comment.get("id"))
    if not native:
        raise RecordError("missing id")
    snip = comment.get("snippet")
    if not isinstance(snip, dict):
        raise RecordError("missing snippet")
    text = snip.get("textOriginal")
    if text is None and snip.get("textDisplay") is not None:
        display = snip["textDisplay"]
        if not isinstance(display, str):
            raise RecordError(f"text is not a string ({type(display).__name__})")
        text = html_to_text(display)
    if text is None:
        raise RecordError("missing text")
    if not isinstance(text, str):
        raise RecordError(f"text is not a string ({type(text).__name__})")
    if not text.strip():
        raise RecordError("empty text")
    name = opt_str(snip.get("authorDisplayName"))
    channel = snip.get("authorChannelId")
    channel_id = opt_str(channel.get("value")) if isinstance(channel, dict) else opt_str(channel)
    handle = name if name and name.startswith("@") else channel_id
    video = opt_str(snip.get("videoId"))
    parent = opt_str(snip.get("parentId")) or parent
    return new_record(
        ctx,
        native_id=native,
        created_at=parse_ts(snip.get("publishedAt")),
        text=text,
        line=line,
        raw=raw,
        author_handle=handle,
        author_name=name,
        url=f"https://www.youtube.com/watch?v={video}&lc={native}" if video else None,
        parent_id=ref_id(ctx, parent),
        thread_id=ref_id(ctx, thread) if thread else None,
        likes=to_count(snip.get("likeCount"), "likeCount"),
        replies=to_count(reply_count, "totalReplyCount"),
    )


def _comments(items: list[Any]) -> Iterator[tuple[Any, str | None, str | None, object]]:
    """(comment, parent native id, thread native id, reply count) in document order."""
    for item in items:
        if not isinstance(item, dict) or item.get("kind") == "youtube#comment":
            yield item, None, None, None
            continue
        snip = as_dict(item.get("snippet"))
        top = snip.get("topLevelComment")
        yield top, None, None, snip.get("totalReplyCount")
        top_id = opt_str(top.get("id")) if isinstance(top, dict) else None
        replies = item.get("replies")
        if isinstance(replies, dict) and isinstance(replies.get("comments"), list):
            for reply in replies["comments"]:
                yield reply, top_id, top_id, None


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    doc, bad = load_json_document(path)
    if bad:
        yield bad
        return
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        yield file_rejected("not a YouTube API response: expected an object with an 'items' list", dumps(doc))
        return
    for line, (comment, parent, thread, reply_count) in enumerate(_comments(items), start=1):
        if not isinstance(comment, dict):
            yield Rejected(line, f"comment is not an object ({type(comment).__name__})", dumps(comment))
            continue
        raw = dumps(comment)
        try:
            yield _comment(comment, ctx, line, raw, parent, thread, reply_count)
        except RecordError as exc:
            yield Rejected(line, str(exc), raw)
