"""Hand-built silver.posts_enriched rows for the gold tests (no models run)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

PROBS = {
    "negative": (0.7, 0.2, 0.1),
    "neutral": (0.2, 0.6, 0.2),
    "positive": (0.1, 0.2, 0.7),
}
INSTITUTIONS = {
    "ministerul_sanatatii": ("Ministerul Sănătății", "ministry", None),
    "anaf": ("Agenția Națională de Administrare Fiscală", "agency", None),
    "politia_romana": ("Poliția Română", "police", None),
}


def post(
    post_id: str,
    day: date,
    author: str | None = "a",
    sentiment: str | None = "neutral",
    topics: list[str] | None = None,
    institutions: list[str] | None = None,
    county: str | None = None,
    platform_type: str = "social_network",
    source: str = "x",
    text: str = "text",
    hour: int = 12,
    minute: int = 0,
    landing: date | None = None,
    parent_id: str | None = None,
    thread_id: str | None = None,
    official: str | None = None,
    mentions: list[str] | None = None,
    title: str | None = None,
    urls: list[str] | None = None,
    **engagement: int,
) -> dict[str, Any]:
    """One posts_enriched row; ``official`` names the institution whose official account wrote it."""
    created = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
    p = PROBS.get(sentiment or "", (None, None, None))
    insts = [
        {"id": i, "name": INSTITUTIONS[i][0], "kind": INSTITUTIONS[i][1], "county": INSTITUTIONS[i][2]}
        for i in (institutions or [])
    ] if institutions is not None else None
    pseudo = hashlib.sha256(author.encode()).hexdigest() if author else None
    return {
        "post_id": post_id,
        "platform_type": platform_type,
        "source": source,
        "parent_id": parent_id,
        "thread_id": thread_id,
        "created_at": created,
        "created_date": day,
        "landing_date": landing or day,
        "author_pseudonym": pseudo,
        "author_display": INSTITUTIONS[official][0] if official else f"user-{(pseudo or '')[:12]}",
        "author_is_official": official is not None,
        "institution_id": official,
        "title_masked": title,
        "text_masked": text,
        "text_key": text.lower(),
        "urls": urls or [],
        "mentions": mentions or [],
        "hashtags": [],
        "emoji": [],
        "lang": "ro" if sentiment else "en",
        "lang_confidence": 0.9,
        "lang_hint": None,
        "pii_cnp": 0, "pii_phone": 0, "pii_email": 0, "pii_iban": 0, "pii_plate": 0,
        "likes": engagement.get("likes"),
        "shares": engagement.get("shares"),
        "replies": engagement.get("replies"),
        "views": engagement.get("views"),
        "signatures": engagement.get("signatures"),
        "geo_place": None, "geo_lat": None, "geo_lon": None,
        "duplicate_count": 0, "duplicate_post_ids": [], "duplicate_authors": 1,
        "near_dup_cluster_id": None, "near_dup_cluster_size": 0, "campaign_id": None, "campaign_size": 0,
        "spam_flags": [],
        "silver_run_id": "test", "processed_at": datetime(2026, 1, 1, tzinfo=UTC),
        "sentiment": sentiment,
        "p_negative": p[0], "p_neutral": p[1], "p_positive": p[2],
        "sentiment_model_version": "test" if sentiment else None,
        "topics": topics,
        "topic_scores": {t: 0.9 for t in topics} if topics else None,
        "topic_taxonomy_version": "t1", "topic_model_version": "m1",
        "institutions": insts,
        "county_code": county,
        "locality_siruta": None, "locality_name": None,
        "enrich_skipped_reason": None if sentiment else "language en not scored",
        "enrich_run_id": "test", "enriched_at": datetime(2026, 1, 1, tzinfo=UTC),
    }


def days_from(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def load(lake: Any, rows: list[dict[str, Any]]) -> None:
    """Append rows to silver.posts_enriched through the lake (ids must be new; fewer Spark jobs than MERGE)."""
    from schemas.enriched import POSTS_ENRICHED

    df = lake.spark.createDataFrame(rows, POSTS_ENRICHED.schema)
    lake.append(POSTS_ENRICHED, df)


def indicator_row(day: date, level: str = "total", institution: str = "ALL", topic: str = "ALL",
                  posts: int = 10, authors: int = 10, negative: int = 0, positive: int = 0,
                  **overrides: Any) -> dict[str, Any]:
    """One complete gold.indicators_daily row (for tests that need no Spark)."""
    scored = negative + positive
    row: dict[str, Any] = {
        "day": day, "grouping_level": level, "institution_id": institution,
        "institution_name": None, "topic": topic, "county_code": "ALL", "platform_type": "ALL",
        "posts": posts, "distinct_authors": authors, "scored": scored, "negative": negative, "neutral": 0,
        "positive": positive, "net_sentiment": (positive - negative) / scored if scored else None,
        "mean_p_negative": None, "mean_p_neutral": None, "mean_p_positive": None,
        "likes": 0, "shares": 0, "replies": 0, "views": 0, "signatures": 0,
        "share_of_voice_in_topic": None, "share_of_voice_in_institution": None,
        "posts_7d": posts, "posts_28d": posts, "net_sentiment_7d": None, "net_sentiment_28d": None,
        "posts_prev_7d": 0, "posts_wow_change": None, "net_sentiment_wow_change": None,
        "gold_run_id": "test", "computed_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    row.update(overrides)
    return row


def write_indicators(settings: Any, rows: list[dict[str, Any]], mode: str = "append") -> None:
    """Write gold.indicators_daily with delta-rs only (fast; no Spark)."""
    import pyarrow as pa
    from deltalake import write_deltalake

    from schemas.gold import INDICATORS_DAILY

    schema = INDICATORS_DAILY.arrow_schema
    table = pa.Table.from_pylist(rows, schema=schema)
    write_deltalake(settings.table_path("gold", "indicators_daily"), table, mode=mode, partition_by=["day"])
