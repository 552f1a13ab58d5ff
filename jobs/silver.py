"""Silver job: bronze.posts of one landing day → silver.posts (masked, pseudonymised, de-duplicated).

Run: ``python -m jobs.silver --day 2026-11-27`` (or spark-submit jobs/silver.py --day ...).

1. Bronze rows with ``landing_date == day`` (only the columns silver needs, spread over
   :func:`enrich_partitions` tasks) go through one ``mapInArrow`` pass running the
   pure-Python text logic of :mod:`jobs.text` per Arrow batch: normalisation, PII masking,
   mention pseudonymisation, entity extraction, language id, author pseudonyms, MinHash band
   keys. Raw text and raw handles stop there. The result is staged as Parquet once; every
   later step reads it from there.
2. Exact duplicates (same ``text_key``) collapse into the earliest copy (then smallest
   post_id), which records ``duplicate_count`` and ``duplicate_post_ids``. Keys shorter than
   :data:`MIN_KEY_CHARS` only collapse copies by the same author ("ok", "bravo" from many people
   stay separate posts).
3. Near duplicates: MinHash LSH (banded) on 5-character shingles of ``text_key``; pairs with Jaccard
   similarity >= :data:`NEAR_DUP_SIMILARITY` are joined into connected components (exact
   copies included). A cluster where >= :data:`CAMPAIGN_MIN_AUTHORS` distinct authors posted
   within :data:`CAMPAIGN_WINDOW_S` seconds is a campaign. Steps 2-4 run on a narrow
   projection (ids, times, authors, keys); the wide rows are joined back once, canonical
   rows only, and staged as Parquet before the MERGE.
4. Spam signals become ``spam_flags``; nothing is deleted.
5. MERGE on post_id: a re-run with unchanged bronze changes nothing and commits nothing.
   Bronze rows of the day = silver rows written + duplicates collapsed, or the job fails.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # spark-submit runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from jobs.cli import job_parser, parse_job_args
from jobs.lake import Lake, WriteResult, open_lake
from jobs.runmetrics import PhaseTimer
from jobs.settings import Settings
from jobs.spark import build_spark, cores, python_pass_tasks
from jobs.text.minhash import MIN_KEY_CHARS
from jobs.text.near_dup import UnionFind
from jobs.text.pseudonym import REGISTRY_FILE, OfficialRegistry, resolve_secret
from schemas import bronze, silver

log = logging.getLogger("civic_pulse.silver")

# MIN_KEY_CHARS (20): exact-dup across authors and near-dup need at least this many key characters.
# SHINGLE_CHARS, LSH_BANDS x LSH_ROWS (14 bands of 6 MinHash values), LSH_SEED: jobs/text/minhash.py.
NEAR_DUP_SIMILARITY = 0.8  # Jaccard similarity of shingle sets
ENRICH_ROWS_PER_TASK = 25_000  # rows per task of the Python text pass, at most (whole rounds of tasks)
CAMPAIGN_MIN_AUTHORS = 5
CAMPAIGN_WINDOW_S = 2 * 3600
BURST_POSTS = 10  # posts by one author ...
BURST_WINDOW_S = 600  # ... within 10 minutes
MAX_CC_ITERATIONS = 50
LSH_BUCKET_ALL_PAIRS = 100
"""LSH buckets up to this size are compared all pairs; larger ones by sorted neighbourhood."""
LSH_BUCKET_WINDOW = 25
"""In a large bucket, each node is compared with the next this many nodes in text order."""
DRIVER_CC_MAX_EDGES = 3_000_000  # collected at once: ~250 MB of Arrow, a few seconds of union-find
DRIVER_CC_STREAM_MAX_EDGES = 60_000_000  # streamed by partition: the driver keeps only the nodes

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
    # MinHash band keys of text_key (null when shorter than MIN_KEY_CHARS); not a silver column
    StructField("lsh_bands", ArrayType(LongType())),
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
    """mapInArrow body: bronze columns in, pass-through + masked/derived columns out.

    Column-wise: only the six inputs of the text logic become Python objects; the
    pass-through columns (ids, timestamps, counts, coordinates) go from the input batch to the
    output batch as Arrow arrays, never through Python.
    """
    from jobs.text.enrich import shared_text_pass
    from jobs.text.minhash import band_keys
    from jobs.text.pseudonym import platform_of

    text_post = shared_text_pass(secret, registry).post
    derived = [f for f in schema if f.name not in PASS_THROUGH and f.name != "lsh_bands"]
    for batch in batches:
        columns = [
            batch.column(c).to_pylist()
            for c in ("source", "author_handle", "is_official_account", "text", "title", "geo_place")
        ]
        values: dict[str, list[Any]] = {f.name: [] for f in derived}
        appenders = [(f.name, values[f.name].append) for f in derived]
        for source, handle, official, text, title, place in zip(*columns, strict=True):
            row = text_post(
                platform_of(source),
                handle=handle,
                platform_official=bool(official),
                text=text,
                title=title,
                geo_place=place,
            )
            for name, append in appenders:
                append(row[name])
        values["lsh_bands"] = band_keys(values["text_key"])  # whole batch at once (numpy)
        arrays = [
            batch.column(f.name).cast(f.type) if f.name in PASS_THROUGH else pa.array(values[f.name], type=f.type)
            for f in schema
        ]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def enrich(df: DataFrame, secret: str, registry: OfficialRegistry, partitions: int | None = None) -> DataFrame:
    """Apply the text logic in Arrow batches; the result has no raw text or handle.

    Only the columns the text logic needs are read; with ``partitions`` they are spread
    round-robin over that many tasks first (a landing day is often one or two bronze files,
    which would otherwise run the whole Python pass on one core).
    """
    out_schema = StructType([*(bronze.POSTS.schema[c] for c in PASS_THROUGH), *ENRICHED_FIELDS])
    arrow_schema = to_arrow_schema(out_schema, timezone="UTC")
    inputs = [*PASS_THROUGH, "author_handle", "is_official_account", "text", "title", "geo_place"]

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return enrich_batches(batches, secret, registry, arrow_schema)

    selected = df.select(*inputs)
    if partitions:
        # By a hash of the raw text: copies of a post meet in one task, where the worker's
        # memo (jobs.text.enrich.TextPass) computes their text work once; no sort, unlike round-robin.
        selected = selected.repartition(partitions, "text")
    return selected.mapInArrow(run, out_schema)


def enrich_partitions(spark: SparkSession, rows: int) -> int:
    """Tasks for the text pass: whole rounds of one per core, each of :data:`ENRICH_ROWS_PER_TASK` rows or fewer."""
    return python_pass_tasks(spark, rows, ENRICH_ROWS_PER_TASK)


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
    """(a, b) pairs of node ids (a < b) with Jaccard similarity >= NEAR_DUP_SIMILARITY, enough for components.

    ``nodes`` holds ``node``, ``text_key`` and ``lsh_bands``: 14 band keys of 6 MinHash values
    each, computed in the text pass (jobs/text/minhash.py). Two nodes are candidates when one
    band key agrees (AND within a band, OR across bands: P(candidate) = 0.986 at Jaccard 0.8,
    0.20 at 0.5). MLlib's ``approxSimilarityJoin`` only ORs single hashes, so posts that share
    a template (Jaccard ~0.5) almost always collide and its self-join grows with the square of
    the day's volume.

    No pair is ever materialised in Spark. The (node, band) rows of buckets holding more than
    one node are grouped by bucket, with their keys, in one shuffle into one task per core
    (:func:`walk_tasks`), and each task walks its buckets in Python
    (:class:`jobs.text.near_dup.BucketStream`): all pairs in buckets of up to
    LSH_BUCKET_ALL_PAIRS nodes, sorted neighbourhood (LSH_BUCKET_WINDOW nodes, two text orders)
    in larger ones, skipping the pairs and buckets the task has already connected, then the
    exact Jaccard similarity of the 5-character shingle sets, vectorised per batch of buckets.
    Each task returns a spanning forest of the similar pairs it found, and one last pass in a
    single task merges those into one forest, so the connected components are those of all
    similar candidate pairs, with k - 1 edges for a cluster of k variants. Measured in
    docs/performance.md.
    """
    spark = nodes.sparkSession
    banded = nodes.where(F.col("lsh_bands").isNotNull() & (F.length("text_key") >= MIN_KEY_CHARS))
    # One shuffle: the (node, band) rows travel once, with their keys, to the task of their bucket;
    # there the window counts each bucket's nodes in the node order the walk reads them in.
    tasks = walk_tasks(spark)
    bucket = Window.partitionBy("band", "band_key").orderBy("node").rowsBetween(
        Window.unboundedPreceding, Window.unboundedFollowing
    )
    grouped = (
        banded.select("node", "text_key", F.posexplode("lsh_bands").alias("band", "band_key"))
        .repartition(tasks, "band", "band_key")
        .withColumn("_size", F.count(F.lit(1)).over(bucket))
        .where(F.col("_size") > 1)  # a bucket of one node has no pair
        .sortWithinPartitions("band", "band_key", "node")  # already in this order: no second sort
        .select("band", "band_key", "node", "text_key")
    )
    threshold, all_pairs_up_to, window = NEAR_DUP_SIMILARITY - 1e-9, LSH_BUCKET_ALL_PAIRS, LSH_BUCKET_WINDOW

    def walk(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from jobs.text.near_dup import BucketStream

        stream = BucketStream(threshold, all_pairs_up_to, window)

        def as_batch(edges: list[tuple[str, str]]) -> pa.RecordBatch:
            return pa.RecordBatch.from_arrays(
                [pa.array([a for a, _ in edges], pa.string()), pa.array([b for _, b in edges], pa.string())],
                names=["a", "b"],
            )

        for batch in batches:
            columns = [batch.column(name).to_pylist() for name in ("band", "band_key", "node", "text_key")]
            edges = stream.feed(zip(*columns, strict=True))
            if edges:
                yield as_batch(edges)
        edges = stream.finish()
        if edges:
            yield as_batch(edges)

    def forest(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The edges that join two components of what came before: a spanning forest of them all."""
        merged = UnionFind()
        for batch in batches:
            left, right = batch.column("a").to_pylist(), batch.column("b").to_pylist()
            yield batch.filter(pa.array([merged.union(a, b) for a, b in zip(left, right, strict=True)]))

    # Tasks see different bands of the same clusters, so their forests overlap (at 1M: 4.2 M
    # edges for ~0.8 M clustered nodes); one more pass in one task keeps a single forest.
    started = time.perf_counter()
    per_task = grouped.mapInArrow(walk, "a string, b string").localCheckpoint()
    walked = time.perf_counter()
    pairs = per_task.coalesce(1).mapInArrow(forest, "a string, b string").localCheckpoint()
    log.info("near-duplicate pairs: buckets and walk took %.1f s, one forest %.1f s",
             walked - started, time.perf_counter() - walked)
    if pairs.isEmpty():
        return spark.createDataFrame([], "a string, b string")
    return pairs


