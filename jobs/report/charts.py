"""Charts as deterministic SVG (matplotlib, no pyplot state): Romanian labels, Okabe-Ito colours.

Every chart is drawn from one section of the report data only, with a fixed hash salt, no
date in the metadata, and text kept as text (``svg.fonttype = none``, DejaVu Sans), so the same
data gives byte-identical SVG and the PDF keeps the labels as searchable text. The metadata block
and DOCTYPE are dropped: the SVG holds no URL but its XML namespaces.
"""

from __future__ import annotations

import io
import re
import textwrap
from datetime import date
from typing import Any

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from jobs.report import fmt

# Okabe & Ito (2008), the colour-blind-safe qualitative palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
NEUTRAL_GREY = "#BBBBBB"
SENTIMENT_COLOURS = {
    "negative": OKABE_ITO["vermillion"],
    "neutral": NEUTRAL_GREY,
    "positive": OKABE_ITO["blue"],
}
SENTIMENT_HATCH = {"negative": "///", "neutral": "", "positive": ""}
WIDTH_IN = 7.2

RC: Any = {  # rcParams (typed Any: matplotlib's stubs want literal keys)
    "svg.hashsalt": "civic-pulse-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "hatch.color": "#FFFFFF",
    "hatch.linewidth": 0.8,
    "legend.frameon": False,
    "path.simplify": False,
}
_METADATA_RE = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_DOCTYPE_RE = re.compile(r"<!DOCTYPE[^>]*>\s*", re.DOTALL)


_TEXT = TextToPath()
FONT_PT = 9.5
SMALL_PT = 8.5
LABEL_CHARS = 34
"""Category labels longer than this wrap onto a second line."""


def _figure(height_in: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height_in))
    FigureCanvasSVG(fig)
    return fig


def text_width_in(texts: list[str], size: float = FONT_PT) -> float:
    """Width in inches of the widest line of ``texts`` in DejaVu Sans (margins are computed, not searched:
    a layout engine costs as much as drawing the chart twice)."""
    prop = FontProperties(family="DejaVu Sans", size=size)
    lines = [line for t in texts for line in t.split("\n")]
    return (
        max((_TEXT.get_text_width_height_descent(line, prop, ismath=False)[0] for line in lines), default=0.0)
        / 72
    )


def wrap(label: str) -> str:
    return textwrap.fill(label, LABEL_CHARS, break_long_words=False) if len(label) > LABEL_CHARS else label


