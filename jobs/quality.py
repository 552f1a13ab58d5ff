"""Data-quality gates between layers, readable without Spark (delta-rs on the small ops tables).

A gate runs after a layer has committed and before the next one reads it. When it fails, the
run stops with a clear message and the layers before it stay as they are (each committed
atomically); the next layers are simply not updated for that day.

``python -m jobs.quality <gate> --day D`` exits 1 with ``QUALITY GATE FAILED: ...`` when:

* ``ingest``: zero volume; quarantine rate above the threshold (overall, or for one source,
  which is how a changed export format, i.e. input schema drift, shows up); a source that sent
  posts on most of the previous days but nothing today ("went silent");
* ``silver`` / ``enrich`` / ``gold``: the stage has no successful run recorded for the day,
  wrote nothing, or its counts do not reconcile with the layer before it;
* any gate: a table the stage writes no longer has its contract's schema (schema drift).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from jobs.settings import Settings, load_settings

SILENT_LOOKBACK_DAYS = 7
SILENT_MIN_ACTIVE_DAYS = 3


class QualityGateFailed(RuntimeError):
    """The run must stop here: the data would mislead the layers after it."""


@dataclass(frozen=True)
class IngestQuality:
    day: date
    records_read: int
    quarantined: int
    ingested_new: int
    updated: int
    silent_sources: list[str]
    per_source: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def quarantine_rate(self) -> float:
        return self.quarantined / self.records_read if self.records_read else 0.0


@dataclass(frozen=True)
class StageQuality:
    stage: str
    day: date
    rows_in: int
    rows_out: int
    details: dict[str, str]


def _local(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path


def _read(settings: Settings, qualified_name: str, filters: list[tuple[str, str, Any]]) -> list[dict[str, Any]]:
    from deltalake import DeltaTable

    from schemas import contract

    c = contract(qualified_name)
    path = _local(settings.table_path(c.layer, c.name))
    if not DeltaTable.is_deltatable(path):
        raise QualityGateFailed(f"{qualified_name} does not exist yet ({path}): has the stage run?")
    return DeltaTable(path).to_pyarrow_table(filters=filters).to_pylist()


def _latest_run_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the latest ingest run among ``rows`` (by finish time, then run id)."""
    if not rows:
        return []
    latest = max((r["finished_at"], r["run_id"]) for r in rows)
    return [r for r in rows if r["run_id"] == latest[1]]


def schema_drift(settings: Settings, tables: list[str]) -> list[str]:
    """Differences between each table's Delta schema and its contract (empty when none)."""
    import pyarrow as pa
    from deltalake import DeltaTable

    from schemas import contract

    problems = []
    for name in tables:
        c = contract(name)
        path = _local(settings.table_path(c.layer, c.name))
        if not DeltaTable.is_deltatable(path):
            continue
        actual = pa.schema(DeltaTable(path).schema().to_arrow())  # arro3 -> pyarrow (PyCapsule)
        expected = c.arrow_schema
        actual_names, expected_names = list(actual.names), list(expected.names)
        if actual_names != expected_names:
            missing = [n for n in expected_names if n not in actual_names]
            extra = [n for n in actual_names if n not in expected_names]
            problems.append(f"{name}: columns differ from the contract (missing {missing}, unexpected {extra})")
            continue
        for want in expected:
            got = actual.field(want.name).type
            if not _same_type(got, want.type):
                problems.append(f"{name}.{want.name}: type {got} in the table, {want.type} in the contract")
    return problems


def _same_type(got: Any, want: Any) -> bool:
    import pyarrow as pa

    def norm(t: Any) -> str:
        # delta-rs reports large/view variants of string and list; compare the logical type.
        s = str(t)
        for a, b in (("large_string", "string"), ("string_view", "string"), ("large_list", "list"),
                     ("timestamp[us, tz=UTC]", "timestamp[us]"), ("not null", "")):
            s = s.replace(a, b)
        return s.replace(" ", "")

    if isinstance(got, pa.DataType) and got.equals(want):
        return True
    return norm(got) == norm(want)


def _fail_on_drift(settings: Settings, stage: str) -> None:
    from jobs.runmetrics import STAGE_TABLES

    problems = schema_drift(settings, list(STAGE_TABLES.get(stage, ())))
    if problems:
        raise QualityGateFailed("schema drift: " + "; ".join(problems))


def ingest_quality(settings: Settings, day: date) -> IngestQuality:
    """Counts of the latest ingest run for ``day`` and the sources that went silent."""
    rows = _read(
        settings, "ops.ingest_runs",
        [("landing_date", ">=", day - timedelta(days=SILENT_LOOKBACK_DAYS)), ("landing_date", "<=", day)],
    )
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_day[r["landing_date"]].append(r)
    today = _latest_run_rows(by_day.get(day, []))
    if not today:
        raise QualityGateFailed(f"no ingest run recorded for {day.isoformat()}")
    active_days: dict[str, int] = defaultdict(int)
    for d, day_rows in by_day.items():
        if d == day:
            continue
        for r in _latest_run_rows(day_rows):
            if r["records_read"] > 0:
                active_days[r["source"]] += 1
    read_today = {r["source"]: r["records_read"] for r in today}
    silent = sorted(
        s for s, n in active_days.items() if n >= SILENT_MIN_ACTIVE_DAYS and read_today.get(s, 0) == 0
    )
    return IngestQuality(
        day=day,
        records_read=sum(r["records_read"] for r in today),
        quarantined=sum(r["quarantined"] for r in today),
        ingested_new=sum(r["ingested_new"] for r in today),
        updated=sum(r["updated"] for r in today),
        silent_sources=silent,
        per_source={r["source"]: {"records_read": r["records_read"], "quarantined": r["quarantined"]} for r in today},
    )


