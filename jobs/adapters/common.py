"""Helpers shared by every adapter: ids, timestamps, numbers, HTML to text, file opening.

Adapters turn one landing file into canonical ``Record`` dicts or ``Rejected`` records. Per-record
problems raise :class:`RecordError` inside a format module; the format module catches it and
yields a ``Rejected`` with the line (or record ordinal) and the reason.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import html
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from html.parser import HTMLParser
from typing import IO, Any
from zoneinfo import ZoneInfo

from jobs.adapters.base import Rejected

# bronze.posts columns an adapter fills (all columns minus base.JOB_FILLED), in contract order.
RECORD_COLUMNS = (
    "post_id", "platform_type", "source", "native_id", "url", "author_handle", "author_name",
    "is_official_account", "parent_id", "thread_id", "created_at", "title", "text", "lang_hint",
    "likes", "shares", "replies", "views", "signatures", "geo_place", "geo_lat", "geo_lon",
    "raw_payload", "ingest_line",
)

BUCHAREST = ZoneInfo("Europe/Bucharest")
HEAD_CHARS = 500  # how much of a broken file goes into Rejected.raw
_MIN_YEAR, _MAX_YEAR = 2000, 2100
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class RecordError(ValueError):
    """One record cannot become a post; the message is the Rejected reason."""


@dataclass(frozen=True)
class Context:
    """What a format module needs besides the bytes: names, registries, overrides."""

    source: str
    family: str
    platform_type: str
    official: OfficialLookup
    encoding: str | None = None
    naive_tz: tzinfo = BUCHAREST


class OfficialLookup:
    """(platform, handle) pairs of official institutional accounts, case-insensitive, '@' ignored."""

    def __init__(self, pairs: Mapping[tuple[str, str], str] | None = None) -> None:
        self._pairs = {(p.lower(), normalize_handle(h)): inst for (p, h), inst in (pairs or {}).items()}

    def institution(self, platform: str, handle: str | None) -> str | None:
        """Institution id of an official account, or None."""
        if not handle:
            return None
        return self._pairs.get((platform.lower(), normalize_handle(handle)))

    def is_official(self, platform: str, handle: str | None) -> bool:
        return self.institution(platform, handle) is not None

    def __len__(self) -> int:
        return len(self._pairs)


def normalize_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def stable_id(family: str, native_id: str) -> str:
    """post_id of a post the platform identifies: sha256 hex of ``family:native_id``."""
    return hashlib.sha256(f"{family}:{native_id}".encode()).hexdigest()


def content_id(source: str, url: str | None, author: str | None, created_at: datetime, text: str) -> str:
    """post_id of a post without a native id: sha256 of its identifying content."""
    key = "\x1f".join((source, url or "", author or "", created_at.isoformat(), text))
    return hashlib.sha256(key.encode()).hexdigest()


def is_post_id(value: object) -> bool:
    return isinstance(value, str) and bool(_HEX64.match(value))


def _check_year(ts: datetime, raw: object) -> datetime:
    if not _MIN_YEAR <= ts.year <= _MAX_YEAR:
        raise RecordError(f"implausible date {raw!r}")
    return ts


_DMY = re.compile(
    r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def parse_ts(value: object, naive_tz: tzinfo = UTC) -> datetime:
    """Parse a timestamp as platforms send it and return it in UTC.

    Accepts ISO 8601 (``Z``, ``+00:00``, ``+0000``), epoch seconds (int/float/numeric string),
    RFC 822 (RSS ``pubDate``) and Romanian ``DD.MM.YYYY[ HH:MM[:SS]]``. Values without an offset
    are read in ``naive_tz``. Raises RecordError with a readable reason otherwise.
    """
    if value is None or value == "":
        raise RecordError("missing date")
    if isinstance(value, bool):
        raise RecordError(f"unparseable date {value!r}")
    if isinstance(value, int | float):
        try:
            return _check_year(datetime.fromtimestamp(float(value), tz=UTC), value)
        except (OverflowError, OSError, ValueError) as exc:
            raise RecordError(f"unparseable date {value!r}") from exc
    if not isinstance(value, str):
        raise RecordError(f"unparseable date {value!r} (not a string)")
    text = value.strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return parse_ts(float(text))
    ts: datetime | None = None
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        match = _DMY.match(text)
        if match:
            d, m, y, hh, mm, ss = match.groups()
            try:
                ts = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            except ValueError as exc:
                raise RecordError(f"unparseable date {value!r}") from exc
        elif "," in text or re.search(r"[A-Za-z]{3} \d{4}", text):
            try:
                ts = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                ts = None
    if ts is None:
        raise RecordError(f"unparseable date {value!r}")
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=naive_tz)
    return _check_year(ts.astimezone(UTC), value)


def to_count(value: object, field: str) -> int | None:
    """A non-negative engagement count, or None when absent; RecordError when malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordError(f"{field} is not a count: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d[\d.\s]*\s*", value):
        # "1.234" and "1 234" are Romanian thousands separators.
        number = int(re.sub(r"[.\s]", "", value))
    else:
        raise RecordError(f"{field} is not a count: {value!r}")
    if number < 0:
        raise RecordError(f"{field} is negative: {value!r}")
    return number


