"""Readers for the shared raw datasets used as annotation sources (never copied into the project)."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATASETS_ROOT = "../shared/datasets"

LICENCES: dict[str, str] = {
    "news_ro_offense": "Apache-2.0 (readerbench/news-ro-offense)",
    "roff": "none stated (guzimanis/ROFF); research use, text kept only for annotation",
    "hate_speech_ro": "none stated (andra-pumnea/hate-speech-ro); research use, text kept only for annotation",
    "red_v1": "MIT (Alegzandra/RED-Romanian-Emotions-Dataset)",
    "sart": "CC0 1.0 (Alegzandra/KES-2023 SART)",
    "synthetic": "CC0 1.0 (written by the Civic Pulse annotators)",
}


@dataclass(frozen=True)
class RawPost:
    """One post read from a source dataset: stable id within the source and its text."""

    source: str
    source_id: str
    text: str


def datasets_root(explicit: str | None = None) -> Path:
    """Resolve the datasets root: argument, then ``CIVIC_PULSE_DATASETS_ROOT``, then the default."""
    return Path(explicit or os.environ.get("CIVIC_PULSE_DATASETS_ROOT") or DEFAULT_DATASETS_ROOT)


def _clean(text: str) -> str:
    return " ".join(text.split())


def read_news_comments(root: Path) -> Iterator[RawPost]:
    """Comments under Cluj local news (``comment_id`` is the id)."""
    with open(root / "news_ro_offense" / "comments.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield RawPost("news_ro_offense", row["comment_id"], _clean(row["comment_text"]))


def read_roff(root: Path) -> Iterator[RawPost]:
    """ROFF tweets (March 2020); ``id`` is the row position in the source file."""
    with open(root / "roff" / "roff.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield RawPost("roff", row["id"], _clean(row["Tweet"]))


def read_hate_speech(root: Path) -> Iterator[RawPost]:
    """2018 family-referendum comments (``;``-separated, first column is the row id)."""
    with open(root / "hate_speech_ro" / "hate-speech-labeled-corrected.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        next(reader, None)
        for row in reader:
            if len(row) >= 2:
                yield RawPost("hate_speech_ro", row[0], _clean(row[1]))


def read_red(root: Path) -> Iterator[RawPost]:
    """REDv1 emotion tweets, train split only (id = ``train:<row>``)."""
    with open(root / "red_v1" / "train.csv", encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            yield RawPost("red_v1", f"train:{i}", _clean(row["Tweet"]))


def read_sart(root: Path) -> Iterator[RawPost]:
    """SART sentiment tweets, train split only (id = ``train:<row>``)."""
    with open(root / "sart" / "train.csv", encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            yield RawPost("sart", f"train:{i}", _clean(row["text"]))


READERS = {
    "news_ro_offense": read_news_comments,
    "roff": read_roff,
    "hate_speech_ro": read_hate_speech,
    "red_v1": read_red,
    "sart": read_sart,
}


def read_all(root: Path) -> dict[str, list[RawPost]]:
    """All posts of every source, keyed by source name."""
    return {name: list(reader(root)) for name, reader in READERS.items()}


def dump_jsonl(rows: Sequence[Mapping[str, object]], path: Path) -> None:
    """Write rows as UTF-8 JSON lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