def walk_tasks(spark: SparkSession) -> int:
    """Tasks of the bucket walk: one per core.

    Each task keeps its own forest and skips the pairs its earlier buckets already connected, so
    every extra task repeats work the others did (at 1M, 8 tasks took 285.8 s and 2 took
    177.7 s on 2 cores, same edges; docs/performance.md, item 18).
    """
    return cores(spark)


def connected_components(pairs: DataFrame) -> DataFrame:
    """(node, component) with component = smallest node id reachable.

    Union-find on the driver: up to :data:`DRIVER_CC_MAX_EDGES` pairs collected at once as
    Arrow, up to :data:`DRIVER_CC_STREAM_MAX_EDGES` streamed one partition at a time (the
    driver holds the day's nodes, never all edges); more go through
    :func:`connected_components_spark` (iterated label propagation, slow on long chains).
    """
    spark = pairs.sparkSession
    edge_count = pairs.limit(DRIVER_CC_STREAM_MAX_EDGES + 1).count()
    log.info("near-duplicate graph: %s edges",
             f"> {DRIVER_CC_STREAM_MAX_EDGES}" if edge_count > DRIVER_CC_STREAM_MAX_EDGES else edge_count)
    if edge_count > DRIVER_CC_STREAM_MAX_EDGES:
        return connected_components_spark(pairs)
    forest = UnionFind()
    if edge_count > DRIVER_CC_MAX_EDGES:
        for row in pairs.select("a", "b").toLocalIterator():
            forest.union(row[0], row[1])
    else:
        edges = pairs.toArrow()  # Arrow, not Row objects: at most DRIVER_CC_MAX_EDGES small pairs
        for a, b in zip(edges.column("a").to_pylist(), edges.column("b").to_pylist(), strict=True):
            forest.union(a, b)
    nodes = sorted(forest.parent)
    table = pa.table({"node": nodes, "component": [forest.root(n) for n in nodes]})
    return spark.createDataFrame(table, "node string, component string")


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


