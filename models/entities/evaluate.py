"""Precision/recall of institution and county extraction against the annotated posts."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from models.entities.extract import default_extractor
from models.topics.data import Example, load_annotations

CARD = Path(__file__).parent / "data" / "entities_card.json"
BLIND_MENTIONS = Path(__file__).parent / "data" / "blind_mentions.jsonl"
BLIND_CIVIC = Path(__file__).parent / "data" / "blind_civic_posts.jsonl"
BLIND_CIVIC_SETS = ("E1", "E2", "E3")


def blind_mentions(path: Path = BLIND_MENTIONS) -> list[Example]:
    """60 written posts naming institutions in varied forms, labelled before gazetteer 1.1.0 was run on them."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Example(f"blind:{n}", r["text"], [], "blind", "synthetic", True, r["institutions"], r["county"])
            for n, r in enumerate(rows)]


def blind_civic_posts(path: Path = BLIND_CIVIC) -> dict[str, list[Example]]:
    """The 880 round-11 written civic posts with institution / county labels by six blind sessions, by set: E1
    (300, read to write gazetteer 1.2.0's first fixes), E2 (300, scored before and after them, then read for
    the second fixes), E3 (280, labelled after the fixes and scored once). Texts come from the topic rows."""
    from models.topics.data import EXTRA_ANNOTATIONS

    texts = {}
    with open(EXTRA_ANNOTATIONS, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts[row["id"]] = row["text"]
    out: dict[str, list[Example]] = {s: [] for s in BLIND_CIVIC_SETS}
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        r = json.loads(line)
        if r["set"] not in out or r["id"] not in texts:
            raise ValueError(f"{path}:{n}: unknown set {r['set']!r} or post id {r['id']!r}")
        if r["id"] in seen:  # a post counted twice would weigh twice in the figures
            raise ValueError(f"{path}:{n}: post {r['id']!r} is labelled twice")
        seen.add(r["id"])
        out[r["set"]].append(Example(r["id"], texts[r["id"]], [], "blind", "synthetic", True, r["institutions"],
                                     r["county"]))
    return out


def _pr(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def score(examples: list[Example]) -> dict[str, Any]:
    """Institution P/R (over post x institution id pairs) and county P/R (one county per post)."""
    ex = default_extractor()
    itp = ifp = ifn = ctp = cfp = cfn = 0
    errors: list[dict[str, Any]] = []
    for e in examples:
        out = ex.extract(e.text)
        pred = {i["id"] for i in out["institutions"]}
        gold = set(e.institutions)
        itp += len(pred & gold)
        ifp += len(pred - gold)
        ifn += len(gold - pred)
        if out["county"] is not None and out["county"] == e.county:
            ctp += 1
        else:
            cfp += out["county"] is not None
            cfn += e.county is not None
        if pred != gold or out["county"] != e.county:
            errors.append({"id": e.id, "gold": [sorted(gold), e.county], "pred": [sorted(pred), out["county"]]})
    return {
        "posts": len(examples),
        "posts_with_institutions": sum(bool(e.institutions) for e in examples),
        "posts_with_county": sum(e.county is not None for e in examples),
        "institutions": _pr(itp, ifp, ifn),
        "county": _pr(ctp, cfp, cfn),
        "errors": errors,
    }


def throughput(texts: list[str], n: int = 4000, repeats: int = 3) -> float:
    """Single-process posts/s of ``extract`` (best of ``repeats`` runs on a shared machine)."""
    ex = default_extractor()
    batch = (texts * (n // max(len(texts), 1) + 1))[:n]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in batch:
            ex.extract(t)
        best = min(best, time.perf_counter() - t0)
    return round(n / best, 1)


def evaluate(write_card: bool = True) -> dict[str, Any]:
    """Score the real held-out test split (and the real training split) and write the entities card."""
    # topic-only rounds carry no institution / county labels: they are not entity gold
    examples = [e for e in load_annotations() if not e.synthetic and e.entities_annotated]
    test = score([e for e in examples if e.split == "test"])
    train = score([e for e in examples if e.split == "train"])
    ex = default_extractor()
    card = {
        "component": "civic-pulse institutions & places extractor",
        "gazetteer_version": ex.version,
        "institutions_in_gazetteer": len(ex.institutions),
        "places": "41 counties + Bucharest (ISO 3166-2:RO); SIRUTA localities via sirutalib 1.3.0",
        "evaluation_data": "institution ids and county codes annotated on the real posts of "
        "models/topics/data/annotations.jsonl (test = held-out split)",
        "test": {k: v for k, v in test.items() if k != "errors"},
        "train": {k: v for k, v in train.items() if k != "errors"},
        "blind_written_mentions": {
            "what": "models/entities/data/blind_mentions.jsonl: 60 written posts naming institutions in varied forms "
            "(oblique cases, county services, utilities, foreign bodies), labelled before gazetteer 1.1.0 was run "
            "on them. The blind measurement and gazetteer 1.0.0's figures are in docs/topics.md; one false "
            "positive found then was fixed, so the figures below, computed now, are no longer blind",
            **{k: v for k, v in score(blind_mentions()).items() if k != "errors"},
        },
        "blind_civic_posts": {
            "what": "models/entities/data/blind_civic_posts.jsonl: the 880 round-11 civic posts written by blind "
            "sessions (not by the rules' author), labelled by six more blind sessions that never saw the "
            "extractor. E1 was read to write gazetteer 1.2.0's fixes, E2 was scored before and after them and then "
            "read for a second set of fixes, E3 was labelled after all fixes and scored once: E3 is the blind "
            "figure. Gazetteer 1.1.0's figures and the protocol are in docs/topics.md",
            **{name: {k: v for k, v in score(rows).items() if k != "errors"}
               for name, rows in blind_civic_posts().items()},
        },
        "throughput_posts_per_s_single_process": throughput([e.text for e in examples]),
    }
    if write_card:
        CARD.write_text(json.dumps(card, indent=1, ensure_ascii=False), encoding="utf-8")
    card["test_errors"] = test["errors"]
    card["train_errors"] = train["errors"]
    return card
