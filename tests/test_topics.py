"""Policy topics: taxonomy, annotations, committed artifact, CLI and Spark parity."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.topics import TAXONOMY_VERSION, TOPIC_IDS, load_predictor, predict_topics
from models.topics.data import label_matrix, load_annotations, prf
from models.topics.io import InputError, read_posts
from models.topics.spark import TOPIC_FIELDS, add_topics, score_batch
from models.topics.taxonomy import SeedMatcher, load_taxonomy
from models.topics.text import fold, lemmas

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "models" / "topics" / "artifacts"
EXPECTED_IDS = [
    "sanatate", "educatie", "transport_public", "drumuri_infrastructura", "mediu_salubritate", "utilitati",
    "taxe_fiscalitate", "protectie_sociala", "munca_economie", "siguranta_publica", "justitie_anticoruptie",
    "administratie_servicii", "servicii_digitale", "urbanism_locuire", "cultura_sport", "agricultura_rural",
    "diaspora_externe", "politica_guvernare", "participare_publica",
]


# --- taxonomy and text ----------------------------------------------------------------------------------


def test_taxonomy_ids_and_version() -> None:
    tax = load_taxonomy()
    assert tax.ids == EXPECTED_IDS == TOPIC_IDS
    assert TAXONOMY_VERSION == tax.version and tax.version.count(".") == 2
    assert all(t.label_ro and t.description and len(t.seeds) >= 5 for t in tax.topics)


def test_fold_and_lemmas_handle_diacritics_and_cedilla() -> None:
    assert fold("Şcoala, ȘCOALA, școala") == "scoala, scoala, scoala"
    assert lemmas("Spitalele și pensiile") == lemmas("spitalele si pensiile") == ["spital", "si", "pensie"]


def test_seed_matcher_uses_lemmas() -> None:
    m = SeedMatcher()
    counts = m.counts("Spitalele sunt pline, iar pensionarii așteaptă pensiile")
    assert counts[TOPIC_IDS.index("sanatate")] >= 1
    assert counts[TOPIC_IDS.index("protectie_sociala")] >= 2
    assert m.counts("o zi frumoasa la munte").sum() == 0


# --- annotations ----------------------------------------------------------------------------------------


def test_annotation_file_is_complete_and_split_is_clean() -> None:
    rows = load_annotations()
    real = [r for r in rows if not r.synthetic]
    test = [r for r in real if r.split == "test"]
    assert len(real) >= 600 and len(test) >= 150
    assert sum(not r.labels for r in real) >= 200  # many real posts have no topic
    train_texts = {fold(r.text) for r in rows if r.split == "train"}
    assert not any(fold(r.text) in train_texts for r in rows if r.split != "train")
    raw = [json.loads(line) for line in (ROOT / "models/topics/data/annotations.jsonl").open(encoding="utf-8")]
    assert all(r["licence"] and r["source"] for r in raw)
    assert all(r["source"] == "synthetic" for r in raw if r["synthetic"])
    assert {t for r in rows if r.split == "test" for t in r.labels} == set(TOPIC_IDS)
    assert all(r["split"] == "train" for r in raw if r["synthetic"] and r["pool"].startswith("written for rare topics / hard negatives (round 6"))


def test_round6_enlarged_the_held_out_split() -> None:
    rows = load_annotations()
    test = [r for r in rows if r.split == "test"]
    assert not any(r.synthetic for r in test)
    assert len(test) >= 800 and sum(not r.labels for r in test) >= 300  # a fair share of no-topic posts
    support = {t: sum(t in r.labels for r in test) for t in TOPIC_IDS}
    assert min(support.values()) >= 9, support
    assert sum(v >= 20 for v in support.values()) >= 15, support
    round6 = [r for r in rows if r.pool.startswith("round 6")]
    assert len(round6) >= 1500 and {r.split for r in round6} == {"train", "test"}


def test_round7_civic_posts_are_written_and_held_out_first() -> None:
    rows = load_annotations()
    round7 = [r for r in rows if r.pool.startswith("round 7")]
    held = [r for r in round7 if r.split == "test_synthetic"]
    train = [r for r in round7 if r.split == "train"]
    assert all(r.synthetic and r.source == "synthetic" for r in round7)
    assert len(held) == 109 and len(train) == 268 and {r.split for r in round7} == {"test_synthetic", "train"}
    # every topic is held out at least 4 times, and some posts have no topic
    assert all(sum(t in r.labels for r in held) >= 4 for t in TOPIC_IDS)
    assert sum(not r.labels for r in held) >= 15
    # the held-out posts were written first: lower ids than every round-7 training post
    assert max(int(r.id.split(":")[1]) for r in held) < min(int(r.id.split(":")[1]) for r in train)


def test_round6_split_is_deterministic_and_keeps_near_duplicates_together() -> None:
    from models.topics.pool import assign_round_split

    existing = [{"id": "x:1", "text": "primaria a taiat copacii din parcul central fara nicio consultare", "labels": ["mediu_salubritate"], "split": "test"}]
    new = [
        {"id": "y:1", "text": "Primăria a tăiat copacii din parcul central fără nicio consultare!", "labels": [], "split": None},
        {"id": "y:2", "text": "autobuzul 35 nu mai vine deloc dimineata", "labels": ["transport_public"], "split": None},
        {"id": "y:3", "text": "ce zi frumoasa, am baut o cafea cu prietenii", "labels": [], "split": None},
    ]
    a = assign_round_split(new, existing)
    assert a == assign_round_split(list(reversed(new)), existing)
    assert a["y:1"] == "test" and set(a.values()) <= {"train", "test"}


def test_prf_metrics() -> None:
    gold = label_matrix([["sanatate"], [], ["educatie", "sanatate"]])
    pred = label_matrix([["sanatate"], ["educatie"], ["sanatate"]])
    m = prf(pred, gold)
    assert m["per_topic"]["sanatate"]["f1"] == 1.0
    assert m["per_topic"]["educatie"]["precision"] == 0.0 and m["empty_list_accuracy"] == 0.0


# --- artifact and predictions ---------------------------------------------------------------------------


def test_model_card_matches_artifact() -> None:
    card = json.loads((ARTIFACTS / "model_card.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((ARTIFACTS / "topic_model.joblib").read_bytes()).hexdigest()
    assert card["sha256"] == digest
    assert card["taxonomy_version"] == TAXONOMY_VERSION and card["labels"] == TOPIC_IDS
    test = card["metrics"]["test"]
    assert set(test["per_topic"]) == set(TOPIC_IDS) and test["n_posts"] >= 150
    assert {"precision", "recall", "f1", "support"} <= set(test["per_topic"]["sanatate"])
    assert test["empty_list_accuracy"] is not None
    assert set(card["ablation"]) >= {"A_word_gold_real", "C_plus_seed_features", "D_plus_prefix_features"}
    assert card["data"]["sources"]["news_ro_offense"]["licence"].startswith("Apache-2.0")
    assert card["size_bytes"] <= 50 * 1024 * 1024


def test_metrics_json_has_stable_headline_keys() -> None:
    card = json.loads((ARTIFACTS / "model_card.json").read_text(encoding="utf-8"))
    metrics = json.loads((ARTIFACTS / "metrics.json").read_text(encoding="utf-8"))
    keys = {"test_macro_f1", "test_micro_f1", "empty_list_accuracy", "posts_per_second_per_core", "test_posts",
            "dev_macro_f1", "model_version", "taxonomy_version", "sha256", "selected_variant"}
    assert keys <= set(metrics)
    assert metrics["sha256"] == card["sha256"] and metrics["test_macro_f1"] == card["metrics"]["test"]["macro_f1"]
    assert metrics["empty_list_accuracy"] == card["metrics"]["test"]["empty_list_accuracy"]
    assert set(metrics["per_topic"]) == set(TOPIC_IDS)


def test_evaluate_writes_metrics_into_the_given_out_dir(tmp_path: Path) -> None:
    """A challenger folder gets its own metrics.json; the committed artifacts are not touched."""
    import shutil

    from models.topics import pipeline

    before = (ARTIFACTS / "metrics.json").read_bytes()
    out, work = tmp_path / "challenger", tmp_path / "work"
    out.mkdir()
    work.mkdir()
    shutil.copy(ARTIFACTS / "topic_model.joblib", out / "topic_model.joblib")
    dev = {"macro_f1": 0.5, "empty_list_accuracy": 0.5}
    (work / "train_report.json").write_text(json.dumps(
        {"selected": "X", "selection": "test", "final": {"dev_oof": dev}, "variants": {}}), encoding="utf-8")
    result = pipeline.evaluate(work, out, version="retrain-20261128")
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    card = json.loads((ARTIFACTS / "model_card.json").read_text(encoding="utf-8"))
    assert metrics["test_macro_f1"] == card["metrics"]["test"]["macro_f1"] == result["test_macro_f1"]
    assert metrics["posts_per_second_per_core"] > 0
    assert (ARTIFACTS / "metrics.json").read_bytes() == before
    # The challenger's own version reaches its card, so the registry can tell it from the champion.
    assert metrics["model_version"] == "retrain-20261128" != card["version"]
    (work / "prepare_stats.json").write_text("{}", encoding="utf-8")
    challenger = pipeline.package(work, out)
    assert challenger["version"] == "retrain-20261128"
    assert json.loads((out / "model_card.json").read_text(encoding="utf-8"))["version"] == "retrain-20261128"
    assert (ARTIFACTS / "model_card.json").read_bytes() != (out / "model_card.json").read_bytes()


def test_scoring_is_fast_enough_for_bulk_use() -> None:
    """Per CPU-second (robust on a shared machine); the bulk goal is ~5,000 posts/s per core."""
    import time

    rows = list(dict.fromkeys(r.text for r in load_annotations()))
    model = load_predictor().model
    model.featurizer._token_cache = {}
    t0 = time.process_time()
    model.predict(rows)
    rate = len(rows) / max(time.process_time() - t0, 1e-9)
    assert rate >= 1500, rate


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Spitalul județean nu are medici la urgențe, pacienții așteaptă ore întregi", "sanatate"),
        ("spitalul judetean nu are medici la urgente, pacientii asteapta ore intregi", "sanatate"),
        ("Autobuzele și tramvaiele vin o dată la 30 de minute, transportul în comun e jalnic", "transport_public"),
        ("autobuzele si tramvaiele vin o data la 30 de minute, transportul in comun e jalnic", "transport_public"),
        ("Gunoiul nu a mai fost ridicat de două săptămâni, tomberoanele sunt pline", "mediu_salubritate"),
        ("ANAF mi-a blocat contul pentru un impozit pe care l-am plătit", "taxe_fiscalitate"),
        ("Pensia mamei nu ajunge nici de medicamente, pensionarii sunt uitați", "protectie_sociala"),
    ],
)
def test_clear_posts_get_their_topic(text: str, topic: str) -> None:
    assert topic in predict_topics(text).topics


@pytest.mark.parametrize("text", ["", "   ", "Ce zi frumoasă, am băut o cafea cu prietenii", "te iubesc mult ❤️"])
def test_no_topic_posts_get_empty_list(text: str) -> None:
    assert predict_topics(text).topics == []


def test_scores_cover_taxonomy_and_respect_thresholds() -> None:
    pred = predict_topics("Primăria a tăiat copacii din parc și a făcut parcare")
    assert list(pred.scores) == TOPIC_IDS
    assert all(0.0 <= v <= 1.0 for v in pred.scores.values())
    thresholds = dict(zip(TOPIC_IDS, load_predictor().model.thresholds, strict=True))
    assert set(pred.topics) == {t for t, v in pred.scores.items() if v >= thresholds[t]}


def test_held_out_metrics_reproduce_card() -> None:
    card = json.loads((ARTIFACTS / "model_card.json").read_text(encoding="utf-8"))
    rows = [r for r in load_annotations() if r.split == "test"]
    labels, _ = load_predictor().predict_many([r.text for r in rows])
    metrics = prf(label_matrix(labels), label_matrix([r.labels for r in rows]))
    assert metrics["macro_f1"] == card["metrics"]["test"]["macro_f1"]
    written = [r for r in load_annotations() if r.split == "test_synthetic"]
    labels, _ = load_predictor().predict_many([r.text for r in written])
    metrics = prf(label_matrix(labels), label_matrix([r.labels for r in written]))
    assert metrics["macro_f1"] == card["metrics"]["test_synthetic"]["macro_f1"]


# --- IO and CLI -----------------------------------------------------------------------------------------


def test_read_posts_errors(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("body\nx\n", encoding="utf-8")
    with pytest.raises(InputError, match="column 'text' not found"):
        read_posts(tmp_path / "a.csv", "text")
    (tmp_path / "b.jsonl").write_text("{not json}\n", encoding="utf-8")
    with pytest.raises(InputError, match="invalid JSON"):
        read_posts(tmp_path / "b.jsonl", "text")
    (tmp_path / "c.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no rows"):
        read_posts(tmp_path / "c.jsonl", "text")


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the CLI in-process (same code path as ``python -m models.topics``); returns (exit code, stderr)."""
    from models.topics.__main__ import main

    code = main(list(args))
    return code, capsys.readouterr().err