DEDUP_INPUTS = ("post_id", "created_at", "author_pseudonym", "link_only", "dup_key")
DEDUP_OUTPUTS = (
    "canonical_id", "near_dup_cluster_id", "near_dup_cluster_size", "campaign_id", "campaign_size",
    "spam_flags", "duplicate_post_ids", "duplicate_authors",
)  # fmt: skip


def deduplicate(rows: DataFrame) -> DataFrame:
    """Every bronze row's post_id with its dup group, cluster, campaign and spam flags (nothing dropped yet).

    Works on a narrow projection of ``rows`` (ids, times, authors, keys): the window functions
    below each shuffle their input, and the masked texts, titles, lists and counts of the wide
    rows need not travel with them. Join the result back on ``post_id``.
    """
    keyed = exact_duplicate_key(rows).select(*DEDUP_INPUTS, "text_key", "lsh_bands")
    by_key = Window.partitionBy("dup_key").orderBy("created_at", "post_id")
    started = time.perf_counter()
    keyed = keyed.withColumn(
        "canonical_id", F.first("post_id").over(by_key.rowsBetween(Window.unboundedPreceding, 0))
    ).localCheckpoint()
    log.info("exact duplicates: keys and canonical rows took %.1f s", time.perf_counter() - started)

    nodes = keyed.where(F.col("post_id") == F.col("canonical_id")).select(
        F.col("post_id").alias("node"), "text_key", "lsh_bands"
    )
    components = connected_components(near_duplicate_pairs(nodes))
    return clusters_and_flags(keyed.select(*DEDUP_INPUTS, "canonical_id"), components)


