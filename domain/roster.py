"""Parsing a CSV roster of members for `/impor`: all rows valid, or a list of what is wrong."""

from __future__ import annotations

import csv
import io

from domain.enums import Role
from domain.members import RosterRow
from domain.parsing import OfficerArgsInvalid, clean_name, parse_kecamatan, parse_user_id
from domain.regions import Region

REQUIRED_COLUMNS = ("user_id", "peran", "kecamatan", "nama")
OPTIONAL_COLUMNS = ("telepon",)
IMPORTABLE_ROLES = (Role.CAMAT, Role.KAPOLSEK, Role.DANRAMIL, Role.KOORDINATOR)
MAX_PHONE = 32


class RosterFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, emptiness)."""


class RosterInvalid(ValueError):
    """Some rows are invalid: (line number, reason) for each."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(problems)} invalid rows")
        self.problems = problems


def parse_roster(
    data: bytes, region: Region, reserved_ids: frozenset[int] = frozenset()
) -> list[RosterRow]:
    """Parses a roster CSV (UTF-8, optional BOM, comma or semicolon, header row).

    `reserved_ids` (the bootstrap admins) may not appear. Raises RosterFileError for an unusable
    file and RosterInvalid listing every bad row; otherwise returns all rows.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError('berkas bukan UTF-8; simpan sebagai "CSV UTF-8"') from None
    if "\x00" in text:
        raise RosterFileError("berkas bukan teks CSV")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise RosterFileError("berkas kosong atau tanpa baris judul")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise RosterFileError(f"format CSV rusak: {exc}") from None
    header = [cell.strip().casefold() for cell in table[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise RosterFileError(f"kolom tidak ada: {', '.join(missing)}")
    index = {
        name: header.index(name)
        for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
        if name in header
    }

    rows: list[RosterRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[int, int] = {}
    for line_number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are harmless
        row, reason = _parse_row(cells, index, region)
        if row is not None and row.user_id in reserved_ids:
            reason = "ID ini admin utama (ADMIN_IDS)"
        elif row is not None and row.user_id in seen:
            reason = f"user_id ganda (juga di baris {seen[row.user_id]})"
        if row is None or reason:
            problems.append((line_number, reason))
            continue
        seen[row.user_id] = line_number
        rows.append(row)
    if problems:
        raise RosterInvalid(problems)
    if not rows:
        raise RosterFileError("tidak ada baris data")
    return rows


def _parse_row(
    cells: list[str], index: dict[str, int], region: Region
) -> tuple[RosterRow | None, str]:
    def cell(name: str) -> str:
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    user_id = parse_user_id(cell("user_id"))
    if user_id is None:
        return None, "user_id harus angka ID Telegram"
    role = Role.parse(cell("peran"))
    if role not in IMPORTABLE_ROLES:
        return None, "peran harus camat, kapolsek, danramil atau koordinator"
    try:
        kecamatan = parse_kecamatan(role, cell("kecamatan"), region)
    except OfficerArgsInvalid:
        if role.is_field:
            return None, f"kecamatan tidak dikenal: {cell('kecamatan')[:50]}"
        return None, "koordinator tanpa kecamatan (isi -)"
    name = clean_name(cell("nama"))
    if name is None:
        return None, "nama kosong atau lebih dari 200 karakter"
    phone = cell("telepon") or None
    if phone is not None and (len(phone) > MAX_PHONE or not phone.isprintable()):
        return None, "telepon tidak valid"
    return RosterRow(user_id, role, kecamatan, name, phone), ""
