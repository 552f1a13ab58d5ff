"""Benchmark: generate N posts, run the pipeline stage by stage, print and save measured figures.

``python -m jobs.bench --posts 100000`` (the default; 1M and 5M are ``--posts 1000000`` and
``--posts 5000000``). Per stage (every stage of :func:`jobs.pipeline.stages`, ``report``
included when the pipeline has it): wall time, posts/s, CPU seconds and peak memory of the
driver side (this Python process + the Spark JVM) and of the Python workers, plus the load
average while it ran. Then, in the same run on the same machine, the in-process speed of each
model on one core, so the enrich stage can be read as a fraction of (cores × model
throughput). Results go to ``bench/results-<N>.json`` (``--out`` to change), with the machine
they came from (CPU model, cores, RAM, load average). A script, not a test: the numbers are
only as good as the machine was quiet — check ``load_average`` in the file before quoting one.

Memory is the proportional set size (PSS) of each process where the OS reports it (shared
pages split between the processes sharing them: forked Python workers share most of the
daemon's pages), else RSS. CPU seconds are user + system time summed over the process tree,
which stays meaningful when other jobs compete for the cores and wall time does not.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobs.settings import Settings

DEFAULT_POSTS = 100_000
# A failure in one of these leaves nothing for the stages after it to work on.
DATA_STAGES = frozenset({"ingest", "silver", "enrich", "gold"})


def _is_worker(cmdline: list[str]) -> bool:
    joined = " ".join(cmdline[:4])
    return "pyspark.daemon" in joined or "pyspark.worker" in joined


@dataclass
class ProcessSampler:
    """Samples memory and CPU time of this process tree every ``interval`` s.

    ``driver``: this process and every non-worker child (the Spark JVM); ``workers``: Python
    workers (``pyspark.daemon`` and its forks).
    """

    interval: float = 0.5
    peak_driver_mb: float = 0.0
    peak_workers_mb: float = 0.0
    peak_total_mb: float = 0.0
    samples: int = 0
    load_sum: float = 0.0
    _cpu_start: dict[int, float] = field(default_factory=dict)
    _cpu_last: dict[int, tuple[bool, float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _procs(self) -> list[Any]:
        import psutil

        me = psutil.Process()
        try:
            return [me, *me.children(recursive=True)]
        except psutil.Error:
            return [me]

    @staticmethod
    def _memory(p: Any) -> int:
        import psutil

        try:
            return int(p.memory_full_info().pss)
        except (psutil.Error, AttributeError):
            return int(p.memory_info().rss)

    def _sample_once(self) -> None:
        import psutil

        driver = workers = 0
        for p in self._procs():
            try:
                worker = _is_worker(p.cmdline())
                mem = self._memory(p)
                times = p.cpu_times()
            except psutil.Error:
                continue
            self._cpu_last[p.pid] = (worker, times.user + times.system)
            if worker:
                workers += mem
            else:
                driver += mem
        self.peak_driver_mb = max(self.peak_driver_mb, driver / 2**20)
        self.peak_workers_mb = max(self.peak_workers_mb, workers / 2**20)
        self.peak_total_mb = max(self.peak_total_mb, (driver + workers) / 2**20)
        self.samples += 1
        self.load_sum += os.getloadavg()[0]

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample_once()
            self._stop.wait(self.interval)

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU seconds (driver side, workers) used since the sampler started."""
        driver = workers = 0.0
        for pid, (worker, total) in self._cpu_last.items():
            used = total - self._cpu_start.get(pid, 0.0)
            if worker:
                workers += used
            else:
                driver += used
        return driver, workers

    def __enter__(self) -> ProcessSampler:
        import psutil

        for p in self._procs():
            try:
                times = p.cpu_times()
            except psutil.Error:
                continue
            self._cpu_start[p.pid] = times.user + times.system
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self._sample_once()  # the last CPU times

    def figures(self) -> dict[str, Any]:
        driver_cpu, workers_cpu = self.cpu_seconds()
        return {
            "peak_driver_mb": round(self.peak_driver_mb),
            "peak_workers_mb": round(self.peak_workers_mb),
            "peak_total_mb": round(self.peak_total_mb),
            "cpu_s_driver": round(driver_cpu, 1),
            "cpu_s_workers": round(workers_cpu, 1),
            "load_average": round(self.load_sum / self.samples, 2) if self.samples else None,
        }