def to_float(value: object, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RecordError(f"{field} is not a number: {value!r}") from exc


def require_text(value: object, field: str = "text") -> str:
    """The post text: must be a non-blank string."""
    if value is None:
        raise RecordError(f"missing {field}")
    if not isinstance(value, str):
        raise RecordError(f"{field} is not a string ({type(value).__name__})")
    if not value.strip():
        raise RecordError(f"empty {field}")
    return value


def as_dict(value: object) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty dict (for optional nested fields)."""
    return value if isinstance(value, dict) else {}


def opt_str(value: object) -> str | None:
    """Optional string field: None/blank → None, numbers → str, anything else → RecordError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise RecordError(f"expected a string, got {value!r}")
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise RecordError(f"expected a string, got {type(value).__name__}")
    return value.strip() or None


class _TextExtractor(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "blockquote", "tr", "h1", "h2", "h3", "h4"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment, entities decoded, whitespace tidied, paragraphs kept."""
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    if "<" not in markup:
        return html.unescape(markup).strip()
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)  # entities already decoded once by the parser (convert_charrefs)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def open_bytes(path: str) -> IO[bytes]:
    """Binary stream of a landing file, transparently gunzipped when it ends in .gz."""
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - caller closes


def read_head(path: str, size: int = 65536) -> bytes:
    """First ``size`` bytes of the (decompressed) file; b'' when it cannot be read."""
    try:
        with open_bytes(path) as fh:
            return fh.read(size)
    except (OSError, EOFError, gzip.BadGzipFile):
        return b""


def dumps(obj: Any) -> str:
    """Compact JSON for raw_payload (keeps Romanian letters readable)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)


def new_record(ctx: Context, *, native_id: str | None, created_at: datetime, text: str, line: int,
               raw: str, author_handle: str | None = None, author_name: str | None = None,
               url: str | None = None, **fields: Any) -> dict[str, Any]:
    """Canonical record with every adapter column; post_id from native id or content."""
    post_id = (
        stable_id(ctx.family, native_id) if native_id
        else content_id(ctx.source, url, author_handle or author_name, created_at, text)
    )
    platform_flag = bool(fields.pop("platform_official", False))
    record: dict[str, Any] = dict.fromkeys(RECORD_COLUMNS)
    record.update(
        post_id=post_id,
        platform_type=ctx.platform_type,
        source=ctx.source,
        native_id=native_id,
        url=url,
        author_handle=author_handle,
        author_name=author_name,
        is_official_account=platform_flag or ctx.official.is_official(ctx.family, author_handle),
        created_at=created_at,
        text=text,
        raw_payload=raw,
        ingest_line=line,
    )
    unknown = set(fields) - set(RECORD_COLUMNS)
    if unknown:
        raise TypeError(f"new_record got unknown fields {sorted(unknown)}")  # programming error
    record.update(fields)
    if record["thread_id"] is None:
        record["thread_id"] = record["parent_id"] or post_id
    return record


def ref_id(ctx: Context, native_id: object) -> str | None:
    """post_id of a referenced post (parent, thread root) from its native id."""
    if native_id is None or native_id == "":
        return None
    return stable_id(ctx.family, str(native_id))


def file_rejected(reason: str, head: bytes | str) -> Rejected:
    """The whole file is unusable: one Rejected with line 0 and the file head."""
    text = head if isinstance(head, str) else head[: HEAD_CHARS * 4].decode("utf-8", "replace")
    return Rejected(line=0, reason=reason, raw=text[:HEAD_CHARS])


def load_json_document(path: str) -> tuple[Any, Rejected | None]:
    """Parse a whole JSON document; on failure return the Rejected for the file."""
    try:
        with open_bytes(path) as fh:
            data = fh.read()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return None, file_rejected(f"unreadable file: {exc}", b"")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, file_rejected(f"invalid JSON file: not UTF-8 ({exc.reason} at byte {exc.start})", data)
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, file_rejected(f"invalid JSON file: {exc.msg} at line {exc.lineno} column {exc.colno}", text)


def text_lines(stream: IO[bytes], encoding: str) -> Iterator[str]:
    """Decoded lines of a binary stream (newline kept), streaming, undecodable bytes replaced."""
    wrapper = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    yield from wrapper
