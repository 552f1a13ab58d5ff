"""delta-rs engine (default): Spark computes and stages Parquet, delta-rs commits.

Data never passes through one driver-side Arrow table: staged Parquet is streamed into
delta-rs as record batches. Spark reads tables back from the files of a given version,
which is correct because tables are kept free of deletion vectors and column mapping.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.dataset as ds
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError
from pyspark.sql import DataFrame

from jobs.lake.base import HistoryEntry, Lake, LakeError, Staged
from schemas.contract import TableContract

BATCH_ROWS = 64_000

# Table features both engines read: no deletion vectors, no column mapping.
TABLE_CONFIGURATION = {"delta.enableDeletionVectors": "false"}


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

    def _reader(self, contract: TableContract, data: Staged) -> pa.RecordBatchReader:
        """Stream the staged Parquet in the table's exact Arrow schema."""
        schema = contract.arrow_schema
        dataset = ds.dataset(_local(data.path), format="parquet")
        columns = {f.name: ds.field(f.name).cast(f.type) for f in schema}
        scanner = dataset.scanner(columns=columns, batch_size=BATCH_ROWS)
        batches = (pa.RecordBatch.from_arrays(b.columns, schema=schema) for b in scanner.to_batches())
        return pa.RecordBatchReader.from_batches(schema, batches)

    def _append(self, contract: TableContract, data: Staged) -> None:
        write_deltalake(self.path(contract), self._reader(contract, data), mode="append")

    def _overwrite_partition(self, contract: TableContract, data: Staged, value: str) -> None:
        write_deltalake(
            self.path(contract),
            self._reader(contract, data),
            mode="overwrite",
            predicate=f"{contract.partition_by} = '{value}'",
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
