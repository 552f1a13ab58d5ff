"""Benchmark: generate N posts, run the pipeline stage by stage, print measured figures.

``python -m jobs.bench --posts 100000`` (``make bench``; 1M and 5M are ``--posts 1000000`` …).
Prints per stage wall time, posts/s and peak resident memory of the driver side (Python +
JVM) and of the Python workers, plus the in-process speed of each model on this machine, so
the enrich stage can be read as a fraction of (cores × model throughput). Results go to
``build/bench/<timestamp>.json``. A script, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any


@dataclass
class MemorySampler:
    """Samples RSS of this process tree every ``interval`` s: driver (python + JVM) and Python workers."""

    interval: float = 0.5
    peak_driver_mb: float = 0.0
    peak_workers_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            driver = workers = 0
            try:
                procs = [me, *me.children(recursive=True)]
            except psutil.Error:
                procs = [me]
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    cmd = " ".join(p.cmdline()[:4])
                except psutil.Error:
                    continue
                if "pyspark.daemon" in cmd or "pyspark.worker" in cmd:
                    workers += rss
                else:
                    driver += rss
            self.peak_driver_mb = max(self.peak_driver_mb, driver / 2**20)
            self.peak_workers_mb = max(self.peak_workers_mb, workers / 2**20)
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


def model_throughput(n: int = 5000) -> dict[str, float]:
    """In-process posts/s of each model on one core, on generated Romanian texts."""
    from jobs.sample_data import sample_texts

    texts = sample_texts(n, seed=3)
    out: dict[str, float] = {}
    from models.sentiment import load_model, predict_texts

    model = load_model()
    predict_texts(texts[:100], model)
    t = time.perf_counter()
    predict_texts(texts, model)
    out["sentiment"] = n / (time.perf_counter() - t)

    from models.topics.predictor import load_predictor

    topics = load_predictor()
    topics.predict_many(texts[:100])
    t = time.perf_counter()
    topics.predict_many(texts)
    out["topics"] = n / (time.perf_counter() - t)

    from models.entities.extract import default_extractor

    ex = default_extractor()
    t = time.perf_counter()
    for text in texts:
        ex.extract(text)
    out["entities"] = n / (time.perf_counter() - t)
    out["all_three"] = 1 / sum(1 / v for v in (out["sentiment"], out["topics"], out["entities"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--work-dir", default=None, help="where landing and lake go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    ns = parser.parse_args(argv)

    from jobs.pipeline import stages
    from jobs.sample_data import generate_day
    from jobs.settings import load_settings
    from jobs.spark import build_spark

    work = Path(ns.work_dir or tempfile.mkdtemp(prefix="civic-pulse-bench-"))
    settings = load_settings(
        lake_root=str(work / "lake"), landing_root=str(work / "landing"), reports_root=str(work / "reports"),
        demo_mode=True,
    )
    results: dict[str, Any] = {
        "posts": ns.posts,
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "started": datetime.now(UTC).isoformat(),
        "stages": [],
    }
    with MemorySampler() as mem:
        t = time.perf_counter()
        generate_day(Path(settings.landing_root), ns.day, ns.posts, seed=7)
        results["stages"].append({"stage": "generate", "seconds": round(time.perf_counter() - t, 2)})
    results["stages"][-1].update(peak_driver_mb=round(mem.peak_driver_mb), peak_workers_mb=round(mem.peak_workers_mb))

    spark = build_spark(settings, app_name="civic-pulse-bench")
    total = 0.0
    for name, stage in stages():
        with MemorySampler() as mem:
            t = time.perf_counter()
            summary = stage(settings, spark, ns.day, f"bench-{name}")
            seconds = time.perf_counter() - t
        total += seconds
        results["stages"].append({
            "stage": name, "seconds": round(seconds, 2), "posts_per_s": round(ns.posts / seconds),
            "peak_driver_mb": round(mem.peak_driver_mb), "peak_workers_mb": round(mem.peak_workers_mb),
            "summary": summary,
        })
    spark.stop()
    results["pipeline_seconds"] = round(total, 2)
    results["model_posts_per_s_one_core"] = {k: round(v) for k, v in model_throughput().items()}
    enrich = next((s for s in results["stages"] if s["stage"] == "enrich"), None)
    if enrich:
        limit = (os.cpu_count() or 1) * results["model_posts_per_s_one_core"]["all_three"]
        results["enrich_fraction_of_model_limit"] = round(enrich["posts_per_s"] / limit, 3)

    print(f"\nCivic Pulse benchmark: {ns.posts:,} posts on {os.cpu_count()} cores")
    print(f"{'stage':<10}{'wall s':>9}{'posts/s':>10}{'driver MB':>11}{'workers MB':>12}")
    for s in results["stages"]:
        print(f"{s['stage']:<10}{s['seconds']:>9.1f}{s.get('posts_per_s', 0):>10}"
              f"{s['peak_driver_mb']:>11}{s['peak_workers_mb']:>12}")
    print(f"pipeline total: {total:.1f} s (generation excluded)")
    print(f"models in-process, one core: {results['model_posts_per_s_one_core']}")
    if "enrich_fraction_of_model_limit" in results:
        print(f"enrich stage at {results['enrich_fraction_of_model_limit']:.0%} of cores × model throughput")
    out_dir = Path("build/bench")
    out_dir.mkdir(parents=True, exist_ok=True)
    out_file = out_dir / f"bench-{ns.posts}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out_file.write_text(json.dumps(results, indent=2, default=str))
    print(f"results: {out_file}")
    if not ns.keep and not ns.work_dir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
