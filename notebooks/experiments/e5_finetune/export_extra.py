"""Like ``export.py``, with the rows of extra rounds (default 9 and 11) added to every fold's training rows.

The scored posts and the seed-0 folds are exactly ``export.py``'s (the real training posts of topics-2.3.0); the
extra rows only ever train, as in the rounds 9-11 rule. Besides variant I's out-of-fold probabilities
(``proba_I_oof.npy``) it writes variant I trained with the extra rows on the same folds (``proba_Ix_oof.npy``).
Run from the project root with the project venv:

    .venv/bin/python notebooks/experiments/e5_finetune/export_extra.py W [9,11]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from models.topics.data import label_matrix, load_annotations, parse_rounds
from models.topics.model import TopicClassifier
from models.topics.pipeline import ABLATIONS

sys.path.insert(0, str(Path(__file__).parent))
import export  # noqa: E402  (the experiment's own export, same folder)


def main(work: Path, rounds: tuple[int, ...]) -> None:
    export.main(work)  # texts, folds, held-out posts, variant I: unchanged
    data = dict(np.load(work / "data.npz"))
    texts: list[str] = json.loads((work / "texts.json").read_text())
    base = {e.id for e in load_annotations(extra=())}
    extra = [e for e in load_annotations(extra=rounds) if e.id not in base]
    first = len(texts)
    texts += [e.text for e in extra]
    data["Y"] = np.vstack([data["Y"], label_matrix([e.labels for e in extra])])
    data["weights"] = np.concatenate([data["weights"], np.ones(len(extra))])
    data["other"] = np.concatenate([data["other"], np.arange(first, len(texts))])
    spec = ABLATIONS["I_plus_nb_scaling"]
    gold, other = data["gold"], data["other"]
    oof = np.zeros((len(gold), data["Y"].shape[1]))
    for k in range(5):
        idx = np.concatenate([data[f"train_{k}"], other])
        clf = TopicClassifier(spec["config"]).fit([texts[i] for i in idx], data["Y"][idx], data["weights"][idx])
        oof[data[f"score_pos_{k}"]] = clf.predict_proba([texts[i] for i in data[f"score_{k}"]])
    (work / "texts.json").write_text(json.dumps(texts, ensure_ascii=False))
    np.savez(work / "data.npz", **data)
    np.save(work / "proba_Ix_oof.npy", oof)
    print(f"+ {len(extra)} rows of rounds {rounds} in every fold's training rows -> {work}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), parse_rounds(sys.argv[2] if len(sys.argv) > 2 else "9,11"))
