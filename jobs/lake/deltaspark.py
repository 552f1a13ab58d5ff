"""delta-spark engine: native ``format("delta")`` and ``DeltaTable.merge``, for clusters with the jars."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.lake.base import HistoryEntry, Lake, LakeError, MaintenanceResult, Staged
from schemas.contract import TableContract

# Same protocol as the delta-rs engine writes, so either engine reads either's tables.
TABLE_PROPERTIES = {
    "delta.enableDeletionVectors": "false",
    # Keep the log (time travel to the versions reports were built from); files are
    # vacuumed by jobs/maintenance.py, which keeps the versions reports pinned.
    "delta.logRetentionDuration": "interval 3650 days",
    "delta.deletedFileRetentionDuration": "interval 7 days",
}


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

    def _overwrite_partitions(self, contract: TableContract, data: Staged, values: list[str]) -> None:
        column = contract.partition_by or ""
        listed = ", ".join(f"'{v}'" for v in values)  # ISO dates, checked by partition_literal
        (
            data.df.where(F.col(column).cast("string").isin(values))
            .write.format("delta")
            .mode("overwrite")
            .option("replaceWhere", f"{column} IN ({listed})")
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

    # ----------------------------------------------------------- maintenance
    def file_count(self, contract: TableContract) -> int:
        detail = self.spark.sql(f"DESCRIBE DETAIL delta.`{self.path(contract)}`").collect()[0]
        return int(detail["numFiles"])

    def compact(self, contract: TableContract) -> MaintenanceResult:
        before = self.version(contract)
        row = self._delta_table(contract).optimize().executeCompaction().collect()[0]
        metrics = row["metrics"]
        after = self.version(contract)
        return MaintenanceResult(
            files_removed=int(metrics["numFilesRemoved"]),
            files_added=int(metrics["numFilesAdded"]),
            version=after if after != before else None,
        )

    def vacuum(self, contract: TableContract, retention_hours: int, keep_versions: list[int]) -> int:
        # Delta Spark has no per-version keep list: stretch the retention back to the oldest
        # version to keep, so its files survive.
        if keep_versions:
            oldest = min(keep_versions)
            stamps = [e.timestamp for e in self.history(contract) if e.version == oldest and e.timestamp]
            if stamps:
                age_h = (datetime.now(UTC) - stamps[0].replace(tzinfo=stamps[0].tzinfo or UTC)).total_seconds() / 3600
                retention_hours = max(retention_hours, int(age_h) + 1)
        target = f"delta.`{self.path(contract)}` RETAIN {int(retention_hours)} HOURS"
        doomed = self.spark.sql(f"VACUUM {target} DRY RUN").count()
        self.spark.sql(f"VACUUM {target}")
        return int(doomed)

    def checkpoint(self, contract: TableContract) -> None:
        jvm: Any = self.spark.sparkContext._jvm
        log = jvm.org.apache.spark.sql.delta.DeltaLog.forTable(self.spark._jsparkSession, self.path(contract))
        log.checkpoint()

    def set_properties(self, contract: TableContract, properties: dict[str, str]) -> None:
        assignments = ", ".join(f"'{k}' = '{v}'" for k, v in properties.items())
        self.spark.sql(f"ALTER TABLE delta.`{self.path(contract)}` SET TBLPROPERTIES ({assignments})")

    def properties(self, contract: TableContract) -> dict[str, str]:
        detail = self.spark.sql(f"DESCRIBE DETAIL delta.`{self.path(contract)}`").collect()[0]
        return {str(k): str(v) for k, v in (detail["properties"] or {}).items()}
