"""Gold job: silver.posts_enriched → daily indicators, alerts, responsiveness and public debate.

Run: ``python -m jobs.gold --day 2026-11-27`` (or ``spark-submit jobs/gold.py --day ...``).

Which partitions a run recomputes (``--day D`` is the landing day of the run's data):

* the days touched: D itself plus the ``created_date`` of every enriched row that landed on D
  (late posts, engagement updates of older posts);
* days gold holds whose stored totals no longer match the posts (:func:`stale_days`: posts
  erased or re-scored without gold running for them), treated as touched;
* for each touched day, the 27 days after it whose rolling values depend on it, when they are
  not after D or already exist in gold (a backfilled earlier day refreshes later partitions).

Incremental: only the recomputed days (and window days gold does not hold) are aggregated from
the posts; the rolling windows and alert baselines read the other days' aggregates back from
gold.indicators_daily (:func:`incremental_daily`), so a nightly run reads one day of posts for
its indicators instead of 28; emerging-term baselines read gold.term_counts_daily (:class:`TermStore`).

All recomputed days are computed in one pass, compared with the table in one pass, and only
the days whose rows differ are replaced, in one commit per table (``Lake.replace_partitions``):
a re-run with unchanged input commits nothing. Definitions are in docs/gold.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial, reduce
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # spark-submit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

from jobs.cli import job_parser, parse_job_args
from jobs.lake import Lake, open_lake
from jobs.settings import Settings
from jobs.spark import build_spark
from schemas.contract import TableContract
from schemas.enriched import POSTS_ENRICHED
from schemas.gold import (
    ALERTS,
    ALL,
    CONTRACTS,
    DIMENSIONS,
    GROUPING_SETS,
    INDICATORS_DAILY,
    NONE,
    PUBLIC_DEBATE,
    RESPONSIVENESS,
    TERM_COUNTS_DAILY,
)

log = logging.getLogger("civic_pulse.gold")

GOLD_TABLES = tuple(c.name for c in CONTRACTS)

ROLLING_DAYS = 28
"""A day's data feeds the rolling values of itself and the 27 days after it."""
OFFICIAL_ACCOUNTS = Path(__file__).resolve().parent / "reference" / "official_accounts.csv"
SENTIMENTS = ("negative", "neutral", "positive")
ENGAGEMENT = ("likes", "shares", "replies", "views", "signatures")
# Probabilities are summed as integer nano-units: exact and order-independent (re-runs give
# bit-identical means), and ~20 % cheaper than the decimal(24,9) sums used before (docs/gold.md).
PROB_UNITS = 1_000_000_000
TERMS_DDL = "post_id string, day date, author_pseudonym string, term string"  # jobs.text.terms.TERM_SCHEMA


@dataclass(frozen=True)
class AlertThresholds:
    """Gates and thresholds of gold.alerts (documented in docs/gold.md)."""

    window_days: int = 28
    z_threshold: float = 3.5
    min_posts: int = 20
    min_history_days: int = 7
    volume_mad_floor: float = 1.0
    min_scored: int = 20
    min_share_days: int = 5
    share_mad_floor: float = 0.05
    min_term_posts: int = 10
    min_term_authors: int = 5
    max_terms_per_day: int = 10
    examples: int = 3
    snippet_chars: int = 160


ALERT_DIMENSIONS = {"institution": "institution_id", "topic": "topic", "county": "county_code"}
DIMENSION_WORDS = {
    "institution_id": ("instituția", "institution"),
    "topic": ("tema", "topic"),
    "county_code": ("județul", "county"),
}


@dataclass
class GoldResult:
    run_id: str
    day: date
    touched_days: list[date]
    recomputed_days: list[date]
    stale_days: list[date] = field(default_factory=list)
    written: dict[str, list[str]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "day": self.day.isoformat(),
            "touched_days": [d.isoformat() for d in self.touched_days],
            "recomputed_days": [d.isoformat() for d in self.recomputed_days],
            "stale_days": [d.isoformat() for d in self.stale_days],
            "written": self.written,
            "versions": self.versions,
        }


# ------------------------------------------------------------------ which days
def touched_days(enriched: DataFrame, day: date) -> tuple[list[date], date]:
    """(``day`` plus the created_date of every enriched row that landed on ``day``, first day in the lake).

    One aggregation pass; the first day bounds the alert history (``day`` when the table is empty).
    """
    row = enriched.agg(
        F.collect_set(F.when(F.col("landing_date") == F.lit(day), F.col("created_date"))).alias("touched"),
        F.min("created_date").alias("first"),
    ).collect()[0]
    return sorted({day, *row["touched"]}), row["first"] or day


def days_to_recompute(touched: Iterable[date], day: date, existing: set[date]) -> list[date]:
    """Touched days and the 27 days after each, when not after ``day`` or already in gold."""
    out: set[date] = set()
    for start in touched:
        for k in range(ROLLING_DAYS):
            d = start + timedelta(days=k)
            if k == 0 or d <= day or d in existing:
                out.add(d)
    return sorted(out)


def existing_days(lake: Lake, contract: TableContract) -> set[date]:
    if not lake.exists(contract):
        return set()
    column = contract.partition_by or ""
    return {r[column] for r in lake.read(contract).select(column).distinct().collect()}


# ------------------------------------------------------------------ indicators
def _post_columns() -> list[Column]:
    """The per-post columns of the indicator bases (day, author, sentiment, engagement, county, platform)."""
    return [
        F.col("post_id"),
        F.col("created_date").alias("day"),
        *[F.col(c) for c in ("author_pseudonym", "sentiment", "p_negative", "p_neutral", "p_positive")],
        *[F.coalesce(F.col(c), F.lit(0)).cast("long").alias(c) for c in ENGAGEMENT],
        F.coalesce(F.col("county_code"), F.lit(NONE)).alias("county_code"),
        F.col("platform_type"),
    ]


