"""Pure parsers for command arguments; each raises its own ValueError subclass on bad input."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from domain.enums import Level, Role
from domain.regions import Region

MAX_REPORT_TEXT = 3000
MAX_NAME = 200
# Characters that render as nothing; text made only of these counts as empty.
_INVISIBLE = " \t\r\n\u00a0\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
_FIRST_WORD = re.compile(r"\s*(\S+)(?:\s+(.*))?\Z", re.DOTALL)


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


# --- dates, as people write them ---------------------------------------------------------------

EARLIEST_DAY = date(2000, 1, 1)

# Month names as officers write them: Indonesian in full and abbreviated (with the common
# variants Agt/Ags, Nop, Peb), and English in full and abbreviated.
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januari", "jan", "january"),
        ("februari", "feb", "pebruari", "peb", "february"),
        ("maret", "mar", "march"),
        ("april", "apr"),
        ("mei", "may"),
        ("juni", "jun", "june"),
        ("juli", "jul", "july"),
        ("agustus", "agu", "agt", "ags", "agus", "aug", "august"),
        ("september", "sep", "sept"),
        ("oktober", "okt", "oct", "october"),
        ("november", "nov", "nop", "nopember"),
        ("desember", "des", "dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number
# "Rabu, 27 November 2024" (as the bot itself writes dates) may be typed back with its day name.
_DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad")
# Relative days, as days before today: planning commands (`/tahapan ubah`, `/logistik rencana`)
# look ahead with "besok" and "lusa"; commands that read the past refuse a future day themselves.
_RELATIVE = {
    "hari ini": 0,
    "hariini": 0,
    "sekarang": 0,
    "kemarin": 1,
    "kemarin lusa": 2,
    "besok": -1,
    "lusa": -2,
}
_NUMERIC_DATE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})(?:\2(\d{4}|\d{2}))?")
_ISO_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_NAMED_DATE = re.compile(r"(\d{1,2})[\s\-/.]*([a-z']+)\.?(?:[\s\-/.,]*(\d{4}|\d{2}))?")
# Words that join two dates of a period: "1 Nov 2024 sampai 27 Nov 2024", "1/11 - 27/11".
_PERIOD_JOINERS = re.compile(r"\s+(?:-|–|—|s\.?d\.?|s/d|sampai|hingga|sd)\s+")


class DayInvalid(ValueError):
    """A date argument is not a date the bot can read."""


def _year(text: str | None, today: date) -> int:
    if text is None:
        return today.year
    return int(text) + 2000 if len(text) == 2 else int(text)


def _checked(year: int, month: int, day: int, today: date, original: str) -> date:
    try:
        found = date(year, month, day)
    except ValueError:
        raise DayInvalid(original) from None
    if not EARLIEST_DAY <= found <= date(today.year + 1, 12, 31):
        raise DayInvalid(original)
    return found


def parse_day(text: str, today: date) -> date:
    """Reads a date as people type it, relative to `today` (the WITA day).

    Accepted: nothing, `hari ini`, `kemarin`, `kemarin lusa` (two days ago), `besok` and
    `lusa` (tomorrow and the day after); `27-11-2024`, `27/11/2024`,
    `27.11.2024` (day first, as Indonesians write; a 2-digit year is 20xx; without a year, this
    year); `27 Nov 2024`, `27 November 2024`, `27-Nov-2024`, with Indonesian month names in
    full or abbreviated (`Mei`, `Agu`/`Agt`, `Okt`, `Des`) or English ones (`Aug`, `Oct`,
    `Dec`), optionally after a day name ("Rabu, 27 November 2024"); and ISO `2024-11-27`.
    Raises DayInvalid for anything else, impossible dates, and dates before 2000 or after the
    end of next year. A day after `today` is returned as such: callers that read the past
    (`parse_day_range`, `/rekap`) refuse it with their own message.
    """
    words = " ".join(text.casefold().replace(",", " ").split())
    if words in ("",) or words in _RELATIVE:
        return today - timedelta(days=_RELATIVE.get(words, 0))
    first, _, rest = words.partition(" ")
    if first in _DAY_NAMES and rest:
        words = rest
    if match := _ISO_DATE.fullmatch(words):
        return _checked(int(match[1]), int(match[3]), int(match[4]), today, text)
    if match := _NUMERIC_DATE.fullmatch(words):
        return _checked(_year(match[4], today), int(match[3]), int(match[1]), today, text)
    if (match := _NAMED_DATE.fullmatch(words)) and match[2] in _MONTHS:
        return _checked(_year(match[3], today), _MONTHS[match[2]], int(match[1]), today, text)
    raise DayInvalid(text)


def parse_period(text: str, today: date) -> tuple[date, date]:
    """Reads "[dari] [sampai]": one date (that day), two dates, or nothing (today).

    The two dates may be joined by `-`, `s.d.`, `s/d`, `sampai` or `hingga`, or just follow each
    other ("1-11-2024 27-11-2024", "1 Nov 2024 27 Nov 2024"). Raises DayInvalid when it does not
    read as one or two dates; the order of the two is the caller's to check.
    """
    words = " ".join(text.casefold().split())
    try:
        day = parse_day(words, today)
    except DayInvalid:
        pass
    else:
        return day, day
    joined = _PERIOD_JOINERS.split(words)
    if len(joined) == 2:
        return parse_day(joined[0], today), parse_day(joined[1], today)
    parts = words.split(" ")
    for cut in range(1, len(parts)):
        try:
            return (
                parse_day(" ".join(parts[:cut]), today),
                parse_day(" ".join(parts[cut:]), today),
            )
        except DayInvalid:
            continue
    raise DayInvalid(text)


def parse_day_range(
    args: str, today: date, *, max_days: int, default_days: int = 1
) -> tuple[date, date]:
    """`[dari] [sampai]` as local days, read by `parse_period` (one day alone is that day;
    nothing is the last `default_days` days up to today); raises DayInvalid, also for a range
    that ends after today, runs backwards or spans more than `max_days` days."""
    if args.strip():
        first, last = parse_period(args, today)
    else:
        first, last = today - timedelta(days=default_days - 1), today
    if first > last or last > today or (last - first).days >= max_days:
        raise DayInvalid(args)
    return first, last


# --- times of day: 14.05 (EYD) and 14:05 -------------------------------------------------------

_TIME = re.compile(r"(\d{1,2})[.:](\d{2})(?:[.:](\d{2}))?(?:\s*wita)?")


def parse_time_of_day(text: str) -> time:
    """Reads `14.05` or `14:05` (also with seconds, `14.05.30`, and an optional "WITA") into a
    naive `time`; raises ValueError."""
    match = _TIME.fullmatch(text.strip().casefold())
    if not match:
        raise ValueError(text)
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(text)
    return time(hour, minute, second)


def parse_times(text: str) -> tuple[time, ...]:
    """Reads a list of times of day separated by commas or spaces ("07.00, 19.00"), sorted and
    without duplicates; raises ValueError."""
    cleaned = re.sub(r"\s*wita\b", "", text.casefold())
    parts = [part for part in re.split(r"[,;\s]+", cleaned) if part]
    if not parts:
        raise ValueError(text)
    return tuple(sorted({parse_time_of_day(part) for part in parts}))


# --- registration answers --------------------------------------------------------------------

MAX_PHONE = 32
_PHONE_FILLER = re.compile(r"[\s\-.()]")


def parse_phone(text: str) -> str | None:
    """A typed phone number ("0812-3456-7890", "+62 812 3456 7890") without its spacing, or
    None when it is not one (8 to 15 digits, an optional leading +)."""
    compact = _PHONE_FILLER.sub("", text.strip())
    digits = compact.removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or not 8 <= len(digits) <= 15:
        return None
    return compact


def parse_service_number(text: str) -> str | None:
    """An NRP (Polri, TNI) or NIP (civil servants) as digits, or None when it is not one.

    NIP have 18 digits, NRP 8 to 14; people write them with spaces or dots in between.
    """
    digits = re.sub(r"[\s.\-/]", "", text.strip())
    if not digits.isascii() or not digits.isdigit() or not 6 <= len(digits) <= 20:
        return None
    return digits
