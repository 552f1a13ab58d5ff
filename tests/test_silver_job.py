"""Silver job end to end on a small bronze fixture written through the lake, then the enrich job on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

DAY = date(2026, 11, 27)
T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SECRET = "test-secret-0123456789abcdef"
CAMPAIGN_TEXT = (
    "Cerem demisia primarului acum! Orașul e sufocat de trafic, gunoaie și promisiuni goale. Semnați petiția!"
)


def bronze_row(post_id: str, text: str, handle: str | None, minutes: int, **extra: Any) -> dict[str, Any]:
    """A bronze.posts row with every column filled."""
    created = T0 + timedelta(minutes=minutes)
    row: dict[str, Any] = {
        "post_id": post_id,
        "platform_type": "social_network",
        "source": "x",
        "native_id": post_id,
        "url": f"https://x.com/{handle}/status/{post_id}",
        "author_handle": handle,
        "author_name": f"Name of {handle}",
        "is_official_account": False,
        "parent_id": None,
        "thread_id": None,
        "created_at": created,
        "created_date": created.date(),
        "title": None,
        "text": text,
        "lang_hint": None,
        "likes": 1,
        "shares": 0,
        "replies": 0,
        "views": None,
        "signatures": None,
        "geo_place": None,
        "geo_lat": None,
        "geo_lon": None,
        "raw_payload": "{}",
        "ingest_file": "x/2026-11-27/a.jsonl",
        "ingest_line": 1,
        "run_id": "ingest-1",
        "ingested_at": T0,
        "landing_date": DAY,
    }
    row.update(extra)
    return row


REPLY_TEXT = "Vă mulțumim pentru sesizare, am transmis-o compartimentului de specialitate."


def fixture_rows() -> list[dict[str, Any]]:
    long_text = "Strada Fabricii e plină de gropi de trei luni și nimeni de la primărie nu face nimic."
    rows = [
        # exact duplicates: same text modulo diacritics/case/spacing, two authors
        bronze_row("p01", long_text, "ana", 0),
        bronze_row(
            "p02",
            "STRADA FABRICII e plina de gropi de trei luni si nimeni de la primarie nu face nimic!",
            "bogdan",
            5,
        ),
        bronze_row("p03", long_text.replace("ș", "ş"), "ana", 9),
        # near duplicates (one word changed), other authors and platforms
        bronze_row(
            "p04",
            "Strada Fabricii e plină de gropi de patru luni și nimeni de la primărie nu face nimic.",
            "costel",
            30,
            source="facebook_pages",
        ),
        # campaign: 6 authors, same text within 2 h
        *[bronze_row(f"c{i}", CAMPAIGN_TEXT, f"bot{i}", 60 + 10 * i) for i in range(6)],
        # PII, official author, mentions
        bronze_row(
            "p05",
            "Sunați-mă la 0722 123 456 sau scrieți la ion.pop@gmail.com, CNP 1850101123451. @guv_ro @vecinul",
            "dan",
            200,
            title="Reclamație <b>urgentă</b>",
        ),
        bronze_row(
            "p06", "Anunț: lucrări la rețeaua de apă în Sectorul 3.", "guv_ro", 210, is_official_account=True
        ),
        # link only, Hungarian, Moldovan Cyrillic, emoji only
        bronze_row("p07", "https://www.hotnews.ro/stiri-1234567", "eva", 220),
        bronze_row("p08", "A polgármesteri hivatal még mindig nem javította meg az utat.", "gabor", 230),
        bronze_row("p09", "Примэрия ну а репарат друмул де пе страда ноастрэ.", "ion_md", 240),
        bronze_row("p10", "👍👍", "eva", 250),
        # same short text by different authors: not collapsed
        bronze_row("p11", "Bravo!", "x1", 260),
        bronze_row("p12", "Bravo!", "x2", 261),
        # the same templated official answer under two different posts: two replies, not duplicates
        *[
            bronze_row(f"r{i}", REPLY_TEXT, "guv_ro", 300 + i, is_official_account=True, parent_id=parent,
                       thread_id=parent)
            for i, parent in enumerate(("p01", "p04"))
        ],
        # another landing day: ignored
        bronze_row("old", long_text, "ana", -3000, landing_date=date(2026, 11, 25)),
    ]
    return rows


@pytest.fixture(scope="module")
def registry_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ref") / "official_accounts.csv"
    path.write_text(
        "platform,handle,institution_id,institution_name\nx,guv_ro,guvernul-romaniei,Guvernul României\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def env(
    spark: Any, tmp_path_factory: pytest.TempPathFactory, registry_file: Path
) -> Iterator[dict[str, Any]]:
    """Bronze written once, silver run once; shared by the tests of this module."""
    from jobs.lake import open_lake
    from jobs.settings import Settings
    from jobs.silver import run_silver
    from schemas import bronze

    root = tmp_path_factory.mktemp("silver")
    settings = Settings(
        lake_root=str(root / "lake"), spark_master="local[2]", shuffle_partitions=2, demo_mode=False
    ).resolved()
    lake = open_lake(settings, spark)
    rows = fixture_rows()
    lake.append(bronze.POSTS, spark.createDataFrame(rows, bronze.POSTS.schema))
    result = run_silver(settings, spark, DAY, "silver-1", registry_file, SECRET)
    yield {"settings": settings, "lake": lake, "result": result, "rows": rows}


def silver_rows(env: dict[str, Any]) -> dict[str, Any]:
    from schemas import silver

    return {r["post_id"]: r for r in env["lake"].read(silver.POSTS).collect()}


def test_counts_reconcile(env: dict[str, Any]) -> None:
    result = env["result"]
    day_rows = [r for r in env["rows"] if r["landing_date"] == DAY]
    assert result.bronze_rows == len(day_rows)
    assert result.bronze_rows == result.silver_rows + result.duplicates_collapsed
    # p02, p03 into p01; c1..c5 into c0
    assert result.duplicates_collapsed == 2 + 5
    assert result.committed and result.inserted == result.silver_rows
    assert len(silver_rows(env)) == result.silver_rows


def test_identical_official_replies_to_different_posts_are_kept(env: dict[str, Any]) -> None:
    rows = silver_rows(env)
    assert rows["r0"]["parent_id"] == "p01" and rows["r1"]["parent_id"] == "p04"
    assert rows["r0"]["duplicate_count"] == 0 and rows["r0"]["author_is_official"]
    assert rows["r0"]["near_dup_cluster_id"] == rows["r1"]["near_dup_cluster_id"] == "r0"
    assert "repeated_text" in rows["r1"]["spam_flags"]


def test_exact_duplicates_collapse(env: dict[str, Any]) -> None:
    rows = silver_rows(env)
    assert "p02" not in rows and "p03" not in rows
    assert rows["p01"]["duplicate_count"] == 2
    assert rows["p01"]["duplicate_post_ids"] == ["p02", "p03"]
    assert rows["p01"]["duplicate_authors"] == 2
    assert "repeated_text" in rows["p01"]["spam_flags"]  # ana posted it twice
    # short generic texts by different people stay apart
    assert rows["p11"]["duplicate_count"] == 0 and rows["p12"]["duplicate_count"] == 0


def test_near_duplicate_cluster(env: dict[str, Any]) -> None:
    rows = silver_rows(env)
    assert rows["p04"]["near_dup_cluster_id"] == "p01"
    assert rows["p01"]["near_dup_cluster_id"] == "p01"
    assert rows["p01"]["near_dup_cluster_size"] == 4  # p01, p02, p03, p04
    assert rows["p08"]["near_dup_cluster_id"] is None and rows["p08"]["near_dup_cluster_size"] == 0
    assert rows["p01"]["campaign_id"] is None  # 3 authors only


def test_campaign_flag(env: dict[str, Any]) -> None:
    rows = silver_rows(env)
    assert rows["c0"]["duplicate_count"] == 5
    assert rows["c0"]["campaign_id"] == "cmp-c0"
    assert rows["c0"]["campaign_size"] == 6
    assert env["result"].campaigns == 1


def test_pii_masked_and_no_raw_identity(env: dict[str, Any]) -> None:
    rows = silver_rows(env)
    p05 = rows["p05"]
    assert p05["text_masked"] == "Sunați-mă la <PHONE> sau scrieți la <EMAIL>, CNP <CNP>. @guv_ro <USER>"
    assert (p05["pii_phone"], p05["pii_email"], p05["pii_cnp"], p05["pii_iban"]) == (1, 1, 1, 0)
    assert p05["title_masked"] == "Reclamație urgentă"
    assert p05["mentions"][0] == "@guv_ro" and len(p05["mentions"][1]) == 64
    assert p05["author_display"].startswith("user-") and not p05["author_is_official"]
    official = rows["p06"]
    assert official["author_is_official"] and official["author_display"] == "Guvernul României"
    assert official["institution_id"] == "guvernul-romaniei"
    handles = {r["author_handle"] for r in env["rows"]} | {"vecinul"}
    for row in rows.values():
        values = " ".join(str(v) for v in row.asDict().values())
        assert "0722" not in values and "ion.pop" not in values
        for handle in handles - {"guv_ro"}:
            assert f"@{handle}" not in values and f"/{handle}/" not in values


def test_languages_and_flags(env: dict[str, Any]) -> None:
    rows = silver_rows(env)
    assert rows["p01"]["lang"] == "ro"
    assert rows["p08"]["lang"] == "hu"
    assert rows["p09"]["lang"] == "ro-Cyrl"
    assert rows["p10"]["lang"] == "und" and rows["p10"]["emoji"] == ["👍", "👍"]
    assert rows["p07"]["spam_flags"] == ["link_only"] and rows["p07"]["urls"] == [
        "https://www.hotnews.ro/stiri-1234567"
    ]
    assert "old" not in rows


def test_rerun_changes_nothing_and_frames_match(env: dict[str, Any], spark: Any, registry_file: Path) -> None:
    from jobs.silver import run_silver
    from schemas import silver

    lake = env["lake"]
    before_version = lake.version(silver.POSTS)
    before = lake.read(silver.POSTS)
    again = run_silver(env["settings"], spark, DAY, "silver-2", registry_file, SECRET)
    assert not again.committed and again.inserted == 0 and again.updated == 0
    assert lake.version(silver.POSTS) == before_version
    assert again.silver_rows == env["result"].silver_rows
    after = lake.read(silver.POSTS)
    cols = [c for c in silver.POSTS.columns if c not in silver.PROCESSING_METADATA_COLUMNS]
    assert before.select(cols).exceptAll(after.select(cols)).count() == 0
    assert after.select(cols).exceptAll(before.select(cols)).count() == 0


def test_missing_secret_is_a_clear_error(
    env: dict[str, Any], spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobs.silver import run_silver
    from jobs.text.pseudonym import PseudonymSecretError

    monkeypatch.delenv("CIVIC_PULSE_PSEUDONYM_SECRET", raising=False)
    with pytest.raises(PseudonymSecretError, match="CIVIC_PULSE_PSEUDONYM_SECRET"):
        run_silver(replace(env["settings"], demo_mode=False), spark, DAY, "silver-3")


def test_connected_components_driver_and_spark_agree(spark: Any) -> None:
    from jobs.silver import connected_components_spark
    from jobs.text.near_dup import union_find_components

    pairs = [("b", "c"), ("a", "b"), ("e", "d"), ("x", "y"), ("c", "z")]
    expected = {"a": "a", "b": "a", "c": "a", "z": "a", "d": "d", "e": "d", "x": "x", "y": "x"}
    assert union_find_components(pairs) == expected
    frame = spark.createDataFrame(pairs, "a string, b string")
    got = {r["node"]: r["component"] for r in connected_components_spark(frame).collect()}
    assert got == expected
    # the driver paths: collected at once, streamed by partition, and the Spark fallback
    import jobs.silver as silver

    for collect_up_to, stream_up_to in ((100, 100), (2, 100), (1, 2)):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(silver, "DRIVER_CC_MAX_EDGES", collect_up_to)
            mp.setattr(silver, "DRIVER_CC_STREAM_MAX_EDGES", stream_up_to)
            found = {r["node"]: r["component"] for r in silver.connected_components(frame.repartition(3)).collect()}
        assert found == expected, (collect_up_to, stream_up_to)


def test_campaign_authors_equal_a_sliding_window_count(spark: Any) -> None:
    """Peak distinct authors in any campaign window, and distinct authors, per component, as brute force gives them.

    Random clusters mix authors who post once, authors who post in bursts (posts closer than the
    window merge into one interval) and authors whose posts sit exactly one window apart (both
    ends of the window count), at second resolution.
    """
    import random

    from jobs.silver import CAMPAIGN_WINDOW_S, campaign_authors

    rng = random.Random(11)
    w = CAMPAIGN_WINDOW_S
    posts: list[tuple[str, str, int]] = []
    for c in range(60):
        authors = [f"u{a}" for a in range(rng.randint(1, 9))]
        start = rng.randrange(0, 86_400)
        for _ in range(rng.randint(1, 25)):
            when = start + rng.choice([0, w, w + 1, rng.randrange(0, 3 * w), rng.randrange(0, 300)])
            posts.append((f"c{c:02d}", rng.choice(authors), when))
    frame = spark.createDataFrame(posts, "component string, author string, ts long")
    got = {r["component"]: (r["_peak_authors"], r["_cluster_authors"]) for r in campaign_authors(frame).collect()}

    expected = {}
    for c in {p[0] for p in posts}:
        mine = [(a, t) for comp, a, t in posts if comp == c]
        peak = max(len({a for a, t in mine if s <= t <= s + w}) for _, s in mine)
        expected[c] = (peak, len({a for a, _ in mine}))
    assert got == expected
    assert {peak for peak, _ in expected.values()} >= {1, 5}, "the data must reach and miss the campaign threshold"


def test_cli_exits_2_without_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from jobs.silver import main

    monkeypatch.delenv("CIVIC_PULSE_PSEUDONYM_SECRET", raising=False)
    monkeypatch.delenv("CIVIC_PULSE_DEMO_MODE", raising=False)
    monkeypatch.delenv("CIVIC_PULSE_CONFIG", raising=False)
    assert main(["--day", "2026-11-27", "--lake-root", str(tmp_path / "lake")]) == 2


def test_band_keys_find_near_duplicates_and_only_them() -> None:
    """MinHash band keys (numpy, per batch): stable, none for short keys, shared by near copies only."""
    from jobs.text.minhash import LSH_BANDS, band_keys, jaccard_at_least, shingle_set
    from jobs.text.normalise import match_key

    base = match_key("Strada Fabricii e plină de gropi de trei luni și nimeni de la primărie nu face nimic.")
    near = match_key("Strada Fabricii e plină de gropi de patru luni și nimeni de la primărie nu face nimic.")
    other = match_key(CAMPAIGN_TEXT)
    keys = [base, near, other, "prea scurt", None, base]
    bands = band_keys(keys)
    assert bands[3] is None and bands[4] is None  # under MIN_KEY_CHARS, or missing
    assert bands[0] == bands[5] == band_keys([base])[0]  # depends on the key only
    assert all(len(b or []) == LSH_BANDS for b in (bands[0], bands[1], bands[2]))
    assert any(x == y for x, y in zip(bands[0] or [], bands[1] or [], strict=True))
    assert not any(x == y for x, y in zip(bands[0] or [], bands[2] or [], strict=True))
    # exact check: Jaccard of the shingle sets, as Spark computed it before
    sa, sb = shingle_set(base), shingle_set(near)
    j = len(sa & sb) / len(sa | sb)
    assert 0.8 <= j < 1
    assert jaccard_at_least([base, base], [near, other], 0.8 - 1e-9) == [True, False]
    assert jaccard_at_least([base], [near], j + 1e-9) == [False]


def test_band_keys_hit_the_banding_probabilities() -> None:
    """P(candidate) follows 1 - (1 - J^6)^14: ~0.99 at J 0.8-0.9, ~0.2 at J 0.5, ~0 at J 0.2."""
    import random

    from jobs.text.minhash import band_keys, shingle_set

    rng = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyz "
    found: dict[float, list[bool]] = {0.2: [], 0.5: [], 0.85: []}
    for _ in range(20_000):
        if min(len(v) for v in found.values()) >= 150:
            break
        text = "".join(rng.choice(alphabet) for _ in range(120))
        copy = list(text)
        for _ in range(rng.randint(0, 40)):
            copy[rng.randrange(len(copy))] = rng.choice(alphabet)
        other = "".join(copy)
        a, b = shingle_set(text), shingle_set(other)
        j = len(a & b) / len(a | b)
        bucket = next((k for k in found if abs(j - k) < 0.05), None)
        if bucket is None or len(found[bucket]) >= 150:
            continue
        ba, bb = band_keys([text, other])
        found[bucket].append(any(x == y for x, y in zip(ba or [], bb or [], strict=True)))
    rate = {k: sum(v) / len(v) for k, v in found.items()}
    assert rate[0.85] > 0.95 and 0.08 < rate[0.5] < 0.35 and rate[0.2] < 0.03, rate


@pytest.mark.parametrize("kernel", ["numba merge", "sparse product"])
def test_vectorised_jaccard_equals_python_sets(kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """similar_index_pairs (integer shingles; compiled merge or sparse product) answers exactly as shingle sets do."""
    import random

    import numpy as np

    import jobs.text.minhash as minhash
    from jobs.text.minhash import jaccard_at_least, similar_index_pairs

    if kernel == "sparse product":
        monkeypatch.setattr(minhash, "_COMPILED", [None])
    else:
        assert minhash._compiled() is not None  # numba is pinned: the walk must not fall back silently

    rng = random.Random(3)
    alphabet = "abcde fghij" + "ăшж" + "0123"
    base = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(80)]
    keys = base + ["aaaaaaaaaaaaaaaaaaaaaaaa", "abcab" * 8, ""]
    for _ in range(40):
        k = list(rng.choice(base))
        for _ in range(rng.randint(0, 6)):
            if k:
                k[rng.randrange(len(k))] = rng.choice(alphabet)
        keys.append("".join(k))
    ia = np.array([rng.randrange(len(keys)) for _ in range(3000)])
    ib = np.array([rng.randrange(len(keys)) for _ in range(3000)])
    for threshold in (0.8 - 1e-9, 0.5, 0.3):
        expected = jaccard_at_least([keys[i] for i in ia], [keys[i] for i in ib], threshold)
        got = similar_index_pairs(keys, ia, ib, threshold)
        assert got.tolist() == expected
        assert any(expected) and not all(expected)
    wide = ["漢字のテキストです漢字のテキストです", "漢字のテキストです漢字のテキストだ"]  # code points >= 4096
    pair = (np.array([0]), np.array([1]))
    assert similar_index_pairs(wide, *pair, 0.5).tolist() == jaccard_at_least(wide[:1], wide[1:], 0.5)
    assert similar_index_pairs(keys, np.zeros(0, np.int64), np.zeros(0, np.int64), 0.8).size == 0
    assert similar_index_pairs(["abc", "abc"], *pair, 0.8).tolist() == [False]  # too short for a shingle


def test_walk_kernels_compile_without_a_disk_cache_where_none_is_writable(monkeypatch: pytest.MonkeyPatch) -> None:
    """numba refuses ``cache=True`` without a writable cache location: the kernels then compile per process."""
    import numba
    import numpy as np

    import jobs.text.minhash as minhash

    real = numba.njit
    asked: list[bool] = []

    def no_cache_location(*args: Any, **kwargs: Any) -> Any:
        asked.append(bool(kwargs.get("cache")))
        if kwargs.get("cache"):
            raise RuntimeError("cannot cache function: no locator available")
        return real(*args, **kwargs)

    monkeypatch.setattr(numba, "njit", no_cache_location)
    monkeypatch.setattr(minhash, "_COMPILED", [])
    keys = ["primaria nu a reparat strada", "primaria nu a reparat strazile", "alt text cu totul"]
    pairs = (np.array([0, 0, 1]), np.array([1, 2, 2]))
    got = minhash.ShingleMatrix(keys).similar(*pairs, 0.5)
    assert minhash._compiled() is not None and asked == [True, False, True, False]
    assert got.tolist() == minhash.jaccard_at_least([keys[i] for i in pairs[0]], [keys[i] for i in pairs[1]], 0.5)


def test_least_common_is_the_exact_float_boundary() -> None:
    """The merge kernel's stop count equals the first count the sparse path's float test accepts."""
    import numpy as np

    from jobs.text.minhash import least_common

    totals = np.arange(0, 2500)
    for threshold in (0.8 - 1e-9, 0.8, 0.5, 1 / 3, 0.9, 1.0, 0.0):
        got = least_common(totals, threshold)
        for total in range(0, 2500, 7):
            passing = [c for c in range(total + 1) if total - c > 0 and c / (total - c) >= threshold]
            assert got[total] == (passing[0] if passing else total + 1), (threshold, total)


@given(st.lists(st.integers(-5, 40), max_size=80), st.lists(st.integers(-5, 40), max_size=30))
@hypothesis_settings(max_examples=200, deadline=None)
def test_sorted_unique_and_difference_equal_numpy(values: list[int], removed: list[int]) -> None:
    import numpy as np

    from jobs.text.near_dup import sorted_difference, sorted_unique

    x, y = np.array(values, dtype=np.int64), np.unique(np.array(removed, dtype=np.int64))
    distinct, first = sorted_unique(x)
    expected, expected_first = np.unique(x, return_index=True)
    assert distinct.tolist() == expected.tolist() and first.tolist() == expected_first.tolist()
    assert sorted_difference(expected, y).tolist() == np.setdiff1d(expected, y, assume_unique=True).tolist()


@pytest.mark.parametrize("all_pairs_up_to", [3])
def test_near_duplicate_components_equal_exact_ones(spark: Any, monkeypatch: pytest.MonkeyPatch,
                                                    all_pairs_up_to: int) -> None:
    """Components from LSH candidates equal those of all pairs with Jaccard >= 0.8.

    With a bucket limit of 3, every template bucket is compared by sorted neighbourhood only
    (variants whose opening or ending changed included), and must still give the same clusters.
    """
    import jobs.silver as silver
    from jobs.text.minhash import band_keys, jaccard_at_least
    from jobs.text.near_dup import union_find_components

    monkeypatch.setattr(silver, "LSH_BUCKET_ALL_PAIRS", all_pairs_up_to)
    monkeypatch.setattr(silver, "LSH_BUCKET_WINDOW", 2)  # buckets of ~12 variants: not all pairs
    texts = _template_texts()
    nodes = [(f"n{i:03d}", k, b) for i, (k, b) in enumerate(zip(texts, band_keys(texts), strict=True))]
    frame = spark.createDataFrame(nodes, "node string, text_key string, lsh_bands array<bigint>")
    edges = [(r["a"], r["b"]) for r in silver.near_duplicate_pairs(frame.repartition(3)).collect()]
    found = union_find_components(edges)

    exact_pairs = [(a[0], b[0]) for i, a in enumerate(nodes) for b in nodes[i + 1:]
                   if jaccard_at_least([a[1]], [b[1]], 0.8 - 1e-9)[0]]
    exact = union_find_components(exact_pairs)
    assert len(set(exact.values())) >= 6 and len(exact) >= 60
    assert found == exact
    assert len(edges) == len(exact) - len(set(exact.values()))  # one spanning forest, whatever the tasks


def _template_texts(seed: int = 5) -> list[str]:
    """Six templates with 12 variants each (a word changed, some with a new opening or ending), plus noise."""
    import random

    rng = random.Random(seed)
    words = "primaria strada apa canal scoala spital drum parc autobuz taxa pensie politia".split()
    texts = []
    for t in range(6):
        base = " ".join(rng.choice(words) for _ in range(30)) + f" sablon {t}"
        for v in range(12):
            w = base.split()
            w[rng.randrange(len(w))] = rng.choice(words)
            if v % 4 == 1:
                w.insert(0, "salut")
            if v % 4 == 2:
                w.append("multumesc")
            texts.append(" ".join(w))
    return texts + [" ".join(rng.choice(words) for _ in range(25)) for _ in range(30)]


def _bucket_rows(texts: list[str]) -> list[tuple[int, int, str, str]]:
    """(band, band_key, node, key) rows of the buckets holding more than one node, sorted as silver sends them."""
    from collections import Counter

    from jobs.text.minhash import band_keys

    rows = [(band, key, f"n{i:03d}", text)
            for i, (text, keys) in enumerate(zip(texts, band_keys(texts), strict=True))
            for band, key in enumerate(keys or [])]
    size = Counter((band, key) for band, key, _, _ in rows)
    return sorted(r for r in rows if size[r[0], r[1]] > 1)


def test_bucket_pass_components_equal_exact_ones_and_need_the_neighbourhood() -> None:
    from jobs.text.minhash import jaccard_at_least
    from jobs.text.near_dup import bucket_edges, union_find_components

    texts = _template_texts()
    rows = _bucket_rows(texts)
    exact = union_find_components(
        (f"n{i:03d}", f"n{j:03d}") for i in range(len(texts)) for j in range(i + 1, len(texts))
        if jaccard_at_least([texts[i]], [texts[j]], 0.8 - 1e-9)[0]
    )
    assert len(set(exact.values())) >= 6 and len(exact) >= 60
    for all_pairs_up_to, window, batch_rows in ((1000, 0, 20_000), (3, 2, 20_000), (3, 1, 20_000), (3, 2, 1), (1000, 0, 50)):
        edges = bucket_edges(rows, 0.8 - 1e-9, all_pairs_up_to, window, batch_rows)
        assert union_find_components(edges) == exact, (all_pairs_up_to, window, batch_rows)
        assert len(edges) == len(exact) - len(set(exact.values()))  # a spanning forest: k - 1 edges per cluster
        assert all(a < b for a, b in edges)
    # Without neighbours, buckets above the limit compare nothing and the clusters fall apart.
    assert union_find_components(bucket_edges(rows, 0.8 - 1e-9, 3, 0)) != exact


def test_bucket_stream_is_the_same_across_chunk_boundaries() -> None:
    from jobs.text.near_dup import BucketStream, union_find_components

    rows = _bucket_rows(_template_texts(seed=8))
    whole = BucketStream(0.8 - 1e-9, 3, 2)
    expected = whole.feed(rows) + whole.finish()
    for batch_rows in (1, 10, 100):
        stream = BucketStream(0.8 - 1e-9, 3, 2, batch_rows)
        chunked = [e for start in range(0, len(rows), 7) for e in stream.feed(rows[start:start + 7])]
        assert union_find_components(chunked + stream.finish()) == union_find_components(expected) != {}


def _variants(count: int, seed: int = 1) -> list[str]:
    import random

    rng = random.Random(seed)
    base = ("apa calda lipseste de trei saptamani in cartierul nostru si nimeni nu raspunde la telefon "
            "am sunat la primarie si la furnizor dar fiecare ne trimite la celalalt iar copiii fac baie rece").split()
    keys = []
    for _ in range(count):
        w = list(base)
        w[rng.randrange(len(w))] = rng.choice(["azi", "iar", "deja", "tot"])
        keys.append(" ".join(w))
    return keys


def test_bucket_stream_skips_what_it_already_connected() -> None:
    """A template's bucket in a second band costs no comparison once the first band connected it.

    Within the first bucket, the star (all pairs) or the chains (neighbourhood, two text orders)
    go first and connect the variants, so the other pairs are never compared: 299 and at most
    2 x 299 comparisons instead of up to 44,850 and 2 x 25 x 300.
    """
    from jobs.text.near_dup import BucketStream

    keys = _variants(300)
    nodes = [f"p{i:04d}" for i in range(300)]
    for all_pairs_up_to, window, most in ((1000, 0, 299), (10, 25, 2 * 299)):
        stream = BucketStream(0.8 - 1e-9, all_pairs_up_to, window, batch_rows=1)
        assert stream.feed((0, 7, n, k) for n, k in zip(nodes, keys, strict=True)) == []  # may go on
        edges = stream.feed((1, 9, n, k) for n, k in zip(nodes, keys, strict=True))  # closes band 0's bucket
        assert len(edges) == 299 and 0 < stream.comparisons <= most  # one cluster, k - 1 edges
        before = stream.comparisons
        assert stream.finish() == [] and stream.comparisons == before


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.lists(st.integers(0, 40), max_size=4)), min_size=2, max_size=30),
       st.integers(0, 3))
def test_bucket_all_pairs_equals_every_pair_compared(variants: list[tuple[int, list[int]]], seen_before: int) -> None:
    """One bucket compared all pairs gives the components of every similar pair, whatever the forest held."""
    from jobs.text.minhash import jaccard_at_least
    from jobs.text.near_dup import BucketStream, union_find_components

    bases = ["apa calda lipseste in tot cartierul de o saptamana", "autobuzul 331 nu a mai trecut de o ora azi",
             "gunoiul nu a fost ridicat de pe strada noastra", "spitalul judetean nu are medicamente de baza"]
    keys = []
    for base, edits in variants:
        text = list(bases[base])
        for e in edits:
            text[e % len(text)] = "x"
        keys.append("".join(text))
    nodes = [f"n{i:02d}" for i in range(len(keys))]
    stream = BucketStream(0.8 - 1e-9, 1000, 0, batch_rows=1)
    earlier = stream.feed((0, 1, n, k) for n, k in list(zip(nodes, keys, strict=True))[:seen_before])
    edges = earlier + stream.feed((1, 1, n, k) for n, k in zip(nodes, keys, strict=True)) + stream.finish()
    exact = union_find_components(
        (nodes[i], nodes[j]) for i in range(len(keys)) for j in range(i + 1, len(keys))
        if jaccard_at_least([keys[i]], [keys[j]], 0.8 - 1e-9)[0]
    )
    found = union_find_components(edges)
    assert {n: found.get(n, n) for n in nodes} == {n: exact.get(n, n) for n in nodes}


def test_bucket_all_pairs_follows_a_chain_through_any_member() -> None:
    """B ~ A and B ~ C but A !~ C: all three are one component, whatever the order."""
    from jobs.text.minhash import jaccard_at_least
    from jobs.text.near_dup import bucket_edges, union_find_components

    b = "primaria sectorului trei nu raspunde la sesizari de luni"
    a, c = b[:12] + "X" + b[13:], b[:40] + "X" + b[41:]  # one interior character each
    assert jaccard_at_least([a, c], [b, b], 0.8 - 1e-9) == [True, True]
    assert jaccard_at_least([a], [c], 0.8 - 1e-9) == [False]
    texts = {"a": a, "b": b, "c": c}
    for order in ("bac", "bca", "abc", "cab"):
        edges = bucket_edges([(0, 0, x, texts[x]) for x in order], 0.8 - 1e-9, 1000, 0)
        assert set(union_find_components(edges).values()) == {"a"}, order
    # sorted neighbourhood with one neighbour: a and c are next to b in text order either way
    assert set(union_find_components(bucket_edges([(0, 0, x, texts[x]) for x in "abc"], 0.8 - 1e-9, 2, 1)).values()) == {"a"}


def test_bucket_stream_compares_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pairs checked a few at a time give the same edges as all at once."""
    import jobs.text.minhash as minhash
    import jobs.text.near_dup as near_dup

    rows = _bucket_rows(_template_texts())
    whole = near_dup.bucket_edges(rows, 0.8 - 1e-9, 3, 2)
    monkeypatch.setattr(minhash, "PAIR_SLICE", 7)
    assert near_dup.bucket_edges(rows, 0.8 - 1e-9, 3, 2) == whole and whole


