"""The election calendar: stages, the rhythm of each day, reporting windows and slots."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import load_calendar
from domain.calendar import (
    END_OF_DAY,
    Calendar,
    CalendarInvalid,
    ChangeError,
    ChangeInvalid,
    Finding,
    Problem,
    Rhythm,
    SlotKind,
    Stage,
    WindowRule,
    calendar_json,
    parse_calendar,
    parse_dates_change,
    parse_rhythm_change,
    problems,
)

WITA = ZoneInfo("Asia/Makassar")
ENV_DIGESTS, ENV_REMINDERS = (time(7), time(19)), (time(16),)


def wita(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=WITA)


def rhythm(calendar: Calendar | None = None) -> Rhythm:
    return Rhythm(calendar or load_calendar(None), ENV_DIGESTS, ENV_REMINDERS, WITA)


def spans(windows: object) -> list[str]:
    assert isinstance(windows, tuple)
    return [f"{w.start:%d %H:%M}-{w.end:%d %H:%M}" for w in windows]


def one_stage(**fields: object) -> str:
    stage = {"name": "Uji", "start": "2024-12-20", "end": "2024-12-20", "digest_times": []}
    return json.dumps({"stages": [{**stage, **fields}]})


def test_the_bundled_calendar_is_pilkada_2024() -> None:
    calendar = load_calendar(None)
    assert [(s.name, s.first_day, s.last_day) for s in calendar.stages] == [
        ("Penetapan pasangan calon", date(2024, 9, 22), date(2024, 9, 22)),
        ("Kampanye", date(2024, 9, 25), date(2024, 11, 23)),
        ("Masa tenang", date(2024, 11, 24), date(2024, 11, 26)),
        ("Pemungutan suara", date(2024, 11, 27), date(2024, 11, 27)),
        ("Penghitungan dan rekapitulasi", date(2024, 11, 27), date(2024, 12, 16)),
    ]


def test_the_shorter_stage_wins_and_outside_every_stage_the_environment_applies() -> None:
    r = rhythm()
    assert r.on(date(2024, 11, 27)).number == 4, "one day of voting wins over 20 of counting"
    assert r.on(date(2024, 11, 28)).number == 5
    outside = r.on(date(2024, 9, 23))
    assert (outside.stage, outside.digest_times, outside.reminder_times) == (
        None,
        ENV_DIGESTS,
        ENV_REMINDERS,
    )
    assert spans(r.windows(date(2024, 9, 23))) == ["23 00:00-24 00:00"]


def test_windows_of_voting_day_and_across_midnight() -> None:
    r = rhythm()
    assert spans(r.windows(date(2024, 11, 27))) == [
        "27 06:00-27 09:00", "27 09:00-27 12:00", "27 12:00-27 15:00",
        "27 15:00-27 18:00", "27 18:00-27 21:00", "27 21:00-28 00:00",
    ]  # fmt: skip
    # Masa tenang: two windows of 12 hours, the night one crossing midnight; it belongs to the
    # day it started and ends where voting day's first window begins.
    assert spans(r.windows(date(2024, 11, 26))) == ["26 06:00-26 18:00", "26 18:00-27 06:00"]
    night = r.window_at(wita(27, 1))
    assert night is not None
    assert night.day == date(2024, 11, 26)
    # The last day of kampanye is one window; 00.00-06.00 on the 24th is outside every window.
    assert spans(r.windows(date(2024, 11, 23))) == ["23 00:00-24 00:00"]
    assert r.window_at(wita(24, 3)) is None


def test_a_crossing_window_is_cut_where_the_next_day_begins_its_own() -> None:
    calendar = Calendar(
        (
            Stage(
                "Malam", date(2024, 12, 1), date(2024, 12, 1), window=WindowRule(120, 1320, 120)
            ),
            Stage("Harian", date(2024, 12, 2), date(2024, 12, 2)),
        )
    )
    r = rhythm(calendar)
    assert spans(r.windows(date(2024, 12, 1))) == ["01 22:00-02 00:00"]
    assert spans(r.windows(date(2024, 12, 2))) == ["02 00:00-03 00:00"]


def test_the_last_window_ends_at_until() -> None:
    text = one_stage(window={"every_minutes": 240, "from": "06:00", "until": "24:00"})
    r = rhythm(parse_calendar(text))
    assert spans(r.windows(date(2024, 12, 20)))[-2:] == ["20 18:00-20 22:00", "20 22:00-21 00:00"]


def test_periods_count_the_window_and_outside_it_the_day() -> None:
    r = rhythm()
    period = r.period_at(wita(27, 10, 15))
    assert (period.start, period.end, period.stage and period.stage.name) == (
        wita(27, 9),
        wita(27, 10, 15),
        "Pemungutan suara",
    )
    assert period.windowed
    assert not period.outside
    outside = r.period_at(wita(24, 3))
    assert outside.outside
    assert (outside.start, outside.end) == (wita(24), wita(24, 3))
    assert outside.next_window is not None
    assert outside.next_window.start == wita(24, 6)
    daily = r.period_at(wita(28, 10))
    assert (daily.start, daily.windowed) == (wita(28), False)


def test_a_digest_covers_the_window_containing_its_slot_up_to_the_slot() -> None:
    r = rhythm()
    assert (r.digest_period(wita(27, 7)).start, r.digest_period(wita(27, 7)).end) == (
        wita(27, 6),
        wita(27, 7),
    )
    at_the_end = r.digest_period(wita(27, 12))
    assert (at_the_end.start, at_the_end.end) == (wita(27, 9), wita(27, 12)), "not 12.00-12.00"
    night = r.digest_period(wita(27, 6))
    assert night.start == wita(26, 18), "the 06.00 digest of voting day closes the last night"
    assert night.stage is not None
    assert night.stage.name == "Masa tenang"
    assert r.digest_period(wita(28, 7)).start == wita(28)


def test_slots_follow_the_stage_of_each_day() -> None:
    r = rhythm()
    digests = r.slots(SlotKind.DIGEST, wita(23), wita(28, 23, 59))
    assert [f"{m:%d %H:%M}" for m in digests] == [
        "23 07:00", "23 19:00",
        "24 06:00", "24 18:00", "25 06:00", "25 18:00", "26 06:00", "26 18:00",
        "27 06:00", "27 09:00", "27 12:00", "27 15:00", "27 18:00", "27 21:00",
        "28 00:00",  # hari H's 24.00: the last window, 21.00-24.00, has its digest too
        "28 07:00", "28 19:00",
    ]  # fmt: skip
    reminders = r.slots(SlotKind.REMINDER, wita(23), wita(28, 23, 59))
    assert [f"{m:%d %H:%M}" for m in reminders] == [
        "23 16:00",
        "24 14:00",
        "24 22:00",
        "25 14:00",
        "25 22:00",
        "26 14:00",
        "26 22:00",
        "27 07:30",
        "27 10:30",
        "27 13:30",
        "27 16:30",
        "27 19:30",
        "27 22:30",
        "28 16:00",
    ]  # fmt: skip, midpoints on voting day
    assert r.is_slot(SlotKind.REMINDER, wita(27, 10, 30))
    assert not r.is_slot(SlotKind.REMINDER, wita(27, 16))
    assert r.previous_digest(wita(27, 6)) == wita(26, 18)


def test_midpoints_of_short_windows_and_reminders_off() -> None:
    text = one_stage(window={"every_minutes": 5, "from": "10:00", "until": "10:15"})
    r = rhythm(parse_calendar(text))
    moments = r.slots(SlotKind.REMINDER, wita(20, month=12), wita(21, month=12))
    assert [f"{m:%H:%M:%S}" for m in moments] == ["10:02:30", "10:07:30", "10:12:30"]
    quiet = rhythm(parse_calendar(one_stage(reminders=False)))
    assert quiet.slots(SlotKind.REMINDER, wita(20, month=12), wita(21, month=12)) == []
    daily = rhythm(parse_calendar(one_stage()))
    assert daily.slots(SlotKind.REMINDER, wita(20, month=12), wita(21, month=12)) == [
        wita(20, 12, month=12)
    ], "a stage without windows and without times: the midpoint of the day"


def test_job_times_cover_today_and_tomorrow() -> None:
    r = rhythm()
    assert r.job_times(SlotKind.DIGEST, wita(26, 19)) == {
        time(6),
        time(9),
        time(12),
        time(15),
        time(18),
        time(21),
    }
    # 07.00 of the last day of kampanye has passed, and masa tenang has no 07.00
    assert r.job_times(SlotKind.DIGEST, wita(23, 10)) == {time(19), time(6), time(18)}


def test_every_problem_of_a_file_is_listed() -> None:
    text = json.dumps(
        {
            "stages": [
                {"name": "", "start": "2024-13-01", "end": "2024-11-30", "digest_times": ["7"]},
                {
                    "name": "B",
                    "start": "2024-11-02",
                    "end": "2024-11-01",
                    "digest_times": [],
                    "remider_times": [],
                    "window": {"every_minutes": 0, "from": "24:00", "until": "24:00"},
                },
                "C",
                {"name": "D", "start": "2024-11-01"},
            ]
        }
    )
    with pytest.raises(CalendarInvalid) as caught:
        parse_calendar(text)
    assert caught.value.findings == [
        Finding(Problem.BAD_NAME, 1),
        Finding(Problem.BAD_DATE, 1, "start 2024-13-01"),
        Finding(Problem.BAD_TIMES, 1, "digest_times"),
        Finding(Problem.UNKNOWN_FIELD, 2, "remider_times"),
        Finding(Problem.DATES_REVERSED, 2),
        Finding(Problem.BAD_EVERY, 2, "0"),
        Finding(Problem.BAD_WINDOW_TIME, 2, "from 24:00"),
        Finding(Problem.NOT_STAGE, 3),
        Finding(Problem.MISSING_FIELD, 4, "end"),
        Finding(Problem.MISSING_FIELD, 4, "digest_times"),
    ]
    assert "stage 2: every_minutes must be a whole number from 1 to 1440 (0)" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("{", Problem.NOT_JSON),
        ('{"stages": {}}', Problem.NOT_CALENDAR),
        (one_stage(reminders=False, reminder_times=["08:00"]), Problem.REMINDERS_OFF_WITH_TIMES),
        (
            one_stage(
                reminder_times=["05:00"],
                window={"every_minutes": 60, "from": "06:00", "until": "24:00"},
            ),
            Problem.REMINDER_OUTSIDE_WINDOW,
        ),
        (one_stage(window={"every_minutes": 60, "from": "06:00"}), Problem.BAD_WINDOW),
    ],
)
def test_bad_files(text: str, finding: Problem) -> None:
    with pytest.raises(CalendarInvalid) as caught:
        parse_calendar(text)
    assert [f.problem for f in caught.value.findings] == [finding]


def test_a_file_that_is_not_json_names_the_line() -> None:
    """People read the line; the decoder's English message is left to the start-up log."""
    with pytest.raises(CalendarInvalid) as caught:
        parse_calendar('{\n  "stages": [\n    {"name": "Kampanye",,}\n  ]\n}')
    assert caught.value.findings == [Finding(Problem.NOT_JSON, None, "3")]
    assert str(caught.value) == "not valid JSON (line 3)"