def test_cli_predict_with_model_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "posts.jsonl"
    src.write_text(json.dumps({"text": "Autobuzele vin o data la 40 de minute"}) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code, err = _cli(capsys, "predict", "--input", str(src), "--output", str(out), "--model-dir", str(ARTIFACTS))
    assert code == 0, err
    assert "transport_public" in json.loads(out.read_text(encoding="utf-8"))["topics"].split(";")
    code, err = _cli(capsys, "predict", "--input", str(src), "--output", str(out), "--model-dir", str(tmp_path / "none"))
    assert code == 2 and "not found" in err


def test_cli_predict_csv_and_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "posts.csv"
    src.write_text('id,text\n1,"Gropile de pe strada noastră sunt uriașe, asfaltul e distrus"\n2,"bună dimineața"\n',
                   encoding="utf-8")
    out = tmp_path / "out.csv"
    code, err = _cli(capsys, "predict", "--input", str(src), "--text-col", "text", "--output", str(out))
    assert code == 0, err
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["id"] == "1" and "drumuri_infrastructura" in rows[0]["topics"].split(";")
    assert rows[1]["topics"] == ""
    assert all(f"score_{t}" in rows[0] for t in TOPIC_IDS)
    assert rows[0]["topic_taxonomy_version"] == TAXONOMY_VERSION
    src_jsonl = tmp_path / "posts.jsonl"
    src_jsonl.write_text(json.dumps({"body": "Pensiile nu au fost indexate"}) + "\n", encoding="utf-8")
    out_jsonl = tmp_path / "out.jsonl"
    code, err = _cli(capsys, "predict", "--input", str(src_jsonl), "--text-col", "body", "--output", str(out_jsonl))
    assert code == 0, err
    assert "protectie_sociala" in json.loads(out_jsonl.read_text(encoding="utf-8"))["topics"]


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "p.csv"
    good.write_text("body\nx\n", encoding="utf-8")
    empty = tmp_path / "e.csv"
    empty.write_text("", encoding="utf-8")
    for args, message in [
        (["--input", str(good), "--output", str(tmp_path / "o.csv")], "column 'text' not found"),
        (["--input", str(empty), "--output", str(tmp_path / "o.csv")], "empty"),
        (["--input", str(tmp_path / "p.xlsx"), "--output", str(tmp_path / "o.csv")], "unsupported input extension"),
        (["--input", str(good), "--text-col", "body", "--output", str(tmp_path / "o.parquet")], "unsupported output"),
    ]:
        code, err = _cli(capsys, "predict", *args)
        assert code == 2 and message in err, (args, err)


# --- Spark ----------------------------------------------------------------------------------------------

TEXTS = ["Spitalele nu au medici", "autobuzul 35 nu mai vine", "", None, "ce frumos e afara azi"]


def test_score_batch_matches_in_process() -> None:
    batch = pa.RecordBatch.from_pydict({"id": list(range(len(TEXTS))), "text": TEXTS})
    out = score_batch(batch)
    assert out.schema.names == ["id", "text", *[f.name for f in TOPIC_FIELDS]]
    labels, proba = load_predictor().predict_many(TEXTS)
    assert out.column("topics").to_pylist() == labels
    got = np.array([[v for _, v in row] for row in out.column("topic_scores").to_pylist()])
    assert np.allclose(got, np.round(proba, 6))


def test_map_in_arrow_equals_in_process(spark: object) -> None:
    # one partition: a single Python worker loads the artifact (the test stays fast on a busy machine)
    df = spark.createDataFrame(list(enumerate(TEXTS)), "id INT, body STRING").coalesce(1)  # type: ignore[attr-defined]
    rows = add_topics(df, text_col="body").orderBy("id").collect()
    labels, proba = load_predictor().predict_many(TEXTS)
    assert [list(r["topics"]) for r in rows] == labels
    for row, p in zip(rows, proba, strict=True):
        assert [row["topic_scores"][t] for t in TOPIC_IDS] == [round(float(v), 6) for v in p]
    assert {r["topic_taxonomy_version"] for r in rows} == {TAXONOMY_VERSION}
    assert {r["topic_model_version"] for r in rows} == {load_predictor().model_version}


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_fast_fold_equals_the_per_character_definition(text: str) -> None:
    """One translate per post: ASCII kept, accents dropped to ASCII letters, anything else a space."""
    import unicodedata

    from models.topics.model import _URL, fast_fold

    def one(ch: str) -> str:
        if ord(ch) < 128:
            return ch
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c) and c.isascii())
        return base if base.isalnum() else " "

    assert fast_fold(text) == "".join(one(ch) for ch in _URL.sub(" ", text).lower())
    assert fast_fold("Școală ŞI ţară, café — 👍 OK") == "scoala si tara, cafe     ok"


