"""Parsing a CSV roster of members for `/impor`: all rows valid, or a list of what is wrong."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

from domain.enums import Role
from domain.members import RosterRow
from domain.parsing import OfficerArgsInvalid, clean_name, parse_kecamatan, parse_user_id
from domain.regions import Region

REQUIRED_COLUMNS = ("user_id", "peran", "kecamatan", "nama")
OPTIONAL_COLUMNS = ("telepon",)
IMPORTABLE_ROLES = (Role.CAMAT, Role.KAPOLSEK, Role.DANRAMIL, Role.KOORDINATOR)
MAX_PHONE = 32


class Problem(StrEnum):
    """What is wrong with a roster file or one of its rows (worded by the text catalogue)."""

    NOT_UTF8 = "not_utf8"
    NOT_TEXT = "not_text"
    EMPTY = "empty"
    BAD_CSV = "bad_csv"
    MISSING_COLUMNS = "missing_columns"
    NO_ROWS = "no_rows"
    BAD_USER_ID = "bad_user_id"
    BAD_ROLE = "bad_role"
    UNKNOWN_KECAMATAN = "unknown_kecamatan"
    KOORDINATOR_KECAMATAN = "koordinator_kecamatan"
    BAD_NAME = "bad_name"
    BAD_PHONE = "bad_phone"
    DUPLICATE_ID = "duplicate_id"
    RESERVED_ID = "reserved_id"


@dataclass(frozen=True)
class Finding:
    """A problem and its detail (a column list, a line number, a typed value), if any."""

    problem: Problem
    detail: str = ""


class RosterFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, emptiness)."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else str(problem))
        self.finding = Finding(problem, detail)


class RosterInvalid(ValueError):
    """Some rows are invalid: (line number, finding) for each."""

    def __init__(self, problems: list[tuple[int, Finding]]) -> None:
        super().__init__(f"{len(problems)} invalid rows")
        self.problems = problems


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of a CSV file as spreadsheet programs save it: UTF-8 with or without BOM (Excel's
    "CSV UTF-8"), comma or semicolon (whichever the header row has more of; Excel in an
    Indonesian locale writes semicolons). The first row is the header.

    Raises RosterFileError (NOT_UTF8, NOT_TEXT, EMPTY, BAD_CSV) for a file that is not a table.
    Shared by every CSV import (`/impor`, `/kerawanan impor`).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError(Problem.NOT_UTF8) from None
    if "\x00" in text:
        raise RosterFileError(Problem.NOT_TEXT)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise RosterFileError(Problem.EMPTY)
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return list(reader)
    except csv.Error:
        # The line only: the csv module's message is English and the line is what helps.
        raise RosterFileError(Problem.BAD_CSV, str(reader.line_num)) from None


def column_index(
    header: list[str], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, int]:
    """Where each known column is in the header row (names ignore case and spacing around
    them, in any order); raises RosterFileError(MISSING_COLUMNS) naming the missing ones."""
    names = [cell.strip().casefold() for cell in header]
    missing = [column for column in required if column not in names]
    if missing:
        raise RosterFileError(Problem.MISSING_COLUMNS, ", ".join(missing))
    return {name: names.index(name) for name in (*required, *optional) if name in names}


def parse_roster(
    data: bytes, region: Region, reserved_ids: frozenset[int] = frozenset()
) -> list[RosterRow]:
    """Parses a roster CSV (UTF-8, optional BOM, comma or semicolon, header row).

    `reserved_ids` (the bootstrap admins) may not appear. Raises RosterFileError for an unusable
    file and RosterInvalid listing every bad row; otherwise returns all rows.
    """
    table = read_csv(data)
    index = column_index(table[0], REQUIRED_COLUMNS, OPTIONAL_COLUMNS)

    rows: list[RosterRow] = []
    problems: list[tuple[int, Finding]] = []
    seen: dict[int, int] = {}
    for line_number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are harmless
        row = _parse_row(cells, index, region)
        if isinstance(row, Finding):
            problems.append((line_number, row))
            continue
        if row.user_id in reserved_ids:
            problems.append((line_number, Finding(Problem.RESERVED_ID)))
            continue
        if row.user_id in seen:
            problems.append((line_number, Finding(Problem.DUPLICATE_ID, str(seen[row.user_id]))))
            continue
        seen[row.user_id] = line_number
        rows.append(row)
    if problems:
        raise RosterInvalid(problems)
    if not rows:
        raise RosterFileError(Problem.NO_ROWS)
    return rows


def _parse_row(cells: list[str], index: dict[str, int], region: Region) -> RosterRow | Finding:
    def cell(name: str) -> str:
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    user_id = parse_user_id(cell("user_id"))
    if user_id is None:
        return Finding(Problem.BAD_USER_ID)
    role = Role.parse(cell("peran"))
    if role not in IMPORTABLE_ROLES:
        return Finding(Problem.BAD_ROLE)
    try:
        kecamatan = parse_kecamatan(role, cell("kecamatan"), region)
    except OfficerArgsInvalid:
        if role.is_field:
            return Finding(Problem.UNKNOWN_KECAMATAN, cell("kecamatan")[:50])
        return Finding(Problem.KOORDINATOR_KECAMATAN)
    name = clean_name(cell("nama"))
    if name is None:
        return Finding(Problem.BAD_NAME)
    phone = cell("telepon") or None
    if phone is not None and (len(phone) > MAX_PHONE or not phone.isprintable()):
        return Finding(Problem.BAD_PHONE)
    return RosterRow(user_id, role, kecamatan, name, phone)
