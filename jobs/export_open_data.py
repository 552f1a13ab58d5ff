"""Open-data export: one day of gold.indicators_daily as CSV and JSON, plus a bilingual data dictionary.

Run: ``python -m jobs.export_open_data --day 2026-11-27 --out open-data/ [--k 10]``.

Every row (cell of the indicator cube) behind fewer than ``k`` distinct authors is suppressed:
the row is left out entirely. The export holds aggregates only, never post text, pseudonyms or
post ids; :func:`verify_export` re-reads what was written and fails if either rule is broken.
Reads the table with delta-rs (no Spark needed).
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jobs.settings import Settings, SettingsError, load_settings
from schemas.gold import ALL, INDICATORS_DAILY, NONE

DEFAULT_K = 10
EXCLUDED = ("gold_run_id", "computed_at")
FORBIDDEN = ("text", "text_masked", "title_masked", "author_pseudonym", "author_display", "post_id", "examples")
EXPORT_COLUMNS = [c for c in INDICATORS_DAILY.columns if c not in EXCLUDED]

RO_DOCS: dict[str, str] = {
    "day": "Ziua (UTC) în care au fost publicate postările.",
    "grouping_level": "Nivelul de agregare: ce dimensiuni sunt păstrate (celelalte au valoarea ALL).",
    "institution_id": f"Instituția menționată (id din registru); '{NONE}' = nicio instituție, '{ALL}' = toate.",
    "institution_name": "Numele instituției.",
    "topic": f"Tema de politică publică; '{NONE}' = fără temă, '{ALL}' = toate.",
    "county_code": f"Județul (ISO 3166-2:RO) la care se referă postarea; '{NONE}' = necunoscut, '{ALL}' = toate.",
    "platform_type": f"Tipul platformei; '{ALL}' = toate.",
    "posts": "Numărul de postări distincte.",
    "distinct_authors": "Numărul de autori distincți.",
    "scored": "Postări cu sentiment evaluat (doar acestea intră în cifrele de sentiment).",
    "negative": "Postări evaluate ca negative.",
    "neutral": "Postări evaluate ca neutre.",
    "positive": "Postări evaluate ca pozitive.",
    "net_sentiment": "Indicele sentimentului net: (pozitive - negative) / evaluate, între -1 și 1.",
    "mean_p_negative": "Media probabilității de sentiment negativ.",
    "mean_p_neutral": "Media probabilității de sentiment neutru.",
    "mean_p_positive": "Media probabilității de sentiment pozitiv.",
    "likes": "Suma aprecierilor.",
    "shares": "Suma distribuirilor.",
    "replies": "Suma răspunsurilor raportate de platformă.",
    "views": "Suma vizualizărilor.",
    "signatures": "Suma semnăturilor pe petiții.",
    "share_of_voice_in_topic": "Ponderea instituției în discuția despre temă (postări / total postări pe temă).",
    "share_of_voice_in_institution": "Ponderea temei în discuția despre instituție.",
    "posts_7d": "Postări în ultimele 7 zile (inclusiv ziua).",
    "posts_28d": "Postări în ultimele 28 de zile.",
    "net_sentiment_7d": "Sentimentul net pe ultimele 7 zile.",
    "net_sentiment_28d": "Sentimentul net pe ultimele 28 de zile.",
    "posts_prev_7d": "Postări în cele 7 zile dinaintea acestora.",
    "posts_wow_change": "Variația săptămânală a volumului: posts_7d / posts_prev_7d - 1.",
    "net_sentiment_wow_change": "Variația săptămânală a sentimentului net (puncte de indice).",
}


class ExportError(RuntimeError):
    """The export would publish something it must not."""


@dataclass(frozen=True)
class ExportResult:
    day: date
    k: int
    rows_in: int
    rows_published: int
    rows_suppressed: int
    files: list[str]


def read_day(settings: Settings, day: date) -> list[dict[str, Any]]:
    """The day's indicator rows as dicts (delta-rs, partition-filtered)."""
    from deltalake import DeltaTable

    table = DeltaTable(settings.table_path(INDICATORS_DAILY.layer, INDICATORS_DAILY.name))
    arrow = table.to_pyarrow_table(columns=EXPORT_COLUMNS, filters=[("day", "=", day)])
    return arrow.to_pylist()


