"""The lake interface every job uses; engines only implement the Delta-specific parts.

Spark computes; an engine commits. Shared logic lives here: column conformance to the
contract, null checks on required columns, and MERGE change detection (so a re-run with
unchanged input commits nothing and the table version stays put).
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, MapType, StructType

from jobs.settings import Settings
from schemas.contract import TableContract


class LakeError(RuntimeError):
    """A write or read that would break a table contract."""


STAGING_COMPRESSION_CONF = "spark.civicpulse.staging.compression"


@dataclass(frozen=True)
class WriteResult:
    """What one write did. ``version`` is the table version after it (unchanged if no commit)."""

    table: str
    mode: str
    committed: bool
    version: int
    rows_written: int = 0
    inserted: int = 0
    updated: int = 0
    counts_by: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Staged:
    """A DataFrame materialised as Parquet under ``path`` (read back from there)."""

    df: DataFrame
    path: str


@dataclass(frozen=True)
class MaintenanceResult:
    """Files a compaction removed and added; ``version`` is None when nothing was rewritten."""

    files_removed: int
    files_added: int
    version: int | None


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    timestamp: datetime | None
    operation: str
    parameters: dict[str, Any]


def comparable(column: str, data_type: DataType) -> Column:
    """A column as a value Spark can compare and set-operate on (maps become sorted entry arrays)."""
    if isinstance(data_type, MapType):
        return F.array_sort(F.map_entries(F.col(column)))
    return F.col(column)


def partition_literal(value: date | str) -> str:
    """A partition value as an ISO string, rejecting anything that is not a plain date."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    date.fromisoformat(text)  # raises ValueError on anything else: no SQL injection via predicates
    return text


