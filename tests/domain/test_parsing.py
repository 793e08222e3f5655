import contextlib
import re
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.regions import load_region
from domain.enums import Level, Role
from domain.parsing import (
    MAX_REPORT_TEXT,
    DayInvalid,
    OfficerArgsError,
    OfficerArgsInvalid,
    QuickReport,
    QuickReportError,
    QuickReportInvalid,
    command_args,
    parse_day,
    parse_day_range,
    parse_officer_args,
    parse_period,
    parse_phone,
    parse_quick_report,
    parse_service_number,
    parse_time_of_day,
    parse_times,
)
from domain.regions import Region

REGION = load_region()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("aman", QuickReport(Level.AMAN, "")),
        ("AMAN", QuickReport(Level.AMAN, "")),
        ("nihil", QuickReport(Level.AMAN, "")),
        ("aman \u200b", QuickReport(Level.AMAN, "")),
        ("aman pasar ramai, tertib", QuickReport(Level.AMAN, "pasar ramai, tertib")),
        ("Waspada  ada kerumunan", QuickReport(Level.WASPADA, "ada kerumunan")),
        ("rawan baris 1\nbaris 2", QuickReport(Level.RAWAN, "baris 1\nbaris 2")),
        ("darurat <b>blokade</b> & bakar", QuickReport(Level.DARURAT, "<b>blokade</b> & bakar")),
    ],
)
def test_quick_report(args: str, expected: QuickReport) -> None:
    assert parse_quick_report(args) == expected


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ("", QuickReportError.EMPTY),
        ("  \u200b ", QuickReportError.EMPTY),
        ("banjir di desa", QuickReportError.UNKNOWN_LEVEL),
        ("waspada", QuickReportError.TEXT_REQUIRED),
        ("darurat \u200b\u200d", QuickReportError.TEXT_REQUIRED),
        ("rawan " + "x" * (MAX_REPORT_TEXT + 1), QuickReportError.TOO_LONG),
    ],
)
def test_quick_report_rejected(args: str, reason: QuickReportError) -> None:
    with pytest.raises(QuickReportInvalid) as caught:
        parse_quick_report(args)
    assert caught.value.reason is reason


def test_quick_report_at_the_length_limit() -> None:
    assert len(parse_quick_report("rawan " + "x" * MAX_REPORT_TEXT).text) == MAX_REPORT_TEXT


@given(st.text())
def test_quick_report_never_fails_unexpectedly(args: str) -> None:
    try:
        report = parse_quick_report(args)
    except QuickReportInvalid:
        return
    assert isinstance(report.level, Level)
    assert len(report.text) <= MAX_REPORT_TEXT
    assert report.text or report.level is Level.AMAN


def test_command_args() -> None:
    assert command_args("/lapor@PoskoBot  aman  ") == "aman"
    assert command_args("/lapor") == ""
    assert command_args("/lapor\nrawan teks") == "rawan teks"


@pytest.mark.parametrize(
    "kecamatan", ["Sangatta Utara", "sangatta utara", "SangattaUtara", " SANGATTA-utara "]
)
def test_officer_args(kecamatan: str) -> None:
    args = parse_officer_args(f"42 | Kapolsek | {kecamatan} |  AKP  Budi Santoso ", REGION)
    assert args.user_id == 42
    assert args.role is Role.KAPOLSEK
    assert args.kecamatan == "Sangatta Utara"
    assert args.name == "AKP Budi Santoso"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ("", OfficerArgsError.USAGE),
        ("42 camat Bengalon Budi", OfficerArgsError.USAGE),
        ("42 | camat | Bengalon", OfficerArgsError.USAGE),
        ("42 | camat | Bengalon | Budi | extra", OfficerArgsError.USAGE),
        ("@budi | camat | Bengalon | Budi", OfficerArgsError.USER_ID),
        ("-42 | camat | Bengalon | Budi", OfficerArgsError.USER_ID),
        ("٤٢ | camat | Bengalon | Budi", OfficerArgsError.USER_ID),
        ("0 | camat | Bengalon | Budi", OfficerArgsError.USER_ID),
        ("42 | lurah | Bengalon | Budi", OfficerArgsError.ROLE),
        ("42 | camat | Samarinda | Budi", OfficerArgsError.KECAMATAN),
        ("42 | camat | Bengalon |  ", OfficerArgsError.NAME),
        ("42 | camat | Bengalon | " + "n" * 201, OfficerArgsError.NAME),
    ],
)
def test_officer_args_rejected(args: str, reason: OfficerArgsError) -> None:
    with pytest.raises(OfficerArgsInvalid) as caught:
        parse_officer_args(args, REGION)
    assert caught.value.reason is reason


@given(st.text(alphabet=st.characters(), max_size=300))
def test_officer_args_never_fail_unexpectedly(args: str) -> None:
    try:
        parsed = parse_officer_args(args, REGION)
    except OfficerArgsInvalid:
        return
    assert parsed.kecamatan in REGION.kecamatan


