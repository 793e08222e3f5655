"""The election calendar: stages (tahapan) with their reporting rhythm, and reporting windows.

A stage runs from its first to its last WITA day, both included, with its digest times, its
reminder times and its reporting window: the whole day, or windows of `every_minutes` that
follow each other from `from` until `until` ("24:00" is the end of the day; an `until` at or
before `from` lies on the next day, so a window may cross midnight, and it belongs to the day it
started). Where stages overlap the shorter one is in force; outside every stage the digest and
reminder times of the environment (or `/jadwal`) apply, with the whole day as the window.

The reporting period that "belum lapor", reminders, `/status`, `/belum` and the digest count
is computed here and only here (`Rhythm.period_at`, `Rhythm.digest_period`), and its bounds are
what `domain.incidents.condition` is given as "today".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import Any

from domain.parsing import DayInvalid, parse_day

MINUTES_PER_DAY = 24 * 60
# A digest time of "24:00": the next midnight, counted for the day it ends (a window that ends
# at 24.00 gets its closing digest). As a `time` it is the last moment of the day, so it sorts
# last and differs from 00:00; only the moments of a day's slots turn it into the midnight.
END_OF_DAY = time.max
MAX_STAGES = 40
# Problem details quote the file (a value, a field name): clipped, so a file of huge values
# still yields a short list, in a message or two.
MAX_DETAIL = 40
MAX_NAME = 60
MAX_TIMES = 48
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
# Where a stage's rhythm is written: the calendar file's fields, in the order files show them.
STAGE_FIELDS = ("name", "start", "end", "digest_times", "reminder_times", "reminders", "window")
WINDOW_FIELDS = ("every_minutes", "from", "until")
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class SlotKind(StrEnum):
    """What a scheduled slot posts."""

    DIGEST = "digest"
    REMINDER = "reminder"


# --- the calendar --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowRule:
    """Reporting windows of `every_minutes`, from `start` until `until` (minutes after midnight;
    `until` 1440 is "24:00", and at or before `start` it is on the next day). The last window
    ends at `until` even when it is shorter."""

    every_minutes: int
    start: int
    until: int

    @property
    def span(self) -> int:
        """Minutes from the first window's start to the last one's end (at most a day)."""
        return (self.until - self.start) % MINUTES_PER_DAY or MINUTES_PER_DAY

    def covers(self, moment: time) -> bool:
        """Whether a time of day falls in one of the windows (counted from `start`)."""
        seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
        offset = (seconds - self.start * 60) % (MINUTES_PER_DAY * 60)
        return offset < self.span * 60


@dataclass(frozen=True)
class Stage:
    """One stage of the election (tahapan) and its rhythm.

    An empty `reminder_times` means one reminder at the midpoint of each window (of the whole
    day, 12.00, for a stage without windows); `reminders` False means none at all.
    """

    name: str
    first_day: date
    last_day: date
    digest_times: tuple[time, ...] = ()
    reminder_times: tuple[time, ...] = ()
    reminders: bool = True
    window: WindowRule | None = None

    @property
    def days(self) -> int:
        """How many days it lasts."""
        return (self.last_day - self.first_day).days + 1

    def covers(self, day: date) -> bool:
        """Whether `day` is one of its days."""
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class Calendar:
    """The stages, numbered from 1 in the order of the file."""

    stages: tuple[Stage, ...] = ()

    def stage(self, number: int) -> Stage | None:
        """Stage number `number` (1-based), if there is one."""
        return self.stages[number - 1] if 1 <= number <= len(self.stages) else None

    def in_force(self, day: date) -> tuple[int, Stage] | None:
        """The stage in force on `day` and its number: of those covering it, the shortest."""
        covering = [(n, s) for n, s in enumerate(self.stages, 1) if s.covers(day)]
        return min(covering, key=lambda found: found[1].days, default=None)

    def next_change(self, day: date) -> tuple[date, int, Stage] | None:
        """The first day after `day` on which another stage is in force, with that stage."""
        current = self.in_force(day)
        boundaries = sorted(
            {s.first_day for s in self.stages}
            | {s.last_day + timedelta(days=1) for s in self.stages}
        )
        for boundary in boundaries:
            if boundary <= day:
                continue
            found = self.in_force(boundary)
            if found is not None and (current is None or found[0] != current[0]):
                return boundary, *found
        return None

    def with_stage(self, number: int, stage: Stage) -> Calendar:
        """The calendar with stage `number` replaced (not checked: see `problems`)."""
        stages = list(self.stages)
        stages[number - 1] = stage
        return Calendar(tuple(stages))


# --- problems ------------------------------------------------------------------------------------


class Problem(StrEnum):
    """What is wrong with a calendar (file or change); worded by the text catalogue."""

    UNREADABLE = "unreadable"
    NOT_JSON = "not_json"
    NOT_CALENDAR = "not_calendar"
    TOO_MANY_STAGES = "too_many_stages"
    NOT_STAGE = "not_stage"
    UNKNOWN_FIELD = "unknown_field"
    MISSING_FIELD = "missing_field"
    BAD_NAME = "bad_name"
    DUPLICATE_NAME = "duplicate_name"
    BAD_DATE = "bad_date"
    DATES_REVERSED = "dates_reversed"
    BAD_TIMES = "bad_times"
    BAD_REMINDERS = "bad_reminders"
    REMINDERS_OFF_WITH_TIMES = "reminders_off_with_times"
    BAD_WINDOW = "bad_window"
    BAD_EVERY = "bad_every"
    BAD_WINDOW_TIME = "bad_window_time"
    REMINDER_OUTSIDE_WINDOW = "reminder_outside_window"
    SAME_LENGTH_OVERLAP = "same_length_overlap"


# English, for the one line that stops start-up on a bad CALENDAR_FILE.
_PROBLEM_EN = {
    Problem.UNREADABLE: "cannot be read as UTF-8 text",
    Problem.NOT_JSON: "not valid JSON (line {detail})",
    Problem.NOT_CALENDAR: 'expected an object with a "stages" list',
    Problem.TOO_MANY_STAGES: f"at most {MAX_STAGES} stages",
    Problem.NOT_STAGE: "a stage must be an object",
    Problem.UNKNOWN_FIELD: "unknown field",
    Problem.MISSING_FIELD: "missing field",
    Problem.BAD_NAME: f"name must be 1-{MAX_NAME} characters",
    Problem.DUPLICATE_NAME: "two stages have this name",
    Problem.BAD_DATE: "expected a date YYYY-MM-DD",
    Problem.DATES_REVERSED: "ends before it starts",
    Problem.BAD_TIMES: f'expected a list of up to {MAX_TIMES} times "HH:MM"',
    Problem.BAD_REMINDERS: "reminders must be true or false",
    Problem.REMINDERS_OFF_WITH_TIMES: "reminders is false but reminder_times are given",
    Problem.BAD_WINDOW: "window must be an object with every_minutes, from and until",
    Problem.BAD_EVERY: "every_minutes must be a whole number from 1 to 1440",
    Problem.BAD_WINDOW_TIME: 'expected a time "HH:MM" (until may be "24:00")',
    Problem.REMINDER_OUTSIDE_WINDOW: "reminder time outside the reporting windows",
    Problem.SAME_LENGTH_OVERLAP: "overlaps a stage of the same length (which one applies?)",
}


@dataclass(frozen=True)
class Finding:
    """A problem, the stage it is in (1-based; None for the file as a whole), and its detail
    (a field name, a value, another stage's number, a line of the file)."""

    problem: Problem
    stage: int | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        # The parser's own message (NOT_JSON) names a line and column worth keeping whole.
        limit = 2 * MAX_DETAIL if self.problem is Problem.NOT_JSON else MAX_DETAIL
        object.__setattr__(self, "detail", clip_detail(self.detail, limit))

    def __str__(self) -> str:
        where = f"stage {self.stage}: " if self.stage is not None else ""
        text = _PROBLEM_EN[self.problem]
        if "{detail}" in text:
            return where + text.format(detail=self.detail)
        return f"{where}{text} ({self.detail})" if self.detail else where + text


def clip_detail(text: str, limit: int = MAX_DETAIL) -> str:
    """A detail quoted from a file, cut to `limit` characters (with an ellipsis when cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CalendarInvalid(ValueError):
    """A calendar file or change is refused; `findings` lists every problem."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(str(f) for f in findings))
        self.findings = findings


# --- reading and writing the file format ---------------------------------------------------------


def parse_clock(text: str, *, end_of_day: bool = False) -> time | None:
    """ "07:00", "7.00" or "07:00:30" as a time of day; None when it is not one. With
    `end_of_day`, "24:00" is allowed and returned as midnight (the caller knows it ends)."""
    match = _CLOCK.match(text.strip())
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if end_of_day and (hour, minute, second) == (24, 0, 0):
        return time(0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_clock_list(text: str, *, end_of_day: bool = False) -> tuple[time, ...] | None:
    """ "07:00,12:00, 19.00" sorted without duplicates; "-" is none; None when malformed.
    With `end_of_day` (digest times), "24:00" is allowed, as END_OF_DAY."""
    if text.strip() == "-":
        return ()
    parts = [p.strip() for p in text.split(",")]
    times = [_parse_slot_time(p, end_of_day=end_of_day) for p in parts]
    if not parts or any(t is None for t in times) or len(parts) > MAX_TIMES:
        return None
    return tuple(sorted({t for t in times if t is not None}))


def _parse_slot_time(text: str, *, end_of_day: bool) -> time | None:
    """A digest or reminder time; with `end_of_day`, "24:00" is END_OF_DAY."""
    parsed = parse_clock(text, end_of_day=end_of_day)
    if parsed == time(0) and end_of_day and text.strip().startswith("24"):
        return END_OF_DAY
    return parsed


def format_clock(moment: time) -> str:
    """ "07:00", or "07:00:30" with seconds, END_OF_DAY "24:00": the file's spelling."""
    if moment == END_OF_DAY:
        return "24:00"
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def format_minutes(minutes: int) -> str:
    """Minutes after midnight as "HH:MM"; 1440 is "24:00"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _parse_file_date(raw: object) -> date | None:
    if not isinstance(raw, str):
        return None
    match = _ISO_DATE.match(raw.strip())
    if not match:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day if EARLIEST_YEAR <= day.year <= LATEST_YEAR else None


def _parse_times(raw: object, *, end_of_day: bool = False) -> tuple[time, ...] | None:
    if not isinstance(raw, list) or len(raw) > MAX_TIMES:
        return None
    times = [
        _parse_slot_time(item, end_of_day=end_of_day) if isinstance(item, str) else None
        for item in raw
    ]
    if any(t is None for t in times):
        return None
    return tuple(sorted({t for t in times if t is not None}))


def _parse_window(raw: object, number: int, findings: list[Finding]) -> WindowRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != set(WINDOW_FIELDS):
        findings.append(Finding(Problem.BAD_WINDOW, number))
        return None
    every = raw["every_minutes"]
    start = parse_clock(raw["from"]) if isinstance(raw["from"], str) else None
    until = parse_clock(raw["until"], end_of_day=True) if isinstance(raw["until"], str) else None
    ok = True
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= MINUTES_PER_DAY:
        findings.append(Finding(Problem.BAD_EVERY, number, str(every)))
        ok = False
    for name, parsed in (("from", start), ("until", until)):
        if parsed is None or parsed.second:
            findings.append(Finding(Problem.BAD_WINDOW_TIME, number, f"{name} {raw[name]}"))
            ok = False
    if not ok or start is None or until is None:
        return None
    is_end = str(raw["until"]).strip().startswith("24")
    return WindowRule(every, _minutes(start), MINUTES_PER_DAY if is_end else _minutes(until))


def _parse_stage(number: int, raw: object, findings: list[Finding]) -> Stage | None:
    if not isinstance(raw, dict):
        findings.append(Finding(Problem.NOT_STAGE, number))
        return None
    before = len(findings)
    findings += [
        Finding(Problem.UNKNOWN_FIELD, number, str(k)) for k in raw if k not in STAGE_FIELDS
    ]
    findings += [
        Finding(Problem.MISSING_FIELD, number, name)
        for name in ("name", "start", "end", "digest_times")
        if name not in raw
    ]
    name = raw.get("name")
    if "name" in raw and (not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME):
        findings.append(Finding(Problem.BAD_NAME, number))
    days: dict[str, date | None] = {}
    for key in ("start", "end"):
        if key in raw:
            days[key] = _parse_file_date(raw[key])
            if days[key] is None:
                findings.append(Finding(Problem.BAD_DATE, number, f"{key} {raw[key]}"))
    first, last = days.get("start"), days.get("end")
    if first is not None and last is not None and last < first:
        findings.append(Finding(Problem.DATES_REVERSED, number))
    digests = _parse_times(raw["digest_times"], end_of_day=True) if "digest_times" in raw else ()
    if digests is None:
        findings.append(Finding(Problem.BAD_TIMES, number, "digest_times"))
    reminder_times = _parse_times(raw.get("reminder_times", []))
    if reminder_times is None:
        findings.append(Finding(Problem.BAD_TIMES, number, "reminder_times"))
    reminders = raw.get("reminders", True)
    if not isinstance(reminders, bool):
        findings.append(Finding(Problem.BAD_REMINDERS, number))
    window = _parse_window(raw.get("window"), number, findings)
    if len(findings) > before or not isinstance(name, str) or first is None or last is None:
        return None
    return Stage(
        name=" ".join(name.split()),
        first_day=first,
        last_day=last,
        digest_times=digests or (),
        reminder_times=reminder_times or (),
        reminders=bool(reminders),
        window=window,
    )


def stage_problems(number: int, stage: Stage) -> list[Finding]:
    """What is wrong with one stage's rhythm as a whole."""
    findings = []
    if not stage.reminders and stage.reminder_times:
        findings.append(Finding(Problem.REMINDERS_OFF_WITH_TIMES, number))
    if stage.window is not None:
        findings += [
            # Shown to people as the bot writes times (EYD V), not the file's "HH:MM".
            Finding(Problem.REMINDER_OUTSIDE_WINDOW, number, t.strftime("%H.%M"))
            for t in stage.reminder_times
            if not stage.window.covers(t)
        ]
    if stage.last_day < stage.first_day:
        findings.append(Finding(Problem.DATES_REVERSED, number))
    if not 0 < len(stage.name) <= MAX_NAME:
        findings.append(Finding(Problem.BAD_NAME, number))
    return findings


def problems(calendar: Calendar) -> list[Finding]:
    """Everything wrong with a calendar as a whole: each stage, names, ambiguous overlaps."""
    findings = [f for n, s in enumerate(calendar.stages, 1) for f in stage_problems(n, s)]
    if len(calendar.stages) > MAX_STAGES:
        findings.append(Finding(Problem.TOO_MANY_STAGES))
    seen: dict[str, int] = {}
    for number, stage in enumerate(calendar.stages, 1):
        key = stage.name.casefold()
        if key in seen:
            findings.append(Finding(Problem.DUPLICATE_NAME, number, stage.name))
        seen.setdefault(key, number)
        for other_number, other in enumerate(calendar.stages[: number - 1], 1):
            overlap = stage.first_day <= other.last_day and other.first_day <= stage.last_day
            if overlap and stage.days == other.days:
                findings.append(Finding(Problem.SAME_LENGTH_OVERLAP, number, str(other_number)))
    return findings


def parse_calendar(text: str) -> Calendar:
    """Parses the calendar file's JSON; raises CalendarInvalid listing every problem."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        # The line only: the decoder's own message is English and the line is what helps.
        line = str(getattr(exc, "lineno", 1))
        raise CalendarInvalid([Finding(Problem.NOT_JSON, None, line)]) from None
    except RecursionError:  # nested deeper than the parser goes: the brackets from line 1 on
        raise CalendarInvalid([Finding(Problem.NOT_JSON, None, "1")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("stages"), list):
        raise CalendarInvalid([Finding(Problem.NOT_CALENDAR)])
    findings = [Finding(Problem.UNKNOWN_FIELD, None, str(k)) for k in data if k != "stages"]
    raw_stages = data["stages"]
    if len(raw_stages) > MAX_STAGES:
        raise CalendarInvalid([Finding(Problem.TOO_MANY_STAGES)])
    stages = [_parse_stage(n, raw, findings) for n, raw in enumerate(raw_stages, 1)]
    if findings:
        raise CalendarInvalid(findings)
    calendar = Calendar(tuple(s for s in stages if s is not None))
    if found := problems(calendar):
        raise CalendarInvalid(found)
    return calendar


def stage_json(stage: Stage) -> dict[str, Any]:
    """One stage in the file's format."""
    data: dict[str, Any] = {
        "name": stage.name,
        "start": stage.first_day.isoformat(),
        "end": stage.last_day.isoformat(),
        "digest_times": [format_clock(t) for t in stage.digest_times],
    }
    if stage.reminder_times:
        data["reminder_times"] = [format_clock(t) for t in stage.reminder_times]
    if not stage.reminders:
        data["reminders"] = False
    if stage.window is not None:
        data["window"] = {
            "every_minutes": stage.window.every_minutes,
            "from": format_minutes(stage.window.start),
            "until": format_minutes(stage.window.until),
        }
    return data


def calendar_json(calendar: Calendar) -> str:
    """The calendar in the file's format: what is stored, and what `parse_calendar` reads."""
    stages = [stage_json(s) for s in calendar.stages]
    return json.dumps({"stages": stages}, ensure_ascii=False, indent=2)


# --- the rhythm of each day, and its windows -----------------------------------------------------


@dataclass(frozen=True)
class DayRhythm:
    """What is in force on one WITA day: the stage (None outside every stage), digest and
    reminder times, and the window rule (None: the whole day is the window)."""

    day: date
    number: int | None
    stage: Stage | None
    digest_times: tuple[time, ...]
    reminder_times: tuple[time, ...]
    reminders: bool
    window: WindowRule | None

    @property
    def midpoint_reminders(self) -> bool:
        """Whether reminders go out at the midpoint of each window (a stage without times)."""
        return self.reminders and self.stage is not None and not self.reminder_times


@dataclass(frozen=True)
class Window:
    """One reporting window: from `start` to `end` (exclusive), of the WITA `day` it started
    on; `whole_day` when the day itself is the window (no window rule)."""

    start: datetime
    end: datetime
    day: date
    whole_day: bool = False

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` falls in it (its start included, its end not)."""
        return self.start <= moment < self.end

    @property
    def midpoint(self) -> datetime:
        """The middle of it, to the whole second."""
        seconds = int((self.end - self.start).total_seconds()) // 2
        return self.start + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Period:
    """What a view, a reminder or a digest counts: reports from `start` to `end`.

    `window` is the reporting window it lies in, or None outside every window ("di luar
    jendela": between one day's `until` and the next `from`), where the WITA day so far counts.
    """

    start: datetime
    end: datetime
    window: Window | None
    number: int | None = None
    stage: Stage | None = None
    # Outside every window: the next window to begin, if one does within a day.
    next_window: Window | None = None

    @property
    def outside(self) -> bool:
        """Whether it lies outside every reporting window."""
        return self.window is None

    @property
    def windowed(self) -> bool:
        """Whether a stage's windows are in force (not the whole day as the window)."""
        return self.window is None or not self.window.whole_day


@dataclass(frozen=True)
class CalendarNow:
    """The election stage and the reporting window at one moment (what a dashboard shows)."""

    moment: datetime
    today: DayRhythm
    period: Period
    # The next stage to come into force: its first day there, its number, the stage.
    next_stage: tuple[date, int, Stage] | None


@lru_cache(maxsize=512)
def _window_bounds(rule: WindowRule | None, day: date, tz: tzinfo) -> tuple[Window, ...]:
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    if rule is None:
        return (Window(midnight, midnight + timedelta(days=1), day, whole_day=True),)
    first = midnight + timedelta(minutes=rule.start)
    return tuple(
        Window(
            first + timedelta(minutes=offset),
            first + timedelta(minutes=min(offset + rule.every_minutes, rule.span)),
            day,
        )
        for offset in range(0, rule.span, rule.every_minutes)
    )


@dataclass(frozen=True)
class Rhythm:
    """The calendar applied to days and moments: which stage, which times, which window.

    `digest_times` and `reminder_times` are those in force outside every stage (the
    environment's, or the admins' from /jadwal).
    """

    calendar: Calendar
    digest_times: tuple[time, ...]
    reminder_times: tuple[time, ...]
    tz: tzinfo
    _windows: dict[date, tuple[Window, ...]] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )

    def on(self, day: date) -> DayRhythm:
        """What is in force on `day`."""
        found = self.calendar.in_force(day)
        if found is None:
            return DayRhythm(day, None, None, self.digest_times, self.reminder_times, True, None)
        number, stage = found
        return DayRhythm(
            day,
            number,
            stage,
            stage.digest_times,
            stage.reminder_times,
            stage.reminders,
            stage.window,
        )

    def windows(self, day: date) -> tuple[Window, ...]:
        """The reporting windows of `day`, in order. A window crossing midnight ends where
        the next day's first window begins, if that is earlier: windows never overlap."""
        cached = self._windows.get(day)
        if cached is not None:
            return cached
        following = _window_bounds(
            self.on(day + timedelta(days=1)).window, day + timedelta(days=1), self.tz
        )
        limit = following[0].start if following else None
        found = tuple(
            w if limit is None or w.end <= limit else replace(w, end=limit)
            for w in _window_bounds(self.on(day).window, day, self.tz)
            if limit is None or w.start < limit
        )
        self._windows[day] = found
        return found

    def _around(self, moment: datetime) -> Iterator[Window]:
        day = moment.astimezone(self.tz).date()
        yield from self.windows(day - timedelta(days=1))
        yield from self.windows(day)

    def window_at(self, moment: datetime) -> Window | None:
        """The window `moment` falls in (its start included), or None outside every window."""
        return next((w for w in self._around(moment) if w.contains(moment)), None)

    def period_at(self, moment: datetime) -> Period:
        """What counts at `moment` for views and reminders: its window from the window's start,
        or outside every window the WITA day so far."""
        local = moment.astimezone(self.tz)
        window = self.window_at(local)
        if window is not None:
            return self._period(window.start, local, window, window.day)
        return self._period(self._midnight(local.date()), local, None, local.date())

    def digest_period(self, slot: datetime) -> Period:
        """What a digest at `slot` covers: the window that contains the slot, a slot at a
        window's very end included (a 12.00 digest covers 09.00-12.00), from the window's start
        up to the slot; outside every window, the WITA day up to the slot."""
        local = slot.astimezone(self.tz)
        window = next((w for w in self._around(local) if w.start < local <= w.end), None)
        if window is not None:
            return self._period(window.start, local, window, window.day)
        return self._period(self._midnight(local.date()), local, None, local.date())

    def _period(self, start: datetime, end: datetime, window: Window | None, day: date) -> Period:
        rhythm = self.on(day)
        following = None
        if window is None:
            upcoming = [*self.windows(day), *self.windows(day + timedelta(days=1))]
            following = next((w for w in upcoming if w.start >= end), None)
        return Period(start, end, window, rhythm.number, rhythm.stage, following)

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz)

    def _moment(self, day: date, moment: time) -> datetime:
        """A time of `day` as a moment; END_OF_DAY is the next midnight (the same slot as a
        00:00 digest of the next day, so the two are one slot, posted once)."""
        if moment == END_OF_DAY:
            return self._midnight(day + timedelta(days=1))
        return datetime.combine(day, moment, tzinfo=self.tz)

    def slots(self, kind: SlotKind, start: datetime, end: datetime) -> list[datetime]:
        """The digest or reminder moments from `start` to `end` (both included), in order.

        A day's digest and reminder times are moments of that day; a reminder at a window's
        midpoint belongs to the window's day (the midpoint may fall after midnight). No
        reminder goes out outside every window.
        """
        first = start.astimezone(self.tz).date() - timedelta(days=1)
        last = end.astimezone(self.tz).date()
        found: set[datetime] = set()
        day = first
        while day <= last:
            found.update(self._slots_of(kind, day))
            day += timedelta(days=1)
        return sorted(m for m in found if start <= m <= end)

    def _slots_of(self, kind: SlotKind, day: date) -> Iterable[datetime]:
        rhythm = self.on(day)
        if kind is SlotKind.DIGEST:
            return [self._moment(day, t) for t in rhythm.digest_times]
        if not rhythm.reminders:
            return []
        if rhythm.midpoint_reminders:
            return [w.midpoint for w in self.windows(day)]
        moments = [datetime.combine(day, t, tzinfo=self.tz) for t in rhythm.reminder_times]
        return [m for m in moments if self.window_at(m) is not None]

    def is_slot(self, kind: SlotKind, moment: datetime) -> bool:
        """Whether `moment` is a digest or reminder slot of the rhythm in force."""
        return moment in self.slots(kind, moment, moment)

    def previous_digest(self, slot: datetime) -> datetime | None:
        """The digest slot before `slot`, looking back two days at most."""
        earlier = self.slots(SlotKind.DIGEST, slot - timedelta(days=2), slot)
        return max((s for s in earlier if s < slot), default=None)

    def job_times(self, kind: SlotKind, now: datetime) -> set[time]:
        """The times of day the daily jobs of `kind` must run at: every slot from a minute
        before `now` to the end of tomorrow (each job checks at run time whether its moment is
        a slot of the rhythm then in force)."""
        tomorrow = now.astimezone(self.tz).date() + timedelta(days=1)
        end = self._midnight(tomorrow + timedelta(days=1)) - timedelta(microseconds=1)
        moments = self.slots(kind, now - timedelta(minutes=1), end)
        return {m.astimezone(self.tz).time() for m in moments}

    def now(self, moment: datetime) -> CalendarNow:
        """The stage, today's rhythm, the reporting period and the next stage at `moment`."""
        local = moment.astimezone(self.tz)
        return CalendarNow(
            local,
            self.on(local.date()),
            self.period_at(local),
            self.calendar.next_change(local.date()),
        )


# --- admins' changes -----------------------------------------------------------------------------


class ChangeError(StrEnum):
    """Why a `/tahapan ubah` or `/tahapan atur` was refused (worded by the text catalogue)."""

    USAGE = "usage"
    STAGE = "stage"
    DATE = "date"
    FIELD = "field"
    TIMES = "times"
    WINDOW = "window"


class ChangeInvalid(ValueError):
    """A change command's arguments are malformed."""

    def __init__(self, reason: ChangeError) -> None:
        super().__init__(reason.value)
        self.reason = reason


def _change_day(text: str, today: date) -> date:
    """A date typed in `/tahapan ubah`, read by the one parser of typed dates; raises
    ChangeInvalid(DATE)."""
    try:
        return parse_day(text, today)
    except DayInvalid:
        raise ChangeInvalid(ChangeError.DATE) from None


def _stage_number(word: str, calendar: Calendar) -> int:
    word = word.strip()
    if not (word.isascii() and word.isdigit() and len(word) <= 3):
        raise ChangeInvalid(ChangeError.STAGE)
    number = int(word)
    if calendar.stage(number) is None:
        raise ChangeInvalid(ChangeError.STAGE)
    return number


@dataclass(frozen=True)
class StageChange:
    """A stage as an admin wants it, and what changed (for the audit log)."""

    number: int
    before: Stage
    after: Stage
    change: str


def parse_dates_change(args: str, calendar: Calendar, today: date) -> StageChange:
    """`<nomor> | <dari> | <sampai>` of `/tahapan ubah`."""
    fields = [f.strip() for f in args.split("|")]
    if len(fields) != 3 or not all(fields):
        raise ChangeInvalid(ChangeError.USAGE)
    number = _stage_number(fields[0], calendar)
    first, last = _change_day(fields[1], today), _change_day(fields[2], today)
    before = calendar.stages[number - 1]
    after = replace(before, first_day=first, last_day=last)
    return StageChange(number, before, after, f"stage {number} dates {first}..{last}")


class RhythmField(StrEnum):
    """What `/tahapan atur` changes."""

    DIGEST = "rekap"
    REMINDER = "pengingat"
    WINDOW = "jendela"


MIDPOINT_WORD, OFF_WORD, WHOLE_DAY_WORD = "tengah", "mati", "harian"
_WINDOW_ARGS = re.compile(r"^(\d{1,4})\s+(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})$")


def parse_rhythm_change(args: str, calendar: Calendar) -> StageChange:
    """`<nomor> rekap <jam,...>`, `<nomor> pengingat <jam,...|tengah|mati>` or
    `<nomor> jendela <menit> <dari>-<sampai>|harian` of `/tahapan atur`."""
    words = args.split(maxsplit=2)
    if len(words) < 3:
        raise ChangeInvalid(ChangeError.USAGE)
    number = _stage_number(words[0], calendar)
    try:
        what = RhythmField(words[1].casefold())
    except ValueError:
        raise ChangeInvalid(ChangeError.FIELD) from None
    value = " ".join(words[2].split())
    before = calendar.stages[number - 1]
    if what is RhythmField.DIGEST:
        times = parse_clock_list(value, end_of_day=True)
        if times is None:
            raise ChangeInvalid(ChangeError.TIMES)
        after = replace(before, digest_times=times)
        detail = ",".join(format_clock(t) for t in times) or "-"
    elif what is RhythmField.REMINDER:
        if value.casefold() in (MIDPOINT_WORD, OFF_WORD):
            after = replace(before, reminder_times=(), reminders=value.casefold() == MIDPOINT_WORD)
            detail = value.casefold()
        else:
            times = parse_clock_list(value)
            if not times:
                raise ChangeInvalid(ChangeError.TIMES)
            after = replace(before, reminder_times=times, reminders=True)
            detail = ",".join(format_clock(t) for t in times)
    else:
        after = replace(before, window=_parse_window_args(value))
        detail = value.casefold()
    return StageChange(number, before, after, f"stage {number} {what.name.lower()} {detail}")


def _parse_window_args(value: str) -> WindowRule | None:
    if value.casefold() == WHOLE_DAY_WORD:
        return None
    match = _WINDOW_ARGS.match(value)
    if not match:
        raise ChangeInvalid(ChangeError.WINDOW)
    every = int(match[1])
    start = parse_clock(match[2])
    until = parse_clock(match[3], end_of_day=True)
    if start is None or until is None or not 1 <= every <= MINUTES_PER_DAY:
        raise ChangeInvalid(ChangeError.WINDOW)
    is_end = match[3].startswith("24")
    return WindowRule(every, _minutes(start), MINUTES_PER_DAY if is_end else _minutes(until))


def stage_times_change(
    calendar: Calendar, number: int, kind: SlotKind, times: tuple[time, ...]
) -> StageChange:
    """A `/jadwal` change made while stage `number` is in force: its digest or reminder times
    (reminders on at those times) until it ends."""
    before = calendar.stages[number - 1]
    joined = ",".join(format_clock(t) for t in times)
    if kind is SlotKind.DIGEST:
        after = replace(before, digest_times=times)
        return StageChange(number, before, after, f"stage {number} digest {joined} (jadwal)")
    after = replace(before, reminder_times=times, reminders=True)
    return StageChange(number, before, after, f"stage {number} reminder {joined} (jadwal)")