def ingest_problems(
    q: IngestQuality,
    max_quarantine_rate: float = 0.2,
    allow_silent: tuple[str, ...] = (),
    min_source_records: int = 20,
) -> list[str]:
    """Why the ingest of ``q.day`` must stop (empty when it may go on); pure, no I/O."""
    day = q.day.isoformat()
    if q.records_read == 0:
        return [f"zero volume: the ingest of {day} read no records"]
    problems = []
    if q.quarantine_rate > max_quarantine_rate:
        problems.append(
            f"quarantine rate {q.quarantine_rate:.1%} on {day} exceeds {max_quarantine_rate:.1%} "
            f"({q.quarantined} of {q.records_read} records); see bronze.quarantine"
        )
    for source, counts in sorted(q.per_source.items()):
        read, bad = counts["records_read"], counts["quarantined"]
        if read >= min_source_records and bad / read > max_quarantine_rate:
            problems.append(
                f"source {source!r}: {bad} of {read} records quarantined ({bad / read:.1%}) on {day}"
                " - its export format has probably changed (input schema drift); see bronze.quarantine"
            )
    silent = [s for s in q.silent_sources if s not in allow_silent]
    if silent:
        problems.append(
            f"source(s) went silent on {day}: {', '.join(silent)} sent posts on at least "
            f"{SILENT_MIN_ACTIVE_DAYS} of the previous {SILENT_LOOKBACK_DAYS} days and nothing today "
            "(expired token or failed export?); re-run after fixing, or allow them with allow_silent"
        )
    return problems


def check_ingest(
    settings: Settings,
    day: date,
    max_quarantine_rate: float = 0.2,
    allow_silent: tuple[str, ...] = (),
    min_source_records: int = 20,
) -> IngestQuality:
    """Raise QualityGateFailed on zero volume, too much quarantine, a silent source or drift."""
    q = ingest_quality(settings, day)
    problems = ingest_problems(q, max_quarantine_rate, allow_silent, min_source_records)
    if problems:
        raise QualityGateFailed("; ".join(problems))
    _fail_on_drift(settings, "ingest")
    return q


def stage_quality(settings: Settings, stage: str, day: date) -> StageQuality:
    """The latest successful ``ops.run_metrics`` row of ``stage`` for ``day``."""
    rows = [
        r for r in _read(settings, "ops.run_metrics", [("day", "=", day)])
        if r["stage"] == stage and r["status"] == "success"
    ]
    if not rows:
        raise QualityGateFailed(f"no successful {stage} run recorded for {day.isoformat()} in ops.run_metrics")
    latest = max(rows, key=lambda r: r["finished_at"])
    details = dict(latest["details"] or [])
    return StageQuality(stage, day, int(latest["rows_in"] or 0), int(latest["rows_out"] or 0), details)


def check_stage(settings: Settings, stage: str, day: date) -> StageQuality:
    """Gate after silver, enrich or gold: something written, counts reconciled, no drift."""
    q = stage_quality(settings, stage, day)
    if stage == "silver":
        collapsed = int(q.details.get("duplicates_collapsed", "0"))
        if q.rows_out == 0:
            raise QualityGateFailed(f"zero volume: silver kept no posts for {day.isoformat()}")
        if q.rows_in != q.rows_out + collapsed:
            raise QualityGateFailed(
                f"silver counts do not reconcile for {day.isoformat()}: {q.rows_in} bronze rows != "
                f"{q.rows_out} silver rows + {collapsed} collapsed duplicates"
            )
    elif stage == "enrich":
        silver = stage_quality(settings, "silver", day)
        skipped = int(q.details.get("skipped", "0"))
        if q.rows_in != silver.rows_out:
            raise QualityGateFailed(
                f"enrich read {q.rows_in} posts for {day.isoformat()} but silver kept {silver.rows_out}"
            )
        if q.rows_out + skipped != q.rows_in:
            raise QualityGateFailed(
                f"enrich counts do not reconcile for {day.isoformat()}: {q.rows_out} scored + {skipped} "
                f"skipped != {q.rows_in} read"
            )
        if q.rows_out == 0:
            raise QualityGateFailed(f"zero volume: no post was scored for {day.isoformat()}")
    elif stage == "gold":
        totals = [
            r for r in _read(settings, "gold.indicators_daily", [("day", "=", day)])
            if r["grouping_level"] == "total"
        ]
        if len(totals) != 1:
            raise QualityGateFailed(
                f"gold.indicators_daily has {len(totals)} 'total' rows for {day.isoformat()} (expected 1)"
            )
        enrich = stage_quality(settings, "enrich", day)
        q = StageQuality(stage, day, enrich.rows_out, int(totals[0]["posts"]), q.details)
    else:
        raise ValueError(f"no gate for stage {stage!r}")
    _fail_on_drift(settings, stage)
    return q


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Data-quality gates")
    parser.add_argument("gate", choices=["ingest", "silver", "enrich", "gold"])
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--max-quarantine-rate", type=float, default=0.2)
    parser.add_argument("--allow-silent", default="", help="comma-separated sources allowed to be silent")
    ns = parser.parse_args(argv)
    settings = load_settings()
    try:
        if ns.gate == "ingest":
            allow = tuple(s.strip() for s in ns.allow_silent.split(",") if s.strip())
            q = check_ingest(settings, ns.day, ns.max_quarantine_rate, allow)
            print(f"ingest {q.day}: {q.records_read} read, {q.quarantined} quarantined ({q.quarantine_rate:.1%}) - ok")
        else:
            s = check_stage(settings, ns.gate, ns.day)
            print(f"{s.stage} {s.day}: {s.rows_in} in, {s.rows_out} out - ok")
    except QualityGateFailed as exc:
        print(f"QUALITY GATE FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
