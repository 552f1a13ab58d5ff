"""CLI: ``python -m models.topics prepare|train|evaluate|package|all|predict``.

``train``/``evaluate``/``package``/``all`` take ``--out DIR`` (default: the committed artifacts folder) so a
challenger can be trained and scored next to the champion; ``evaluate`` writes ``DIR/metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from models.topics.io import InputError, read_posts, texts_of, write_rows


def _predict(args: argparse.Namespace) -> int:
    from pathlib import Path

    from models.topics.predictor import TopicPredictor, load_predictor

    rows = read_posts(args.input, args.text_col)
    if not args.output.lower().endswith((".csv", ".jsonl", ".ndjson")):
        raise InputError(f"unsupported output extension for {args.output}; use .csv or .jsonl")
    predictor = TopicPredictor(Path(args.model_dir)) if args.model_dir else load_predictor()
    labels, proba = predictor.predict_many(texts_of(rows, args.text_col))
    out = []
    for row, topics, scores in zip(rows, labels, proba, strict=True):
        row = dict(row)
        row["topics"] = ";".join(topics)
        for topic, score in zip(predictor.labels, scores, strict=True):
            row[f"score_{topic}"] = round(float(score), 6)
        row["topic_taxonomy_version"] = predictor.taxonomy_version
        row["topic_model_version"] = predictor.model_version
        out.append(row)
    write_rows(out, args.output)
    print(f"scored {len(out)} posts -> {args.output}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.topics", description=__doc__)
    sub = parser.add_subparsers(dest="step", required=True)
    for step in ("prepare", "train", "evaluate", "package", "all"):
        p = sub.add_parser(step)
        p.add_argument("--datasets-root", default=None, help="raw datasets (default: env or ../shared/datasets)")
        p.add_argument("--work-dir", default=None, help="scratch dir (default: env or /tmp/civic_pulse_topics)")
        p.add_argument(
            "--extra-rounds",
            default=None,
            metavar="9,10,11",
            help="also train on these rounds of data/annotations_extra.jsonl (training posts only; the shipped model "
            "uses none, see docs/topics.md)",
        )
        if step != "prepare":
            p.add_argument(
                "--out",
                default=None,
                help="folder for the candidate artifact, metrics.json and model_card.json "
                "(default: the committed models/topics/artifacts)",
            )
        if step in ("evaluate", "all"):
            p.add_argument(
                "--version",
                default=None,
                help="model version written to metrics.json and the model card (default: the code's "
                "MODEL_VERSION; a challenger needs its own, the registry refuses a same-version promotion)",
            )
    p = sub.add_parser("predict", help="score a CSV/JSONL file")
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--text-col", default="text")
    p.add_argument("--model-dir", default=None, help="artifact folder to score with (default: the committed one)")
    args = parser.parse_args(argv)
    try:
        if args.step == "predict":
            return _predict(args)
        from models.topics import pipeline
        from models.topics.data import EXTRA_ROUNDS_ENV, parse_rounds

        if getattr(args, "extra_rounds", None):
            try:
                rounds = parse_rounds(args.extra_rounds)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            os.environ[EXTRA_ROUNDS_ENV] = ",".join(map(str, rounds))  # every step (and subprocess) reads the same rows
        work = pipeline.work_dir(args.work_dir)
        out = pipeline.out_dir(getattr(args, "out", None))
        result: object = None
        if args.step in ("prepare", "all"):
            result = pipeline.prepare(args.datasets_root, work)
        if args.step in ("train", "all"):
            result = pipeline.train(work, out)
        if args.step in ("evaluate", "all"):
            result = pipeline.evaluate(work, out, **({"version": args.version} if args.version else {}))
        if args.step in ("package", "all"):
            card = pipeline.package(work, out)
            result = {k: card[k] for k in ("version", "taxonomy_version", "sha256", "selected_variant")} | {
                "out": str(out),
                "headline": card["headline"],
            }
        print(json.dumps(result, indent=1, ensure_ascii=False, default=str)[:4000])
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
