"""Romanian formatting of numbers, percentages and dates (deterministic, locale-independent).

Numbers use ``.`` between thousands and ``,`` before decimals (``12.345,6``); a percentage has a
no-break space before the sign (``3,4 %``); rounding is half away from zero on the number as it
prints (``repr``), so 2.675 becomes ``2,68`` as a reader expects. ``-0`` never appears.
Nothing here reads the system locale: the output is the same on every machine.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
DASH = "—"
"""Shown for a missing value (no data, division by zero)."""

MONTHS = (
    "ianuarie",
    "februarie",
    "martie",
    "aprilie",
    "mai",
    "iunie",
    "iulie",
    "august",
    "septembrie",
    "octombrie",
    "noiembrie",
    "decembrie",
)
MONTHS_SHORT = (
    "ian.",
    "feb.",
    "mar.",
    "apr.",
    "mai",
    "iun.",
    "iul.",
    "aug.",
    "sept.",
    "oct.",
    "nov.",
    "dec.",
)
WEEKDAYS = ("luni", "marți", "miercuri", "joi", "vineri", "sâmbătă", "duminică")

_NUMBER_RE = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$")


def _decimal(value: float | int | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return Decimal(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"cannot format {value!r}")
    return Decimal(repr(float(value)))


def rounded(value: float | int | Decimal, decimals: int = 0) -> Decimal:
    """``value`` rounded half away from zero to ``decimals`` places (as printed, not as stored)."""
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    q = _decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q + Decimal(0) if q.is_zero() else q  # drops the sign of -0


def number(value: float | int | Decimal | None, decimals: int = 0, sign: bool = False) -> str:
    """``12345.64`` → ``12.345,6`` (``decimals=1``); ``sign`` adds ``+`` to positive values."""
    if value is None:
        return DASH
    q = rounded(value, decimals)
    negative = q < 0
    text = f"{abs(q):.{decimals}f}"
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups) + (f",{frac}" if frac else "")
    if negative:
        return "-" + out
    return ("+" + out) if sign and q > 0 else out


def integer(value: int | None, sign: bool = False) -> str:
    return number(value, 0, sign)


def percent(ratio: float | None, decimals: int = 1, sign: bool = False) -> str:
    """A ratio as a percentage: ``0.034`` → ``3,4 %``."""
    if ratio is None:
        return DASH
    return number(_decimal(ratio) * 100, decimals, sign) + NBSP + "%"


def points(delta: float | None, decimals: int = 1) -> str:
    """A difference of two ratios in percentage points: ``0.021`` → ``+2,1 p.p.``."""
    if delta is None:
        return DASH
    return number(_decimal(delta) * 100, decimals, sign=True) + NBSP + "p.p."


def change(current: float | int | None, previous: float | int | None, decimals: int = 1) -> str:
    """Relative change ``current / previous - 1`` as a signed percentage; ``—`` when undefined."""
    ratio = relative_change(current, previous)
    return percent(ratio, decimals, sign=True) if ratio is not None else DASH


def relative_change(current: float | int | None, previous: float | int | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return round(current / previous - 1, 6)


def parse_number(text: str) -> Decimal:
    """Inverse of :func:`number` (used by tests and by anyone reading the tables back)."""
    if not _NUMBER_RE.match(text):
        raise ValueError(f"not a Romanian-formatted number: {text!r}")
    return Decimal(text.replace(".", "").replace(",", "."))


def plural(n: int, one: str, many: str) -> str:
    """Romanian count phrase: 1 postare, 2 postări, 20 de postări, 101 postări, 1.000 de postări."""
    rest = abs(n) % 100
    if abs(n) == 1:
        return f"{integer(n)} {one}"
    if rest >= 20 or (rest == 0 and n != 0):
        return f"{integer(n)} de {many}"
    return f"{integer(n)} {many}"


def long_date(d: date) -> str:
    """``27 noiembrie 2026``."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def weekday_date(d: date) -> str:
    """``vineri, 27 noiembrie 2026``."""
    return f"{WEEKDAYS[d.weekday()]}, {long_date(d)}"


def short_date(d: date) -> str:
    """``27 nov.`` (chart ticks)."""
    return f"{d.day} {MONTHS_SHORT[d.month - 1]}"


def date_range(start: date, end: date) -> str:
    """``16–22 noiembrie 2026``, ``30 noiembrie – 6 decembrie 2026``, across years in full."""
    if start == end:
        return long_date(start)
    if start.year != end.year:
        return f"{long_date(start)} – {long_date(end)}"
    if start.month != end.month:
        return f"{start.day} {MONTHS[start.month - 1]} – {long_date(end)}"
    return f"{start.day}–{long_date(end)}"


def iso_week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"