@given(st.lists(st.text(max_size=30), min_size=4, max_size=4))
def test_officer_args_fuzzed_fields(fields: list[str]) -> None:
    with contextlib.suppress(OfficerArgsInvalid):
        parse_officer_args(" | ".join(fields), Region("X", ("Bengalon",)))


TODAY = date(2024, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", TODAY),
        ("hari ini", TODAY),
        ("Hari  Ini", TODAY),
        ("sekarang", TODAY),
        ("kemarin", date(2024, 11, 26)),
        ("kemarin lusa", date(2024, 11, 25)),
        ("Kemarin  Lusa", date(2024, 11, 25)),
        ("besok", date(2024, 11, 28)),
        ("Besok", date(2024, 11, 28)),
        ("lusa", date(2024, 11, 29)),
        ("2024-11-01", date(2024, 11, 1)),
        ("2024-1-1", date(2024, 1, 1)),
        ("27-11-2024", date(2024, 11, 27)),
        ("27/11/2024", date(2024, 11, 27)),
        ("27.11.2024", date(2024, 11, 27)),
        ("1/2/2024", date(2024, 2, 1)),
        ("27-11-24", date(2024, 11, 27)),
        ("27/11", date(2024, 11, 27)),
        ("27 Nov 2024", date(2024, 11, 27)),
        ("27 november 2024", date(2024, 11, 27)),
        ("27-Nov-2024", date(2024, 11, 27)),
        ("27 Nop 2024", date(2024, 11, 27)),
        ("27nov2024", date(2024, 11, 27)),
        ("27 Nov", date(2024, 11, 27)),
        ("5 Mei 2024", date(2024, 5, 5)),
        ("5 May 2024", date(2024, 5, 5)),
        ("17 Agu 2024", date(2024, 8, 17)),
        ("17 Agt 2024", date(2024, 8, 17)),
        ("17 Agustus 2024", date(2024, 8, 17)),
        ("17 Aug 2024", date(2024, 8, 17)),
        ("1 Okt 2024", date(2024, 10, 1)),
        ("1 Oct 2024", date(2024, 10, 1)),
        ("1 Oktober 2024", date(2024, 10, 1)),
        ("25 Des 2024", date(2024, 12, 25)),
        ("25 Dec 2024", date(2024, 12, 25)),
        ("25 Desember 2024", date(2024, 12, 25)),
        ("3 Januari 2025", date(2025, 1, 3)),
        ("29 Feb 2024", date(2024, 2, 29)),
        ("1 Maret 2024", date(2024, 3, 1)),
        ("1 Apr 2024", date(2024, 4, 1)),
        ("1 Juni 2024", date(2024, 6, 1)),
        ("1 Jul 2024", date(2024, 7, 1)),
        ("22 Sep 2024", date(2024, 9, 22)),
        ("22 Sept 2024", date(2024, 9, 22)),
        ("Rabu, 27 November 2024", date(2024, 11, 27)),  # as the bot writes dates
        ("27 Nov. 2024", date(2024, 11, 27)),
    ],
)
def test_parse_day(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["2024-02-30", "31/11/2024", "29 Feb 2023", "besok lusa", "27 Novem 2024", "11/27/2024",
     "27-11/2024", "1999-12-31", "1-1-2026", "14.05.2024.1", "27", "nov 2024", "0/11/2024",
     "lusa besok", "minggu depan"],
)  # fmt: skip
def test_parse_day_rejected(text: str) -> None:
    with pytest.raises(DayInvalid):
        parse_day(text, TODAY)


@given(st.text(max_size=40))
def test_parse_day_never_fails_unexpectedly(text: str) -> None:
    with contextlib.suppress(DayInvalid):
        parse_day(text, TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (date(2024, 11, 21), TODAY)),
        ("hari ini", (TODAY, TODAY)),
        ("kemarin", (date(2024, 11, 26), date(2024, 11, 26))),
        ("2024-11-01 kemarin", (date(2024, 11, 1), date(2024, 11, 26))),
        ("kemarin  Hari Ini", (date(2024, 11, 26), TODAY)),
        ("2023-11-28 2024-11-27", (date(2023, 11, 28), TODAY)),
    ],
)
def test_parse_day_range(text: str, expected: tuple[date, date]) -> None:
    assert parse_day_range(text, TODAY, max_days=366, default_days=7) == expected


@pytest.mark.parametrize(
    "text",
    ["2024-11-27 2024-11-01", "besok", "lusa", "kemarin besok", "2024-11-28", "28 Nov 2024",
     "2023-11-27 2024-11-27", "a b c", "1 2 3"],
)  # fmt: skip
def test_parse_day_range_rejected(text: str) -> None:
    with pytest.raises(DayInvalid):
        parse_day_range(text, TODAY, max_days=366)


@given(st.text(max_size=40), st.integers(1, 400), st.integers(1, 30))
def test_parse_day_range_is_a_short_enough_range_up_to_today(
    text: str, max_days: int, default_days: int
) -> None:
    try:
        first, last = parse_day_range(text, TODAY, max_days=max_days, default_days=default_days)
    except DayInvalid:
        return
    assert first <= last <= TODAY
    assert (last - first).days < max_days


