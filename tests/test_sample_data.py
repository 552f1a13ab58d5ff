"""Sample-data generator: determinism, parse-back reconciliation, planted features, repeats, scale."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jobs import sample_data
from jobs.adapters import Rejected, detect_encoding, detect_format, parse_file
from jobs.adapters.registry import FORMATS, default_sources

DAY = date(2026, 11, 27)


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def parse_day(root: Path, day: date) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[str, list[Rejected]]]:
    manifest = json.loads((root / "_manifests" / f"{day}.json").read_text(encoding="utf-8"))
    records: dict[str, list[dict[str, Any]]] = {}
    rejected: dict[str, list[Rejected]] = {}
    for source, row in manifest["sources"].items():
        records[source], rejected[source] = [], []
        for name in row["files"]:
            for item in parse_file(str(root / source / day.isoformat() / name), source):
                if isinstance(item, Rejected):
                    rejected[source].append(item)
                else:
                    records[source].append(item)
    return manifest, records, rejected


@pytest.fixture(scope="module")
def day5k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict[str, Any], dict[str, Any]]:
    root = tmp_path_factory.mktemp("landing5k")
    sample_data.generate_day(root, DAY, 5000, seed=7)
    manifest, records, rejected = parse_day(root, DAY)
    return root, manifest, records, rejected


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    sample_data.generate_day(a, DAY, 1300, seed=11)
    sample_data.generate_day(b, DAY, 1300, seed=11)
    sample_data.generate_day(c, DAY, 1300, seed=12)
    first, second = digest(a), digest(b)
    assert first == second and len(first) >= 15
    assert any(name.endswith(".gz") for name in first)
    third = digest(c)
    assert third.keys() == first.keys() and third != first


def test_every_format_and_source_is_written(day5k: tuple[Path, Any, Any, Any]) -> None:
    root, manifest, _, _ = day5k
    assert {row["format"] for row in manifest["sources"].values()} == set(FORMATS)
    for source, row in manifest["sources"].items():
        spec = default_sources().get(source)
        assert spec.format == row["format"], source  # the registry knows every generated source
        for name in row["files"]:
            if name not in row["malformed_files"]:
                assert detect_format(str(root / source / DAY.isoformat() / name)) == row["format"], name
    assert sum(row["records"] for row in manifest["sources"].values()) == 5000


def test_parse_back_reconciles_with_the_manifest(day5k: tuple[Path, Any, Any, Any]) -> None:
    _, manifest, records, rejected = day5k
    for source, row in manifest["sources"].items():
        expected_rejected = row["malformed_records"] + len(row["malformed_files"])
        assert len(rejected[source]) == expected_rejected, (source, Counter(r.reason for r in rejected[source]))
        assert len(records[source]) == row["records"] - row["malformed_records"], source
        assert len(records[source]) + len(rejected[source]) == row["records"] + len(row["malformed_files"])
        assert row["malformed_records"] >= 1  # every format exercises its reject path
    totals = manifest["totals"]
    assert totals["expected_rejected"] == sum(len(r) for r in rejected.values())
    assert totals["expected_valid"] == sum(len(r) for r in records.values())
    assert 0.002 < totals["expected_rejected"] / totals["records"] < 0.02  # a known small fraction
    file_rejects = [r for rs in rejected.values() for r in rs if r.line == 0]
    assert len(file_rejects) == totals["malformed_files"] == 1
    assert file_rejects[0].reason.startswith("invalid JSON file")


def test_duplicates_replies_and_official_accounts(day5k: tuple[Path, Any, Any, Any]) -> None:
    _, manifest, records, _ = day5k
    for source, row in manifest["sources"].items():
        ids = Counter(r["post_id"] for r in records[source])
        assert sum(n - 1 for n in ids.values()) == row["duplicates"], source
    x = records["x"]
    by_id = {r["post_id"]: r for r in x}
    official_replies = [r for r in x if r["is_official_account"] and r["parent_id"] in by_id]
    assert official_replies, "no official reply with a parent in the same day"
    delays = [(r["created_at"] - by_id[r["parent_id"]]["created_at"]).total_seconds() for r in official_replies]
    assert all(d > 0 for d in delays) and max(delays) > 3600  # measurable, varied response times
    flagged = sum(r["is_official_account"] for rs in records.values() for r in rs)
    planted = sum(row["official_posts"] + row["official_replies"] for row in manifest["sources"].values())
    assert planted * 0.9 <= flagged <= planted  # minus the few official records planted malformed
    replies = sum(r["parent_id"] is not None for rs in records.values() for r in rs)
    assert replies >= 0.9 * manifest["totals"]["replies"]


def test_records_fall_in_the_day_and_cover_the_country(day5k: tuple[Path, Any, Any, Any]) -> None:
    _, _, records, _ = day5k
    start = datetime(2026, 11, 27, tzinfo=UTC)
    texts = [r["text"] for rs in records.values() for r in rs]
    for rs in records.values():
        for r in rs:
            assert start <= r["created_at"] < start + timedelta(days=1)
    from jobs.sample_vocab import COUNTIES

    places = {county for county, _, _ in COUNTIES} | {city for _, city, _ in COUNTIES}
    seen = {p for p in places if any(p in t for t in texts[:4000])}
    assert len(seen) >= 40
    assert any(re.search(r"[\u0400-\u04ff]", t) for t in texts)  # Russian / Moldovan Cyrillic
    assert any("köszönjük" in t.lower() or "kórház" in t.lower() for t in texts)  # Hungarian
    assert any("ş" in t or "ţ" in t for t in texts) and any("ș" in t for t in texts)  # cedilla and comma
    assert any("#" in t for t in texts) and any("@" in t for t in texts)
    assert any("nu e rău" in t.lower() or "n-a mers" in t.lower() for t in texts)  # negation


def _cnp_ok(cnp: str) -> bool:
    total = sum(int(d) * int(w) for d, w in zip(cnp[:12], "279146358279", strict=True))
    return int(cnp[12]) == (1 if total % 11 == 10 else total % 11)


def _iban_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def test_planted_pii_is_valid(day5k: tuple[Path, Any, Any, Any]) -> None:
    _, manifest, records, _ = day5k
    texts = [r["text"] for rs in records.values() for r in rs]
    cnps = [m for t in texts for m in re.findall(r"\b[1-8]\d{12}\b", t)]
    ibans = [m for t in texts for m in re.findall(r"\bRO\d{2}[A-Z]{4}[0-9A-Z]{16}\b", t)]
    phones = [m for t in texts for m in re.findall(r"(?:\+40 |0)7\d{2} \d{3} \d{3}", t)]
    plates = [m for t in texts for m in re.findall(r"\b[A-Z]{1,2} \d{2,3} [A-Z]{3}\b", t)]
    planted: Counter[str] = Counter()
    for row in manifest["sources"].values():
        planted.update(row["pii"])
    assert cnps and all(_cnp_ok(c) for c in cnps) and len(cnps) <= planted["cnp"]
    assert ibans and all(_iban_ok(i) for i in ibans) and len(ibans) <= planted["iban"]
    assert phones and plates
    assert len(cnps) >= 0.8 * planted["cnp"]


def test_campaign_near_duplicates_from_many_authors(day5k: tuple[Path, Any, Any, Any]) -> None:
    _, manifest, records, _ = day5k
    tags = ("#demisia", "#nuscumpirii", "#salvatiparcul")
    campaign = [r for rs in records.values() for r in rs if any(t in r["text"].lower() for t in tags)]
    planted = sum(row["campaign_posts"] for row in manifest["sources"].values())
    assert len(campaign) == planted > 20
    by_tag = Counter(next(t for t in tags if t in r["text"].lower()) for r in campaign)
    tag, size = by_tag.most_common(1)[0]
    copies = [r for r in campaign if tag in r["text"].lower()]
    span = max(r["created_at"] for r in copies) - min(r["created_at"] for r in copies)
    assert span <= timedelta(hours=1) and len({r["author_handle"] for r in copies}) >= 0.8 * size
    assert len({r["text"] for r in copies}) > 1  # near-duplicates, not only exact copies


def test_legacy_csv_encodings_are_real(day5k: tuple[Path, Any, Any, Any]) -> None:
    root, manifest, records, _ = day5k
    expected = {"hotnews_comments": "utf-8-sig", "digi24_comments": "cp1250", "adevarul_comments": "iso-8859-16"}
    for source, encoding in expected.items():
        name = manifest["sources"][source]["files"][0]
        path = root / source / DAY.isoformat() / name
        assert detect_encoding(str(path)) == encoding, source
    raw = (root / "digi24_comments" / DAY.isoformat() / manifest["sources"]["digi24_comments"]["files"][0]).read_bytes()
    assert b"\xba" in raw or b"\xfe" in raw  # ş / ţ as single cp1250 bytes
    assert any("ş" in r["text"] or "ţ" in r["text"] for r in records["digi24_comments"])


def test_repeat_of_reemits_earlier_posts_with_more_engagement(tmp_path: Path) -> None:
    first, second = DAY, DAY + timedelta(days=1)
    sample_data.generate_day(tmp_path, first, 1300, seed=5)
    manifest = sample_data.generate_day(tmp_path, second, 1300, seed=5, repeat_of=first, repeat_fraction=0.2)
    _, old, _ = parse_day(tmp_path, first)
    repeated = 0
    grew: dict[str, bool] = {}
    for source, row in manifest["sources"].items():
        old_by_id = {r["post_id"]: r for r in old[source]}
        for name in row["files"]:
            if not name.startswith(f"{source}-repeat-of-{first}"):
                continue
            for item in parse_file(str(tmp_path / source / second.isoformat() / name), source):
                assert not isinstance(item, Rejected), item
                before = old_by_id[item["post_id"]]  # same id as the earlier day's post
                assert item["created_at"] == before["created_at"] and item["text"] == before["text"]
                counts = [c for c in ("likes", "shares", "views", "signatures", "replies") if before[c] is not None]
                assert all(item[c] >= before[c] for c in counts)
                grew[source] = grew.get(source, False) or any(item[c] > before[c] for c in counts)
                repeated += 1
    assert repeated == manifest["totals"]["repeated_records"] > 50
    assert {s for s, g in grew.items() if not g} <= {"forum_atom"}  # Atom exports carry no engagement
    _, new, rejected = parse_day(tmp_path, second)
    assert sum(len(r) for r in new.values()) == manifest["totals"]["expected_valid"]
    assert sum(len(r) for r in rejected.values()) == manifest["totals"]["expected_rejected"]


def test_cli_and_argument_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sample_data.main(["--day", "2026-11-27", "--posts", "200", "--landing", str(tmp_path), "--seed", "3"]) == 0
    assert "records/s" in capsys.readouterr().out
    assert (tmp_path / "_manifests" / "2026-11-27.json").exists()
    with pytest.raises(SystemExit):
        sample_data.main(["--day", "2026-11-27", "--posts", "20", "--landing", str(tmp_path)])
    with pytest.raises(SystemExit):
        sample_data.main(["--day", "2026-11-29", "--posts", "200", "--landing", str(tmp_path),
                          "--repeat-of", "2026-11-28"])


def test_scaling_smoke_20k_posts_chunked(tmp_path: Path) -> None:
    started = time.perf_counter()
    manifest = sample_data.generate_day(tmp_path, DAY, 20_000, seed=9)
    elapsed = time.perf_counter() - started
    assert manifest["totals"]["records"] == 20_000
    x_files = manifest["sources"]["x"]["files"]
    assert len(x_files) >= 4  # JSON pages hold at most 1 000 items
    biggest = max(len(json.loads((tmp_path / "x" / DAY.isoformat() / f).read_text())["data"]) for f in x_files)
    assert biggest <= sample_data.SOURCE_BY_NAME["x"].chunk + sample_data.SOURCE_BY_NAME["x"].max_replies + 1
    assert elapsed < 30, f"20k posts took {elapsed:.1f}s"
