"""Report data → one self-contained HTML file (inline CSS, charts as base64 SVG images, no URL).

The HTML depends only on the section data, the period, the scope and the generator version:
no clock, no run id, no absolute path. Rendering the same data twice gives the same bytes.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from jobs.report import charts, fmt
from jobs.report.build import TOP_COUNTIES_CHART, TOP_TOPICS_CHART, Scope
from jobs.report.labels import SENTIMENTS
from jobs.report.period import Period

SECTIONS_ALL = (
    ("tendinta", "Evoluția volumului și a sentimentului"),
    ("teme", "Teme și sentiment"),
    ("judete", "Județe"),
    ("alerte", "Alerte"),
    ("institutii", "Instituții și receptivitate"),
    ("calitate", "Acoperirea și calitatea datelor"),
    ("metodologie", "Metodologie și surse"),
)
SECTIONS_INSTITUTION = tuple(
    (k, "Receptivitatea instituției" if k == "institutii" else v) for k, v in SECTIONS_ALL
)


def sections_for(scope: Scope) -> tuple[tuple[str, str], ...]:
    """(anchor, heading) of the numbered sections, in order; each starts on a new printed page."""
    return SECTIONS_INSTITUTION if scope.kind == "institution" else SECTIONS_ALL


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jobs.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        num=fmt.number,
        int=fmt.integer,
        pct=fmt.percent,
        pp=fmt.points,
        change=fmt.change,
        rel=lambda r: fmt.percent(r, 1, sign=True),
        date=lambda s: fmt.long_date(_d(s)),
        short_date=lambda s: fmt.short_date(_d(s)),
        weekday=lambda s: fmt.weekday_date(_d(s)),
        net=lambda v: fmt.number(v, 2, sign=True),
    )
    env.globals.update(
        plural=fmt.plural,
        DASH=fmt.DASH,
        SENTIMENTS=SENTIMENTS,
        drange=lambda a, b: fmt.date_range(_d(a), _d(b)),
    )
    return env


def _d(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def _image(svg: str | None, alt: str) -> dict[str, str] | None:
    """An <img> for an SVG chart: base64 data URI (no file, no URL) and its alt text; None: no chart."""
    if svg is None:
        return None
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
        "alt": alt,
    }


def chart_images(s: dict[str, Any], period: Period, scope: Scope) -> dict[str, dict[str, str] | None]:
    """The charts of one report as ``{name: {"src": data URI, "alt": text}}`` (None: no data)."""
    trend = s["trend"]
    out: dict[str, dict[str, str] | None] = {}
    out["trend"] = _image(
        charts.trend_chart(trend),
        "Grafic: postări pe zi și sentiment net (zilnic și media pe 7 zile), "
        f"{fmt.date_range(_d(trend['days'][0]), _d(trend['days'][-1]))}; perioada raportului este evidențiată.",
    )
    out["topics"] = _image(
        charts.topics_chart(s["topics"], TOP_TOPICS_CHART),
        "Grafic: numărul de postări pe temă, împărțit pe sentiment negativ, neutru și pozitiv.",
    )
    counties = [c for c in s["counties"] if c["code"] != "NONE" and c["posts"] > 0][:TOP_COUNTIES_CHART]
    out["counties"] = _image(
        charts.bar_chart(counties, "posts", "name", "Număr de postări", charts.OKABE_ITO["sky_blue"]),
        f"Grafic: județele cu cele mai multe postări (primele {len(counties)}).",
    )
    resp = [
        dict(r, n=f"{fmt.integer(r['replied'])} din {fmt.integer(r['addressed'])}")
        for r in s["responsiveness"]["rows"]
        if r["addressed"] > 0
    ]
    if scope.kind == "institution":
        resp = [dict(r, label="toate platformele" if r["source"] == "ALL" else r["source"]) for r in resp]
    else:
        resp = [dict(r, label=r["name"]) for r in resp][:12]
    svg = charts.bar_chart(
        resp,
        "reply_rate",
        "label",
        "Postări adresate care au primit răspuns oficial (%)",
        charts.OKABE_ITO["bluish_green"],
        as_percent=True,
        note="n",
    )
    out["responsiveness"] = _image(
        svg,
        "Grafic: rata de răspuns oficial la postările adresate, pe "
        + ("platformă." if scope.kind == "institution" else "instituție."),
    )
    return out


def summary_lines(s: dict[str, Any], period: Period) -> list[str]:
    """'Pe scurt': the headline in four sentences."""
    h = s["headline"]
    prev = period.previous_label
    posts, prev_posts = h["posts"]
    if posts == 0:
        return [
            "Nu există postări publicate în această perioadă în datele prelucrate"
            f" ({prev}: {fmt.plural(prev_posts, 'postare', 'postări')})."
        ]
    lines = []
    change = fmt.change(posts, prev_posts)
    text = f"Au fost publicate {fmt.plural(posts, 'postare', 'postări')}"
    text += f" ({change} față de {prev})" if change != fmt.DASH else f" ({prev}: {fmt.integer(prev_posts)})"
    if h["authors"][0] is not None:
        text += f", de la {fmt.plural(h['authors'][0], 'autor distinct', 'autori distincți')}"
    lines.append(text + ".")
    n, p = h["net_sentiment"]
    if n is not None:
        text = f"Sentimentul net a fost {fmt.number(n, 2, sign=True)}"
        if p is not None:
            shown, before = fmt.rounded(n, 2), fmt.rounded(p, 2)  # judged on what the reader sees
            word = (
                "s-a îmbunătățit"
                if shown > before
                else ("s-a înrăutățit" if shown < before else "a rămas la fel")
            )
            text += f" ({word} față de {prev}: {fmt.number(p, 2, sign=True)})"
        text += f"; {fmt.percent(h['negative_share'][0])} dintre postările evaluate au fost negative."
        lines.append(text)
    topics = [t for t in s["topics"] if t["topic"] != "NONE" and t["posts"] > 0]
    counties = [c for c in s["counties"] if c["code"] != "NONE" and c["posts"] > 0]
    parts = []
    if topics:
        parts.append(f"tema cu cel mai mare volum: {topics[0]['label']} ({fmt.integer(topics[0]['posts'])})")
    if counties:
        parts.append(
            f"județul cu cele mai multe postări: {counties[0]['name']} ({fmt.integer(counties[0]['posts'])})"
        )
    if parts:
        text = "; ".join(parts)
        lines.append(text[0].upper() + text[1:] + ".")
    a, pa = h["alerts"]
    lines.append(
        (f"{fmt.plural(a, 'alertă', 'alerte')} în perioadă" if a else "Nicio alertă în perioadă")
        + f" ({prev}: {fmt.integer(pa)})."
    )
    return lines


def observed_text(alert: dict[str, Any]) -> tuple[str, str]:
    """Observed value and baseline, formatted for the alert's metric."""
    if alert["metric"] == "negative_share":
        return fmt.percent(alert["observed"]), fmt.percent(alert["baseline"])
    decimals = 0 if float(alert["baseline"]).is_integer() else 1
    return fmt.number(alert["observed"], 0), fmt.number(alert["baseline"], decimals)


def render_html(
    s: dict[str, Any],
    period: Period,
    scope: Scope,
    generator: str,
    institution_reports: list[dict[str, Any]] | None = None,
    min_institution_posts: int | None = None,
) -> str:
    title = period.title + (f" — {scope.name}" if scope.kind == "institution" else "")
    template = environment().get_template("report.html.j2")
    return template.render(
        title=title,
        period=period,
        scope=scope,
        s=s,
        charts=chart_images(s, period, scope),
        summary=summary_lines(s, period),
        sections=sections_for(scope),
        generator=generator,
        institution_reports=institution_reports or [],
        min_institution_posts=min_institution_posts,
        observed_text=observed_text,
    )


def footer_html(title: str) -> str:
    """Footer of every printed page: report title and 'Pagina X din Y'."""
    from html import escape

    return (
        "<div style=\"font-family:'DejaVu Sans',sans-serif;font-size:7.5px;color:#555;width:100%;"
        'padding:0 15mm;display:flex;justify-content:space-between">'
        f"<span>Civic Pulse · {escape(title)}</span>"
        '<span>Pagina <span class="pageNumber"></span> din <span class="totalPages"></span></span></div>'
    )
