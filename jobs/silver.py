"""Silver job: bronze.posts of one landing day → silver.posts (masked, pseudonymised, de-duplicated).

Run: ``python -m jobs.silver --day 2026-11-27`` (or spark-submit jobs/silver.py --day ...).

1. Bronze rows with ``landing_date == day`` go through one ``mapInArrow`` pass running the
   pure-Python text logic of :mod:`jobs.text` per Arrow batch: normalisation, PII masking,
   mention pseudonymisation, entity extraction, language id, author pseudonyms. Raw text and
   raw handles stop there.
2. Exact duplicates (same ``text_key``) collapse into the earliest copy (then smallest
   post_id), which records ``duplicate_count`` and ``duplicate_post_ids``. Keys shorter than
   :data:`MIN_KEY_CHARS` only collapse copies by the same author ("ok", "bravo" from many people
   stay separate posts).
3. Near duplicates: MinHash LSH (banded) on 5-character shingles of ``text_key``; pairs with Jaccard
   similarity >= :data:`NEAR_DUP_SIMILARITY` are joined into connected components (exact
   copies included). A cluster where >= :data:`CAMPAIGN_MIN_AUTHORS` distinct authors posted
   within :data:`CAMPAIGN_WINDOW_S` seconds is a campaign.
4. Spam signals become ``spam_flags``; nothing is deleted.
5. MERGE on post_id: a re-run with unchanged bronze changes nothing and commits nothing.
   Bronze rows of the day = silver rows written + duplicates collapsed, or the job fails.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # spark-submit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa
from pyspark.ml.feature import HashingTF, MinHashLSH
from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from jobs.cli import job_parser, parse_job_args
from jobs.lake import Lake, WriteResult, open_lake
from jobs.settings import Settings
from jobs.spark import build_spark
from jobs.text.pseudonym import REGISTRY_FILE, OfficialRegistry, resolve_secret
from schemas import bronze, silver

log = logging.getLogger("civic_pulse.silver")

MIN_KEY_CHARS = 20  # exact-dup across authors and near-dup need at least this many key characters
SHINGLE_CHARS = 5
NEAR_DUP_SIMILARITY = 0.8  # Jaccard similarity of shingle sets
LSH_BANDS = 14  # MinHash banding: 14 bands of 6 hashes (84 hash functions)
LSH_ROWS = 6
LSH_SEED = 20261128
HASH_FEATURES = 1 << 18
CAMPAIGN_MIN_AUTHORS = 5
CAMPAIGN_WINDOW_S = 2 * 3600
BURST_POSTS = 10  # posts by one author ...
BURST_WINDOW_S = 600  # ... within 10 minutes
MAX_CC_ITERATIONS = 50
DRIVER_CC_MAX_EDGES = 200_000

PASS_THROUGH = (
    "post_id", "platform_type", "source", "parent_id", "thread_id", "created_at", "created_date",
    "landing_date", "lang_hint", "likes", "shares", "replies", "views", "signatures", "geo_lat", "geo_lon",
)  # fmt: skip
_strings = ArrayType(StringType())
ENRICHED_FIELDS = [
    StructField("author_pseudonym", StringType()),
    StructField("author_display", StringType()),
    StructField("author_is_official", BooleanType(), False),
    StructField("institution_id", StringType()),
    StructField("title_masked", StringType()),
    StructField("text_masked", StringType(), False),
    StructField("text_key", StringType(), False),
    StructField("geo_place", StringType()),
    StructField("urls", _strings, False),
    StructField("mentions", _strings, False),
    StructField("hashtags", _strings, False),
    StructField("emoji", _strings, False),
    StructField("lang", StringType(), False),
    StructField("lang_confidence", DoubleType(), False),
    *[StructField(f"pii_{t}", IntegerType(), False) for t in silver.PII_TYPES],
    StructField("link_only", BooleanType(), False),
]


class CountsDoNotReconcile(RuntimeError):
    """Bronze rows of the day differ from silver rows + collapsed duplicates."""


@dataclass(frozen=True)
class SilverResult:
    """What one silver run did; ``bronze_rows == silver_rows + duplicates_collapsed``."""

    day: str
    run_id: str
    bronze_rows: int
    silver_rows: int
    duplicates_collapsed: int
    near_dup_clusters: int
    campaigns: int
    pii_masked: dict[str, int]
    languages: dict[str, int]
    committed: bool
    inserted: int
    updated: int
    table_version: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------------------ text enrichment
def enrich_batches(
    batches: Iterator[pa.RecordBatch],
    secret: str,
    registry: OfficialRegistry,
    schema: pa.Schema,
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: bronze columns in, pass-through + masked/derived columns out."""
    from jobs.text.enrich import enrich_post
    from jobs.text.pseudonym import platform_of

    for batch in batches:
        rows = batch.to_pylist()
        out = []
        for row in rows:
            platform = platform_of(row["source"])
            derived = enrich_post(
                secret,
                registry,
                platform,
                handle=row["author_handle"],
                platform_official=bool(row["is_official_account"]),
                text=row["text"],
                title=row["title"],
                geo_place=row["geo_place"],
            )
            record = {c: row[c] for c in PASS_THROUGH}
            record.update(derived)
            out.append(record)
        yield pa.RecordBatch.from_pylist(out, schema=schema)