def test_stages_of_the_same_length_may_not_overlap() -> None:
    a = Stage("A", date(2024, 11, 1), date(2024, 11, 3))
    b = Stage("B", date(2024, 11, 3), date(2024, 11, 5))
    c = Stage("C", date(2024, 11, 3), date(2024, 11, 3))
    assert problems(Calendar((a, b))) == [Finding(Problem.SAME_LENGTH_OVERLAP, 2, "1")]
    assert problems(Calendar((a, c))) == []
    assert problems(Calendar((a, a))) == [
        Finding(Problem.DUPLICATE_NAME, 2, "A"),
        Finding(Problem.SAME_LENGTH_OVERLAP, 2, "1"),
    ]


def test_the_stored_form_is_the_file_format() -> None:
    calendar = load_calendar(None)
    assert parse_calendar(calendar_json(calendar)) == calendar
    text = one_stage(window={"every_minutes": 3, "from": "10:00", "until": "24:00"})
    assert json.loads(calendar_json(parse_calendar(text)))["stages"][0]["window"] == {
        "every_minutes": 3,
        "from": "10:00",
        "until": "24:00",
    }


def test_next_stage() -> None:
    calendar = load_calendar(None)
    assert calendar.next_change(date(2024, 11, 27)) == (
        date(2024, 11, 28),
        5,
        calendar.stages[4],
    )
    assert calendar.next_change(date(2024, 9, 23)) == (date(2024, 9, 25), 2, calendar.stages[1])
    assert calendar.next_change(date(2024, 12, 16)) is None