def test_second_pass_labels_cover_held_out_real_posts_and_agree_mostly() -> None:
    """The label-consistency check of docs/topics.md: ids are held-out real posts, labels are taxonomy ids,
    and the two passes agree at the documented level (micro-F1 0.898)."""
    path = Path(__file__).resolve().parents[1] / "models" / "topics" / "data" / "second_pass_labels.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    annotations = {a.id: a for a in load_annotations()}
    assert len(rows) == 60 and len({r["id"] for r in rows}) == 60
    for row in rows:
        first = annotations[row["id"]]
        assert first.split == "test" and not first.synthetic, row["id"]
        assert set(row["labels"]) <= set(TOPIC_IDS), row["id"]
    first_m = label_matrix([annotations[r["id"]].labels for r in rows])
    second_m = label_matrix([r["labels"] for r in rows])
    assert prf(second_m, first_m)["micro_f1"] == 0.898


def test_every_held_out_real_post_has_an_independent_second_labelling() -> None:
    """All 888 held-out real posts were labelled again by four labelling sessions that saw only the texts and the
    written rules, never a first label or a model output (docs/topics.md, "An independent second labelling"). The
    first labels stay the test labels. Between the two labellings: macro-F1 0.8714, micro-F1 0.8818, every topic
    at least 0.78: the 0.80 target is below what two labellings reach, and far above the model's 0.59."""
    path = Path(__file__).resolve().parents[1] / "models" / "topics" / "data" / "test_second_labels.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    first = {a.id: a.labels for a in load_annotations() if a.split == "test"}
    second = {r["id"]: r["labels"] for r in rows}
    assert len(rows) == len(second) == len(first) == 888 and set(second) == set(first)
    assert {r["session"] for r in rows} == {1, 2, 3, 4} and all(set(r["labels"]) <= set(TOPIC_IDS) for r in rows)
    ids = sorted(first)
    agreement = prf(label_matrix([second[i] for i in ids]), label_matrix([first[i] for i in ids]))
    assert (agreement["macro_f1"], agreement["micro_f1"], agreement["exact_match"]) == (0.8714, 0.8818, 0.8412)
    assert min(t["f1"] for t in agreement["per_topic"].values()) >= 0.78


