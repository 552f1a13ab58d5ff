"""Gold indicators and alerts: pure scoring logic, then one lake scenario (initial day, incremental
day, unchanged re-run, backfilled earlier day, erased post) compared with hand-computed rows and
with a from-scratch recomputation, both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from gold_data import load, post

from jobs.gold import (
    AlertThresholds,
    days_to_recompute,
    dimension_alerts,
    median,
    robust_z,
    run_gold,
    term_alerts,
)
from schemas.gold import ALERTS, ALL, INDICATORS_DAILY, NONE

D1 = date(2026, 11, 2)
MS = "ministerul_sanatatii"


# --------------------------------------------------------------------------- pure logic
def test_median_and_robust_z() -> None:
    assert median([]) == 0.0
    assert median([3, 1, 2]) == 2.0
    assert median([4, 1, 3, 2]) == 2.5
    base, mad, z = robust_z(30, [10, 12, 11, 9, 10, 13, 10], 1.0)
    assert (base, mad) == (10.0, 1.0)
    assert z == pytest.approx(20 / 1.4826, abs=1e-4)
    # a flat history has MAD 0: the floor keeps z finite
    assert robust_z(5, [5, 5, 5], 1.0) == (5.0, 0.0, 0.0)


def test_days_to_recompute_covers_the_following_27_days_only_when_known() -> None:
    d = date(2026, 11, 27)
    assert days_to_recompute([d], d, set()) == [d]
    late = date(2026, 11, 20)
    assert days_to_recompute([late, d], d, set()) == [late + timedelta(days=i) for i in range(8)]
    # backfill of an earlier day: existing later partitions within 27 days are refreshed, not beyond
    back = date(2026, 10, 1)
    existing = {date(2026, 10, 5), date(2026, 10, 28), date(2026, 10, 29)}
    assert days_to_recompute([back], back, existing) == [back, date(2026, 10, 5), date(2026, 10, 28)]


def _series(dim: str, value: str, counts: dict[date, tuple[int, int, int]]) -> list[dict[str, Any]]:
    return [
        {"day": d, "dimension": dim, "dimension_value": value, "dimension_label": None,
         "posts": p, "scored": s, "negative": n}
        for d, (p, s, n) in counts.items()
    ]


def test_volume_spike_fires_only_above_threshold_and_minimum_volume() -> None:
    t = AlertThresholds()
    day = date(2026, 11, 30)
    first = day - timedelta(days=28)
    history = {day - timedelta(days=k): (10 + k % 3, 0, 0) for k in range(1, 29)}
    spike = _series("topic", "health", {**history, day: (60, 0, 0)})
    alerts = dimension_alerts(spike, [day], first, t)
    assert [(a.alert_type, a.dimension_value) for a in alerts] == [("volume_spike", "health")]
    a = alerts[0]
    assert a.baseline == 11.0 and a.observed == 60.0 and a.z >= t.z_threshold
    assert "60 postări" in a.explanation_ro and "60 posts" in a.explanation_en
    # same relative jump on tiny numbers: below min_posts, nothing fires
    small = {d: (1 if d != day else 6, 0, 0) for d in [*history, day]}
    assert dimension_alerts(_series("topic", "x", small), [day], first, t) == []
    # ordinary day: no alert
    assert dimension_alerts(_series("topic", "health", {**history, day: (12, 0, 0)}), [day], first, t) == []
    # not enough history (lake started 3 days ago): no alert
    assert dimension_alerts(spike, [day], day - timedelta(days=3), t) == []


def test_negative_surge_uses_shares_of_days_with_scored_posts() -> None:
    t = AlertThresholds()
    day = date(2026, 11, 30)
    hist = {day - timedelta(days=k): (40, 40, 8 + k % 2) for k in range(1, 15)}
    rows = _series("institution_id", "anaf", {**hist, day: (40, 40, 30)})
    alerts = [a for a in dimension_alerts(rows, [day], day - timedelta(days=60), t) if a.alert_type == "negative_surge"]
    assert len(alerts) == 1
    assert alerts[0].observed == pytest.approx(0.75) and alerts[0].baseline == pytest.approx(0.2125)
    assert "negativ" in alerts[0].explanation_ro
    fewer = {**hist, day: (40, 40, 10)}
    assert not [a for a in dimension_alerts(_series("institution_id", "anaf", fewer), [day], day - timedelta(days=60), t)
                if a.alert_type == "negative_surge"]


def test_emerging_terms_need_posts_and_authors_and_keep_top_n() -> None:
    t = AlertThresholds(max_terms_per_day=1)
    day = date(2026, 11, 30)
    first = day - timedelta(days=28)
    counts = [{"term": "apa rece", "day": day, "posts": 25, "authors": 20},
              {"term": "caldura", "day": day, "posts": 15, "authors": 12},
              {"term": "bot", "day": day, "posts": 40, "authors": 1}]
    counts += [{"term": "caldura", "day": day - timedelta(days=k), "posts": 1, "authors": 1} for k in range(1, 5)]
    alerts = term_alerts(counts, [day], first, t)
    assert [a.dimension_value for a in alerts] == ["apa rece"]
    assert len(term_alerts(counts, [day], first, AlertThresholds())) == 2


# --------------------------------------------------------------------------- lake scenario
def _day1() -> list[dict[str, Any]]:
    return [
        post("p1", D1, "a", "negative", ["health", "education"], [MS], "RO-CJ", likes=10),
        post("p2", D1, "b", "positive", ["health"], [MS, "anaf"], "RO-CJ", likes=2),
        post("p3", D1, "a", "neutral", [], [], None, "e_petition", "petitii", signatures=100),
        post("p4", D1, "c", None, None, None, "RO-B", "social_news", "reddit"),
    ]


ROLLING = ("posts_7d", "posts_28d", "net_sentiment_7d", "net_sentiment_28d", "net_sentiment_wow_change")
COLS = ["grouping_level", "institution_id", "topic", "posts", "distinct_authors", "scored", "negative", "neutral",
        "positive", "net_sentiment", "share_of_voice_in_topic", "share_of_voice_in_institution", "likes",
        "signatures"]
EXPECTED_D1 = [
    ("total", ALL, ALL, 4, 3, 3, 1, 1, 1, 0.0, None, None, 12, 100),
    ("topic", ALL, "health", 2, 2, 2, 1, 0, 1, 0.0, None, 0.4, 12, 0),
    ("topic", ALL, "education", 1, 1, 1, 1, 0, 0, -1.0, None, 0.2, 10, 0),
    ("topic", ALL, NONE, 2, 2, 1, 0, 1, 0, 0.0, None, 0.4, 0, 100),
    ("institution", MS, ALL, 2, 2, 2, 1, 0, 1, 0.0, 0.4, None, 12, 0),
    ("institution", "anaf", ALL, 1, 1, 1, 0, 0, 1, 1.0, 0.2, None, 2, 0),
    ("institution", NONE, ALL, 2, 2, 1, 0, 1, 0, 0.0, 0.4, None, 0, 100),
    ("institution_topic", MS, "health", 2, 2, 2, 1, 0, 1, 0.0, 0.666667, 0.666667, 12, 0),
    ("institution_topic", MS, "education", 1, 1, 1, 1, 0, 0, -1.0, 1.0, 0.333333, 10, 0),
    ("institution_topic", "anaf", "health", 1, 1, 1, 0, 0, 1, 1.0, 0.333333, 1.0, 2, 0),
    ("institution_topic", NONE, NONE, 2, 2, 1, 0, 1, 0, 0.0, 1.0, 1.0, 0, 100),
]


def _assert_same(actual: Any, expected: Any) -> None:
    missing = expected.exceptAll(actual).collect()
    extra = actual.exceptAll(expected).collect()
    assert not missing and not extra, f"missing {missing}\nextra {extra}"


def _total(lake: Any, day: date) -> Any:
    return lake.read(INDICATORS_DAILY).where(f"day = '{day}' AND grouping_level = 'total'").collect()[0]


def _from_scratch(lake: Any) -> tuple[Any, Any]:
    """(table, recomputation): every gold day recomputed from all the posts in one pass, no metadata."""
    from jobs.gold import compute_indicators, daily_window
    from schemas.enriched import POSTS_ENRICHED

    stored = lake.read(INDICATORS_DAILY).drop("gold_run_id", "computed_at")
    days = sorted(r["day"] for r in stored.select("day").distinct().collect())
    full = compute_indicators(daily_window(lake.read(POSTS_ENRICHED), days, 27), days, "x", datetime.now(UTC))
    return stored, full.select(*stored.columns)


def test_gold_scenario_initial_incremental_rerun_backfill(
    spark: Any, settings: Any, lake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jobs.gold as gold_job

    only = ("indicators_daily",)  # alerts have their own Spark test; runs 1 and 3 include them
    # 1. initial day
    load(lake, _day1())
    r1 = run_gold(settings, spark, D1, "run-1", lake, only=("indicators_daily", "alerts"))
    assert r1.written["indicators_daily"] == [D1.isoformat()]
    assert r1.written["term_counts_daily"] == [D1.isoformat()]  # written with the alerts
    levels = sorted({e[0] for e in EXPECTED_D1})
    actual = lake.read(INDICATORS_DAILY).where(f"day = '{D1}'").select(*COLS)
    actual = actual.where(actual.grouping_level.isin(levels))
    expected = spark.createDataFrame(EXPECTED_D1, actual.schema)
    _assert_same(actual, expected)
    counts = {r["grouping_level"]: r["count"] for r in
              lake.read(INDICATORS_DAILY).groupBy("grouping_level").count().collect()}
    assert counts["platform"] == 3 and counts["county"] == 3 and counts["detail"] == 5
    t1 = _total(lake, D1)
    assert t1.mean_p_negative == pytest.approx(1 / 3, abs=1e-6) and t1.posts_7d == 4 and t1.posts_wow_change is None

    # 2. incremental day a week later
    d8 = D1 + timedelta(days=7)
    load(lake, [post("q1", d8, "d", "negative", ["health"], [MS], "RO-CJ"),
                post("q2", d8, "e", "negative", ["health"], [], "RO-CJ")])
    aggregated: list[int] = []  # posts each daily_aggregates call reads: D1 comes back from gold
    real = gold_job.daily_aggregates
    monkeypatch.setattr(gold_job, "daily_aggregates", lambda df: (aggregated.append(df.count()), real(df))[1])
    r2 = run_gold(settings, spark, d8, "run-2", lake, only=only)
    monkeypatch.setattr(gold_job, "daily_aggregates", real)
    assert aggregated == [2]
    assert r2.recomputed_days == [d8] and r2.written["indicators_daily"] == [d8.isoformat()]
    t8 = _total(lake, d8)
    assert (t8.posts, t8.posts_7d, t8.posts_prev_7d, t8.posts_28d) == (2, 2, 4, 6)
    assert t8.posts_wow_change == pytest.approx(-0.5)
    assert t8.net_sentiment_7d == -1.0 and t8.net_sentiment_28d == pytest.approx(-2 / 5)
    assert t8.net_sentiment_wow_change == pytest.approx(-1.0)

    # 3. unchanged re-run commits nothing
    before = {c.name: lake.version(c) for c in (INDICATORS_DAILY, ALERTS)}
    r3 = run_gold(settings, spark, d8, "run-3", lake, only=("indicators_daily", "alerts"))
    # the first alerts run for d8 stores its term counts; nothing else changes
    assert r3.written == {"indicators_daily": [], "alerts": [], "term_counts_daily": [d8.isoformat()]}
    assert {k: v for k, v in r3.versions.items() if k in before} == before

    # 4. backfilled earlier day refreshes the rolling values of the days after it
    d0 = D1 - timedelta(days=1)
    load(lake, [post("b1", d0, "f", "positive", ["health"], [MS], "RO-CJ")])
    r4 = run_gold(settings, spark, d0, "run-4", lake, only=only)
    assert r4.recomputed_days == [d0, D1, d8]
    assert r4.written["indicators_daily"] == [d0.isoformat(), D1.isoformat(), d8.isoformat()]
    t1b = _total(lake, D1)
    assert (t1b.posts, t1b.posts_7d) == (4, 5)  # the day itself is unchanged, its rolling values are not
    t8b = _total(lake, d8)
    assert (t8b.posts_prev_7d, t8b.posts_28d) == (5, 7)
    old = lake.read(INDICATORS_DAILY, version=before["indicators_daily"]).where(f"day = '{D1}'").drop(
        *ROLLING, "gold_run_id", "computed_at")
    new = lake.read(INDICATORS_DAILY).where(f"day = '{D1}'").drop(
        *ROLLING, "gold_run_id", "computed_at")
    _assert_same(new, old)  # everything but the rolling values is as before

    # 5. a post of D1 erased from the posts without gold running: the next run finds D1 stale; d0,
    # touched by a late post landing on d8, changes too but is recomputed as touched, not stale
    from schemas.enriched import POSTS_ENRICHED

    kept = lake.read(POSTS_ENRICHED).where(f"created_date = '{D1}' AND post_id != 'p1'")
    lake.replace_partition(POSTS_ENRICHED, kept, D1)
    load(lake, [post("b2", d0, "g", "neutral", ["health"], [], "RO-CJ", landing=d8)])
    r5 = run_gold(settings, spark, d8, "run-5", lake, only=only)
    assert r5.stale_days == [D1] and r5.recomputed_days == [d0 + timedelta(days=k) for k in range(9)]
    assert r5.written["indicators_daily"] == [d0.isoformat(), D1.isoformat(), d8.isoformat()]
    assert (_total(lake, d0).posts, _total(lake, D1).posts, _total(lake, d8).posts_28d) == (2, 3, 7)
    _assert_same(*_from_scratch(lake))  # incremental runs == every day recomputed from all the posts


def test_alerts_in_spark_fire_with_examples_from_masked_text(spark: Any) -> None:
    from pyspark.sql import functions as F

    from jobs.gold import compute_alerts, daily_window
    from schemas.enriched import POSTS_ENRICHED

    day = date(2026, 11, 20)
    first = day - timedelta(days=10)
    rows = []
    for k in range(1, 11):  # quiet history: 2 posts a day on health, one of them about cold water
        d = day - timedelta(days=k)
        rows += [post(f"h{k}-{i}", d, f"old{i}", "neutral", ["health"], [], "RO-CJ",
                      text=f"program normal {i}" + (" apa rece" if i == 0 else "")) for i in range(2)]
    rows += [  # the day: 25 posts from 25 people, mostly negative, about cold water
        post(f"s{i}", day, f"user{i}", "negative" if i < 20 else "neutral", ["health"], [], "RO-CJ",
             text=f"Nu avem apa rece la spital de ieri, sunati la <PHONE> {i}", likes=i)
        for i in range(25)
    ]
    enriched = spark.createDataFrame(rows, POSTS_ENRICHED.schema)
    daily = daily_window(enriched, [day], 28)
    alerts = compute_alerts(enriched, daily, [day], first, "run", datetime(2026, 11, 21, tzinfo=UTC)).collect()
    got = {(a.alert_type, a.dimension, a.dimension_value) for a in alerts}
    assert ("volume_spike", "topic", "health") in got and ("volume_spike", "county_code", "RO-CJ") in got
    assert ("emerging_term", "term", "apa rece") in got
    assert not [g for g in got if g[1] == "term" and g[2] in ("phone", "avem", "nu")]  # placeholders, stop words
    spike = next(a for a in alerts if a.alert_type == "volume_spike" and a.dimension == "topic")
    assert (spike.observed, spike.baseline, spike.support) == (25.0, 2.0, 25)
    assert [e.post_id for e in spike.examples] == ["s24", "s23", "s22"]  # most engagement first
    assert all(e.text_snippet.startswith("Nu avem apa rece") and "<PHONE>" in e.text_snippet for e in spike.examples)
    assert "tema health" in spike.explanation_ro and "topic health" in spike.explanation_en
    assert len({a.alert_id for a in alerts}) == len(alerts)
    term = next(a for a in alerts if a.dimension_value == "apa rece")
    assert (term.observed, term.baseline) == (25.0, 1.0)

    # The same alerts when half of the history comes from stored term counts and those days' posts
    # are gone: the stored rows are read (without them the baseline of "apa rece" would be 0.5).
    from jobs.gold import TermStore, _daily_terms, post_terms, term_count_rows

    stored_days = frozenset(day - timedelta(days=k) for k in range(1, 11, 2))
    stored = term_count_rows(_daily_terms(post_terms(enriched.where(F.col("created_date").isin(sorted(stored_days))))),
                             "old-run", datetime(2026, 11, 19, tzinfo=UTC))
    store = TermStore(stored, stored_days)
    rest = enriched.where(~F.col("created_date").isin(sorted(stored_days)))
    again = compute_alerts(rest, daily, [day], first, "run", datetime(2026, 11, 21, tzinfo=UTC), terms=store)
    assert sorted(again.collect()) == sorted(alerts)
    assert store.computed is not None and {r["day"] for r in store.computed.collect()} == {day}
