"""A small lake for the report tests, written with delta-rs only (no Spark, ~1 s).

Run day D = Monday 2026-11-30. Every figure the tests check is a function below, so the tests
compute the expected numbers independently of the report code.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
from deltalake import write_deltalake
from gold_data import indicator_row, post

from schemas.bronze import INGEST_RUNS, QUARANTINE
from schemas.enriched import POSTS_ENRICHED
from schemas.gold import ALERTS, INDICATORS_DAILY, RESPONSIVENESS
from schemas.ops import MODEL_QUALITY

D = date(2026, 11, 30)  # a Monday
FIRST = D - timedelta(days=29)  # 30 daily files: covers the day's trend and two whole weeks
MS, ANAF, POLITIA = "ministerul_sanatatii", "anaf", "politia_romana"
NAMES = {
    MS: "Ministerul Sănătății",
    ANAF: "Agenția Națională de Administrare Fiscală",
    POLITIA: "Poliția Română",
}
TOPIC_SHARES = {"sanatate": (2, 5), "educatie": (1, 4), "transport_public": (1, 10)}
COUNTY_SHARES = {"RO-B": (3, 10), "RO-CJ": (1, 5), "RO-IS": (1, 10)}
RUN = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def total_posts(d: date) -> int:
    return 160 if d == D else 80 + 5 * (d.toordinal() % 9)


def institution_posts(inst: str, d: date) -> int:
    return {MS: 60 if d == D else 40, ANAF: 30 if d == D else 20, POLITIA: 5}[inst]


def split(posts: int) -> dict[str, int]:
    """Sentiment counts of a row: a quarter negative, a third neutral, a fifth positive, rest unscored."""
    neg, neu, pos = posts // 4, posts // 3, posts // 5
    return {"negative": neg, "neutral": neu, "positive": pos, "scored": neg + neu + pos}


def row(
    d: date, level: str, posts: int, institution: str = "ALL", topic: str = "ALL", county: str = "ALL"
) -> dict[str, Any]:
    s = split(posts)
    r = indicator_row(
        d,
        level,
        institution,
        topic,
        posts=posts,
        authors=max(1, posts * 3 // 4),
        negative=s["negative"],
        positive=s["positive"],
        county_code=county,
        institution_name=NAMES.get(institution),
    )
    r.update(
        neutral=s["neutral"],
        scored=s["scored"],
        net_sentiment=(s["positive"] - s["negative"]) / s["scored"] if s["scored"] else None,
    )
    return r


def indicator_rows(days: list[date]) -> list[dict[str, Any]]:
    rows = []
    for d in days:
        n = total_posts(d)
        rows.append(row(d, "total", n))
        shared = 0
        for topic, (a, b) in TOPIC_SHARES.items():
            rows.append(row(d, "topic", n * a // b, topic=topic))
            shared += n * a // b
        rows.append(row(d, "topic", n - shared, topic="NONE"))
        shared = 0
        for county, (a, b) in COUNTY_SHARES.items():
            rows.append(row(d, "county", n * a // b, county=county))
            shared += n * a // b
        rows.append(row(d, "county", n - shared, county="NONE"))
        for inst in (MS, ANAF, POLITIA):
            m = institution_posts(inst, d)
            rows.append(row(d, "institution", m, institution=inst))
            rows.append(
                row(
                    d,
                    "institution_topic",
                    m,
                    institution=inst,
                    topic="sanatate" if inst == MS else "taxe_fiscalitate",
                )
            )
            rows.append(row(d, "institution_county", m // 2, institution=inst, county="RO-B"))
            rows.append(row(d, "institution_county", m - m // 2, institution=inst, county="NONE"))
        rows.append(row(d, "institution", n - 70, institution="NONE"))
    return rows


def alert(
    d: date,
    kind: str,
    dim: str,
    value: str,
    label: str | None,
    observed: float,
    baseline: float,
    z: float,
    snippets: list[str],
) -> dict[str, Any]:
    return {
        "day": d,
        "alert_id": f"{d:%m%d}{kind[:4]}{value[:6]}",
        "alert_type": kind,
        "dimension": dim,
        "dimension_value": value,
        "dimension_label": label,
        "metric": "negative_share" if kind == "negative_surge" else "posts",
        "observed": observed,
        "baseline": baseline,
        "mad": 1.0,
        "z": z,
        "window_days": 28,
        "support": 60,
        "explanation_ro": f"Explicație în română pentru {value}: valoare {observed} față de {baseline}.",
        "explanation_en": f"English explanation for {value}.",
        "examples": [{"post_id": f"x{i}", "text_snippet": s} for i, s in enumerate(snippets)],
        "gold_run_id": "test",
        "computed_at": RUN,
    }


ALERT_ROWS = [
    alert(
        D,
        "volume_spike",
        "topic",
        "sanatate",
        None,
        64.0,
        32.0,
        9.5,
        [
            "Spitalul județean nu are medicamente, sunați la <PHONE> sau scrieți la <EMAIL>",
            "Vezi https://exemplu.ro/articol?id=1 și spune-i lui <USER> că așteptăm de ore întregi",
        ],
    ),
    alert(
        D,
        "negative_surge",
        "institution_id",
        MS,
        NAMES[MS],
        0.61,
        0.25,
        4.2,
        ["Ministerul să răspundă odată pentru lipsa de personal din spitale"],
    ),
    alert(
        D - timedelta(days=1),
        "emerging_term",
        "term",
        "apa calda",
        None,
        25.0,
        1.0,
        7.0,
        ["Iar nu avem apă caldă"],
    ),
    alert(D - timedelta(days=3), "volume_spike", "county_code", "RO-CJ", None, 40.0, 16.0, 5.0, []),
]


def responsiveness_rows() -> list[dict[str, Any]]:
    out = []
    for week, scale in ((D, 1), (D - timedelta(days=7), 2)):
        for inst, addressed, replied, hours in ((MS, 40, 10, 5.5), (ANAF, 20, 15, 30.25)):
            for source, share in (("ALL", 1), ("x", 2)):
                a, r = addressed * scale // share, replied // share
                out.append(
                    {
                        "week_start": week,
                        "iso_week": f"{week.isocalendar()[0]}-W{week.isocalendar()[1]:02d}",
                        "institution_id": inst,
                        "institution_name": NAMES[inst],
                        "source": source,
                        "addressed_posts": a,
                        "replied_posts": r,
                        "reply_rate": r / a,
                        "median_hours_to_first_reply": hours,
                        "replied_within_24h": r // 2,
                        "gold_run_id": "test",
                        "computed_at": RUN,
                    }
                )
    return out


def silver_rows() -> list[dict[str, Any]]:
    rows = [
        post("s1", D, "a", "negative", ["sanatate"], [MS], "RO-B", text="Spital fără medici"),
        post("s2", D, "b", "negative", ["sanatate"], [MS, ANAF], "RO-B"),
        post("s3", D, "c", "positive", ["educatie"], [], "RO-CJ"),
        post("s4", D, "c", "neutral", [], [ANAF], None),
        post("s5", D, "d", None, None, None, None),  # English, not scored
        post("s6", D, "e", None, None, None, None),  # Hungarian, not scored
        post("s7", D - timedelta(days=1), "a", "neutral", ["sanatate"], [MS], "RO-B"),
        post("s8", D - timedelta(days=1), "f", "negative", [], [], None),
        post("s9", D - timedelta(days=4), "g", "positive", ["educatie"], [ANAF], "RO-IS"),
    ]
    rows[0].update(pii_phone=2, pii_email=1, duplicate_count=3, spam_flags=["link_only"])
    rows[1].update(pii_cnp=1, campaign_id="cmp-x", campaign_size=5)
    rows[5].update(lang="hu")
    for r in rows:
        r["sentiment_model_version"] = "sentiment-2.1.0" if r["sentiment"] else None
        r["topic_model_version"] = "topics-1.4.0" if r["sentiment"] else None
        r["topic_taxonomy_version"] = "1.0.0" if r["sentiment"] else None
        r["topic_scores"] = list(r["topic_scores"].items()) if r["topic_scores"] else None
    return rows


def quarantine_rows() -> list[dict[str, Any]]:
    base = {"raw_text": "SECRET RAW TEXT", "run_id": "r2", "quarantined_at": RUN}
    return [
        {
            **base,
            "landing_date": D,
            "source": "x",
            "ingest_file": "f1",
            "ingest_line": 1,
            "reason": "invalid JSON",
        },
        {
            **base,
            "landing_date": D,
            "source": "x",
            "ingest_file": "f1",
            "ingest_line": 7,
            "reason": "invalid JSON",
        },
        {
            **base,
            "landing_date": D,
            "source": "facebook",
            "ingest_file": "f2",
            "ingest_line": 3,
            "reason": "bad",
        },
        {
            **base,
            "landing_date": D - timedelta(days=1),
            "source": "x",
            "ingest_file": "f0",
            "ingest_line": 2,
            "reason": "bad",
        },
    ]


def ingest_rows() -> list[dict[str, Any]]:
    def run(
        run_id: str, day: date, source: str, read: int, new: int, dup: int, quar: int, hour: int
    ) -> dict[str, Any]:
        started = datetime(day.year, day.month, day.day, hour, tzinfo=UTC) + timedelta(days=1)
        return {
            "run_id": run_id,
            "landing_date": day,
            "source": source,
            "files": 2,
            "records_read": read,
            "ingested_new": new,
            "updated": 0,
            "unchanged": read - new - dup - quar,
            "duplicates": dup,
            "quarantined": quar,
            "started_at": started,
            "finished_at": started + timedelta(minutes=5),
        }

    return [
        run("r1", D, "x", 999, 990, 5, 4, 1),  # an earlier run of the same day: superseded by r2
        run("r2", D, "x", 200, 180, 6, 2, 3),
        run("r2", D, "facebook", 50, 45, 1, 1, 3),
        run("r0", D - timedelta(days=1), "x", 180, 170, 2, 1, 3),
    ]


INGEST_EXPECTED = {"records_read": 250, "ingested_new": 225, "duplicates": 7, "quarantined": 3}


def _write(
    path: str, rows: list[dict[str, Any]], contract: Any, partition: str | None, mode: str = "append"
) -> None:
    table = pa.Table.from_pylist(rows, schema=contract.arrow_schema)
    write_deltalake(path, table, mode=mode, partition_by=[partition] if partition else None)  # type: ignore[call-overload]


def as_read(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as the report's reader returns them (dates and timestamps as ISO strings)."""
    return [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()} for r in rows]


