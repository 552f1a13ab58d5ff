"""prepare / train / evaluate / package steps of the topic model.

``train``, ``evaluate`` and ``package`` write into an output folder (``--out``; default: the committed
``models/topics/artifacts``), so a training DAG can fit a challenger next to the champion without
overwriting it. Scratch files (prepared weak labels, every ablation variant, reports) live in the
work dir.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from models.topics.data import TOPIC_IDS, label_matrix, load_annotations, prf, weak_labels
from models.topics.model import ModelConfig, TopicClassifier, oof_proba
from models.topics.sources import LICENCES, datasets_root, read_all
from models.topics.taxonomy import SeedMatcher, load_taxonomy
from models.topics.text import fold

ARTIFACTS = Path(__file__).parent / "artifacts"
E5_PSEUDO = Path(__file__).parent / "data" / "e5_pseudo_labels.jsonl"
E5_PROJECTION = Path(__file__).parent / "data" / "e5_projection.joblib"
MODEL_FILE = "topic_model.joblib"
CARD_FILE = "model_card.json"
METRICS_FILE = "metrics.json"
MODEL_VERSION = "topics-2.3.0"
WEAK_WEIGHT = 0.3
PSEUDO_WEIGHT = 0.3
E5_WEIGHT = 0.5
MIN_THROUGHPUT = 5000.0  # posts/s on one core, cold token cache: the bulk-scoring goal
C_GRID: tuple[float, ...] = (4.0,)  # >1 value: C chosen on the dev predictions (see docs/topics.md)

WORD = ModelConfig(use_prefix=False, use_seeds=False)
ABLATIONS: dict[str, dict[str, Any]] = {
    "A_word_gold_real": {"config": WORD, "synthetic": False},
    "B_plus_synthetic": {"config": WORD, "synthetic": True},
    "C_plus_seed_features": {"config": ModelConfig(use_prefix=False), "synthetic": True},
    "D_plus_prefix_features": {"config": ModelConfig(), "synthetic": True},
    "E_plus_weak_labels": {"config": ModelConfig(), "synthetic": True, "weak": True},
    "F_plus_self_training": {"config": ModelConfig(), "synthetic": True, "weak": True, "self_train": True},
    "G_plus_e5_distillation": {"config": ModelConfig(), "synthetic": True, "weak": True, "e5": True},
    "H_plus_e5_projection": {"config": ModelConfig(projection_weight=1.0), "synthetic": True},
    "I_plus_nb_scaling": {"config": ModelConfig(projection_weight=1.0, nb_scaling=1.0), "synthetic": True},
}
VARIANT_NOTES = {
    "A_word_gold_real": "lemma word 1-2gram TF-IDF, real gold posts only",
    "B_plus_synthetic": "A + the synthetic posts written for rare topics",
    "C_plus_seed_features": "B + log seed-lemma hit counts per topic",
    "D_plus_prefix_features": "C + 5-letter lemma-prefix TF-IDF (cheap stand-in for character n-grams)",
    "E_plus_weak_labels": "D + seed-lemma weak labels on unannotated posts (weight 0.3)",
    "F_plus_self_training": "E + confident self-training pseudo-labels on unannotated posts (weight 0.3)",
    "G_plus_e5_distillation": "E + pseudo-labels from an e5-small classifier trained on the gold train split "
    "(training time only; weight 0.5)",
    "H_plus_e5_projection": "D + a 64-dim block mapping the post's TF-IDF to its approximate e5-small embedding "
    "(ridge fitted on unlabelled posts, no labels; scoring needs no e5)",
    "I_plus_nb_scaling": "H + naive-Bayes log-count-ratio scaling of the n-gram columns per topic before its "
    "logistic regression (folded into the weights: scoring is unchanged)",
}


def work_dir(explicit: str | None = None) -> Path:
    """Scratch folder for prepared data and candidate models (outside the repo by default)."""
    path = Path(explicit or os.environ.get("CIVIC_PULSE_WORK_DIR") or "/tmp/civic_pulse_topics")
    path.mkdir(parents=True, exist_ok=True)
    return path


def out_dir(explicit: str | None = None) -> Path:
    """Where the candidate artifact, its metrics and its card go (default: the committed artifacts)."""
    path = Path(explicit) if explicit else ARTIFACTS
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- prepare ------------------------------------------------------------------------------------------


def prepare(datasets: str | None, work: Path) -> dict[str, Any]:
    """Validate annotations; build weak labels, the unlabeled pool and the e5 pseudo-labels (if committed)."""
    examples = load_annotations()
    root = datasets_root(datasets)
    if not root.is_dir():
        raise FileNotFoundError(f"datasets root not found: {root} (set --datasets-root or CIVIC_PULSE_DATASETS_ROOT)")
    annotated = {fold(e.text) for e in examples}
    posts = [p for ps in read_all(root).values() for p in ps]
    raw = [p.text for p in posts]
    weak_texts, weak_Y = weak_labels(raw, SeedMatcher(), exclude=annotated)
    unlabeled = [t for t in dict.fromkeys(raw) if fold(t) not in annotated and len(t.split()) >= 4]
    random.Random(1).shuffle(unlabeled)
    e5_rows: list[dict[str, Any]] = []
    if E5_PSEUDO.is_file():
        by_id = {f"{p.source}:{p.source_id}": p.text for p in posts}
        for line in E5_PSEUDO.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            text = by_id.get(row["id"])
            if text is not None and fold(text) not in annotated:
                e5_rows.append({"text": text, "labels": row["labels"]})
    prepared = {
        "weak": [
            {"text": t, "labels": [TOPIC_IDS[k] for k in np.flatnonzero(y)]}
            for t, y in zip(weak_texts, weak_Y, strict=True)
        ],
        "unlabeled": unlabeled[:6000],
        "e5": e5_rows,
    }
    (work / "prepared.json").write_text(json.dumps(prepared, ensure_ascii=False), encoding="utf-8")
    stats = {
        "annotated": len(examples),
        "by_split": {s: sum(e.split == s for e in examples) for s in ("train", "test", "test_synthetic")},
        "weak_rows": len(weak_texts),
        "weak_negatives": int((weak_Y.sum(1) == 0).sum()),
        "unlabeled_for_self_training": len(unlabeled[:6000]),
        "e5_pseudo_label_rows": len(e5_rows),
    }
    (work / "prepare_stats.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    return stats


# --- train --------------------------------------------------------------------------------------------


def _training_rows(spec: dict[str, Any], work: Path) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Texts, labels, sample weights and the ``tunable`` mask (real gold posts: thresholds and dev metric)."""
    examples = [e for e in load_annotations() if e.split == "train" and (spec["synthetic"] or not e.synthetic)]
    texts = [e.text for e in examples]
    Y = label_matrix([e.labels for e in examples])
    w = np.ones(len(texts))
    tunable = np.array([not e.synthetic for e in examples], dtype=bool)
    extra: list[dict[str, Any]] = []
    weights: list[float] = []
    if spec.get("weak") or spec.get("e5"):
        prepared = json.loads((work / "prepared.json").read_text(encoding="utf-8"))
        if spec.get("weak"):
            extra += prepared["weak"]
            weights += [WEAK_WEIGHT] * len(prepared["weak"])
        if spec.get("e5"):
            if not prepared.get("e5"):
                raise FileNotFoundError(f"no e5 pseudo-labels prepared (expected {E5_PSEUDO})")
            extra += prepared["e5"]
            weights += [E5_WEIGHT] * len(prepared["e5"])
    if extra:
        texts += [r["text"] for r in extra]
        Y = np.vstack([Y, label_matrix([r["labels"] for r in extra])])
        w = np.concatenate([w, np.asarray(weights)])
        tunable = np.concatenate([tunable, np.zeros(len(extra), dtype=bool)])
    return texts, Y, w, tunable


