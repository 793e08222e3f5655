"""A kecamatan's condition over past days: the /grafik map and the export's daily sheet.

/status and the digest show the condition now (`domain.incidents.condition`). A day of the past
is shown by the worst condition the kecamatan was in during that day: the same definition
applied at every moment of the day, the worst result kept. A blockade that lasts three days is
Rawan on each of them, even on a day with only nihil reports or none at all; a Waspada incident
raised to Darurat by an update is Darurat on that day, not the level of its first report.

Only a few things change a condition: a report, an incident's opening, its level updates, its
closing and reopening. Evaluating `condition` after each of them finds the worst moment; this
module does the same per day from the spans during which each incident was open, and a property
test (tests/domain/test_conditions.py) checks it against that moment-by-moment evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.enums import Level
from domain.incidents import EventKind, IncidentEvent, condition

_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class OpenSpan:
    """A stretch of time during which an incident was open at one level; `end` is None while
    it is still open. `start == end` is a single moment (see `open_spans`)."""

    start: datetime
    end: datetime | None
    level: Level


def open_spans(events: Iterable[IncidentEvent]) -> list[OpenSpan]:
    """When an incident was open and at which level, from its timeline (oldest first).

    Its report opens it, an update with a level changes the level, a closing ends the span and
    a reopening starts another. A closing by nobody is migration 0010's "ditutup saat pembaruan
    sistem": before incidents existed a report was a moment, not a situation, so such an
    incident counts at the moment it was opened (or reopened), as the report it was, and not
    until the day of the migration.
    """
    spans: list[OpenSpan] = []
    start: datetime | None = None  # of the current span, while open
    level: Level | None = None
    for event in events:
        if event.kind is EventKind.REPORT and start is None:
            start = event.at
        if event.kind in (EventKind.REPORT, EventKind.UPDATE) and event.level is not None:
            if start is not None and level is not None and event.level is not level:
                spans.append(OpenSpan(start, event.at, level))
                start = event.at
            level = event.level
        elif event.kind is EventKind.CLOSE and start is not None and level is not None:
            spans.append(OpenSpan(start, event.at if event.actor_id is not None else start, level))
            start = None
        elif event.kind is EventKind.REOPEN and start is None:
            start = event.at
    if start is not None and level is not None:
        spans.append(OpenSpan(start, None, level))
    return spans


@dataclass(frozen=True)
class DayReports:
    """What a kecamatan reported on one day: the number of reports, and of those at Aman."""

    count: int
    aman: int = 0


def tally_reports(
    counts: Iterable[tuple[str, date, Level, int]],
) -> dict[tuple[str, date], DayReports]:
    """Folds (kecamatan, day, level, number of reports) rows into each day's `DayReports`."""
    tallied: dict[tuple[str, date], DayReports] = {}
    for kecamatan, day, level, count in counts:
        before = tallied.get((kecamatan, day), DayReports(0))
        aman = count if level is Level.AMAN else 0
        tallied[(kecamatan, day)] = DayReports(before.count + count, before.aman + aman)
    return tallied


def daily_conditions(
    days: Sequence[date],
    tz: ZoneInfo,
    incidents: Iterable[tuple[str, Sequence[IncidentEvent]]],
    reports: Mapping[tuple[str, date], DayReports],
) -> dict[tuple[str, date], Level | None]:
    """The worst condition of each kecamatan on each of `days` (consecutive local days).

    `incidents` are (kecamatan, timeline) pairs, `reports` the day's counts per (kecamatan,
    day). The result has every kecamatan named in either, for every day; None is belum lapor.
    """
    if not days:
        return {}
    first, last = days[0], days[-1]
    worst_open: dict[tuple[str, date], Level] = {}
    names = {name for name, _ in reports}
    for kecamatan, events in incidents:
        names.add(kecamatan)
        for span in open_spans(events):
            from_day = max(first, span.start.astimezone(tz).date())
            if span.end is None:
                to_day = last
            elif span.end > span.start:  # up to the moment before it ended
                to_day = min(last, (span.end - _INSTANT).astimezone(tz).date())
            else:
                to_day = min(last, span.start.astimezone(tz).date())
            day = from_day
            while day <= to_day:
                key = (kecamatan, day)
                worst_open[key] = max(span.level, worst_open.get(key, span.level))
                day += timedelta(days=1)
    result: dict[tuple[str, date], Level | None] = {}
    for name in names:
        for day in days:
            reported = reports.get((name, day), DayReports(0))
            opened = worst_open.get((name, day))
            # With no incident open at any moment of the day, none of its reports opened one
            # (a Waspada+ report opens its incident at once): all of them are Aman reports,
            # and none belongs to a resolved incident.
            result[(name, day)] = condition(
                [opened] if opened is not None else [],
                reported.count,
                Level.AMAN if reported.aman else None,
            )
    return result