def clusters_and_flags(keyed: DataFrame, components: DataFrame) -> DataFrame:
    """Clusters, campaigns, spam flags and duplicate lists from keyed rows and (node, component)."""
    rows = (
        keyed
        .join(components, F.col("canonical_id") == components.node, "left")
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
    authors = campaign_authors(rows.select("component", author.alias("author"), ts.alias("ts")))
    rows = rows.join(authors, "component", "left")
    is_campaign = (F.col("cluster_rows") > 1) & (F.col("_peak_authors") >= CAMPAIGN_MIN_AUTHORS)
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
    rows = rows.withColumn(
        "duplicate_post_ids",
        F.array_sort(
            F.filter(F.collect_list("post_id").over(by_group), lambda x: x != F.col("canonical_id"))
        ),
    ).withColumn("duplicate_authors", F.size(F.collect_set(author).over(by_group)))
    return rows.select("post_id", *DEDUP_OUTPUTS)


def campaign_authors(posts: DataFrame) -> DataFrame:
    """Per ``component``: distinct authors, and the most distinct authors posting within one campaign window.

    ``posts`` holds ``component``, ``author`` and ``ts`` (epoch seconds). An author takes part in
    the window ``[s, s + CAMPAIGN_WINDOW_S]`` exactly when ``s`` lies in ``[t - W, t]`` for one of
    their posts ``t``; their posts at most ``W`` apart merge into one such interval. The peak
    over all ``s`` is then the largest number of open intervals in a sweep over their ends
    (an interval opens before another closes at the same second), which equals the peak over
    windows starting at a post. Sorts only: a ``collect_set`` over a sliding window rebuilt its
    set for every row, quadratic in a cluster's size (docs/performance.md, item 18).
    """
    w = CAMPAIGN_WINDOW_S
    by_author = Window.partitionBy("component", "author").orderBy("ts")
    previous = F.lag("ts").over(by_author)
    runs = posts.withColumn("_new", (previous.isNull() | (F.col("ts") - previous > w)).cast("int")).withColumn(
        "_run", F.sum("_new").over(by_author.rowsBetween(Window.unboundedPreceding, 0))
    )
    intervals = runs.groupBy("component", "author", "_run").agg(
        (F.min("ts") - w).alias("opens"), F.max("ts").alias("closes")
    )
    # an author's first interval opens once per author: counting those openings counts the authors
    first = (F.col("_run") == 1).cast("int")
    events = intervals.select("component", F.col("opens").alias("at"), F.lit(1).alias("delta"), first.alias("_first"))
    events = events.unionByName(
        intervals.select("component", F.col("closes").alias("at"), F.lit(-1).alias("delta"), F.lit(0).alias("_first"))
    )
    sweep = Window.partitionBy("component").orderBy("at", F.desc("delta")).rowsBetween(Window.unboundedPreceding, 0)
    return events.withColumn("_open", F.sum("delta").over(sweep)).groupBy("component").agg(
        F.max("_open").alias("_peak_authors"), F.sum("_first").alias("_cluster_authors")
    )


def build_silver(rows: DataFrame, run_id: str, processed_at: datetime) -> DataFrame:
    """Canonical rows only, in silver.posts shape (``rows``: enriched rows with the dedup columns)."""
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
    timer = PhaseTimer("silver", day)
    bronze_day = read_bronze_day(lake, day)
    bronze_rows = bronze_day.count()  # reads landing_date only
    if bronze_rows == 0:
        log.warning("no bronze rows landed on %s: nothing to do", day)
        return _empty_result(lake, day, run_id)
    timer.done("count bronze")

    mark = lake.staged_count
    try:
        # The Python pass runs once: its output is staged as Parquet and read from there.
        partitions = enrich_partitions(spark, bronze_rows)
        enriched = lake.stage(enrich(bronze_day, secret, registry, partitions), "silver/enriched").df
        timer.done(f"text pass ({partitions} tasks)")
        dedup = deduplicate(enriched)
        canonical = dedup.where(F.col("post_id") == F.col("canonical_id"))
        staged_out = lake.stage(
            build_silver(enriched.join(canonical, "post_id"), run_id, processed_at), "silver/posts"
        )
        out = staged_out.df
        timer.done("duplicates, clusters, campaigns")
        # One aggregation for every figure of the result: rows, collapsed copies and PII per
        # language (rollup rows), clusters and campaigns (the grand-total row, lang null).
        figures = (
            out.rollup("lang")
            .agg(
                F.count(F.lit(1)).alias("rows"),
                F.sum("duplicate_count").alias("collapsed"),
                F.countDistinct("near_dup_cluster_id").alias("clusters"),
                F.countDistinct("campaign_id").alias("campaigns"),
                *[F.sum(f"pii_{t}").alias(f"pii_{t}") for t in silver.PII_TYPES],
            )
            .collect()
        )
        per_lang = [r for r in figures if r["lang"] is not None]
        total = next(r for r in figures if r["lang"] is None)
        languages = {r["lang"]: int(r["rows"]) for r in per_lang}
        silver_rows = int(total["rows"])
        collapsed = int(total["collapsed"] or 0)
        if bronze_rows != silver_rows + collapsed:
            raise CountsDoNotReconcile(
                f"{day}: bronze rows {bronze_rows} != silver rows {silver_rows} + collapsed {collapsed}"
            )
        pii = {t: int(total[f"pii_{t}"] or 0) for t in silver.PII_TYPES}
        written = lake.merge(silver.POSTS, staged_out)
        timer.done("merge")
    finally:
        lake.cleanup_staging(keep=mark)
    result = _result(
        day, run_id, bronze_rows, silver_rows, collapsed, int(total["clusters"]), int(total["campaigns"]),
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
