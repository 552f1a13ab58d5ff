"""Labelled data: read the shared datasets, map labels to negative/neutral/positive, write splits.

Official test splits (LaRoSeDa test, SART val, RED test) are held out; a stratified dev split is
carved from the remaining training pool for model selection and calibration. Texts that also occur
in a held-out split are dropped from the pool so nothing leaks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.sentiment.text import clean_text, normalise_key

DATASETS_ENV = "CIVIC_PULSE_DATASETS_ROOT"
DEFAULT_DATASETS_ROOT = "../shared/datasets"
DEFAULT_WORK_DIR = "build/sentiment"
HELD_OUT = ("laroseda_test", "laroseda_test_content_only", "sart_val", "red_test", "civic_test",
            "real_comments_test", "real_comments_fresh_test")
# work dirs prepared before they existed still evaluate
OPTIONAL_HELD_OUT = ("civic_test", "real_comments_test", "real_comments_fresh_test")
CIVIC_FILE = Path(__file__).parent / "data" / "civic_posts.jsonl"
REAL_COMMENTS_FILE = Path(__file__).parent / "data" / "real_comments.jsonl"
REAL_TRAIN_FILE = Path(__file__).parent / "data" / "real_comments_train.jsonl"
REAL_FRESH_FILE = Path(__file__).parent / "data" / "real_comments_fresh.jsonl"  # 200 more held-out posts (2.4.0 check)
REAL_TRAIN_SOURCE = "real_train"  # real comments from the topics *training* split: pool rows (unless --no-real-train)
PSEUDO_FILE = Path(__file__).parent / "data" / "e5_pseudo_labels.jsonl"
PSEUDO_SOURCE = "pseudo"  # teacher-labelled posts (models/sentiment/distill.py): training only
TOPIC_ANNOTATIONS = Path(__file__).parents[1] / "topics" / "data" / "annotations.jsonl"
REAL_COMMENT_SOURCES = ("news_ro_offense", "roff", "hate_speech_ro")
SPLIT_FILES = ("train", "dev", *HELD_OUT)

SOURCES = {
    "laroseda": {"name": "LaRoSeDa (ancatache/LaRoSeDa)", "licence": "CC BY-NC-SA 4.0",
                 "domain": "product reviews", "labels": "starRating 1-2 negative, 4-5 positive"},
    "sart": {"name": "SART (Alegzandra/KES-2023)", "licence": "CC0 1.0", "domain": "tweets",
             "labels": "Label 0 negative, 1 neutral, 2 positive"},
    "red": {"name": "RED v1 (Alegzandra/RED-Romanian-Emotions-Dataset)", "licence": "MIT",
            "domain": "tweets", "labels": "Bucurie positive; Furie/Frica/Tristete negative; Neutru neutral"},
    "civic": {"name": "Civic Pulse civic-style posts (written for topics round 7, models/sentiment/data)",
              "licence": "CC0 1.0", "domain": "citizens' posts about public services",
              "labels": "hand-labelled negative / neutral / positive"},
    PSEUDO_SOURCE: {"name": "unlabelled news comments, ROFF tweets and referendum comments, labelled by the e5 + "
                            "n-gram teacher (models/sentiment/distill.py; ids and labels in models/sentiment/data)",
                    "licence": "texts under their sources' terms (news_ro_offense Apache-2.0; ROFF and hate_speech_ro "
                               "none stated, research use); not redistributed",
                    "domain": "citizens' comments and tweets", "labels": "teacher label, confidence >= 0.8"},
    "real_comments": {"name": "real comments and tweets about policy topics (held-out posts of the topics "
                              "annotations: news_ro_offense, ROFF, hate_speech_ro; models/sentiment/data)",
                      "licence": "texts under their sources' terms (news_ro_offense Apache-2.0; ROFF and "
                                 "hate_speech_ro none stated, research use); sentiment labels CC0 1.0",
                      "domain": "citizens' comments on local news, tweets, referendum comments",
                      "labels": "hand-labelled negative / neutral / positive; evaluation only"},
    REAL_TRAIN_SOURCE: {"name": "real comments and tweets about policy topics (training-split posts of the topics "
                                "annotations: news_ro_offense, ROFF, hate_speech_ro; models/sentiment/data)",
                        "licence": "texts under their sources' terms (news_ro_offense Apache-2.0; ROFF and "
                                   "hate_speech_ro none stated, research use); sentiment labels CC0 1.0",
                        "domain": "citizens' comments on local news, tweets, referendum comments",
                        "labels": "hand-labelled negative / neutral / positive, same rules as real_comments "
                                  "(1,000 posts: 300 since 2.4.0, 300 since 2.5.0 and 400 since 2.6.0, the last two "
                                  "rounds by two independent labelling sessions each, 155 of 160 double-labelled "
                                  "posts agreeing)"},
}
RED_LABELS = {"Bucurie": "positive", "Furie": "negative", "Frica": "negative", "Tristete": "negative",
              "Neutru": "neutral"}
SART_LABELS = {0: "negative", 1: "neutral", 2: "positive"}


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    id: str
    source: str
    text: str
    label: str


def datasets_root(explicit: str | None = None) -> Path:
    """``--datasets-root`` > ``$CIVIC_PULSE_DATASETS_ROOT`` > ``../shared/datasets``."""
    root = Path(explicit or os.environ.get(DATASETS_ENV) or DEFAULT_DATASETS_ROOT).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"datasets root {root} not found (set --datasets-root or ${DATASETS_ENV})")
    return root


def _laroseda_reviews(path: Path) -> list[dict[str, str]]:
    return json.loads(path.read_text(encoding="utf-8"))["reviews"]


def _laroseda_example(review: dict[str, str], with_title: bool = True) -> Example | None:
    stars = int(review["starRating"])
    if stars == 3:
        return None
    title = (review.get("title") or "").strip()
    content = (review.get("content") or "").strip()
    text = f"{title}. {content}" if title and with_title else content
    label = "negative" if stars <= 2 else "positive"
    return Example(f"laroseda:{review['index']}", "laroseda", clean_text(text), label)


def load_laroseda(root: Path, with_title: bool = True) -> tuple[list[Example], list[Example]]:
    """(train pool, official test). Title and content are joined as ``"title. content"``."""
    folder = root / "laroseda"
    test_reviews = _laroseda_reviews(folder / "laroseda_test.json")
    test_ids = {r["index"] for r in test_reviews}
    pool_reviews = _laroseda_reviews(folder / "negative_reviews.json") + _laroseda_reviews(
        folder / "positive_reviews.json")
    pool = [e for r in pool_reviews if r["index"] not in test_ids and (e := _laroseda_example(r))]
    test = [e for r in test_reviews if (e := _laroseda_example(r, with_title))]
    return pool, test


def _csv_examples(path: Path, source: str, split: str, text_col: str, label_col: str,
                  mapping: dict) -> list[Example]:
    frame = pd.read_csv(path)
    out = []
    for i, (text, raw) in enumerate(zip(frame[text_col], frame[label_col], strict=True)):
        label = mapping.get(raw)
        if label is None or not isinstance(text, str) or not text.strip():
            continue
        out.append(Example(f"{source}:{split}:{i}", source, clean_text(text), label))
    return out


def load_sart(root: Path) -> tuple[list[Example], list[Example]]:
    """(train, official validation)."""
    folder = root / "sart"
    return (_csv_examples(folder / "train.csv", "sart", "train", "text", "Label", SART_LABELS),
            _csv_examples(folder / "val.csv", "sart", "val", "text", "Label", SART_LABELS))


def load_red(root: Path) -> tuple[list[Example], list[Example]]:
    """(train + val, official test), five emotions collapsed to three sentiments."""
    folder = root / "red_v1"
    pool = [e for split in ("train", "val")
            for e in _csv_examples(folder / f"{split}.csv", "red", split, "Tweet", "Emotion", RED_LABELS)]
    return pool, _csv_examples(folder / "test.csv", "red", "test", "Tweet", "Emotion", RED_LABELS)


def load_civic(path: Path = CIVIC_FILE) -> tuple[list[Example], list[Example]]:
    """The committed civic-style posts: (training pool, held-out test)."""
    pool: list[Example] = []
    test: list[Example] = []
    for n, row in _labelled_rows(path):
        if row.get("split") not in ("train", "test"):
            raise ValueError(f"{path}:{n}: split must be train/test, got {row.get('split')!r}")
        example = Example(f"civic:{row['id']}", "civic", row["text"], row["label"])
        (test if row["split"] == "test" else pool).append(example)
    return pool, test


def load_real_comments(path: Path = REAL_COMMENTS_FILE, annotations: Path = TOPIC_ANNOTATIONS,
                       split: str = "test") -> list[Example]:
    """Real posts with sentiment labels; texts come from the topics annotations.

    ``split="test"`` (default, :data:`REAL_COMMENTS_FILE`): the topics model's held-out posts, evaluation only,
    source ``real_comments``. ``split="train"`` (:data:`REAL_TRAIN_FILE`): posts of the topics training split,
    source :data:`REAL_TRAIN_SOURCE`, which ``prepare --real-train`` puts in the pool. A row whose post is in
    the other split is refused, so the two sets can never overlap."""
    if split not in ("test", "train"):
        raise ValueError(f"split must be 'test' or 'train', got {split!r}")
    source = "real_comments" if split == "test" else REAL_TRAIN_SOURCE
    texts: dict[str, tuple[str, str]] = {}
    with annotations.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts[row["id"]] = (row["text"], row["split"])
    out: list[Example] = []
    for n, row in _labelled_rows(path):
        if row.get("id") not in texts:
            raise ValueError(f"{path}:{n}: id {row.get('id')!r} is not in {annotations}")
        text, post_split = texts[row["id"]]
        if post_split != split or row.get("source") not in REAL_COMMENT_SOURCES:
            raise ValueError(f"{path}:{n}: {row['id']} must be a {split!r} real post of "
                             f"{'/'.join(REAL_COMMENT_SOURCES)}, got split {post_split!r}, source {row.get('source')!r}")
        out.append(Example(f"real:{row['id']}", source, text, row["label"]))
    return out


def load_pseudo(root: Path, path: Path = PSEUDO_FILE) -> list[Example]:
    """The committed teacher labels, texts resolved from the raw datasets by id (ids missing there are an error)."""
    from models.topics.sources import read_all

    texts = {f"{p.source}:{p.source_id}": p.text for posts in read_all(root).values() for p in posts}
    out: list[Example] = []
    for n, row in _labelled_rows(path):
        text = texts.get(str(row.get("id")))
        if text is None:
            raise ValueError(f"{path}:{n}: id {row.get('id')!r} is not in the datasets under {root}")
        out.append(Example(row["id"], PSEUDO_SOURCE, text, row["label"]))
    return out


def _labelled_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a JSON-lines file whose rows carry a sentiment ``label``; a bad label is an error."""
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            row = json.loads(line)
            if row.get("label") not in ("negative", "neutral", "positive"):
                raise ValueError(f"{path}:{n}: label must be negative/neutral/positive, got {row.get('label')!r}")
            yield n, row