def _dim_base(enriched: DataFrame) -> DataFrame:
    """One row per post x institution x topic (explode_outer: NONE when a post has none)."""
    return (
        enriched.select(
            *_post_columns(),
            F.explode_outer("topics").alias("topic"),
            "institutions",
        )
        .select("*", F.explode_outer("institutions").alias("_inst"))
        .select(
            *[c for c in ("post_id", "day", "author_pseudonym", "sentiment", "p_negative", "p_neutral",
                          "p_positive", *ENGAGEMENT, "county_code", "platform_type")],
            F.coalesce(F.col("topic"), F.lit(NONE)).alias("topic"),
            F.coalesce(F.col("_inst.id"), F.lit(NONE)).alias("institution_id"),
            F.col("_inst.name").alias("institution_name"),
        )
    )


def _post_level(enriched: DataFrame) -> DataFrame:
    """One row per post with its distinct topic ids and institution ids ([NONE] when it has none)."""

    def distinct_or_none(values: Column) -> Column:
        found = F.array_distinct(F.transform(values, lambda v: F.coalesce(v, F.lit(NONE))))
        return F.when(F.size(found) > 0, found).otherwise(F.array(F.lit(NONE)))

    return enriched.select(
        *_post_columns(),
        distinct_or_none(F.coalesce(F.col("topics"), F.array().cast("array<string>"))).alias("_topics"),
        distinct_or_none(F.coalesce(F.col("institutions.id"), F.array().cast("array<string>"))).alias("_insts"),
    )


def grouped_rows(posts: DataFrame) -> DataFrame:
    """Every grouping set as explicit rows (rolled-up dimensions = ALL), one row per post and group.

    Each grouping set explodes only the lists it keeps, and the lists hold distinct values, so a
    post with two topics counts once in the institution total but once in each of its topics,
    without de-duplicating rows afterwards.
    """
    parts = []
    for level, kept in GROUPING_SETS.items():
        df = posts
        if "topic" in kept:
            df = df.withColumn("topic", F.explode("_topics"))
        if "institution_id" in kept:
            df = df.withColumn("institution_id", F.explode("_insts"))
        parts.append(
            df.select(
                "post_id", "day", "author_pseudonym", "sentiment", "p_negative", "p_neutral", "p_positive",
                *ENGAGEMENT,
                F.lit(level).alias("grouping_level"),
                *[(F.col(d) if d in kept else F.lit(ALL)).alias(d) for d in DIMENSIONS],
            )
        )
    return reduce(DataFrame.unionByName, parts)


def _ratio(num: Column, den: Column) -> Column:
    return F.when(den > 0, F.round(num.cast("double") / den, 6))


def daily_aggregates(enriched: DataFrame) -> DataFrame:
    """Per day and group: volume, authors, sentiment counts, mean probabilities, engagement.

    ``institution_name`` is the (alphabetically last) name the posts of that day give the institution.
    """
    scored = F.col("sentiment").isNotNull()

    def mean_p(name: str) -> Column:
        total = F.sum(F.when(scored, F.round(F.col(name) * PROB_UNITS).cast("long")))
        n = F.sum(scored.cast("long"))
        return F.when(n > 0, F.round(total / n / PROB_UNITS, 6)).alias(f"mean_{name}")

    daily = grouped_rows(_post_level(enriched)).groupBy("day", "grouping_level", *DIMENSIONS).agg(
        F.count(F.lit(1)).alias("posts"),
        F.countDistinct("author_pseudonym").alias("distinct_authors"),
        F.sum(scored.cast("long")).alias("scored"),
        *[F.sum(F.coalesce((F.col("sentiment") == s).cast("long"), F.lit(0))).alias(s) for s in SENTIMENTS],
        mean_p("p_negative"),
        mean_p("p_neutral"),
        mean_p("p_positive"),
        *[F.sum(c).alias(c) for c in ENGAGEMENT],
    )
    names = (
        enriched.select(F.col("created_date").alias("day"), F.explode("institutions").alias("_i"))
        .where(F.col("_i.id").isNotNull())
        .groupBy("day", F.col("_i.id").alias("institution_id"))
        .agg(F.max("_i.name").alias("institution_name"))
    )
    return daily.join(names, ["day", "institution_id"], "left").select(
        "day", "grouping_level", *DIMENSIONS, "institution_name",
        *[c for c in daily.columns if c not in ("day", "grouping_level", *DIMENSIONS)],
    )


