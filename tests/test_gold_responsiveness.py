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


def test_mention_pairs_equal_brute_force_containment(spark: Any) -> None:
    """The keyed join finds exactly the (item, post) pairs that plain substring checks find.

    Random titles and texts from a tiny vocabulary with punctuation, titles copied into texts at
    word boundaries and mid-word, titles shared by several items (found by URL and text at once),
    two-word and one-word titles (no interior token), ids shorter and longer than the URL key, ids
    inside URLs next to other characters.
    """
    import random

    from jobs.gold import mention_pairs
    from jobs.text.mentions import MIN_TITLE_KEY, URL_KEY_CHARS

    rng = random.Random(11)
    words = ["apa", "curata", "cluj", "primaria", "drum", "x", "scoala", "1500", "de", "in", "reabilitare"]
    seps = [" ", " ", " ", ", ", "-", "!", " ... ", "é"]

    def phrase(n: int) -> str:
        out = rng.choice(["", "", "„"])
        for i in range(n):
            out += rng.choice(words) + (rng.choice(seps) if i < n - 1 else "")
        return out + rng.choice(["", "", "!", " "])

    items = []
    for i in range(40):
        kind = i % 4
        title = (
            items[i - 3][1] if i % 5 == 4  # petitions copied from one template share a title
            else "reabilitarecuratacluj-primaria" if kind == 0  # one long token plus one: no interior token
            else phrase(rng.randint(2, 7))
        )
        item_id = f"p{i}" if i % 3 == 0 else f"item{i:04d}abcdef"
        items.append((item_id, title))
    posts = []
    for j in range(400):
        text = phrase(rng.randint(0, 25))
        urls: list[str] = []
        if rng.random() < 0.5:
            item_id, title = rng.choice(items)
            cut = rng.randint(0, len(text))
            glue = rng.choice(["", " ", "x", "-"])
            text = text[:cut] + glue + title + rng.choice(["", " ", "a", "."]) + text[cut:]
        if rng.random() < 0.3:
            item_id, _ = rng.choice(items)
            urls.append(f"https://ex.ro/{rng.choice(['', 'a', 'pet/'])}{item_id}{rng.choice(['', '9', '/x', '?a=1'])}")
        if rng.random() < 0.1:
            urls.append("https://ex.ro/other")
        posts.append((f"post{j}", text.lower(), urls))
    item_df = spark.createDataFrame([(i, t.lower()) for i, t in items], "item_id string, _title_key string")
    post_df = spark.createDataFrame(posts, "post_id string, text_key string, urls array<string>")

    rows = [(r["item_id"], r["post_id"]) for r in mention_pairs(post_df, item_df).collect()]
    got = set(rows)
    assert len(rows) == len(got)  # distinct without a distinct()
    expected = {
        (item_id, post_id)
        for item_id, title in items
        for post_id, text, urls in posts
        if any(item_id in u for u in urls) or (len(title) >= MIN_TITLE_KEY and title.lower() in text)
    }
    assert got == expected
    by_url = {(i, p) for i, _ in items for p, _, urls in posts if any(i in u for u in urls)}
    assert len(by_url) > 20 and any(len(i) < URL_KEY_CHARS for i, _ in by_url)
    assert len(expected - by_url) > 50  # many text matches, not only URL ones
    shared = {t for i, t in items if sum(t == u for _, u in items) > 1 and len(t) >= MIN_TITLE_KEY}
    assert any(title in shared for item_id, title in items for i, _ in expected & by_url if i == item_id)
    assert len({i for i, _ in expected if dict(items)[i] in shared}) >= 4