def test_disputed_held_out_posts_have_a_third_labelling_and_a_majority() -> None:
    """The 141 held-out posts where the two labellings differ were labelled a third time, blind; the per-topic
    majority of the three is the adjudicated labelling of docs/topics.md. The third sided with the second labelling
    on 95 posts and with the first on 30, and the majority changes the first labels of 109 posts."""
    folder = Path(__file__).resolve().parents[1] / "models" / "topics" / "data"
    first = {a.id: a.labels for a in load_annotations() if a.split == "test"}
    second = {r["id"]: r["labels"] for r in map(json.loads, (folder / "test_second_labels.jsonl").read_text("utf-8").splitlines())}
    third = {r["id"]: r["labels"] for r in map(json.loads, (folder / "test_third_labels.jsonl").read_text("utf-8").splitlines())}
    disputed = {i for i in first if sorted(first[i]) != sorted(second[i])}
    assert set(third) == disputed and len(disputed) == 141
    assert all(set(v) <= set(TOPIC_IDS) for v in third.values())
    assert sum(sorted(third[i]) == sorted(second[i]) for i in disputed) == 95
    assert sum(sorted(third[i]) == sorted(first[i]) for i in disputed) == 30

    def majority(i: str) -> list[str]:
        return [t for t in TOPIC_IDS if (t in first[i]) + (t in second[i]) + (t in third[i]) >= 2]

    adjudicated = {i: majority(i) if i in third else first[i] for i in first}
    assert sum(sorted(adjudicated[i]) != sorted(first[i]) for i in first) == 109
    ids = sorted(first)
    agreement = prf(label_matrix([first[i] for i in ids]), label_matrix([adjudicated[i] for i in ids]))
    assert agreement["macro_f1"] == 0.9062