MONTHS_WRITTEN = ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
                  "september", "oktober", "november", "desember")  # fmt: skip


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2025, 12, 31)))
def test_every_way_of_writing_a_day_reads_the_same(day: date) -> None:
    month = MONTHS_WRITTEN[day.month - 1]
    written = [
        day.isoformat(),
        f"{day.day}-{day.month}-{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}.{day.month}.{day.year}",
        f"{day.day} {month} {day.year}",
        f"{day.day} {month[:3]} {day.year}",
        f"{day.day} {month.upper()} {day.year}",
        f"{day:%d %b %Y}",  # English abbreviations
    ]
    for text in written:
        assert parse_day(text, TODAY) == day, text


@given(st.integers(min_value=-2, max_value=2))
def test_relative_days(back: int) -> None:
    words = {-2: "lusa", -1: "besok", 0: "hari ini", 1: "kemarin", 2: "kemarin lusa"}[back]
    assert parse_day(words, TODAY) == TODAY - timedelta(days=back)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (TODAY, TODAY)),
        ("27-11-2024", (date(2024, 11, 27), date(2024, 11, 27))),
        ("kemarin hari ini", (date(2024, 11, 26), TODAY)),
        ("20-11-2024 27-11-2024", (date(2024, 11, 20), TODAY)),
        ("1 Nov 2024 27 Nov 2024", (date(2024, 11, 1), TODAY)),
        ("1 Nov 2024 - 27 Nov 2024", (date(2024, 11, 1), TODAY)),
        ("1/11/2024 s.d. 27/11/2024", (date(2024, 11, 1), TODAY)),
        ("1 Nov 2024 sampai kemarin", (date(2024, 11, 1), date(2024, 11, 26))),
        ("2024-11-01 hingga 2024-11-27", (date(2024, 11, 1), TODAY)),
        ("kemarin lusa hari ini", (date(2024, 11, 25), TODAY)),
        ("besok lusa", (date(2024, 11, 28), date(2024, 11, 29))),  # parse_day_range refuses
    ],
)
def test_parse_period(text: str, expected: tuple[date, date]) -> None:
    assert parse_period(text, TODAY) == expected


@pytest.mark.parametrize("text", ["1 2 3", "besok depan", "27-11-2024 28-11-2024 29-11-2024"])
def test_parse_period_rejected(text: str) -> None:
    with pytest.raises(DayInvalid):
        parse_period(text, TODAY)


@given(st.dates(min_value=date(2000, 1, 1), max_value=TODAY),
       st.dates(min_value=date(2000, 1, 1), max_value=TODAY))  # fmt: skip
def test_a_period_reads_back_whatever_the_joiner(first: date, last: date) -> None:
    for joiner in (" ", " - ", " s.d. ", " sampai "):
        text = f"{first:%d/%m/%Y}{joiner}{last.day} {MONTHS_WRITTEN[last.month - 1]} {last.year}"
        assert parse_period(text, TODAY) == (first, last), text


@given(st.text(max_size=60))
def test_parse_period_never_fails_unexpectedly(text: str) -> None:
    with contextlib.suppress(DayInvalid):
        parse_period(text, TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.05", time(14, 5)),
        ("14:05", time(14, 5)),
        ("7.00", time(7)),
        ("07:00:30", time(7, 0, 30)),
        ("07.00.30", time(7, 0, 30)),
        (" 19.00 WITA ", time(19)),
    ],
)
def test_times_with_a_dot_or_a_colon(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["24.00", "14.60", "1405", "14,05", "14.5", "jam 2"])
def test_bad_times(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(text)):
        parse_time_of_day(text)


def test_lists_of_times() -> None:
    expected = (time(7), time(12), time(19))
    for text in ("07.00,12.00,19.00", "07:00, 12.00 19:00", "19.00 WITA, 07.00, 12.00, 07:00"):
        assert parse_times(text) == expected


@given(st.times().map(lambda t: t.replace(microsecond=0)), st.sampled_from([".", ":"]))
def test_a_time_reads_back(moment: time, separator: str) -> None:
    text = f"{moment:%H}{separator}{moment:%M}{separator}{moment:%S}"
    assert parse_time_of_day(text) == moment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0812-3456-7890", "081234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("(0549) 21234", "054921234"),
        ("halo", None),
        ("0812", None),
        ("+62 812 3456 7890 1234", None),
        ("٠٨١٢٣٤٥٦٧٨٩", None),
    ],
)
def test_phone_numbers(text: str, expected: str | None) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85010123", "85010123"),
        ("19700101 199503 1 001", "197001011995031001"),
        ("11.960.123", "11960123"),
        ("NRP 123", None),
        ("12345", None),
    ],
)
def test_service_numbers(text: str, expected: str | None) -> None:
    assert parse_service_number(text) == expected


@given(st.text(max_size=40))
def test_parse_times_only_raises_value_error(text: str) -> None:
    try:
        times = parse_times(text)
    except ValueError:
        return
    assert list(times) == sorted(set(times))
