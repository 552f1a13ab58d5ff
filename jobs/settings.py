"""One settings object for every job: environment variables, optionally a TOML file.

Precedence: explicit overrides > environment (``CIVIC_PULSE_*``) > TOML file named by
``CIVIC_PULSE_CONFIG`` > defaults. Secrets are read from the environment only; a
config file that contains one is rejected.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

LAKE_ENGINES = ("delta-rs", "delta-spark")
ENV_PREFIX = "CIVIC_PULSE_"
SECRET_KEYS = frozenset({"pseudonym_secret"})


class SettingsError(ValueError):
    """Raised when the configuration is invalid, before any data is read."""


def _is_uri(path: str) -> bool:
    return "://" in path


def _absolute(path: str) -> str:
    """Local paths become absolute (Spark workers and delta-rs need that); URIs stay."""
    return path if _is_uri(path) else str(Path(path).expanduser().resolve())


@dataclass(frozen=True)
class Settings:
    """Where data lives and how Spark and the lake engine are reached."""

    lake_root: str = "./lake"
    landing_root: str = "./landing"
    reports_root: str = "./reports"
    datasets_root: str = "../shared/datasets"
    spark_master: str = "local[2]"
    lake_engine: str = "delta-rs"
    driver_memory: str = "3g"  # 1M on 2 cores: peak 7,579-7,670 MiB with 3g, up to 8,233 with 4g (docs/performance.md)
    shuffle_partitions: int = 8
    staging_root: str = ""
    demo_mode: bool = False
    pseudonym_secret: str | None = None

    def __post_init__(self) -> None:
        if self.lake_engine not in LAKE_ENGINES:
            raise SettingsError(
                f"lake_engine must be one of {', '.join(LAKE_ENGINES)}, got {self.lake_engine!r}"
            )
        if not self.spark_master.strip():
            raise SettingsError("spark_master must not be empty (e.g. local[2] or spark://host:7077)")
        if self.shuffle_partitions < 1:
            raise SettingsError(f"shuffle_partitions must be >= 1, got {self.shuffle_partitions}")
        for name in ("lake_root", "landing_root", "reports_root"):
            if not str(getattr(self, name)).strip():
                raise SettingsError(f"{name} must not be empty")

    @property
    def staging_dir(self) -> str:
        """Scratch space for Spark-staged Parquet before delta-rs commits it."""
        return self.staging_root or f"{self.lake_root.rstrip('/')}/_staging"

    def table_path(self, layer: str, name: str) -> str:
        return f"{self.lake_root.rstrip('/')}/{layer}/{name}"

    def resolved(self) -> Settings:
        """Same settings with local paths made absolute."""
        return replace(
            self,
            lake_root=_absolute(self.lake_root),
            landing_root=_absolute(self.landing_root),
            reports_root=_absolute(self.reports_root),
            datasets_root=_absolute(self.datasets_root),
            staging_root=_absolute(self.staging_root) if self.staging_root else "",
        )

    def public_dict(self) -> dict[str, Any]:
        """Settings without secrets, for logs and run metadata."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in SECRET_KEYS}


def _coerce(name: str, raw: Any) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    kind = str(kinds[name])
    if kind == "int":
        try:
            return int(raw)
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{name} must be a boolean, got {raw!r}")
    return str(raw)


def load_settings(
    env: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """Build validated, resolved settings from defaults, config file, environment and overrides."""
    env = os.environ if env is None else env
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}

    config_file = env.get(f"{ENV_PREFIX}CONFIG")
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise SettingsError(f"{ENV_PREFIX}CONFIG points to {config_file}, which does not exist")
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        section = data.get("civic_pulse", data)
        for key, raw in section.items():
            if key in SECRET_KEYS:
                raise SettingsError(
                    f"{key} is a secret: set {ENV_PREFIX}{key.upper()} in the environment, "
                    f"not in {config_file}"
                )
            if key not in known:
                raise SettingsError(f"unknown setting {key!r} in {config_file}")
            values[key] = _coerce(key, raw)

    for name in known:
        raw = env.get(f"{ENV_PREFIX}{name.upper()}")
        if raw is not None:
            values[name] = _coerce(name, raw)

    for name, raw in overrides.items():
        if name not in known:
            raise SettingsError(f"unknown setting {name!r}")
        if raw is not None:
            values[name] = _coerce(name, raw)

    return Settings(**values).resolved()