def test_admin_changes() -> None:
    calendar = load_calendar(None)
    today = date(2024, 12, 20)
    change = parse_dates_change("4 | hari ini | 21-12-2024", calendar, today)
    assert (change.number, change.after.first_day, change.after.last_day) == (
        4,
        today,
        date(2024, 12, 21),
    )
    window = parse_rhythm_change("4 jendela 5 10.00-24:00", calendar)
    assert window.after.window == WindowRule(5, 600, 1440)
    assert parse_rhythm_change("4 jendela harian", calendar).after.window is None
    off = parse_rhythm_change("3 pengingat mati", calendar).after
    assert (off.reminders, off.reminder_times) == (False, ())
    mid = parse_rhythm_change("2 pengingat tengah", calendar).after
    assert (mid.reminders, mid.reminder_times) == (True, ())
    digest = parse_rhythm_change("4 rekap 10.10, 07:00", calendar).after
    assert digest.digest_times == (time(7), time(10, 10))
    for args, reason in (
        ("9 | hari ini | hari ini", ChangeError.STAGE),
        ("4 | minggu depan | hari ini", ChangeError.DATE),
        ("4 | 31-11-2024 | hari ini", ChangeError.DATE),
        ("4 | 21 Des 2024 | 32 Des 2024", ChangeError.DATE),
        ("4 | besok lusa | lusa", ChangeError.DATE),
        ("4 | 21-12-2024 | 1-1-2026", ChangeError.DATE),  # after the end of next year
        ("4 hari ini", ChangeError.USAGE),
    ):
        with pytest.raises(ChangeInvalid) as caught:
            parse_dates_change(args, calendar, today)
        assert caught.value.reason is reason
    for args, reason in (
        ("4 libur 07:00", ChangeError.FIELD),
        ("4 rekap 7 pagi", ChangeError.TIMES),
        ("4 pengingat -", ChangeError.TIMES),
        ("4 jendela 0 06:00-24:00", ChangeError.WINDOW),
        ("4 jendela tiap 3 jam", ChangeError.WINDOW),
        ("x rekap 07:00", ChangeError.STAGE),
    ):
        with pytest.raises(ChangeInvalid) as caught:
            parse_rhythm_change(args, calendar)
        assert caught.value.reason is reason, args


