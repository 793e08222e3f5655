"""Building the export files (CSV and XLSX) and the chart, off the event loop.

Everything here is synchronous and meant for `asyncio.to_thread`: it opens its own read-only
connection, streams rows, and writes files in a temporary folder.
"""

from __future__ import annotations

import csv
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from bot import texts
from domain.enums import Level, Role
from handlers.arahan.sheet import write_arahan_sheets
from storage.db import private_file, to_sql_time
from storage.export import daily_levels, member_rows, open_reader, report_rows

REPORT_COLUMNS = texts.REPORT_COLUMNS
MEMBER_COLUMNS = texts.MEMBER_COLUMNS
# The member directory (phone numbers, pending, rejected and inactive people) is for admins:
# only an export into an admin's private chat carries it.
DIRECTORY_COLUMNS = (*MEMBER_COLUMNS, texts.PHONE_COLUMN)


@dataclass(frozen=True)
class ExportFiles:
    """The files of one export."""

    csv_path: Path
    xlsx_path: Path
    reports: int


def _local(text: str | None, tz: ZoneInfo) -> str | None:
    """A stored UTC time as local 'YYYY-MM-DD HH:MM:SS' (None when there is none)."""
    if not text:
        return None
    # The stored form is ISO 8601; fromisoformat reads it many times faster than the strptime
    # behind from_sql_time, and this runs for every exported row.
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _csv_safe(value: object) -> object:
    """Keeps spreadsheet programs from running cell text as a formula (=, +, -, @, tab, CR)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _report_values(r: sqlite3.Row, tz: ZoneInfo) -> list[object]:
    """One report's cells; None is an empty cell (an empty CSV field, no XLSX cell)."""
    return [
        r["id"],
        _local(r["created_at"], tz),
        r["kecamatan"],
        texts.ROLE_NAMES[Role(r["role"])],
        r["officer_name"] or None,
        r["officer_id"],
        texts.LEVEL_LABEL[Level(r["level"])],
        texts.category_label(r["category"]) if r["category"] else None,
        r["text"] or None,
        r["corrections"] or None,
        r["photo_count"],
        r["latitude"],
        r["longitude"],
        r["acked_by_name"] or None,
        _local(r["acked_at"], tz),
        r["ack_seconds"],
    ]


def _write_cells(sheet: Worksheet, row: int, values: Sequence[object]) -> None:
    """Writes one row with the typed calls: XlsxWriter's generic `write` inspects every value
    and costs about a third more on the 1.6 million cells of 100,000 reports."""
    write_string, write_number = sheet.write_string, sheet.write_number
    for col, value in enumerate(values):
        if isinstance(value, str):
            write_string(row, col, value)
        elif isinstance(value, int | float):
            write_number(row, col, value)


def build_export(
    db_path: Path,
    first: date,
    last: date,
    tz: ZoneInfo,
    folder: Path,
    *,
    directory: bool = False,
) -> ExportFiles:
    """Writes `laporan_<first>_<last>.csv` and `.xlsx` for the local days first..last.

    The reports are read once and each row goes to both files, so the query and the
    conversion of every row run once for the two files. The Petugas sheet lists active members
    without phone numbers, unless `directory` (an admin's private chat) asks for everyone.
    """
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    span = (to_sql_time(start), to_sql_time(end))
    stem = f"laporan_{first:%Y-%m-%d}_{last:%Y-%m-%d}"
    csv_path, xlsx_path = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    # Officers' text is data, never formulas or links (spreadsheet formula injection).
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with (
        closing(open_reader(db_path)) as conn,
        xlsxwriter.Workbook(str(xlsx_path), options) as workbook,
    ):
        bold = workbook.add_format({"bold": True})
        sheet = workbook.add_worksheet(texts.SHEET_REPORTS)
        sheet.write_row(0, 0, REPORT_COLUMNS, bold)
        sheet.set_column(1, 1, 19)
        sheet.set_column(8, 9, 60)
        count = 0
        # UTF-8 with BOM so Excel opens Indonesian text correctly.
        private_file(csv_path)
        with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(REPORT_COLUMNS)
            for count, row in enumerate(report_rows(conn, *span), start=1):
                values = _report_values(row, tz)
                writer.writerow([_csv_safe(value) for value in values])
                _write_cells(sheet, count, values)
        _members_sheet(workbook, conn, tz, bold, directory=directory)
        _summary_sheet(workbook, conn, span, tz, first, last, bold)
        write_arahan_sheets(workbook, conn, span, tz, bold)
    private_file(xlsx_path)  # written by XlsxWriter with the default mode
    return ExportFiles(csv_path, xlsx_path, count)


def _members_sheet(
    workbook: xlsxwriter.Workbook,
    conn: sqlite3.Connection,
    tz: ZoneInfo,
    bold: xlsxwriter.format.Format,
    *,
    directory: bool,
) -> None:
    """Members with their number of reports and the time of the last one."""
    members = workbook.add_worksheet(texts.SHEET_MEMBERS)
    members.write_row(0, 0, DIRECTORY_COLUMNS if directory else MEMBER_COLUMNS, bold)
    for index, row in enumerate(member_rows(conn, active_only=not directory), start=1):
        cells = [
            row["user_id"],
            row["name"],
            texts.ROLE_NAMES[Role(row["role"])],
            row["kecamatan"] or "",
            row["state"],
            row["reports"],
            _local(row["last_report_at"], tz),
        ]
        members.write_row(index, 0, [*cells, row["phone"] or ""] if directory else cells)


def _summary_sheet(
    workbook: xlsxwriter.Workbook,
    conn: sqlite3.Connection,
    span: tuple[str, str],
    tz: ZoneInfo,
    first: date,
    last: date,
    bold: xlsxwriter.format.Format,
) -> None:
    """Kecamatan x day: the worst level of the day and the number of reports."""
    offset = int(
        (tz.utcoffset(datetime.combine(first, datetime.min.time())) or timedelta()).total_seconds()
    )
    worst: dict[tuple[str, str], int] = {}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for day, kecamatan, level, n in daily_levels(conn, *span, offset):
        worst[(kecamatan, day)] = max(level, worst.get((kecamatan, day), 0))
        counts[(kecamatan, day)] += n
    days = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    sheet = workbook.add_worksheet(texts.SHEET_DAILY)
    sheet.write_row(0, 0, [texts.DAILY_FIRST_COLUMN, *days], bold)
    names = sorted({k for k, _ in counts})
    for index, name in enumerate(names, start=1):
        cells = [
            f"{texts.LEVEL_LABEL[Level(worst[(name, d)])]} ({counts[(name, d)]})"
            if (name, d) in counts
            else ""
            for d in days
        ]
        sheet.write_row(index, 0, [name, *cells])
