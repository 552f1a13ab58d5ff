"""Nested dev (3 seeds x 5 folds): variant I against variant I plus a 19-column block that distils e5 topic heads into
the TF-IDF (heads fitted in each fold on frozen e5 embeddings, then a ridge from the projection's TF-IDF to their
logits on the unannotated posts). Project venv, from the project root:

    PYTHONPATH=. .venv/bin/python notebooks/experiments/e5_finetune/distilled_heads.py W/e5 0.25,0.5,1
"""

import json
import sys
import time
from pathlib import Path

import models.topics.model as TM
from evaluate import print_paired
import numpy as np
from models.topics.data import fold, load_annotations, prf
from models.topics.pipeline import ABLATIONS, E5_PROJECTION, _training_rows
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold

spec = ABLATIONS["I_plus_nb_scaling"]
texts, Y, w, tunable = _training_rows(spec, Path("/tmp"))
ann = load_annotations()
tr_ex = [e for e in ann if e.split == "train"]
rows = [json.loads(line) for line in open(sys.argv[1] + "/input.jsonl")]
emb = np.load(sys.argv[1] + "/emb.npy").astype(np.float32)
pos = {r["id"]: k for k, r in enumerate(rows)}
annotated = {e.id for e in ann} | {fold(e.text) for e in ann}
U = [k for k, r in enumerate(rows) if r["id"] not in annotated and fold(r["text"]) not in annotated]
gold = np.flatnonzero(tunable)
other = np.flatnonzero(~tunable)
E = np.stack([emb[pos[tr_ex[i].id]] for i in gold])
G = Y[gold]
EU = emb[U]
proj = TM.load_projection(str(E5_PROJECTION))
XU = proj.featurizer.transform([rows[k]["text"] for k in U])
print("tunable", len(gold), "unannotated", len(U), "XU", XU.shape, flush=True)
gammas = [float(g) for g in sys.argv[2].split(",")] if len(sys.argv) > 2 else [0.25, 0.5, 1.0]
ALPHA = 1.0


class J(TM.TopicClassifier):
    M = None
    scale = None
    gamma = 0.0

    def _features(self, texts_):
        X = super()._features(texts_)
        if self.gamma <= 0:
            return X
        Z = (proj.featurizer.transform(texts_) @ self.M) / self.scale * self.gamma
        return sparse.hstack([X, sparse.csr_matrix(Z.astype(np.float32))], format="csr", dtype=np.float32)


res = {g: [] for g in [0.0] + gammas}
t = time.time()
for seed in range(3):
    P = {g: np.zeros((len(gold), Y.shape[1])) for g in res}
    for tr, va in KFold(5, shuffle=True, random_state=seed).split(gold):
        # e5 heads on the fold's training gold posts only
        L = np.zeros((len(U), Y.shape[1]))
        for j in range(Y.shape[1]):
            lr = LogisticRegression(C=4, class_weight="balanced", max_iter=2000).fit(E[tr], G[tr, j])
            L[:, j] = lr.decision_function(EU)
        ridge = Ridge(alpha=ALPHA, fit_intercept=False, solver="sparse_cg", random_state=0).fit(XU, L - L.mean(0))
        M = ridge.coef_.T.astype(np.float32)
        scale = (XU @ M).std(0) + 1e-6
        idx = np.concatenate([gold[tr], other])
        for g in res:
            sub = J(spec["config"])
            sub.M, sub.scale, sub.gamma = M, scale, g
            sub.fit([texts[i] for i in idx], Y[idx], w[idx])
            P[g][va] = sub.predict_proba([texts[i] for i in gold[va]])
    for g in res:
        for tr2, va2 in KFold(5, shuffle=True, random_state=100 + seed).split(G):
            thr = TM.best_thresholds(P[g][tr2], G[tr2])
            res[g].append(prf((P[g][va2] >= thr).astype(np.int8), G[va2])["macro_f1"])
    print(seed, {g: round(float(np.mean(v)), 4) for g, v in res.items()}, round(time.time() - t), flush=True)
print_paired(res, "gamma")