def table_path(settings: Any, contract: Any) -> str:
    return str(settings.table_path(contract.layer, contract.name))


def quality_rows() -> list[dict[str, Any]]:
    """ops.model_quality for the fixture's model versions (one topic below the report's 0.5 F1 mark), and a
    version no post used (not shown)."""
    def q(model: str, version: str, metric: str, label: str, value: float, support: int) -> dict[str, Any]:
        return {"model": model, "model_version": version, "evaluation": "real_posts_test", "metric": metric,
                "label": label, "value": value, "support": support, "source_file": "metrics.json",
                "source_sha256": "0" * 64}

    rows = [q("sentiment", "sentiment-2.1.0", "accuracy", "all", 0.8068, 264),
            q("sentiment", "sentiment-2.1.0", "macro_f1", "all", 0.6081, 264),
            q("topics", "topics-1.4.0", "macro_f1", "all", 0.5934, 888),
            q("topics", "topics-1.4.0", "empty_list_accuracy", "all", 0.7879, 396),
            q("topics", "topics-0.9.0", "macro_f1", "all", 0.41, 888)]
    for label, (p_, r_, f_, n) in {"negative": (0.8326, 0.9485, 0.8867, 194),
                                   "positive": (0.5714, 0.3077, 0.4, 13)}.items():
        rows += [q("sentiment", "sentiment-2.1.0", m, label, v, n) for m, v in (("precision", p_), ("recall", r_), ("f1", f_))]
    for label, (p_, r_, f_, n) in {"sanatate": (0.7436, 0.7073, 0.725, 82),
                                   "educatie": (1.0, 0.2, 0.3333, 20)}.items():
        rows += [q("topics", "topics-1.4.0", m, label, v, n) for m, v in (("precision", p_), ("recall", r_), ("f1", f_))]
    return rows  # fmt: skip


