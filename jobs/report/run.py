"""The report job: read the tables at recorded versions, render HTML (+ PDF), write a manifest.

``run_report(settings, spark, day, run_id, period="day"|"week")`` writes under
``<reports_root>/<period>/<first day>/``:

* ``report.html`` — self-contained (inline CSS, charts as base64 SVG, no URL of any kind);
* ``report.pdf`` — the same page printed by headless Chromium (skipped, and said so in the result
  and the manifest, when no Chromium binary is found);
* ``institutions/<id>.html`` / ``.pdf`` — one per institution with at least
  ``min_institution_posts`` posts in the period (top ``max_institutions``);
* ``manifest.json`` — the Delta version of every table read (``table_versions``, which the
  maintenance job's vacuum keeps readable), model and taxonomy versions, the
  topic labels used, a sha256 per section of figures and per file, the generator version.

``rerender(manifest, out)`` reads every table again **at the recorded versions** (time travel) and
renders into ``out``: the figures, and the HTML, come out byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from jobs.report.browser import BrowserError, Chromium, find_chromium
from jobs.report.build import (
    Inputs,
    ReportError,
    Scope,
    build_sections,
    check_versions,
    checksum,
    current_versions,
    eligible_institutions,
    read_inputs,
)
from jobs.report.labels import taxonomy_labels
from jobs.report.period import Period, nightly_periods, period_for
from jobs.report.render import footer_html, render_html
from jobs.settings import Settings

log = logging.getLogger("civic_pulse.report")

GENERATOR = "civic-pulse-report"
GENERATOR_VERSION = "1.0.0"
DEFAULT_MIN_INSTITUTION_POSTS = 50
DEFAULT_MAX_INSTITUTIONS = 30
MANIFEST = "manifest.json"
_SAFE_RE = re.compile(r"[^a-z0-9_-]+")


@dataclass
class ReportResult:
    period: str
    start: date
    end: date
    out_dir: str
    html: str
    pdf: str | None
    pdf_note: str
    manifest: str
    institutions: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, int | None] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "out_dir": self.out_dir,
            "html": self.html,
            "pdf": self.pdf,
            "pdf_note": self.pdf_note,
            "manifest": self.manifest,
            "institution_reports": len(self.institutions),
            "versions": self.versions,
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class Options:
    min_institution_posts: int = DEFAULT_MIN_INSTITUTION_POSTS
    max_institutions: int = DEFAULT_MAX_INSTITUTIONS

    def validate(self) -> None:
        if self.min_institution_posts < 1:
            raise ValueError(f"min_institution_posts must be >= 1, got {self.min_institution_posts}")
        if self.max_institutions < 0:
            raise ValueError(f"max_institutions must be >= 0, got {self.max_institutions}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def safe_name(identifier: str) -> str:
    """A file name for an institution id (registry ids are already safe; anything else is cleaned)."""
    name = _SAFE_RE.sub("-", identifier.lower()).strip("-")
    return name or hashlib.sha256(identifier.encode()).hexdigest()[:12]


def _local_dir(path: str) -> Path:
    if "://" in path and not path.startswith("file://"):
        raise ValueError(f"reports are written to a local folder; got {path!r}")
    return Path(path.removeprefix("file://"))


_STRUCT_NODE_ID = re.compile(rb"\(node(\d{8})\)")


def _deterministic_pdf(data: bytes, period: Period) -> bytes:
    """The same PDF bytes for the same page, whenever and however busy the machine is.

    Chromium stamps the print time into the PDF: it becomes the period's end. The tagged-PDF
    structure elements carry ``(node%08d)`` ids from a renderer-wide DOM node counter, which
    shifts with whatever the renderer created before (measured: off by one on a loaded machine):
    they are renumbered 1..n in their own order, so the ID tree stays sorted. Both keep every
    length, so the cross-reference offsets stay valid.
    """
    stamp = f"D:{period.end.strftime('%Y%m%d')}000000+00'00'".encode()
    data = re.sub(
        rb"D:\d{14}[+\-Z]\d{2}'\d{2}'", lambda m: stamp if len(m.group(0)) == len(stamp) else m.group(0), data
    )
    renumbered = {old: b"%08d" % new for new, old in enumerate(sorted(set(_STRUCT_NODE_ID.findall(data))), 1)}
    return _STRUCT_NODE_ID.sub(lambda m: b"(node" + renumbered[m.group(1)] + b")", data)


def _print_pdfs(jobs: list[tuple[Path, Path, str]], period: Period) -> tuple[bool, str]:
    """Print each (html, pdf, title) with one Chromium; (written?, note)."""
    executable, how = find_chromium()
    if executable is None:
        return False, f"PDF not written: {how}"
    try:
        with Chromium(executable) as browser:
            for html, pdf, title in jobs:
                page = browser.open(html.resolve().as_uri())
                try:
                    pdf.write_bytes(_deterministic_pdf(page.print_pdf(footer_html(title)), period))
                finally:
                    page.close()
            version = browser.version
    except BrowserError as exc:
        for _, pdf, _ in jobs:
            pdf.unlink(missing_ok=True)
        return False, f"PDF not written: Chromium ({executable}) failed: {exc}"
    return True, f"printed by {version} ({how})"


def _render_all(
    inputs: Inputs,
    period: Period,
    options: Options,
    labels: dict[str, str],
    taxonomy_version: str | None,
    staging: Path,
    pdf: bool,
    institutions: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], bool, str]:
    """Write every HTML (and PDF) into ``staging``; returns (figures checksums, institutions, pdf?, note)."""
    if institutions is None:
        institutions = eligible_institutions(
            inputs, period, options.min_institution_posts, options.max_institutions
        )
    figures: dict[str, Any] = {}
    to_print: list[tuple[Path, Path, str]] = []
    reports: list[dict[str, Any]] = []
    for inst in institutions:
        scope = Scope("institution", inst["id"], inst["name"])
        sections = build_sections(inputs, period, scope, labels, taxonomy_version)
        stem = f"institutions/{safe_name(inst['id'])}"
        (staging / "institutions").mkdir(parents=True, exist_ok=True)
        html_path = staging / f"{stem}.html"
        html_path.write_text(render_html(sections, period, scope, GENERATOR_VERSION), encoding="utf-8")
        figures[stem] = {k: checksum(v) for k, v in sections.items()}
        to_print.append((html_path, staging / f"{stem}.pdf", f"{period.title} — {inst['name']}"))
        reports.append({**inst, "file": f"{stem}.html"})
    scope = Scope()
    sections = build_sections(inputs, period, scope, labels, taxonomy_version)
    html_path = staging / "report.html"
    html_path.write_text(
        render_html(
            sections,
            period,
            scope,
            f"{GENERATOR} {GENERATOR_VERSION}",
            reports,
            options.min_institution_posts,
        ),
        encoding="utf-8",
    )
    figures = {"report": {k: checksum(v) for k, v in sections.items()}, **figures}
    to_print.insert(0, (html_path, staging / "report.pdf", period.title))
    if pdf:
        written, note = _print_pdfs(to_print, period)
    else:
        written, note = False, "PDF not written: disabled (--no-pdf)"
    return figures, reports, written, note


def _models(inputs: Inputs) -> list[dict[str, Any]]:
    seen: dict[tuple[Any, Any, Any], int] = {}
    for r in inputs.silver or []:
        if r["current"] and r["sentiment_model_version"] is not None:
            key = (r["sentiment_model_version"], r["topic_model_version"], r["topic_taxonomy_version"])
            seen[key] = seen.get(key, 0) + int(r["scored"])
    return [
        {
            "sentiment_model_version": k[0],
            "topic_model_version": k[1],
            "topic_taxonomy_version": k[2],
            "posts": v,
        }
        for k, v in sorted(seen.items(), key=lambda kv: str(kv[0]))
    ]


def _publish(staging: Path, out: Path) -> None:
    """Swap the finished folder into place (a re-run replaces the old report, stale files included)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def generate(
    settings: Settings,
    spark: Any,
    period: Period,
    run_id: str,
    out_dir: Path,
    options: Options,
    versions: dict[str, int | None] | None = None,
    labels: tuple[str | None, dict[str, str]] | None = None,
    pdf: bool = True,
    lake: Any = None,
    institutions: list[dict[str, Any]] | None = None,
    extra_manifest: dict[str, Any] | None = None,
) -> tuple[ReportResult, dict[str, Any]]:
    """Build one report into ``out_dir``; ``versions`` / ``labels`` pin a past report (re-render)."""
    from jobs.lake import open_lake

    started = time.perf_counter()
    lake = lake or open_lake(settings, spark)
    pinned = dict(versions) if versions is not None else current_versions(lake)
    check_versions(lake, pinned, period.end)
    inputs = read_inputs(lake, period, pinned)
    taxonomy_version, topic_labels = labels if labels is not None else taxonomy_labels()

    staging = out_dir.with_name(f".{out_dir.name}.tmp-{uuid.uuid4().hex[:8]}")
    staging.mkdir(parents=True)
    try:
        figures, reports, pdf_written, note = _render_all(
            inputs, period, options, topic_labels, taxonomy_version, staging, pdf, institutions
        )
        files = {
            p.relative_to(staging).as_posix(): {"sha256": _sha256(p), "bytes": p.stat().st_size}
            for p in sorted(staging.rglob("*"))
            if p.is_file()
        }
        manifest: dict[str, Any] = {
            "generator": GENERATOR,
            "generator_version": GENERATOR_VERSION,
            "run_id": run_id,
            "period": period.as_dict(),
            "lake_root": settings.lake_root,
            "lake_engine": settings.lake_engine,
            # the key jobs.maintenance reads: vacuum keeps the files of these versions
            "table_versions": pinned,
            "options": {
                "min_institution_posts": options.min_institution_posts,
                "max_institutions": options.max_institutions,
            },
            "models": _models(inputs),
            "labels": {"taxonomy_version": taxonomy_version, "topics": topic_labels},
            "institutions": reports,
            "figures": figures,
            "files": files,
            "pdf": {"written": pdf_written, "note": note},
            **(extra_manifest or {}),
        }
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8"
        )
        _publish(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result = ReportResult(
        period=period.kind,
        start=period.start,
        end=period.end,
        out_dir=str(out_dir),
        html=str(out_dir / "report.html"),
        pdf=str(out_dir / "report.pdf") if pdf_written else None,
        pdf_note=note,
        manifest=str(out_dir / MANIFEST),
        institutions=reports,
        versions=pinned,
        seconds=round(time.perf_counter() - started, 1),
    )
    if not pdf_written:
        log.warning("report %s: %s", out_dir, note)
    return result, manifest


def run_report(
    settings: Settings,
    spark: Any,
    day: date,
    run_id: str,
    period: str = "day",
    *,
    out_root: str | Path | None = None,
    pdf: bool = True,
    min_institution_posts: int = DEFAULT_MIN_INSTITUTION_POSTS,
    max_institutions: int = DEFAULT_MAX_INSTITUTIONS,
    lake: Any = None,
) -> ReportResult:
    """The report of ``period`` ("day" or "week") for run day ``day``, from the tables as they are now.

    Output: ``<out_root or settings.reports_root>/<period>/<first day>/`` (see the module doc).
    Options are checked before any table is read.
    """
    chosen = period_for(period, day)
    options = Options(min_institution_posts, max_institutions)
    options.validate()
    root = _local_dir(str(out_root) if out_root is not None else settings.reports_root)
    result, _ = generate(settings, spark, chosen, run_id, root / chosen.folder, options, pdf=pdf, lake=lake)
    return result


def run_nightly_reports(
    settings: Settings, spark: Any, day: date, run_id: str, **kwargs: Any
) -> list[ReportResult]:
    """The nightly stage: the day's report, plus the finished week's when ``day`` is a Monday."""
    return [run_report(settings, spark, day, run_id, p.kind, **kwargs) for p in nightly_periods(day)]


@dataclass
class RerenderResult:
    result: ReportResult
    figures_identical: bool
    html_identical: bool
    differences: list[str]
    generator_changed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.result.as_dict(),
            "figures_identical": self.figures_identical,
            "html_identical": self.html_identical,
            "differences": self.differences,
            "generator_changed": self.generator_changed,
        }


