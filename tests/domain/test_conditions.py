"""A kecamatan's condition over past days (domain.conditions), checked against the definition
(domain.incidents.condition) evaluated after every single change."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.conditions import DayReports, OpenSpan, daily_conditions, open_spans, tally_reports
from domain.enums import Level
from domain.incidents import EventKind, IncidentEvent, condition

WITA = ZoneInfo("Asia/Makassar")
DAYS = [date(2024, 11, 25), date(2024, 11, 26), date(2024, 11, 27)]
MIDNIGHT = datetime(2024, 11, 25, tzinfo=WITA)
NAMES = ("Telen", "Busang")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 11, day, hour, minute, tzinfo=WITA)


def event(
    kind: EventKind, moment: datetime, level: Level | None = None, actor: int | None = 7
) -> IncidentEvent:
    return IncidentEvent(1, kind, moment, actor_id=actor, level=level)


def test_an_incident_is_open_from_its_report_to_its_closing() -> None:
    assert open_spans(
        [
            event(EventKind.REPORT, at(25, 10), Level.WASPADA),
            event(EventKind.TAKE_UP, at(25, 10, 5)),
            event(EventKind.UPDATE, at(25, 10, 10)),  # text only
            event(EventKind.UPDATE, at(25, 11), Level.DARURAT),
            event(EventKind.UPDATE, at(25, 11, 30), Level.DARURAT),
            event(EventKind.CLOSE, at(25, 12)),
            event(EventKind.REOPEN, at(26, 9)),
        ]
    ) == [
        OpenSpan(at(25, 10), at(25, 11), Level.WASPADA),
        OpenSpan(at(25, 11), at(25, 12), Level.DARURAT),
        OpenSpan(at(26, 9), None, Level.DARURAT),
    ]


def test_the_upgrades_closing_counts_at_the_opening_only() -> None:
    spans = open_spans(
        [
            event(EventKind.REPORT, at(20, 10), Level.RAWAN),
            event(EventKind.TAKE_UP, at(20, 10, 15)),
            event(EventKind.CLOSE, at(27, 9), actor=None),  # migration 0010
        ]
    )
    assert spans == [OpenSpan(at(20, 10), at(20, 10), Level.RAWAN)]


def test_tally_counts_reports_and_aman_reports_per_day() -> None:
    tallied = tally_reports(
        [
            ("Telen", DAYS[0], Level.AMAN, 2),
            ("Telen", DAYS[0], Level.RAWAN, 1),
            ("Busang", DAYS[1], Level.WASPADA, 1),
        ]
    )
    assert tallied == {
        ("Telen", DAYS[0]): DayReports(3, 2),
        ("Busang", DAYS[1]): DayReports(1, 0),
    }


def test_an_open_incident_carries_its_level_into_the_next_days() -> None:
    timeline = [
        event(EventKind.REPORT, at(25, 22), Level.RAWAN),
        event(EventKind.CLOSE, at(27, 8)),
    ]
    found = daily_conditions(
        DAYS,
        WITA,
        [("Telen", timeline)],
        {("Telen", DAYS[0]): DayReports(1), ("Telen", DAYS[1]): DayReports(3, 3)},
    )
    assert [found[("Telen", day)] for day in DAYS] == [Level.RAWAN] * 3


def test_a_closing_at_midnight_ends_on_the_day_before() -> None:
    timeline = [
        event(EventKind.REPORT, at(25, 22), Level.WASPADA),
        event(EventKind.CLOSE, at(26, 0)),
    ]
    reports = {("Telen", DAYS[0]): DayReports(1), ("Telen", DAYS[2]): DayReports(1, 1)}
    found = daily_conditions(DAYS, WITA, [("Telen", timeline)], reports)
    assert [found[("Telen", day)] for day in DAYS] == [Level.WASPADA, None, Level.AMAN]


def test_no_days_no_conditions() -> None:
    assert daily_conditions([], WITA, [], {}) == {}


# --- the same figures, evaluated moment by moment ------------------------------------------


@dataclass(frozen=True)
class Step:
    """Something that happened: a report (incident None: an Aman report) or a timeline step."""

    at: datetime
    order: float
    kecamatan: str
    kind: EventKind
    incident: int | None = None
    level: Level | None = None


@st.composite
def histories(
    draw: st.DrawFn,
) -> tuple[list[tuple[str, list[IncidentEvent]]], list[tuple[str, datetime]]]:
    """A few incidents (some closed by the upgrade) and Aman reports around the three days.

    Every moment is distinct (whole minutes, plus a second per event): what happens at the
    very same second is a boundary case, tested on its own above.
    """
    seconds = itertools.count()

    def moment(minute: int) -> datetime:
        return MIDNIGHT + timedelta(minutes=minute, seconds=next(seconds))

    incidents = []
    for number in range(1, draw(st.integers(0, 4)) + 1):
        kecamatan = draw(st.sampled_from(NAMES))
        minute = draw(st.integers(-1440, 3 * 1440))
        level = draw(st.sampled_from([Level.WASPADA, Level.RAWAN, Level.DARURAT]))
        timeline = [
            IncidentEvent(number, EventKind.REPORT, moment(minute), 7, None, number, level)
        ]
        is_open = True
        if draw(st.booleans()):  # migration 0010 closed it, some time later
            minute += draw(st.integers(0, 3000))
            timeline.append(IncidentEvent(number, EventKind.CLOSE, moment(minute)))
            is_open = False
        for _ in range(draw(st.integers(0, 5))):
            minute += draw(st.integers(0, 900))
            kind = (
                draw(st.sampled_from([EventKind.UPDATE, EventKind.TAKE_UP, EventKind.CLOSE]))
                if is_open
                else EventKind.REOPEN
            )
            new_level = (
                draw(st.none() | st.sampled_from(list(Level)[1:]))
                if kind is EventKind.UPDATE
                else None
            )
            actor = 8 if kind is not EventKind.TAKE_UP else 9
            timeline.append(IncidentEvent(number, kind, moment(minute), actor, None, None,
                                          new_level))  # fmt: skip
            if kind in (EventKind.CLOSE, EventKind.REOPEN):
                is_open = kind is EventKind.REOPEN
        incidents.append((kecamatan, timeline))
    aman = [
        (draw(st.sampled_from(NAMES)), moment(draw(st.integers(-1440, 3 * 1440))))
        for _ in range(draw(st.integers(0, 6)))
    ]
    return incidents, aman


def local_day(moment: datetime) -> date:
    return moment.astimezone(WITA).date()


def moment_by_moment(
    incidents: list[tuple[str, list[IncidentEvent]]], aman: list[tuple[str, datetime]]
) -> dict[tuple[str, date], Level | None]:
    """`condition` evaluated after every change; per day the worst value of the states that
    held at some moment of it (a state holds from its change to the next one)."""
    steps = [Step(moment, 0, name, EventKind.REPORT, None, Level.AMAN) for name, moment in aman]
    for name, timeline in incidents:
        for happened in timeline:
            moved = happened.kind is EventKind.CLOSE and happened.actor_id is None
            steps.append(
                Step(
                    timeline[0].at if moved else happened.at,  # the upgrade's: see open_spans
                    0.5 if moved else 0,
                    name,
                    happened.kind,
                    happened.incident,
                    happened.level,
                )
            )
    steps.sort(key=lambda s: (s.at, s.order))
    open_levels: dict[int, Level] = {}
    levels: dict[int, Level] = {}
    kecamatan_of: dict[int, str] = {}
    reports: list[Step] = []
    worst: dict[tuple[str, date], Level | None] = {(n, d): None for n in NAMES for d in DAYS}
    for k, step in enumerate(steps):
        if step.incident is not None:
            kecamatan_of[step.incident] = step.kecamatan
            if step.level is not None:
                levels[step.incident] = step.level
            opens = step.kind in (EventKind.REPORT, EventKind.REOPEN)
            if opens or (step.kind is EventKind.UPDATE and step.incident in open_levels):
                open_levels[step.incident] = levels[step.incident]
            elif step.kind is EventKind.CLOSE:
                open_levels.pop(step.incident, None)
        if step.kind is EventKind.REPORT:
            reports.append(step)
        held_until = steps[k + 1].at if k + 1 < len(steps) else None
        for day in DAYS:
            start = datetime.combine(day, datetime.min.time(), tzinfo=WITA)
            end = start + timedelta(days=1)
            reaches = held_until is None or held_until > start or step.at >= start
            if not (step.at < end and reaches):
                continue
            for name in NAMES:
                today = [r for r in reports if r.kecamatan == name and start <= r.at < end]
                latest = next(
                    (r.level for r in reversed(today)
                     if r.incident is None or r.incident in open_levels),
                    None,
                )  # fmt: skip
                value = condition(
                    [lv for n, lv in open_levels.items() if kecamatan_of[n] == name],
                    len(today),
                    latest,
                )
                before = worst[(name, day)]
                if value is not None and (before is None or value > before):
                    worst[(name, day)] = value
    return worst


@settings(max_examples=300, deadline=None)
@given(histories())
def test_daily_conditions_are_the_worst_moment_of_each_day(
    history: tuple[list[tuple[str, list[IncidentEvent]]], list[tuple[str, datetime]]],
) -> None:
    incidents, aman = history
    counted = [(name, local_day(moment), Level.AMAN, 1) for name, moment in aman]
    counted += [
        (name, local_day(timeline[0].at), timeline[0].level or Level.AMAN, 1)
        for name, timeline in incidents
    ]
    in_range = [row for row in counted if row[1] in DAYS]
    found = daily_conditions(DAYS, WITA, incidents, tally_reports(in_range))
    expected = moment_by_moment(incidents, aman)
    for key in set(found) | set(expected):
        assert found.get(key) == expected.get(key), key
