"""What a report shows: read the tables at pinned versions (Spark), then compute every section.

Reading (:func:`read_inputs`) is the only Spark part: each table is read **at a recorded Delta
version** through the lake layer, filtered to the days the report needs and aggregated to a few
thousand rows at most. Everything after that (:func:`build_sections`) is plain Python over those
rows: integer counts are summed and ratios computed here (rounded to 6 decimals), so the figures
do not depend on Spark's aggregation order and a re-render from the same versions gives the same
numbers. Only integer aggregates are computed in Spark.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from jobs.report import fmt
from jobs.report.labels import (
    ALERT_TYPES,
    DIMENSIONS,
    LANGUAGES,
    PII,
    SENTIMENTS,
    county_name,
    quote,
    topic_label,
)
from jobs.report.period import ROLLING, Period
from schemas.bronze import INGEST_RUNS, QUARANTINE
from schemas.contract import TableContract
from schemas.enriched import POSTS_ENRICHED
from schemas.gold import ALERTS, ALL, INDICATORS_DAILY, NONE, RESPONSIVENESS
from schemas.ops import MODEL_QUALITY

REQUIRED: tuple[TableContract, ...] = (INDICATORS_DAILY, ALERTS, RESPONSIVENESS)
OPTIONAL: tuple[TableContract, ...] = (POSTS_ENRICHED, QUARANTINE, INGEST_RUNS, MODEL_QUALITY)
# a topic whose held-out F1 is below this is marked as indicative in the report
LOW_TOPIC_F1 = 0.5
SOURCES = (*REQUIRED, *OPTIONAL)
LEVELS_TREND = ("total", "institution")
LEVELS_PERIOD = ("topic", "county", "institution_topic", "institution_county")
COUNTS = ("posts", "scored", "negative", "neutral", "positive")
TOP_TOPICS_CHART = 12
TOP_COUNTIES_CHART = 15
TOP_INSTITUTIONS = 15
MAX_ALERTS_SHOWN = 20
MAX_RESPONSIVENESS_ROWS = 20


class ReportError(RuntimeError):
    """The report cannot be built (a required table is missing, a recorded version is gone...)."""


@dataclass(frozen=True)
class Scope:
    """The whole data set, or one institution."""

    kind: str = "all"
    id: str = ""
    name: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "name": self.name}


@dataclass
class Inputs:
    """The rows a report is computed from (small, plain Python) and the versions they came from."""

    versions: dict[str, int | None]
    indicators: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    responsiveness: list[dict[str, Any]]
    silver: list[dict[str, Any]] | None = None
    authors: list[dict[str, Any]] | None = None
    ingest: list[dict[str, Any]] | None = None
    quarantine: list[dict[str, Any]] | None = None
    quality: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ reading (Spark)
def current_versions(lake: Any) -> dict[str, int | None]:
    """The latest version of every source table (None when it does not exist)."""
    return {c.qualified_name: (lake.version(c) if lake.exists(c) else None) for c in SOURCES}


def check_versions(lake: Any, versions: dict[str, int | None], day: date) -> None:
    """Fail clearly when a required gold table is missing (or was not recorded)."""
    for c in REQUIRED:
        if versions.get(c.qualified_name) is None:
            raise ReportError(
                f"{c.qualified_name} does not exist at {lake.path(c)}: run the gold job first"
                f" (python -m jobs.gold --day {day.isoformat()})"
            )


def _read(lake: Any, c: TableContract, versions: dict[str, int | None]) -> Any:
    version = versions.get(c.qualified_name)
    try:
        return lake.read(c, version=version)
    except Exception as exc:  # the engine's own error names the cause (vacuumed files, bad version)
        raise ReportError(
            f"cannot read {c.qualified_name} at version {version} ({lake.path(c)}): {exc}"
        ) from exc


def _rows(df: Any) -> list[dict[str, Any]]:
    out = []
    for r in df.collect():
        d = r.asDict(recursive=True)
        out.append({k: (v.isoformat() if isinstance(v, date) else v) for k, v in d.items()})
    return out


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def responsiveness_weeks(period: Period) -> tuple[date, date]:
    """(week shown, week compared): the ISO week of the period's last day and the one before."""
    week = monday(period.end)
    return week, week - timedelta(days=7)


