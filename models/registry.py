"""Model registry: champion/challenger promotion with a versioned history in ``models/registry.json``.

The champion of each model is the artifact folder the pipeline loads (``models/<name>/artifacts``).
A training run writes a *challenger* folder elsewhere (artifact + model card + metrics JSON);
``decide`` compares its held-out headline metrics with the champion's, and ``promote`` swaps it in
only when it is better on the primary metric by at least ``min_gain`` and no guard metric drops
by more than its tolerance (and throughput stays above its floor). Every decision, promoted or
not, is appended to the registry history with metrics and checksums; the replaced champion is
archived under ``models/<name>/versions/<version>/``.

``python -m models.registry decide|promote --model sentiment --candidate DIR``
``python -m models.registry show``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MODELS_DIR = Path(__file__).resolve().parent
REGISTRY_FILE = MODELS_DIR / "registry.json"


@dataclass(frozen=True)
class ModelSpec:
    """How one model is trained and judged."""

    name: str
    module: str
    primary: str
    guards: dict[str, float] = field(default_factory=dict)
    min_throughput: float = 0.0
    throughput_key: str = "posts_per_second_per_core"
    min_gain: float = 0.0

    @property
    def artifacts_dir(self) -> Path:
        return MODELS_DIR / self.name / "artifacts"


SPECS: dict[str, ModelSpec] = {
    "sentiment": ModelSpec(
        name="sentiment",
        module="models.sentiment",
        primary="sart_val_macro_f1",
        # RED and the real comments guard against a gain on SART bought with the other social domains
        guards={"laroseda_test_accuracy": 0.002, "red_test_macro_f1": 0.01, "real_comments_test_accuracy": 0.02},
        min_throughput=5000.0,
    ),
    "topics": ModelSpec(
        name="topics",
        module="models.topics",
        primary="test_macro_f1",
        guards={"empty_list_accuracy": 0.02},
        min_throughput=2000.0,
    ),
}


class RegistryError(RuntimeError):
    """A candidate folder is incomplete or its metrics cannot be read."""


@dataclass(frozen=True)
class Decision:
    model: str
    promote: bool
    reasons: list[str]
    champion: dict[str, float]
    challenger: dict[str, float]
    champion_version: str | None
    challenger_version: str | None


def _find(data: Any, key: str) -> Any:
    """First value stored under ``key`` anywhere in nested dicts (breadth first)."""
    queue = [data]
    while queue:
        item = queue.pop(0)
        if isinstance(item, dict):
            if key in item and isinstance(item[key], int | float) and not isinstance(item[key], bool):
                return item[key]
            queue.extend(v for v in item.values() if isinstance(v, dict))
    return None


def _documents(directory: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise RegistryError(f"{path} is not valid JSON: {exc}") from exc
        if isinstance(loaded, dict):
            # metrics files first: they hold the evaluate step's headline figures
            if "metric" in path.name:
                docs.insert(0, loaded)
            else:
                docs.append(loaded)
    return docs


def headline_metrics(spec: ModelSpec, directory: Path) -> dict[str, float]:
    """The primary, guard and throughput metrics from the folder's metrics JSON / model card."""
    if not directory.is_dir():
        raise RegistryError(f"{directory} does not exist")
    docs = _documents(directory)
    out: dict[str, float] = {}
    for key in (spec.primary, *spec.guards, spec.throughput_key):
        for doc in docs:
            value = _find(doc, key)
            if value is not None:
                out[key] = float(value)
                break
    if spec.primary not in out:
        raise RegistryError(f"{directory}: no {spec.primary!r} in its metrics JSON or model card")
    return out


def version_of(directory: Path) -> str | None:
    for doc in _documents(directory):
        if isinstance(doc.get("version"), str):
            return str(doc["version"])
    return None


