"""gold.responsiveness and gold.public_debate on hand-built posts, compared with expected rows both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from gold_data import post

from jobs.gold import compute_public_debate, compute_responsiveness, official_accounts
from schemas.enriched import POSTS_ENRICHED
from schemas.gold import PUBLIC_DEBATE, RESPONSIVENESS

MONDAY = date(2026, 11, 2)
STARTED = datetime(2026, 11, 10, tzinfo=UTC)


def _assert_same(actual: Any, expected: Any) -> None:
    missing, extra = expected.exceptAll(actual).collect(), actual.exceptAll(expected).collect()
    assert not missing and not extra, f"missing {missing}\nextra {extra}"


def test_reply_rate_and_time_to_first_official_reply(spark: Any) -> None:
    d2 = MONDAY + timedelta(days=1)
    rows = [
        post("r0", MONDAY, "anaf-x", official="anaf", hour=8),  # official thread root
        post("u1", MONDAY, "u1", hour=10, parent_id="r0", thread_id="r0"),  # reply in its thread
        post("o1", MONDAY, "anaf-x", official="anaf", hour=12, parent_id="u1", thread_id="r0"),
        post("o1b", MONDAY, "anaf-x", official="anaf", hour=15, parent_id="u1", thread_id="r0"),  # not the first
        post("u2", MONDAY, "u2", institutions=["anaf"], hour=9),  # mention, never answered
        post("u3", MONDAY, "u3", institutions=[], mentions=["@ANAF_oficial"], hour=9),  # @handle mention
        post("o3", d2, "anaf-x", official="anaf", hour=11, parent_id="u3", thread_id="u3"),
        post("u4", MONDAY, "u4", institutions=["anaf"], source="reddit"),  # no official account on reddit
        post("u5", MONDAY, "u5", institutions=["ministerul_sanatatii"]),
        post("u6", MONDAY + timedelta(days=7), "u6", institutions=["anaf"]),  # next ISO week: not asked for
    ]
    enriched = spark.createDataFrame(rows, POSTS_ENRICHED.schema)
    actual = compute_responsiveness(enriched, official_accounts(spark), [MONDAY], "run", STARTED)
    cols = [c for c in RESPONSIVENESS.columns if c not in ("gold_run_id", "computed_at", "institution_name")]
    anaf = ("2026-W45", "anaf", 3, 2, 0.666667, 14.0, 1)
    ms = ("2026-W45", "ministerul_sanatatii", 1, 0, 0.0, None, 0)
    expected = spark.createDataFrame(
        [(MONDAY, w, i, src, a, r, rate, med, h24) for (w, i, a, r, rate, med, h24) in (anaf, ms) for src in ("x", "ALL")],
        actual.select(*cols).schema,
    )
    _assert_same(actual.select(*cols), expected)
    names = {r["institution_id"]: r["institution_name"] for r in actual.collect()}
    assert names["anaf"] == "Agenția Națională de Administrare Fiscală"


def test_public_debate_signatures_and_discussion(spark: Any) -> None:
    day = MONDAY + timedelta(days=2)
    rows = [
        post("pet1", MONDAY, "p", None, platform_type="e_petition", source="petitii",
             title="Petiție pentru apă curată în Cluj", signatures=1500),
        post("c1", MONDAY, "u1", "negative", parent_id="pet1", thread_id="pet1", source="petitii",
             platform_type="e_petition"),
        post("c2", day, "u2", "positive", parent_id="pet1", thread_id="pet1", source="petitii",
             platform_type="e_petition"),
        post("m1", day, "u3", "positive", text="Am semnat petitie pentru apa curata in cluj azi"),
        post("m2", day, "u1", None, text="link", urls=["https://petitii.example/pet1"]),
        post("x1", day, "u9", "negative", text="nimic legat"),
        post("con", MONDAY, "gov", None, title="Consultare publică privind bugetul", source="gov_consult",
             platform_type="blog_forum"),
        post("late", day + timedelta(days=1), "u4", "negative", parent_id="pet1", thread_id="pet1"),  # after day
    ]
    enriched = spark.createDataFrame(rows, POSTS_ENRICHED.schema)
    actual = compute_public_debate(enriched, day, "run", STARTED)
    cols = [c for c in PUBLIC_DEBATE.columns if c not in ("gold_run_id", "computed_at")]
    expected = spark.createDataFrame(
        [
            (day, "pet1", "petition", "petitii", "Petiție pentru apă curată în Cluj", MONDAY, 1500, 2, 1, 2, 3,
             0.333333),
            (day, "con", "consultation", "gov_consult", "Consultare publică privind bugetul", MONDAY, 0, 0, 0, 0, 0,
             None),
        ],
        actual.select(*cols).schema,
    )
    _assert_same(actual.select(*cols), expected)