def _dedupe(examples: Iterable[Example], banned: set[str]) -> list[Example]:
    """Drop texts seen in ``banned`` or already kept (first occurrence wins)."""
    seen = set(banned)
    out = []
    for example in examples:
        key = normalise_key(example.text)
        if key and key not in seen:
            seen.add(key)
            out.append(example)
    return out


def stratified_dev(pool: list[Example], fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Split ``pool`` into (train, dev), stratified by (source, label)."""
    rng = np.random.default_rng(seed)
    groups: dict[tuple[str, str], list[Example]] = {}
    for example in pool:
        groups.setdefault((example.source, example.label), []).append(example)
    train: list[Example] = []
    dev: list[Example] = []
    for key in sorted(groups):
        items = groups[key]
        order = rng.permutation(len(items))
        n_dev = int(round(len(items) * fraction))
        dev.extend(items[i] for i in order[:n_dev])
        train.extend(items[i] for i in order[n_dev:])
    return train, dev


def build_splits(root: Path, dev_fraction: float = 0.1, seed: int = 13,
                 civic_train: bool = False, pseudo: bool = False, real_train: bool = True) -> dict[str, list[Example]]:
    """All splits: train, dev and the held-out test splits (the official ones, the civic posts' test part and
    the real comments).

    ``civic_train`` also puts the civic posts' training part in the pool; ``pseudo`` adds the committed
    teacher-labelled posts after the gold ones (a text already in the pool or held out is dropped). Both are
    experiments, off for the shipped recipe. ``real_train`` (on in the shipped recipe since 2.4.0) adds the 1,000
    labelled real comments of the topics training split (:data:`REAL_TRAIN_FILE`)."""
    lar_pool, lar_test = load_laroseda(root)
    sart_pool, sart_val = load_sart(root)
    red_pool, red_test = load_red(root)
    civic_pool, civic_test = load_civic()
    real_comments = load_real_comments()
    real_fresh = load_real_comments(REAL_FRESH_FILE)
    _, lar_content = load_laroseda(root, with_title=False)
    held = {"laroseda_test": lar_test, "laroseda_test_content_only": lar_content, "sart_val": sart_val,
            "red_test": red_test, "civic_test": civic_test, "real_comments_test": real_comments,
            "real_comments_fresh_test": real_fresh}
    held_keys = {normalise_key(e.text) for split in held.values() for e in split}
    pool = _dedupe([*lar_pool, *sart_pool, *red_pool, *(civic_pool if civic_train else []),
                    *(load_real_comments(REAL_TRAIN_FILE, split="train") if real_train else []),
                    *(load_pseudo(root) if pseudo else [])], held_keys)
    train, dev = stratified_dev(pool, dev_fraction, seed)
    return {"train": train, "dev": dev, **held}


def write_jsonl(path: Path, examples: Iterable[Example]) -> int:
    """Write examples as JSON lines; returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(asdict(example), ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: Path) -> list[Example]:
    """Read examples written by :func:`write_jsonl`."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `python -m models.sentiment prepare` first")
    with path.open(encoding="utf-8") as handle:
        return [Example(**json.loads(line)) for line in handle if line.strip()]


def iter_split_paths(work_dir: Path) -> Iterator[tuple[str, Path]]:
    """(split name, path) for every split file in ``work_dir``."""
    for name in SPLIT_FILES:
        yield name, work_dir / "data" / f"{name}.jsonl"


def prepare(root: Path, work_dir: Path, dev_fraction: float = 0.1, seed: int = 13,
            civic_train: bool = False, pseudo: bool = False, real_train: bool = True) -> dict[str, dict]:
    """Write all splits to ``work_dir/data`` and return their label counts per source."""
    splits = build_splits(root, dev_fraction, seed, civic_train, pseudo, real_train)
    summary: dict[str, dict] = {}
    for name, path in iter_split_paths(work_dir):
        write_jsonl(path, splits[name])
        counts: dict[str, dict[str, int]] = {}
        for example in splits[name]:
            counts.setdefault(example.source, {}).setdefault(example.label, 0)
            counts[example.source][example.label] += 1
        summary[name] = counts
    (work_dir / "data" / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True))
    return summary