def decide(spec: ModelSpec, candidate: Path, champion: Path | None = None) -> Decision:
    """Should ``candidate`` replace the champion? Pure comparison of held-out metrics."""
    champion = champion or spec.artifacts_dir
    challenger_m = headline_metrics(spec, candidate)
    try:
        champion_m = headline_metrics(spec, champion)
    except RegistryError:
        champion_m = {}
    reasons: list[str] = []
    promote = True
    if champion_m:
        gain = challenger_m[spec.primary] - champion_m[spec.primary]
        if gain <= spec.min_gain:
            promote = False
            reasons.append(
                f"{spec.primary} {challenger_m[spec.primary]:.4f} does not beat the champion's "
                f"{champion_m[spec.primary]:.4f} by more than {spec.min_gain}"
            )
        else:
            reasons.append(f"{spec.primary} +{gain:.4f} over the champion")
        for key, tolerance in spec.guards.items():
            if key in champion_m and key in challenger_m and challenger_m[key] < champion_m[key] - tolerance:
                promote = False
                reasons.append(
                    f"guard {key} drops from {champion_m[key]:.4f} to {challenger_m[key]:.4f} (tolerance {tolerance})"
                )
    else:
        reasons.append("no champion yet")
    throughput = challenger_m.get(spec.throughput_key)
    if spec.min_throughput and throughput is not None and throughput < spec.min_throughput:
        promote = False
        reasons.append(f"{spec.throughput_key} {throughput:.0f} below the floor of {spec.min_throughput:.0f}")
    return Decision(
        spec.name, promote, reasons, champion_m, challenger_m, version_of(champion), version_of(candidate)
    )


def _sha256_dir(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()
    }


def load_registry(path: Path = REGISTRY_FILE) -> dict[str, Any]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _record(path: Path, decision: Decision, files: dict[str, str], promoted: bool) -> None:
    registry = load_registry(path)
    entry = registry.setdefault(decision.model, {"champion": decision.champion_version, "history": []})
    entry["history"].append(
        {
            "decided_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "challenger_version": decision.challenger_version,
            "champion_version": decision.champion_version,
            "promoted": promoted,
            "reasons": decision.reasons,
            "challenger_metrics": decision.challenger,
            "champion_metrics": decision.champion,
            "challenger_files_sha256": files,
        }
    )
    if promoted:
        entry["champion"] = decision.challenger_version
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(registry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def promote_if_better(
    spec: ModelSpec, candidate: Path, champion: Path | None = None, registry_path: Path = REGISTRY_FILE
) -> Decision:
    """Decide, and when the challenger wins swap it in atomically; always record the decision."""
    champion = champion or spec.artifacts_dir
    decision = decide(spec, candidate, champion)
    files = _sha256_dir(candidate)
    if decision.promote:
        if decision.challenger_version and decision.challenger_version == decision.champion_version:
            raise RegistryError(
                f"challenger has the champion's version {decision.champion_version}: bump the version first"
            )
        staging = champion.parent / f".{champion.name}.incoming"
        if staging.exists():
            shutil.rmtree(staging)
        shutil.copytree(candidate, staging)
        if champion.exists():
            archive = champion.parent / "versions" / (decision.champion_version or "unversioned")
            if archive.exists():
                shutil.rmtree(archive)
            archive.parent.mkdir(parents=True, exist_ok=True)
            champion.rename(archive)
        staging.rename(champion)
    _record(registry_path, decision, files, decision.promote)
    return decision


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Champion/challenger model registry")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("decide", "promote"):
        p = sub.add_parser(command)
        p.add_argument("--model", choices=sorted(SPECS), required=True)
        p.add_argument("--candidate", type=Path, required=True, help="challenger folder (artifact + card + metrics)")
    sub.add_parser("show")
    ns = parser.parse_args(argv)
    if ns.command == "show":
        print(json.dumps(load_registry(), indent=2, ensure_ascii=False))
        return 0
    spec = SPECS[ns.model]
    try:
        decision = decide(spec, ns.candidate) if ns.command == "decide" else promote_if_better(spec, ns.candidate)
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(decision), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
