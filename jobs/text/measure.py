"""Reproduce the figures in docs/silver.md: language-ID accuracy and PII precision/recall.

Run: ``python -m jobs.text.measure [--datasets ../shared/datasets] [--per-source 100] [--errors]``

* Language ID: the hand-written fixture ``tests/fixtures/langid_cases.jsonl`` (ro, ro-Cyrl,
  hu, en, ru, uk, und) plus real Romanian posts sampled (fixed seed) from the shared
  datasets, labelled ``ro`` by provenance. Only posts with at least
  :data:`MIN_REAL_WORDS` words are sampled; the datasets are read in place, never copied.
* PII: ``tests/fixtures/pii_cases.jsonl`` (generated, 262 strings) and
  ``tests/fixtures/pii_cases_hard.jsonl`` (40 hand-written hard cases, first measured blind),
  matched on (type, exact value); plus the number of
  detections on real comments and tweets, listed with ``--errors`` for manual review.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jobs.text.langid import detect
from jobs.text.normalise import normalise, residual_text
from jobs.text.pii import PII_TYPES, find_pii

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
DEFAULT_DATASETS = os.environ.get("CIVIC_PULSE_DATASETS_ROOT") or str(
    PROJECT_ROOT.parent / "shared" / "datasets"
)
MIN_REAL_WORDS = 5
SEED = 20261128


def _csv_column(path: Path, column: str, delimiter: str = ",") -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh, delimiter=delimiter) if row.get(column)]


def _laroseda(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [f"{r['title']}. {r['content']}" for r in data["reviews"]]


REAL_SOURCES: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "news_ro_offense": ("news_ro_offense/comments.csv", lambda p: _csv_column(p, "comment_text")),
    "roff": ("roff/roff.tsv", lambda p: _csv_column(p, "Tweet", "\t")),
    "sart": ("sart/val.csv", lambda p: _csv_column(p, "text")),
    "red_v1": ("red_v1/test.csv", lambda p: _csv_column(p, "Tweet")),
    "laroseda": ("laroseda/laroseda_test.json", _laroseda),
    "hate_speech_ro": (
        "hate_speech_ro/hate-speech-labeled-corrected.csv",
        lambda p: _csv_column(p, "text", ";"),
    ),
}


def real_texts(datasets: str | Path, source: str) -> list[str]:
    relative, reader = REAL_SOURCES[source]
    path = Path(datasets) / relative
    return reader(path) if path.is_file() else []


def real_romanian_sample(datasets: str | Path, per_source: int = 100, seed: int = SEED) -> list[str]:
    """Posts of at least MIN_REAL_WORDS words from each Romanian data set, sampled with a fixed seed."""
    rng = random.Random(seed)
    sample: list[str] = []
    for source in REAL_SOURCES:
        texts = [
            t
            for t in real_texts(datasets, source)
            if len(residual_text(normalise(t)).split()) >= MIN_REAL_WORDS
        ]
        texts = sorted(set(texts))
        sample.extend(rng.sample(texts, min(per_source, len(texts))))
    return sample


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure_langid(cases: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Accuracy, per-class accuracy, confusion pairs and the misclassified texts."""
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    confusion: Counter[str] = Counter()
    errors: list[dict[str, str]] = []
    for text, gold in cases:
        got = detect(normalise(text)).lang
        total[gold] += 1
        if got == gold:
            right[gold] += 1
        else:
            confusion[f"{gold}->{got}"] += 1
            errors.append({"gold": gold, "got": got, "text": text[:160]})
    n = sum(total.values())
    return {
        "n": n,
        "accuracy": round(sum(right.values()) / n, 4) if n else None,
        "per_class": {k: {"n": total[k], "accuracy": round(right[k] / total[k], 4)} for k in sorted(total)},
        "confusion": dict(confusion.most_common()),
        "errors": errors,
    }


def measure_pii(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision and recall per type on (type, exact value) matches."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    for case in cases:
        gold = Counter((e["type"], e["value"]) for e in case["entities"])
        pred = Counter((f.kind, f.value) for f in find_pii(normalise(case["text"])))
        for key in gold | pred:
            hit = min(gold[key], pred[key])
            tp[key[0]] += hit
            fp[key[0]] += pred[key] - hit
            fn[key[0]] += gold[key] - hit
            if hit < max(gold[key], pred[key]):
                errors.append({"type": key[0], "value": key[1], "gold": gold[key], "pred": pred[key]})

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    per_type = {
        t: {"tp": tp[t], "fp": fp[t], "fn": fn[t], "precision": ratio(tp[t], tp[t] + fp[t]),
            "recall": ratio(tp[t], tp[t] + fn[t])}
        for t in PII_TYPES
    }  # fmt: skip
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    return {
        "strings": len(cases),
        "strings_without_pii": sum(1 for c in cases if not c["entities"]),
        "entities": all_tp + all_fn,
        "precision": ratio(all_tp, all_tp + all_fp),
        "recall": ratio(all_tp, all_tp + all_fn),
        "per_type": per_type,
        "errors": errors,
    }


def scan_real(datasets: str | Path) -> dict[str, Any]:
    """PII detections on real comments and tweets (no labels: listed for manual review)."""
    texts = real_texts(datasets, "news_ro_offense") + real_texts(datasets, "roff")
    found = []
    for text in texts:
        clean = normalise(text)
        for f in find_pii(clean):
            found.append({"type": f.kind, "context": clean[max(0, f.start - 30) : f.end + 30]})
    return {"texts": len(texts), "detections": len(found), "by_type": dict(Counter(f["type"] for f in found)),
            "items": found}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "measure")
    parser.add_argument("--datasets", default=DEFAULT_DATASETS, help="shared datasets folder")
    parser.add_argument("--per-source", type=int, default=100, help="real Romanian posts per data set")
    parser.add_argument("--errors", action="store_true", help="print misclassified items too")
    args = parser.parse_args(argv)

    fixture = [(c["text"], c["lang"]) for c in _jsonl(FIXTURES / "langid_cases.jsonl")]
    real = [(t, "ro") for t in real_romanian_sample(args.datasets, args.per_source)]
    report = {
        "langid_fixture": measure_langid(fixture),
        "langid_real_romanian": measure_langid(real),
        "langid_combined": measure_langid(fixture + real),
        "pii_fixture": measure_pii(_jsonl(FIXTURES / "pii_cases.jsonl")),
        "pii_hard": measure_pii(_jsonl(FIXTURES / "pii_cases_hard.jsonl")),
        "pii_real_scan": scan_real(args.datasets),
    }
    if not args.errors:
        for section in report.values():
            section.pop("errors", None)
            section.pop("items", None)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