def read_inputs(lake: Any, period: Period, versions: dict[str, int | None]) -> Inputs:
    """Every row the report needs, read at ``versions`` (a few small Spark jobs)."""
    from pyspark.sql import functions as F

    prev = period.previous
    lo = period.trend_start - timedelta(days=ROLLING - 1)
    ind = _read(lake, INDICATORS_DAILY, versions)
    day = F.col("day")
    level = F.col("grouping_level")
    indicators = _rows(
        ind.where(day.between(F.lit(lo), F.lit(period.end)) & (F.col("platform_type") == ALL))
        .where(level.isin(*LEVELS_TREND) | (level.isin(*LEVELS_PERIOD) & (day >= F.lit(prev.start))))
        .select(
            "day", "grouping_level", "institution_id", "institution_name", "topic", "county_code", *COUNTS
        )
    )
    alerts = _rows(
        _read(lake, ALERTS, versions)
        .where(F.col("day").between(F.lit(prev.start), F.lit(period.end)))
        .drop("gold_run_id", "computed_at", "explanation_en")
    )
    weeks = responsiveness_weeks(period)
    responsiveness = _rows(
        _read(lake, RESPONSIVENESS, versions)
        .where(F.col("week_start").isin(*[F.lit(w) for w in weeks]))
        .drop("gold_run_id", "computed_at")
    )
    inputs = Inputs(dict(versions), indicators, alerts, responsiveness)
    in_period = lambda c: F.col(c) >= F.lit(period.start)  # noqa: E731

    if versions.get(POSTS_ENRICHED.qualified_name) is not None:
        posts = (
            _read(lake, POSTS_ENRICHED, versions)
            .where(F.col("created_date").between(F.lit(prev.start), F.lit(period.end)))
            .withColumn("current", in_period("created_date"))
        )
        inputs.silver = _rows(
            posts.groupBy(
                "current", "lang", "sentiment_model_version", "topic_model_version", "topic_taxonomy_version"
            ).agg(
                F.count(F.lit(1)).alias("posts"),
                F.count("sentiment").alias("scored"),
                *[F.sum(c).cast("long").alias(c) for c in PII],
                F.sum("duplicate_count").cast("long").alias("duplicates_collapsed"),
                F.sum((F.size("spam_flags") > 0).cast("long")).alias("spam_flagged"),
                F.sum(F.col("campaign_id").isNotNull().cast("long")).alias("campaign_posts"),
            )
        )
        # One shuffle for every author count: each post once under ALL and once per institution it names.
        ids = F.transform(
            F.coalesce("institutions", F.array().cast(POSTS_ENRICHED.schema["institutions"].dataType)),
            lambda x: x["id"],
        )
        inputs.authors = _rows(
            posts.select(
                "current",
                "author_pseudonym",
                F.explode(F.array_union(F.array(F.lit(ALL)), ids)).alias("institution_id"),
            )
            .groupBy("current", "institution_id")
            .agg(F.countDistinct("author_pseudonym").alias("authors"))
        )
    else:
        inputs.notes.append(
            f"{POSTS_ENRICHED.qualified_name} lipsește: autori, limbi și date mascate indisponibile."
        )

    if versions.get(INGEST_RUNS.qualified_name) is not None:
        runs = _read(lake, INGEST_RUNS, versions).where(
            F.col("landing_date").between(F.lit(prev.start), F.lit(period.end))
        )
        # A re-run of a landing day appends new rows: only the latest run per day and source counts
        # (chosen in Python: a few rows per source and day).
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for r in _rows(runs.drop("finished_at")):
            key = (r["landing_date"], r["source"])
            if key not in latest or (r["started_at"], r["run_id"]) > (
                latest[key]["started_at"],
                latest[key]["run_id"],
            ):
                latest[key] = r
        inputs.ingest = [
            {
                **{k: v for k, v in r.items() if k != "started_at"},
                "current": r["landing_date"] >= period.start.isoformat(),
            }
            for _, r in sorted(latest.items())
        ]
    else:
        inputs.notes.append(f"{INGEST_RUNS.qualified_name} lipsește: cifrele de ingestie sunt indisponibile.")

    if versions.get(QUARANTINE.qualified_name) is not None:
        inputs.quarantine = _rows(
            _read(lake, QUARANTINE, versions)
            .where(F.col("landing_date").between(F.lit(prev.start), F.lit(period.end)))
            .withColumn("current", in_period("landing_date"))
            .groupBy("current", "source")
            .agg(F.count(F.lit(1)).alias("records"))  # never the raw text
        )
    else:
        inputs.notes.append(f"{QUARANTINE.qualified_name} lipsește: carantina este indisponibilă.")

    quality = MODEL_QUALITY.qualified_name
    if versions.get(quality) is not None:
        inputs.quality = _rows(_read(lake, MODEL_QUALITY, versions).drop("source_sha256"))
    elif quality in versions:  # a manifest written before the table existed has no entry: nothing to say
        inputs.notes.append(f"{quality} lipsește: calitatea modelelor este indisponibilă.")
    return inputs