def with_rolling(daily: DataFrame) -> DataFrame:
    """Net sentiment, shares of voice, 7/28-day rolling values and week-over-week change."""
    key = ["grouping_level", *DIMENSIONS]
    ordered = Window.partitionBy(*key).orderBy(F.col("_dn"))

    def over(lo: int, hi: int, column: str) -> Column:
        return F.sum(column).over(ordered.rangeBetween(lo, hi))

    in_topic = Window.partitionBy("day", "grouping_level", "topic", "county_code", "platform_type")
    in_inst = Window.partitionBy("day", "grouping_level", "institution_id", "county_code", "platform_type")
    net = F.col("positive") - F.col("negative")
    df = daily.withColumn("_dn", F.datediff(F.col("day"), F.lit(date(1970, 1, 1)))).withColumn("_net", net)
    df = df.select(
        "*",
        _ratio(F.col("_net"), F.col("scored")).alias("net_sentiment"),
        F.when(F.col("institution_id") != ALL, _ratio(F.col("posts"), F.sum("posts").over(in_topic))).alias(
            "share_of_voice_in_topic"
        ),
        F.when(F.col("topic") != ALL, _ratio(F.col("posts"), F.sum("posts").over(in_inst))).alias(
            "share_of_voice_in_institution"
        ),
        over(-6, 0, "posts").alias("posts_7d"),
        over(-27, 0, "posts").alias("posts_28d"),
        over(-13, -7, "posts").alias("posts_prev_7d"),
        _ratio(over(-6, 0, "_net"), over(-6, 0, "scored")).alias("net_sentiment_7d"),
        _ratio(over(-27, 0, "_net"), over(-27, 0, "scored")).alias("net_sentiment_28d"),
        _ratio(over(-13, -7, "_net"), over(-13, -7, "scored")).alias("_net_prev_7d"),
    )
    return df.select(
        "*",
        F.coalesce(F.col("posts_prev_7d"), F.lit(0)).alias("_prev"),
    ).select(
        *[c for c in df.columns if c not in ("posts_prev_7d",)],
        F.col("_prev").alias("posts_prev_7d"),
        F.when(F.col("_prev") > 0, F.round(F.col("posts_7d") / F.col("_prev") - 1, 6)).alias("posts_wow_change"),
        F.round(F.col("net_sentiment_7d") - F.col("_net_prev_7d"), 6).alias("net_sentiment_wow_change"),
    )


def daily_window(enriched: DataFrame, days: list[date], before: int) -> DataFrame:
    """Daily aggregates of every grouping set from ``before`` days before the first day to the last."""
    lo, hi = min(days), max(days)
    window = enriched.where(F.col("created_date").between(F.lit(lo - timedelta(days=before)), F.lit(hi)))
    return daily_aggregates(window)


def incremental_daily(lake: Lake, enriched: DataFrame, days: list[date], before: int,
                      existing: set[date]) -> DataFrame:
    """Like :func:`daily_window`, but days gold already holds (and does not recompute) are read back.

    Only the recomputed days and window days missing from gold are aggregated from the posts; the
    other days of the window come from gold.indicators_daily, which stores each day's aggregates
    unchanged. A nightly run therefore reads one day of posts, not 28. Stored days that no longer
    match the posts are found by :func:`stale_days` and recomputed before this is called.
    """
    lo, hi = min(days) - timedelta(days=before), max(days)
    stored_days = sorted(d for d in existing if lo <= d <= hi and d not in set(days))
    fresh = daily_aggregates(enriched.where(
        F.col("created_date").between(F.lit(lo), F.lit(hi)) & ~F.col("created_date").isin(stored_days)
    ))
    if not stored_days:
        return fresh
    stored = lake.read(INDICATORS_DAILY).where(F.col("day").isin(stored_days)).select(*fresh.columns)
    return fresh.unionByName(stored)


def stale_days(lake: Lake, enriched: DataFrame, lo: date, hi: date, existing: set[date]) -> list[date]:
    """Days in gold between ``lo`` and ``hi`` whose stored totals no longer match the posts.

    Compares, per day, posts, scored posts and the three sentiment counts of the posts with the
    day's ``total`` row: a day whose posts were added, removed (erasure) or re-scored without gold
    running for them is found here and recomputed, with the days whose rolling values it feeds.
    """
    held = sorted(d for d in existing if lo <= d <= hi)
    if not held:
        return []
    sentiment = F.col("sentiment")
    now = enriched.where(F.col("created_date").isin(held)).groupBy(F.col("created_date").alias("day")).agg(
        F.count(F.lit(1)).alias("posts"),
        F.count(sentiment).alias("scored"),
        *[F.sum((sentiment == s).cast("long")).alias(s) for s in SENTIMENTS],
    )
    cols = ["day", "posts", "scored", *SENTIMENTS]
    stored = lake.read(INDICATORS_DAILY).where(
        F.col("day").isin(held) & (F.col("grouping_level") == "total")
    ).select(*cols)
    now = now.select(*[F.coalesce(F.col(c), F.lit(0)).alias(c) if c in SENTIMENTS else F.col(c) for c in cols])
    diff = now.exceptAll(stored).unionByName(stored.exceptAll(now))
    return sorted({r["day"] for r in diff.select("day").distinct().collect()})


def compute_indicators(daily: DataFrame, days: list[date], run_id: str, started: datetime) -> DataFrame:
    """gold.indicators_daily rows for ``days``; ``daily`` must cover the 27 days before the first one."""
    return with_rolling(daily).where(F.col("day").isin(days)).select(
        *[c for c in INDICATORS_DAILY.columns if c not in ("gold_run_id", "computed_at")],
        F.lit(run_id).alias("gold_run_id"),
        F.lit(started).alias("computed_at"),
    )


