"""Nested dev (3 seeds x 5 folds): variant I against its average with a logistic regression per topic on frozen e5
embeddings. Project venv, from the project root; the argument is the folder that `e5_distill export`
and `e5_embed.py` write (W/e5):

    PYTHONPATH=. .venv/bin/python notebooks/experiments/e5_finetune/frozen_heads.py W/e5
"""

import json
import sys
import time
from pathlib import Path

import models.topics.model as TM
from evaluate import print_paired
import numpy as np
from models.topics.data import load_annotations, prf
from models.topics.pipeline import ABLATIONS, _training_rows
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

spec = ABLATIONS["I_plus_nb_scaling"]
texts, Y, w, tunable = _training_rows(spec, Path("/tmp"))
tr_ex = [e for e in load_annotations() if e.split == "train"]
ids = json.load(open(sys.argv[1] + "/ids.json"))
emb = np.load(sys.argv[1] + "/emb.npy").astype(np.float32)
pos = {i: k for k, i in enumerate(ids)}
gold = np.flatnonzero(tunable)
other = np.flatnonzero(~tunable)
gid = [tr_ex[i].id for i in range(len(tr_ex))]
assert len(gid) == len(tunable)
miss = [gid[i] for i in gold if gid[i] not in pos]
print("tunable", len(gold), "missing e5", len(miss), flush=True)
E = np.stack([emb[pos[gid[i]]] for i in gold])
G = Y[gold]
C = 4.0
alphas = [0, 0.2, 0.35, 0.5, 0.65]
res = {a: [] for a in alphas}
t = time.time()
for seed in range(3):
    P = np.zeros((len(gold), Y.shape[1]))
    Q = np.zeros_like(P)
    for tr, va in KFold(5, shuffle=True, random_state=seed).split(gold):
        idx = np.concatenate([gold[tr], other])
        sub = TM.TopicClassifier(spec["config"])
        sub.fit([texts[i] for i in idx], Y[idx], w[idx])
        P[va] = sub.predict_proba([texts[i] for i in gold[va]])
        for j in range(Y.shape[1]):
            y = G[tr, j]
            if y.sum() < 2:
                continue
            lr = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(E[tr], y)
            Q[va, j] = lr.predict_proba(E[va])[:, 1]
    for a in alphas:
        M = (1 - a) * P + a * Q
        for tr2, va2 in KFold(5, shuffle=True, random_state=100 + seed).split(G):
            thr = TM.best_thresholds(M[tr2], G[tr2])
            res[a].append(prf((M[va2] >= thr).astype(np.int8), G[va2])["macro_f1"])
    print(seed, {a: round(float(np.mean(v)), 4) for a, v in res.items()}, round(time.time() - t), flush=True)
print_paired(res, "alpha")
