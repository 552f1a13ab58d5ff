"""Sentiment model: normalisation, committed artifact, in-process API, CLI, and a tiny training run."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.sentiment import DEFAULT_MODEL_PATH, LABELS, MODEL_VERSION, load_model, predict_texts
from models.sentiment.cli import main
from models.sentiment.data import Example, write_jsonl
from models.sentiment.evaluate import HEADLINE_KEYS
from models.sentiment.hashing import char_ngram_counts
from models.sentiment.package import sha256_of
from models.sentiment.text import analyse, clean_text, normalise_key, strip_diacritics

ROOT = Path(__file__).resolve().parents[1]
CARD = DEFAULT_MODEL_PATH.parent / "model_card.json"

POSITIVE = [
    "Mulțumim primăriei, parcul nou este minunat și foarte curat! 😍",
    "Multumim primariei, parcul nou este minunat si foarte curat!",
    "Super tare, recomand cu drag, sunt foarte mulțumit :)",
    "Bravo, o inițiativă excelentă, felicitări echipei!",
]
NEGATIVE = [
    "Este groaznic, o bătaie de joc, nimic nu funcționează 😡",
    "Este groaznic, o bataie de joc, nimic nu functioneaza",
    "Rușine! Aceeași mizerie și aceleași promisiuni mincinoase.",
    "Nu recomand, calitate slabă, am fost foarte dezamăgit :(",
]


def test_clean_text_fixes_cedillas_and_html() -> None:
    assert clean_text("Şcoala   ţine &amp; e bună") == "Școala ține & e bună"
    assert strip_diacritics("școală țară în") == "scoala tara in"
    assert clean_text(None) == ""


def test_normalise_key_maps_placeholders_links_and_emoji() -> None:
    key = normalise_key("Sună la <PHONE>, <cnp> și <IBAN> sau https://x.ro @ion #Cluj 👍 :(")
    for token in ("xxphone", "xxcnp", "xxiban", "xxurl", "xxuser", "xxhash cluj", "xxemopos", "xxemoneg"):
        assert token in key
    assert "ș" not in key and "https" not in key
    assert normalise_key("zi lunga <|EMAIL|> Mall") == "zi lunga xxemail mall"


def test_negation_scope_marks_following_tokens() -> None:
    assert analyse("Nu e rău deloc, dar e scump").words.split()[:3] == ["nu", "neg_e", "neg_rau"]
    assert "scump" in analyse("Nu e rău deloc, dar e scump").words.split()
    assert analyse("n-a mers").words == "nu neg_a neg_mers"
    assert analyse("nuuuu e bine").words == "nu neg_e neg_bine"
    assert analyse("e bine").words == "e bine"


def test_polarity_tokens_flip_in_negation_scope() -> None:
    assert analyse("Nu e rău", polarity=True).words.split()[-1] == "xxpolpos"
    assert analyse("e rău", polarity=True).words.split()[-1] == "xxpolneg"
    assert analyse("nu e bun", polarity=True).words.split()[-1] == "xxpolneg"
    flipped = analyse("nu e rău, dar e scump", polarity=True)
    assert "rau" not in flipped.chars.split() and "scump" in flipped.chars
    assert analyse("e rău", polarity=False).words == "e rau"


def test_signal_detection() -> None:
    assert not analyse("<URL> <USER>").has_signal
    assert not analyse("").has_signal
    assert analyse("😡").has_signal
    assert analyse("bine").has_signal


def test_char_ngram_counts_are_exact_and_deterministic() -> None:
    matrix = char_ngram_counts(["abc", "", "ab ab"], (1, 3), 1 << 16)
    # " abc " -> 5 + 4 + 3 grams; "  " -> 2 + 1; " ab ab " -> 7 + 6 + 5
    assert matrix.sum(axis=1).A.ravel().tolist() == [12.0, 3.0, 18.0]
    again = char_ngram_counts(["abc", "", "ab ab"], (1, 3), 1 << 16)
    assert (matrix != again).nnz == 0
    assert char_ngram_counts([], (2, 4), 8).shape == (0, 8)


def test_artifact_matches_model_card() -> None:
    card = json.loads(CARD.read_text())
    assert card["artifact"]["sha256"] == sha256_of(DEFAULT_MODEL_PATH)
    assert DEFAULT_MODEL_PATH.stat().st_size < 50 * 1024 * 1024
    assert card["version"] == MODEL_VERSION == load_model().version
    assert card["labels"] == list(LABELS)
    assert "CC BY-NC-SA" in card["licence"]
    assert card["held_out_metrics"]["laroseda_test"]["accuracy"] > 0.9
    # the metrics JSON next to the artifact (read by models/registry.py) describes this very file
    metrics = json.loads((DEFAULT_MODEL_PATH.parent / "metrics.json").read_text())
    assert metrics["artifact_sha256"] == card["artifact"]["sha256"]
    assert metrics["model_version"] == MODEL_VERSION
    for key in HEADLINE_KEYS:
        assert isinstance(metrics[key], float) and card["headline_metrics"][key] == metrics[key]
    assert metrics["laroseda_test_accuracy"] == card["held_out_metrics"]["laroseda_test"]["accuracy"]
    assert metrics["sart_val_macro_f1"] == card["held_out_metrics"]["sart_val"]["macro_f1"]


def test_civic_posts_are_split_and_never_cross_into_training() -> None:
    from models.sentiment.data import load_civic
    from models.sentiment.text import normalise_key

    pool, test = load_civic()
    assert len(pool) == 268 and len(test) == 109
    assert {e.label for e in pool} == {e.label for e in test} == set(LABELS)
    assert all(e.source == "civic" for e in pool + test)
    assert not {normalise_key(e.text) for e in pool} & {normalise_key(e.text) for e in test}
    # the same posts as topics round 7 (their sentiment labels live here): same text, same side of the split
    from models.topics.data import load_annotations

    topics = {r.id: r for r in load_annotations()}
    for examples, split in ((pool, "train"), (test, "test_synthetic")):
        for e in examples:
            row = topics[e.id.removeprefix("civic:")]
            assert row.text == e.text and row.split == split, e.id


def test_civic_posts_with_a_bad_label_are_refused(tmp_path: Path) -> None:
    from models.sentiment.data import load_civic

    bad = tmp_path / "civic.jsonl"
    bad.write_text('{"id": "x", "text": "t", "label": "positive", "split": "train"}\n'
                   '{"id": "y", "text": "u", "label": "angry", "split": "test"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"civic.jsonl:2: label"):
        load_civic(bad)
    bad.write_text('{"id": "x", "text": "t", "label": "positive", "split": "dev"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"civic.jsonl:1: split must be train/test"):
        load_civic(bad)


def test_real_comments_are_held_out_real_posts_of_the_topics_test_split() -> None:
    from models.sentiment.data import REAL_COMMENT_SOURCES, load_civic, load_real_comments
    from models.sentiment.text import normalise_key
    from models.topics.data import load_annotations

    real = load_real_comments()
    assert len(real) == 264 and len({e.id for e in real}) == 264
    assert {e.label for e in real} == set(LABELS) and all(e.source == "real_comments" for e in real)
    topics = {r.id: r for r in load_annotations()}
    for e in real:
        row = topics[e.id.removeprefix("real:")]
        assert row.text == e.text and row.split == "test" and not row.synthetic, e.id
        assert row.source in REAL_COMMENT_SOURCES and row.labels, e.id  # a post about a policy topic
    # none of them is a civic training post (the only project-made training data)
    pool, _ = load_civic()
    assert not {normalise_key(e.text) for e in pool} & {normalise_key(e.text) for e in real}


@pytest.mark.parametrize(("row", "message"), [
    ('{"id": "roff:1", "source": "roff", "label": "furious"}', "label must be"),
    ('{"id": "roff:nope", "source": "roff", "label": "negative"}', "is not in"),
    ('{"id": "roff:2", "source": "roff", "label": "negative"}', "must be a 'test' real post"),
])
def test_real_comments_refuse_bad_rows(tmp_path: Path, row: str, message: str) -> None:
    from models.sentiment.data import load_real_comments

    annotations = tmp_path / "annotations.jsonl"
    annotations.write_text('{"id": "roff:1", "text": "a", "split": "test"}\n'
                           '{"id": "roff:2", "text": "b", "split": "train"}\n', encoding="utf-8")
    path = tmp_path / "real.jsonl"
    path.write_text('{"id": "roff:1", "source": "roff", "label": "neutral"}\n' + row + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"real.jsonl:2: .*{message}"):
        load_real_comments(path, annotations)


def test_real_training_comments_come_from_the_topics_training_split_only() -> None:
    """The 1,000 real training comments: topics *train* posts, never a held-out text, in the pool by default."""
    from models.sentiment.data import REAL_TRAIN_FILE, REAL_TRAIN_SOURCE, load_real_comments
    from models.sentiment.text import normalise_key
    from models.topics.data import load_annotations

    train = load_real_comments(REAL_TRAIN_FILE, split="train")
    assert len(train) == 1000 and len({e.id for e in train}) == 1000
    assert {e.label for e in train} == set(LABELS) and all(e.source == REAL_TRAIN_SOURCE for e in train)
    topics = {r.id: r for r in load_annotations()}
    assert all(topics[e.id.removeprefix("real:")].split == "train" for e in train)
    held = {normalise_key(r.text) for r in topics.values() if r.split != "train"}
    assert not {normalise_key(e.text) for e in train} & held
    with pytest.raises(ValueError, match="must be a 'test' real post"):
        load_real_comments(REAL_TRAIN_FILE)  # the training file is not a test set
    with pytest.raises(ValueError, match="split must be"):
        load_real_comments(REAL_TRAIN_FILE, split="dev")


def test_civic_grid_needs_civic_posts_in_the_pool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(2)
    write_jsonl(tmp_path / "data" / "train.jsonl", _synthetic("sart", 30, rng, ("negative", "neutral", "positive")))
    assert main(["train", "--work-dir", str(tmp_path), "--out", str(tmp_path / "a"), "--candidates", "civic"]) == 2
    assert "prepare --civic-train" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "expected"), [*((t, "positive") for t in POSITIVE),
                                                *((t, "negative") for t in NEGATIVE)])
def test_clear_cut_examples(text: str, expected: str) -> None:
    labels, probs = predict_texts([text])
    assert labels == [expected], (text, probs)


def test_negation_flips_towards_negative() -> None:
    _, probs = predict_texts(["Serviciul este bun și funcționează",
                              "Serviciul nu este bun și nu funcționează"])
    assert probs[0, 2] > probs[1, 2]
    assert probs[1, 0] > probs[0, 0]
    assert probs[1].argmax() == 0


@pytest.mark.parametrize(("text", "expected"), [("Nu e rău", "positive"), ("nu e rau deloc", "positive"),
                                                ("nu e bun", "negative"), ("n-a mers nimic", "negative"),
                                                ("Nu recomand", "negative")])
def test_negation_examples(text: str, expected: str) -> None:
    assert predict_texts([text])[0] == [expected]


def test_probabilities_valid_and_deterministic() -> None:
    texts = [*POSITIVE, *NEGATIVE, "Ședința consiliului local are loc joi la ora 10.", "", "<URL>", None,
             "ok"]
    labels, probs = predict_texts(texts)
    assert probs.shape == (len(texts), 3)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert (probs >= 0).all()
    assert labels == [LABELS[i] for i in probs.argmax(axis=1)]
    labels2, probs2 = predict_texts(list(texts))
    assert labels2 == labels and np.array_equal(probs, probs2)
    assert labels[texts.index("<URL>")] == "neutral" and labels[texts.index("")] == "neutral"
    assert predict_texts([])[1].shape == (0, 3)


def test_cli_predict_csv_and_jsonl(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["007", "2"], "body": [POSITIVE[0], NEGATIVE[0]]})
    frame.to_csv(tmp_path / "posts.csv", index=False)
    assert main(["predict", "--input", str(tmp_path / "posts.csv"), "--text-col", "body",
                 "--output", str(tmp_path / "scored.jsonl")]) == 0
    scored = pd.read_json(tmp_path / "scored.jsonl", lines=True, dtype=False)
    assert list(scored.columns) == ["id", "body", "sentiment", "p_negative", "p_neutral", "p_positive"]
    assert scored["id"].tolist() == ["007", "2"]
    assert scored["sentiment"].tolist() == ["positive", "negative"]

    scored.drop(columns=["sentiment", "p_negative", "p_neutral", "p_positive"]).to_json(
        tmp_path / "posts.jsonl", orient="records", lines=True, force_ascii=False)
    result = subprocess.run(
        [sys.executable, "-m", "models.sentiment", "predict", "--input", str(tmp_path / "posts.jsonl"),
         "--text-col", "body", "--output", str(tmp_path / "scored.csv")],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "scored.csv")
    assert out["sentiment"].tolist() == ["positive", "negative"]
    assert np.allclose(out[["p_negative", "p_neutral", "p_positive"]].sum(axis=1), 1.0, atol=1e-5)


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    posts = tmp_path / "posts.csv"
    pd.DataFrame({"text": ["bine"]}).to_csv(posts, index=False)
    out = str(tmp_path / "out.csv")
    assert main(["predict", "--input", str(posts), "--text-col", "mesaj", "--output", out]) == 2
    assert "column 'mesaj' not found" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["predict", "--input", str(empty), "--output", out]) == 2
    assert "empty" in capsys.readouterr().err
    header_only = tmp_path / "header.csv"
    header_only.write_text("text\n")
    assert main(["predict", "--input", str(header_only), "--output", out]) == 2
    assert "no rows" in capsys.readouterr().err
    assert main(["predict", "--input", str(tmp_path / "posts.txt"), "--output", out]) == 2
    assert "unknown extension" in capsys.readouterr().err
    assert main(["predict", "--input", str(posts), "--output", str(tmp_path / "out.parquet")]) == 2
    assert main(["predict", "--input", str(tmp_path / "missing.csv"), "--output", out]) == 2
    assert not Path(out).exists()


def _synthetic(source: str, n: int, rng: np.random.Generator, labels: tuple[str, ...]) -> list[Example]:
    words = {"positive": ["minunat", "excelent", "bravo", "super"],
             "negative": ["groaznic", "rusine", "mizerie", "jale"],
             "neutral": ["sedinta", "joi", "anunt", "program"]}
    filler = ["primaria", "strada", "azi", "orasul", "noi", "parcul"]
    out = []
    for i in range(n):
        label = labels[i % len(labels)]
        tokens = [*rng.choice(words[label], 2), *rng.choice(filler, 3)]
        out.append(Example(f"{source}:{i}", source, " ".join(tokens), label))
    return out


def test_train_and_evaluate_on_synthetic_data(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    three = ("negative", "neutral", "positive")
    binary = ("negative", "positive")
    splits = {
        "train": [*_synthetic("laroseda", 60, rng, binary), *_synthetic("sart", 60, rng, three),
                  *_synthetic("red", 60, rng, three), *_synthetic("civic", 30, rng, three),
                  *_synthetic("pseudo", 30, rng, three)],
        "dev": [*_synthetic("laroseda", 20, rng, binary), *_synthetic("sart", 21, rng, three),
                *_synthetic("red", 21, rng, three)],
        "laroseda_test": _synthetic("laroseda", 20, rng, ("negative", "positive")),
        "laroseda_test_content_only": _synthetic("laroseda", 20, rng, ("negative", "positive")),
        "sart_val": _synthetic("sart", 30, rng, three),
        "red_test": _synthetic("red", 30, rng, three),
        "civic_test": _synthetic("civic", 30, rng, three),
        "real_comments_test": _synthetic("real_comments", 30, rng, three),
        "real_comments_fresh_test": _synthetic("real_comments", 20, rng, three),
    }
    for name, examples in splits.items():
        write_jsonl(tmp_path / "data" / f"{name}.jsonl", examples)
    work = str(tmp_path)
    artifacts = tmp_path / "artifacts"
    champion = sha256_of(DEFAULT_MODEL_PATH)
    assert main(["train", "--work-dir", work, "--out", str(artifacts), "--candidates",
                 "heads_nbsvm_R0.3_S0.3,svc_word+char_neg_C0.3", "--folds", "2", "--version", "test-0"]) == 0
    assert sha256_of(DEFAULT_MODEL_PATH) == champion  # --out leaves the committed champion alone
    comparison = json.loads((tmp_path / "comparison.json").read_text())
    assert [r["candidate"]["name"] for r in comparison["candidates"]] == ["heads_nbsvm_R0.3_S0.3",
                                                                         "svc_word+char_neg_C0.3"]
    assert all(0 <= r["cv"]["sart_macro_f1"] <= 1 for r in comparison["candidates"])
    assert all(0 <= r["cv"]["civic_macro_f1"] <= 1 for r in comparison["candidates"])
    assert (artifacts / "sentiment.npz").is_file()
    assert main(["package", "--work-dir", work, "--out", str(artifacts)]) == 2  # not evaluated yet
    assert main(["evaluate", "--work-dir", work, "--out", str(artifacts), "--throughput-posts", "200"]) == 0
    metrics = json.loads((artifacts / "metrics.json").read_text())
    assert metrics == json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["model_version"] == "test-0"
    assert set(HEADLINE_KEYS) <= set(metrics)
    assert metrics["sart_val_macro_f1"] == metrics["held_out"]["sart_val"]["macro_f1"] > 0.9
    assert metrics["laroseda_test_accuracy"] == metrics["held_out"]["laroseda_test"]["accuracy"]
    assert metrics["posts_per_second_per_core"] == metrics["throughput_social_posts"]["posts_per_cpu_second"] > 0
    assert metrics["targets"]["sart_val_macro_f1"]["met"] == (metrics["sart_val_macro_f1"] >= 0.82)
    assert metrics["real_comments_fresh_test_accuracy"] == metrics["held_out"]["real_comments_fresh_test"]["accuracy"]
    assert metrics["held_out"]["real_comments_fresh_test"]["n"] == 20
    assert metrics["held_out"]["laroseda_test"]["scoring"].startswith("binary")
    assert metrics["civic_test_macro_f1"] == metrics["held_out"]["civic_test"]["macro_f1"]
    assert metrics["real_comments_test_accuracy"] == metrics["held_out"]["real_comments_test"]["accuracy"]
    # a work dir prepared before the civic posts and real comments existed still evaluates, without them
    (tmp_path / "data" / "civic_test.jsonl").unlink()
    (tmp_path / "data" / "real_comments_test.jsonl").unlink()
    assert main(["evaluate", "--work-dir", work, "--out", str(tmp_path / "old"), "--model",
                 str(artifacts / "sentiment.npz"), "--throughput-posts", "200"]) == 0
    older = json.loads((tmp_path / "old" / "metrics.json").read_text())
    assert "civic_test" not in older["held_out"] and "civic_test_macro_f1" not in older
    assert "real_comments_test" not in older["held_out"] and "real_comments_test_accuracy" not in older
    assert older["sart_val_macro_f1"] == metrics["sart_val_macro_f1"]
    # the card names only the sources the prepared splits hold (here no pseudo-labelled posts)
    (tmp_path / "data" / "summary.json").write_text(json.dumps(
        {name: {e.source: {} for e in examples} for name, examples in splits.items() if name != "train"}))
    assert main(["package", "--work-dir", work, "--out", str(artifacts)]) == 0
    card = json.loads((artifacts / "model_card.json").read_text())
    assert set(card["training_data"]["sources"]) == {"laroseda", "sart", "red", "civic", "real_comments"}
    assert card["artifact"]["sha256"] == sha256_of(artifacts / "sentiment.npz")
    assert card["comparison_cv"]["selected"] in {"heads_nbsvm_R0.3_S0.3", "svc_word+char_neg_C0.3"}
    assert card["headline_metrics"]["sart_val_macro_f1"] == metrics["sart_val_macro_f1"]
    assert card["headline_metrics"]["real_comments_test_macro_f1"] == metrics["real_comments_test_macro_f1"]
    model = load_model(artifacts / "sentiment.npz")
    model_labels, _ = predict_texts(["minunat excelent parcul", "groaznic rusine strada"], model)
    assert model_labels == ["positive", "negative"]
    assert main(["train", "--work-dir", work, "--out", str(artifacts), "--candidates", "nope"]) == 2
    assert sha256_of(DEFAULT_MODEL_PATH) == champion


def test_domain_heads_artifact_roundtrip(tmp_path: Path) -> None:
    """Two heads + gate: mixing follows the gate, and save/load gives identical probabilities."""
    from models.sentiment.model import FeatureConfig, Featurizer, Head, SentimentModel

    texts = ["produs excelent recomand", "parcul e minunat azi", "groaznic, nu recomand", "sedinta joi"]
    featurizer = Featurizer(FeatureConfig(word_bits=8, char_bits=10)).fit(texts)
    d = featurizer.n_features
    rng = np.random.default_rng(1)
    heads = [Head(name, rng.normal(size=(3, d)).astype(np.float32), rng.normal(size=3)) for name in ("a", "b")]
    gate = rng.normal(size=d).astype(np.float32)
    model = SentimentModel(featurizer, heads, gate_coef=gate, gate_intercept=0.3, version="x")
    probs = model.predict_proba(texts)
    assert np.allclose(probs.sum(axis=1), 1.0)
    matrix = featurizer.transform(texts)
    g = model.gate(matrix)
    assert g is not None and ((g > 0) & (g < 1)).all()
    p_a = heads[0].calibrate(np.asarray(matrix @ heads[0].coef.T) + heads[0].intercept)
    p_b = heads[1].calibrate(np.asarray(matrix @ heads[1].coef.T) + heads[1].intercept)
    assert np.allclose(probs, g[:, None] * p_a + (1 - g[:, None]) * p_b, atol=1e-5)
    # without the gate, only the first head counts
    single = SentimentModel(featurizer, heads[:1], version="y")
    assert np.allclose(single.predict_proba(texts), p_a, atol=1e-5)
    path = model.save(tmp_path / "m.npz")
    loaded = SentimentModel.load(path)
    assert [h.name for h in loaded.heads] == ["a", "b"] and loaded.version == "x"
    assert np.allclose(loaded.predict_proba(texts), probs, atol=2e-2)  # float16 weights
    time.sleep(1.1)  # zip entries carry a timestamp: a later save must still give the same bytes
    assert model.save(tmp_path / "m2.npz").read_bytes() == path.read_bytes()


def test_real_training_comments_follow_the_declared_orders_and_double_labels_agree() -> None:
    """The training comments come from two seeded orders of topics training posts of the three real sources
    (docs/annotation-guidelines.md); nothing was picked by hand. Order 1: posts with a topic other than
    politica_guvernare, sorted ids shuffled with seed 20261129 (2.4.0: positions 0-299, 2.5.0: 300-599, 2.6.0: the
    remaining 204). Order 2: the other posts (politica_guvernare only, or no topic), seed 20261202 (2.6.0: the first
    196). The posts both labelling sessions of a round read agree mostly, and the file keeps the label of the
    session whose half the post is in."""
    import random

    from models.sentiment.data import REAL_TRAIN_FILE
    from models.topics.data import load_annotations

    posts = [r for r in load_annotations() if r.split == "train" and r.source in ("news_ro_offense", "roff", "hate_speech_ro")]
    order = sorted(r.id for r in posts if set(r.labels) - {"politica_guvernare"})
    other = sorted(r.id for r in posts if not set(r.labels) - {"politica_guvernare"})
    random.Random(20261129).shuffle(order)
    random.Random(20261202).shuffle(other)
    rows = [json.loads(line) for line in REAL_TRAIN_FILE.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in rows[:300]) == sorted(order[:300])  # 2.4.0's comments, first in the file
    assert sorted(r["id"] for r in rows[300:600]) == sorted(order[300:600])  # 2.5.0's, labelled in two halves
    round3 = order[600:] + other[:196]  # 2.6.0's, labelled in two halves of 200
    assert len(order) == 804 and sorted(r["id"] for r in rows[600:]) == sorted(round3)
    labels = {r["id"]: r["label"] for r in rows}
    overlap = [json.loads(line) for line in (REAL_TRAIN_FILE.parent / "real_comments_train_overlap.jsonl")
               .read_text(encoding="utf-8").splitlines()]
    assert len(overlap) == len({r["id"] for r in overlap}) == 160
    shared = set(order[300:340]) | set(order[450:490]) | set(round3[:40]) | set(round3[200:240])
    assert {r["id"] for r in overlap} == shared
    assert all(labels[r["id"]] == r["label"] for r in overlap)
    agree = sum(r["label"] == r["other_session_label"] for r in overlap)
    assert agree == 155, agree  # measured (77 of 80, then 78 of 80); a changed file must update the guidelines


def test_civic_posts_enter_the_pool_only_on_request_and_real_training_comments_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from models.sentiment import data

    rng = np.random.default_rng(1)
    three = ("negative", "neutral", "positive")
    monkeypatch.setattr(data, "load_laroseda", lambda root, with_title=True: (
        _synthetic("laroseda", 20, rng, ("negative", "positive")), _synthetic("laroseda", 4, rng, ("negative",))))
    monkeypatch.setattr(data, "load_sart", lambda root: (_synthetic("sart", 20, rng, three), []))
    monkeypatch.setattr(data, "load_red", lambda root: (_synthetic("red", 20, rng, three), []))
    shipped = data.build_splits(tmp_path)
    civic = data.build_splits(tmp_path, civic_train=True)
    baseline = data.build_splits(tmp_path, real_train=False)  # the 2.0.0 recipe (prepare --no-real-train)
    assert not any(e.source == "civic" for e in shipped["train"] + shipped["dev"])
    assert sum(e.source == "civic" for e in civic["train"] + civic["dev"]) == 268
    assert len(shipped["civic_test"]) == len(civic["civic_test"]) == 109
    # the shipped recipe (2.6.0) trains on the 1,000 real training comments; the real held-out comments stay out
    assert sum(e.source == data.REAL_TRAIN_SOURCE for e in shipped["train"] + shipped["dev"]) == 1000
    assert not any(e.source == data.REAL_TRAIN_SOURCE for e in baseline["train"] + baseline["dev"])
    assert len(shipped["real_comments_test"]) == len(baseline["real_comments_test"]) == 264
    assert len(shipped["real_comments_fresh_test"]) == 200  # evaluated, never in the pool


def _fake_datasets(root: Path, roff: dict[str, str]) -> Path:
    """The five raw files the topics readers open, with only ROFF tweets in them."""
    (root / "news_ro_offense").mkdir(parents=True)
    (root / "news_ro_offense" / "comments.csv").write_text("comment_id,comment_text\n", encoding="utf-8")
    (root / "roff").mkdir()
    (root / "roff" / "roff.tsv").write_text("id\tTweet\n" + "".join(f"{i}\t{t}\n" for i, t in roff.items()),
                                            encoding="utf-8")
    (root / "hate_speech_ro").mkdir()
    (root / "hate_speech_ro" / "hate-speech-labeled-corrected.csv").write_text("id;text\n", encoding="utf-8")
    (root / "red_v1").mkdir()
    (root / "red_v1" / "train.csv").write_text("Tweet,Emotion\n", encoding="utf-8")
    (root / "sart").mkdir()
    (root / "sart" / "train.csv").write_text("text,label\n", encoding="utf-8")
    return root


def test_pseudo_labels_resolve_their_texts_and_refuse_unknown_ids(tmp_path: Path) -> None:
    from models.sentiment.data import PSEUDO_SOURCE, load_pseudo

    root = _fake_datasets(tmp_path / "datasets", {"7": "iar  nu merge apa calda", "8": "multumim pentru parc"})
    path = tmp_path / "pseudo.jsonl"
    path.write_text('{"id": "roff:7", "label": "negative", "confidence": 0.9}\n'
                    '{"id": "roff:8", "label": "positive", "confidence": 0.85}\n', encoding="utf-8")
    assert load_pseudo(root, path) == [Example("roff:7", PSEUDO_SOURCE, "iar nu merge apa calda", "negative"),
                                       Example("roff:8", PSEUDO_SOURCE, "multumim pentru parc", "positive")]
    path.write_text('{"id": "roff:7", "label": "negative"}\n{"id": "roff:9", "label": "negative"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"pseudo.jsonl:2: id 'roff:9' is not in the datasets"):
        load_pseudo(root, path)
    path.write_text('{"id": "roff:7", "label": "meh"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"pseudo.jsonl:1: label"):
        load_pseudo(root, path)


def test_committed_pseudo_labels_are_confident_unlabelled_posts_never_held_out() -> None:
    from models.sentiment.data import PSEUDO_FILE
    from models.sentiment.distill import MIN_CONFIDENCE, UNLABELLED_SOURCES
    from models.topics.data import load_annotations

    rows = [json.loads(line) for line in PSEUDO_FILE.read_text(encoding="utf-8").splitlines()]
    assert len(rows) > 1000 and len({r["id"] for r in rows}) == len(rows)
    assert all(r["id"].split(":")[0] in UNLABELLED_SOURCES for r in rows)
    assert all(r["label"] in LABELS and MIN_CONFIDENCE <= r["confidence"] <= 1.0 for r in rows)
    assert {r["label"] for r in rows} == set(LABELS)
    held_out_topic_posts = {a.id for a in load_annotations() if a.split != "train"}
    assert not held_out_topic_posts & {r["id"] for r in rows}  # the real comments among them


def test_calibrators_ignore_pseudo_labelled_rows() -> None:
    from models.sentiment.train import default_candidates, fit_calibrators

    rng = np.random.default_rng(3)
    cand = next(c for c in default_candidates() if c.name == "heads_nbsvm_R0.3_S0.5")
    n = 120
    sources = np.array(["laroseda"] * 40 + ["sart"] * 40 + ["red"] * 40)
    y = np.concatenate([rng.choice([0, 2], 40), rng.integers(0, 3, 80)])
    raw = rng.normal(size=(n, 7))  # review head, social head, gate
    raw[np.arange(n), y] += 2.0
    raw[np.arange(n), 3 + y] += 2.0
    gold = fit_calibrators(cand, raw, y, sources)
    noisy_raw = np.vstack([raw, rng.normal(size=(60, 7)) * 5])
    noisy = fit_calibrators(cand, noisy_raw, np.concatenate([y, rng.integers(0, 3, 60)]),
                            np.concatenate([sources, np.array(["pseudo"] * 60)]))
    for (m1, b1), (m2, b2) in zip(gold, noisy, strict=True):
        assert np.allclose(m1, m2) and np.allclose(b1, b2)


def test_distill_label_keeps_confident_teacher_labels(tmp_path: Path) -> None:
    from models.sentiment.distill import label

    rng = np.random.default_rng(4)
    centres = rng.normal(size=(3, 16))
    pool_y = [i % 3 for i in range(90)]
    words = {0: "groaznic rusine", 1: "anunt program", 2: "minunat multumim"}
    rows = [{"id": f"sart:{i}", "text": words[c], "kind": "pool", "source": "sart" if i % 2 else "red",
             "label": LABELS[c]} for i, c in enumerate(pool_y)]
    unl_y = [0, 2, 1, 0]
    rows += [{"id": f"roff:{i}", "text": f"{words[c]} azi", "kind": "unlabelled"} for i, c in enumerate(unl_y)]
    emb = np.vstack([centres[c] + 0.05 * rng.normal(size=16) for c in pool_y + unl_y]).astype(np.float32)
    folder = tmp_path / "e5"
    folder.mkdir()
    (folder / "input.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    np.save(folder / "emb.npy", emb)
    (folder / "ids.json").write_text(json.dumps([r["id"] for r in rows]))
    out = tmp_path / "pseudo.jsonl"
    summary = label(tmp_path, DEFAULT_MODEL_PATH, out, min_confidence=0.0)
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert summary["kept"] == len(written) == 4
    assert [r["id"] for r in written] == ["roff:0", "roff:1", "roff:2", "roff:3"]
    assert [r["label"] for r in written][:2] == ["negative", "positive"]
    assert label(tmp_path, DEFAULT_MODEL_PATH, out, min_confidence=0.999)["kept"] < 4  # the average is never 1.0
    (folder / "ids.json").write_text(json.dumps(["other"]))
    with pytest.raises(ValueError, match="does not match input.jsonl"):
        label(tmp_path, DEFAULT_MODEL_PATH, out)


def _toy_projection(dims: int = 4) -> object:
    from models.topics.model import fit_projection

    rng = np.random.default_rng(7)
    vocab = ["groaznic", "rusine", "minunat", "multumim", "anunt", "program", "sedinta", "parc"]
    texts = [" ".join(rng.choice(vocab, 4)) for _ in range(120)]
    return fit_projection(texts, rng.normal(size=(120, 12)), dims=dims)


def test_projection_block_artifact_roundtrip_and_width_check(tmp_path: Path) -> None:
    """A model with the e5 projection block saves as plain arrays (format 4) and scores the same after load."""
    from models.sentiment.model import FeatureConfig, Featurizer, Head, SentimentModel, projection_block

    projection = _toy_projection()
    texts = ["minunat parc, multumim", "groaznic, rusine", "anunt program sedinta", ""]
    featurizer = Featurizer(FeatureConfig(word_bits=8, char_bits=10)).fit(texts)
    d = featurizer.n_features + projection.dims  # type: ignore[attr-defined]
    rng = np.random.default_rng(2)
    heads = [Head(name, rng.normal(size=(3, d)).astype(np.float32), rng.normal(size=3)) for name in ("a", "b")]
    model = SentimentModel(featurizer, heads, gate_coef=rng.normal(size=d).astype(np.float32), version="p",
                           projection=projection, projection_weight=0.25)  # type: ignore[arg-type]
    matrix, _ = model.features(texts)
    assert matrix.shape == (4, d)
    block = projection_block(projection, 0.25, texts)  # type: ignore[arg-type]
    assert np.allclose(matrix[:, -projection.dims:].toarray(), block.toarray())  # type: ignore[attr-defined]
    assert np.allclose(np.linalg.norm(block.toarray()[0]), 0.25, atol=1e-3)
    path = model.save(tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as data:
        assert json.loads(bytes(data["meta"]).decode())["format_version"] == 4
    loaded = SentimentModel.load(path)
    assert loaded.projection is not None and loaded.projection_weight == 0.25
    from models.sentiment.package import _method

    assert _method(loaded)["e5_projection"]["dims"] == 4 and _method(loaded)["e5_projection"]["weight"] == 0.25
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=2e-2)  # float16 weights
    assert model.save(tmp_path / "m2.npz").read_bytes() == path.read_bytes()
    with pytest.raises(ValueError, match="columns; the features have"):
        SentimentModel(featurizer, heads, version="no block")  # weights sized for the block, no projection


def test_review_head_never_weights_the_projection_block() -> None:
    """fit_parts: the social head and the gate use the dense block, the review head gets zero weights there."""
    import scipy.sparse as sp

    from models.sentiment.train import Candidate, fit_parts, fit_scorer

    rng = np.random.default_rng(8)
    n, sparse_cols, dense = 120, 30, 5
    matrix = sp.hstack([sp.random(n, sparse_cols, density=0.2, random_state=1, format="csr"),
                        sp.csr_matrix(rng.normal(size=(n, dense)))], format="csr")
    y = rng.integers(0, 3, size=n)
    sources = np.array(["laroseda", "sart", "red"] * (n // 3))
    y[sources == "laroseda"] = np.where(y[sources == "laroseda"] == 1, 0, y[sources == "laroseda"])
    cand = Candidate("c", classifier="nbsvm", c=0.5, architecture="domain_heads",
                     source_weights=(("laroseda", 0.0), ("sart", 1.0), ("red", 1.0)), projection_weight=0.25)
    fitted = fit_parts(cand, matrix, y, sources, dense_columns=dense)
    heads = dict((name, coef) for name, coef, _ in fitted.heads)
    assert np.all(heads["review"][:, -dense:] == 0.0)
    assert np.any(heads["social"][:, -dense:] != 0.0)
    assert fitted.gate is not None and np.any(fitted.gate[0][-dense:] != 0.0)
    coef, _ = fit_scorer("logreg", 1.0, matrix, y, np.ones(n), dense_columns=dense, use_dense=False)
    assert coef.shape == (3, sparse_cols + dense) and np.all(coef[:, -dense:] == 0.0)


def test_distill_project_fits_on_unlabelled_posts_only(tmp_path: Path) -> None:
    from models.sentiment.distill import project, text_fingerprints
    from models.sentiment.train import load_projection, projection_fit_keys
    from models.topics.data import load_annotations

    rng = np.random.default_rng(9)
    vocab = ["groaznic", "rusine", "minunat", "multumim", "anunt", "program"]
    rows = [{"id": f"roff:{i}", "text": " ".join(rng.choice(vocab, 4)), "kind": "unlabelled"} for i in range(60)]
    rows += [{"id": "sart:1", "text": "cuvantulpool doar in pool", "kind": "pool", "source": "sart",
              "label": "negative"}]
    folder = tmp_path / "e5"
    folder.mkdir()
    (folder / "input.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    np.save(folder / "emb.npy", rng.normal(size=(len(rows), 10)).astype(np.float32))
    (folder / "ids.json").write_text(json.dumps([r["id"] for r in rows]))
    annotated = load_annotations()[0].text  # a topics-annotated post among the unlabelled ones: left out
    rows.insert(5, {"id": "roff:annotated", "text": annotated, "kind": "unlabelled"})
    (folder / "input.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    np.save(folder / "emb.npy", rng.normal(size=(len(rows), 10)).astype(np.float32))
    (folder / "ids.json").write_text(json.dumps([r["id"] for r in rows]))
    out = tmp_path / "proj.npz"
    info = project(tmp_path, out, dims=3)
    assert info["posts"] == 60 and info["dims"] == 3 and info["excluded_annotated"] == 1
    projection = load_projection(out)
    assert "cuvantulpool" not in projection.featurizer.word_vocab  # the pool text was not fitted on
    fitted = projection_fit_keys(out)
    unlabelled = [r["text"] for r in rows if r["kind"] == "unlabelled" and r["id"] != "roff:annotated"]
    assert np.array_equal(fitted, text_fingerprints(unlabelled)) and fitted.dtype == np.uint64
    assert not np.isin(text_fingerprints([annotated]), fitted).any()
    assert projection.transform(["groaznic minunat"]).shape == (1, 3)
    with pytest.raises(FileNotFoundError, match="distill project"):
        load_projection(tmp_path / "missing.npz")
    (folder / "ids.json").write_text(json.dumps(["other"]))
    with pytest.raises(ValueError, match="does not match input.jsonl"):
        project(tmp_path, out, dims=3)


def test_default_grid_is_the_shipped_recipe_and_the_baseline_grid_the_2_0_0_one() -> None:
    from models.sentiment.data import REAL_TRAIN_SOURCE
    from models.sentiment.train import (
        PROJECTION_FILE,
        all_candidates,
        baseline_candidates,
        default_candidates,
        projection_variants,
    )

    baseline = baseline_candidates()
    assert all(c.projection_weight == 0 for c in baseline) and "heads_nbsvm_R0.3_S0.5" in {c.name for c in baseline}
    extra = projection_variants()
    assert [(c.projection_weight, dict(c.source_weights)[REAL_TRAIN_SOURCE]) for c in extra] == [
        (0.0, 0.0), (0.25, 0.25), (0.25, 0.0), (0.1, 0.25), (0.1, 0.0)] and PROJECTION_FILE.is_file()
    assert all(c.to_dict()["c"] == 0.5 and c.architecture == "domain_heads" for c in extra)
    assert default_candidates() == [*baseline, *extra]
    shipped = load_model().meta["candidate"]
    assert shipped["name"] in {c.name for c in extra}  # the default grid can rebuild the champion
    assert shipped == json.loads(json.dumps(next(c for c in extra if c.name == shipped["name"]).to_dict()))
    names = [c.name for c in all_candidates()]
    assert len(names) == len(set(names)) and {c.name for c in default_candidates()} <= set(names)


def test_real_comments_second_pass_covers_held_out_posts_and_agreement_is_as_documented() -> None:
    """The sentiment label-consistency check (docs/sentiment.md, section E): 100 held-out real comments labelled
    a second time, blind to the first labels; the two passes agree on 75 of them (Cohen's kappa 0.405)."""
    from sklearn.metrics import cohen_kappa_score

    from models.sentiment.data import load_real_comments

    path = ROOT / "models" / "sentiment" / "data" / "real_comments_second_pass.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    first = {e.id.removeprefix("real:"): e.label for e in load_real_comments()}
    assert len(rows) == 100 and len({r["id"] for r in rows}) == 100 and {r["label"] for r in rows} == set(LABELS)
    assert all(r["id"] in first for r in rows)  # held-out real comments only
    a, b = [first[r["id"]] for r in rows], [r["label"] for r in rows]
    assert sum(x == y for x, y in zip(a, b, strict=True)) == 75
    assert round(cohen_kappa_score(a, b), 3) == 0.405


def test_held_out_real_posts_have_independent_second_labels_that_mostly_agree() -> None:
    """All 464 held-out real posts (264 + 200 fresh) were labelled again by two labelling sessions blind to the first
    labels and to every model (docs/sentiment.md, section H). The first labels stay the test labels; this file only
    measures them: 428 of 464 agree (kappa 0.806), 92 of the 100 of the older second pass."""
    from sklearn.metrics import cohen_kappa_score

    from models.sentiment.data import REAL_FRESH_FILE, load_real_comments

    path = ROOT / "models" / "sentiment" / "data" / "real_comments_held_out_second_labels.jsonl"
    second = {r["id"]: r["label"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    held = {e.id.removeprefix("real:"): e.label for e in load_real_comments()}
    fresh = {e.id.removeprefix("real:"): e.label for e in load_real_comments(REAL_FRESH_FILE)}
    assert len(second) == 464 and set(second) == set(held) | set(fresh) and set(second.values()) == set(LABELS)
    agree = {name: sum(second[i] == label for i, label in labels.items()) for name, labels in
             (("held", held), ("fresh", fresh))}
    assert agree == {"held": 239, "fresh": 189}, agree
    both = {**held, **fresh}
    ids = sorted(both)
    assert round(cohen_kappa_score([both[i] for i in ids], [second[i] for i in ids]), 3) == 0.806
    older = [json.loads(line) for line in (path.parent / "real_comments_second_pass.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(second[r["id"]] == held[r["id"]] for r in older) == 92


def test_projection_candidates_are_refused_when_the_projection_saw_a_pool_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text in both the projection's fit and the training pool would get a better-than-unseen block, so its
    out-of-fold scores would be optimistic: train refuses, naming the count and the way out."""
    import models.sentiment.train as train_module
    from models.sentiment.data import REAL_TRAIN_FILE, load_real_comments
    from models.sentiment.distill import FIT_KEYS, text_fingerprints
    from models.sentiment.model import _write_npz
    from models.sentiment.train import baseline_candidates, check_projection_pool, default_candidates

    # the committed projection left out every annotated post, so the real training comments may be in the pool
    real_train = [e.text for e in load_real_comments(REAL_TRAIN_FILE, split="train")]
    held_out = [e.text for e in load_real_comments()]
    check_projection_pool(default_candidates(), real_train + held_out)
    fitted = ["un text vazut la proiectie", "alt text vazut"]
    path = tmp_path / "proj.npz"
    _write_npz(path, {FIT_KEYS: text_fingerprints(fitted)})
    check_projection_pool(default_candidates(), ["altceva, nevazut"], path)
    check_projection_pool(baseline_candidates(), fitted, path)  # no projection candidate: nothing to check
    with pytest.raises(ValueError, match=r"fitted on 1 texts of the training pool"):
        check_projection_pool(default_candidates(), ["UN TEXT văzut la proiecție", "nou"], path)
    _write_npz(tmp_path / "old.npz", {"projection_meta": np.zeros(1, np.uint8)})
    with pytest.raises(ValueError, match="does not record the texts"):
        check_projection_pool(default_candidates(), ["nou"], tmp_path / "old.npz")
    monkeypatch.setattr(train_module, "PROJECTION_FILE", path)
    work = tmp_path / "w"
    write_jsonl(work / "data" / "train.jsonl", [Example("sart:1", "sart", "alt text vazut", "negative")])
    assert main(["train", "--work-dir", str(work), "--out", str(tmp_path / "o")]) == 2
    assert "optimistic" in capsys.readouterr().err


def test_fresh_real_comments_are_other_held_out_posts_than_the_guard_set() -> None:
    """The 200 real posts labelled after 2.4.0 was chosen (docs/sentiment.md, section F): held-out topics posts of
    the three real sources, none of the 264 the registry's guard reads, labelled 162 / 15 / 23."""
    from collections import Counter

    from models.sentiment.data import load_real_comments

    fresh = load_real_comments(ROOT / "models" / "sentiment" / "data" / "real_comments_fresh.jsonl")
    guard = {e.id for e in load_real_comments()}
    assert len(fresh) == len({e.id for e in fresh}) == 200 and not {e.id for e in fresh} & guard
    assert Counter(e.label for e in fresh) == {"negative": 162, "neutral": 15, "positive": 23}
    assert {normalise_key(e.text) for e in fresh}.isdisjoint(normalise_key(e.text) for e in load_real_comments())
    from models.sentiment.distill import text_fingerprints
    from models.sentiment.train import projection_fit_keys

    assert not np.isin(text_fingerprints([e.text for e in fresh]), projection_fit_keys()).any()  # unseen by it