# ------------------------------------------------------------------------------ enrich on this silver
ENRICH_OUTPUTS = ("sentiment", "p_negative", "p_neutral", "p_positive", "topics", "topic_scores",
                  "institutions", "county_code", "locality_siruta", "locality_name")  # fmt: skip


@pytest.fixture(scope="module")
def enrich_env(env: dict[str, Any], spark: Any) -> dict[str, Any]:
    """The enrich job run once on this module's silver day."""
    from jobs.enrich import run_enrich

    return {**env, "silver": env["result"], "result": run_enrich(env["settings"], spark, DAY, "enrich-1", env["lake"])}


def enriched_rows(enrich_env: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from schemas.enriched import POSTS_ENRICHED

    return {r["post_id"]: r for r in enrich_env["lake"].read_arrow(POSTS_ENRICHED).to_pylist()}


def test_every_silver_row_is_scored_or_has_its_reason(enrich_env: dict[str, Any]) -> None:
    from schemas.enriched import SCORED_LANGS

    result, rows = enrich_env["result"], enriched_rows(enrich_env)
    assert result.silver_rows == enrich_env["silver"].silver_rows == len(rows)
    assert result.inserted == len(rows) and result.updated == 0
    assert result.scored + result.skipped == result.silver_rows
    scored = [r for r in rows.values() if r["sentiment"] is not None]
    skipped = [r for r in rows.values() if r["sentiment"] is None]
    assert len(scored) == result.scored and len(skipped) == result.skipped > 0
    for r in scored:
        assert r["lang"] in SCORED_LANGS and r["enrich_skipped_reason"] is None
        assert r["sentiment_model_version"] == result.model_versions["sentiment_model_version"]
        assert abs(r["p_negative"] + r["p_neutral"] + r["p_positive"] - 1) < 1e-6
    for r in skipped:
        assert r["lang"] not in SCORED_LANGS
        assert r["enrich_skipped_reason"] == f"language {r['lang']} not scored"
        assert all(r[c] is None for c in ("p_negative", "topics", "institutions"))
    assert rows["p08"]["enrich_skipped_reason"] == "language hu not scored"
    from models.entities.extract import default_extractor

    # the gazetteer has no column; the run records the version the workers scored with
    assert result.model_versions["entity_gazetteer_version"] == default_extractor().version == "1.2.0"


def test_first_load_is_an_append_and_a_rerun_commits_nothing(enrich_env: dict[str, Any], spark: Any) -> None:
    from jobs.enrich import run_enrich
    from schemas.enriched import POSTS_ENRICHED

    lake = enrich_env["lake"]
    assert [h.operation.upper() for h in lake.history(POSTS_ENRICHED)][-1] == "WRITE"
    before = lake.version(POSTS_ENRICHED)
    again = run_enrich(enrich_env["settings"], spark, DAY, "enrich-2", lake)
    assert (again.inserted, again.updated, again.version) == (0, 0, before)
    assert lake.version(POSTS_ENRICHED) == before
    assert {k: v["enrich_run_id"] for k, v in enriched_rows(enrich_env).items()} == dict.fromkeys(enriched_rows(enrich_env), "enrich-1")


def test_enrich_records_the_held_out_quality_of_the_models_it_used(
    enrich_env: dict[str, Any], spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """ops.model_quality holds the committed held-out figures of exactly the versions that scored the day; a
    re-run commits nothing, and a version whose metrics are not committed gets no (mislabelled) rows."""
    from jobs.enrich import record_model_quality
    from models.quality import quality_rows
    from schemas.ops import MODEL_QUALITY

    lake, versions = enrich_env["lake"], enrich_env["result"].model_versions
    rows = lake.read_arrow(MODEL_QUALITY).to_pylist()
    expected, notes = quality_rows(versions)
    assert notes == [] and len(rows) == len(expected) == 77  # 2 + 9 sentiment, 3 + 57 topics, 6 entities
    key = lambda r: (r["model"], r["model_version"], r["evaluation"], r["metric"], r["label"])  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)
    assert {(r["model"], r["model_version"]) for r in rows} == {
        ("sentiment", versions["sentiment_model_version"]), ("topics", versions["topic_model_version"]),
        ("entities", versions["entity_gazetteer_version"])}
    topics = json.loads((Path(__file__).resolve().parents[1] / "models/topics/artifacts/metrics.json").read_text("utf-8"))
    health = {r["metric"]: r["value"] for r in rows if r["model"] == "topics" and r["label"] == "sanatate"}
    assert health == {m: topics["per_topic"]["sanatate"][m] for m in ("precision", "recall", "f1")}
    before = lake.version(MODEL_QUALITY)
    again = record_model_quality(lake, spark, versions)
    assert again is not None and again.committed is False and lake.version(MODEL_QUALITY) == before
    import models.quality as quality

    broken = tmp_path / "metrics.json"
    broken.write_text("{not json", encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(quality, "TOPICS_METRICS", broken)
        with caplog.at_level("ERROR", logger="civic_pulse.enrich"):
            assert record_model_quality(lake, spark, versions) is None
        assert "model quality not recorded" in caplog.text and lake.version(MODEL_QUALITY) == before
    other = {**versions, "sentiment_model_version": "0.0.1"}
    rows_other, notes_other = quality_rows(other)
    assert {r["model"] for r in rows_other} == {"topics", "entities"} and "scored with 0.0.1" in notes_other[0]


def test_spark_scores_equal_the_in_process_pass_on_the_same_rows(enrich_env: dict[str, Any]) -> None:
    """What the bench times in one process (with_model_texts + score_partition) is what Spark ran."""
    from pyspark.sql import functions as F

    from jobs.enrich import score_partition, scored_spark_schema, with_model_texts
    from schemas.contract import spark_to_arrow_schema
    from schemas.enriched import SCORED_LANGS
    from schemas.silver import POSTS as SILVER_POSTS

    silver = enrich_env["lake"].read(SILVER_POSTS).where(F.col("lang").isin(*SCORED_LANGS))
    batch = pa.RecordBatch.from_pylist(
        [r.asDict() for r in silver.collect()], schema=spark_to_arrow_schema(silver.schema)
    )
    out_schema = spark_to_arrow_schema(scored_spark_schema())
    in_process = {
        r["post_id"]: r for b in score_partition(iter([with_model_texts(batch)]), out_schema) for r in b.to_pylist()
    }
    in_spark = enriched_rows(enrich_env)
    assert set(in_process) == {k for k, v in in_spark.items() if v["sentiment"] is not None}
    for post_id, row in in_process.items():
        for column in ENRICH_OUTPUTS:
            assert in_spark[post_id][column] == row[column], (post_id, column)


def test_one_pass_scores_some_rows_and_gives_the_others_their_reason(enrich_env: dict[str, Any]) -> None:
    """Rows of every language, and one without, in one batch: the pass splits them itself."""
    from jobs.enrich import MODEL_COLUMNS, SKIPPED_REASON, score_partition, scored_spark_schema
    from schemas.contract import spark_to_arrow_schema
    from schemas.enriched import SCORED_LANGS
    from schemas.silver import POSTS as SILVER_POSTS

    silver = enrich_env["lake"].read(SILVER_POSTS)
    rows = [r.asDict() for r in silver.collect()]
    rows.append({**rows[0], "post_id": "no-lang", "lang": None})
    batch = pa.RecordBatch.from_pylist(rows, schema=spark_to_arrow_schema(silver.schema))
    out = {
        r["post_id"]: r
        for b in score_partition(iter([batch]), spark_to_arrow_schema(scored_spark_schema()))
        for r in b.to_pylist()
    }
    assert set(out) == {r["post_id"] for r in rows}
    in_spark = enriched_rows(enrich_env)
    skipped = {k for k, r in out.items() if r["lang"] not in SCORED_LANGS}
    assert len(skipped) == sum(r["enrich_skipped_reason"] is not None for r in in_spark.values()) + 1
    for post_id, row in out.items():
        if post_id in skipped:
            assert row[SKIPPED_REASON] == f"language {row['lang'] or 'unknown'} not scored"
            assert all(row[f.name] is None for f in MODEL_COLUMNS)
        else:
            assert row[SKIPPED_REASON] is None and row["sentiment"] is not None
        if post_id != "no-lang":
            for column in [*SILVER_POSTS.columns, *ENRICH_OUTPUTS, SKIPPED_REASON]:
                assert in_spark[post_id][column] == row[column], (post_id, column)


def test_each_distinct_text_is_scored_once_with_the_same_columns(
    enrich_env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """score_partition scores every distinct text once and gives every row what row-by-row scoring gives."""
    from pyspark.sql import functions as F

    import jobs.enrich as enrich
    from jobs.enrich import SENTIMENT_TEXT, TOPIC_TEXT, score_partition, scored_spark_schema, with_model_texts
    from schemas.contract import spark_to_arrow_schema
    from schemas.enriched import SCORED_LANGS
    from schemas.silver import POSTS as SILVER_POSTS

    silver = enrich_env["lake"].read(SILVER_POSTS).where(F.col("lang").isin(*SCORED_LANGS))
    rows = [r.asDict() for r in silver.collect()]
    # every text twice more: once under the same title, once under another title
    copies = [{**r, "post_id": f"{r['post_id']}-same"} for r in rows]
    copies += [{**r, "post_id": f"{r['post_id']}-other", "title_masked": "Alt titlu, Primăria Cluj"} for r in rows]
    batch = with_model_texts(pa.RecordBatch.from_pylist(rows + copies, schema=spark_to_arrow_schema(silver.schema)))
    out_schema = spark_to_arrow_schema(scored_spark_schema())
    scored_sizes: list[tuple[str, int]] = []
    real = enrich._score_rows

    def counting(part: pa.RecordBatch, *args: Any, **kwargs: Any) -> pa.RecordBatch:
        scored_sizes.append((part.schema.names[-1], part.num_rows))
        return real(part, *args, **kwargs)

    monkeypatch.setattr(enrich, "_score_rows", counting)
    by_text = pa.Table.from_batches(list(score_partition(iter([batch]), out_schema)))
    texts = {r["text_masked"] or "" for r in rows}
    topic_texts = set(batch.column(TOPIC_TEXT).to_pylist())
    assert scored_sizes == [(SENTIMENT_TEXT, len(texts)), (TOPIC_TEXT, len(topic_texts))]
    assert len(topic_texts) < batch.num_rows and len(texts) < len(topic_texts)
    by_row = pa.Table.from_batches(list(score_partition(iter([batch]), out_schema, distinct=False)))
    assert by_text.equals(by_row)
    other = {r["post_id"]: r for r in by_text.to_pylist()}
    assert any(other[f"{r['post_id']}-other"]["institutions"] != other[r["post_id"]]["institutions"] for r in rows)


def test_model_texts_in_arrow_equal_the_spark_expressions(spark: Any) -> None:
    from pyspark.sql import functions as F

    from jobs.enrich import SENTIMENT_TEXT, TOPIC_TEXT, with_model_texts

    cases = [("a", "Titlu", "text"), ("b", None, "text"), ("c", "Titlu", None), ("d", None, None), ("e", "", "x")]
    df = spark.createDataFrame(cases, "post_id string, title_masked string, text_masked string")
    expected = {
        r["post_id"]: (r[SENTIMENT_TEXT], r[TOPIC_TEXT])
        for r in df.select(
            "post_id",
            F.coalesce(F.col("text_masked"), F.lit("")).alias(SENTIMENT_TEXT),
            F.concat_ws(" \n", F.col("title_masked"), F.col("text_masked")).alias(TOPIC_TEXT),
        ).collect()
    }
    batch = pa.RecordBatch.from_pylist(
        [dict(zip(("post_id", "title_masked", "text_masked"), c, strict=True)) for c in cases]
    )
    got = {r["post_id"]: (r[SENTIMENT_TEXT], r[TOPIC_TEXT]) for r in with_model_texts(batch).to_pylist()}
    assert got == expected


def test_python_passes_take_whole_rounds_of_one_task_per_core(spark: Any) -> None:
    from jobs.enrich import SCORING_ROWS_PER_TASK
    from jobs.spark import python_pass_tasks

    cores = spark.sparkContext.defaultParallelism
    assert python_pass_tasks(spark, 0, SCORING_ROWS_PER_TASK) == cores
    assert python_pass_tasks(spark, 1, SCORING_ROWS_PER_TASK) == cores
    assert python_pass_tasks(spark, SCORING_ROWS_PER_TASK * cores * 2, SCORING_ROWS_PER_TASK) == cores * 2
    # one row more needs another task: a whole round of them, each under SCORING_ROWS_PER_TASK rows
    assert python_pass_tasks(spark, SCORING_ROWS_PER_TASK * cores * 2 + 1, SCORING_ROWS_PER_TASK) == cores * 3


def test_a_task_stages_its_rows_once_whatever_its_attempts(enrich_env: dict[str, Any], tmp_path: Path) -> None:
    """stage_partition: a second attempt replaces the first's file; a failed one leaves nothing."""
    import pyarrow.parquet as pq

    from jobs.enrich import enriched_spark_schema, stage_partition
    from schemas.contract import spark_to_arrow_schema
    from schemas.silver import POSTS as SILVER_POSTS

    silver = enrich_env["lake"].read(SILVER_POSTS)
    batch = pa.RecordBatch.from_pylist([r.asDict() for r in silver.collect()], schema=spark_to_arrow_schema(silver.schema))
    out_schema = spark_to_arrow_schema(enriched_spark_schema())
    started = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)

    def attempt(batches: Iterator[pa.RecordBatch]) -> list[dict[str, Any]]:
        return [r for b in stage_partition(batches, out_schema, str(tmp_path), "run-7", started) for r in b.to_pylist()]

    def failing() -> Iterator[pa.RecordBatch]:
        yield batch.slice(0, 5)
        raise RuntimeError("executor lost")

    with pytest.raises(RuntimeError, match="executor lost"):
        attempt(failing())
    assert list(tmp_path.iterdir()) == []
    for _ in range(2):
        (summary,) = attempt(iter([batch.slice(0, 7), batch.slice(7)]))
    assert [p.name for p in tmp_path.iterdir()] == ["part-00000.parquet"]
    staged = pq.read_table(tmp_path / "part-00000.parquet")
    assert staged.schema.equals(out_schema) and staged.num_rows == batch.num_rows == summary["rows"]
    assert summary["scored"] == staged.num_rows - staged.column("sentiment").null_count > 0
    assert summary["sentiment_model_version"] == enrich_env["result"].model_versions["sentiment_model_version"]
    assert set(staged.column("enrich_run_id").to_pylist()) == {"run-7"}
    assert set(staged.column("enriched_at").to_pylist()) == {started}
    in_spark = enriched_rows(enrich_env)
    for row in staged.to_pylist():
        for column in [*ENRICH_OUTPUTS, "enrich_skipped_reason"]:
            assert in_spark[row["post_id"]][column] == row[column], (row["post_id"], column)


def test_staging_uris_are_given_to_pyarrow_in_its_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jobs.enrich import arrow_staging_uri

    monkeypatch.chdir(tmp_path)
    assert arrow_staging_uri("s3a://bucket/civic/_staging/enrich/r1") == "s3://bucket/civic/_staging/enrich/r1"
    assert arrow_staging_uri("s3n://bucket/x") == "s3://bucket/x"
    assert arrow_staging_uri("gs://bucket/x") == "gs://bucket/x"
    assert arrow_staging_uri("abfss://c@account.dfs.core.windows.net/x") == "abfss://c@account.dfs.core.windows.net/x"
    assert arrow_staging_uri("/lake/_staging/x") == "/lake/_staging/x"
    assert arrow_staging_uri("file:/lake/_staging/x") == arrow_staging_uri("file:///lake/_staging/x") == "/lake/_staging/x"
    assert arrow_staging_uri("lake/_staging/x") == str(tmp_path.resolve() / "lake/_staging/x")


def test_a_day_without_silver_rows_stages_and_commits_nothing(enrich_env: dict[str, Any], spark: Any) -> None:
    from jobs.enrich import run_enrich
    from schemas.enriched import POSTS_ENRICHED

    lake = enrich_env["lake"]
    before, staged_before = lake.version(POSTS_ENRICHED), lake.staged_count
    empty = run_enrich(enrich_env["settings"], spark, DAY + timedelta(days=40), "enrich-empty", lake)
    assert (empty.silver_rows, empty.scored, empty.inserted, empty.version) == (0, 0, 0, before)
    assert empty.model_versions == {} and lake.staged_count == staged_before