def test_extra_rounds_are_training_posts_only_and_opt_in() -> None:
    """Rounds 9-11 (docs/topics.md, "Rounds 9-11") live in their own file, are read only when asked for, hold no
    held-out post or near-copy of one, and keep their composition: 1,000 + 2,238 real posts labelled by blind
    sessions (no entity labels) and 880 posts written by blind sessions."""
    from models.topics.data import EXTRA_ANNOTATIONS, load_annotations, parse_rounds

    base = load_annotations(extra=())
    assert len(base) == len(load_annotations()) == 3912  # the default reads no extra round
    extra = load_annotations(extra=(9, 10, 11))[len(base):]
    assert len(extra) == 4118 and {e.split for e in extra} == {"train"}
    by_round = {r: [e for e in extra if e.pool.startswith(f"round {r}:")] for r in (9, 10, 11)}
    assert [len(v) for v in by_round.values()] == [1000, 2238, 880]
    assert not any(e.synthetic or e.entities_annotated for e in by_round[9] + by_round[10])
    assert all(e.synthetic and e.source == "synthetic" for e in by_round[11])
    assert len(load_annotations(extra=(9, 11))) == 3912 + 1880
    # no held-out text, and no near-copy (word-trigram Jaccard >= 0.5) of a held-out post
    held = [e for e in base if e.split != "train"]
    assert not {fold(e.text) for e in extra} & {fold(e.text) for e in held}

    def shingles(text: str) -> set[str]:
        words = fold(text).split()
        return {" ".join(words[i : i + 3]) for i in range(max(len(words) - 2, 1))}

    index: dict[str, list[int]] = {}
    held_sh = [shingles(e.text) for e in held]
    for k, sh in enumerate(held_sh):
        for g in sh:
            index.setdefault(g, []).append(k)
    for e in extra:
        sh = shingles(e.text)
        shared: dict[int, int] = {}
        for g in sh:
            for k in index.get(g, ()):
                shared[k] = shared.get(k, 0) + 1
        assert all(c / len(sh | held_sh[k]) < 0.5 for k, c in shared.items()), e.id
    for bad in ("12", "9,x", ""):
        with pytest.raises(ValueError, match="comma-separated numbers"):
            parse_rounds(bad)
    assert parse_rounds("11, 9") == (9, 11) and EXTRA_ANNOTATIONS.name == "annotations_extra.jsonl"