def suppress(rows: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Rows with at least ``k`` distinct authors, sorted by their keys."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    kept = [r for r in rows if int(r["distinct_authors"]) >= k]
    keys = INDICATORS_DAILY.keys
    return sorted(kept, key=lambda r: tuple(str(r[c]) for c in keys))


def data_dictionary(k: int) -> dict[str, Any]:
    """Column meanings in Romanian and English, plus the suppression rule."""
    return {
        "table": INDICATORS_DAILY.qualified_name,
        "suppression": {
            "ro": f"Rândurile cu mai puțin de {k} autori distincți nu sunt publicate.",
            "en": f"Rows with fewer than {k} distinct authors are not published.",
            "k": k,
        },
        "columns": [
            {"name": c, "type": INDICATORS_DAILY.schema[c].dataType.simpleString(), "ro": RO_DOCS[c],
             "en": INDICATORS_DAILY.column_docs[c]}
            for c in EXPORT_COLUMNS
        ],
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def write_export(rows: list[dict[str, Any]], day: date, out: Path, k: int) -> list[str]:
    """indicators-<day>.csv / .json and data-dictionary.json / .md under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"indicators-{day.isoformat()}"
    with (out / f"{stem}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows({c: _plain(r[c]) for c in EXPORT_COLUMNS} for r in rows)
    payload = {"day": day.isoformat(), "k": k, "rows": [{c: _plain(r[c]) for c in EXPORT_COLUMNS} for r in rows]}
    (out / f"{stem}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    dictionary = data_dictionary(k)
    (out / "data-dictionary.json").write_text(json.dumps(dictionary, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [
        f"# Civic Pulse — indicatori zilnici / daily indicators ({INDICATORS_DAILY.qualified_name})",
        "",
        f"- RO: {dictionary['suppression']['ro']}",
        f"- EN: {dictionary['suppression']['en']}",
        "",
        "| Coloană / Column | Tip / Type | Descriere (RO) | Description (EN) |",
        "|---|---|---|---|",
        *[f"| `{c['name']}` | {c['type']} | {c['ro']} | {c['en']} |" for c in dictionary["columns"]],
        "",
    ]
    (out / "data-dictionary.md").write_text("\n".join(lines), encoding="utf-8")
    return [f"{stem}.csv", f"{stem}.json", "data-dictionary.json", "data-dictionary.md"]


def verify_export(out: Path, day: date, k: int) -> None:
    """Re-read the published files; raise ExportError on a row below k or a forbidden column."""
    stem = f"indicators-{day.isoformat()}"
    with (out / f"{stem}.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        csv_rows = list(reader)
    data = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    json_cols = {c for r in data["rows"] for c in r}
    leaked = [c for c in (*header, *json_cols) if c in FORBIDDEN]
    if leaked:
        raise ExportError(f"export contains forbidden columns {sorted(set(leaked))}")
    small = [r for r in csv_rows if int(r["distinct_authors"]) < k] + [
        r for r in data["rows"] if int(r["distinct_authors"]) < k
    ]
    if small:
        raise ExportError(f"{len(small)} published rows have fewer than k={k} distinct authors")


def export_open_data(settings: Settings, day: date, out: Path, k: int = DEFAULT_K) -> ExportResult:
    rows = read_day(settings, day)
    published = suppress(rows, k)
    files = write_export(published, day, out, k)
    verify_export(out, day, k)
    return ExportResult(day, k, len(rows), len(published), len(rows) - len(published), files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--k", type=int, default=DEFAULT_K, help="minimum distinct authors per published row")
    parser.add_argument("--lake-root", default=None)
    ns = parser.parse_args(argv)
    if ns.k < 1:
        parser.error("--k must be >= 1")
    try:
        settings = load_settings(lake_root=ns.lake_root)
    except SettingsError as exc:
        parser.error(str(exc))
    result = export_open_data(settings, ns.day, ns.out, ns.k)
    print(json.dumps({**result.__dict__, "day": result.day.isoformat()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