# ------------------------------------------------------------------ alerts
def median(values: list[float]) -> float:
    """Exact median (0.0 for an empty list)."""
    if not values:
        return 0.0
    s = sorted(values)
    n = len(s)
    return float(s[n // 2]) if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def robust_z(observed: float, history: list[float], floor: float) -> tuple[float, float, float]:
    """(median, MAD, z) with z = (observed - median) / (1.4826 * max(MAD, floor))."""
    base = median(history)
    mad = median([abs(v - base) for v in history])
    return base, mad, round((observed - base) / (1.4826 * max(mad, floor)), 4)


@dataclass(frozen=True)
class Alert:
    """One fired alert, before its example posts are attached."""

    day: date
    alert_type: str
    dimension: str
    dimension_value: str
    dimension_label: str | None
    metric: str
    observed: float
    baseline: float
    mad: float
    z: float
    window_days: int
    support: int
    explanation_ro: str
    explanation_en: str

    @property
    def alert_id(self) -> str:
        raw = "|".join([self.day.isoformat(), self.alert_type, self.dimension, self.dimension_value])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def _num(x: float, decimals: int = 1) -> str:
    return f"{x:.{decimals}f}"


def _trailing_days(d: date, first_day: date, window: int) -> list[date]:
    return [d - timedelta(days=k) for k in range(1, window + 1) if d - timedelta(days=k) >= first_day]


def dimension_alerts(series: list[dict[str, Any]], days: list[date], first_day: date,
                     t: AlertThresholds) -> list[Alert]:
    """Volume spikes and negative-sentiment surges from daily rows (dimension, value, day, counts).

    Volume history is zero-filled (a day without posts counts 0); the negative-share history uses
    only the days with scored posts.
    """
    by_key: dict[tuple[str, str], dict[date, dict[str, Any]]] = {}
    for r in series:
        by_key.setdefault((r["dimension"], r["dimension_value"]), {})[r["day"]] = r
    alerts: list[Alert] = []
    for (dim, value), per_day in sorted(by_key.items()):
        ro_dim, en_dim = DIMENSION_WORDS[dim]
        for d in days:
            row = per_day.get(d)
            if row is None:
                continue
            label = row.get("dimension_label") or value
            back = _trailing_days(d, first_day, t.window_days)
            posts = int(row["posts"])
            history = [float(per_day[b]["posts"]) if b in per_day else 0.0 for b in back]
            if posts >= t.min_posts and len(history) >= t.min_history_days:
                base, mad, z = robust_z(posts, history, t.volume_mad_floor)
                if z >= t.z_threshold:
                    alerts.append(Alert(
                        d, "volume_spike", dim, value, row.get("dimension_label"), "posts", float(posts), base, mad,
                        z, t.window_days, posts,
                        f"Volum neobișnuit pentru {ro_dim} {label}: {posts} postări, față de mediana de"
                        f" {_num(base)} pe ultimele {len(history)} zile (z robust {_num(z)}).",
                        f"Unusual volume for {en_dim} {label}: {posts} posts vs a median of {_num(base)}"
                        f" over the previous {len(history)} days (robust z {_num(z)}).",
                    ))
            scored = int(row["scored"])
            shares = [
                per_day[b]["negative"] / per_day[b]["scored"] for b in back if b in per_day and per_day[b]["scored"]
            ]
            if scored >= t.min_scored and len(shares) >= t.min_share_days:
                share = row["negative"] / scored
                base, mad, z = robust_z(share, shares, t.share_mad_floor)
                if z >= t.z_threshold and share > base:
                    alerts.append(Alert(
                        d, "negative_surge", dim, value, row.get("dimension_label"), "negative_share",
                        round(share, 6), round(base, 6), round(mad, 6), z, t.window_days, scored,
                        f"Creștere a sentimentului negativ pentru {ro_dim} {label}: {_num(share * 100)}% din"
                        f" postările evaluate sunt negative, față de mediana de {_num(base * 100)}% pe ultimele"
                        f" {len(shares)} zile cu date (z robust {_num(z)}).",
                        f"Negative sentiment surge for {en_dim} {label}: {_num(share * 100)}% of scored posts"
                        f" are negative vs a median of {_num(base * 100)}% over the previous {len(shares)} days"
                        f" with data (robust z {_num(z)}).",
                    ))
    return alerts


def term_alerts(counts: list[dict[str, Any]], days: list[date], first_day: date, t: AlertThresholds) -> list[Alert]:
    """Emerging terms from daily (term, day, posts, authors) rows; zero-filled history, top N per day."""
    by_term: dict[str, dict[date, dict[str, Any]]] = {}
    for r in counts:
        by_term.setdefault(r["term"], {})[r["day"]] = r
    alerts: list[Alert] = []
    for d in days:
        fired: list[Alert] = []
        for term, per_day in by_term.items():
            row = per_day.get(d)
            if row is None or row["posts"] < t.min_term_posts or row["authors"] < t.min_term_authors:
                continue
            back = _trailing_days(d, first_day, t.window_days)
            if len(back) < t.min_history_days:
                continue
            history = [float(per_day[b]["posts"]) if b in per_day else 0.0 for b in back]
            posts, authors = int(row["posts"]), int(row["authors"])
            base, mad, z = robust_z(posts, history, t.volume_mad_floor)
            if z >= t.z_threshold:
                fired.append(Alert(
                    d, "emerging_term", "term", term, None, "term_posts", float(posts), base, mad, z,
                    t.window_days, posts,
                    f"Termen emergent „{term}”: apare în {posts} postări ({authors} autori), față de mediana de"
                    f" {_num(base)} pe ultimele {len(history)} zile (z robust {_num(z)}).",
                    f'Emerging term "{term}": in {posts} posts ({authors} authors) vs a median of {_num(base)}'
                    f" over the previous {len(history)} days (robust z {_num(z)}).",
                ))
        fired.sort(key=lambda a: (-a.z, a.dimension_value))
        alerts.extend(fired[: t.max_terms_per_day])
    return alerts


def post_terms(enriched: DataFrame) -> DataFrame:
    """post_id, day, author, term: distinct unigrams and bigrams of the masked text, no stop words.

    One Arrow pass over the text keys (:func:`jobs.text.terms.term_batches`); no Python object
    crosses back except the terms themselves.
    """
    from jobs.text.terms import term_batches

    return enriched.select(
        "post_id", F.col("created_date").alias("day"), "author_pseudonym", "text_key"
    ).mapInArrow(term_batches, TERMS_DDL)


@dataclass
class TermStore:
    """gold.term_counts_daily as alert history: the stored days it serves, and this run's counts.

    ``days`` are the history days read from ``table`` instead of re-tokenising their posts;
    :func:`term_counts` sets ``computed`` to the (term, day, posts, authors) counts of the days
    it recomputed, which the run then writes to the table.
    """

    table: DataFrame | None = None
    days: frozenset[date] = frozenset()
    computed: DataFrame | None = None


def _daily_terms(terms: DataFrame) -> DataFrame:
    # A post lists each term once and post_id is the table key: posts = rows.
    return terms.groupBy("term", "day").agg(
        F.count(F.lit(1)).alias("posts"), F.countDistinct("author_pseudonym").alias("authors")
    )


def term_counts(window: DataFrame, days: list[date], t: AlertThresholds,
                store: TermStore | None = None) -> list[dict[str, Any]]:
    """Daily (term, day, posts, authors) of the terms that pass the gates on one of ``days``.

    History days in ``store.days`` come from the stored counts; the others are tokenised from
    ``window``'s posts (so a nightly run tokenises one day, and a lake without the table still works).
    """
    store = store if store is not None else TermStore()
    # checkpointed: read twice (candidate gates, then the returned rows) and written by run_gold
    in_days = _daily_terms(post_terms(window.where(F.col("created_date").isin(days)))).localCheckpoint()
    store.computed = in_days
    candidates = in_days.where(
        (F.col("posts") >= t.min_term_posts) & (F.col("authors") >= t.min_term_authors)
    ).select("term").distinct().collect()
    if not candidates:
        return []
    wanted = F.broadcast(window.sparkSession.createDataFrame([(r["term"],) for r in candidates], "term string"))
    stored_days = sorted(store.days - set(days)) if store.table is not None else []
    before = window.where(~F.col("created_date").isin([*days, *stored_days]))
    history = _daily_terms(post_terms(before).join(wanted, "term", "left_semi"))
    if store.table is not None and stored_days:
        history = history.unionByName(
            store.table.where(F.col("day").isin(stored_days)).join(wanted, "term", "left_semi")
            .select("term", "day", "posts", F.col("distinct_authors").alias("authors"))
        )
    return [r.asDict() for r in in_days.join(wanted, "term", "left_semi").unionByName(history).collect()]


def term_count_rows(counts: DataFrame, run_id: str, started: datetime) -> DataFrame:
    """gold.term_counts_daily rows from (term, day, posts, authors) counts."""
    return counts.select(
        "day", "term", "posts", F.col("authors").alias("distinct_authors"),
        F.lit(run_id).alias("gold_run_id"), F.lit(started).alias("computed_at"),
    )


def alert_series(daily: DataFrame) -> list[dict[str, Any]]:
    """Daily counts per institution, topic and county (the ALERT_DIMENSIONS levels), collected."""
    parts = [
        daily.where((F.col("grouping_level") == level) & (F.col(dim) != NONE)).select(
            "day", F.lit(dim).alias("dimension"), F.col(dim).alias("dimension_value"),
            F.col("institution_name").alias("dimension_label"), "posts", "scored", "negative",
        )
        for level, dim in ALERT_DIMENSIONS.items()
    ]
    return [r.asDict() for r in reduce(DataFrame.unionByName, parts).collect()]


def alert_examples(
    alerts: list[Alert], today: DataFrame, t: AlertThresholds
) -> dict[tuple[date, str, str], list[tuple[str, str]]]:
    """Up to ``t.examples`` posts per alert (most engagement first): post_id + masked-text snippet only."""
    if not alerts:
        return {}
    spark = today.sparkSession
    wanted = spark.createDataFrame(
        sorted({(a.day, a.dimension, a.dimension_value) for a in alerts}),
        "day date, dimension string, dimension_value string",
    )
    base = _dim_base(today)
    members = reduce(
        DataFrame.unionByName,
        [base.select("day", F.lit(dim).alias("dimension"), F.col(dim).alias("dimension_value"), "post_id")
         for dim in ALERT_DIMENSIONS.values()]
        + [post_terms(today).select("day", F.lit("term").alias("dimension"), F.col("term").alias("dimension_value"),
                                    "post_id")],
    ).join(F.broadcast(wanted), ["day", "dimension", "dimension_value"], "left_semi").distinct()
    posts = today.select(
        "post_id",
        F.substring(F.col("text_masked"), 1, t.snippet_chars).alias("text_snippet"),
        (F.coalesce("likes", F.lit(0)) + F.coalesce("shares", F.lit(0)) + F.coalesce("replies", F.lit(0))).alias("_eng"),
    )
    keys = ["day", "dimension", "dimension_value"]
    rank = Window.partitionBy(*keys).orderBy(F.col("_eng").desc(), F.col("post_id"))
    picked = (
        members.join(posts, "post_id").withColumn("_r", F.row_number().over(rank)).where(F.col("_r") <= t.examples)
    )
    out: dict[tuple[date, str, str], list[tuple[str, str]]] = {}
    for r in picked.orderBy(*keys, "_r").collect():
        out.setdefault((r["day"], r["dimension"], r["dimension_value"]), []).append(
            (r["post_id"], r["text_snippet"])
        )
    return out


def compute_alerts(enriched: DataFrame, daily: DataFrame, days: list[date], first_day: date, run_id: str,
                   started: datetime, t: AlertThresholds | None = None, terms: TermStore | None = None) -> DataFrame:
    """gold.alerts rows for ``days``; ``daily`` = daily_aggregates of (at least) day-window .. last day.

    The per-day series are small (one value per day and dimension value), so scoring runs on the
    driver; term counting, candidate gates and example posts run in Spark. ``terms``: stored term
    history to use, and where the run's own term counts are left (see :class:`TermStore`).
    """
    t = t or AlertThresholds()
    lo, hi = min(days), max(days)
    window = enriched.where(F.col("created_date").between(F.lit(lo - timedelta(days=t.window_days)), F.lit(hi)))
    alerts = dimension_alerts(alert_series(daily), days, first_day, t)
    alerts += term_alerts(term_counts(window, days, t, terms), days, first_day, t)
    examples = alert_examples(alerts, window.where(F.col("created_date").isin(days)), t)
    rows = [
        (a.day, a.alert_id, a.alert_type, a.dimension, a.dimension_value, a.dimension_label, a.metric, a.observed,
         a.baseline, a.mad, a.z, a.window_days, a.support, a.explanation_ro, a.explanation_en,
         examples.get((a.day, a.dimension, a.dimension_value), []), run_id, started)
        for a in alerts
    ]
    return enriched.sparkSession.createDataFrame(rows, ALERTS.schema)


# ------------------------------------------------------------------ responsiveness
def official_accounts(spark: SparkSession, path: Path = OFFICIAL_ACCOUNTS) -> DataFrame:
    """The registry: platform (= silver source), handle, institution_id, institution_name."""
    import csv

    with path.open(encoding="utf-8") as handle:
        rows = [
            (r["platform"], r["handle"], r["institution_id"], r["institution_name"]) for r in csv.DictReader(handle)
        ]
    return spark.createDataFrame(rows, "platform string, handle string, institution_id string, institution_name string")


def week_start(c: Column) -> Column:
    """Monday of the ISO week of a date."""
    return F.date_trunc("week", c).cast("date")


def compute_responsiveness(enriched: DataFrame, accounts: DataFrame, weeks: list[date], run_id: str,
                           started: datetime) -> DataFrame:
    """gold.responsiveness rows for the ISO weeks starting on ``weeks``."""
    platforms = accounts.select(F.col("platform").alias("source"), "institution_id", "institution_name").distinct()
    handles = accounts.select(
        F.col("platform").alias("source"), F.lower(F.concat(F.lit("@"), "handle")).alias("_mention"), "institution_id"
    )
    posts = enriched.select(
        "post_id", "source", "parent_id", "thread_id", "created_at", "author_is_official",
        F.col("institution_id").alias("author_institution"), "institutions", "mentions",
    )
    mentioned = posts.select("post_id", "source", F.explode("institutions.id").alias("institution_id")).unionByName(
        posts.select("post_id", "source", F.explode(F.transform("mentions", F.lower)).alias("_mention"))
        .join(handles, on=["source", "_mention"])
        .select("post_id", "source", "institution_id")
    )
    roots = posts.where(F.col("author_is_official") & F.col("author_institution").isNotNull()).select(
        F.col("post_id").alias("_root"), F.col("author_institution").alias("institution_id")
    )
    in_thread = (
        posts.where(F.col("thread_id").isNotNull())
        .join(roots, F.col("thread_id") == F.col("_root"))
        .select("post_id", "source", "institution_id")
    )
    addressed = (
        mentioned.unionByName(in_thread)
        .distinct()
        .join(platforms, on=["source", "institution_id"])  # only where it has an official account
        .join(posts.select("post_id", "created_at", "author_is_official"), on="post_id")
        .where(~F.col("author_is_official"))
        .withColumn("week_start", week_start(F.col("created_at")))
        .where(F.col("week_start").isin(weeks))
    )
    official_replies = posts.where(F.col("author_is_official") & F.col("parent_id").isNotNull()).select(
        F.col("parent_id").alias("post_id"),
        F.col("author_institution").alias("institution_id"),
        F.col("created_at").alias("_reply_at"),
    )
    first = official_replies.groupBy("post_id", "institution_id").agg(F.min("_reply_at").alias("_first"))
    joined = addressed.join(first, on=["post_id", "institution_id"], how="left").withColumn(
        "_hours",
        F.when(
            F.col("_first") >= F.col("created_at"),
            (F.unix_timestamp("_first") - F.unix_timestamp("created_at")) / 3600.0,
        ),
    )
    both = joined.unionByName(joined.withColumn("source", F.lit(ALL)))
    agg = both.groupBy("week_start", "institution_id", "source").agg(
        F.max("institution_name").alias("institution_name"),
        F.countDistinct("post_id").alias("addressed_posts"),
        F.countDistinct(F.when(F.col("_hours").isNotNull(), F.col("post_id"))).alias("replied_posts"),
        F.percentile(F.col("_hours"), 0.5).alias("_median"),
        F.countDistinct(F.when(F.col("_hours") <= 24, F.col("post_id"))).alias("replied_within_24h"),
    )
    return agg.select(
        "week_start",
        F.format_string("%d-W%02d", F.year(F.date_add("week_start", 3)), F.weekofyear("week_start")).alias("iso_week"),
        "institution_id",
        "institution_name",
        "source",
        "addressed_posts",
        "replied_posts",
        _ratio(F.col("replied_posts"), F.col("addressed_posts")).alias("reply_rate"),
        F.round("_median", 2).alias("median_hours_to_first_reply"),
        "replied_within_24h",
        F.lit(run_id).alias("gold_run_id"),
        F.lit(started).alias("computed_at"),
    )


# ------------------------------------------------------------------ public debate
DEBATE_DAYS = 90
"""Petitions and consultations stay in the daily snapshot for this many days after publication."""
_DIACRITICS = ("ăâîșşțţĂÂÎȘŞȚŢ", "aaisstt" + "AAISSTT")


def _key(c: Column) -> Column:
    """Lower-case, diacritics-free (the text_key normalisation, for matching titles in texts)."""
    return F.lower(F.translate(c, *_DIACRITICS))


def mention_pairs(posts: DataFrame, items: DataFrame, carry: Sequence[str] = ()) -> DataFrame:
    """Distinct (item_id, post_id, *carry) where a URL of the post contains the item id or its text_key the title key.

    The items of a snapshot are few (petitions and consultations): they are collected, keyed once
    (:class:`jobs.text.mentions.MentionIndex`) and shipped with the task; each post is then matched
    in one Arrow pass, exactly (see :mod:`jobs.text.mentions`). Items sharing a title are checked
    once per title, and Python returns (title, post) rows, which a broadcast join expands to the
    title's items (docs/performance.md, item 19). ``carry``: columns of ``posts`` copied to each
    pair, so that no join back to the posts is needed. Titles shorter than
    ``jobs.text.mentions.MIN_TITLE_KEY`` never match.
    """
    from jobs.text.mentions import MentionIndex, mention_batches

    index = MentionIndex((r["item_id"], r["_title_key"]) for r in items.select("item_id", "_title_key").collect())
    spark = posts.sparkSession
    title_items = spark.createDataFrame(
        [(n, item_id) for n, ids in enumerate(index.items_of_title) for item_id in ids],
        "title_no int, _title_item string",
    )
    selected = posts.select("post_id", "text_key", "urls", *carry)
    schema = StructType([
        StructField("item_id", StringType()), StructField("title_no", IntegerType()),
        StructField("post_id", StringType()), *[selected.schema[c] for c in carry],
    ])
    found = selected.mapInArrow(partial(mention_batches, index, carry=tuple(carry)), schema)
    # distinct: a post is one row (post_id is the key), titles have disjoint items, and an item
    # found by URL comes from Python only when its title was not found too
    return found.join(F.broadcast(title_items), "title_no", "left").select(
        F.coalesce(F.col("item_id"), F.col("_title_item")).alias("item_id"), "post_id", *carry
    )


def compute_public_debate(enriched: DataFrame, day: date, run_id: str, started: datetime) -> DataFrame:
    """gold.public_debate snapshot of ``day``: petitions / consultations of the last DEBATE_DAYS days.

    A petition is a thread root with platform_type e_petition; a consultation is a thread root whose
    masked title mentions a public consultation. Its discussion: the posts of its thread, and
    mentions = posts outside the thread whose URLs contain its post_id or whose text contains its
    title (titles of at least MIN_TITLE_KEY characters).
    """
    since = day - timedelta(days=DEBATE_DAYS)
    upto = enriched.where(F.col("created_date").between(F.lit(since), F.lit(day)))
    title_key = _key(F.coalesce(F.col("title_masked"), F.lit("")))
    is_item = F.col("parent_id").isNull() & (
        (F.col("platform_type") == "e_petition") | title_key.rlike("consultar")
    )
    items = upto.where(is_item).select(
        F.col("post_id").alias("item_id"),
        F.when(F.col("platform_type") == "e_petition", "petition").otherwise("consultation").alias("item_kind"),
        "source",
        F.col("title_masked").alias("title"),
        title_key.alias("_title_key"),
        F.col("created_date").alias("published_date"),
        F.coalesce(F.col("signatures"), F.lit(0)).cast("long").alias("signatures"),
    )
    thread = upto.where(F.col("thread_id").isNotNull() & (F.col("thread_id") != F.col("post_id"))).select(
        F.col("thread_id").alias("item_id"), "post_id", "created_date", "author_pseudonym", "sentiment"
    )
    mentions = (
        mention_pairs(upto, items.select("item_id", "_title_key"),
                      carry=("thread_id", "created_date", "author_pseudonym", "sentiment"))
        .where((F.col("post_id") != F.col("item_id")) & ~F.col("thread_id").eqNullSafe(F.col("item_id")))
        .select("item_id", "post_id", "created_date", "author_pseudonym", "sentiment")
    )
    # One aggregation over the thread and mention rows: the mention pass runs once.
    in_thread = F.col("_in_thread")
    pos = F.sum((F.col("sentiment") == "positive").cast("long"))
    neg = F.sum((F.col("sentiment") == "negative").cast("long"))
    discussion = (
        thread.withColumn("_in_thread", F.lit(True))
        .unionByName(mentions.withColumn("_in_thread", F.lit(False)))
        .groupBy("item_id")
        .agg(
            F.sum(in_thread.cast("long")).alias("thread_posts"),
            F.sum((in_thread & (F.col("created_date") == F.lit(day))).cast("long")).alias("thread_posts_day"),
            F.sum((~in_thread).cast("long")).alias("mentions"),
            F.countDistinct("author_pseudonym").alias("distinct_authors"),
            _ratio(pos - neg, F.count("sentiment")).alias("net_sentiment"),
        )
    )
    out = items.join(discussion, "item_id", "left")
    return out.select(
        F.lit(day).alias("day"),
        "item_id", "item_kind", "source", "title", "published_date", "signatures",
        *[F.coalesce(F.col(c), F.lit(0)).cast("long").alias(c)
          for c in ("thread_posts", "thread_posts_day", "mentions", "distinct_authors")],
        "net_sentiment",
        F.lit(run_id).alias("gold_run_id"),
        F.lit(started).alias("computed_at"),
    )


# ------------------------------------------------------------------ writing
def changed_partitions(lake: Lake, contract: TableContract, new: DataFrame, values: list[date]) -> list[date]:
    """Partition values among ``values`` whose rows differ from the table (one comparison pass)."""
    part = contract.partition_by or ""
    cols = [*contract.keys, *contract.compare_columns]
    incoming = new.select(*cols)
    current = lake.read(contract).where(F.col(part).isin(values)).select(*cols)
    diff = incoming.exceptAll(current).unionByName(current.exceptAll(incoming))
    return sorted(r[part] for r in diff.select(part).distinct().collect())


def write_partitions(lake: Lake, contract: TableContract, df: DataFrame, values: list[date], label: str) -> list[str]:
    """Replace, in one commit, the partitions among ``values`` whose content changed; returns them.

    The rows are staged once in the contract's columns; the comparison with the table and the
    commit both read that copy (:meth:`Lake.replace_partitions`), whatever the number of days.
    """
    lake.ensure_table(contract)
    mark = lake.staged_count
    staged = lake.stage(lake.conform(contract, df), label)
    try:
        changed = changed_partitions(lake, contract, staged.df, values)
        lake.replace_partitions(contract, staged, changed)
    finally:
        lake.cleanup_staging(keep=mark)
    return [value.isoformat() for value in changed]


def affected_weeks(enriched: DataFrame, day: date, days: list[date]) -> list[date]:
    """Mondays of the recomputed days' weeks plus the weeks of posts that got a reply landing on ``day``."""
    parents = (
        enriched.where((F.col("landing_date") == F.lit(day)) & F.col("parent_id").isNotNull())
        .select("parent_id").distinct()
        .join(enriched.select(F.col("post_id").alias("parent_id"), "created_date"), on="parent_id")
        .select("created_date").distinct().collect()
    )
    found = [*days, *(r["created_date"] for r in parents)]
    return sorted({d - timedelta(days=d.weekday()) for d in found})


def run_gold(
    settings: Settings, spark: SparkSession, day: date, run_id: str, lake: Lake | None = None,
    thresholds: AlertThresholds | None = None, only: Collection[str] | None = None,
) -> GoldResult:
    """Recompute the gold partitions that the data landed on ``day`` touches.

    ``only`` limits the run to some of the tables (names as in GOLD_TABLES); default: all.
    """
    wanted = set(only or GOLD_TABLES)
    unknown = wanted - set(GOLD_TABLES)
    if unknown:
        raise ValueError(f"unknown gold tables {sorted(unknown)}; choose from {', '.join(GOLD_TABLES)}")
    if "alerts" in wanted:
        wanted.add("term_counts_daily")  # the alerts' term history, written with them
    started = datetime.now(UTC).replace(microsecond=0)  # audit timestamp only
    lake = lake or open_lake(settings, spark)
    if not lake.exists(POSTS_ENRICHED):
        raise RuntimeError(f"{POSTS_ENRICHED.qualified_name} does not exist yet: run jobs.enrich for {day} first")
    enriched = lake.read(POSTS_ENRICHED)
    touched, first_day = touched_days(enriched, day)
    t = thresholds or AlertThresholds()
    before = max(ROLLING_DAYS - 1, t.window_days)
    existing = existing_days(lake, INDICATORS_DAILY)
    # Touched days are recomputed anyway (their totals differ whenever late posts landed): not stale.
    stale = stale_days(lake, enriched, min(touched) - timedelta(days=before), day, existing - set(touched))
    if stale:
        log.warning("gold days %s no longer match silver.posts_enriched: recomputing them",
                    ", ".join(d.isoformat() for d in stale))
    days = days_to_recompute(sorted({*touched, *stale}), day, existing)
    result = GoldResult(run_id, day, touched, days, stale)

    mark = lake.staged_count
    try:
        daily = lake.stage(incremental_daily(lake, enriched, days, before, existing), f"gold/{run_id}/daily").df
        if "indicators_daily" in wanted:
            result.written["indicators_daily"] = write_partitions(
                lake, INDICATORS_DAILY, compute_indicators(daily, days, run_id, started), days,
                f"gold/{run_id}/ind",
            )
        if "term_counts_daily" in wanted:
            # Alerts read term history from gold.term_counts_daily and leave this run's counts in
            # `terms`, which are written for the recomputed days (with --only alerts too).
            held = lake.exists(TERM_COUNTS_DAILY)
            terms = TermStore(lake.read(TERM_COUNTS_DAILY) if held else None,
                              frozenset(existing_days(lake, TERM_COUNTS_DAILY)))
            alerts = compute_alerts(enriched, daily, days, first_day, run_id, started, t, terms)
            if "alerts" in wanted:
                result.written["alerts"] = write_partitions(lake, ALERTS, alerts, days, f"gold/{run_id}/alerts")
            if terms.computed is not None:
                result.written["term_counts_daily"] = write_partitions(
                    lake, TERM_COUNTS_DAILY, term_count_rows(terms.computed, run_id, started), days,
                    f"gold/{run_id}/terms",
                )
    finally:
        lake.cleanup_staging(keep=mark)
    if "responsiveness" in wanted:
        weeks = affected_weeks(enriched, day, days)
        result.written["responsiveness"] = write_partitions(
            lake, RESPONSIVENESS,
            compute_responsiveness(enriched, official_accounts(spark), weeks, run_id, started), weeks,
            f"gold/{run_id}/resp",
        )
    if "public_debate" in wanted:
        result.written["public_debate"] = write_partitions(
            lake, PUBLIC_DEBATE, compute_public_debate(enriched, day, run_id, started), [day],
            f"gold/{run_id}/debate",
        )
    result.versions = {c.name: lake.version(c) for c in CONTRACTS if c.name in wanted and lake.exists(c)}
    return result


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = job_parser(__doc__.splitlines()[0] if __doc__ else "gold")
    parser.add_argument("--only", default=None, help=f"comma-separated subset of {','.join(GOLD_TABLES)}")
    args, ns = parse_job_args(parser, argv)
    only = [t.strip() for t in ns.only.split(",") if t.strip()] if ns.only else None
    spark = build_spark(args.settings, app_name=f"civic-pulse-gold-{args.day}")
    from jobs.runmetrics import run_recorded

    result = run_recorded(
        "gold", args.settings, spark, args.day, args.run_id,
        lambda: run_gold(args.settings, spark, args.day, args.run_id, only=only),
    )
    print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
