"""Table maintenance: compact small files, checkpoint, vacuum with a safe retention, per table.

``python -m jobs.maintenance --day D [--layer gold] [--retention-hours 168] [--dry-run]``

For every table of the selected layers that exists, in order:

1. **Retention properties.** Delta log entries are kept ``log_retention_days`` (default
   3650): log clean-up must never make a version that a report was built from unreadable.
2. **Compaction** (``OPTIMIZE``): small files of each partition rewritten into larger ones.
   Audited: the row count must be the same before and after, or the job fails.
3. **Checkpoint** of the new version.
4. **Vacuum**: data files that no version of the last ``retention_hours`` needs are deleted.
   Fewer than 168 hours (7 days) is refused: a reader or a late writer may still need them.
   Versions pinned by a report manifest (``<reports_root>/**/manifest.json``) keep their files,
   so every past report can still be re-rendered from its recorded versions.

Maintenance changes files, never rows; a second run right after the first finds nothing to do.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jobs.cli import job_parser, parse_job_args
from jobs.settings import Settings

log = logging.getLogger("civic_pulse.maintenance")

MIN_RETENTION_HOURS = 168
DEFAULT_LOG_RETENTION_DAYS = 3650


class UnsafeRetention(ValueError):
    """A vacuum retention below the safe minimum was asked for."""


class MaintenanceChangedRows(RuntimeError):
    """Compaction changed a table's row count: the table must be inspected (time travel)."""


@dataclass
class TableMaintenance:
    table: str
    rows: int
    files_before: int
    files_after: int
    compacted_removed: int
    compacted_added: int
    vacuumed_files: int
    pinned_versions: list[int]
    version_before: int
    version_after: int
    properties_set: dict[str, str] = field(default_factory=dict)


@dataclass
class MaintenanceResult:
    run_id: str
    day: date
    retention_hours: int
    dry_run: bool
    tables: list[TableMaintenance]

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "day": self.day.isoformat(),
            "retention_hours": self.retention_hours,
            "dry_run": self.dry_run,
            "tables": [asdict(t) for t in self.tables],
            "rows_in": sum(t.rows for t in self.tables),
            "rows_out": sum(t.rows for t in self.tables),
        }


def pinned_versions(settings: Settings) -> dict[str, set[int]]:
    """Table versions named by report manifests: ``{"gold.alerts": {12, 15}, ...}``."""
    root = settings.reports_root
    pinned: dict[str, set[int]] = {}
    if not root or "://" in root and not root.startswith("file://"):
        return pinned
    base = Path(root[len("file://") :] if root.startswith("file://") else root)
    if not base.is_dir():
        return pinned
    for manifest in sorted(base.rglob("manifest.json")):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("unreadable report manifest %s: %s", manifest, exc)
            continue
        for name, version in _table_versions(data).items():
            pinned.setdefault(name, set()).add(version)
    return pinned


def _table_versions(data: Any) -> dict[str, int]:
    """``table_versions`` of a manifest: a {name: version} map, or a list of {table, version}."""
    found = data.get("table_versions") if isinstance(data, dict) else None
    if isinstance(found, dict):
        out = {}
        for name, value in found.items():
            if isinstance(value, dict):
                value = value.get("version")
            if isinstance(value, int):
                out[str(name)] = value
        return out
    if isinstance(found, list):
        return {str(e["table"]): int(e["version"]) for e in found if isinstance(e, dict) and "table" in e}
    return {}


