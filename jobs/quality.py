"""Data-quality gates between layers, readable without Spark (delta-rs on the small ops tables).

``python -m jobs.quality ingest --day D --max-quarantine-rate 0.2`` exits non-zero with a clear
message when the day's ingest looks wrong; earlier layers are left as they are.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date

from jobs.settings import Settings, load_settings


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

    @property
    def quarantine_rate(self) -> float:
        return self.quarantined / self.records_read if self.records_read else 0.0


def ingest_quality(settings: Settings, day: date) -> IngestQuality:
    """Counts of the latest ingest run for ``day`` and the sources that sent nothing."""
    import pyarrow.compute as pc
    from deltalake import DeltaTable

    from schemas.bronze import INGEST_RUNS

    path = settings.table_path(INGEST_RUNS.layer, INGEST_RUNS.name)
    if not DeltaTable.is_deltatable(path):
        raise QualityGateFailed(f"no ingest has run yet: {path} does not exist")
    table = DeltaTable(path).to_pyarrow_table(filters=[("landing_date", "=", day)])
    if table.num_rows == 0:
        raise QualityGateFailed(f"no ingest run recorded for {day.isoformat()}")
    latest = pc.max(table["finished_at"])
    rows = table.filter(pc.equal(table["finished_at"], latest)).to_pylist()
    run_ids = {r["run_id"] for r in rows}
    rows = [r for r in rows if r["run_id"] == sorted(run_ids)[-1]]
    return IngestQuality(
        day=day,
        records_read=sum(r["records_read"] for r in rows),
        quarantined=sum(r["quarantined"] for r in rows),
        ingested_new=sum(r["ingested_new"] for r in rows),
        updated=sum(r["updated"] for r in rows),
        silent_sources=sorted(r["source"] for r in rows if r["records_read"] == 0),
    )


def check_ingest(settings: Settings, day: date, max_quarantine_rate: float = 0.2) -> IngestQuality:
    """Raise QualityGateFailed on zero volume or a quarantine rate above the threshold."""
    q = ingest_quality(settings, day)
    if q.records_read == 0:
        raise QualityGateFailed(f"zero volume: the ingest of {day.isoformat()} read no records")
    if q.quarantine_rate > max_quarantine_rate:
        raise QualityGateFailed(
            f"quarantine rate {q.quarantine_rate:.1%} on {day.isoformat()} exceeds "
            f"{max_quarantine_rate:.1%} ({q.quarantined} of {q.records_read} records); see bronze.quarantine"
        )
    return q


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Data-quality gates")
    parser.add_argument("gate", choices=["ingest"])
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--max-quarantine-rate", type=float, default=0.2)
    ns = parser.parse_args(argv)
    try:
        q = check_ingest(load_settings(), ns.day, ns.max_quarantine_rate)
    except QualityGateFailed as exc:
        print(f"QUALITY GATE FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"ingest {q.day}: {q.records_read} read, {q.quarantined} quarantined ({q.quarantine_rate:.1%}) - ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