@pytest.mark.parametrize(
    ("args", "first", "last"),
    [
        ("3 | 27 Nov 2024 | besok", date(2024, 11, 27), date(2024, 11, 28)),
        ("3 | Rabu, 27 November 2024 | lusa", date(2024, 11, 27), date(2024, 11, 29)),
        ("3 | kemarin lusa | 27/11/2024", date(2024, 11, 25), date(2024, 11, 27)),
        ("3 | 1 Des | 2 Desember 2024", date(2024, 12, 1), date(2024, 12, 2)),
        ("3 | 2024-11-27 | 28-11-24", date(2024, 11, 27), date(2024, 11, 28)),
    ],
)
def test_a_change_of_dates_reads_dates_as_every_command_does(
    args: str, first: date, last: date
) -> None:
    calendar = load_calendar(None)
    change = parse_dates_change(args, calendar, date(2024, 11, 27))
    assert (change.number, change.after.first_day, change.after.last_day) == (3, first, last)
    assert change.after.name == change.before.name


def test_a_digest_at_24_00_closes_the_day_and_is_one_slot_with_the_next_midnight() -> None:
    """Review 18/19: voting day's 21.00-24.00 window had no digest."""
    text = one_stage(digest_times=["12:00", "24:00"], reminder_times=["24:00"])
    with pytest.raises(CalendarInvalid) as caught:  # 24:00 is a digest time only
        parse_calendar(text)
    assert caught.value.findings == [Finding(Problem.BAD_TIMES, 1, "reminder_times")]
    stages = [
        {"name": "Akhir", "start": "2024-12-20", "end": "2024-12-20",
         "digest_times": ["12:00", "24:00"],
         "window": {"every_minutes": 360, "from": "12:00", "until": "24:00"}},
        {"name": "Esok", "start": "2024-12-21", "end": "2024-12-21",
         "digest_times": ["00:00", "07:00"]},
    ]  # fmt: skip
    calendar = parse_calendar(json.dumps({"stages": stages}))
    assert calendar.stages[0].digest_times == (time(12), END_OF_DAY)
    assert json.loads(calendar_json(calendar))["stages"][0]["digest_times"] == ["12:00", "24:00"]
    assert parse_calendar(calendar_json(calendar)) == calendar
    r = rhythm(calendar)
    slots = r.slots(SlotKind.DIGEST, wita(20, month=12), wita(21, 23, month=12))
    assert [f"{m:%d %H:%M}" for m in slots] == ["20 12:00", "21 00:00", "21 07:00"], (
        "24.00 of the 20th and 00.00 of the 21st are one slot"
    )
    period = r.digest_period(wita(21, month=12))
    assert (period.start, period.end) == (wita(20, 18, month=12), wita(21, month=12))
    assert r.is_slot(SlotKind.DIGEST, wita(21, month=12))
    assert time(0) in r.job_times(SlotKind.DIGEST, wita(20, 10, month=12))
    change = parse_rhythm_change("1 rekap 18:00, 24.00", calendar)
    assert change.after.digest_times == (time(18), END_OF_DAY)


def test_problem_details_quote_at_most_a_few_words() -> None:
    """Review 18/19: a file of huge values made a refusal of dozens of messages."""
    with pytest.raises(CalendarInvalid) as caught:
        parse_calendar(one_stage(start="x" * 100_000, **{"y" * 1000: 1}))
    details = [f.detail for f in caught.value.findings]
    assert details == ["y" * 39 + "…", "start " + "x" * 33 + "…"]


def test_a_deeply_nested_file_is_not_json() -> None:
    with pytest.raises(CalendarInvalid) as caught:
        parse_calendar("[" * 100_000)
    assert [f.problem for f in caught.value.findings] == [Problem.NOT_JSON]
