"""Table contracts: the single place that says what a table looks like and how it is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa
from pyspark.sql.types import StructField, StructType

Layer = Literal["bronze", "silver", "gold", "ops"]
WriteMode = Literal["append", "replace_partition", "merge"]


@dataclass(frozen=True)
class TableContract:
    """Schema, keys, partition column and write mode of one Delta table.

    ``compare_columns`` are the columns whose change makes a MERGE update a row; when
    empty, every non-key column except ``ignore_on_compare`` counts. Columns in
    ``ignore_on_compare`` (ingest metadata, for instance) never cause an update on their own.
    """

    name: str
    layer: Layer
    schema: StructType
    description: str
    keys: tuple[str, ...] = ()
    partition_by: str | None = None
    write_mode: WriteMode = "append"
    ignore_on_compare: tuple[str, ...] = ()
    version_column: str | None = None
    column_docs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = self.schema.fieldNames()
        missing = [c for c in (*self.keys, *self.ignore_on_compare) if c not in names]
        if self.version_column and self.version_column not in names:
            missing.append(self.version_column)
        if self.partition_by and self.partition_by not in names:
            missing.append(self.partition_by)
        if missing:
            raise ValueError(f"contract {self.qualified_name}: unknown columns {missing}")
        if self.write_mode == "merge" and not self.keys:
            raise ValueError(f"contract {self.qualified_name}: merge needs keys")
        if self.write_mode == "replace_partition" and not self.partition_by:
            raise ValueError(f"contract {self.qualified_name}: replace_partition needs partition_by")
        undocumented = [c for c in names if c not in self.column_docs]
        if undocumented:
            raise ValueError(f"contract {self.qualified_name}: undocumented columns {undocumented}")

    @property
    def qualified_name(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def columns(self) -> list[str]:
        return list(self.schema.fieldNames())

    @property
    def compare_columns(self) -> list[str]:
        skip = set(self.keys) | set(self.ignore_on_compare)
        return [c for c in self.columns if c not in skip]

    @property
    def arrow_schema(self) -> pa.Schema:
        return spark_to_arrow_schema(self.schema)


def column(name: str, kind: object, doc: str, nullable: bool = True) -> tuple[StructField, str]:
    """A field plus its documentation, so contracts keep both side by side."""
    return StructField(name, kind, nullable), doc  # type: ignore[arg-type]


def build_schema(*cols: tuple[StructField, str]) -> tuple[StructType, dict[str, str]]:
    return StructType([c for c, _ in cols]), {c.name: d for c, d in cols}


def spark_to_arrow_schema(schema: StructType) -> pa.Schema:
    """Spark schema to Arrow, with timestamps as UTC microseconds (what Delta stores)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema, timezone="UTC")
