"""Which days a report covers, and the period it is compared with.

* **Day report** for run day D: D, compared with D-1; trend over the 28 days ending on D.
* **Week report** for run day D: the last complete ISO week (Monday–Sunday) that ends *before*
  D, i.e. ending on the Sunday before D, compared with the week before it; trend over the
  8 weeks ending on that Sunday. The nightly run writes it when D is a Monday: that run's data
  (landing day Monday) already holds the late posts about Sunday, so the week is as complete as
  the pipeline can make it. ``--period week`` on any other day re-creates the last complete week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from jobs.report import fmt

PeriodKind = Literal["day", "week"]
PERIODS: tuple[PeriodKind, ...] = ("day", "week")
TREND_DAYS = {"day": 28, "week": 56}
ROLLING = 7
"""Days of the rolling net-sentiment line on the trend chart."""


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        shift = timedelta(days=self.length)
        return Period(self.kind, self.start - shift, self.end - shift)

    @property
    def trend_start(self) -> date:
        return self.end - timedelta(days=TREND_DAYS[self.kind] - 1)

    @property
    def folder(self) -> str:
        """``day/2026-11-27`` or ``week/2026-11-16`` (the Monday)."""
        return f"{self.kind}/{self.start.isoformat()}"

    @property
    def title(self) -> str:
        if self.kind == "day":
            return f"Raport zilnic — {fmt.weekday_date(self.start)}"
        return f"Raport săptămânal — {fmt.date_range(self.start, self.end)} ({fmt.iso_week(self.start)})"

    @property
    def label(self) -> str:
        return fmt.weekday_date(self.start) if self.kind == "day" else fmt.date_range(self.start, self.end)

    @property
    def previous_label(self) -> str:
        """``ziua precedentă`` / ``săptămâna precedentă``."""
        return "ziua precedentă" if self.kind == "day" else "săptămâna precedentă"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat()}


def day_period(day: date) -> Period:
    return Period("day", day, day)


def week_period(day: date) -> Period:
    """The Monday–Sunday week ending on the last Sunday strictly before ``day``."""
    end = day - timedelta(days=day.weekday() + 1)
    return Period("week", end - timedelta(days=6), end)


def period_for(kind: str, day: date) -> Period:
    if kind == "day":
        return day_period(day)
    if kind == "week":
        return week_period(day)
    raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {kind!r}")


def nightly_periods(day: date) -> list[Period]:
    """What the nightly run for ``day`` writes: the day, plus the finished week on Mondays."""
    return [day_period(day), *([week_period(day)] if day.weekday() == 0 else [])]
