"""Export the topic training rows, the seed-0 folds, the held-out posts and variant I's probabilities for the
e5 fine-tuning experiment. Run from the project root with the project venv:

    CIVIC_PULSE_DATASETS_ROOT=../shared/datasets .venv/bin/python notebooks/experiments/e5_finetune/export.py W
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import KFold

from models.topics.data import label_matrix, load_annotations
from models.topics.model import TopicClassifier
from models.topics.pipeline import ABLATIONS, _training_rows
from models.topics.predictor import ARTIFACT_DIR


def main(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    spec = ABLATIONS["I_plus_nb_scaling"]
    texts, labels, weights, tunable = _training_rows(spec, work)
    gold, other = np.flatnonzero(tunable), np.flatnonzero(~tunable)
    folds = list(KFold(5, shuffle=True, random_state=0).split(gold))
    oof = np.zeros((len(gold), labels.shape[1]))
    for tr, va in folds:  # variant I on the same folds as the fine-tuning
        idx = np.concatenate([gold[tr], other])
        clf = TopicClassifier(spec["config"]).fit([texts[i] for i in idx], labels[idx], weights[idx])
        oof[va] = clf.predict_proba([texts[i] for i in gold[va]])
    examples = load_annotations()
    held = {"test": [e for e in examples if e.split == "test"],
            "synthetic": [e for e in examples if e.split == "test_synthetic"]}
    shipped = joblib.load(ARTIFACT_DIR / "topic_model.joblib")
    (work / "texts.json").write_text(json.dumps(texts, ensure_ascii=False))
    (work / "test_texts.json").write_text(json.dumps({k: [e.text for e in v] for k, v in held.items()},
                                                     ensure_ascii=False))
    np.savez(work / "data.npz", Y=labels, weights=weights, gold=gold, other=other,
             **{f"train_{k}": gold[tr] for k, (tr, _) in enumerate(folds)},
             **{f"score_{k}": gold[va] for k, (_, va) in enumerate(folds)},
             **{f"score_pos_{k}": va for k, (_, va) in enumerate(folds)},
             Y_test=label_matrix([e.labels for e in held["test"]]),
             Y_synthetic=label_matrix([e.labels for e in held["synthetic"]]))
    np.save(work / "proba_I_oof.npy", oof)
    np.save(work / "proba_I_heldout.npy", shipped.predict_proba([e.text for e in held["test"] + held["synthetic"]]))
    print(f"{len(texts)} training rows ({len(gold)} real, tunable), {len(held['test'])} + {len(held['synthetic'])} "
          f"held-out posts -> {work}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
