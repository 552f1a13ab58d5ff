"""Compare variant I, the fine-tuned e5-small and their average: nested dev on the seed-0 folds (thresholds tuned on
four fifths of the out-of-fold predictions, scored on the fifth, 5 repeats), then the held-out split once.
Run from the project root with the project venv after ``finetune.py`` (folds 0-4 and -1):

    .venv/bin/python notebooks/experiments/e5_finetune/evaluate.py W
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

from models.topics.data import prf
from models.topics.model import best_thresholds

WEIGHTS = (0.35, 0.5, 0.65)  # share of the fine-tuned model in the average; 0.5 was fixed before any run


def nested(proba: np.ndarray, gold: np.ndarray, repeats: int = 5) -> np.ndarray:
    scores = []
    for r in range(repeats):
        for a, b in KFold(5, shuffle=True, random_state=100 + r).split(gold):
            thr = best_thresholds(proba[a], gold[a])
            scores.append(prf((proba[b] >= thr).astype(np.int8), gold[b])["macro_f1"])
    return np.array(scores)


def bootstrap(pred_a: np.ndarray, pred_b: np.ndarray, gold: np.ndarray, n: int = 1000) -> tuple[float, float]:
    """95 % interval of macro-F1(a) - macro-F1(b) over posts resampled with replacement."""
    rng = np.random.default_rng(0)
    diffs = []
    for _ in range(n):
        ix = rng.integers(0, len(gold), len(gold))
        diffs.append(prf(pred_a[ix], gold[ix])["macro_f1"] - prf(pred_b[ix], gold[ix])["macro_f1"])
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return round(float(lo), 4), round(float(hi), 4)


def print_paired(scores: dict[float, list[float]], name: str, base_key: float = 0.0) -> None:
    """One line per setting: mean nested-dev macro-F1 and its paired difference to ``base_key`` (mean +- s.e.)."""
    base = np.array(scores[base_key])
    for key, values in scores.items():
        d = np.array(values) - base
        print(f"{name} {key}: {np.mean(values):.4f}  diff {d.mean():+.4f} +- {d.std() / np.sqrt(len(d)):.4f}"
              f"  up {int((d > 0).sum())}/{len(d)}")


def main(work: Path) -> None:
    data = np.load(work / "data.npz")
    gold_rows = data["gold"]
    gold = data["Y"][gold_rows]
    p_i = np.load(work / "proba_I_oof.npy")
    p_ft = np.full_like(p_i, np.nan)
    for k in range(5):
        p_ft[data[f"score_pos_{k}"]] = np.load(work / f"proba_ft_fold{k}.npy")
    if np.isnan(p_ft).any():
        raise SystemExit("a fold is missing: run finetune.py for folds 0-4")
    out: dict[str, object] = {}
    base = nested(p_i, gold)
    out["nested_dev"] = {"I": round(float(base.mean()), 4)}
    candidates = {"fine-tuned e5": p_ft} | {f"average, {w:.2f} fine-tuned": (1 - w) * p_i + w * p_ft for w in WEIGHTS}
    for name, proba in candidates.items():
        s = nested(proba, gold)
        d = s - base
        out["nested_dev"][name] = {"macro_f1": round(float(s.mean()), 4), "diff": round(float(d.mean()), 4),
                                   "se": round(float(d.std() / np.sqrt(len(d))), 4), "up": f"{(d > 0).sum()}/{len(d)}"}
    # held-out, once: thresholds from each model's out-of-fold predictions
    ht = np.load(work / "proba_I_heldout.npy")
    hf = np.load(work / "proba_ft_heldout.npy") if (work / "proba_ft_heldout.npy").is_file() else None
    if hf is not None:
        n_test = len(data["Y_test"])
        held = {}
        preds = {}
        for name, oof, proba in (("I (shipped topics-2.3.0; thresholds from out-of-fold predictions)", p_i, ht),
                                 ("fine-tuned e5", p_ft, hf),
                                 ("average, 0.50 fine-tuned", (p_i + p_ft) / 2, (ht + hf) / 2)):
            pred = (proba >= best_thresholds(oof, gold)).astype(np.int8)
            preds[name] = pred[:n_test]
            test, synthetic = prf(pred[:n_test], data["Y_test"]), prf(pred[n_test:], data["Y_synthetic"])
            held[name] = {"test_macro_f1": test["macro_f1"], "test_micro_f1": test["micro_f1"],
                          "empty_list_accuracy": test["empty_list_accuracy"],
                          "synthetic_macro_f1": synthetic["macro_f1"],
                          "per_topic_f1": {k: v["f1"] for k, v in test["per_topic"].items()}}
        import joblib  # the shipped artifact's own thresholds, as in its model card

        from models.topics.predictor import ARTIFACT_DIR

        own = joblib.load(ARTIFACT_DIR / "topic_model.joblib").thresholds
        held["I with its own thresholds (model card)"] = {
            "test_macro_f1": prf((ht[:n_test] >= own).astype(np.int8), data["Y_test"])["macro_f1"]}
        names = list(preds)
        held["bootstrap average - I"] = bootstrap(preds[names[2]], preds[names[0]], data["Y_test"])
        held["bootstrap fine-tuned - I"] = bootstrap(preds[names[1]], preds[names[0]], data["Y_test"])
        out["heldout"] = held
    (work / "evaluation.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    if hf is not None:  # what the figures are computed from, for tests/test_topics.py (no torch needed there)
        np.savez_compressed(work / "probabilities.npz", gold_oof=gold.astype(np.int8), I_oof=p_i.astype(np.float32),
                            ft_oof=p_ft.astype(np.float32), I_heldout=ht.astype(np.float32),
                            ft_heldout=hf.astype(np.float32))
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
