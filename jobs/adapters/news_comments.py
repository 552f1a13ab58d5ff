"""CSV exports of news-site comment threads (one row per comment).

Columns (header names matched case- and diacritic-insensitively, Romanian aliases accepted):
article_url, article_title, comment_id, parent_comment_id, thread_id (optional root comment),
author, date, text, likes. Required: date, text. Mapping: comment_id → native_id (content hash
when empty); article_url#comment-ID → url; article_title → title; parent_comment_id → parent_id;
thread_id column, else the parent (news sites nest one level), else the comment itself → thread_id.
Dates without an offset are Europe/Bucharest (or the source's ``timezone``).
"""

from __future__ import annotations

from collections.abc import Iterator

from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import Context, new_record, opt_str, parse_ts, ref_id, require_text, to_count
from jobs.adapters.csvfiles import parse_csv

ALIASES: dict[str, tuple[str, ...]] = {
    "article_url": ("article_url", "url_articol", "articol_url", "url", "link"),
    "article_title": ("article_title", "titlu_articol", "titlu", "title"),
    "comment_id": ("comment_id", "id_comentariu", "id"),
    "parent_comment_id": ("parent_comment_id", "parent_id", "raspuns_la", "in_reply_to"),
    "thread_id": ("thread_id", "root_comment_id", "fir"),
    "author": ("author", "autor", "user", "utilizator", "nume"),
    "date": ("date", "data", "created_at", "created", "datetime"),
    "text": ("text", "comentariu", "comment", "continut", "mesaj"),
    "likes": ("likes", "aprecieri", "voturi", "upvotes"),
}
REQUIRED = ("date", "text")
HEADER = ("article_url", "article_title", "comment_id", "parent_comment_id", "author", "date", "text", "likes")


def _row(values: dict[str, str], ctx: Context, line: int, raw: str) -> Record:
    text = require_text(values.get("text"))
    native = opt_str(values.get("comment_id"))
    article = opt_str(values.get("article_url"))
    parent = opt_str(values.get("parent_comment_id"))
    thread = opt_str(values.get("thread_id")) or parent
    author = opt_str(values.get("author"))
    return new_record(
        ctx,
        native_id=native,
        created_at=parse_ts(values.get("date"), ctx.naive_tz),
        text=text,
        line=line,
        raw=raw,
        author_handle=author,
        author_name=author,
        url=f"{article}#comment-{native}" if article and native else article,
        title=opt_str(values.get("article_title")),
        parent_id=ref_id(ctx, parent),
        thread_id=ref_id(ctx, thread) if thread else None,
        likes=to_count(values.get("likes"), "likes"),
    )


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    yield from parse_csv(path, ctx, ALIASES, REQUIRED, _row, "news comments CSV")