def load_manifest(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise ReportError(f"manifest {p} does not exist")
    manifest = json.loads(p.read_text(encoding="utf-8"))
    if manifest.get("generator") != GENERATOR or "table_versions" not in manifest or "period" not in manifest:
        raise ReportError(f"{p} is not a Civic Pulse report manifest")
    return dict(manifest)


def rerender(
    manifest_path: str | Path,
    out_dir: str | Path,
    spark: Any,
    settings: Settings | None = None,
    pdf: bool = True,
    lake_root: str | None = None,
) -> RerenderResult:
    """Re-render a past report from its manifest: every table at its recorded version.

    The lake is the manifest's (``lake_root`` or ``settings`` override it, e.g. after a move).
    Compares the new figures and HTML with the recorded checksums.
    """
    from jobs.settings import load_settings

    manifest = load_manifest(manifest_path)
    p = manifest["period"]
    period = Period(p["kind"], date.fromisoformat(p["start"]), date.fromisoformat(p["end"]))
    base = settings or load_settings()
    settings = replace(
        base,
        lake_root=lake_root or (base.lake_root if settings else manifest["lake_root"]),
        lake_engine=manifest.get("lake_engine", base.lake_engine),
    )
    options = Options(**manifest["options"])
    labels = (manifest["labels"]["taxonomy_version"], dict(manifest["labels"]["topics"]))
    institutions = [{k: i[k] for k in ("id", "name", "posts")} for i in manifest["institutions"]]
    out = _local_dir(str(out_dir))
    result, new = generate(
        settings,
        spark,
        period,
        f"rerender-{uuid.uuid4().hex[:12]}",
        out,
        options,
        versions=manifest["table_versions"],
        labels=labels,
        pdf=pdf,
        institutions=institutions,
        extra_manifest={"rerendered_from": str(Path(manifest_path).resolve())},
    )
    differences = []
    for report, sections in manifest["figures"].items():
        for name, digest in sections.items():
            if new["figures"].get(report, {}).get(name) != digest:
                differences.append(f"{report}:{name}")
    html_same = all(
        new["files"].get(name, {}).get("sha256") == meta["sha256"]
        for name, meta in manifest["files"].items()
        if name.endswith(".html")
    )
    return RerenderResult(
        result,
        not differences,
        html_same,
        differences,
        manifest.get("generator_version") != GENERATOR_VERSION,
    )


def report_paths(results: list[ReportResult]) -> list[str]:
    """Human-readable lines naming where the reports are."""
    lines = []
    for r in results:
        lines.append(f"Report ({r.period} {r.start.isoformat()}): {r.html}")
        lines.append(f"  PDF: {r.pdf}" if r.pdf else f"  {r.pdf_note}")
    return lines


__all__ = [
    "DEFAULT_MAX_INSTITUTIONS",
    "DEFAULT_MIN_INSTITUTION_POSTS",
    "GENERATOR_VERSION",
    "Options",
    "ReportError",
    "ReportResult",
    "RerenderResult",
    "generate",
    "load_manifest",
    "report_paths",
    "rerender",
    "run_nightly_reports",
    "run_report",
]