def enrich(df: DataFrame, secret: str, registry: OfficialRegistry) -> DataFrame:
    """Apply the text logic in Arrow batches; the result has no raw text or handle."""
    out_schema = StructType([*(bronze.POSTS.schema[c] for c in PASS_THROUGH), *ENRICHED_FIELDS])
    arrow_schema = to_arrow_schema(out_schema, timezone="UTC")
    inputs = [*PASS_THROUGH, "author_handle", "is_official_account", "text", "title", "geo_place"]

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return enrich_batches(batches, secret, registry, arrow_schema)

    return df.select(*inputs).mapInArrow(run, out_schema)


# ------------------------------------------------------------------------------ duplicates
def exact_duplicate_key(df: DataFrame) -> DataFrame:
    """``dup_key``: the text key when long enough, else (author, exact masked text); replies per parent."""
    long_enough = F.length("text_key") >= MIN_KEY_CHARS
    author = F.coalesce(F.col("author_pseudonym"), F.col("post_id"))
    short_key = F.concat(F.lit("a:"), author, F.lit(":"), F.lower(F.col("text_masked")))
    key = F.when(long_enough, F.concat(F.lit("k:"), F.col("text_key"))).otherwise(short_key)
    # A reply answers its parent: the same templated answer ("Vă mulțumim, am transmis…") under
    # different posts is one reply per post, never a duplicate (responsiveness counts them).
    # Identical replies still meet in one near-duplicate cluster and get the repeated_text flag.
    reply_scope = F.when(F.col("parent_id").isNotNull(), F.concat(F.lit("|p:"), F.col("parent_id"))).otherwise(F.lit(""))
    return df.withColumn("dup_key", F.concat(key, reply_scope))


