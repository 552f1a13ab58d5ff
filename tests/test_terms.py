"""Emerging-term candidates: examples, hypothesis properties, and the Spark pass against a SQL oracle."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.text.terms import STOPWORDS, post_terms

PIECES = ["<phone>", "<url>", "https://x.ro/a?b", "www.site.ro", "@primaria", "user-3fa2", "0123456789abcdef",
          "2026", "!", ",", "-", "\t", "\xa0", "ăîș", "Apa", "ŞCOALA"]
WORDS = ["apa", "rece", "spital", "nu", "avem", "la", "de", "ieri", "caldura", "primaria", "bloc", "ok", "xy"]
key_text = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(PIECES),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz <>@-_.:/0123456789", max_size=12),
    ),
    max_size=25,
).map(" ".join)


def test_unigrams_then_bigrams_without_stop_words_placeholders_or_links() -> None:
    text = "nu avem apa rece la spital, apa rece de ieri <phone> https://x.ro/apa @primaria user-ab12 www.a.ro"
    assert post_terms(text) == ["apa", "rece", "spital", "ieri", "apa rece", "spital apa"]  # "avem" is a stop word


def test_a_dropped_word_breaks_the_bigram() -> None:
    assert post_terms("apa de rece") == ["apa", "rece"]  # "de" is a stop word
    assert post_terms("apa xy rece") == ["apa", "rece"]  # "xy" is too short
    assert post_terms(None) == [] and post_terms("") == [] and post_terms("<url> 12 !!") == []


@settings(max_examples=300, deadline=None)
@given(key_text)
def test_terms_are_distinct_kept_words_and_adjacent_pairs(text: str) -> None:
    terms = post_terms(text)
    assert len(terms) == len(set(terms))
    for term in terms:
        words = term.split(" ")
        assert 1 <= len(words) <= 2
        assert all(len(w) >= 3 and w not in STOPWORDS and w.isascii() and w.isalpha() for w in words)
    bigrams = [t for t in terms if " " in t]
    unigrams = set(terms) - set(bigrams)
    assert all(set(b.split(" ")) <= unigrams for b in bigrams)
    assert post_terms(text.upper()) == terms  # the key is lower-cased first


def _sql_oracle(df: Any) -> Any:
    """The Spark SQL formulation the gold job used before the Arrow pass (higher-order functions)."""
    from pyspark.sql import functions as F

    from jobs.text.terms import PLACEHOLDER_RE

    cleaned = F.regexp_replace(F.lower(F.col("text_key")), PLACEHOLDER_RE.pattern, " ")
    tokens = F.filter(F.split(cleaned, "[^a-z]+"), lambda w: F.length(w) > 0)
    stop = F.array(*[F.lit(w) for w in sorted(STOPWORDS)])

    def keep(w: Any) -> Any:
        return (F.length(w) >= 3) & ~F.array_contains(stop, w)

    t = df.select("post_id", F.col("created_date").alias("day"), "author_pseudonym", tokens.alias("_t"))
    pairs = F.zip_with(F.col("_t"), F.slice(F.col("_t"), 2, 1_000_000),
                       lambda a, b: F.when(keep(a) & keep(b), F.concat_ws(" ", a, b)))
    both = F.concat(F.filter(F.col("_t"), keep), F.filter(pairs, lambda p: p.isNotNull()))
    return t.select("post_id", "day", "author_pseudonym", F.explode(F.array_distinct(both)).alias("term"))


def test_spark_pass_equals_the_sql_formulation(spark: Any) -> None:
    from jobs.gold import post_terms as spark_terms

    rng = random.Random(7)
    texts = [" ".join(rng.choice(WORDS + PIECES) for _ in range(rng.randint(0, 30))) for _ in range(300)]
    rows = [(f"p{i}", date(2026, 11, 1 + i % 3), f"a{i % 7}", t) for i, t in enumerate(texts)]
    rows.append(("p-null", date(2026, 11, 1), None, None))
    df = spark.createDataFrame(rows, "post_id string, created_date date, author_pseudonym string, text_key string")
    got, want = spark_terms(df), _sql_oracle(df)
    assert got.schema.simpleString() == want.schema.simpleString()
    assert not got.exceptAll(want).collect() and not want.exceptAll(got).collect()
    assert got.count() > 0
