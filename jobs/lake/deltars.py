"""delta-rs engine (default): Spark computes and stages Parquet, delta-rs commits.

Data never passes through one driver-side Arrow table: staged Parquet is streamed into
delta-rs as record batches. Spark reads tables back from the files of a given version,
which is correct because tables are kept free of deletion vectors and column mapping.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.dataset as ds
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError
from pyspark.sql import DataFrame

from jobs.lake.base import HistoryEntry, Lake, LakeError, MaintenanceResult, Staged
from schemas.contract import TableContract

BATCH_ROWS = 64_000

# Table features both engines read: no deletion vectors, no column mapping.
TABLE_CONFIGURATION = {
    "delta.enableDeletionVectors": "false",
    # Keep the log (time travel to the versions reports were built from); files are
    # vacuumed by jobs/maintenance.py, which keeps the versions reports pinned.
    "delta.logRetentionDuration": "interval 3650 days",
    "delta.deletedFileRetentionDuration": "interval 7 days",
}


# Fault injection for the recovery tests: the process kills itself (SIGKILL) after streaming
# every batch of a write to this table into delta-rs, before delta-rs can commit.
KILL_DURING_WRITE_ENV = "CIVIC_PULSE_FAULT_KILL_DURING_WRITE"


def _then_killed(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield from batches
    os.kill(os.getpid(), signal.SIGKILL)


def _local(path: str) -> str:
    return path[len("file:") :] if path.startswith("file:") else path


class DeltaRsLake(Lake):
    engine_name = "delta-rs"

    def _table(self, contract: TableContract, version: int | None = None) -> DeltaTable:
        try:
            return DeltaTable(self.path(contract), version=version)
        except TableNotFoundError as exc:
            raise LakeError(f"table {contract.qualified_name} does not exist at {self.path(contract)}") from exc

    def exists(self, contract: TableContract) -> bool:
        return DeltaTable.is_deltatable(self.path(contract))

    def _create(self, contract: TableContract) -> None:
        DeltaTable.create(
            self.path(contract),
            schema=contract.arrow_schema,
            mode="ignore",
            partition_by=[contract.partition_by] if contract.partition_by else None,
            name=contract.qualified_name,
            description=contract.description,
            configuration=TABLE_CONFIGURATION,
        )

    def _reader(
        self, contract: TableContract, data: Staged, partitions: list[str] | None = None
    ) -> pa.RecordBatchReader:
        """Stream the staged Parquet in the table's exact Arrow schema (only rows of ``partitions``, if given)."""
        schema = contract.arrow_schema
        dataset = ds.dataset(_local(data.path), format="parquet")
        columns = {f.name: ds.field(f.name).cast(f.type) for f in schema}
        keep = None
        if partitions is not None and contract.partition_by:
            wanted = pa.array(partitions, pa.string()).cast(schema.field(contract.partition_by).type)
            keep = ds.field(contract.partition_by).isin(wanted)
        scanner = dataset.scanner(columns=columns, filter=keep, batch_size=BATCH_ROWS)
        batches: Iterator[pa.RecordBatch] = (
            pa.RecordBatch.from_arrays(b.columns, schema=schema) for b in scanner.to_batches()
        )
        if os.environ.get(KILL_DURING_WRITE_ENV) == contract.qualified_name:
            batches = _then_killed(batches)
        return pa.RecordBatchReader.from_batches(schema, batches)

    def _append(self, contract: TableContract, data: Staged) -> None:
        write_deltalake(self.path(contract), self._reader(contract, data), mode="append")

    def _overwrite_partitions(self, contract: TableContract, data: Staged, values: list[str]) -> None:
        listed = ", ".join(f"'{v}'" for v in values)  # ISO dates, checked by partition_literal
        write_deltalake(
            self.path(contract),
            self._reader(contract, data, values),
            mode="overwrite",
            predicate=f"{contract.partition_by} IN ({listed})",
        )

    def _merge(self, contract: TableContract, changes: Staged) -> None:
        (
            self._table(contract)
            .merge(
                source=self._reader(contract, changes),
                predicate=self.merge_predicate(contract),
                source_alias="s",
                target_alias="t",
                streamed_exec=True,
            )
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute()
        )

    def read(
        self,
        contract: TableContract,
        version: int | None = None,
        timestamp: datetime | None = None,
    ) -> DataFrame:
        if not self.exists(contract):
            raise LakeError(f"table {contract.qualified_name} does not exist at {self.path(contract)}")
        table = self._table(contract, version)
        if timestamp is not None:
            table.load_as_version(timestamp)
        files = table.file_uris()
        if not files:
            return self.spark.createDataFrame([], contract.schema)
        return (
            self.spark.read.schema(contract.schema)
            .option("basePath", self.path(contract))
            .parquet(*files)
        )

    def read_arrow(self, contract: TableContract, version: int | None = None) -> pa.Table:
        """Small tables straight into Arrow (reports, tests), no Spark needed."""
        return self._table(contract, version).to_pyarrow_table()

    def version(self, contract: TableContract) -> int:
        return int(self._table(contract).version())

    def history(self, contract: TableContract) -> list[HistoryEntry]:
        entries = []
        for h in self._table(contract).history():
            ts = h.get("timestamp")
            entries.append(
                HistoryEntry(
                    version=int(h["version"]),
                    timestamp=datetime.fromtimestamp(ts / 1000, tz=UTC) if ts else None,
                    operation=str(h.get("operation", "")),
                    parameters=dict(h.get("operationParameters", {}) or {}),
                )
            )
        return sorted(entries, key=lambda e: e.version)

    # ----------------------------------------------------------- maintenance
    def file_count(self, contract: TableContract) -> int:
        return len(self._table(contract).file_uris())

    def compact(self, contract: TableContract) -> MaintenanceResult:
        table = self._table(contract)
        before = int(table.version())
        metrics = table.optimize.compact()
        table.update_incremental()
        after = int(table.version())
        return MaintenanceResult(
            files_removed=int(metrics.get("numFilesRemoved", 0)),
            files_added=int(metrics.get("numFilesAdded", 0)),
            version=after if after != before else None,
        )

    def vacuum(self, contract: TableContract, retention_hours: int, keep_versions: list[int]) -> int:
        deleted = self._table(contract).vacuum(
            retention_hours=retention_hours,
            dry_run=False,
            enforce_retention_duration=True,
            keep_versions=sorted(set(keep_versions)) or None,
        )
        return len(deleted)

    def checkpoint(self, contract: TableContract) -> None:
        self._table(contract).create_checkpoint()

    def set_properties(self, contract: TableContract, properties: dict[str, str]) -> None:
        self._table(contract).alter.set_table_properties(properties)

    def properties(self, contract: TableContract) -> dict[str, str]:
        return dict(self._table(contract).metadata().configuration)
