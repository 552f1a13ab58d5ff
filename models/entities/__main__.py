"""CLI: ``python -m models.entities extract --input posts.csv --text-col text --output out.jsonl`` and ``evaluate``."""

from __future__ import annotations

import argparse
import json
import sys

from models.topics.io import InputError, read_posts, texts_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.entities", description=__doc__)
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("extract", help="one JSON object per post: institutions, county, locality")
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True, help=".jsonl output")
    p.add_argument("--text-col", default="text")
    p.add_argument("--id-col", default=None, help="optional column copied into each output object")
    sub.add_parser("evaluate", help="P/R on the annotated posts; writes data/entities_card.json")
    sub.add_parser("build", help="regenerate data/institutions.json from SIRUTA + curated lists")
    args = parser.parse_args(argv)
    try:
        if args.step == "build":
            from models.entities import build_gazetteer

            build_gazetteer.main()
            build_gazetteer.write_common()
            return 0
        if args.step == "evaluate":
            from models.entities.evaluate import evaluate

            card = evaluate()
            print(json.dumps({k: card[k] for k in ("test", "train", "throughput_posts_per_s_single_process")},
                             indent=1))
            return 0
        if not args.output.lower().endswith((".jsonl", ".ndjson")):
            raise InputError(f"unsupported output extension for {args.output}; use .jsonl")
        rows = read_posts(args.input, args.text_col)
        from models.entities.extract import default_extractor

        ex = default_extractor()
        with open(args.output, "w", encoding="utf-8") as fh:
            for row, text in zip(rows, texts_of(rows, args.text_col), strict=True):
                out = ex.extract(text)
                if args.id_col:
                    out = {args.id_col: row.get(args.id_col), **out}
                fh.write(json.dumps(out, ensure_ascii=False) + "\n")
        print(f"extracted {len(rows)} posts -> {args.output}", file=sys.stderr)
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