def test_extra_rounds_reject_a_held_out_row_and_the_cli_a_bad_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import models.topics.data as data_module
    from models.topics.__main__ import main

    row = {"id": "roff:1", "text": "un text", "labels": [], "source": "roff", "licence": "x", "synthetic": False,
           "pool": "round 9: test", "split": "test"}
    bad = tmp_path / "extra.jsonl"
    bad.write_text(json.dumps(row) + "\n", encoding="utf-8")
    monkeypatch.setattr(data_module, "EXTRA_ANNOTATIONS", bad)
    with pytest.raises(ValueError, match="training posts only"):
        data_module.load_annotations(extra=(9,))
    assert len(data_module.load_annotations(extra=(10,))) == 3912  # rows of other rounds are not read
    bad.write_text(json.dumps({**row, "split": "train", "pool": "round 12: typo"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="names none of the extra rounds"):
        data_module.load_annotations(extra=(9,))
    monkeypatch.setenv(data_module.EXTRA_ROUNDS_ENV, "")
    assert main(["train", "--extra-rounds", "8", "--work-dir", str(tmp_path)]) == 2
    assert "comma-separated numbers from (9, 10, 11)" in capsys.readouterr().err


def test_round9_overlap_shows_how_often_two_sessions_agree() -> None:
    """120 round-9 posts were labelled by two sessions; the owner's label is the one in the extra rounds."""
    from models.topics.data import load_annotations

    path = Path(__file__).resolve().parents[1] / "models" / "topics" / "data" / "annotations_extra_overlap.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    owner = {e.id: e.labels for e in load_annotations(extra=(9,)) if e.pool.startswith("round 9:")}
    assert len(rows) == 120 and all(r["owner_labels"] == owner[r["id"]] for r in rows)
    assert all(r["owner_session"] != r["other_session"] for r in rows)
    assert sum(sorted(r["owner_labels"]) == sorted(r["other_labels"]) for r in rows) == 113
    agreement = prf(label_matrix([r["other_labels"] for r in rows]), label_matrix([r["owner_labels"] for r in rows]))
    assert agreement["micro_f1"] == 0.9231


def test_e5_projection_is_a_fixed_unit_length_block_and_survives_pickling(tmp_path: Path) -> None:
    import joblib

    from models.topics.model import ModelConfig, TopicClassifier, fit_projection

    rng = np.random.default_rng(0)
    vocab = ["spital", "medic", "scoala", "profesor", "autobuz", "tramvai", "gunoi", "parc", "pensie", "taxa"]
    texts = [" ".join(rng.choice(vocab, 5)) for _ in range(200)]
    embeddings = rng.normal(size=(200, 24))
    projection = fit_projection(texts, embeddings, dims=8, alpha=1.0)
    again = fit_projection(texts, embeddings, dims=8, alpha=1.0)
    assert projection.dims == 8 and projection.info["posts"] == 200
    z = projection.transform(["spital medic", "nimic cunoscut aici"])
    assert np.allclose(np.linalg.norm(z[0]), 1.0, atol=1e-3) and np.allclose(z[1], 0.0)  # unknown words: zero
    assert np.array_equal(z, again.transform(["spital medic", "nimic cunoscut aici"]))
    clf = TopicClassifier(ModelConfig(projection_weight=1.0, min_df=1))
    clf.projection = projection
    Y = np.zeros((200, len(TOPIC_IDS)), dtype=np.int8)
    Y[:, TOPIC_IDS.index("sanatate")] = [("spital" in t) for t in texts]
    clf.fit(texts, Y)
    assert clf.coef is not None and clf.coef.shape[1] == clf.featurizer.n_features + 8  # type: ignore[union-attr]
    joblib.dump(clf, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    assert "_weights32" in projection.__dict__  # float32 copy made once per process for scoring ...
    assert "_weights32" not in loaded.projection.__dict__  # ... and never written into the artifact
    sample = ["spital nou", "autobuz vechi"]
    assert np.array_equal(loaded.predict_proba(sample), clf.predict_proba(sample))
    assert loaded.predict_proba(sample)[0, TOPIC_IDS.index("sanatate")] > 0.5


def test_projection_variant_is_skipped_without_the_committed_projection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.topics import pipeline

    monkeypatch.setattr(pipeline, "E5_PROJECTION", tmp_path / "missing.joblib")
    assert "H_plus_e5_projection" not in pipeline.available_variants(tmp_path)
    monkeypatch.setattr(pipeline, "E5_PROJECTION", tmp_path / "present.joblib")
    (tmp_path / "present.joblib").write_bytes(b"x")
    assert "H_plus_e5_projection" in pipeline.available_variants(tmp_path)


def test_projection_survives_plain_arrays() -> None:
    """to_arrays / from_arrays (the no-pickle form the sentiment artifact stores) give the same block."""
    from models.topics.model import E5Projection, fit_projection

    rng = np.random.default_rng(3)
    vocab = ["spitalele", "medicul", "scolile", "profesorii", "autobuzul", "gunoaiele", "pensia", "taxele"]
    texts = [" ".join(rng.choice(vocab, 4)) for _ in range(120)]
    projection = fit_projection(texts, rng.normal(size=(120, 16)), dims=6)
    arrays = projection.to_arrays()
    assert all(not a.dtype.hasobject for a in arrays.values())
    rebuilt = E5Projection.from_arrays(arrays)
    sample = ["medicul de la spitale", "taxele si pensia", "nimic"]
    assert rebuilt.dims == 6 and rebuilt.info == projection.info
    assert np.array_equal(rebuilt.transform(sample), projection.transform(sample))
    arrays["projection_word_idf"] = arrays["projection_word_idf"][:-1]
    with pytest.raises(ValueError, match="do not match their vocabularies"):
        E5Projection.from_arrays(arrays)


def test_nb_scale_grows_with_how_well_a_column_separates_the_topic() -> None:
    from scipy import sparse

    from models.topics.model import nb_scale

    # column 0: only in positives; column 1: in every post; column 2: mostly in negatives
    X = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1], [0, 1, 1], [0, 1, 1], [0, 1, 0]], float))
    positive = np.array([True, True, False, False, False, False])
    scale = nb_scale(X, positive, np.ones(6))
    assert scale[0] > scale[2] > scale[1] >= 0.0
    assert np.allclose(nb_scale(X, positive, np.ones(6), power=2.0), scale**2)
    assert np.allclose(nb_scale(X, positive, np.ones(6), power=0.5), np.sqrt(scale))


def test_nb_scaling_is_folded_into_the_weights_and_keeps_the_other_blocks_unscaled() -> None:
    from models.topics.model import ModelConfig, TopicClassifier

    rng = np.random.default_rng(5)
    vocab = ["spital", "medic", "scoala", "profesor", "autobuz", "tramvai", "gunoi", "parc"]
    texts = [" ".join(rng.choice(vocab, 4)) for _ in range(160)]
    Y = np.zeros((160, len(TOPIC_IDS)), dtype=np.int8)
    Y[:, TOPIC_IDS.index("sanatate")] = [("spital" in t or "medic" in t) for t in texts]
    plain = TopicClassifier(ModelConfig(min_df=1)).fit(texts, Y)
    scaled = TopicClassifier(ModelConfig(min_df=1, nb_scaling=1.0)).fit(texts, Y)
    assert plain.coef is not None and scaled.coef is not None
    assert not np.allclose(plain.coef, scaled.coef)  # the scaling changes the fit ...
    k = TOPIC_IDS.index("sanatate")
    sample = ["spital medic", "autobuz parc"]
    p = scaled.predict_proba(sample)[:, k]  # ... and scoring is the usual product (weights carry the scale)
    assert p[0] > 0.5 > p[1]
    assert scaled._n_gram_columns() == scaled.featurizer.n_features - len(TOPIC_IDS)  # type: ignore[union-attr]