# ------------------------------------------------------------------ computing (pure Python)
def ratio(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or not den:
        return None
    return round(num / den, 6)


def net(c: dict[str, int]) -> float | None:
    return ratio(c["positive"] - c["negative"], c["scored"])


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def _add(acc: dict[str, int], row: dict[str, Any]) -> None:
    for k in COUNTS:
        acc[k] += int(row[k] or 0)


def _sum(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    acc = _zero()
    for r in rows:
        _add(acc, r)
    return acc


def _scope_filter(scope: Scope, level_all: str, level_institution: str) -> Any:
    if scope.kind == "institution":
        return lambda r: r["grouping_level"] == level_institution and r["institution_id"] == scope.id
    return lambda r: r["grouping_level"] == level_all


def _in(period: Period, d: str) -> bool:
    return period.start.isoformat() <= d <= period.end.isoformat()


def checksum(data: Any) -> str:
    """sha256 of the canonical JSON of ``data`` (sorted keys, no spaces)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def institution_volumes(inputs: Inputs, period: Period) -> list[dict[str, Any]]:
    """Posts per institution in the period (NONE excluded), largest first."""
    totals: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for r in inputs.indicators:
        if (
            r["grouping_level"] == "institution"
            and r["institution_id"] not in (NONE, ALL)
            and _in(period, r["day"])
        ):
            totals[r["institution_id"]] += int(r["posts"])
            names[r["institution_id"]] = r["institution_name"] or r["institution_id"]
    return sorted(
        ({"id": k, "name": names[k], "posts": v} for k, v in totals.items()),
        key=lambda x: (-x["posts"], x["id"]),
    )


def eligible_institutions(inputs: Inputs, period: Period, min_posts: int, limit: int) -> list[dict[str, Any]]:
    """Institutions that get their own report: at least ``min_posts`` posts in the period, top ``limit``."""
    return [i for i in institution_volumes(inputs, period) if i["posts"] >= min_posts][:limit]


def _headline(inputs: Inputs, period: Period, scope: Scope, alerts: dict[str, Any]) -> dict[str, Any]:
    keep = _scope_filter(scope, "total", "institution")
    rows = [r for r in inputs.indicators if keep(r)]
    cur = _sum(r for r in rows if _in(period, r["day"]))
    prev = _sum(r for r in rows if _in(period.previous, r["day"]))
    authors: list[int | None] = [None, None]
    if inputs.authors is not None:
        key = scope.id if scope.kind == "institution" else ALL
        found = {bool(r["current"]): int(r["authors"]) for r in inputs.authors if r["institution_id"] == key}
        authors = [found.get(True, 0), found.get(False, 0)]
    return {
        "posts": [cur["posts"], prev["posts"]],
        "posts_change": fmt.relative_change(cur["posts"], prev["posts"]),
        "authors": authors,
        "authors_change": fmt.relative_change(authors[0], authors[1]),
        "scored": [cur["scored"], prev["scored"]],
        "sentiment": {k: cur[k] for k in ("negative", "neutral", "positive")},
        "net_sentiment": [net(cur), net(prev)],
        "negative_share": [ratio(cur["negative"], cur["scored"]), ratio(prev["negative"], prev["scored"])],
        "alerts": [alerts["count"], alerts["previous_count"]],
    }


def _trend(inputs: Inputs, period: Period, scope: Scope) -> dict[str, Any]:
    keep = _scope_filter(scope, "total", "institution")
    by_day: dict[str, dict[str, int]] = defaultdict(_zero)
    for r in inputs.indicators:
        if keep(r):
            _add(by_day[r["day"]], r)
    first = period.trend_start - timedelta(days=ROLLING - 1)
    all_days = [first + timedelta(days=i) for i in range((period.end - first).days + 1)]
    series = [by_day.get(d.isoformat(), _zero()) for d in all_days]
    out: dict[str, Any] = {
        "days": [],
        "posts": [],
        "scored": [],
        "net": [],
        "net_7d": [],
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
    }
    for i in range(ROLLING - 1, len(all_days)):
        window = _sum(series[i - ROLLING + 1 : i + 1])
        out["days"].append(all_days[i].isoformat())
        out["posts"].append(series[i]["posts"])
        out["scored"].append(series[i]["scored"])
        out["net"].append(net(series[i]))
        out["net_7d"].append(net(window))
    return out


def _topics(inputs: Inputs, period: Period, scope: Scope, labels: dict[str, str]) -> list[dict[str, Any]]:
    keep = _scope_filter(scope, "topic", "institution_topic")
    cur: dict[str, dict[str, int]] = defaultdict(_zero)
    prev: dict[str, int] = defaultdict(int)
    for r in inputs.indicators:
        if not keep(r):
            continue
        if _in(period, r["day"]):
            _add(cur[r["topic"]], r)
        elif _in(period.previous, r["day"]):
            prev[r["topic"]] += int(r["posts"])
    rows = []
    for topic in sorted(set(cur) | set(prev)):
        c = cur.get(topic, _zero())
        rows.append(
            {
                "topic": topic,
                "label": topic_label(topic, labels),
                **c,
                "previous_posts": prev.get(topic, 0),
                "change": fmt.relative_change(c["posts"], prev.get(topic, 0)),
                "net": net(c),
                "negative_share": ratio(c["negative"], c["scored"]),
            }
        )
    # largest first, "no topic" last
    return sorted(rows, key=lambda t: (t["topic"] == NONE, -t["posts"], t["label"]))


def _counties(inputs: Inputs, period: Period, scope: Scope) -> list[dict[str, Any]]:
    keep = _scope_filter(scope, "county", "institution_county")
    cur: dict[str, dict[str, int]] = defaultdict(_zero)
    prev: dict[str, int] = defaultdict(int)
    for r in inputs.indicators:
        if not keep(r):
            continue
        if _in(period, r["day"]):
            _add(cur[r["county_code"]], r)
        elif _in(period.previous, r["day"]):
            prev[r["county_code"]] += int(r["posts"])
    rows = []
    for code in sorted(set(cur) | set(prev)):
        c = cur.get(code, _zero())
        rows.append(
            {
                "code": code,
                "name": county_name(code),
                **c,
                "previous_posts": prev.get(code, 0),
                "change": fmt.relative_change(c["posts"], prev.get(code, 0)),
                "net": net(c),
                "negative_share": ratio(c["negative"], c["scored"]),
            }
        )
    return sorted(rows, key=lambda t: (t["code"] == NONE, -t["posts"], t["name"]))


def _alerts(inputs: Inputs, period: Period, scope: Scope, labels: dict[str, str]) -> dict[str, Any]:
    def mine(a: dict[str, Any]) -> bool:
        return scope.kind != "institution" or (
            a["dimension"] == "institution_id" and a["dimension_value"] == scope.id
        )

    rows = [a for a in inputs.alerts if mine(a)]
    # newest day first, then the strongest movement, then the id (a total order: stable output)
    current = sorted(
        (a for a in rows if _in(period, a["day"])),
        key=lambda a: (-date.fromisoformat(a["day"]).toordinal(), -float(a["z"]), a["alert_id"]),
    )
    items = []
    for a in current:
        dim = a["dimension"]
        value = a["dimension_value"]
        if dim == "topic":
            shown = topic_label(value, labels)
        elif dim == "county_code":
            shown = county_name(value)
        else:
            shown = a.get("dimension_label") or value
        items.append(
            {
                "alert_id": a["alert_id"],
                "day": a["day"],
                "type": a["alert_type"],
                "type_label": ALERT_TYPES.get(a["alert_type"], a["alert_type"]),
                "dimension": dim,
                "dimension_word": DIMENSIONS.get(dim, dim),
                "value": value,
                "value_label": shown,
                "metric": a["metric"],
                "observed": round(float(a["observed"]), 6),
                "baseline": round(float(a["baseline"]), 6),
                "z": round(float(a["z"]), 2),
                "support": int(a["support"]),
                "explanation": a["explanation_ro"],
                "quotes": [q for q in (quote(e.get("text_snippet")) for e in (a.get("examples") or [])) if q],
            }
        )
    by_type: dict[str, int] = defaultdict(int)
    for a in items:
        by_type[a["type"]] += 1
    return {
        "count": len(items),
        "previous_count": sum(1 for a in rows if _in(period.previous, a["day"])),
        "by_type": {ALERT_TYPES.get(k, k): v for k, v in sorted(by_type.items())},
        "items": items[:MAX_ALERTS_SHOWN],
        "hidden": max(0, len(items) - MAX_ALERTS_SHOWN),
    }


def _responsiveness(inputs: Inputs, period: Period, scope: Scope) -> dict[str, Any]:
    week, before = responsiveness_weeks(period)
    rows = inputs.responsiveness

    def pick(w: date, source: str | None) -> dict[tuple[str, str], dict[str, Any]]:
        return {
            (r["institution_id"], r["source"]): r
            for r in rows
            if r["week_start"] == w.isoformat()
            and (source is None or r["source"] == source)
            and (scope.kind != "institution" or r["institution_id"] == scope.id)
        }

    source = None if scope.kind == "institution" else ALL
    cur, prev = pick(week, source), pick(before, source)
    out = []
    for key in sorted(cur):
        r = cur[key]
        p = prev.get(key)
        out.append(
            {
                "institution_id": r["institution_id"],
                "name": r["institution_name"] or r["institution_id"],
                "source": r["source"],
                "addressed": int(r["addressed_posts"]),
                "replied": int(r["replied_posts"]),
                "reply_rate": ratio(int(r["replied_posts"]), int(r["addressed_posts"])),
                "median_hours": None
                if r["median_hours_to_first_reply"] is None
                else round(float(r["median_hours_to_first_reply"]), 2),
                "within_24h": int(r["replied_within_24h"]),
                "previous_reply_rate": ratio(int(p["replied_posts"]), int(p["addressed_posts"]))
                if p
                else None,
            }
        )
    out.sort(key=lambda r: (r["source"] != ALL, -r["addressed"], r["name"], r["source"]))
    return {
        "week_start": week.isoformat(),
        "week_end": (week + timedelta(days=6)).isoformat(),
        "iso_week": fmt.iso_week(week),
        "partial": week + timedelta(days=6) > period.end,
        "rows": out[:MAX_RESPONSIVENESS_ROWS] if scope.kind != "institution" else out,
        "hidden": max(0, len(out) - MAX_RESPONSIVENESS_ROWS) if scope.kind != "institution" else 0,
    }


def _institutions(inputs: Inputs, period: Period) -> list[dict[str, Any]]:
    cur: dict[str, dict[str, int]] = defaultdict(_zero)
    prev: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for r in inputs.indicators:
        if r["grouping_level"] != "institution" or r["institution_id"] in (NONE, ALL):
            continue
        names[r["institution_id"]] = r["institution_name"] or r["institution_id"]
        if _in(period, r["day"]):
            _add(cur[r["institution_id"]], r)
        elif _in(period.previous, r["day"]):
            prev[r["institution_id"]] += int(r["posts"])
    rows: list[dict[str, Any]] = [
        {
            "id": k,
            "name": names[k],
            **c,
            "previous_posts": prev.get(k, 0),
            "change": fmt.relative_change(c["posts"], prev.get(k, 0)),
            "net": net(c),
            "negative_share": ratio(c["negative"], c["scored"]),
        }
        for k, c in cur.items()
    ]
    return sorted(rows, key=lambda r: (-r["posts"], r["name"]))[:TOP_INSTITUTIONS]


def _coverage(inputs: Inputs) -> dict[str, Any]:
    out: dict[str, Any] = {"notes": list(inputs.notes)}
    if inputs.ingest is not None:
        keys = ("files", "records_read", "ingested_new", "updated", "unchanged", "duplicates", "quarantined")
        totals = {flag: dict.fromkeys(keys, 0) for flag in (True, False)}
        sources: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
        for r in inputs.ingest:
            for k in keys:
                totals[bool(r["current"])][k] += int(r[k] or 0)
                if r["current"]:
                    sources[r["source"]][k] += int(r[k] or 0)
        out["ingest"] = {
            "current": totals[True],
            "previous": totals[False],
            "sources": [{"source": s, **v} for s, v in sorted(sources.items())],
        }
    if inputs.quarantine is not None:
        q: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in inputs.quarantine:
            q[r["source"]][0 if r["current"] else 1] += int(r["records"])
        out["quarantine"] = {
            "current": sum(v[0] for v in q.values()),
            "previous": sum(v[1] for v in q.values()),
            "sources": [
                {"source": s, "records": v[0], "previous": v[1]} for s, v in sorted(q.items()) if v[0]
            ],
        }
    if inputs.silver is not None:
        rows = [r for r in inputs.silver if r["current"]]
        prev_rows = [r for r in inputs.silver if not r["current"]]
        posts = sum(int(r["posts"]) for r in rows)
        langs: dict[str, int] = defaultdict(int)
        for r in rows:
            langs[r["lang"]] += int(r["posts"])
        pii = {k: sum(int(r[k] or 0) for r in rows) for k in PII}
        out["silver"] = {
            "posts": posts,
            "previous_posts": sum(int(r["posts"]) for r in prev_rows),
            "scored": sum(int(r["scored"]) for r in rows),
            "scored_share": ratio(sum(int(r["scored"]) for r in rows), posts),
            "duplicates_collapsed": sum(int(r["duplicates_collapsed"] or 0) for r in rows),
            "spam_flagged": sum(int(r["spam_flagged"] or 0) for r in rows),
            "campaign_posts": sum(int(r["campaign_posts"] or 0) for r in rows),
            "languages": [
                {"code": k, "label": LANGUAGES.get(k, k), "posts": v, "share": ratio(v, posts)}
                for k, v in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "pii": [{"column": k, "label": PII[k], "masked": v} for k, v in pii.items()],
            "pii_total": sum(pii.values()),
        }
    return out


def _model_quality(
    inputs: Inputs, sentiment_versions: set[str], topic_versions: set[str], labels: dict[str, str]
) -> dict[str, Any] | None:
    """Held-out quality of the sentiment and topic model versions that scored the period's posts (from
    ``ops.model_quality``); None when the report's manifest predates that table."""
    if inputs.quality is None:
        return None

    def figures(model: str, version: str) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["metric"], r["label"]): r for r in inputs.quality or []
                if r["model"] == model and r["model_version"] == version}

    def value(rows: dict[tuple[str, str], dict[str, Any]], metric: str, label: str) -> float | None:
        row = rows.get((metric, label))
        return None if row is None else float(row["value"])

    def header(rows: dict[tuple[str, str], dict[str, Any]], version: str, posts_metric: str) -> dict[str, Any]:
        posts = rows.get((posts_metric, "all"))
        return {"version": version, "found": bool(rows),
                "evaluation": next(iter(rows.values()))["evaluation"] if rows else None,
                "posts": None if posts is None else posts["support"]}  # fmt: skip

    sentiment = []
    for version in sorted(sentiment_versions):
        rows = figures("sentiment", version)
        classes = sorted({label for _, label in rows if label != "all"})
        sentiment.append({
            **header(rows, version, "accuracy"),
            "accuracy": value(rows, "accuracy", "all"),
            "macro_f1": value(rows, "macro_f1", "all"),
            "classes": [{"label": SENTIMENTS.get(c, c), "precision": value(rows, "precision", c),
                         "recall": value(rows, "recall", c),
                         "f1": value(rows, "f1", c), "support": rows[("f1", c)]["support"]} for c in classes],
        })  # fmt: skip
    topics = []
    for version in sorted(v for v in topic_versions if v != "—"):
        rows = figures("topics", version)
        ids = sorted({label for _, label in rows if label != "all"})
        per_topic = [{"topic": t, "label": topic_label(t, labels), "precision": value(rows, "precision", t),
                      "recall": value(rows, "recall", t), "f1": value(rows, "f1", t),
                      "support": rows[("f1", t)]["support"]} for t in ids]  # fmt: skip
        per_topic.sort(key=lambda r: (-(r["f1"] or 0.0), r["label"]))
        topics.append({
            **header(rows, version, "macro_f1"),
            "macro_f1": value(rows, "macro_f1", "all"),
            "empty_list_accuracy": value(rows, "empty_list_accuracy", "all"),
            "topics": per_topic,
            "indicative": [r["label"] for r in per_topic if r["f1"] is not None and r["f1"] < LOW_TOPIC_F1],
        })  # fmt: skip
    return {"sentiment": sentiment, "topics": topics, "low_f1": LOW_TOPIC_F1}


