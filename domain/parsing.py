"""Pure parsers for command arguments; each raises its own ValueError subclass on bad input."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.enums import Level, Role
from domain.regions import Region

MAX_REPORT_TEXT = 3000
MAX_NAME = 200
# Characters that render as nothing; text made only of these counts as empty.
_INVISIBLE = " \t\r\n\u00a0\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
_FIRST_WORD = re.compile(r"\s*(\S+)(?:\s+(.*))?\Z", re.DOTALL)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def command_args(text: str) -> str:
    """Returns what follows the command word of a message text, without outer whitespace."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def is_blank(text: str) -> bool:
    """Whether `text` has nothing visible in it."""
    return not text.strip(_INVISIBLE)


class QuickReportError(StrEnum):
    """Why a quick report could not be parsed."""

    EMPTY = "empty"
    UNKNOWN_LEVEL = "unknown_level"
    TEXT_REQUIRED = "text_required"
    TOO_LONG = "too_long"


class QuickReportInvalid(ValueError):
    """A quick report's arguments are malformed."""

    def __init__(self, reason: QuickReportError) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class QuickReport:
    """`/lapor <level> <teks>`; an empty text at level Aman is a nihil report."""

    level: Level
    text: str


def parse_quick_report(args: str) -> QuickReport:
    """Parses the arguments of `/lapor` ("waspada ada kerumunan", "aman", "nihil")."""
    match = _FIRST_WORD.match(args)
    if not match or is_blank(args):
        raise QuickReportInvalid(QuickReportError.EMPTY)
    word, rest = match[1], (match[2] or "").strip()
    text = "" if is_blank(rest) else rest
    if word.casefold() == "nihil":
        level: Level | None = Level.AMAN
    else:
        level = Level.parse(word)
    if level is None:
        raise QuickReportInvalid(QuickReportError.UNKNOWN_LEVEL)
    if not text and level is not Level.AMAN:
        raise QuickReportInvalid(QuickReportError.TEXT_REQUIRED)
    if utf16_len(text) > MAX_REPORT_TEXT:
        raise QuickReportInvalid(QuickReportError.TOO_LONG)
    return QuickReport(level, text)


class OfficerArgsError(StrEnum):
    """Why `/tambah` arguments could not be parsed."""

    USAGE = "usage"
    USER_ID = "user_id"
    ROLE = "role"
    KECAMATAN = "kecamatan"
    NAME = "name"


class OfficerArgsInvalid(ValueError):
    """`/tambah` arguments are malformed."""

    def __init__(self, reason: OfficerArgsError) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class OfficerArgs:
    """`/tambah <user_id> | <peran> | <kecamatan> | <nama>`; kecamatan is None off the field."""

    user_id: int
    role: Role
    kecamatan: str | None
    name: str


def parse_user_id(text: str) -> int | None:
    """A positive numeric Telegram user id, or None."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**53:
        return None
    return int(text)


def clean_name(text: str) -> str | None:
    """A person's name with whitespace collapsed, or None when empty or too long."""
    name = " ".join(text.split())
    if is_blank(name) or len(name) > MAX_NAME:
        return None
    return name


def parse_kecamatan(role: Role, text: str, region: Region) -> str | None:
    """The canonical kecamatan of a field role; "-" (or nothing) for koordinator and admin.

    Raises OfficerArgsInvalid(KECAMATAN) when it does not fit the role.
    """
    if not role.is_field:
        if text.strip() not in ("", "-"):
            raise OfficerArgsInvalid(OfficerArgsError.KECAMATAN)
        return None
    kecamatan = region.find(text)
    if kecamatan is None:
        raise OfficerArgsInvalid(OfficerArgsError.KECAMATAN)
    return kecamatan


def parse_officer_args(args: str, region: Region) -> OfficerArgs:
    """Parses `/tambah` arguments, matching the kecamatan against `region`."""
    fields = [field.strip() for field in args.split("|")]
    if len(fields) != 4:
        raise OfficerArgsInvalid(OfficerArgsError.USAGE)
    user_text, role_text, kecamatan_text, name_text = fields
    user_id = parse_user_id(user_text)
    if user_id is None:
        raise OfficerArgsInvalid(OfficerArgsError.USER_ID)
    role = Role.parse(role_text)
    if role is None:
        raise OfficerArgsInvalid(OfficerArgsError.ROLE)
    kecamatan = parse_kecamatan(role, kecamatan_text, region)
    name = clean_name(name_text)
    if name is None:
        raise OfficerArgsInvalid(OfficerArgsError.NAME)
    return OfficerArgs(user_id, role, kecamatan, name)


EARLIEST_DAY = date(2000, 1, 1)


class DayInvalid(ValueError):
    """A date argument is not `YYYY-MM-DD`, `hari ini` or `kemarin`."""


def parse_day(text: str, today: date) -> date:
    """Parses a date argument relative to `today` (the WITA day)."""
    words = " ".join(text.casefold().split())
    if words in ("", "hari ini", "hariini"):
        return today
    if words == "kemarin":
        return today - timedelta(days=1)
    match = _ISO_DATE.match(words)
    if not match:
        raise DayInvalid(text)
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise DayInvalid(text) from None
    if not EARLIEST_DAY <= day <= date(today.year + 1, 12, 31):
        raise DayInvalid(text)
    return day


def parse_day_range(
    args: str, today: date, *, max_days: int, default_days: int = 1
) -> tuple[date, date]:
    """`[dari] [sampai]` as local days (one day alone is that day; nothing is the last
    `default_days` days up to today); raises DayInvalid, also for a range that ends after
    today, runs backwards or spans more than `max_days` days."""
    words = " ".join(args.casefold().split()).replace("hari ini", "hariini").split()
    if len(words) > 2:
        raise DayInvalid(args)
    if words:
        days = [parse_day(word, today) for word in words]
        first, last = days[0], days[-1]
    else:
        first, last = today - timedelta(days=default_days - 1), today
    if first > last or last > today or (last - first).days >= max_days:
        raise DayInvalid(args)
    return first, last
