"""Gold tables: daily indicators with roll-ups, alerts, institution responsiveness, public debate.

Every gold table is replaced one partition at a time (``replace_partition``): recomputing a day
writes the whole day again, and the lake skips the commit when the rows are identical, so a
re-run with unchanged input leaves every version where it was. Definitions and formulas are in
docs/gold.md.
"""

from __future__ import annotations

from pyspark.sql.types import (
    ArrayType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from schemas.contract import TableContract, build_schema, column

ALL = "ALL"
"""Dimension value of a rolled-up dimension (the row covers every value)."""
NONE = "NONE"
"""Dimension value of posts with no institution / no topic / no county."""

DIMENSIONS = ("institution_id", "topic", "county_code", "platform_type")

# The grouping sets computed for every day; each names the dimensions kept (the rest are ALL).
GROUPING_SETS: dict[str, tuple[str, ...]] = {
    "total": (),
    "institution": ("institution_id",),
    "topic": ("topic",),
    "county": ("county_code",),
    "platform": ("platform_type",),
    "institution_topic": ("institution_id", "topic"),
    "institution_county": ("institution_id", "county_code"),
    "topic_county": ("topic", "county_code"),
    "detail": DIMENSIONS,
}

GOLD_METADATA_COLUMNS = ("gold_run_id", "computed_at")

_run_cols = (
    column("gold_run_id", StringType(), "Gold run that wrote the partition.", False),
    column("computed_at", TimestampType(), "When that run started (UTC).", False),
)

_level_doc = "Grouping set of the row: " + ", ".join(
    f"{k} ({'+'.join(v) if v else 'nothing'})" for k, v in GROUPING_SETS.items()
) + "."

_ind_schema, _ind_docs = build_schema(
    column("day", DateType(), "UTC day the posts were published (created_date); partition column.", False),
    column("grouping_level", StringType(), _level_doc, False),
    column(
        "institution_id", StringType(),
        f"Institution mentioned (registry id); '{NONE}' for posts naming none, '{ALL}' when rolled up.", False,
    ),
    column("institution_name", StringType(), "Institution name (null for ALL / NONE)."),
    column("topic", StringType(), f"Policy topic id; '{NONE}' for posts without topic, '{ALL}' when rolled up.", False),
    column(
        "county_code", StringType(),
        f"ISO 3166-2:RO county the post is about; '{NONE}' when unknown, '{ALL}' when rolled up.", False,
    ),
    column("platform_type", StringType(), f"Platform type; '{ALL}' when rolled up.", False),
    column("posts", LongType(), "Post volume: distinct posts (a post counts once per row).", False),
    column("distinct_authors", LongType(), "Distinct author_pseudonym values among those posts.", False),
    column("scored", LongType(), "Posts with a sentiment (only these count in sentiment figures).", False),
    column("negative", LongType(), "Scored posts classified negative.", False),
    column("neutral", LongType(), "Scored posts classified neutral.", False),
    column("positive", LongType(), "Scored posts classified positive.", False),
    column("net_sentiment", DoubleType(), "(positive - negative) / scored, in [-1, 1]; null when scored = 0."),
    column("mean_p_negative", DoubleType(), "Mean p_negative over scored posts (6 decimals)."),
    column("mean_p_neutral", DoubleType(), "Mean p_neutral over scored posts (6 decimals)."),
    column("mean_p_positive", DoubleType(), "Mean p_positive over scored posts (6 decimals)."),
    column("likes", LongType(), "Sum of likes (nulls as 0).", False),
    column("shares", LongType(), "Sum of shares.", False),
    column("replies", LongType(), "Sum of platform reply counts.", False),
    column("views", LongType(), "Sum of views.", False),
    column("signatures", LongType(), "Sum of petition signatures.", False),
    column(
        "share_of_voice_in_topic", DoubleType(),
        "posts / sum of posts over every institution value (NONE included) of the same day, level, topic,"
        " county and platform; null when institution_id is ALL.",
    ),
    column(
        "share_of_voice_in_institution", DoubleType(),
        "posts / sum of posts over every topic value (NONE included) of the same day, level, institution,"
        " county and platform; null when topic is ALL.",
    ),
    column("posts_7d", LongType(), "Posts of this row's dimensions over the 7 days ending on day.", False),
    column("posts_28d", LongType(), "Posts over the 28 days ending on day.", False),
    column("net_sentiment_7d", DoubleType(), "Net sentiment index over the 7 days ending on day."),
    column("net_sentiment_28d", DoubleType(), "Net sentiment index over the 28 days ending on day."),
    column("posts_prev_7d", LongType(), "Posts over the 7 days before those (day-13 .. day-7).", False),
    column(
        "posts_wow_change", DoubleType(),
        "Week-over-week change: posts_7d / posts_prev_7d - 1; null when posts_prev_7d = 0.",
    ),
    column(
        "net_sentiment_wow_change", DoubleType(),
        "net_sentiment_7d minus the net sentiment of day-13 .. day-7 (index points); null when either is null.",
    ),
    *_run_cols,
)

INDICATORS_DAILY = TableContract(
    name="indicators_daily",
    layer="gold",
    schema=_ind_schema,
    column_docs=_ind_docs,
    description=(
        "Daily indicators per day x institution x topic x county x platform type plus roll-ups (ALL);"
        " posts with several topics/institutions count once per topic/institution."
    ),
    keys=("day", "grouping_level", "institution_id", "topic", "county_code", "platform_type"),
    partition_by="day",
    write_mode="replace_partition",
    ignore_on_compare=GOLD_METADATA_COLUMNS,
)

EXAMPLE_TYPE = StructType(
    [StructField("post_id", StringType(), True), StructField("text_snippet", StringType(), True)]
)

ALERT_TYPES = ("volume_spike", "negative_surge", "emerging_term")

_alert_schema, _alert_docs = build_schema(
    column("day", DateType(), "Day the movement was observed; partition column.", False),
    column("alert_id", StringType(), "sha256 of day, alert type, dimension and value (first 16 hex).", False),
    column("alert_type", StringType(), f"One of {', '.join(ALERT_TYPES)}.", False),
    column("dimension", StringType(), "What moved: institution_id, topic, county_code or term.", False),
    column("dimension_value", StringType(), "The value that moved (an institution id, topic id, county, term).", False),
    column("dimension_label", StringType(), "Readable name of the value (institution name), if any."),
    column("metric", StringType(), "posts, negative_share or term_posts.", False),
    column("observed", DoubleType(), "The metric on day.", False),
    column("baseline", DoubleType(), "Median of the metric over the trailing window (day excluded).", False),
    column("mad", DoubleType(), "Median absolute deviation over the trailing window (before the floor).", False),
    column("z", DoubleType(), "Robust z: (observed - baseline) / (1.4826 * max(mad, floor)).", False),
    column("window_days", IntegerType(), "Length of the trailing window (days).", False),
    column("support", LongType(), "Posts behind the observed value (the minimum-volume gate).", False),
    column("explanation_ro", StringType(), "What happened, in Romanian.", False),
    column("explanation_en", StringType(), "What happened, in English.", False),
    column(
        "examples", ArrayType(EXAMPLE_TYPE),
        "Up to 3 representative posts of the day: post_id and the first 160 characters of the MASKED text.",
        False,
    ),
    *_run_cols,
)

ALERTS = TableContract(
    name="alerts",
    layer="gold",
    schema=_alert_schema,
    column_docs=_alert_docs,
    description="Volume spikes, negative-sentiment surges and emerging terms by robust z-score (median/MAD).",
    keys=("day", "alert_id"),
    partition_by="day",
    write_mode="replace_partition",
    ignore_on_compare=GOLD_METADATA_COLUMNS,
)

_resp_schema, _resp_docs = build_schema(
    column("week_start", DateType(), "Monday of the ISO week the addressed posts were published; partition.", False),
    column("iso_week", StringType(), "ISO week, e.g. 2026-W48.", False),
    column("institution_id", StringType(), "Institution (registry id).", False),
    column("institution_name", StringType(), "Institution name from the registry."),
    column("source", StringType(), f"Platform (source) with an official account of the institution, or '{ALL}'.", False),
    column("addressed_posts", LongType(), "Posts by others that mention the institution or reply in its thread.", False),
    column("replied_posts", LongType(), "Addressed posts with a direct reply (parent_id) from its official account.", False),
    column("reply_rate", DoubleType(), "replied_posts / addressed_posts; null when no post was addressed."),
    column(
        "median_hours_to_first_reply", DoubleType(),
        "Median hours from post to the first official reply, over replied posts (2 decimals).",
    ),
    column("replied_within_24h", LongType(), "Addressed posts whose first official reply came within 24 hours.", False),
    *_run_cols,
)

RESPONSIVENESS = TableContract(
    name="responsiveness",
    layer="gold",
    schema=_resp_schema,
    column_docs=_resp_docs,
    description=(
        "Reply rate and median time to first official reply per institution, platform and ISO week,"
        " on platforms where the institution has an official account."
    ),
    keys=("week_start", "institution_id", "source"),
    partition_by="week_start",
    write_mode="replace_partition",
    ignore_on_compare=GOLD_METADATA_COLUMNS,
)

_debate_schema, _debate_docs = build_schema(
    column("day", DateType(), "Snapshot day (the run's day); partition column.", False),
    column("item_id", StringType(), "post_id of the petition or consultation (thread root).", False),
    column("item_kind", StringType(), "petition (platform_type e_petition) or consultation.", False),
    column("source", StringType(), "Source of the item.", False),
    column("title", StringType(), "Masked title of the item."),
    column("published_date", DateType(), "created_date of the item.", False),
    column("signatures", LongType(), "Signatures of the item as last reported.", False),
    column("thread_posts", LongType(), "Posts in its thread (replies, comments) published up to day.", False),
    column("thread_posts_day", LongType(), "Of those, published on day.", False),
    column("mentions", LongType(), "Posts elsewhere that link to or mention the item, up to day.", False),
    column("distinct_authors", LongType(), "Distinct authors in the thread and mentions, up to day.", False),
    column("net_sentiment", DoubleType(), "Net sentiment index of the thread and mentions; null when none scored."),
    *_run_cols,
)

PUBLIC_DEBATE = TableContract(
    name="public_debate",
    layer="gold",
    schema=_debate_schema,
    column_docs=_debate_docs,
    description="Daily snapshot per e-petition / consultation: signatures and the discussion around it.",
    keys=("day", "item_id"),
    partition_by="day",
    write_mode="replace_partition",
    ignore_on_compare=GOLD_METADATA_COLUMNS,
)

_terms_schema, _terms_docs = build_schema(
    column("day", DateType(), "UTC day the posts were published (created_date); partition column.", False),
    column("term", StringType(), "Unigram or bigram of the masked, diacritics-free text (docs/gold.md, alerts).", False),
    column("posts", LongType(), "Posts of the day containing the term (a post counts once).", False),
    column("distinct_authors", LongType(), "Distinct author_pseudonym values among those posts.", False),
    *_run_cols,
)

TERM_COUNTS_DAILY = TableContract(
    name="term_counts_daily",
    layer="gold",
    schema=_terms_schema,
    column_docs=_terms_docs,
    description=(
        "Posts and authors per day and term (unigrams and bigrams, stop words removed): the history"
        " emerging-term alerts compare against, written with gold.alerts for the recomputed days."
    ),
    keys=("day", "term"),
    partition_by="day",
    write_mode="replace_partition",
    ignore_on_compare=GOLD_METADATA_COLUMNS,
)

CONTRACTS = [INDICATORS_DAILY, ALERTS, RESPONSIVENESS, PUBLIC_DEBATE, TERM_COUNTS_DAILY]
