"""The README's two commands: what they run, the Java check, and the main job end to end."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def make_dry_run(target: str) -> str:
    out = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("target", ["demo", "test"])
def test_each_command_does_its_own_setup(target: str) -> None:
    plan = make_dry_run(target)
    assert "scripts/bootstrap.sh" in plan
    if target == "demo":
        assert re.search(r"-m jobs\.pipeline --day \S+ --days \d+ --generate \d+", plan)
    else:
        assert "-m pytest" in plan


def test_bootstrap_fails_clearly_without_java(tmp_path: Path) -> None:
    # A PATH holding only the tools the script needs, none of them java.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "sed", "head", "cut", "cat", "sha256sum", "dirname", "env"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    out = subprocess.run(
        [str(bin_dir / "bash"), str(ROOT / "scripts" / "bootstrap.sh")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 1
    assert "Java 17 or newer is required" in out.stderr


def test_bootstrap_rejects_old_java(tmp_path: Path) -> None:
    fake_home = tmp_path / "jdk8"
    (fake_home / "bin").mkdir(parents=True)
    java = fake_home / "bin" / "java"
    java.write_text('#!/usr/bin/env bash\necho \'java version "1.8.0_392"\' >&2\n')
    java.chmod(0o755)
    env = {**os.environ, "JAVA_HOME": str(fake_home)}
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "bootstrap.sh")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 1
    assert 'found: java version "1.8.0_392"' in out.stderr


def test_main_job_runs_end_to_end_on_generated_data(
    spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make demo` runs `python -m jobs.pipeline`: the same entry point, smaller sizes."""
    from jobs.pipeline import main

    monkeypatch.chdir(tmp_path)
    for name in ("LAKE_ROOT", "LANDING_ROOT", "REPORTS_ROOT", "CONFIG"):
        monkeypatch.delenv(f"CIVIC_PULSE_{name}", raising=False)
    assert main(["--day", "2026-11-27", "--days", "2", "--generate", "300"]) == 0
    out = capsys.readouterr().out
    assert "Civic Pulse pipeline finished" in out
    assert re.search(r"2026-11-26 ingest .*\"ingested_new\": [1-9]", out)
    assert re.search(r"2026-11-27 ingest .*\"updated\": [1-9]", out)
    assert (tmp_path / "lake" / "bronze" / "posts" / "_delta_log").is_dir()
    assert (tmp_path / "landing" / "x" / "2026-11-27").is_dir()
