"""Static checks as tests: ruff over the project, and the DAG import ban (TID253) in force."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed in this environment")
def test_ruff_is_clean() -> None:
    out = subprocess.run([RUFF, "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-4000:]


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed in this environment")
def test_heavy_import_in_a_dag_file_is_rejected() -> None:
    # Checked as if it were a file in dags/ (ruff applies that folder's rules), without writing
    # one there: a probe file would be seen by the DagBag and lint tests running beside this one.
    probe = "import pyspark\n\nprint(pyspark)\n"
    out = subprocess.run(
        [RUFF, "check", "--stdin-filename", "dags/_tid253_probe.py", "-"],
        cwd=ROOT, input=probe, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 1 and "TID253" in out.stdout
    assert "TID253" not in subprocess.run(
        [RUFF, "check", "--stdin-filename", "jobs/_tid253_probe.py", "-"],
        cwd=ROOT, input=probe, capture_output=True, text=True, timeout=60,
    ).stdout  # the ban is for DAG files only