def near_duplicate_pairs(nodes: DataFrame) -> DataFrame:
    """(a, b) pairs of node ids (a < b) with Jaccard similarity >= NEAR_DUP_SIMILARITY.

    MLlib ``MinHashLSH`` hashes (:data:`LSH_BANDS` × :data:`LSH_ROWS` functions on HashingTF
    shingle vectors), combined by banding: :data:`LSH_BANDS` bands of :data:`LSH_ROWS` hashes; two posts are
    candidates when all hashes of one band agree (AND within a band, OR across bands), and
    every candidate is then checked with its exact Jaccard similarity. MLlib's own
    ``approxSimilarityJoin`` only ORs single hashes, so posts that share a template (Jaccard ~0.5) almost always
    collide and the self-join grows with the square of the day's volume; banding keeps
    candidates near the true pairs (P(candidate) = 0.986 at J = 0.8, 0.20 at J = 0.5).
    """
    n = SHINGLE_CHARS
    shingled = nodes.where(F.length("text_key") >= MIN_KEY_CHARS).select(
        "node",
        F.array_distinct(
            F.expr(f"transform(sequence(1, length(text_key) - {n - 1}), i -> substring(text_key, i, {n}))")
        ).alias("shingles"),
    )
    if shingled.limit(2).count() < 2:
        return nodes.sparkSession.createDataFrame([], "a string, b string")
    vectors = HashingTF(inputCol="shingles", outputCol="features", numFeatures=HASH_FEATURES, binary=True).transform(
        shingled
    )
    lsh = MinHashLSH(inputCol="features", outputCol="hashes", numHashTables=LSH_BANDS * LSH_ROWS, seed=LSH_SEED)
    signature = F.transform(F.col("hashes"), lambda h: vector_to_array(h)[0].cast("long"))
    bands = F.array(
        *[
            F.concat_ws(":", F.lit(b), *[signature[b * LSH_ROWS + r].cast("string") for r in range(LSH_ROWS)])
            for b in range(LSH_BANDS)
        ]
    )
    signed = (
        lsh.fit(vectors).transform(vectors).select("node", "shingles", F.explode(bands).alias("band")).localCheckpoint()
    )
    left = signed.select(F.col("node").alias("a"), "band", F.col("shingles").alias("sa"))
    right = signed.select(F.col("node").alias("b"), "band", F.col("shingles").alias("sb"))
    candidates = left.join(right, "band").where(F.col("a") < F.col("b")).select("a", "b", "sa", "sb")
    candidates = candidates.dropDuplicates(["a", "b"])
    jaccard = F.size(F.array_intersect("sa", "sb")) / F.size(F.array_union("sa", "sb"))
    return candidates.where(jaccard >= F.lit(NEAR_DUP_SIMILARITY - 1e-9)).select("a", "b").localCheckpoint()


