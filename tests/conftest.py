"""Shared fixtures: one Spark session for the whole suite, per-test lake roots."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("TZ", "UTC")


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """``local[2]``, 2 shuffle partitions, UI off, UTC; started once (~6 s)."""
    from jobs.settings import Settings
    from jobs.spark import build_spark, find_delta_jars

    # With the Delta jars present the session also carries the delta-spark extensions, so the
    # lake contract tests run against both engines in one JVM.
    engine = "delta-spark" if find_delta_jars() else "delta-rs"
    session = build_spark(
        Settings(spark_master="local[2]", shuffle_partitions=2, driver_memory="2g", lake_engine=engine),
        app_name="civic-pulse-tests",
    )
    yield session
    session.stop()


@pytest.fixture
def settings(tmp_path: Path) -> object:
    """Settings pointing every root into a fresh temporary folder."""
    from jobs.settings import Settings

    return Settings(
        lake_root=str(tmp_path / "lake"),
        landing_root=str(tmp_path / "landing"),
        reports_root=str(tmp_path / "reports"),
        spark_master="local[2]",
        shuffle_partitions=2,
        demo_mode=True,
    ).resolved()


@pytest.fixture
def lake(spark: object, settings: object) -> object:
    from jobs.lake import open_lake

    return open_lake(settings, spark)  # type: ignore[arg-type]
