"""Bronze tables: canonical posts as received, the quarantine, and ingest run counts.

Bronze is restricted: raw handles and raw text live only here.
"""

from __future__ import annotations

from pyspark.sql.types import (
    BooleanType,
    DateType,
    DoubleType,
    LongType,
    StringType,
    TimestampType,
)

from schemas.contract import TableContract, build_schema, column

PLATFORM_TYPES = (
    "social_network",
    "social_news",
    "blog_forum",
    "social_bookmarking",
    "photo_video",
    "e_petition",
)

ENGAGEMENT_COLUMNS = ("likes", "shares", "replies", "views", "signatures")

INGEST_METADATA_COLUMNS = ("raw_payload", "ingest_file", "ingest_line", "run_id", "ingested_at", "landing_date")

_posts_schema, _posts_docs = build_schema(
    column("post_id", StringType(), "Stable id: sha256 of source + native id (or of content when the source has no id).", False),
    column("platform_type", StringType(), f"One of {', '.join(PLATFORM_TYPES)}.", False),
    column("source", StringType(), "Source name, e.g. x, facebook, reddit, hotnews_comments.", False),
    column("native_id", StringType(), "The id the platform gave the post, if any."),
    column("url", StringType(), "Link to the post."),
    column("author_handle", StringType(), "Raw author handle (restricted: never leaves bronze)."),
    column("author_name", StringType(), "Raw display name (restricted: never leaves bronze)."),
    column("is_official_account", BooleanType(), "True when the author is an institution's official account (registry or platform flag).", False),
    column("parent_id", StringType(), "post_id of the post this one replies to."),
    column("thread_id", StringType(), "post_id of the root of the thread."),
    column("created_at", TimestampType(), "When the post was published (UTC).", False),
    column("created_date", DateType(), "UTC date of created_at; partition column.", False),
    column("title", StringType(), "Title (articles, petitions, forum threads, videos)."),
    column("text", StringType(), "Post text as received (restricted).", False),
    column("lang_hint", StringType(), "Language the platform reported, if any."),
    column("likes", LongType(), "Likes / reactions / upvotes."),
    column("shares", LongType(), "Shares / retweets."),
    column("replies", LongType(), "Reply count reported by the platform."),
    column("views", LongType(), "Views / impressions."),
    column("signatures", LongType(), "Petition signatures."),
    column("geo_place", StringType(), "Free-text place hint (profile or post location)."),
    column("geo_lat", DoubleType(), "Latitude, when the platform gave one."),
    column("geo_lon", DoubleType(), "Longitude, when the platform gave one."),
    column("raw_payload", StringType(), "The record as received (JSON or CSV line)."),
    column("ingest_file", StringType(), "Landing file the record came from.", False),
    column("ingest_line", LongType(), "Line or record number in that file (1-based).", False),
    column("run_id", StringType(), "Ingest run that last wrote the row.", False),
    column("ingested_at", TimestampType(), "When that run started (UTC).", False),
    column("landing_date", DateType(), "Landing day of the last change to the row (new post or changed engagement).", False),
)

POSTS = TableContract(
    name="posts",
    layer="bronze",
    schema=_posts_schema,
    column_docs=_posts_docs,
    description="Canonical social posts from every platform, one row per post_id; MERGE updates engagement.",
    keys=("post_id",),
    partition_by="created_date",
    write_mode="merge",
    ignore_on_compare=INGEST_METADATA_COLUMNS,
    version_column="landing_date",
)

_quarantine_schema, _quarantine_docs = build_schema(
    column("landing_date", DateType(), "Landing folder day; partition column.", False),
    column("source", StringType(), "Source folder name.", False),
    column("ingest_file", StringType(), "File the bad record came from.", False),
    column("ingest_line", LongType(), "Line or record number in that file (0 = whole file).", False),
    column("reason", StringType(), "Why the record was rejected.", False),
    column("raw_text", StringType(), "The record (or file head) as received."),
    column("run_id", StringType(), "Ingest run that found it.", False),
    column("quarantined_at", TimestampType(), "When that run started (UTC).", False),
)

QUARANTINE = TableContract(
    name="quarantine",
    layer="bronze",
    schema=_quarantine_schema,
    column_docs=_quarantine_docs,
    description="Records and files that could not be ingested, with the reason; replaced per landing day.",
    keys=("landing_date", "ingest_file", "ingest_line"),
    partition_by="landing_date",
    write_mode="replace_partition",
    ignore_on_compare=("run_id", "quarantined_at"),
)

_runs_schema, _runs_docs = build_schema(
    column("run_id", StringType(), "Ingest run id.", False),
    column("landing_date", DateType(), "Landing day processed.", False),
    column("source", StringType(), "Source folder name.", False),
    column("files", LongType(), "Files read.", False),
    column("records_read", LongType(), "Records read (valid + quarantined).", False),
    column("ingested_new", LongType(), "Posts inserted into bronze.posts.", False),
    column("updated", LongType(), "Existing posts whose content or engagement changed.", False),
    column("unchanged", LongType(), "Existing posts seen again unchanged.", False),
    column("duplicates", LongType(), "Extra copies of a post within this run.", False),
    column("quarantined", LongType(), "Records sent to bronze.quarantine.", False),
    column("started_at", TimestampType(), "Run start (UTC).", False),
    column("finished_at", TimestampType(), "Run end (UTC).", False),
)

INGEST_RUNS = TableContract(
    name="ingest_runs",
    layer="ops",
    schema=_runs_schema,
    column_docs=_runs_docs,
    description=(
        "Counts per ingest run and source. records_read = ingested_new + updated + unchanged"
        " + duplicates + quarantined."
    ),
    keys=("run_id", "source"),
    partition_by="landing_date",
    write_mode="append",
)
