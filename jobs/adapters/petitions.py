"""CSV exports of e-petition platforms (one row per petition).

Columns (aliases accepted): petition_id, title, text, initiator, created, signatures, institution,
county, url. Required: title, text, created. Mapping: petition_id → native_id; initiator →
author_name/author_handle; signatures → signatures; county → geo_place; url (else none). The
addressed institution has no bronze column: it stays in raw_payload (the CSV row) for silver.
"""

from __future__ import annotations

from collections.abc import Iterator

from jobs.adapters.base import Record, Rejected
from jobs.adapters.common import Context, new_record, opt_str, parse_ts, require_text, to_count
from jobs.adapters.csvfiles import parse_csv

ALIASES: dict[str, tuple[str, ...]] = {
    "petition_id": ("petition_id", "id_petitie", "id", "nr"),
    "title": ("title", "titlu"),
    "text": ("text", "continut", "descriere", "description", "body"),
    "initiator": ("initiator", "author", "autor", "semnatar"),
    "created": ("created", "created_at", "data", "date", "data_crearii"),
    "signatures": ("signatures", "semnaturi", "nr_semnaturi"),
    "institution": ("institution", "institutie", "destinatar", "adresata"),
    "county": ("county", "judet"),
    "url": ("url", "link"),
}
REQUIRED = ("title", "text", "created")
HEADER = ("petition_id", "title", "text", "initiator", "created", "signatures", "institution", "county")


def _row(values: dict[str, str], ctx: Context, line: int, raw: str) -> Record:
    initiator = opt_str(values.get("initiator"))
    return new_record(
        ctx,
        native_id=opt_str(values.get("petition_id")),
        created_at=parse_ts(values.get("created"), ctx.naive_tz),
        text=require_text(values.get("text")),
        line=line,
        raw=raw,
        author_handle=initiator,
        author_name=initiator,
        url=opt_str(values.get("url")),
        title=opt_str(values.get("title")),
        signatures=to_count(values.get("signatures"), "signatures"),
        geo_place=opt_str(values.get("county")),
    )


def parse(path: str, ctx: Context) -> Iterator[Record | Rejected]:
    yield from parse_csv(path, ctx, ALIASES, REQUIRED, _row, "petitions CSV")