def build_lake(settings: Any, last: date = D) -> None:
    """Every source table of the report, for the 30 days ending on D."""
    days = [FIRST + timedelta(days=i) for i in range((last - FIRST).days + 1)]
    _write(table_path(settings, INDICATORS_DAILY), indicator_rows(days), INDICATORS_DAILY, "day")
    _write(table_path(settings, ALERTS), ALERT_ROWS, ALERTS, "day")
    _write(table_path(settings, RESPONSIVENESS), responsiveness_rows(), RESPONSIVENESS, "week_start")
    _write(table_path(settings, POSTS_ENRICHED), silver_rows(), POSTS_ENRICHED, "created_date")
    _write(table_path(settings, QUARANTINE), quarantine_rows(), QUARANTINE, "landing_date")
    _write(table_path(settings, INGEST_RUNS), ingest_rows(), INGEST_RUNS, "landing_date")
    _write(table_path(settings, MODEL_QUALITY), quality_rows(), MODEL_QUALITY, None)


def append_later_data(settings: Any) -> None:
    """What later runs could add: more posts on D (a new topic, an institution), an alert, a late post."""
    _write(
        table_path(settings, INDICATORS_DAILY),
        [row(D, "topic", 500, topic="cultura_sport"), row(D, "county", 500, county="RO-TM")],
        INDICATORS_DAILY,
        "day",
    )
    _write(
        table_path(settings, ALERTS),
        [alert(D, "volume_spike", "topic", "cultura_sport", None, 500.0, 1.0, 99.0, ["Meci"])],
        ALERTS,
        "day",
    )
    late = post("s99", D, "zz", "positive", ["cultura_sport"], [POLITIA], "RO-TM")
    late["topic_scores"] = list(late["topic_scores"].items())
    late.update(
        sentiment_model_version="sentiment-2.1.0",
        topic_model_version="topics-1.4.0",
        topic_taxonomy_version="1.0.0",
    )
    _write(table_path(settings, POSTS_ENRICHED), [late], POSTS_ENRICHED, "created_date")