def _reference_features(fz: object, texts: list[str]) -> np.ndarray:
    """The featurizer's definition, one post and one token at a time (what the vectorised ``transform`` must
    reproduce): sublinear-tf idf word (lemma unigram + known bigram) and prefix blocks, each L2-normalised, then
    log(1 + seed hits) with multi-word phrases counted in every post."""
    from models.topics.model import TOKEN, Featurizer, fast_fold

    assert isinstance(fz, Featurizer)
    cfg = fz.config
    blocks = []
    for use, vocab, idf in ((cfg.use_word, fz.word_vocab, fz.word_idf), (cfg.use_prefix, fz.prefix_vocab, fz.prefix_idf)):
        if not use:
            continue
        block = np.zeros((len(texts), len(vocab)))
        for r, text in enumerate(texts):
            lems = [fz.lemmas.get(t, t) for t in TOKEN.findall(fast_fold(text))]
            if vocab is fz.word_vocab:
                feats = [lem for lem in lems if len(lem) > 1 and lem in vocab]
                if cfg.use_bigrams:
                    feats += [f"{a} {b}" for a, b in zip(lems, lems[1:], strict=False)
                              if a in vocab and b in vocab and len(a) > 1 and len(b) > 1 and f"{a} {b}" in vocab]
            else:
                feats = [lem[: cfg.prefix_len] for lem in lems if len(lem) > 2 and lem[: cfg.prefix_len] in vocab]
            for f in set(feats):
                block[r, vocab[f]] = (1 + np.log(feats.count(f))) * idf[vocab[f]]
            norm = np.linalg.norm(block[r])
            block[r] /= norm or 1.0
        blocks.append(block)
    if cfg.use_seeds:
        seeds = np.zeros((len(texts), fz.n_topics), dtype=np.float32)
        for r, text in enumerate(texts):
            toks = TOKEN.findall(fast_fold(text))
            for tok in toks:
                for k in fz.seeds._token_hits(tok, fz.lemmas.get(tok, tok)):
                    seeds[r, k] += 1
            fz.add_phrase_hits(toks, seeds[r])
        blocks.append(np.log1p(seeds) * cfg.seed_weight)
    return np.hstack(blocks)


_FEATURE_TEXTS = [
    "", "   ", "a", "Spitalul județean nu are medici, iar spitalul din Turda e închis",
    "Casa de Pensii nu răspunde la telefon; pensia a întârziat", "ANAF ANAF anaf impozit pe venit",
    "#StaiAcasa @PrimariaS3 ghiseul.ro https://ghiseul.ro/plata", "transport public transport public autobuz",
    "x " * 40, "Școală ŞI ţară, café — 👍 OK", "bugetare participativa si consultare publica la primarie",
]


@given(st.lists(st.one_of(st.sampled_from(_FEATURE_TEXTS), st.text(max_size=80)), max_size=8))
@settings(max_examples=60, deadline=None)
def test_vectorised_features_equal_the_per_post_definition(texts: list[str]) -> None:
    """The batch featurizer (numpy over all tokens, docs/performance.md item 25) and its projection equal the
    one-post-at-a-time definition, for the topic features (with seeds and phrases) and the e5 projection."""
    model = load_predictor().model
    for fz in (model.featurizer, model.projection.featurizer):
        got = fz.transform(texts).toarray()
        assert got.shape == (len(texts), fz.n_features)
        np.testing.assert_allclose(got, _reference_features(fz, texts), rtol=1e-5, atol=1e-6)


def test_vectorised_features_share_tokens_and_reject_a_wrong_count() -> None:
    from models.topics.model import folded_tokens

    model = load_predictor().model
    texts = _FEATURE_TEXTS
    toks = folded_tokens(texts)
    assert (model.featurizer.transform(texts, toks) != model.featurizer.transform(texts)).nnz == 0
    np.testing.assert_allclose(model.featurizer.transform(texts).toarray(), _reference_features(model.featurizer, texts),
                               rtol=1e-5, atol=1e-6)
    assert model.featurizer.transform(texts).toarray()[:, -len(TOPIC_IDS):].sum() > 0  # seeds do fire
    with pytest.raises(ValueError, match="token lists"):
        model.featurizer.transform(texts, toks[:-1])