def machine_info() -> dict[str, Any]:
    """Cores, RAM, CPU model, OS, Python/Spark/Java versions and the load average right now."""
    import psutil

    cpu_model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    try:
        import pyspark

        spark_version = pyspark.__version__
    except ImportError:
        spark_version = None
    return {
        "hostname": platform.node(),
        "cpu_model": cpu_model,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pyspark": spark_version,
        "java_home": os.environ.get("JAVA_HOME"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else 0.0


def model_throughput(n: int = 5000) -> dict[str, dict[str, float]]:
    """In-process posts/s of each model on one core (wall clock and CPU time), generated texts."""
    from jobs.sample_data import sample_texts

    texts = sample_texts(n, seed=3)
    return model_speeds(texts, texts)


def model_speeds(sentiment_texts: list[str], topic_texts: list[str]) -> dict[str, dict[str, float]]:
    """Posts/s of each model alone on one core (sentiment on its texts, topics and entities on theirs)."""
    n = len(sentiment_texts)
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(name: str, fn: Any) -> None:
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall[name] = _rate(n, time.perf_counter() - t)
        cpu[name] = _rate(n, time.process_time() - c)

    from models.sentiment import load_model, predict_texts

    model = load_model()
    predict_texts(sentiment_texts[:100], model)
    timed("sentiment", lambda: predict_texts(sentiment_texts, model))

    from models.topics.predictor import load_predictor

    topics = load_predictor()
    topics.predict_many(topic_texts[:100])
    timed("topics", lambda: topics.predict_many(topic_texts))

    from models.entities.extract import default_extractor

    ex = default_extractor()
    for text in topic_texts[:100]:
        ex.extract(text)
    timed("entities", lambda: [ex.extract(text) for text in topic_texts])

    for speeds in (wall, cpu):
        speeds["all_three"] = 1 / sum(1 / speeds[k] for k in ("sentiment", "topics", "entities"))
    return {
        "wall_posts_per_s": {k: round(v) for k, v in wall.items()},
        "cpu_posts_per_s": {k: round(v) for k, v in cpu.items()},
    }


def enrich_input_throughput(settings: Settings, day: date, n: int = 5000) -> dict[str, Any]:
    """In-process rows/s on one core of the enrich pass's own batch function, on the day's rows.

    ``n`` rows spread evenly over the day's scorable silver rows, with the columns and the two
    model texts the Spark tasks get (:func:`jobs.enrich.with_model_texts`), scored by
    :func:`jobs.enrich.score_partition` in 20,000-row batches as in Spark: the per-core limit
    of the enrich stage on the texts it really scores. Each model is also timed alone on them.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds
    from deltalake import DeltaTable

    from jobs.enrich import (
        SENTIMENT_TEXT,
        TOPIC_TEXT,
        score_partition,
        scored_spark_schema,
        with_model_texts,
    )  # fmt: skip
    from schemas.contract import spark_to_arrow_schema
    from schemas.enriched import SCORED_LANGS
    from schemas.silver import POSTS as SILVER_POSTS

    dataset = DeltaTable(settings.table_path(SILVER_POSTS.layer, SILVER_POSTS.name)).to_pyarrow_dataset()
    day_rows = (ds.field("landing_date") == pa.scalar(day)) & ds.field("lang").isin(list(SCORED_LANGS))
    step = max(1, dataset.count_rows(filter=day_rows) // n)
    silver_schema = spark_to_arrow_schema(SILVER_POSTS.schema)
    picked: list[pa.RecordBatch] = []
    seen = 0
    for batch in dataset.scanner(columns=SILVER_POSTS.columns, filter=day_rows).to_batches():
        first = (-seen) % step
        if first < batch.num_rows:
            picked.append(batch.take(pa.array(range(first, batch.num_rows, step))))
        seen += batch.num_rows
    if not picked:
        return {}
    rows = pa.Table.from_batches(picked).cast(silver_schema).slice(0, n)
    batches = [with_model_texts(b) for b in rows.to_batches(max_chunksize=20_000)]
    out_schema = spark_to_arrow_schema(scored_spark_schema())
    list(score_partition(iter([batches[0].slice(0, 100)]), out_schema))  # models loaded, caches warm

    t, c = time.perf_counter(), time.process_time()
    scored = sum(b.num_rows for b in score_partition(iter(batches), out_schema))
    wall, cpu = time.perf_counter() - t, time.process_time() - c

    sentiment_texts = [x for b in batches for x in b.column(SENTIMENT_TEXT).to_pylist()]
    topic_texts = [x for b in batches for x in pc.fill_null(b.column(TOPIC_TEXT), "").to_pylist()]
    alone = model_speeds(sentiment_texts, topic_texts)["wall_posts_per_s"]
    return {
        "rows": scored,
        "wall_posts_per_s": round(_rate(scored, wall)),
        "cpu_posts_per_s": round(_rate(scored, cpu)),
        "each_model_wall_posts_per_s": alone,
    }


def enrich_ratio(
    stage: dict[str, Any], cores: int, models: dict[str, dict[str, float]], on_inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Enrich throughput (rows / wall s) against cores × the in-process speed of the models.

    The limit is the enrich pass's own batch function on the day's rows (``on_inputs``) when
    measured; the three models on generated single texts (``models``, what earlier results
    used) are kept as ``generated_texts_*`` for comparison.
    """
    summary = stage.get("summary") or {}
    rows = int(summary.get("silver_rows") or summary.get("scored") or 0)
    rate = _rate(rows, stage["seconds"])
    cpu = stage.get("cpu_s_driver", 0) + stage.get("cpu_s_workers", 0)

    def against(wall_per_core: float, cpu_per_core: float) -> dict[str, Any]:
        limit = cores * wall_per_core
        out: dict[str, Any] = {
            "limit_rows_per_s": round(limit),
            "fraction_of_limit": round(rate / limit, 3) if limit else None,
        }
        if cpu and cpu_per_core:
            # the same ratio in CPU time: what the stage spent per row against the models alone
            out["cpu_fraction_of_limit"] = round(_rate(rows, cpu) / cpu_per_core, 3)
        return out

    generated = against(models["wall_posts_per_s"]["all_three"], models["cpu_posts_per_s"]["all_three"])
    result: dict[str, Any] = {"rows": rows, "rows_per_s": round(rate)}
    if on_inputs:
        result["limit_basis"] = "enrich batch function on the day's rows, one process"
        result.update(against(on_inputs["wall_posts_per_s"], on_inputs["cpu_posts_per_s"]))
    else:
        result["limit_basis"] = "three models on generated texts, one process"
        result.update(generated)
    result.update({f"generated_texts_{k}": v for k, v in generated.items()})
    return result


def run_bench(posts: int, day: date, work: Path, out_file: Path, with_models: bool = True) -> dict[str, Any]:
    from jobs.pipeline import stages
    from jobs.sample_data import generate_day
    from jobs.settings import load_settings
    from jobs.spark import build_spark

    settings = load_settings(
        lake_root=str(work / "lake"), landing_root=str(work / "landing"), reports_root=str(work / "reports"),
        demo_mode=True,
    )  # fmt: skip
    results: dict[str, Any] = {
        "posts": posts,
        "day": day.isoformat(),
        "machine": machine_info(),
        "settings": {
            k: v for k, v in settings.public_dict().items() if k in ("spark_master", "driver_memory",
                                                                      "shuffle_partitions", "lake_engine")
        },
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "stages": [],
    }  # fmt: skip
    with ProcessSampler() as mem:
        t = time.perf_counter()
        generate_day(Path(settings.landing_root), day, posts, seed=7)
        seconds = time.perf_counter() - t
    results["stages"].append({"stage": "generate", "seconds": round(seconds, 2), **mem.figures()})

    t = time.perf_counter()
    spark = build_spark(settings, app_name="civic-pulse-bench")
    results["spark_start_seconds"] = round(time.perf_counter() - t, 2)
    names = []
    try:
        for name, stage in stages():
            names.append(name)
            entry: dict[str, Any] = {"stage": name}
            with ProcessSampler() as mem:
                t = time.perf_counter()
                try:
                    entry["summary"] = stage(settings, spark, day, f"bench-{name}")
                except Exception as exc:  # noqa: BLE001 - recorded, and the run stops or goes on
                    entry["error"] = f"{type(exc).__name__}: {exc}"[:2000]
                seconds = time.perf_counter() - t
            entry.update(seconds=round(seconds, 2), posts_per_s=round(_rate(posts, seconds)), **mem.figures())
            results["stages"].append(entry)
            _save(results, out_file)  # a long run that is stopped still leaves its finished stages
            print(f"  {name:<8} {seconds:8.1f} s  {entry.get('error', '')}", flush=True)
            if "error" in entry and name in DATA_STAGES:
                break
    finally:
        spark.stop()
    results["stages_in_pipeline"] = [n for n, _ in stages()]
    ran = [s for s in results["stages"] if s["stage"] != "generate"]
    results["landing_to_last_stage_seconds"] = round(sum(s["seconds"] for s in ran), 2)
    results["landing_to_last_stage"] = ran[-1]["stage"] if ran else None
    results["all_stages_ok"] = len(ran) == len(results["stages_in_pipeline"]) and not any(
        "error" in s for s in ran
    )
    results["peak_total_mb"] = max((s["peak_total_mb"] for s in results["stages"]), default=0)

    if with_models:
        models = model_throughput()
        results["model_throughput_one_core"] = models
        enrich = next((s for s in ran if s["stage"] == "enrich" and "error" not in s), None)
        if enrich:
            on_inputs = enrich_input_throughput(settings, day)
            results["enrich_pass_one_core_on_the_days_rows"] = on_inputs
            cores = results["machine"]["usable_cores"]
            results["enrich_vs_model_limit"] = enrich_ratio(enrich, cores, models, on_inputs)
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _save(results, out_file)
    return results


def _save(results: dict[str, Any], out_file: Path) -> None:
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(
        json.dumps(results, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def print_results(results: dict[str, Any], out_file: Path) -> None:
    m = results["machine"]
    print(
        f"\nCivic Pulse benchmark: {results['posts']:,} posts on {m['cpu_model']} "
        f"({m['usable_cores']} cores, {m['ram_gib']} GiB), load average {m['load_average_at_start'][0]}"
    )
    print(
        f"{'stage':<10}{'wall s':>9}{'posts/s':>10}{'cpu s':>9}{'driver MB':>11}{'workers MB':>12}{'load':>7}"
    )
    for s in results["stages"]:
        cpu = s.get("cpu_s_driver", 0) + s.get("cpu_s_workers", 0)
        print(
            f"{s['stage']:<10}{s['seconds']:>9.1f}{s.get('posts_per_s', 0):>10}{cpu:>9.1f}"
            f"{s['peak_driver_mb']:>11}{s['peak_workers_mb']:>12}{s.get('load_average') or 0:>7.1f}"
            f"{'  FAILED: ' + s['error'][:80] if 'error' in s else ''}"
        )
    print(
        f"landing → {results['landing_to_last_stage']}: {results['landing_to_last_stage_seconds']:.1f} s "
        f"(generation excluded); peak memory {results['peak_total_mb']} MB"
    )
    models = results.get("model_throughput_one_core")
    if models:
        print(f"models in-process, one core, generated texts (posts/s, wall): {models['wall_posts_per_s']}")
    on_inputs = results.get("enrich_pass_one_core_on_the_days_rows")
    if on_inputs:
        print(
            f"enrich batch function in-process, one core, {on_inputs['rows']} of the day's rows: "
            f"{on_inputs['wall_posts_per_s']} rows/s (each model alone: {on_inputs['each_model_wall_posts_per_s']})"
        )
    ratio = results.get("enrich_vs_model_limit")
    if ratio and ratio.get("fraction_of_limit") is not None:
        print(
            f"enrich stage at {ratio['fraction_of_limit']:.0%} of cores × in-process throughput "
            f"({ratio['rows_per_s']} of {ratio['limit_rows_per_s']} rows/s; limit: {ratio['limit_basis']}); "
            f"{ratio['generated_texts_fraction_of_limit']:.0%} against the models on generated texts"
        )
    print(f"results: {out_file}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=DEFAULT_POSTS, help="posts to generate (default 100000)")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--out", default=None, help="results JSON (default bench/results-<posts>.json)")
    parser.add_argument("--work-dir", default=None, help="where landing and lake go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument("--no-models", action="store_true", help="skip the in-process model speeds")
    ns = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("py4j", "py4j.clientserver", "py4j.java_gateway"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("TZ", "UTC")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    work = Path(ns.work_dir or tempfile.mkdtemp(prefix="civic-pulse-bench-"))
    out_file = Path(ns.out or f"bench/results-{ns.posts}.json")
    try:
        results = run_bench(ns.posts, ns.day, work, out_file, with_models=not ns.no_models)
    finally:
        if not ns.keep and not ns.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    print_results(results, out_file)
    return 0 if results["all_stages_ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
