"""Adapters: one landing file in a platform's export format → canonical records or rejections.

``parse_file(path, source)`` looks the source up in ``jobs/reference/sources.toml`` (format,
platform type, id family, CSV encoding); a source missing there is sniffed with ``detect_format``.
It never raises for bad data: an unreadable or malformed file becomes one ``Rejected`` with
line 0, a bad record a ``Rejected`` with its line (or record ordinal) and the reason.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from jobs.adapters import (
    canonical_jsonl,
    facebook,
    feeds,
    instagram,
    news_comments,
    petitions,
    reddit,
    x_api,
    youtube,
)
from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import Context, OfficialLookup, file_rejected, read_head
from jobs.adapters.csvfiles import header_key
from jobs.adapters.encoding import detect_bytes, detect_encoding, normalize_encoding
from jobs.adapters.registry import FORMATS, SourceRegistry, default_official, default_sources

Parser = Callable[[str, Context], Iterator[Record | Rejected]]

PARSERS: dict[str, Parser] = {
    "x_api_v2": x_api.parse,
    "facebook_graph": facebook.parse,
    "instagram_graph": instagram.parse,
    "youtube_comments": youtube.parse,
    "reddit_listing": reddit.parse,
    "rss": feeds.parse,
    "atom": feeds.parse,
    "news_comments_csv": news_comments.parse,
    "petitions_csv": petitions.parse,
    "canonical_jsonl": canonical_jsonl.parse,
}
assert set(PARSERS) == set(FORMATS)


class UnknownFormat(ValueError):
    """The file's format could not be recognised from its name and content."""


def _sniff_json(head: str) -> str | None:
    if re.search(r'"kind"\s*:\s*"youtube#comment', head) or '"topLevelComment"' in head:
        return "youtube_comments"
    if re.search(r'"kind"\s*:\s*"(Listing|t1|t3)"', head):
        return "reddit_listing"
    if re.search(r'"(author_id|public_metrics|conversation_id|edit_history_tweet_ids)"', head):
        return "x_api_v2"
    if re.search(r'"created_time"\s*:', head):
        return "facebook_graph"
    if re.search(r'"(media_type|like_count|username)"', head) and re.search(r'"timestamp"\s*:', head):
        return "instagram_graph"
    return None


def _sniff_csv(head: str) -> str | None:
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    keys = {header_key(cell.strip('"')) for cell in re.split(r"[,;\t|]", first)}
    if keys & set(petitions.ALIASES["signatures"]) or keys & {"petition_id", "id_petitie"}:
        return "petitions_csv"
    if keys & set(news_comments.ALIASES["text"]) and keys & set(news_comments.ALIASES["date"]):
        return "news_comments_csv"
    return None


def detect_format(path: str) -> str:
    """Format name of a landing file from its extension (``.gz`` ignored) and first 64 KiB.

    Raises UnknownFormat when neither gives an answer.
    """
    name = path[:-3] if path.endswith(".gz") else path
    suffix = Path(name).suffix.lower()
    raw = read_head(path)
    head = raw.decode("utf-8", "replace") if raw else ""
    if suffix in (".jsonl", ".ndjson"):
        return "canonical_jsonl"
    if suffix in (".csv", ".tsv", ".txt"):
        found = _sniff_csv(raw.decode(detect_bytes([raw]), "replace")) if raw else None
        if found:
            return found
    stripped = head.lstrip("\ufeff \t\r\n")
    if suffix in (".xml", ".rss", ".atom") or stripped.startswith("<"):
        if re.search(r"<rss[\s>]", head):
            return "rss"
        if re.search(r"<feed[\s>]", head) and "http://www.w3.org/2005/Atom" in head:
            return "atom"
    if suffix == ".json" or stripped[:1] in ("{", "["):
        found = _sniff_json(head)
        if found:
            return found
        first_line = stripped.split("\n", 1)[0]
        if suffix != ".json" and first_line.startswith("{") and '"text"' in first_line:
            return "canonical_jsonl"
    raise UnknownFormat(f"cannot tell the format of {path} (extension {suffix or 'none'!r})")


def parse_file(
    path: str,
    source: str,
    *,
    registry: SourceRegistry | None = None,
    official: OfficialLookup | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
) -> Iterator[Record | Rejected]:
    """Records and rejections of one landing file of ``source``.

    ``fmt``/``encoding`` override the registry (tests, reprocessing); ``registry`` and ``official``
    default to the files in ``jobs/reference``.
    """
    spec = (registry or default_sources()).get(source)
    chosen = fmt or spec.format
    if chosen is None:
        try:
            chosen = detect_format(path)
        except UnknownFormat as exc:
            yield file_rejected(str(exc), read_head(path, 2048))
            return
    if chosen not in PARSERS:
        raise ValueError(f"unknown format {chosen!r}; use one of {', '.join(PARSERS)}")
    platform_type, family = spec.resolve(chosen)
    ctx = Context(
        source=source,
        family=family,
        platform_type=platform_type,
        official=official if official is not None else default_official(),
        encoding=normalize_encoding(encoding) if encoding else spec.encoding,
        naive_tz=ZoneInfo(spec.timezone),
    )
    produced = 0
    try:
        for item in PARSERS[chosen](path, ctx):
            produced += 1
            yield item
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield file_rejected(f"file unreadable or truncated after {produced} records: {exc}", b"")


__all__ = [
    "PARSERS", "Record", "Rejected", "UnknownFormat", "detect_encoding", "detect_format", "parse_file",
]
