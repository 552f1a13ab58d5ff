"""RSS 2.0 and Atom feeds of blogs and forums.

RSS ``item``: ``guid`` (else ``link``) → native_id; ``content:encoded`` (else ``description``), HTML
removed → text; ``title``; ``link`` → url; ``pubDate`` (else ``dc:date``) → created_at; ``author``
("email (Name)") or ``dc:creator`` → author; ``slash:comments`` → replies; ``thr:in-reply-to`` →
parent_id. Atom ``entry``: ``id``; ``content`` (else ``summary``); ``title``; ``link[rel=alternate]``;
``published`` (else ``updated``); ``author/name`` (``author/uri`` as handle when present);
``thr:total`` → replies; ``thr:in-reply-to@ref`` → parent_id (thread_id = parent: exact for
two-level forum threads). Documents declaring entities are refused (no entity expansion).
ingest_line = 1-based item/entry ordinal.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator

from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import (
    Context,
    RecordError,
    file_rejected,
    html_to_text,
    new_record,
    open_bytes,
    parse_ts,
    ref_id,
    to_count,
)

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "thr": "http://purl.org/syndication/thread/1.0",
}
_RSS_AUTHOR = re.compile(r"^\s*(?P<email>\S+@\S+)\s*\((?P<name>[^)]*)\)\s*$")


def _text(node: ET.Element | None) -> str | None:
    if node is None:
        return None
    if len(node) and node.get("type") == "xhtml":
        return html_to_text(ET.tostring(node, encoding="unicode", method="html"))
    value = (node.text or "").strip()
    return value or None


def _body(*nodes: ET.Element | None) -> str:
    for node in nodes:
        value = _text(node)
        if value:
            text = html_to_text(value) if node is not None and node.get("type") != "text" else value
            if text.strip():
                return text
    raise RecordError("missing text (no description/content)")


def _rss_item(item: ET.Element, ctx: Context, line: int, raw: str) -> Record:
    link = _text(item.find("link"))
    guid = _text(item.find("guid")) or link
    author_raw = _text(item.find("author")) or _text(item.find("dc:creator", NS))
    handle = name = author_raw
    match = _RSS_AUTHOR.match(author_raw or "")
    if match:
        handle, name = match["email"], match["name"].strip() or None
    reply_to = item.find("thr:in-reply-to", NS)
    parent = reply_to.get("ref") if reply_to is not None else None
    return new_record(
        ctx,
        native_id=guid,
        created_at=parse_ts(_text(item.find("pubDate")) or _text(item.find("dc:date", NS)), ctx.naive_tz),
        text=_body(item.find("content:encoded", NS), item.find("description")),
        line=line,
        raw=raw,
        author_handle=handle,
        author_name=name,
        url=link,
        title=_text(item.find("title")),
        parent_id=ref_id(ctx, parent),
        replies=to_count(_text(item.find("slash:comments", NS)), "slash:comments"),
    )


def _atom_entry(entry: ET.Element, ctx: Context, line: int, raw: str) -> Record:
    link = None
    for node in entry.findall("atom:link", NS):
        if node.get("rel", "alternate") == "alternate":
            link = node.get("href")
            break
    name = _text(entry.find("atom:author/atom:name", NS))
    reply_to = entry.find("thr:in-reply-to", NS)
    parent = reply_to.get("ref") if reply_to is not None else None
    return new_record(
        ctx,
        native_id=_text(entry.find("atom:id", NS)) or link,
        created_at=parse_ts(
            _text(entry.find("atom:published", NS)) or _text(entry.find("atom:updated", NS)), ctx.naive_tz
        ),
        text=_body(entry.find("atom:content", NS), entry.find("atom:summary", NS)),
        line=line,
        raw=raw,
        author_handle=_text(entry.find("atom:author/atom:uri", NS)) or name,
        author_name=name,
        url=link,
        title=_text(entry.find("atom:title", NS)),
        parent_id=ref_id(ctx, parent),
        replies=to_count(_text(entry.find("thr:total", NS)), "thr:total"),
    )


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    try:
        with open_bytes(path) as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:
        yield file_rejected(f"unreadable file: {exc}", b"")
        return
    head = data[:4096]
    if b"<!ENTITY" in head or b"<!entity" in head:
        yield file_rejected("XML declares entities; refused (entity expansion is not allowed)", data)
        return
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        yield file_rejected(f"invalid XML file: {exc}", data)
        return
    handler: Callable[[ET.Element, Context, int, str], Record]
    if root.tag == "rss":
        entries, handler = root.findall("channel/item"), _rss_item
    elif root.tag == f"{{{NS['atom']}}}feed":
        entries, handler = root.findall("atom:entry", NS), _atom_entry
    else:
        yield file_rejected(f"not an RSS 2.0 or Atom feed (root element {root.tag!r})", data)
        return
    for line, entry in enumerate(entries, start=1):
        raw = ET.tostring(entry, encoding="unicode")
        try:
            yield handler(entry, ctx, line, raw)
        except RecordError as exc:
            yield Rejected(line, str(exc), raw)