def _margins(
    fig: Figure,
    left: float,
    right: float = 0.15,
    top: float = 0.12,
    bottom: float = 0.58,
    hspace: float | None = None,
) -> None:
    """Fix the axes position from margins in inches."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h, hspace=hspace)


def _category_left(labels: list[str]) -> float:
    """Left margin for horizontal bars: the widest (wrapped) label, tick and padding."""
    return text_width_in(labels) + (3.5 + 3.5) / 72 + 0.1


def _svg(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue().decode("utf-8")
    return _DOCTYPE_RE.sub("", _METADATA_RE.sub("", text))


def _int_axis(axis: Any) -> None:
    axis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, 0)))


def _bar_labels(ax: Any, bars: Any, texts: list[str]) -> None:
    ax.bar_label(bars, labels=texts, padding=3, fontsize=8.5, color="#222222")


def trend_chart(trend: dict[str, Any]) -> str | None:
    """Posts per day (bars) above the daily and 7-day net sentiment (lines); the period shaded."""
    days = [date.fromisoformat(d) for d in trend["days"]]
    if not any(trend["posts"]):
        return None
    start, end = date.fromisoformat(trend["period_start"]), date.fromisoformat(trend["period_end"])
    x = list(range(len(days)))
    in_period = [start <= d <= end for d in days]
    with matplotlib.rc_context(RC):
        fig = _figure(4.6)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[1.1, 1])
        top.set_xlim(-0.7, len(x) - 0.3)
        colours = [OKABE_ITO["blue"] if p else OKABE_ITO["sky_blue"] for p in in_period]
        top.bar(x, trend["posts"], color=colours, width=0.8)
        top.set_ylabel("Postări pe zi")
        _int_axis(top.yaxis)
        top.grid(axis="y")
        first = in_period.index(True) if True in in_period else len(x) - 1
        last = len(in_period) - 1 - in_period[::-1].index(True) if True in in_period else len(x) - 1
        for ax in (top, bottom):
            ax.axvspan(first - 0.5, last + 0.5, color="#F3F3F3", zorder=0, lw=0)
        daily = [(i, v) for i, v in zip(x, trend["net"], strict=True) if v is not None]
        rolling = [(i, v) for i, v in zip(x, trend["net_7d"], strict=True) if v is not None]
        bottom.axhline(0, color="#666666", lw=0.8, ls=(0, (4, 3)))
        if daily:
            bottom.plot(
                [i for i, _ in daily],
                [v for _, v in daily],
                ls="none",
                marker="o",
                ms=3.5,
                color=OKABE_ITO["orange"],
                label="zilnic",
            )
        if rolling:
            bottom.plot(
                [i for i, _ in rolling],
                [v for _, v in rolling],
                color=OKABE_ITO["black"],
                lw=1.8,
                marker="o" if len(rolling) < 3 else None,  # a line of one point would not show
                ms=2.5,
                label="media pe 7 zile",
            )
        bottom.set_ylim(-1.05, 1.05)
        bottom.set_yticks([-1, -0.5, 0, 0.5, 1])
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, 1, sign=True)))
        bottom.set_ylabel("Sentiment net\n(−1 negativ … +1 pozitiv)")
        bottom.grid(axis="y")
        bottom.legend(loc="lower left", ncols=2, fontsize=8.5, frameon=True, framealpha=0.9, edgecolor="none")
        step = 7
        ticks = [i for i in x if (len(x) - 1 - i) % step == 0]
        bottom.set_xticks(ticks, [fmt.short_date(days[i]) for i in ticks])
        bottom.set_xlim(-0.7, len(x) - 0.3)
        bottom.set_xlabel("Ziua publicării (UTC); zona gri = perioada raportului")
        ylabel_in = (2 * FONT_PT * 1.2 + 4) / 72
        ticks_in = text_width_in([fmt.number(max(trend["posts"]) * 1.1), "+1,0", "-0,5"]) + 7 / 72
        # the last date label is centred on the last bar: half of it hangs past the axes
        right = max(0.12, text_width_in([fmt.short_date(days[ticks[-1]])]) / 2 + 0.08)
        _margins(fig, left=ylabel_in + ticks_in + 0.12, right=right, top=0.1, hspace=0.08)
        return _svg(fig)


def topics_chart(topics: list[dict[str, Any]], limit: int = 12) -> str | None:
    """Posts per topic split by sentiment class (stacked horizontal bars), largest topic on top."""
    rows = [t for t in topics if t["topic"] != "NONE" and t["posts"] > 0][:limit]
    if not rows:
        return None
    rows = rows[::-1]
    labels = [wrap(t["label"]) for t in rows]
    y = list(range(len(rows)))
    with matplotlib.rc_context(RC):
        fig = _figure(1.2 + (0.38 if any("\n" in t for t in labels) else 0.32) * len(rows))
        ax = fig.subplots()
        left = [0] * len(rows)
        for key in ("negative", "neutral", "positive"):
            values = [t[key] for t in rows]
            ax.barh(
                y,
                values,
                left=left,
                color=SENTIMENT_COLOURS[key],
                hatch=SENTIMENT_HATCH[key],
                height=0.7,
                label={"negative": "negativ", "neutral": "neutru", "positive": "pozitiv"}[key],
                edgecolor="white",
                linewidth=0.5,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        unscored = [t["posts"] - t["scored"] for t in rows]
        if any(unscored):
            ax.barh(
                y,
                unscored,
                left=left,
                color="white",
                edgecolor="#888888",
                linewidth=0.6,
                height=0.7,
                label="fără sentiment (altă limbă)",
            )
        for i, t in enumerate(rows):
            ax.text(t["posts"], i, "  " + fmt.number(t["posts"]), va="center", fontsize=8.5)
        ax.set_yticks(y, labels)
        ax.set_xlabel("Număr de postări (o postare cu mai multe teme apare la fiecare temă)")
        _int_axis(ax.xaxis)
        ax.set_xlim(0, max(t["posts"] for t in rows) * 1.15)
        ax.grid(axis="x")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, fontsize=8.5)
        _margins(fig, left=_category_left(labels), right=0.15, top=0.42)
        return _svg(fig)


def bar_chart(
    rows: list[dict[str, Any]],
    value: str,
    label: str,
    xlabel: str,
    colour: str,
    as_percent: bool = False,
    note: str | None = None,
) -> str | None:
    """One horizontal bar per row (first row on top) with the value printed at the bar's end."""
    rows = [r for r in rows if r.get(value) is not None]
    if not rows:
        return None
    rows = rows[::-1]
    values = [float(r[value]) * (100 if as_percent else 1) for r in rows]
    with matplotlib.rc_context(RC):
        wrapped = sum(len(str(r[label])) > LABEL_CHARS for r in rows)
        fig = _figure(0.85 + (0.36 if wrapped else 0.3) * len(rows))
        ax = fig.subplots()
        bars = ax.barh(range(len(rows)), values, color=colour, height=0.65)
        texts = [
            (fmt.percent(r[value]) if as_percent else fmt.number(r[value]))
            + (f" ({r[note]})" if note and r.get(note) else "")
            for r in rows
        ]
        _bar_labels(ax, bars, texts)
        names = [wrap(str(r[label])) for r in rows]
        ax.set_yticks(range(len(rows)), names)
        ax.set_xlabel(xlabel)
        top = max(values) if max(values) > 0 else 1
        xmax = (100 if as_percent else top) * (1.28 if as_percent else 1.22)
        ax.set_xlim(0, xmax)
        left = _category_left(names)
        # the value printed after each bar must fit between the bar's end and the figure's edge
        right = 0.15
        for _ in range(2):
            axes_w = WIDTH_IN - left - right
            need = max(
                text_width_in([t], SMALL_PT) + 4 / 72 - (xmax - v) / xmax * axes_w
                for t, v in zip(texts, values, strict=True)
            )
            right = max(0.15, need + 0.05)
        if as_percent:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, 0) + "\u00a0%"))
            ax.set_xticks([0, 25, 50, 75, 100])
        else:
            _int_axis(ax.xaxis)
        ax.grid(axis="x")
        _margins(fig, left=left, right=right, top=0.1)
        return _svg(fig)