class Lake(ABC):
    """Create-if-missing, append, replace a partition, MERGE on keys, read (latest or past), history."""

    engine_name: str = "abstract"

    def __init__(self, settings: Settings, spark: SparkSession) -> None:
        self.settings = settings
        self.spark = spark
        self._staged: list[str] = []

    # ----------------------------------------------------------------- paths
    def path(self, contract: TableContract) -> str:
        return self.settings.table_path(contract.layer, contract.name)

    # ------------------------------------------------------- engine-specific
    @abstractmethod
    def exists(self, contract: TableContract) -> bool: ...

    @abstractmethod
    def _create(self, contract: TableContract) -> None: ...

    @abstractmethod
    def _append(self, contract: TableContract, data: Staged) -> None: ...

    @abstractmethod
    def _overwrite_partitions(self, contract: TableContract, data: Staged, values: list[str]) -> None:
        """Replace the partitions ``values`` (ISO strings) with the rows of ``data`` in them, in one commit."""

    @abstractmethod
    def _merge(self, contract: TableContract, changes: Staged) -> None:
        """Upsert ``changes`` (contract columns plus ``_is_new``) on the contract's keys."""

    @abstractmethod
    def read(
        self,
        contract: TableContract,
        version: int | None = None,
        timestamp: datetime | None = None,
    ) -> DataFrame: ...

    @abstractmethod
    def version(self, contract: TableContract) -> int: ...

    @abstractmethod
    def history(self, contract: TableContract) -> list[HistoryEntry]: ...

    # ----------------------------------------------------------- maintenance
    @abstractmethod
    def file_count(self, contract: TableContract) -> int:
        """Data files in the table's current version."""

    @abstractmethod
    def compact(self, contract: TableContract) -> MaintenanceResult:
        """Rewrite small files into larger ones (a new version with the same rows)."""

    @abstractmethod
    def vacuum(self, contract: TableContract, retention_hours: int, keep_versions: list[int]) -> int:
        """Delete files no version newer than ``retention_hours`` (or in ``keep_versions``) needs.

        Returns the number of files deleted."""

    @abstractmethod
    def checkpoint(self, contract: TableContract) -> None:
        """Write a checkpoint of the current version (faster log replay)."""

    @abstractmethod
    def set_properties(self, contract: TableContract, properties: dict[str, str]) -> None:
        """Set Delta table properties (retention durations, for instance)."""

    @abstractmethod
    def properties(self, contract: TableContract) -> dict[str, str]:
        """The table's Delta properties."""

    # ---------------------------------------------------------- shared logic
    def ensure_table(self, contract: TableContract) -> None:
        """Create the table from its contract if it is missing; never touch an existing one."""
        if not self.exists(contract):
            self._create(contract)

    def ensure_all(self, contracts: list[TableContract]) -> None:
        for c in contracts:
            self.ensure_table(c)

    def conform(self, contract: TableContract, df: DataFrame) -> DataFrame:
        """Select the contract's columns in order, cast to its types; fail on missing columns."""
        present = set(df.columns)
        missing = [c for c in contract.columns if c not in present]
        if missing:
            raise LakeError(f"{contract.qualified_name}: input lacks columns {missing}")
        return df.select(
            [F.col(f.name).cast(f.dataType).alias(f.name) for f in contract.schema.fields]
        )

    def _check_required(self, contract: TableContract, df: DataFrame) -> int:
        """Count rows and nulls in required columns in one pass; raise on any null."""
        required = [f.name for f in contract.schema.fields if not f.nullable]
        aggs = [F.count(F.lit(1)).alias("_rows")] + [
            F.sum(F.col(c).isNull().cast("long")).alias(c) for c in required
        ]
        row = df.agg(*aggs).collect()[0]
        bad = {c: row[c] for c in required if row[c]}
        if bad:
            raise LakeError(f"{contract.qualified_name}: nulls in required columns {bad}")
        return int(row["_rows"])

    def _check_unique_keys(self, contract: TableContract, df: DataFrame) -> None:
        dupes = df.groupBy(*contract.keys).count().where("count > 1").limit(3).collect()
        if dupes:
            sample = [tuple(r[k] for k in contract.keys) for r in dupes]
            raise LakeError(f"{contract.qualified_name}: duplicate keys in input, e.g. {sample}")

    def stage(self, df: DataFrame, label: str) -> Staged:
        """Materialise a DataFrame as Parquet in the staging area and read it back.

        Staged files live for one write, so they skip dictionary encoding: for high-cardinality
        columns (texts, ids, the 19 topic scores per post) the writer would build each
        dictionary and then fall back to plain, which profiled as the JVM's largest cost of the
        enrich stage (docs/performance.md, item 16). Tables are encoded by their own writer.
        Uncompressed by default (written once, read once, on local disk here); a cluster whose
        staging is an object store can set ``--conf spark.civicpulse.staging.compression=zstd``.
        """
        target = self.new_staging_path(label)
        (
            df.write.mode("overwrite")
            .option("parquet.enable.dictionary", "false")
            .option("parquet.column.statistics.enabled", "false")
            .option("parquet.size.statistics.enabled", "false")
            .option("compression", self.staging_compression)
            .parquet(target)
        )
        return self.read_staged(target, df.schema)

    @property
    def staging_compression(self) -> str:
        """The staged Parquet's codec (Spark's name): ``none`` unless configured."""
        return self.spark.conf.get(STAGING_COMPRESSION_CONF, "none") or "none"

    def new_staging_path(self, label: str) -> str:
        """A fresh staging folder, cleaned by :meth:`cleanup_staging` like :meth:`stage`'s, for
        Parquet written by a Python pass itself (:func:`jobs.enrich.stage_partition`)."""
        target = f"{self.settings.staging_dir}/{label}/{uuid.uuid4().hex}"
        self._staged.append(target)
        return target

    def read_staged(self, target: str, schema: StructType) -> Staged:
        """The Parquet under ``target`` (hidden ``_``/``.`` files skipped), read with ``schema``."""
        return Staged(self.spark.read.schema(schema).parquet(target), target)

    @property
    def staged_count(self) -> int:
        """How many staging folders are live; pass it to ``cleanup_staging(keep=…)`` later."""
        return len(self._staged)

    def cleanup_staging(self, keep: int = 0) -> None:
        """Delete staged Parquet once its commit is done (Hadoop FS, so object stores work too).

        ``keep`` leaves the first stages alone: a write cleans only what it staged itself.
        """
        jvm = self.spark.sparkContext._jvm
        if jvm is None:
            raise LakeError("Spark context is stopped; cannot clean the staging area")
        conf = self.spark.sparkContext._jsc.hadoopConfiguration()
        while len(self._staged) > keep:
            target = self._staged.pop()
            path = jvm.org.apache.hadoop.fs.Path(target)
            path.getFileSystem(conf).delete(path, True)

    def append(self, contract: TableContract, df: DataFrame) -> WriteResult:
        self.ensure_table(contract)
        mark = len(self._staged)
        data = self.stage(self.conform(contract, df), contract.qualified_name)
        try:
            rows = self._check_required(contract, data.df)
            if rows == 0:
                return WriteResult(contract.qualified_name, "append", False, self.version(contract))
            self._append(contract, data)
        finally:
            self.cleanup_staging(keep=mark)
        return WriteResult(
            contract.qualified_name, "append", True, self.version(contract), rows, inserted=rows
        )

    def replace_partition(
        self, contract: TableContract, df: DataFrame, partition_value: date | str
    ) -> WriteResult:
        """Atomically replace one partition with ``df`` (rows must all belong to it).

        Identical data commits nothing.
        """
        if not contract.partition_by:
            raise LakeError(f"{contract.qualified_name} has no partition column")
        value = partition_literal(partition_value)
        self.ensure_table(contract)
        mark = len(self._staged)
        data = self.stage(self.conform(contract, df), contract.qualified_name)
        try:
            rows = self._check_required(contract, data.df)
            column = F.col(contract.partition_by).cast("string")
            if data.df.where(column != F.lit(value)).limit(1).count():
                raise LakeError(
                    f"{contract.qualified_name}: rows outside partition {contract.partition_by}={value}"
                )
            if self._partition_unchanged(contract, data.df, value):
                return WriteResult(contract.qualified_name, "replace_partition", False, self.version(contract))
            self._overwrite_partitions(contract, data, [value])
        finally:
            self.cleanup_staging(keep=mark)
        return WriteResult(
            contract.qualified_name, "replace_partition", True, self.version(contract), rows, inserted=rows
        )

    def replace_partitions(
        self, contract: TableContract, data: Staged, values: Iterable[date | str]
    ) -> WriteResult:
        """Replace several partitions in one commit with the rows of ``data`` that belong to them.

        ``data`` is what :meth:`stage` returned for rows already in the contract's columns and
        types; rows of other partitions are left out, and a partition of ``values`` without rows
        in ``data`` is emptied. Nothing is compared with the table: the caller passes the
        partitions it found changed (gold's ``write_partitions`` compares all of them in one pass).
        One aggregation checks the required columns; no second staged copy is written.
        """
        if not contract.partition_by:
            raise LakeError(f"{contract.qualified_name} has no partition column")
        if not self._has_contract_types(contract, data.df):
            raise LakeError(f"{contract.qualified_name}: staged rows are not in the contract's columns and types")
        literals = sorted({partition_literal(v) for v in values})
        self.ensure_table(contract)
        if not literals:
            return WriteResult(contract.qualified_name, "replace_partitions", False, self.version(contract))
        rows = self._check_required(
            contract, data.df.where(F.col(contract.partition_by).cast("string").isin(literals))
        )
        self._overwrite_partitions(contract, data, literals)
        return WriteResult(
            contract.qualified_name, "replace_partitions", True, self.version(contract), rows, inserted=rows
        )

    def _partition_unchanged(self, contract: TableContract, data: DataFrame, value: str) -> bool:
        """True when the partition already holds exactly these rows (ignoring run metadata)."""
        column = F.col(contract.partition_by or "").cast("string") == F.lit(value)
        types = {f.name: f.dataType for f in contract.schema.fields}
        cols = [*contract.compare_columns, *contract.keys]
        current = self.read(contract).where(column).select(*[comparable(c, types[c]).alias(c) for c in cols])
        incoming = data.select(*[comparable(c, types[c]).alias(c) for c in cols])
        if current.count() != incoming.count():
            return False
        return current.exceptAll(incoming).limit(1).count() == 0 and (
            incoming.exceptAll(current).limit(1).count() == 0
        )

    def changes_for_merge(self, contract: TableContract, df: DataFrame) -> DataFrame:
        """Rows of ``df`` that are new or differ from the target, with ``_is_new``."""
        source = self.conform(contract, df).alias("s")
        version = contract.version_column
        types = {f.name: f.dataType for f in contract.schema.fields}
        target = self.read(contract).select(
            *[F.col(k) for k in contract.keys],
            *[comparable(c, types[c]).alias(f"_t_{c}") for c in contract.compare_columns],
            *([F.col(version).alias("_t_version")] if version else []),
            F.lit(True).alias("_t_exists"),
        )
        joined = source.join(target, on=list(contract.keys), how="left")
        differs: Column = reduce(
            lambda acc, c: acc | ~comparable(c, types[c]).eqNullSafe(F.col(f"_t_{c}")),
            contract.compare_columns,
            F.lit(False),
        )
        if version:
            differs = differs & ~(F.col(version) < F.col("_t_version"))
        is_new = F.col("_t_exists").isNull()
        return joined.where(is_new | differs).select(*contract.columns, is_new.alias("_is_new"))

    def merge(
        self, contract: TableContract, data: DataFrame | Staged, count_by: str | None = None
    ) -> WriteResult:
        """Upsert on the contract's keys; commits only when something actually changed.

        With ``count_by``, the result also holds inserted/updated counts per value of that column.
        ``data`` may be what :meth:`stage` returned: when none of its keys is in the table yet
        (the first load of a day) and its columns already have the contract's types, its
        Parquet is appended as it is, without a second staged copy of the changes.
        """
        if not contract.keys:
            raise LakeError(f"{contract.qualified_name} has no keys to merge on")
        self.ensure_table(contract)
        df = data.df if isinstance(data, Staged) else data
        conformed = self.conform(contract, df)
        if isinstance(data, Staged) and self._has_contract_types(contract, df):
            rows, keys_in_table = self._audit_against_table(contract, conformed)
            if not keys_in_table:
                return self._append_new_keys(contract, Staged(conformed, data.path), count_by, rows)
        else:
            self._check_unique_keys(contract, conformed)
        changes = self.changes_for_merge(contract, conformed)
        mark = len(self._staged)
        try:
            staged = self.stage(changes, contract.qualified_name)
            group = [count_by] if count_by else []
            counts = staged.df.groupBy(*group, "_is_new").count().collect()
            inserted = sum(r["count"] for r in counts if r["_is_new"])
            updated = sum(r["count"] for r in counts if not r["_is_new"])
            by: dict[str, tuple[int, int]] = {}
            for r in counts:
                key = str(r[count_by]) if count_by else ""
                new, upd = by.get(key, (0, 0))
                by[key] = (new + r["count"], upd) if r["_is_new"] else (new, upd + r["count"])
            if inserted + updated == 0:
                return WriteResult(contract.qualified_name, "merge", False, self.version(contract))
            self._check_required(contract, staged.df)
            if updated == 0:
                # Every change is a new key (checked against the table just now, and each stage's run
                # lock keeps other writers out), so a plain append commits the same rows as MERGE
                # without scanning the table for matches: the initial load of a day, most nights.
                self._append(contract, Staged(staged.df.select(*contract.columns), staged.path))
            else:
                self._merge(contract, staged)
        finally:
            self.cleanup_staging(keep=mark)
        return WriteResult(
            contract.qualified_name,
            "merge",
            True,
            self.version(contract),
            inserted + updated,
            inserted=inserted,
            updated=updated,
            counts_by=by,
        )

    def write(
        self, contract: TableContract, df: DataFrame, partition_value: date | str | None = None
    ) -> WriteResult:
        """Write with the contract's declared mode."""
        if contract.write_mode == "merge":
            return self.merge(contract, df)
        if contract.write_mode == "replace_partition":
            if partition_value is None:
                raise LakeError(f"{contract.qualified_name}: replace_partition needs a partition value")
            return self.replace_partition(contract, df, partition_value)
        return self.append(contract, df)

    @staticmethod
    def _has_contract_types(contract: TableContract, df: DataFrame) -> bool:
        types = {f.name: f.dataType for f in df.schema.fields}
        return all(types.get(f.name) == f.dataType for f in contract.schema.fields)

    def _audit_against_table(self, contract: TableContract, df: DataFrame) -> tuple[int, int]:
        """(rows, how many of their keys the table holds), in one pass over ``df``'s keys and required
        columns and the table's keys; raise on a duplicate key or a null in a required column.

        One shuffle of the keys of both sides (and a null flag per row), where three queries
        (unique keys, nulls, keys already in the table) read the staged rows three times. The
        error messages come from those queries, run only when the pass finds a fault.
        """
        keys = list(contract.keys)
        required = [F.col(f.name).isNull() for f in contract.schema.fields if not f.nullable]
        has_null = reduce(lambda a, b: a | b, required, F.lit(False))
        data = df.select(*keys, F.lit(1).alias("_in_data"), has_null.cast("int").alias("_nulls"))
        table = self.read(contract).select(*keys, F.lit(0).alias("_in_data"), F.lit(0).alias("_nulls"))
        per_key = data.unionByName(table).groupBy(*keys).agg(
            F.sum("_in_data").alias("_copies"), F.count(F.lit(1)).alias("_all"), F.sum("_nulls").alias("_nulls")
        )
        summary = per_key.agg(
            F.coalesce(F.sum("_copies"), F.lit(0)).alias("_rows"),
            F.coalesce(F.max("_copies"), F.lit(0)).alias("_max_copies"),
            F.count(F.when((F.col("_copies") > 0) & (F.col("_all") > F.col("_copies")), True)).alias("_in_table"),
            F.coalesce(F.sum("_nulls"), F.lit(0)).alias("_nulls"),
        ).collect()[0]
        if summary["_max_copies"] > 1:
            self._check_unique_keys(contract, df)  # raises, with a sample of the duplicates
            raise LakeError(f"{contract.qualified_name}: duplicate keys in input")
        if summary["_nulls"]:
            self._check_required(contract, df)  # raises, with the null count per column
            raise LakeError(f"{contract.qualified_name}: nulls in required columns")
        return int(summary["_rows"]), int(summary["_in_table"])

    def _append_new_keys(self, contract: TableContract, data: Staged, count_by: str | None, rows: int) -> WriteResult:
        """MERGE of ``rows`` rows whose keys are all new (audited): the same commit as an append of them."""
        if rows == 0:
            return WriteResult(contract.qualified_name, "merge", False, self.version(contract))
        by: dict[str, tuple[int, int]] = {"": (rows, 0)}
        if count_by:
            by = {str(r[count_by]): (int(r["count"]), 0) for r in data.df.groupBy(count_by).count().collect()}
        self._append(contract, data)
        return WriteResult(
            contract.qualified_name, "merge", True, self.version(contract), rows,
            inserted=rows, updated=0, counts_by=by,
        )  # fmt: skip

    def merge_predicate(self, contract: TableContract, source: str = "s", target: str = "t") -> str:
        return " AND ".join(f"{target}.`{k}` = {source}.`{k}`" for k in contract.keys)
