"""Reports: Romanian formatting, period rules, content from a small lake, self-containment,
re-rendering from the manifest (time travel), and the rendered HTML / PDF in headless Chromium.

One report is built once per module (Spark + Chromium) and shared; the lake comes from
tests/report_data.py, whose functions give the expected numbers independently of the report code.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import report_data as rd
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from jobs.report import fmt
from jobs.report.browser import Chromium, find_chromium
from jobs.report.build import Inputs, eligible_institutions
from jobs.report.labels import quote
from jobs.report.period import Period, day_period, nightly_periods, period_for, week_period
from jobs.report.render import sections_for
from jobs.settings import Settings

CHROMIUM, CHROMIUM_HOW = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=f"headless Chromium unavailable: {CHROMIUM_HOW}")
MIN_POSTS = 50  # ministerul_sanatatii has 60 posts on D, anaf 30, politia_romana 5


# ------------------------------------------------------------------ Romanian formatting
def test_numbers_are_formatted_the_romanian_way() -> None:
    assert fmt.number(12345.64, 1) == "12.345,6"
    assert fmt.number(1234) == "1.234" and fmt.number(999) == "999" and fmt.number(1_000_000) == "1.000.000"
    assert fmt.number(-1234.5, 1) == "-1.234,5"
    assert fmt.number(2.675, 2) == "2,68"  # half away from zero on the printed value, not binary 2.67499…
    assert fmt.number(-0.04, 1) == "0,0" and fmt.number(-0.4) == "0"  # never "-0"
    assert fmt.number(0.123, 2, sign=True) == "+0,12" and fmt.number(0, 1, sign=True) == "0,0"
    assert fmt.number(None) == fmt.DASH
    assert fmt.percent(0.034) == "3,4\u00a0%" and fmt.percent(1) == "100,0\u00a0%"
    assert fmt.percent(0.5238, sign=True) == "+52,4\u00a0%"
    assert fmt.points(0.021) == "+2,1\u00a0p.p."
    assert (
        fmt.change(160, 105) == "+52,4\u00a0%"
        and fmt.change(5, 0) == fmt.DASH
        and fmt.change(3, 4) == "-25,0\u00a0%"
    )
    with pytest.raises(ValueError):
        fmt.number(float("nan"))


def test_romanian_counts_dates_and_months() -> None:
    assert [fmt.plural(n, "postare", "postări") for n in (0, 1, 2, 19, 20, 101, 120, 1000)] == [
        "0 postări",
        "1 postare",
        "2 postări",
        "19 postări",
        "20 de postări",
        "101 postări",
        "120 de postări",
        "1.000 de postări",
    ]
    assert fmt.long_date(date(2026, 11, 27)) == "27 noiembrie 2026"
    assert fmt.weekday_date(date(2026, 11, 28)) == "sâmbătă, 28 noiembrie 2026"
    assert fmt.weekday_date(date(2026, 12, 1)) == "marți, 1 decembrie 2026"
    assert fmt.short_date(date(2026, 9, 3)) == "3 sept."
    assert fmt.date_range(date(2026, 11, 23), date(2026, 11, 29)) == "23–29 noiembrie 2026"
    assert fmt.date_range(date(2026, 11, 30), date(2026, 12, 6)) == "30 noiembrie – 6 decembrie 2026"
    assert fmt.date_range(date(2026, 12, 28), date(2027, 1, 3)) == "28 decembrie 2026 – 3 ianuarie 2027"
    assert len(set(fmt.MONTHS)) == 12 and fmt.iso_week(date(2026, 11, 30)) == "2026-W49"


@hypothesis_settings(deadline=None, max_examples=300)  # no per-example deadline: the machine is shared
@given(
    st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    ),
    st.integers(min_value=0, max_value=3),
)
def test_number_format_round_trips_and_has_the_romanian_shape(value: float, decimals: int) -> None:
    text = fmt.number(value, decimals)
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*" + (rf",\d{{{decimals}}}" if decimals else ""), text), text
    parsed = fmt.parse_number(text)
    assert parsed == fmt.rounded(value, decimals)
    assert abs(parsed - Decimal(repr(float(value)))) <= Decimal(1).scaleb(-decimals) / 2
    assert not text.startswith("-") or parsed < 0  # no "-0"


def test_quotes_are_masked_and_hold_no_link() -> None:
    q = quote("Sunați la <PHONE>, scrieți la <EMAIL> sau <NEW_KIND>; vezi https://x.ro/a?b=1 și www.y.ro")
    assert q == "Sunați la [telefon], scrieți la [e-mail] sau [new_kind]; vezi [link] și [link]"
    assert quote("a" * 300).endswith("…") and len(quote("a" * 300)) == 160


# ------------------------------------------------------------------ period rules
def test_weekly_period_is_the_last_complete_week_before_the_day() -> None:
    monday = date(2026, 11, 30)
    for offset in range(7):  # Monday 30 Nov .. Sunday 6 Dec all give the week of 23-29 Nov
        p = week_period(monday + timedelta(days=offset))
        assert (p.start, p.end) == (date(2026, 11, 23), date(2026, 11, 29))
        assert p.start.weekday() == 0 and p.end.weekday() == 6
    assert week_period(date(2026, 12, 7)).start == date(2026, 11, 30)
    p = week_period(monday)
    assert (p.previous.start, p.previous.end) == (date(2026, 11, 16), date(2026, 11, 22))
    assert p.folder == "week/2026-11-23" and p.trend_start == date(2026, 10, 5)
    d = day_period(monday)
    assert (
        d.previous.start == date(2026, 11, 29)
        and d.trend_start == date(2026, 11, 3)
        and d.folder == "day/2026-11-30"
    )
    # the nightly run writes the week only on Mondays
    assert [x.kind for x in nightly_periods(monday)] == ["day", "week"]
    assert [x.kind for x in nightly_periods(monday + timedelta(days=1))] == ["day"]
    with pytest.raises(ValueError):
        period_for("month", monday)


def test_institution_threshold_and_cap() -> None:
    rows = [{**r, "day": r["day"].isoformat()} for r in rd.indicator_rows([rd.D - timedelta(days=1), rd.D])]
    inputs = Inputs({}, rows, [], [])
    day = day_period(rd.D)
    assert [i["id"] for i in eligible_institutions(inputs, day, 30, 10)] == [rd.MS, rd.ANAF]
    assert [(i["id"], i["posts"]) for i in eligible_institutions(inputs, day, 50, 10)] == [(rd.MS, 60)]
    assert eligible_institutions(inputs, day, 61, 10) == []
    assert [i["id"] for i in eligible_institutions(inputs, day, 1, 2)] == [rd.MS, rd.ANAF]
    two_days = Period("week", rd.D - timedelta(days=1), rd.D)
    assert [(i["id"], i["posts"]) for i in eligible_institutions(inputs, two_days, 70, 10)] == [(rd.MS, 100)]


# ------------------------------------------------------------------ one shared report
@pytest.fixture(scope="module")
def built(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from jobs.report import run_report

    root = tmp_path_factory.mktemp("report")
    settings = Settings(
        lake_root=str(root / "lake"),
        reports_root=str(root / "reports"),
        spark_master="local[2]",
        shuffle_partitions=2,
    ).resolved()
    rd.build_lake(settings)
    result = run_report(settings, spark, rd.D, "test-run", min_institution_posts=MIN_POSTS)
    out = Path(result.out_dir)
    return {
        "settings": settings,
        "root": root,
        "result": result,
        "out": out,
        "html": (out / "report.html").read_text(encoding="utf-8"),
        "manifest": json.loads((out / "manifest.json").read_text(encoding="utf-8")),
    }


class _Tables(HTMLParser):
    """Text of every table row, cell by cell; all attribute values; all text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.extend((tag, k, v or "") for k, v in attrs)
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(squash("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def squash(text: str) -> str:
    """Collapse ASCII whitespace only (str.split() would also eat the no-break spaces we check for)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def parse(html: str) -> _Tables:
    p = _Tables()
    p.feed(html)
    return p


def row_of(doc: _Tables, first: str) -> list[str]:
    found = [r for r in doc.rows if r and r[0] == first]
    assert found, f"no table row starting with {first!r}"
    return found[0]


def test_report_figures_match_the_lake(built: dict[str, Any]) -> None:
    html = built["html"]
    doc = parse(html)
    text = squash(" ".join(doc.text))
    assert rd.total_posts(rd.D) == 160 and rd.total_posts(rd.D - timedelta(days=1)) == 105
    # headline: 160 posts vs 105 the day before; 5 distinct authors (silver) vs 2; 40 of 125 scored negative
    assert (
        "Au fost publicate 160 de postări (+52,4\u00a0% față de ziua precedentă), de la 5 autori distincți."
        in text
    )
    assert "+150,0\u00a0% față de ziua precedentă (2)" in text
    assert "32,0\u00a0% dintre postările evaluate au fost negative" in text
    assert (
        "Tema cu cel mai mare volum: Sănătate (64); județul cu cele mai multe postări: București (48)."
        in text
    )
    # topics × sentiment and counties (no-topic / unknown county last)
    assert row_of(doc, "Sănătate")[:3] == ["Sănătate", "64", "+52,4\u00a0%"]
    topics = [
        r[0] for r in doc.rows if r and r[0] in ("Sănătate", "Educație †", "Transport public", "Fără temă")
    ]
    # a topic the classifier finds with held-out F1 under 0.5 is marked where its count is read
    assert topics == ["Sănătate", "Educație †", "Transport public", "Fără temă", "Sănătate"]  # + the quality table
    assert "† Temă orientativă: clasificatorul o recunoaște cu F1 sub 0,5 pe postări reale de test" in text
    assert row_of(doc, "București")[:2] == ["București", "48"] and row_of(doc, "Județ necunoscut")[1] == "64"
    # alerts of the day only (the one of D-1 is counted as the previous period), with masked quotes
    assert "2 alerte în perioada raportului (ziua precedentă: 1)" in text
    assert "Creștere bruscă a volumului · Tema: Sănătate · 30 noiembrie 2026" in text
    assert "„Spitalul județean nu are medicamente, sunați la [telefon] sau scrieți la [e-mail]”" in text
    assert "[link]" in text and "[utilizator]" in text and "exemplu.ro" not in html and "<PHONE>" not in html
    assert "apa calda" not in text  # the emerging term of D-1 is not an alert of D
    # institutions: volume, responsiveness this (partial) week vs the previous one
    assert row_of(doc, "Ministerul Sănătății")[:3] == ["Ministerul Sănătății", "60", "+50,0\u00a0%"]
    resp = [r for r in doc.rows if r and r[0] == "Ministerul Sănătății" and len(r) == 6][0]
    assert resp == ["Ministerul Sănătății", "40", "10", "25,0\u00a0%", "5,5", "12,5\u00a0%"]
    # coverage: latest ingest run per day and source only (the superseded run's 999 records are not counted)
    e = rd.INGEST_EXPECTED
    assert row_of(doc, "Citite din fișierele primite")[1:] == [fmt.number(e["records_read"]), "180"]
    assert row_of(doc, "Copii duplicate în aceeași livrare")[1] == str(e["duplicates"])
    assert row_of(doc, "Puse în carantină (nu au putut fi citite)")[1] == str(e["quarantined"])
    assert row_of(doc, "facebook")[1:] == ["1", "0"] and row_of(doc, "x")[1:] == ["2", "1"]
    assert row_of(doc, "română")[1:] == ["4", "66,7\u00a0%"] and row_of(doc, "maghiară")[1] == "1"
    assert row_of(doc, "numere de telefon")[1] == "2" and row_of(doc, "Total")[1] == "4"
    assert row_of(doc, "Duplicate exacte comasate")[1] == "3"
    assert "SECRET RAW TEXT" not in html  # bronze raw text never reaches a report
    # methodology: model versions and the exact table versions read
    assert row_of(doc, "sentiment-2.1.0")[1:] == ["topics-1.4.0", "1.0.0", "4"]
    # ... and how far to trust them: held-out quality of exactly the versions that scored the period's posts
    assert "Sentiment ( sentiment-2.1.0 ): acuratețe 80,7\u00a0%, F1 macro 0,61 pe 264 de comentarii și tweeturi reale" in text
    assert "Negativ: precizie 83\u00a0%, recall 95\u00a0% (194); Pozitiv: precizie 57\u00a0%, recall 31\u00a0% (13)." in text
    assert "Teme ( topics-1.4.0 ): F1 macro 0,59 pe 888 de postări reale; 79\u00a0% din postările fără temă" in text
    assert "Temele cu F1 sub 0,5 sunt orientative (cifrele lor pot fi mult în plus sau în minus): Educație." in text
    quality = [r for r in doc.rows if len(r) == 5 and r[0] in ("Sănătate", "Educație") and r[1].endswith("%")]
    assert quality == [["Sănătate", "74\u00a0%", "71\u00a0%", "0,73", "82"], ["Educație", "100\u00a0%", "20\u00a0%", "0,33", "20"]]
    assert "topics-0.9.0" not in html  # a version that scored no post of the period is not shown
    for table, version in built["manifest"]["table_versions"].items():
        assert row_of(doc, table)[1] == str(version)


def test_manifest_records_versions_checksums_and_files(built: dict[str, Any]) -> None:
    from deltalake import DeltaTable

    m = built["manifest"]
    settings: Settings = built["settings"]
    for name, version in m["table_versions"].items():
        layer, table = name.split(".")
        assert version == DeltaTable(settings.table_path(layer, table)).version()
    # the maintenance job's safe vacuum finds these versions and keeps their files
    from jobs.maintenance import pinned_versions

    assert pinned_versions(settings) == {name: {v} for name, v in m["table_versions"].items()}
    assert m["generator"] == "civic-pulse-report" and m["period"] == {
        "kind": "day",
        "start": "2026-11-30",
        "end": "2026-11-30",
    }
    assert (
        m["options"]["min_institution_posts"] == MIN_POSTS and m["labels"]["topics"]["sanatate"] == "Sănătate"
    )
    assert m["models"][0]["sentiment_model_version"] == "sentiment-2.1.0"
    assert set(m["figures"]) == {"report", f"institutions/{rd.MS}"}
    assert {
        "headline",
        "trend",
        "topics",
        "counties",
        "alerts",
        "responsiveness",
        "coverage",
        "methodology",
    } <= set(m["figures"]["report"])
    import hashlib

    for name, meta in m["files"].items():
        assert hashlib.sha256((built["out"] / name).read_bytes()).hexdigest() == meta["sha256"]


def test_per_institution_reports_follow_the_threshold(built: dict[str, Any]) -> None:
    out: Path = built["out"]
    written = sorted(p.name for p in (out / "institutions").iterdir())
    expected = [f"{rd.MS}.html"] + ([f"{rd.MS}.pdf"] if CHROMIUM else [])
    assert written == sorted(expected)
    doc = parse((out / "institutions" / f"{rd.MS}.html").read_text(encoding="utf-8"))
    text = squash(" ".join(doc.text))
    assert "Instituția: Ministerul Sănătății" in text
    assert "Au fost publicate 60 de postări (+50,0\u00a0% față de ziua precedentă)" in text
    # only the alert about this institution; responsiveness per platform
    assert "1 alertă în perioada raportului" in text and "Val de mesaje negative · Instituția" in text
    assert "Tema: Sănătate ·" not in text
    assert [r[:4] for r in doc.rows if len(r) == 6 and r[0] in ("toate platformele", "x")] == [
        ["toate platformele", "40", "10", "25,0\u00a0%"],
        ["x", "20", "5", "25,0\u00a0%"],
    ]
    assert row_of(doc, "Sănătate")[1] == "60"  # institution × topic
    listed = [r for r in parse(built["html"]).rows if len(r) == 3 and r[0] == "Ministerul Sănătății"]
    assert listed == [["Ministerul Sănătății", "60", f"institutions/{rd.MS}.html"]]


def _external_references(html: str) -> list[str]:
    """Every way an HTML file could reach outside itself."""
    doc = parse(html)
    bad = []
    for tag, attr, value in doc.attrs:
        if attr in ("src", "href", "srcset", "action", "poster", "data", "formaction", "xlink:href"):
            if attr == "href" and value.startswith("#"):
                continue
            if attr == "src" and tag == "img" and value.startswith("data:image/svg+xml;base64,"):
                continue
            bad.append(f"<{tag} {attr}={value[:60]}>")
    stripped = re.sub(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", "", html)
    for pattern in (
        r"https?:",
        r"//[a-z0-9]",
        r"<script",
        r"<link",
        r"<iframe",
        r"@import",
        r"url\(",
        r"www\.",
    ):
        bad.extend(f"{pattern}: {m.group(0)}" for m in re.finditer(pattern, stripped, re.IGNORECASE))
    for uri in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html):
        svg = base64.b64decode(uri).decode("utf-8")
        no_ns = re.sub(r'xmlns(:\w+)?="[^"]*"', "", svg)
        bad.extend(
            f"svg: {m.group(0)}" for m in re.finditer(r"https?:|<image|href=\"(?!#)|url\((?!#)", no_ns)
        )
    return bad


def test_html_is_self_contained(built: dict[str, Any]) -> None:
    for path in [built["out"] / "report.html", *sorted((built["out"] / "institutions").glob("*.html"))]:
        html = path.read_text(encoding="utf-8")
        assert _external_references(html) == [], path.name
        assert html.count("<img ") >= 3 and '<html lang="ro">' in html and '<meta charset="utf-8">' in html
    # the check itself catches what it should
    assert _external_references('<img src="https://x.ro/a.png"><a href="http://y">y</a>')
    assert _external_references("<style>body{background:url(a.png)}</style>")


def test_pdf_bytes_do_not_depend_on_the_print_time_or_the_renderers_node_counter() -> None:
    from jobs.report.run import _deterministic_pdf

    def pdf(printed: str, first_node: int) -> bytes:
        ids = [first_node, first_node + 1, first_node + 7, first_node + 1]
        tree = b"".join(b"/ID (node%08d)\n" % i for i in ids)
        return b"%PDF-1.4\n/CreationDate (D:" + printed.encode() + b"+00'00')\n" + tree + b"%%EOF\n"

    period = day_period(date(2026, 11, 30))
    one, other = pdf("20261201081502", 82), pdf("20261203235959", 81)
    assert one != other
    assert _deterministic_pdf(one, period) == _deterministic_pdf(other, period)
    fixed = _deterministic_pdf(one, period)
    assert len(fixed) == len(one)  # the xref offsets stay valid
    assert b"D:20261130000000+00'00'" in fixed
    # Renumbered in their own order: equal ids stay equal, the ID tree stays sorted.
    assert re.findall(rb"node(\d{8})", fixed) == [b"00000001", b"00000002", b"00000003", b"00000002"]


def test_rerender_is_identical_after_later_appends(built: dict[str, Any], spark: Any, tmp_path: Path) -> None:
    from deltalake import DeltaTable

    from jobs.report import rerender
    from jobs.report.__main__ import main

    lake = tmp_path / "lake"
    shutil.copytree(Path(built["settings"].lake_root), lake)
    moved = Settings(lake_root=str(lake), spark_master="local[2]", shuffle_partitions=2).resolved()
    rd.append_later_data(moved)
    assert DeltaTable(moved.table_path("gold", "indicators_daily")).version() == 1
    out = tmp_path / "again"
    outcome = rerender(built["out"] / "manifest.json", out, spark, settings=moved, pdf=CHROMIUM is not None)
    assert outcome.figures_identical and outcome.differences == [] and outcome.html_identical
    originals = sorted(
        p.relative_to(built["out"]).as_posix()
        for p in built["out"].rglob("*.*")
        if p.suffix in (".html", ".pdf")
    )
    assert originals == sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*.*") if p.suffix in (".html", ".pdf")
    )
    for name in originals:  # byte for byte, PDFs included (their print date is pinned to the period)
        assert (out / name).read_bytes() == (built["out"] / name).read_bytes(), name
    # The pinned versions are what keeps it identical: the same manifest pointed at the latest versions
    # shows the appended data, and the command says which figures changed (exit status 1).
    manifest = json.loads((built["out"] / "manifest.json").read_text(encoding="utf-8"))
    manifest["table_versions"] = {
        k: (v + 1 if k in ("gold.indicators_daily", "gold.alerts", "silver.posts_enriched") else v)
        for k, v in manifest["table_versions"].items()
    }
    edited = tmp_path / "manifest.json"
    edited.write_text(json.dumps(manifest), encoding="utf-8")
    assert (
        main(
            [
                "rerender",
                "--manifest",
                str(edited),
                "--out",
                str(tmp_path / "latest"),
                "--no-pdf",
                "--lake-root",
                str(lake),
            ]
        )
        == 1
    )
    latest = (tmp_path / "latest" / "report.html").read_text(encoding="utf-8")
    assert "Cultură și sport" in latest and "Cultură și sport" not in built["html"]
    assert "3 alerte în perioada raportului" in latest


def test_a_manifest_from_before_model_quality_re_renders_without_it(
    built: dict[str, Any], spark: Any, tmp_path: Path
) -> None:
    """A report written before ops.model_quality existed has no entry for it in its manifest: its re-render reads
    no quality, so it shows neither the quality part nor the markers, as it did then."""
    from jobs.report import rerender

    manifest = json.loads((built["out"] / "manifest.json").read_text(encoding="utf-8"))
    del manifest["table_versions"]["ops.model_quality"]
    old = tmp_path / "manifest.json"
    old.write_text(json.dumps(manifest), encoding="utf-8")
    outcome = rerender(old, tmp_path / "old", spark, settings=built["settings"], pdf=False)
    html = (tmp_path / "old" / "report.html").read_text(encoding="utf-8")
    assert "Cât de sigure" not in html and " †" not in html and "ops.model_quality" not in html
    assert "Cât de sigure" in built["html"] and " †" in built["html"]
    # only the parts that show the quality differ from today's report
    assert {d.split(":")[1] for d in outcome.differences} == {"topics", "methodology"}


def test_weekly_report_from_the_command_line(
    built: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jobs.report.__main__ import main

    out = tmp_path / "reports"
    assert (
        main(
            [
                "--day",
                "2026-11-30",
                "--period",
                "week",
                "--lake-root",
                built["settings"].lake_root,
                "--out",
                str(out),
                "--no-pdf",
                "--min-institution-posts",
                "250",
            ]
        )
        == 0
    )
    folder = out / "week" / "2026-11-23"
    assert f"Report (week 2026-11-23): {folder / 'report.html'}" in capsys.readouterr().out
    html = (folder / "report.html").read_text(encoding="utf-8")
    week = [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
    posts, before = sum(map(rd.total_posts, week)), sum(rd.total_posts(d - timedelta(days=7)) for d in week)
    text = squash(" ".join(parse(html).text))
    assert "Raport săptămânal — 23–29 noiembrie 2026 (2026-W48)" in html
    assert (
        f"Au fost publicate {fmt.plural(posts, 'postare', 'postări')} ({fmt.change(posts, before)} față de săptămâna precedentă)"
        in text
    )
    assert "Graficul de evoluție arată 56 de zile" in text
    # ministerul_sanatatii: 7 x 40 = 280 posts in the week, anaf 140: one institution report at 250
    assert sorted(p.name for p in (folder / "institutions").iterdir()) == [f"{rd.MS}.html"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == {"kind": "week", "start": "2026-11-23", "end": "2026-11-29"}
    assert manifest["pdf"] == {"written": False, "note": "PDF not written: disabled (--no-pdf)"}


def test_a_day_without_data_renders_clear_no_data_sections() -> None:
    """The day after the last data: every empty section says so instead of crashing (pure Python)."""
    from jobs.report.build import Scope, build_sections
    from jobs.report.render import render_html

    days = [rd.FIRST + timedelta(days=i) for i in range((rd.D - rd.FIRST).days + 1)]
    inputs = Inputs(
        {"gold.indicators_daily": 0},
        rd.as_read(rd.indicator_rows(days)),
        rd.as_read(rd.ALERT_ROWS),
        rd.as_read(rd.responsiveness_rows()),
        notes=["silver.posts_enriched lipsește: autori, limbi și date mascate indisponibile."],
    )
    period = day_period(rd.D + timedelta(days=1))
    sections = build_sections(inputs, period, Scope(), {}, None)
    assert sections["headline"]["posts"] == [0, 160]
    assert {t["topic"]: t["posts"] for t in sections["topics"]}[
        "sanatate"
    ] == 0  # listed: it had posts the day before
    html = render_html(sections, period, Scope(), "test", [], MIN_POSTS)
    text = squash(" ".join(parse(html).text))
    assert (
        "Nu există postări publicate în această perioadă în datele prelucrate (ziua precedentă: 160 de postări)."
        in text
    )
    assert "Nicio postare cu temă în această perioadă." in text and "Nicio alertă în această perioadă" in text
    assert "silver.posts_enriched lipsește" in text  # a missing optional table is named, not fatal
    assert html.count("<img ") == 2  # the trend (earlier days) and this week's responsiveness
    assert "Nicio instituție nu a atins pragul de 50 de postări" in text


def test_missing_gold_table_and_bad_options_fail_clearly(spark: Any, tmp_path: Path) -> None:
    from jobs.report import ReportError, run_report

    empty = Settings(lake_root=str(tmp_path / "lake"), reports_root=str(tmp_path / "r")).resolved()
    with pytest.raises(
        ReportError, match=r"gold\.indicators_daily does not exist .*python -m jobs\.gold --day 2026-11-30"
    ):
        run_report(empty, spark, rd.D, "t")
    with pytest.raises(ValueError, match="min_institution_posts must be >= 1"):
        run_report(empty, None, rd.D, "t", min_institution_posts=0)  # checked before Spark is touched
    assert not (tmp_path / "r").exists()


# ------------------------------------------------------------------ in the browser, and the PDF
CHECK_JS = r"""
(() => {
  const vw = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.textContent || el.alt || '').trim().slice(0, 40) + '"';
  const images = [...document.images].map((img) => {
    const r = img.getBoundingClientRect();
    return {alt: img.alt.slice(0, 50), complete: img.complete, naturalWidth: img.naturalWidth,
            naturalHeight: img.naturalHeight, width: r.width, height: r.height, visible: getComputedStyle(img).display !== 'none' && getComputedStyle(img).visibility !== 'hidden'};
  });
  const overflow = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 0.5 || r.left < -0.5) overflow.push('outside: ' + describe(el));
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible')
      overflow.push('content wider than box: ' + describe(el));
  }
  return {viewport: vw, scrollWidth: document.documentElement.scrollWidth, images, svgs: document.querySelectorAll('svg').length,
          overflow: overflow.slice(0, 20)};
})()
"""


@pytest.fixture(scope="module")
def browser() -> Any:
    if CHROMIUM is None:
        pytest.skip(f"headless Chromium unavailable: {CHROMIUM_HOW}")
    with Chromium(CHROMIUM) as b:
        yield b


def _check(browser: Chromium, url: str, width: int) -> dict[str, Any]:
    page = browser.open(url, width, 900)
    try:
        return dict(page.evaluate(CHECK_JS))
    finally:
        page.close()


@needs_chromium
def test_the_browser_check_catches_broken_images_and_overflow(browser: Chromium, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<html><body><img alt="x" src="data:image/svg+xml;base64,bm90IGFuIHN2Zw==">'
        '<div style="width:3000px">wide</div><table style="width:100px"><tr><td>'
        '<code style="white-space:nowrap">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</code></td></tr></table></body></html>',
        encoding="utf-8",
    )
    result = _check(browser, bad.as_uri(), 800)
    assert result["images"][0]["naturalWidth"] == 0
    assert result["scrollWidth"] > result["viewport"] and result["overflow"]


@needs_chromium
@pytest.mark.parametrize("width", [1280, 800])
@pytest.mark.parametrize("which", ["report.html", f"institutions/{rd.MS}.html"])
def test_report_renders_its_charts_without_broken_images_or_overflow(
    built: dict[str, Any], browser: Chromium, which: str, width: int
) -> None:
    result = _check(browser, (built["out"] / which).as_uri(), width)
    charts = 4  # trend, topics × sentiment, counties, responsiveness
    assert len(result["images"]) == charts, result["images"]
    for img in result["images"]:
        assert img["complete"] and img["naturalWidth"] > 0 and img["naturalHeight"] > 0, img
        assert img["visible"] and img["width"] > 200 and img["height"] > 50, img
        assert img["width"] <= result["viewport"], img
    assert result["scrollWidth"] <= result["viewport"], result
    assert result["overflow"] == [], result["overflow"]


@needs_chromium
@pytest.mark.parametrize("which", ["report", f"institutions/{rd.MS}"])
def test_pdf_has_one_page_per_section_and_searchable_romanian_text(built: dict[str, Any], which: str) -> None:
    from pypdf import PdfReader

    from jobs.report.build import Scope

    reader = PdfReader(built["out"] / f"{which}.pdf")
    sections = sections_for(Scope("institution", rd.MS) if "/" in which else Scope())
    pages = [p.extract_text() for p in reader.pages]
    # the summary page, then each section on its own page (the fixture fits), except the methodology, whose
    # table of held-out quality per topic may run onto a second page
    assert len(pages) in (1 + len(sections), 2 + len(sections))
    assert "Pe scurt" in pages[0] and "Cuprins" in pages[0]
    for number, (_, heading) in enumerate(sections, start=1):
        assert pages[number].lstrip().startswith(f"{number}. {heading}"), (number, pages[number][:80])
    assert sections[-1][0] == "metodologie"
    for i, text in enumerate(pages, start=1):
        assert f"Pagina {i} din {len(pages)}" in text
    everything = "".join(pages)
    for letter in "ăâîșțÎ":
        assert letter in everything, letter
    assert "ş" not in everything and "ţ" not in everything  # comma-below, never the cedilla forms
    assert "Sănătate" in everything and "București" in everything and "Județe" in everything
    assert "Postări pe zi" in everything  # chart labels are text in the PDF too
