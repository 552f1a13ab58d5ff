"""Silver tables: cleaned, PII-masked, pseudonymised, language-tagged and de-duplicated posts.

Silver holds no raw handle, no raw display name and no raw text: only masked text, an
HMAC pseudonym per author (institutional accounts from the registry keep their names),
and one column per decision the silver job took (language, masked counts, duplicates,
near-duplicate cluster, campaign, spam flags).
"""

from __future__ import annotations

from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    TimestampType,
)

from schemas.contract import TableContract, build_schema, column

LANG_CODES = ("ro", "ro-Cyrl", "hu", "en", "ru", "uk", "fr", "de", "it", "es", "und")
SPAM_FLAGS = ("link_only", "repeated_text", "posting_burst")
PII_TYPES = ("cnp", "phone", "email", "iban", "plate")
PROCESSING_METADATA_COLUMNS = ("silver_run_id", "processed_at")

_strings = ArrayType(StringType())

_posts_schema, _posts_docs = build_schema(
    column("post_id", StringType(), "Bronze post_id of the canonical copy (key).", False),
    column("platform_type", StringType(), "Platform type, as in bronze.", False),
    column("source", StringType(), "Source name, as in bronze.", False),
    column("parent_id", StringType(), "post_id of the post this one replies to."),
    column("thread_id", StringType(), "post_id of the root of the thread."),
    column("created_at", TimestampType(), "When the post was published (UTC).", False),
    column("created_date", DateType(), "UTC date of created_at; partition column.", False),
    column("landing_date", DateType(), "Landing day of the bronze rows this row was built from.", False),
    column(
        "author_pseudonym",
        StringType(),
        "HMAC-SHA256(secret, platform family + handle), hex; null when bronze had no handle.",
    ),
    column(
        "author_display",
        StringType(),
        "Institution name for registry accounts, else 'user-' + the first 12 hex of the pseudonym.",
    ),
    column("author_is_official", BooleanType(), "Registry match or platform flag for an institution.", False),
    column("institution_id", StringType(), "Institution id from the official accounts registry."),
    column("title_masked", StringType(), "Normalised title with PII replaced by typed placeholders."),
    column("text_masked", StringType(), "Normalised text with PII replaced by typed placeholders.", False),
    column(
        "text_key",
        StringType(),
        "Diacritics-free lower-case key of text_masked (exact-duplicate key).",
        False,
    ),
    column("urls", _strings, "URLs found in the text (mailto:/tel: links are masked away).", False),
    column(
        "mentions",
        _strings,
        "Mentions: official accounts as '@handle', other accounts as their pseudonym (like authors).",
        False,
    ),
    column("hashtags", _strings, "Hashtags, lower-case, without '#'.", False),
    column("emoji", _strings, "Emoji sequences in order of appearance.", False),
    column(
        "lang",
        StringType(),
        f"Language: one of {', '.join(LANG_CODES)} (ro-Cyrl = Moldovan Cyrillic).",
        False,
    ),
    column("lang_confidence", DoubleType(), "Confidence of the language decision, 0..1 (0 for und).", False),
    column("lang_hint", StringType(), "Language the platform reported, if any (bronze, unchanged)."),
    column("pii_cnp", IntegerType(), "Checksum-valid CNPs masked as <CNP> (text + title).", False),
    column("pii_phone", IntegerType(), "Phone numbers masked as <PHONE>.", False),
    column("pii_email", IntegerType(), "E-mail addresses masked as <EMAIL>.", False),
    column("pii_iban", IntegerType(), "Mod-97-valid IBANs masked as <IBAN>.", False),
    column("pii_plate", IntegerType(), "Romanian vehicle plates masked as <PLATE>.", False),
    column("likes", LongType(), "Likes / reactions / upvotes (canonical copy)."),
    column("shares", LongType(), "Shares / retweets (canonical copy)."),
    column("replies", LongType(), "Reply count reported by the platform (canonical copy)."),
    column("views", LongType(), "Views / impressions (canonical copy)."),
    column("signatures", LongType(), "Petition signatures (canonical copy)."),
    column("geo_place", StringType(), "Free-text place hint, normalised and PII-masked."),
    column("geo_lat", DoubleType(), "Latitude rounded to 2 decimals (~1 km)."),
    column("geo_lon", DoubleType(), "Longitude rounded to 2 decimals (~1 km)."),
    column(
        "duplicate_count",
        IntegerType(),
        "Exact duplicates (same text_key) of the day collapsed into this row; 0 when none.",
        False,
    ),
    column(
        "duplicate_post_ids",
        _strings,
        "Bronze post_ids collapsed into this row (each is a duplicate of post_id), sorted.",
        False,
    ),
    column("duplicate_authors", IntegerType(), "Distinct authors among this row and its duplicates.", False),
    column(
        "near_dup_cluster_id",
        StringType(),
        "Cluster of the day's posts with Jaccard >= 0.8 on 5-char shingles (exact copies included):"
        " the smallest bronze post_id in it; null when the post has no copy.",
    ),
    column("near_dup_cluster_size", IntegerType(), "Bronze posts in that cluster (0 when none).", False),
    column(
        "campaign_id",
        StringType(),
        "'cmp-' + cluster id when >= 5 distinct authors posted the cluster's text within 2 hours.",
    ),
    column(
        "campaign_size", IntegerType(), "Distinct authors in the campaign's cluster (0 when none).", False
    ),
    column(
        "spam_flags",
        _strings,
        f"Spam signals, any of {', '.join(SPAM_FLAGS)}; posts are never dropped.",
        False,
    ),
    column("silver_run_id", StringType(), "Silver run that last wrote the row.", False),
    column("processed_at", TimestampType(), "When that run started (UTC).", False),
)

POSTS = TableContract(
    name="posts",
    layer="silver",
    schema=_posts_schema,
    column_docs=_posts_docs,
    description=(
        "Masked, pseudonymised, language-tagged posts, exact duplicates collapsed; MERGE on post_id"
        " so a re-run with unchanged bronze commits nothing."
    ),
    keys=("post_id",),
    partition_by="created_date",
    write_mode="merge",
    ignore_on_compare=PROCESSING_METADATA_COLUMNS,
)

CONTRACTS = [POSTS]