def _self_train(
    clf: TopicClassifier, texts: list[str], Y: np.ndarray, w: np.ndarray, tunable: np.ndarray, work: Path
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Add confident pseudo-labels on unlabeled posts (positive >= 0.9, every topic < 0.05 for negatives)."""
    prepared = json.loads((work / "prepared.json").read_text(encoding="utf-8"))
    pool = prepared["unlabeled"]
    proba = clf.predict_proba(pool)
    pos = (proba >= 0.9).astype(np.int8)
    keep = np.concatenate([np.flatnonzero(pos.sum(1) > 0), np.flatnonzero(proba.max(1) < 0.05)[:1000]])
    texts = texts + [pool[i] for i in keep]
    Y = np.vstack([Y, pos[keep]])
    w = np.concatenate([w, np.full(len(keep), PSEUDO_WEIGHT)])
    tunable = np.concatenate([tunable, np.zeros(len(keep), dtype=bool)])
    return texts, Y, w, tunable


def _dev(oof: np.ndarray, Y: np.ndarray, thresholds: np.ndarray) -> dict[str, Any]:
    return {k: v for k, v in prf((oof >= thresholds).astype(np.int8), Y).items() if k != "per_topic"}


def fit_variant(name: str, work: Path, tune_c: bool = False) -> tuple[TopicClassifier, dict[str, Any]]:
    """Train one ablation variant: 5-fold out-of-fold (dev) thresholds over the real gold train posts,
    optionally choosing C on the same dev predictions, then a final fit on every training row."""
    spec = ABLATIONS[name]
    texts, Y, w, tunable = _training_rows(spec, work)
    config: ModelConfig = spec["config"]
    if spec.get("self_train"):
        base = TopicClassifier(config).fit(texts, Y, w)
        texts, Y, w, tunable = _self_train(base, texts, Y, w, tunable, work)
    gold_Y = Y[np.flatnonzero(tunable)]
    c_scores: dict[str, float] = {}
    if tune_c:
        best = None
        for c in C_GRID:
            cand = replace(config, C=c)
            clf = TopicClassifier(cand)
            oof = clf.tune_thresholds(texts, Y, w, tunable)
            score = _dev(oof, gold_Y, clf.thresholds)["macro_f1"]
            c_scores[str(c)] = score
            if best is None or score > best[0] + 1e-9:
                best = (score, cand, clf.thresholds.copy(), oof)
        assert best is not None
        _, config, thresholds, oof = best
        clf = TopicClassifier(config)
        clf.thresholds = thresholds
    else:
        clf = TopicClassifier(config)
        oof = clf.tune_thresholds(texts, Y, w, tunable)
    thresholds = clf.thresholds.copy()
    clf.fit(texts, Y, w)
    clf.thresholds = thresholds
    info = {
        "rows": len(texts),
        "gold_rows": int(tunable.sum()),
        "dev_oof": _dev(oof, gold_Y, thresholds),
        "dev_oof_at_0.5": _dev(oof, gold_Y, np.full(len(TOPIC_IDS), 0.5)),
        "thresholds": dict(zip(TOPIC_IDS, map(float, thresholds), strict=True)),
        "config": {k: v for k, v in asdict(config).items() if k != "extra"},
        "C_grid_dev_macro_f1": c_scores or None,
        "note": VARIANT_NOTES[name],
    }
    return clf, info


def available_variants(work: Path) -> list[str]:
    """Every ablation variant whose inputs exist (G needs the committed e5 pseudo-labels, H the projection)."""
    prepared = work / "prepared.json"
    has_e5 = prepared.is_file() and bool(json.loads(prepared.read_text(encoding="utf-8")).get("e5"))
    return [n for n in ABLATIONS if (has_e5 or not ABLATIONS[n].get("e5"))
            and (E5_PROJECTION.is_file() or ABLATIONS[n]["config"].projection_weight <= 0)]


def train(work: Path, out: Path | None = None, variants: list[str] | None = None) -> dict[str, Any]:
    """Fit ablation variants (all available by default; a subset is merged into an existing report), select
    one and write it to ``out/topic_model.joblib``.

    Selection uses only training data: the highest dev (out-of-fold) macro-F1 among variants whose measured
    single-core throughput reaches ``MIN_THROUGHPUT``; if none does, the highest dev macro-F1. The selected
    variant's C is then chosen from ``C_GRID`` on the same dev predictions and the model is refitted.
    """
    out = out or out_dir()
    report_path = work / "train_report.json"
    report: dict[str, Any] = {}
    if variants and report_path.is_file():
        report = json.loads(report_path.read_text(encoding="utf-8"))["variants"]
    for name in variants or available_variants(work):
        t0 = time.perf_counter()
        clf, info = fit_variant(name, work)
        info["train_seconds"] = round(time.perf_counter() - t0, 1)
        joblib.dump(slim(clf), work / f"variant_{name}.joblib", compress=3)
        report[name] = info
        print(
            f"{name}: dev macro-F1 {info['dev_oof']['macro_f1']} ({info['train_seconds']} s)",
            flush=True,
        )
    for name in report:  # every variant measured by the same method, at the same time
        path = work / f"variant_{name}.joblib"
        if path.is_file():
            report[name]["throughput_posts_per_s"] = measure_throughput(joblib.load(path))
    fast = [n for n in report if report[n].get("throughput_posts_per_s", 0) >= MIN_THROUGHPUT]
    best = max(fast or list(report), key=lambda n: report[n]["dev_oof"]["macro_f1"])
    if len(C_GRID) > 1:
        t0 = time.perf_counter()
        final, final_info = fit_variant(best, work, tune_c=True)
        final_info["train_seconds"] = round(time.perf_counter() - t0, 1)
        final_info["throughput_posts_per_s"] = measure_throughput(final)
        joblib.dump(slim(final), work / MODEL_FILE, compress=3)
    else:
        final_info = report[best]
        shutil.copy(work / f"variant_{best}.joblib", work / MODEL_FILE)
    shutil.copy(work / MODEL_FILE, out / MODEL_FILE)
    summary = {
        "selected": best,
        "selection": f"highest dev (5-fold out-of-fold on the real train posts) macro-F1 among variants >= "
        f"{MIN_THROUGHPUT:.0f} posts/s on one core (all variants if none)"
        + (f"; then C from {list(C_GRID)} on the same dev predictions" if len(C_GRID) > 1 else ""),
        "final": final_info,
        "variants": report,
    }
    report_path.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return {k: summary[k] for k in ("selected", "selection")} | {"dev_macro_f1": final_info["dev_oof"]["macro_f1"]}


# --- evaluate -----------------------------------------------------------------------------------------


def evaluate_model(clf: TopicClassifier) -> dict[str, Any]:
    """Metrics on the held-out real test split (all of it, and the part frozen before round 6) and on the
    held-out synthetic posts."""
    out: dict[str, Any] = {}
    examples = load_annotations()
    groups = {
        "test": [e for e in examples if e.split == "test"],
        "test_before_round6": [e for e in examples if e.split == "test" and not e.pool.startswith("round 6")],
        "test_round6": [e for e in examples if e.split == "test" and e.pool.startswith("round 6")],
        "test_synthetic": [e for e in examples if e.split == "test_synthetic"],
    }
    for name, rows in groups.items():
        labels, _ = clf.predict([e.text for e in rows])
        out[name] = prf(label_matrix(labels), label_matrix([e.labels for e in rows]))
    return out


def headline(metrics: dict[str, Any]) -> dict[str, Any]:
    """The stable keys a training DAG compares (champion vs challenger)."""
    test = metrics["test"]
    return {
        "test_macro_f1": test["macro_f1"],
        "test_micro_f1": test["micro_f1"],
        "empty_list_accuracy": test["empty_list_accuracy"],
        "test_posts": test["n_posts"],
        "test_no_topic_posts": test["n_no_topic_posts"],
        "test_min_topic_support": min(v["support"] for v in test["per_topic"].values()),
        "test_synthetic_macro_f1": metrics["test_synthetic"]["macro_f1"],
    }


def evaluate(work: Path, out: Path | None = None, version: str = MODEL_VERSION) -> dict[str, Any]:
    """Evaluate ``out/topic_model.joblib`` and every ablation variant on the untouched test splits;
    write ``out/metrics.json`` (headline keys) and ``work/eval_report.json`` (everything)."""
    out = out or out_dir()
    model_path = out / MODEL_FILE
    if not model_path.is_file():
        raise FileNotFoundError(f"no candidate model at {model_path} (run `train` first)")
    summary = json.loads((work / "train_report.json").read_text(encoding="utf-8"))
    ablation = {}
    for name, info in summary["variants"].items():
        path = work / f"variant_{name}.joblib"
        if not path.is_file():
            continue
        metrics = evaluate_model(joblib.load(path))
        ablation[name] = {
            "dev_macro_f1": info["dev_oof"]["macro_f1"],
            "dev_empty_list_accuracy": info["dev_oof"]["empty_list_accuracy"],
            "test_macro_f1": metrics["test"]["macro_f1"],
            "test_micro_f1": metrics["test"]["micro_f1"],
            "test_empty_list_accuracy": metrics["test"]["empty_list_accuracy"],
            "test_before_round6_macro_f1": metrics["test_before_round6"]["macro_f1"],
            "test_synthetic_macro_f1": metrics["test_synthetic"]["macro_f1"],
            "throughput_posts_per_s": info.get("throughput_posts_per_s"),
            "note": info.get("note"),
        }
    clf: TopicClassifier = joblib.load(model_path)
    final = evaluate_model(clf)
    speed = measure_throughput(clf)
    speed_cold = measure_throughput(clf, cold=True)
    speed_wall = measure_throughput(clf, wall=True)
    result = {
        "selected": summary["selected"],
        "selection": summary["selection"],
        "metrics": final,
        "ablation": ablation,
    }
    (work / "eval_report.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    tax = load_taxonomy()
    metrics_json = {
        "model_version": version,
        "taxonomy_version": tax.version,
        "selected_variant": summary["selected"],
        **headline(final),
        "dev_macro_f1": summary["final"]["dev_oof"]["macro_f1"],
        "posts_per_second_per_core": speed,
        "posts_per_second_per_core_cold_cache": speed_cold,
        "posts_per_second_wall_clock": speed_wall,
        "sha256": sha256(model_path),
        "per_topic": final["test"]["per_topic"],
    }
    (out / METRICS_FILE).write_text(json.dumps(metrics_json, indent=1), encoding="utf-8")
    return {k: v for k, v in metrics_json.items() if k != "per_topic"}


# --- throughput, packaging ----------------------------------------------------------------------------


def measure_throughput(clf: TopicClassifier, repeats: int = 3, wall: bool = False, cold: bool = False) -> float:
    """Posts per second of ``predict`` on one core, in the steady state of a bulk scorer.

    The distinct annotated posts are split in two halves by a hash of the text; each run clears the token
    cache, scores the first half (warm-up: a Spark worker keeps its predictor and caches across batches) and
    times the second half, whose posts were never seen (only the shared vocabulary is cached). ``cold=True``
    times the second half with an empty cache instead (a worker's first batch). Measured in CPU time of this
    process with BLAS limited to one thread, so other jobs on a shared machine do not distort it;
    ``wall=True`` uses wall-clock time. Best of ``repeats``.
    """
    from threadpoolctl import threadpool_limits

    texts = list(dict.fromkeys(e.text for e in load_annotations()))
    halves: tuple[list[str], list[str]] = ([], [])
    for t in texts:
        halves[int(hashlib.md5(t.encode("utf-8")).hexdigest(), 16) % 2].append(t)
    warm, timed = halves
    clock = time.perf_counter if wall else time.process_time
    best = float("inf")
    with threadpool_limits(1):
        for _ in range(repeats):
            for featurizer in (getattr(clf, "featurizer", None),
                               getattr(getattr(clf, "projection", None), "featurizer", None)):
                if featurizer is not None:  # both token caches: the projection tokenises on its own vocabulary
                    featurizer._token_cache = {}
            if not cold:
                clf.predict(warm)
            t0 = clock()
            clf.predict(timed)
            best = min(best, clock() - t0)
    return round(len(timed) / max(best, 1e-9), 1)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def describe(clf: TopicClassifier) -> str:
    """One-line description of the fitted model's feature set and learner."""
    cfg = clf.config
    parts = []
    if cfg.use_word:
        parts.append("lemma word 1-2gram TF-IDF" if cfg.use_bigrams else "lemma word TF-IDF")
    if cfg.use_prefix:
        parts.append(f"{cfg.prefix_len}-letter lemma-prefix TF-IDF")
    if cfg.use_seeds:
        parts.append("log seed-lemma hit counts per topic")
    projection = clf.__dict__.get("projection")
    if projection is not None and cfg.projection_weight > 0:
        parts.append(f"a {projection.dims}-dim projection of the TF-IDF onto multilingual-e5-small's principal "
                     f"components (ridge on {projection.info.get('posts')} unannotated posts, no labels)")
    scaling = (f"each topic's word / prefix columns scaled by |naive-Bayes log-count ratio|^{cfg.nb_scaling:g} "
               f"(smoothing {cfg.nb_alpha:g}) before its fit, the scale folded into the weights; "
               if cfg.nb_scaling > 0 else "")
    return (
        " + ".join(parts) + " on diacritics-folded, URL-free text; " + scaling
        + "one-vs-rest logistic regression (liblinear, "
        f"balanced class weights, C={cfg.C}); per-topic thresholds tuned on 5-fold out-of-fold dev predictions "
        "over the real training posts"
    )


def slim(clf: TopicClassifier) -> TopicClassifier:
    """Drop caches before pickling."""
    if clf.featurizer is not None:
        clf.featurizer._token_cache = {}
        clf.featurizer._seeds = None
    projection = clf.__dict__.get("projection")
    if projection is not None:
        projection.featurizer._token_cache = {}
    return clf


def package(work: Path, out: Path | None = None) -> dict[str, Any]:
    """Write the JSON model card next to ``out/topic_model.joblib`` (metrics come from ``evaluate``)."""
    out = out or out_dir()
    target = out / MODEL_FILE
    evaluation = json.loads((work / "eval_report.json").read_text(encoding="utf-8"))
    train_report = json.loads((work / "train_report.json").read_text(encoding="utf-8"))
    prep = json.loads((work / "prepare_stats.json").read_text(encoding="utf-8"))
    metrics_json = json.loads((out / METRICS_FILE).read_text(encoding="utf-8"))
    digest = sha256(target)
    if metrics_json.get("sha256") != digest:
        raise ValueError(f"{out / METRICS_FILE} was written for another artifact; run `evaluate` again")
    clf: TopicClassifier = joblib.load(target)
    examples = load_annotations()
    tax = load_taxonomy()
    real = [e for e in examples if not e.synthetic]
    counts = {
        split: {t: sum(t in e.labels for e in real if e.split == split) for t in tax.ids}
        | {"(no topic)": sum(not e.labels for e in real if e.split == split), "(posts)": sum(e.split == split for e in real)}
        for split in ("train", "test")
    }
    card = {
        "model": "civic-pulse policy topics",
        "version": metrics_json.get("model_version", MODEL_VERSION),  # set by `evaluate --version`
        "taxonomy_version": tax.version,
        "labels": tax.ids,
        "artifact": MODEL_FILE,
        "sha256": digest,
        "size_bytes": target.stat().st_size,
        "selected_variant": evaluation["selected"],
        "selection_rule": evaluation.get("selection"),
        "method": describe(clf),
        "thresholds": dict(zip(tax.ids, map(float, clf.thresholds), strict=True)),
        "headline": {k: v for k, v in metrics_json.items() if k != "per_topic"},
        "data": {
            "annotations": "models/topics/data/annotations.jsonl",
            "counts": prep,
            "real_posts_per_topic": counts,
            "synthetic_train_posts": sum(e.synthetic and e.split == "train" for e in examples),
            "sources": {
                s: {"licence": LICENCES[s], "annotated_posts": sum(e.source == s for e in examples)} for s in LICENCES
            },
            "weak_supervision": "seed-lemma weak labels on unannotated posts of the same datasets (weight 0.3)",
            "licence_note": "Training text includes ROFF and hate-speech-ro posts whose licence is not stated; "
            "LaRoSeDa is not used.",
        },
        "metrics": evaluation["metrics"],
        "ablation": evaluation["ablation"],
        "dev": train_report["final"]["dev_oof"],
        "dev_C_grid": train_report["final"].get("C_grid_dev_macro_f1"),
        "throughput_posts_per_s_single_process": metrics_json["posts_per_second_per_core"],
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=1, ensure_ascii=False), encoding="utf-8")
    return card


__all__ = ["ABLATIONS", "oof_proba", "prepare", "train", "evaluate", "package", "work_dir", "out_dir"]
