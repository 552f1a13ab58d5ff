"""Adapters: every export format parsed from hand-written fixtures, ids, linkage, rejects, encodings."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.adapters import Rejected, detect_format, parse_file
from jobs.adapters.base import JOB_FILLED
from jobs.adapters.common import RECORD_COLUMNS, OfficialLookup, RecordError, html_to_text, parse_ts, to_count
from jobs.adapters.encoding import detect_bytes, detect_encoding, normalize_encoding
from jobs.adapters.registry import (
    OFFICIAL_COLUMNS,
    OFFICIAL_FILE,
    PLATFORM_TYPES,
    RegistryError,
    SourceRegistry,
    default_official,
    default_sources,
    load_official_accounts,
)

LANDING = Path(__file__).parent / "fixtures" / "landing"
DAY = "2026-11-27"


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse(source: str, name: str, **kw: Any) -> tuple[list[dict[str, Any]], list[Rejected]]:
    records: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for item in parse_file(str(LANDING / source / DAY / name), source, **kw):
        (rejected if isinstance(item, Rejected) else records).append(item)  # type: ignore[arg-type]
    return records, rejected


def by_native(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["native_id"]: r for r in records}


def reasons(rejected: list[Rejected]) -> dict[int, str]:
    return {r.line: r.reason for r in rejected}


# ------------------------------------------------------------------------------------- contract


def test_record_columns_are_bronze_posts_minus_job_filled() -> None:
    from schemas.bronze import PLATFORM_TYPES as BRONZE_TYPES
    from schemas.bronze import POSTS

    expected = [c for c in POSTS.schema.fieldNames() if c not in JOB_FILLED]
    assert list(RECORD_COLUMNS) == expected
    assert PLATFORM_TYPES == BRONZE_TYPES


def test_every_fixture_record_is_complete_and_typed() -> None:
    count = 0
    for path in sorted(LANDING.glob(f"*/{DAY}/*")):
        for item in parse_file(str(path), path.parts[-3]):
            if isinstance(item, Rejected):
                assert item.reason and isinstance(item.line, int) and item.line >= 0
                continue
            count += 1
            assert set(item) == set(RECORD_COLUMNS)
            assert item["created_at"].tzinfo is not None and item["created_at"].utcoffset().total_seconds() == 0
            assert item["text"].strip() and isinstance(item["raw_payload"], str) and item["ingest_line"] >= 1
            assert item["platform_type"] in PLATFORM_TYPES
            assert len(item["post_id"]) == 64 and len(item["thread_id"]) == 64
            for col in ("likes", "shares", "replies", "views", "signatures"):
                assert item[col] is None or (isinstance(item[col], int) and item[col] >= 0)
    assert count >= 35


# ------------------------------------------------------------------------------------------- X


def test_x_fields_replies_metrics_and_official_flags() -> None:
    records, rejected = parse("x", "search-0001.json")
    tweets = by_native(records)
    root = tweets["1861234567890123456"]
    assert root["post_id"] == sha("x:1861234567890123456")
    assert root["platform_type"] == "social_network" and root["source"] == "x"
    assert root["author_handle"] == "ana_din_drumul_taberei" and root["author_name"] == "Ana Popescu"
    assert root["created_at"] == datetime(2026, 11, 27, 7, 15, 30, tzinfo=UTC)
    assert (root["likes"], root["shares"], root["replies"], root["views"]) == (85, 12, 2, 4210)
    assert (root["geo_lat"], root["geo_lon"], root["geo_place"]) == (44.4268, 26.0421, "Sector 6, București")
    assert root["url"] == "https://x.com/ana_din_drumul_taberei/status/1861234567890123456"
    assert root["parent_id"] is None and root["thread_id"] == root["post_id"]
    assert root["lang_hint"] == "ro" and not root["is_official_account"]
    reply = tweets["1861234567890999999"]
    assert reply["parent_id"] == root["post_id"] and reply["thread_id"] == root["post_id"]
    assert reply["is_official_account"]  # PMBucuresti is in official_accounts.csv
    gov = tweets["1861234567891000001"]
    assert gov["is_official_account"]  # not in the registry, but verified_type == government
    assert gov["text"].endswith("urmăriți RO-ALERT.")  # note_tweet (long text) wins
    assert '"username":"ISU_Iasi_test"' in gov["raw_payload"]
    assert reasons(rejected) == {
        4: "missing text", 5: "unparseable date 'ieri pe la 5'", 6: "text is not a string (int)",
    }


def test_same_post_in_two_files_gets_the_same_id() -> None:
    first, _ = parse("x", "search-0001.json")
    second, _ = parse("x", "search-0002.json")
    again = second[0]
    original = by_native(first)[again["native_id"]]
    assert again["post_id"] == original["post_id"]
    assert again["likes"] == 120 and original["likes"] == 85


def test_invalid_json_file_is_one_rejection_with_the_head() -> None:
    records, rejected = parse("x", "broken-0003.json")
    assert records == []
    assert len(rejected) == 1 and rejected[0].line == 0
    assert rejected[0].reason.startswith("invalid JSON file: Unterminated string")
    assert rejected[0].raw.startswith('{"data": [{"id": "1861"')


# ------------------------------------------------------------------------------------ Facebook


def test_facebook_nested_comments_link_to_post_and_parent_comment() -> None:
    records, rejected = parse("facebook_pages", "page_feed-0001.json.gz")
    posts = by_native(records)
    post = posts["123456789_1001"]
    assert post["author_handle"] == "primariaclujnapoca" and post["is_official_account"]
    assert (post["likes"], post["shares"], post["replies"]) == (240, 31, 4)
    assert (post["geo_place"], post["geo_lat"], post["geo_lon"]) == ("Cluj-Napoca", 46.7712, 23.6236)
    comment = posts["1001_5001"]
    assert comment["parent_id"] == post["post_id"] and comment["thread_id"] == post["post_id"]
    assert comment["author_handle"] == "555001" and not comment["is_official_account"]
    assert (comment["likes"], comment["replies"]) == (19, 1)
    answer = posts["1001_5002"]
    assert answer["parent_id"] == comment["post_id"] and answer["thread_id"] == post["post_id"]
    assert answer["is_official_account"]
    assert (answer["created_at"] - comment["created_at"]).total_seconds() == 3 * 3600 + 15 * 60
    assert '"comments"' not in comment["raw_payload"]  # nested replies are not copied into the parent
    assert reasons(rejected) == {
        4: "empty text (message)", 5: "unparseable date '27/11/2026 99:00'", 6: "missing text (message)",
    }


# ----------------------------------------------------------------------------------- Instagram


def test_instagram_media_comments_and_replies() -> None:
    records, rejected = parse("instagram", "media_comments-0001.json")
    items = by_native(records)
    media = items["17900000000000001"]
    assert media["platform_type"] == "photo_video" and media["is_official_account"]
    assert media["text"].startswith("Parcul Central renovat 🌳") and media["replies"] == 3
    comment = items["17800000000000001"]
    assert comment["parent_id"] == media["post_id"] and comment["url"] == "https://www.instagram.com/p/Cabc123/"
    reply = items["17800000000000002"]
    assert reply["parent_id"] == comment["post_id"] and reply["thread_id"] == media["post_id"]
    assert reply["is_official_account"]
    loose = items["17800000000000009"]  # exported on its own, linked through media.id
    assert loose["parent_id"] == media["post_id"]
    assert reasons(rejected) == {4: "missing text"}


# ------------------------------------------------------------------------------------- YouTube


def test_youtube_threads_replies_and_html_only_text() -> None:
    records, rejected = parse("youtube", "comment_threads-0001.json")
    items = by_native(records)
    top = items["UgzAAA"]
    assert top["replies"] == 1 and top["author_handle"] == "@cetatean_sv"
    assert top["url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzAAA"
    reply = items["UgzAAA.reply1"]
    assert reply["parent_id"] == top["post_id"] and reply["thread_id"] == top["post_id"]
    assert reply["is_official_account"]  # youtube,PolitiaRomanaTV in the registry ('@' ignored)
    assert items["UgzBBB"]["text"] == "Bravo pompierilor & echipajului SMURD!\nEroi."
    assert reasons(rejected) == {4: "text is not a string (int)"}


# -------------------------------------------------------------------------------------- Reddit


def test_reddit_listing_posts_comments_and_stubs() -> None:
    records, rejected = parse("reddit", "thread.json")
    items = by_native(records)
    post = items["1h2abcd"]
    assert post["platform_type"] == "social_bookmarking" and post["title"] == "Parcările de reședință din Mănăștur"
    assert post["created_at"] == datetime(2026, 11, 27, 8, 0, tzinfo=UTC) and post["geo_place"] == "r/Cluj"
    assert (post["likes"], post["replies"]) == (57, 4)
    assert post["url"] == "https://www.reddit.com/r/Cluj/comments/1h2abcd/parcarile_de_resedinta/"
    first = items["m1aaaaa"]
    nested = items["m1bbbbb"]
    assert first["parent_id"] == post["post_id"] and nested["parent_id"] == first["post_id"]
    assert nested["thread_id"] == post["post_id"] and first["post_id"] == sha("reddit:m1aaaaa")
    assert reasons(rejected) == {4: "comment removed by Reddit", 5: "pagination stub 'more' (2 comments not exported)"}


# ------------------------------------------------------------------------------------ RSS/Atom


def test_rss_items_html_dates_authors_and_rejects() -> None:
    records, rejected = parse("blogs_rss", "feed-0001.xml")
    first, last = records
    assert first["platform_type"] == "blog_forum" and first["native_id"] == "jc-2026-1127-1"
    assert first["post_id"] == sha("blogs_rss:jc-2026-1127-1")  # feeds use the source as id family
    assert first["text"] == "Al treilea cartier fără căldură în noiembrie.\n\nPrimăria spune că „se lucrează”."
    assert first["created_at"] == datetime(2026, 11, 27, 7, 30, tzinfo=UTC) and first["replies"] == 17
    assert first["author_name"] == "Radu Marinescu" and first["title"].startswith("Termoficarea")
    assert (last["author_handle"], last["author_name"]) == ("ion.pop@jurnal-craiova.ro", "Ion Pop")
    assert last["native_id"] == "https://jurnal-craiova.ro/2026/11/autor/"  # no guid: the link
    assert reasons(rejected) == {2: "missing text (no description/content)", 3: "unparseable date 'Vineri, 27 noiembrie'"}


def test_atom_forum_replies_link_through_thr_in_reply_to() -> None:
    records, rejected = parse("forum_atom", "forum-0001.atom")
    root, reply = records
    assert root["created_at"] == datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # published wins over updated
    assert root["replies"] == 1 and root["url"] == "https://forum-iasi.ro/t/100"
    assert reply["parent_id"] == root["post_id"] and reply["thread_id"] == root["post_id"]
    assert reply["author_handle"] == "https://forum-iasi.ro/u/vecinul" and reply["author_name"] == "vecinul"
    assert reply["text"] == "Au trecut azi dimineață, s-a rezolvat."
    assert reasons(rejected) == {3: "missing text (no description/content)"}


def test_rss_in_windows_1250_follows_the_xml_declaration(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    body = (
        '<?xml version="1.0" encoding="windows-1250"?>\n<rss version="2.0"><channel><item><guid>g1</guid>'
        "<pubDate>Fri, 27 Nov 2026 09:30:00 +0200</pubDate><description>Ţara lui „Ştefan”</description>"
        "</item></channel></rss>"
    )
    feed.write_bytes(body.encode("cp1250"))
    (record,) = parse_file(str(feed), "blogs_rss")
    assert not isinstance(record, Rejected)
    assert record["text"] == "Ţara lui „Ştefan”" and record["created_at"] == datetime(2026, 11, 27, 7, 30, tzinfo=UTC)


def test_xml_with_entity_declarations_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "feed.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel></channel></rss>')
    items = list(parse_file(str(bomb), "blogs_rss"))
    assert len(items) == 1 and isinstance(items[0], Rejected) and items[0].line == 0
    assert "entities" in items[0].reason


# ----------------------------------------------------------------------------------------- CSV


def test_news_csv_utf8_bom_multiline_rows_and_line_numbers() -> None:
    records, rejected = parse("hotnews_comments", "comments-0001.csv")
    items = by_native(records)
    assert detect_encoding(str(LANDING / "hotnews_comments" / DAY / "comments-0001.csv")) == "utf-8-sig"
    first = items["c1"]
    assert first["platform_type"] == "social_news" and first["ingest_line"] == 2
    assert first["created_at"] == datetime(2026, 11, 27, 7, 10, tzinfo=UTC)
    assert first["title"] == "Se scumpește apa în Iași" and first["url"] == "https://hotnews.ro/a/1#comment-c1"
    multi = items["c2"]
    assert multi["ingest_line"] == 3 and multi["text"].count("\n") == 2 and "„de vină e rețeaua”" in multi["text"]
    assert multi["created_at"] == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # naive → Europe/Bucharest
    assert multi["parent_id"] == first["post_id"] and multi["raw_payload"].count("\n") == 2
    last = items["c6"]
    assert last["ingest_line"] == 9 and last["likes"] == 1234 and last["thread_id"] == multi["post_id"]
    assert reasons(rejected) == {6: "expected 8 columns, got 6", 7: "empty text", 8: "unparseable date '31.02.2026 10:00'"}
    assert rejected[0].raw.startswith("https://hotnews.ro/a/1") and "c3" in rejected[0].raw


def test_news_csv_windows_1250_is_detected() -> None:
    path = LANDING / "digi24_comments" / DAY / "comments-0001.csv"
    assert detect_encoding(str(path)) == "cp1250"
    records, rejected = parse("digi24_comments", "comments-0001.csv")
    assert rejected == []
    assert records[0]["text"] == "„Programare peste două luni” – ruşine, asta e ţara?"
    assert records[0]["created_at"] == datetime(2026, 11, 27, 6, 15, tzinfo=UTC)
    assert records[1]["parent_id"] == records[0]["post_id"]


def test_news_csv_iso_8859_16_is_detected() -> None:
    path = LANDING / "adevarul_comments" / DAY / "comments-0001.csv"
    assert detect_encoding(str(path)) == "iso-8859-16"
    records, _ = parse("adevarul_comments", "comments-0001.csv")
    assert records[0]["text"] == "„Lipsesc medicamente” - spun pacienții de la Timișoara."
    assert records[0]["author_handle"] == "Țurcanu"


def test_news_csv_iso_8859_2_gzip_with_registry_encoding() -> None:
    assert default_sources().get("ziare_comments").encoding == "iso-8859-2"
    records, rejected = parse("ziare_comments", "comments-0001.csv.gz")
    assert rejected == [] and records[0]["text"] == "Drumurile nu sunt deszăpezite în Braşov. Până când?"
    # an explicit override wins over the registry: read as UTF-8 the letters become U+FFFD
    wrong, _ = parse("ziare_comments", "comments-0001.csv.gz", encoding="utf-8")
    assert "\ufffd" in wrong[0]["text"]


def test_petitions_csv_romanian_headers_signatures_and_rejects() -> None:
    records, rejected = parse("petitii_gov", "petitii-0001.csv")
    (petition,) = records
    assert petition["platform_type"] == "e_petition" and petition["native_id"] == "P-2026-118"
    assert petition["signatures"] == 1532 and petition["geo_place"] == "București"
    assert petition["title"] == "Piste de biciclete pe Calea Victoriei"
    assert petition["author_name"] == "Asociația Bicicliștilor"
    assert "Primăria Municipiului București" in petition["raw_payload"]  # institution kept in the raw row
    assert reasons(rejected) == {3: "empty text", 4: "signatures is not a count: 'multe'"}


def test_csv_header_without_required_columns_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    items = list(parse_file(str(path), "hotnews_comments"))
    assert len(items) == 1 and isinstance(items[0], Rejected) and items[0].line == 0
    assert "lacks required columns ['date', 'text']" in items[0].reason


# --------------------------------------------------------------------------------------- JSONL


def test_canonical_jsonl_ids_links_and_per_line_rejects() -> None:
    records, rejected = parse("partner_canonical", "posts-0001.jsonl")
    first, reply, given = records
    assert first["post_id"] == sha("partner_canonical:pc-1") and first["platform_type"] == "social_news"
    # the registry is keyed by id family: CNAS.oficial is official on facebook, not on partner_canonical
    assert not first["is_official_account"]
    assert reply["parent_id"] == first["post_id"] and reply["thread_id"] == first["post_id"]
    assert reply["created_at"] == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert given["post_id"] == sha("elsewhere:abc") and given["thread_id"] == given["post_id"]
    assert given["source"] == "partner_canonical"
    assert sorted(reasons(rejected)) == [4, 6, 7, 8, 9, 10]  # line 5 is blank: no record
    assert reasons(rejected)[4].startswith("invalid JSON: Unterminated string")
    assert reasons(rejected)[6] == "missing text" and reasons(rejected)[9] == "likes is negative: -3"
    assert reasons(rejected)[10] == "line is not a JSON object (list)"


# ------------------------------------------------------------------------------ detection, registry


@pytest.mark.parametrize(
    ("source", "name", "fmt"),
    [
        ("x", "search-0001.json", "x_api_v2"),
        ("facebook_pages", "page_feed-0001.json.gz", "facebook_graph"),
        ("instagram", "media_comments-0001.json", "instagram_graph"),
        ("youtube", "comment_threads-0001.json", "youtube_comments"),
        ("reddit", "thread.json", "reddit_listing"),
        ("blogs_rss", "feed-0001.xml", "rss"),
        ("forum_atom", "forum-0001.atom", "atom"),
        ("hotnews_comments", "comments-0001.csv", "news_comments_csv"),
        ("digi24_comments", "comments-0001.csv", "news_comments_csv"),
        ("ziare_comments", "comments-0001.csv.gz", "news_comments_csv"),
        ("petitii_gov", "petitii-0001.csv", "petitions_csv"),
        ("partner_canonical", "posts-0001.jsonl", "canonical_jsonl"),
    ],
)
def test_detect_format_sniffs_every_fixture(source: str, name: str, fmt: str) -> None:
    assert detect_format(str(LANDING / source / DAY / name)) == fmt


def test_unknown_source_is_sniffed_and_uses_its_name_as_id_family() -> None:
    assert "new_forum" not in default_sources()
    records, rejected = parse("new_forum", "export.xml")
    assert len(records) == 2 and len(rejected) == 1
    assert records[0]["platform_type"] == "blog_forum"
    assert records[0]["post_id"] == sha("new_forum:tag:forum-iasi.ro,2026:post-100")


def test_unrecognised_and_corrupt_files_become_file_rejections(tmp_path: Path) -> None:
    odd = tmp_path / "notes.bin"
    odd.write_bytes(b"\x00\x01 nothing to see")
    items = list(parse_file(str(odd), "mystery"))
    assert len(items) == 1 and items[0].line == 0 and "cannot tell the format" in items[0].reason  # type: ignore[union-attr]
    gz = tmp_path / "posts.jsonl.gz"
    full = gzip.compress(b'{"text": "a", "created_at": "2026-11-27T10:00:00Z", "platform_type": "blog_forum"}\n' * 50)
    gz.write_bytes(full[: len(full) // 2])
    items = list(parse_file(str(gz), "partner_canonical"))
    assert isinstance(items[-1], Rejected) and items[-1].line == 0 and "truncated" in items[-1].reason


def test_source_registry_validation(tmp_path: Path) -> None:
    good = tmp_path / "ok.toml"
    good.write_text('[sources.a]\nformat = "rss"\nencoding = "Windows-1250"\nfamily = "blogs"\n', encoding="utf-8")
    spec = SourceRegistry.from_toml(good).get("a")
    assert spec.encoding == "cp1250" and spec.resolve("rss") == ("blog_forum", "blogs")
    assert SourceRegistry.from_toml(good).get("zzz").format is None
    for body, message in [
        ('[sources.a]\nformat = "tiktok"\n', "unknown format"),
        ('[sources.a]\nplatform_type = "tv"\n', "platform_type"),
        ('[sources.a]\nencoding = "koi8-r"\n', "unsupported encoding"),
        ('[sources.a]\nformt = "rss"\n', "unknown keys"),
        ('[sources.a]\ntimezone = "Mars/Base"\n', "unknown timezone"),
    ]:
        bad = tmp_path / "bad.toml"
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(RegistryError, match=message):
            SourceRegistry.from_toml(bad)
    assert set(default_sources().names()) >= {"x", "facebook_pages", "reddit", "petitii_gov", "partner_canonical"}


def test_official_accounts_registry(tmp_path: Path) -> None:
    lookup = default_official()
    assert len(lookup) >= 40
    assert lookup.institution("facebook", "PrimariaClujNapoca") == "primaria_cluj_napoca"
    assert lookup.is_official("X", "@guv_ro") and not lookup.is_official("x", "guv_ro_fake")
    header = OFFICIAL_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(OFFICIAL_COLUMNS)
    bad = tmp_path / "o.csv"
    bad.write_text("platform,handle\nx,a\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="header must be"):
        load_official_accounts(bad)


def test_official_lookup_is_injectable() -> None:
    lookup = OfficialLookup({("x", "ana_din_drumul_taberei"): "test-inst"})
    records = [r for r in parse_file(str(LANDING / "x" / DAY / "search-0002.json"), "x", official=lookup)]
    assert records[0]["is_official_account"]  # type: ignore[index]


# ---------------------------------------------------------------------------- helpers, encodings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27T08:00:00Z", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("2026-11-27T08:00:00+0000", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("2026-11-27T10:00:00.000+02:00", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        (1795766400, datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("1795766400.0", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("Fri, 27 Nov 2026 10:00:00 +0200", datetime(2026, 11, 27, 8, tzinfo=UTC)),
        ("27.11.2026 10:00", datetime(2026, 11, 27, 10, tzinfo=UTC)),  # naive_tz defaults to UTC here
    ],
)
def test_parse_ts_accepts_platform_formats(value: object, expected: datetime) -> None:
    assert parse_ts(value) == expected


@pytest.mark.parametrize("value", [None, "", "ieri", "2026-13-01", "31.02.2026", True, [], "1900-01-01T00:00:00Z"])
def test_parse_ts_rejects_garbage(value: object) -> None:
    with pytest.raises(RecordError):
        parse_ts(value)


def test_counts_and_html() -> None:
    assert to_count("1.234", "likes") == 1234 and to_count(None, "likes") is None and to_count(3.0, "x") == 3
    for bad in ("-1", "abc", True, 2.5):
        with pytest.raises(RecordError):
            to_count(bad, "likes")
    assert html_to_text("<p>a &amp;lt; b</p><script>x()</script><p>c</p>") == "a &lt; b\n\nc"


def test_encoding_detection_edge_cases() -> None:
    assert detect_bytes([b"\xef\xbb\xbfabc"]) == "utf-8-sig"
    assert detect_bytes([b"plain ascii"]) == "utf-8"
    assert detect_bytes(["Îş".encode("cp1250")]) == "cp1250"  # valid UTF-8 by accident (Greek kappa)
    mostly = ("Țară frumoasă " * 20).encode() + b"\xff"
    assert detect_bytes([mostly]) == "utf-8"  # one broken byte does not make it a legacy file
    split = "ăâîșț".encode()
    assert detect_bytes([split[:3], split[3:]]) == "utf-8"  # a character split across chunks
    assert normalize_encoding("Latin2") == "iso-8859-2"
    with pytest.raises(ValueError, match="unsupported encoding"):
        normalize_encoding("utf-16")


_WORDS = (
    "și", "în", "să", "că", "până", "când", "țară", "Primăria", "ședință", "bătaie", "mâine", "încă", "câine",
    "spitalul", "ÎN", "ȘI", "ȚARĂ", "PÂINE", "Ștefan", "Țurcanu", "Bălcescu", "Iași", "Timișoara", "Brașov",
    "autobuzul", "n-a", "mers", "nu", "e", "rău", "apă", "căldură", "școală", "gunoiul", "Sănătății", "ANAF",
    "coadă", "ghișeu", "ajutor", "mulțumim", "rușine", "12", "2026", "?", "!", ",", ".", "-", "(da)",
)
_QUOTES = {"cp1250": ("„", "”", "–"), "iso-8859-16": ("„", "”"), "iso-8859-2": ()}
_COMMA = str.maketrans("şţŞŢ", "șțȘȚ")
_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1250", "iso-8859-2", "iso-8859-16"]))
def test_encoding_detection_round_trips_romanian_text(data: st.DataObject, encoding: str) -> None:
    """Romanian sentences survive encode → detect → decode in every supported encoding.

    The legacy pages put every Romanian letter at the same byte, so only ş/ș and ţ/ț may differ.
    """
    extra = _QUOTES.get(encoding, ("„", "”", "😀", "Почему"))
    words = data.draw(st.lists(st.sampled_from(_WORDS + extra), min_size=1, max_size=40))
    text = " ".join(words)
    if encoding in ("cp1250", "iso-8859-2"):
        text = text.translate(_CEDILLA)  # these code pages only have the cedilla letters
    raw = text.encode(encoding)
    detected = detect_bytes([raw])
    assert raw.decode(detected).translate(_COMMA) == text.translate(_COMMA), detected


def _peak_while_parsing(path: Path, source: str) -> tuple[int, int]:
    """(records seen, peak traced bytes) while consuming parse_file without keeping records."""
    import tracemalloc

    tracemalloc.start()
    seen = sum(1 for _ in parse_file(str(path), source))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seen, peak


def test_csv_and_jsonl_are_streamed_in_constant_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jobs.adapters.encoding as encoding

    monkeypatch.setattr(encoding, "_CHUNK", 16_384)  # both files below exceed one detection chunk
    row = 'https://ziar.ro/a/{n},"Titlu {n}",{n},,autor{n},2026-11-27 10:00:00,"Comentariu numărul {n}, cu diacritice șțăîâ.",{n}\n'
    line = '{{"native_id": "n{n}", "platform_type": "social_news", "created_at": "2026-11-27T10:00:00Z", "text": "Text {n} ăîșț"}}\n'
    peaks = {}
    for n in (500, 2_000):
        csv_path, jsonl_path = tmp_path / f"c{n}.csv", tmp_path / f"p{n}.jsonl"
        with open(csv_path, "w", encoding="utf-8") as fh:
            fh.write("article_url,article_title,comment_id,parent_comment_id,author,date,text,likes\n")
            fh.writelines(row.format(n=i) for i in range(n))
        with open(jsonl_path, "w", encoding="utf-8") as fh:
            fh.writelines(line.format(n=i) for i in range(n))
        seen_csv, peak_csv = _peak_while_parsing(csv_path, "hotnews_comments")
        seen_jsonl, peak_jsonl = _peak_while_parsing(jsonl_path, "partner_canonical")
        assert seen_csv == seen_jsonl == n
        peaks[n] = (peak_csv, peak_jsonl)
    # four times the rows, (nearly) the same peak: nothing accumulates per record
    assert peaks[2_000][0] < 1.3 * peaks[500][0] + 100_000
    assert peaks[2_000][1] < 1.3 * peaks[500][1] + 100_000
