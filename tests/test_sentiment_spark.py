"""Spark inference through mapInArrow gives exactly the in-process predictions."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from models.sentiment import load_model, predict_texts
from models.sentiment.spark import SENTIMENT_COLUMNS, score_batches, score_dataframe

TEXTS = [
    "Mulțumim primăriei, parcul nou este minunat!",
    "Este groaznic, o bataie de joc 😡",
    "Ședința consiliului local are loc joi.",
    "Nu e rău deloc",
    "<URL>",
    "",
    None,
    "n-a mers nimic, rușine",
]


def test_score_batches_appends_columns() -> None:
    batch = pa.RecordBatch.from_pydict({"id": list(range(len(TEXTS))), "text": TEXTS})
    (out,) = list(score_batches(iter([batch])))
    assert out.schema.names == ["id", "text", *SENTIMENT_COLUMNS]
    labels, probs = predict_texts(TEXTS)
    assert out.column("sentiment").to_pylist() == labels
    assert np.array_equal(out.column("p_positive").to_numpy(), probs[:, 2])
    assert set(out.column("sentiment_model_version").to_pylist()) == {load_model().version}


def test_map_in_arrow_equals_in_process(spark: object) -> None:
    rows = [(i, t) for i, t in enumerate(TEXTS)]
    df = spark.createDataFrame(rows, "id INT, body STRING")  # type: ignore[attr-defined]
    assert df.rdd.getNumPartitions() > 1  # several Arrow batches / workers
    scored = sorted(score_dataframe(df, text_col="body").collect(), key=lambda r: r["id"])
    labels, probs = predict_texts(TEXTS)
    assert [r["sentiment"] for r in scored] == labels
    got = np.array([[r["p_negative"], r["p_neutral"], r["p_positive"]] for r in scored])
    assert np.allclose(got, probs, rtol=0, atol=1e-12)
    assert {r["sentiment_model_version"] for r in scored} == {load_model().version}
    assert [r["body"] for r in scored] == TEXTS


def test_score_dataframe_rejects_missing_column(spark: object) -> None:
    df = spark.createDataFrame([(1, "x")], "id INT, body STRING")  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="column 'text'"):
        score_dataframe(df)
