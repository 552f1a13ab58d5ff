"""Command line: ``python -m models.sentiment {prepare,train,evaluate,package,predict,all}``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from models.sentiment import MODEL_VERSION, load_model, predict_texts
from models.sentiment.data import DEFAULT_WORK_DIR, datasets_root, prepare, read_jsonl
from models.sentiment.model import LABELS

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
PREDICTION_COLUMNS = ("sentiment", *(f"p_{label}" for label in LABELS))


class InputError(ValueError):
    """Bad predict input: reported on stderr with exit status 2."""


def _format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown extension {path.suffix or '(none)'}; use one of "
                         f"{', '.join(sorted(FORMATS))}")
    return fmt


def read_posts(path: Path, text_col: str) -> pd.DataFrame:
    """Read CSV or JSONL (by extension) and check that ``text_col`` exists and rows are present."""
    fmt = _format(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty")
    try:
        if fmt == "csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_json(path, lines=True, dtype=False)
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as {fmt}: {exc}") from exc
    if text_col not in frame.columns:
        raise InputError(f"{path}: column {text_col!r} not found; columns are {list(frame.columns)}")
    if frame.empty:
        raise InputError(f"{path}: no rows")
    return frame


def score_frame(frame: pd.DataFrame, text_col: str, model_path: str | None = None,
                batch_size: int = 20000) -> pd.DataFrame:
    """``frame`` plus ``sentiment`` and ``p_negative``/``p_neutral``/``p_positive``."""
    model = load_model(model_path)
    texts = ["" if t is None or (isinstance(t, float) and pd.isna(t)) else str(t) for t in frame[text_col]]
    labels: list[str] = []
    probs = []
    for start in range(0, len(texts), batch_size):
        batch_labels, batch_probs = predict_texts(texts[start : start + batch_size], model)
        labels.extend(batch_labels)
        probs.append(batch_probs)
    out = frame.copy()
    out["sentiment"] = labels
    stacked = pd.concat([pd.DataFrame(p, columns=list(PREDICTION_COLUMNS[1:])) for p in probs],
                        ignore_index=True)
    for column in PREDICTION_COLUMNS[1:]:
        out[column] = stacked[column].round(6).to_numpy()
    return out


def write_posts(frame: pd.DataFrame, path: Path) -> None:
    """Write CSV or JSONL according to the extension of ``path``."""
    fmt = _format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m models.sentiment", description=__doc__)
    sub = parser.add_subparsers(dest="step", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--work-dir", default=DEFAULT_WORK_DIR, help="splits, model and metrics (not in git)")

    p_prepare = sub.add_parser("prepare", help="datasets -> normalised train/dev/held-out splits")
    p_train = sub.add_parser("train", help="cross-validate candidates on train+dev, refit the best -> "
                             "<out>/sentiment.npz")
    p_eval = sub.add_parser("evaluate", help="held-out metrics -> <work-dir>/metrics.json and <out>/metrics.json")
    p_pack = sub.add_parser("package", help="model card for <out>/sentiment.npz -> <out>/model_card.json")
    p_all = sub.add_parser("all", help="prepare, train, evaluate, package")
    for p in (p_prepare, p_train, p_eval, p_pack, p_all):
        common(p)
    for p in (p_train, p_eval, p_pack, p_all):
        p.add_argument("--out", "--artifact-dir", dest="out", default=None,
                       help="artifact folder (sentiment.npz, metrics.json, model_card.json); default the "
                       "committed models/sentiment/artifacts. Give another folder to train a challenger "
                       "without touching the champion")
    for p in (p_prepare, p_all):
        p.add_argument("--datasets-root", default=None, help="default $CIVIC_PULSE_DATASETS_ROOT or "
                       "../shared/datasets")
        p.add_argument("--dev-fraction", type=float, default=0.1)
        p.add_argument("--seed", type=int, default=13)
        p.add_argument("--civic-train", action="store_true",
                       help="also put the civic-style training posts (models/sentiment/data) in the pool; their "
                            "held-out part is always evaluated")
        p.add_argument("--real-train", action=argparse.BooleanOptionalAction, default=True,
                       help="put the labelled real comments of the topics training split "
                            "(models/sentiment/data/real_comments_train.jsonl) in the pool (the shipped recipe; "
                            "--no-real-train for the 2.0.0 one)")
        p.add_argument("--pseudo", action="store_true",
                       help="also put the teacher-labelled posts (models/sentiment/data/e5_pseudo_labels.jsonl, "
                            "see models/sentiment/distill.py) in the pool; the distillation experiment, off for "
                            "the shipped recipe")
    for p in (p_train, p_all):
        p.add_argument("--candidates", default="", help="comma-separated candidate names, 'civic' for the civic "
                       "experiment's grid or 'baseline' for the 2.0.0 recipe's (default: the grid of "
                       "train.default_candidates, the shipped recipe)")
        p.add_argument("--folds", type=int, default=5, help="cross-validation folds for selection and "
                       "calibration")
        p.add_argument("--version", default=MODEL_VERSION)
    for p in (p_eval, p_all):
        p.add_argument("--throughput-posts", type=int, default=10000)
    p_eval.add_argument("--model", default=None, help="artifact to evaluate (default <out>/sentiment.npz)")

    p_pred = sub.add_parser("predict", help="score a CSV or JSONL file")
    p_pred.add_argument("--input", required=True)
    p_pred.add_argument("--output", required=True)
    p_pred.add_argument("--text-col", default="text")
    p_pred.add_argument("--model", default=None, help="artifact path (default: the committed one)")
    return parser


def _out_dir(args: argparse.Namespace) -> Path:
    from models.sentiment.package import ARTIFACT_DIR

    return Path(args.out) if args.out else ARTIFACT_DIR


def _run_train(args: argparse.Namespace, work_dir: Path) -> None:
    from models.sentiment.train import (
        all_candidates,
        baseline_candidates,
        check_projection_pool,
        civic_candidates,
        default_candidates,
        train,
    )

    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    candidates = default_candidates()
    if names == ["civic"]:  # the civic experiment's grid: meaningless unless prepare put civic posts in the pool
        train_file = work_dir / "data" / "train.jsonl"
        if not any(e.source == "civic" for e in read_jsonl(train_file)):
            raise InputError(f"--candidates civic needs civic posts in {train_file}: run prepare --civic-train first")
        candidates = civic_candidates()
    elif names == ["baseline"]:  # the 2.0.0 recipe: n-gram features only
        candidates = baseline_candidates()
    elif names == ["projection"]:  # the name of the projection grid before it became the default
        candidates = default_candidates()
    elif names:
        known = {c.name: c for c in all_candidates()}
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise InputError(f"unknown candidates {unknown}; known: {sorted(known)}")
        candidates = [known[n] for n in dict.fromkeys(names)]
    try:
        pool = [e.text for name in ("train.jsonl", "dev.jsonl") if (work_dir / "data" / name).is_file()
                for e in read_jsonl(work_dir / "data" / name)]
        check_projection_pool(candidates, pool)
    except (ValueError, FileNotFoundError) as exc:
        raise InputError(str(exc)) from exc
    if args.folds < 2:
        raise InputError("--folds must be at least 2")
    result = train(work_dir, candidates, version=args.version, folds=args.folds, out=_out_dir(args),
                   log=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps({"selected": result["selected"], "model": result["model_path"]}))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one step; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.step == "predict":
            source, target = Path(args.input), Path(args.output)
            _format(target)
            frame = read_posts(source, args.text_col)
            write_posts(score_frame(frame, args.text_col, args.model), target)
            print(json.dumps({"rows": len(frame), "output": str(target)}))
            return 0
        work_dir = Path(args.work_dir)
        if args.step in ("prepare", "all"):
            summary = prepare(datasets_root(args.datasets_root), work_dir, args.dev_fraction, args.seed,
                              civic_train=args.civic_train, pseudo=args.pseudo, real_train=args.real_train)
            print(json.dumps(summary, sort_keys=True))
        if args.step in ("train", "all"):
            _run_train(args, work_dir)
        if args.step in ("evaluate", "all"):
            from models.sentiment.evaluate import HEADLINE_KEYS, OPTIONAL_HEADLINE_KEYS, evaluate

            model_path = Path(args.model) if getattr(args, "model", None) else None
            # --model alone evaluates that file without writing into the committed artifact folder
            out = None if model_path is not None and not args.out else _out_dir(args)
            metrics = evaluate(work_dir, model_path=model_path, throughput_posts=args.throughput_posts, out=out)
            print(json.dumps({k: {m: v.get(m) for m in ("accuracy", "macro_f1", "ece")}
                              for k, v in metrics["held_out"].items()}))
            print(json.dumps({k: metrics[k] for k in (*HEADLINE_KEYS, *OPTIONAL_HEADLINE_KEYS) if k in metrics}))
        if args.step in ("package", "all"):
            from models.sentiment.package import package

            card = package(work_dir, _out_dir(args))
            print(json.dumps({"artifact": card["artifact"], "version": card["version"]}))
        return 0
    except (InputError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