def _methodology(inputs: Inputs, taxonomy_version: str | None, labels: dict[str, str]) -> dict[str, Any]:
    models: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in inputs.silver or []:
        if r["current"] and r["sentiment_model_version"] is not None:
            key = (
                r["sentiment_model_version"],
                r["topic_model_version"] or "—",
                r["topic_taxonomy_version"] or "—",
            )
            models[key] += int(r["scored"])
    quality = _model_quality(inputs, {k[0] for k in models}, {k[1] for k in models}, labels)
    return {
        "tables": [{"table": k, "version": v} for k, v in inputs.versions.items()],
        # absent, not null, for a manifest that predates ops.model_quality: its sections re-render byte-identically
        **({"quality": quality} if quality is not None else {}),
        "models": [
            {"sentiment_model": k[0], "topic_model": k[1], "taxonomy": k[2], "posts": v}
            for k, v in sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "labels_taxonomy_version": taxonomy_version,
    }


def build_sections(
    inputs: Inputs,
    period: Period,
    scope: Scope,
    labels: dict[str, str],
    taxonomy_version: str | None,
) -> dict[str, Any]:
    """Every section's data for one report (plain JSON values; checksummed in the manifest)."""
    alerts = _alerts(inputs, period, scope, labels)
    sections: dict[str, Any] = {
        "headline": _headline(inputs, period, scope, alerts),
        "trend": _trend(inputs, period, scope),
        "topics": _topics(inputs, period, scope, labels),
        "counties": _counties(inputs, period, scope),
        "alerts": alerts,
        "responsiveness": _responsiveness(inputs, period, scope),
        "institutions": _institutions(inputs, period) if scope.kind == "all" else [],
        "coverage": _coverage(inputs),
        "methodology": _methodology(inputs, taxonomy_version, labels),
    }
    quality = sections["methodology"].get("quality")
    if quality is not None:  # mark where the counts are read; absent for manifests that predate the table
        weak = {t["topic"] for q in quality["topics"] for t in q["topics"] if t["f1"] is not None and t["f1"] < LOW_TOPIC_F1}
        sections["topics"] = [{**t, "indicative": t["topic"] in weak} for t in sections["topics"]]
    return sections
