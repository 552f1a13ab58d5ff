"""The lake layer: the only code that knows which Delta engine is in use."""

from __future__ import annotations

from pyspark.sql import SparkSession

from jobs.lake.base import HistoryEntry, Lake, LakeError, WriteResult
from jobs.settings import Settings


def open_lake(settings: Settings, spark: SparkSession) -> Lake:
    """The lake for the configured engine (``delta-rs`` by default)."""
    if settings.lake_engine == "delta-spark":
        from jobs.lake.deltaspark import DeltaSparkLake

        return DeltaSparkLake(settings, spark)
    from jobs.lake.deltars import DeltaRsLake

    return DeltaRsLake(settings, spark)


__all__ = ["HistoryEntry", "Lake", "LakeError", "WriteResult", "open_lake"]