def _nested_dev(proba: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """The experiments' nested dev: thresholds tuned on four fifths of the out-of-fold predictions, macro-F1 on the
    fifth, 5 repeats (25 scores), as ``notebooks/experiments/e5_finetune/evaluate.py``."""
    from sklearn.model_selection import KFold

    from models.topics.model import best_thresholds

    scores = []
    for r in range(5):
        for a, b in KFold(5, shuffle=True, random_state=100 + r).split(gold):
            thr = best_thresholds(proba[a], gold[a])
            scores.append(prf((proba[b] >= thr).astype(np.int8), gold[b])["macro_f1"])
    return np.array(scores)


def test_e5_finetune_experiment_figures_follow_from_its_probabilities() -> None:
    """The fine-tuning experiment (docs/topics.md, "Fine-tuning e5-small"; scripts in notebooks/experiments/e5_finetune)
    needs torch to re-run, so its committed probabilities are checked instead: the baseline is the shipped model
    (same held-out macro-F1 as its metrics), and the documented figures follow from the probabilities."""
    from models.topics.model import best_thresholds

    folder = ROOT / "notebooks" / "experiments" / "e5_finetune" / "results"
    z = np.load(folder / "probabilities.npz")
    evaluation = json.loads((folder / "evaluation.json").read_text(encoding="utf-8"))
    gold_oof = z["gold_oof"]
    test = [e for e in load_annotations() if e.split == "test"]
    gold_test = label_matrix([e.labels for e in test])
    assert len(z["I_heldout"]) == len(z["ft_heldout"]) == len(test) + 147

    def heldout(oof: np.ndarray, proba: np.ndarray) -> float:
        pred = (proba[: len(test)] >= best_thresholds(oof, gold_oof)).astype(np.int8)
        return float(prf(pred, gold_test)["macro_f1"])

    def nested(proba: np.ndarray) -> float:
        return round(float(_nested_dev(proba, gold_oof).mean()), 4)

    shipped = json.loads((ROOT / "models" / "topics" / "artifacts" / "metrics.json").read_text())["test_macro_f1"]
    average_oof, average_heldout = (z["I_oof"] + z["ft_oof"]) / 2, (z["I_heldout"] + z["ft_heldout"]) / 2
    assert heldout(z["I_oof"], z["I_heldout"]) == shipped == 0.5934
    assert heldout(z["ft_oof"], z["ft_heldout"]) == 0.5712
    assert heldout(average_oof, average_heldout) == 0.6106
    assert (nested(z["I_oof"]), nested(average_oof)) == (0.5999, 0.6464)
    held = evaluation["heldout"]
    assert held["average, 0.50 fine-tuned"]["test_macro_f1"] == 0.6106
    assert evaluation["nested_dev"]["average, 0.50 fine-tuned"]["diff"] == 0.0465
    docs = (ROOT / "docs" / "topics.md").read_text(encoding="utf-8")
    assert "**0.6106**" in docs and "**+0.0465 ± 0.0047**" in docs and "0.5712" in docs
    assert "| topics macro-F1, fine-tuned e5-small |" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_shipped_model_on_the_extra_rounds_it_never_trained_on_matches_the_docs() -> None:
    """Rounds 9 and 11 are held out from topics-2.3.0; docs/topics.md quotes its figures on them."""
    from models.topics.data import EXTRA_ANNOTATIONS

    predictor = load_predictor()
    rows = [json.loads(line) for line in EXTRA_ANNOTATIONS.read_text(encoding="utf-8").splitlines()]
    docs = (Path(__file__).resolve().parents[1] / "docs" / "topics.md").read_text(encoding="utf-8").replace("**", "")
    for prefix, n_posts, n_empty in (("round 11:", 880, 192), ("round 9:", 1000, 671)):
        chosen = [r for r in rows if r["pool"].startswith(prefix)]
        assert len(chosen) == n_posts
        assert not set(r["id"] for r in chosen) & {e.id for e in load_annotations(extra=())}  # never trained on
        predicted, _ = predictor.predict_many([r["text"] for r in chosen])
        m = prf(label_matrix(predicted), label_matrix([r["labels"] for r in chosen]))
        assert m["n_no_topic_posts"] == n_empty
        line = f"| {m['macro_f1']:.4f} | {m['micro_f1']:.4f} | {m['empty_list_accuracy']:.4f} |"
        assert line in docs, (prefix, line)


def test_e5_finetune_with_extra_rounds_figures_follow_from_its_probabilities() -> None:
    """The declared follow-up (fine-tuning with rounds 9 + 11): its committed probabilities give the documented
    nested-dev figures, and the first run's probabilities are the baseline they are paired with."""
    folder = ROOT / "notebooks" / "experiments" / "e5_finetune" / "results"
    first, extra = np.load(folder / "probabilities.npz"), np.load(folder / "probabilities_extra.npz")
    gold = first["gold_oof"]
    assert extra["Ix_oof"].shape == extra["ftx_oof"].shape == gold.shape

    def nested(proba: np.ndarray) -> np.ndarray:
        return _nested_dev(proba, gold)

    base, with_extra = nested((first["I_oof"] + first["ft_oof"]) / 2), nested((extra["Ix_oof"] + extra["ftx_oof"]) / 2)
    diff = with_extra - base
    figures = (round(float(nested(extra["Ix_oof"]).mean()), 4), round(float(nested(extra["ftx_oof"]).mean()), 4),
               round(float(with_extra.mean()), 4), round(float(diff.mean()), 4),
               round(float(diff.std() / np.sqrt(len(diff))), 4))
    assert figures == (0.6248, 0.6005, 0.6629, 0.0165, 0.0053)
    evaluation = json.loads((folder / "evaluation_extra.json").read_text(encoding="utf-8"))
    assert evaluation["paired"]["avg(FTx, Ix) - avg(FT, I)"] == {"diff": 0.0165, "se": 0.0053, "up": "18/25"}
    docs = (ROOT / "docs" / "topics.md").read_text(encoding="utf-8")
    assert "| 0.6464 | **0.6629** | +0.0165 ± 0.0053 (18 of 25 up) |" in docs
