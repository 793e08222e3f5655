import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.regions import load_region
from bot.settings import parse_times
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
    parse_quick_report,
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
        ("kemarin", date(2024, 11, 26)),
        ("2024-11-01", date(2024, 11, 1)),
    ],
)
def test_parse_day(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize("text", ["27-11-2024", "2024-02-30", "besok", "2024-1-1"])
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
    ["2024-11-27 2024-11-01", "besok", "2024-11-28", "2023-11-27 2024-11-27", "a b c", "1 2 3"],
)
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


@given(st.text(max_size=40))
def test_parse_times_only_raises_value_error(text: str) -> None:
    try:
        times = parse_times(text)
    except ValueError:
        return
    assert list(times) == sorted(set(times))
