"""delta-spark engine: native ``format("delta")`` and ``DeltaTable.merge``, for clusters with the jars."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pyspark.sql import DataFrame

from jobs.lake.base import HistoryEntry, Lake, LakeError, Staged
from schemas.contract import TableContract

# Same protocol as the delta-rs engine writes, so either engine reads either's tables.
TABLE_PROPERTIES = {"delta.enableDeletionVectors": "false"}


def delta_tables_module() -> Any:
    """``delta.tables``, with a clear error when the Delta jars are not on the classpath."""
    try:
        from delta import tables
    except ImportError as exc:  # pragma: no cover - delta-spark is a pinned dependency
        raise LakeError("delta-spark is not installed") from exc
    return tables


class DeltaSparkLake(Lake):
    engine_name = "delta-spark"

    def _delta_table(self, contract: TableContract) -> Any:
        return delta_tables_module().DeltaTable.forPath(self.spark, self.path(contract))

    def exists(self, contract: TableContract) -> bool:
        return bool(delta_tables_module().DeltaTable.isDeltaTable(self.spark, self.path(contract)))

    def _create(self, contract: TableContract) -> None:
        builder = (
            delta_tables_module()
            .DeltaTable.createIfNotExists(self.spark)
            .location(self.path(contract))
            .addColumns(contract.schema)
            .comment(contract.description)
        )
        if contract.partition_by:
            builder = builder.partitionedBy(contract.partition_by)
        for key, value in TABLE_PROPERTIES.items():
            builder = builder.property(key, value)
        builder.execute()

    def _append(self, contract: TableContract, data: Staged) -> None:
        data.df.write.format("delta").mode("append").save(self.path(contract))

    def _overwrite_partition(self, contract: TableContract, data: Staged, value: str) -> None:
        (
            data.df.write.format("delta")
            .mode("overwrite")
            .option("replaceWhere", f"{contract.partition_by} = '{value}'")
            .save(self.path(contract))
        )

    def _merge(self, contract: TableContract, changes: Staged) -> None:
        source = changes.df.drop("_is_new")
        (
            self._delta_table(contract)
            .alias("t")
            .merge(source.alias("s"), self.merge_predicate(contract))
            .whenMatchedUpdateAll()
            .whenNotMatchedInsertAll()
            .execute()
        )

    def read(
        self,
        contract: TableContract,
        version: int | None = None,
        timestamp: datetime | None = None,
    ) -> DataFrame:
        reader = self.spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        if timestamp is not None:
            reader = reader.option("timestampAsOf", timestamp.astimezone(UTC).isoformat())
        return reader.load(self.path(contract)).select(*contract.columns)

    def version(self, contract: TableContract) -> int:
        row = self._delta_table(contract).history(1).select("version").collect()[0]
        return int(row["version"])

    def history(self, contract: TableContract) -> list[HistoryEntry]:
        rows = self._delta_table(contract).history().collect()
        return sorted(
            (
                HistoryEntry(
                    version=int(r["version"]),
                    timestamp=r["timestamp"],
                    operation=str(r["operation"]),
                    parameters=dict(r["operationParameters"] or {}),
                )
                for r in rows
            ),
            key=lambda e: e.version,
        )
