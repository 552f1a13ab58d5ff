"""Model registry: a challenger replaces the champion only when it is better on held-out data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.registry import (
    SPECS,
    ModelSpec,
    RegistryError,
    decide,
    headline_metrics,
    load_registry,
    promote_if_better,
)

SPEC = ModelSpec(
    name="toy", module="models.toy", primary="macro_f1", guards={"accuracy": 0.01}, min_throughput=5000.0
)


def _model(directory: Path, version: str, macro_f1: float, accuracy: float, speed: float = 6000.0) -> Path:
    directory.mkdir(parents=True)
    (directory / "model.bin").write_bytes(f"weights {version}".encode())
    (directory / "model_card.json").write_text(json.dumps({"name": "toy", "version": version, "labels": ["a"]}))
    (directory / "metrics.json").write_text(json.dumps(
        {"held_out": {"macro_f1": macro_f1, "accuracy": accuracy}, "posts_per_second_per_core": speed}
    ))
    return directory


def test_headline_metrics_are_found_in_nested_metrics(tmp_path: Path) -> None:
    m = headline_metrics(SPEC, _model(tmp_path / "c", "1", 0.8, 0.9))
    assert m == {"macro_f1": 0.8, "accuracy": 0.9, "posts_per_second_per_core": 6000.0}
    (tmp_path / "empty").mkdir()
    with pytest.raises(RegistryError, match="no 'macro_f1'"):
        headline_metrics(SPEC, tmp_path / "empty")


@pytest.mark.parametrize(
    ("challenger", "promote", "reason"),
    [
        ((0.82, 0.90, 6000.0), True, "macro_f1 +0.0200"),
        ((0.80, 0.90, 6000.0), False, "does not beat"),
        ((0.79, 0.95, 6000.0), False, "does not beat"),
        ((0.85, 0.85, 6000.0), False, "guard accuracy drops"),
        ((0.85, 0.895, 6000.0), True, "macro_f1 +0.0500"),
        ((0.85, 0.90, 900.0), False, "below the floor"),
    ],
)
def test_decision(tmp_path: Path, challenger, promote: bool, reason: str) -> None:
    champion = _model(tmp_path / "champion", "1.0.0", 0.80, 0.90)
    candidate = _model(tmp_path / "candidate", "1.1.0", *challenger)
    decision = decide(SPEC, candidate, champion)
    assert decision.promote is promote
    assert any(reason in r for r in decision.reasons), decision.reasons


def test_promotion_swaps_archives_and_records(tmp_path: Path) -> None:
    champion = _model(tmp_path / "toy" / "artifacts", "1.0.0", 0.80, 0.90)
    registry = tmp_path / "registry.json"
    loser = _model(tmp_path / "run1", "1.1.0", 0.70, 0.90)
    assert not promote_if_better(SPEC, loser, champion, registry).promote
    assert (champion / "model.bin").read_bytes() == b"weights 1.0.0"
    winner = _model(tmp_path / "run2", "1.2.0", 0.90, 0.91)
    assert promote_if_better(SPEC, winner, champion, registry).promote
    assert (champion / "model.bin").read_bytes() == b"weights 1.2.0"
    assert (tmp_path / "toy" / "versions" / "1.0.0" / "model.bin").read_bytes() == b"weights 1.0.0"
    history = load_registry(registry)["toy"]
    assert history["champion"] == "1.2.0"
    assert [h["promoted"] for h in history["history"]] == [False, True]
    assert len(history["history"][1]["challenger_files_sha256"]["model.bin"]) == 64


def test_a_challenger_with_the_champions_version_is_refused(tmp_path: Path) -> None:
    champion = _model(tmp_path / "toy" / "artifacts", "1.0.0", 0.80, 0.90)
    same = _model(tmp_path / "run", "1.0.0", 0.95, 0.95)
    with pytest.raises(RegistryError, match="bump the version"):
        promote_if_better(SPEC, same, champion, tmp_path / "registry.json")
    assert (champion / "model.bin").read_bytes() == b"weights 1.0.0"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_committed_champions_expose_their_headline_metrics(name: str) -> None:
    spec = SPECS[name]
    metrics = headline_metrics(spec, spec.artifacts_dir)
    assert set(metrics) >= {spec.primary, *spec.guards}
    assert all(0.0 < metrics[k] <= 1.0 for k in (spec.primary, *spec.guards))
