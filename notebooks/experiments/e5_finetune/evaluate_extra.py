"""Does the fine-tuned e5-small gain more from rounds 9 + 11 than the linear model? Nested dev on the seed-0 folds
(``evaluate.nested``, 25 paired scores), comparing, on the same scored posts:

* I and the fine-tuned e5 (FT) trained without the extra rows (``results/probabilities.npz``, the first run),
* Ix and FTx, trained with them (``export_extra.py`` and ``finetune.py`` on its work dir, folds 0-4),
* the half-weight averages (FT, I) and (FTx, Ix): the primary comparison, declared before the FTx runs.

Run from the project root with the project venv:

    .venv/bin/python notebooks/experiments/e5_finetune/evaluate_extra.py W
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from evaluate import nested

HERE = Path(__file__).parent


def main(work: Path) -> None:
    data = np.load(work / "data.npz")
    gold = data["Y"][data["gold"]]
    first = np.load(HERE / "results" / "probabilities.npz")
    p_i, p_ft = first["I_oof"].astype(np.float64), first["ft_oof"].astype(np.float64)
    if not np.array_equal(first["gold_oof"], gold):
        raise SystemExit("the work dir's scored posts are not the first run's")
    p_ix = np.load(work / "proba_Ix_oof.npy")
    p_ftx = np.full_like(p_ix, np.nan)
    for k in range(5):
        if (work / f"proba_ft_fold{k}.npy").is_file():
            p_ftx[data[f"score_pos_{k}"]] = np.load(work / f"proba_ft_fold{k}.npy")
    if np.isnan(p_ftx).any():
        raise SystemExit("a fold is missing: run finetune.py for folds 0-4 on the export_extra.py work dir")
    models = {"I": p_i, "Ix": p_ix, "FT": p_ft, "FTx": p_ftx,
              "avg(FT, I)": (p_ft + p_i) / 2, "avg(FTx, Ix)": (p_ftx + p_ix) / 2, "avg(FTx, I)": (p_ftx + p_i) / 2}
    scores = {name: nested(p, gold) for name, p in models.items()}
    out: dict[str, object] = {"nested_dev": {n: round(float(s.mean()), 4) for n, s in scores.items()}}
    pairs = [("FTx", "FT"), ("Ix", "I"), ("avg(FTx, Ix)", "avg(FT, I)"), ("avg(FTx, Ix)", "Ix"),
             ("avg(FT, I)", "I")]
    out["paired"] = {}
    for a, b in pairs:
        d = scores[a] - scores[b]
        out["paired"][f"{a} - {b}"] = {"diff": round(float(d.mean()), 4),
                                        "se": round(float(d.std() / np.sqrt(len(d))), 4),
                                        "up": f"{int((d > 0).sum())}/{len(d)}"}
    print(json.dumps(out, indent=1))
    (work / "evaluation_extra.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
