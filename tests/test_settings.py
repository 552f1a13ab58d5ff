"""Settings: defaults, environment, config file, validation, secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.cli import job_parser, parse_job_args
from jobs.settings import Settings, SettingsError, load_settings


def test_defaults_are_local_and_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert s.lake_root == str(tmp_path / "lake")
    assert s.landing_root == str(tmp_path / "landing")
    assert s.spark_master == "local[2]"
    assert s.lake_engine == "delta-rs"
    assert s.pseudonym_secret is None
    assert s.table_path("bronze", "posts") == str(tmp_path / "lake" / "bronze" / "posts")


def test_environment_overrides_file_and_overrides_win(tmp_path: Path) -> None:
    cfg = tmp_path / "civic.toml"
    cfg.write_text('[civic_pulse]\nlake_root = "s3://bucket/lake"\nspark_master = "spark://m:7077"\nshuffle_partitions = 64\n')
    env = {"CIVIC_PULSE_CONFIG": str(cfg), "CIVIC_PULSE_SPARK_MASTER": "yarn", "CIVIC_PULSE_DEMO_MODE": "yes"}
    s = load_settings(env=env, lake_engine="delta-spark")
    assert s.lake_root == "s3://bucket/lake"  # URIs are kept as they are
    assert s.spark_master == "yarn"
    assert s.shuffle_partitions == 64
    assert s.demo_mode is True
    assert s.lake_engine == "delta-spark"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CIVIC_PULSE_LAKE_ENGINE": "iceberg"}, "lake_engine must be one of"),
        ({"CIVIC_PULSE_SHUFFLE_PARTITIONS": "many"}, "must be an integer"),
        ({"CIVIC_PULSE_SHUFFLE_PARTITIONS": "0"}, ">= 1"),
        ({"CIVIC_PULSE_SPARK_MASTER": "  "}, "spark_master must not be empty"),
        ({"CIVIC_PULSE_DEMO_MODE": "perhaps"}, "must be a boolean"),
        ({"CIVIC_PULSE_CONFIG": "/nonexistent/civic.toml"}, "does not exist"),
    ],
)
def test_invalid_configuration_fails_clearly(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env=env)


def test_secret_in_config_file_is_rejected(tmp_path: Path) -> None:
    cfg = tmp_path / "civic.toml"
    cfg.write_text('pseudonym_secret = "hunter2"\n')
    with pytest.raises(SettingsError, match="secret"):
        load_settings(env={"CIVIC_PULSE_CONFIG": str(cfg)})
    s = load_settings(env={"CIVIC_PULSE_PSEUDONYM_SECRET": "from-env"})
    assert s.pseudonym_secret == "from-env"
    assert "pseudonym_secret" not in s.public_dict()


def test_unknown_key_in_file_is_rejected(tmp_path: Path) -> None:
    cfg = tmp_path / "civic.toml"
    cfg.write_text('lake_rot = "./x"\n')
    with pytest.raises(SettingsError, match="unknown setting 'lake_rot'"):
        load_settings(env={"CIVIC_PULSE_CONFIG": str(cfg)})


def test_job_cli_validates_before_reading(capsys: pytest.CaptureFixture[str]) -> None:
    parser = job_parser("test")
    with pytest.raises(SystemExit) as exc:
        parse_job_args(parser, ["--day", "2026-13-01"])
    assert exc.value.code == 2
    assert "--day must be YYYY-MM-DD" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_job_args(parser, ["--day", "2026-11-27", "--lake-engine", "parquet"])
    args, _ = parse_job_args(parser, ["--day", "2026-11-27", "--run-id", "r1"])
    assert (args.day.isoformat(), args.run_id) == ("2026-11-27", "r1")
    assert isinstance(args.settings, Settings)