def run_maintenance(
    settings: Settings,
    spark: Any,
    day: date,
    run_id: str,
    layers: list[str] | None = None,
    retention_hours: int = MIN_RETENTION_HOURS,
    dry_run: bool = False,
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS,
) -> MaintenanceResult:
    """Compact, checkpoint and vacuum every existing table of ``layers`` (all by default)."""
    from jobs.lake import open_lake
    from jobs.runlock import stage_lock
    from schemas import all_contracts

    if retention_hours < MIN_RETENTION_HOURS:
        raise UnsafeRetention(
            f"retention of {retention_hours} h is below the safe minimum of {MIN_RETENTION_HOURS} h"
        )
    lake = open_lake(settings, spark)
    pins = pinned_versions(settings)
    wanted_props = {
        "delta.logRetentionDuration": f"interval {log_retention_days} days",
        "delta.deletedFileRetentionDuration": f"interval {MIN_RETENTION_HOURS // 24} days",
    }
    done: list[TableMaintenance] = []
    for contract in all_contracts():
        if layers and contract.layer not in layers:
            continue
        if not lake.exists(contract):
            continue
        name = contract.qualified_name
        # Hold the lock of the stage that writes the table, so a nightly run waits for us.
        with stage_lock(settings, writer_stage(name), run_id):
            done.append(_maintain_table(lake, contract, pins.get(name, set()), wanted_props, retention_hours, dry_run))
    return MaintenanceResult(run_id, day, retention_hours, dry_run, done)


def writer_stage(table: str) -> str:
    """The stage whose runs write ``table`` (its lock guards the table); ``ops`` otherwise."""
    from jobs.runmetrics import STAGE_TABLES

    for stage, tables in STAGE_TABLES.items():
        if table in tables:
            return stage
    return "ops"


def _maintain_table(
    lake: Any,
    contract: Any,
    pins: set[int],
    wanted_props: dict[str, str],
    retention_hours: int,
    dry_run: bool,
) -> TableMaintenance:
    """Properties, compaction (row count audited), checkpoint and vacuum of one table."""
    name = contract.qualified_name
    version_before = lake.version(contract)
    rows_before = lake.read(contract).count()
    files_before = lake.file_count(contract)
    current = lake.properties(contract)
    missing = {k: v for k, v in wanted_props.items() if current.get(k) != v}
    keep = sorted(pins)
    if dry_run:
        return TableMaintenance(name, rows_before, files_before, files_before, 0, 0, 0, keep,
                                version_before, version_before, missing)
    if missing:
        lake.set_properties(contract, missing)
    compacted = lake.compact(contract)
    rows_after = lake.read(contract).count()
    if rows_after != rows_before:
        raise MaintenanceChangedRows(
            f"{name}: {rows_before} rows before compaction, {rows_after} after; inspect version "
            f"{version_before} vs {lake.version(contract)}"
        )
    if compacted.version is not None or missing:
        lake.checkpoint(contract)
    vacuumed = lake.vacuum(contract, retention_hours, keep)
    entry = TableMaintenance(
        table=name,
        rows=rows_after,
        files_before=files_before,
        files_after=lake.file_count(contract),
        compacted_removed=compacted.files_removed,
        compacted_added=compacted.files_added,
        vacuumed_files=vacuumed,
        pinned_versions=keep,
        version_before=version_before,
        version_after=lake.version(contract),
        properties_set=missing,
    )
    log.info("%s", entry)
    return entry


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no", ""):
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = job_parser(__doc__.splitlines()[0] if __doc__ else "maintenance")
    parser.add_argument("--layer", action="append", choices=["bronze", "silver", "gold", "ops"],
                        help="layer to maintain (repeatable; default: all)")
    parser.add_argument("--retention-hours", type=int,
                        default=int(os.environ.get("CIVIC_PULSE_VACUUM_RETENTION_HOURS", MIN_RETENTION_HOURS)))
    parser.add_argument("--dry-run", nargs="?", const="true", default="false", type=_flag,
                        help="report what would be done, change nothing (true/false)")
    args, ns = parse_job_args(parser, argv)
    if ns.retention_hours < MIN_RETENTION_HOURS:
        parser.error(f"--retention-hours must be >= {MIN_RETENTION_HOURS} (safe retention)")
    from jobs.runmetrics import run_recorded
    from jobs.spark import build_spark

    spark = build_spark(args.settings, app_name=f"civic-pulse-maintenance-{args.day}")
    result = run_recorded(
        "maintenance", args.settings, spark, args.day, args.run_id,
        lambda: run_maintenance(args.settings, spark, args.day, args.run_id, ns.layer, ns.retention_hours, ns.dry_run),
    )
    print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    raise SystemExit(main())
