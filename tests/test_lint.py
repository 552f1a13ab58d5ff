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
def test_heavy_import_in_a_dag_file_is_rejected(tmp_path: Path) -> None:
    dag = ROOT / "dags" / "_tid253_probe.py"
    dag.write_text("import pyspark\n\nprint(pyspark)\n")
    try:
        out = subprocess.run([RUFF, "check", str(dag)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        dag.unlink()
    assert out.returncode == 1 and "TID253" in out.stdout