def union_find_components(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """node -> smallest node id of its connected component (driver-side, for small edge lists)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {node: root(node) for node in parent}


def connected_components(pairs: DataFrame) -> DataFrame:
    """(node, component) with component = smallest node id reachable.

    Up to :data:`DRIVER_CC_MAX_EDGES` pairs are solved with union-find on the driver (a day's
    near-duplicate pairs are few: exact copies were merged into one node first); more go
    through :func:`connected_components_spark`.
    """
    spark = pairs.sparkSession
    if pairs.limit(DRIVER_CC_MAX_EDGES + 1).count() > DRIVER_CC_MAX_EDGES:
        return connected_components_spark(pairs)
    mapping = union_find_components([(r["a"], r["b"]) for r in pairs.collect()])
    return spark.createDataFrame(sorted(mapping.items()), "node string, component string")


def connected_components_spark(pairs: DataFrame) -> DataFrame:
    """Same as :func:`connected_components`, by iterated min-label propagation in Spark."""
    edges = (
        pairs.select(F.col("a").alias("src"), F.col("b").alias("dst"))
        .union(pairs.select(F.col("b").alias("src"), F.col("a").alias("dst")))
        .localCheckpoint()
    )
    if edges.isEmpty():
        return pairs.sparkSession.createDataFrame([], "node string, component string")
    labels = edges.select(F.col("src").alias("node")).distinct().withColumn("label", F.col("node"))
    labels = labels.localCheckpoint()
    for iteration in range(MAX_CC_ITERATIONS):
        spread = edges.join(labels, edges.src == labels.node).select(F.col("dst").alias("node"), "label")
        updated = (
            labels.unionByName(spread).groupBy("node").agg(F.min("label").alias("label")).localCheckpoint()
        )
        changed = (
            updated.alias("u")
            .join(labels.alias("l"), "node")
            .where(F.col("u.label") != F.col("l.label"))
            .limit(1)
            .count()
        )
        labels = updated
        if not changed:
            log.info("connected components converged after %d iterations", iteration + 1)
            break
    else:
        log.warning("connected components did not converge in %d iterations", MAX_CC_ITERATIONS)
    return labels.select("node", F.col("label").alias("component"))


def deduplicate(rows: DataFrame) -> DataFrame:
    """Every bronze row with its dup group, cluster, campaign and spam flags (nothing dropped yet)."""
    rows = exact_duplicate_key(rows)
    by_key = Window.partitionBy("dup_key").orderBy("created_at", "post_id")
    rows = rows.withColumn(
        "canonical_id", F.first("post_id").over(by_key.rowsBetween(Window.unboundedPreceding, 0))
    )

    nodes = rows.where(F.col("post_id") == F.col("canonical_id")).select(
        F.col("post_id").alias("node"), "text_key"
    )
    components = connected_components(near_duplicate_pairs(nodes))
    rows = (
        rows.join(components, rows.canonical_id == components.node, "left")
        .drop("node")
        .withColumn("component", F.coalesce("component", "canonical_id"))
    )

    by_component = Window.partitionBy("component")
    rows = rows.withColumn("cluster_rows", F.count(F.lit(1)).over(by_component))
    rows = rows.withColumn(
        "near_dup_cluster_id",
        F.when(F.col("cluster_rows") > 1, F.min("post_id").over(by_component)),
    ).withColumn(
        "near_dup_cluster_size", F.when(F.col("cluster_rows") > 1, F.col("cluster_rows")).otherwise(0)
    )

    ts = F.col("created_at").cast("long")
    author = F.coalesce("author_pseudonym", "post_id")
    in_window = Window.partitionBy("component").orderBy(ts).rangeBetween(0, CAMPAIGN_WINDOW_S)
    rows = rows.withColumn("_authors_in_window", F.size(F.collect_set(author).over(in_window)))
    rows = rows.withColumn("_cluster_authors", F.size(F.collect_set(author).over(by_component)))
    is_campaign = (F.col("cluster_rows") > 1) & (
        F.max("_authors_in_window").over(by_component) >= CAMPAIGN_MIN_AUTHORS
    )
    rows = rows.withColumn(
        "campaign_id", F.when(is_campaign, F.concat(F.lit("cmp-"), F.col("near_dup_cluster_id")))
    ).withColumn("campaign_size", F.when(is_campaign, F.col("_cluster_authors")).otherwise(0))

    same_author_in_cluster = Window.partitionBy("component", author)
    burst = Window.partitionBy(author).orderBy(ts).rangeBetween(-BURST_WINDOW_S, 0)
    rows = rows.withColumn(
        "_repeated",
        (F.col("cluster_rows") > 1)
        & F.col("author_pseudonym").isNotNull()
        & (F.count(F.lit(1)).over(same_author_in_cluster) > 1),
    ).withColumn(
        "_burst",
        F.col("author_pseudonym").isNotNull() & (F.count(F.lit(1)).over(burst) >= BURST_POSTS),
    )
    flags = F.array(
        F.when(F.col("link_only"), F.lit("link_only")),
        F.when(F.col("_repeated"), F.lit("repeated_text")),
        F.when(F.col("_burst"), F.lit("posting_burst")),
    )
    rows = rows.withColumn("spam_flags", F.filter(flags, lambda x: x.isNotNull()))

    by_group = Window.partitionBy("canonical_id")
    return rows.withColumn(
        "duplicate_post_ids",
        F.array_sort(
            F.filter(F.collect_list("post_id").over(by_group), lambda x: x != F.col("canonical_id"))
        ),
    ).withColumn("duplicate_authors", F.size(F.collect_set(author).over(by_group)))


def build_silver(rows: DataFrame, run_id: str, processed_at: datetime) -> DataFrame:
    """Canonical rows only, in silver.posts shape."""
    canon = rows.where(F.col("post_id") == F.col("canonical_id"))
    canon = canon.withColumn("duplicate_count", F.size("duplicate_post_ids"))
    canon = canon.withColumn("geo_lat", F.round("geo_lat", 2)).withColumn("geo_lon", F.round("geo_lon", 2))
    canon = canon.withColumn("silver_run_id", F.lit(run_id)).withColumn(
        "processed_at", F.lit(processed_at).cast("timestamp")
    )
    return canon.select(*silver.POSTS.columns)


# ------------------------------------------------------------------------------ the job
def read_bronze_day(lake: Lake, day: date) -> DataFrame:
    """bronze.posts rows whose landing_date is ``day``."""
    return lake.read(bronze.POSTS).where(F.col("landing_date") == F.lit(day))


def run_silver(
    settings: Settings,
    spark: SparkSession,
    day: date,
    run_id: str,
    registry_path: str | Path = REGISTRY_FILE,
    secret: str | None = None,
) -> SilverResult:
    """Build silver.posts for one landing day and MERGE it; returns reconciled counts."""
    secret = secret or resolve_secret(settings.demo_mode, settings.pseudonym_secret)
    registry = OfficialRegistry.from_csv(registry_path)
    lake = open_lake(settings, spark)
    lake.ensure_table(silver.POSTS)
    processed_at = datetime.now(UTC).replace(microsecond=0)

    if not lake.exists(bronze.POSTS):
        log.warning("bronze.posts does not exist yet: nothing to do for %s", day)
        return _empty_result(lake, day, run_id)
    enriched = enrich(read_bronze_day(lake, day), secret, registry).localCheckpoint()
    bronze_rows = enriched.count()
    if bronze_rows == 0:
        log.warning("no bronze rows landed on %s: nothing to do", day)
        return _empty_result(lake, day, run_id)

    rows = deduplicate(enriched).localCheckpoint()
    out = build_silver(rows, run_id, processed_at)
    per_lang = (
        out.groupBy("lang")
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum("duplicate_count").alias("collapsed"),
            *[F.sum(f"pii_{t}").alias(f"pii_{t}") for t in silver.PII_TYPES],
        )
        .collect()
    )
    clusters = out.agg(
        F.countDistinct("near_dup_cluster_id").alias("clusters"),
        F.countDistinct("campaign_id").alias("campaigns"),
    ).collect()[0]
    languages = {r["lang"]: int(r["rows"]) for r in per_lang}
    silver_rows = sum(languages.values())
    collapsed = sum(int(r["collapsed"] or 0) for r in per_lang)
    if bronze_rows != silver_rows + collapsed:
        raise CountsDoNotReconcile(
            f"{day}: bronze rows {bronze_rows} != silver rows {silver_rows} + collapsed {collapsed}"
        )
    pii = {t: sum(int(r[f"pii_{t}"] or 0) for r in per_lang) for t in silver.PII_TYPES}
    written = lake.merge(silver.POSTS, out)
    result = _result(
        day, run_id, bronze_rows, silver_rows, collapsed, int(clusters["clusters"]), int(clusters["campaigns"]),
        pii, languages, written,
    )  # fmt: skip
    log.info("silver %s: %s", day, json.dumps(result.as_dict(), ensure_ascii=False))
    return result


def _empty_result(lake: Lake, day: date, run_id: str) -> SilverResult:
    unchanged = WriteResult(silver.POSTS.qualified_name, "merge", False, lake.version(silver.POSTS))
    return _result(day, run_id, 0, 0, 0, 0, 0, {}, {}, unchanged)


def _result(
    day: date,
    run_id: str,
    bronze_rows: int,
    silver_rows: int,
    collapsed: int,
    clusters: int,
    campaigns: int,
    pii: dict[str, int],
    languages: dict[str, int],
    written: WriteResult,
) -> SilverResult:
    return SilverResult(
        day=day.isoformat(),
        run_id=run_id,
        bronze_rows=bronze_rows,
        silver_rows=silver_rows,
        duplicates_collapsed=collapsed,
        near_dup_clusters=clusters,
        campaigns=campaigns,
        pii_masked=pii,
        languages=dict(sorted(languages.items())),
        committed=written.committed,
        inserted=written.inserted,
        updated=written.updated,
        table_version=written.version,
    )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = job_parser(__doc__.splitlines()[0] if __doc__ else "silver")
    parser.add_argument(
        "--official-accounts", default=str(REGISTRY_FILE), help="official accounts registry CSV"
    )
    args, ns = parse_job_args(parser, argv)
    try:
        secret = resolve_secret(args.settings.demo_mode, args.settings.pseudonym_secret)
        OfficialRegistry.from_csv(ns.official_accounts)  # fail fast, before Spark starts
    except (RuntimeError, ValueError, OSError) as exc:
        log.error("%s", exc)
        return 2
    spark = build_spark(args.settings, app_name=f"civic-pulse-silver-{args.day}")
    from jobs.runmetrics import run_recorded

    result = run_recorded(
        "silver", args.settings, spark, args.day, args.run_id,
        lambda: run_silver(args.settings, spark, args.day, args.run_id, ns.official_accounts, secret),
    )
    print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    raise SystemExit(main())
