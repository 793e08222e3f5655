"""Building the export files (CSV and XLSX) and the chart, off the event loop.

Everything here is synchronous and meant for `asyncio.to_thread`: it opens its own read-only
connection, streams rows, and writes files in a temporary folder.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import xlsxwriter

from bot import texts
from bot.sheets import write_cells
from domain.conditions import daily_conditions, tally_reports
from domain.enums import Level, Role
from domain.kinerja import kinerja, resolve_seconds, take_up_seconds
from handlers.arahan.sheet import write_arahan_sheets
from handlers.kerawanan.sheet import write_kerawanan_sheet
from handlers.reading.streamsheet import StreamedRows
from storage.db import private_file, to_sql_time
from storage.export import (
    daily_levels,
    incident_rows,
    incident_timelines,
    member_rows,
    open_reader,
    report_rows,
)
from storage.incidents import incident_from_row

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


def build_export(
    db_path: Path,
    first: date,
    last: date,
    tz: ZoneInfo,
    folder: Path,
    *,
    directory: bool = False,
    logistics: Sequence[Sequence[object]] = (),
) -> ExportFiles:
    """Writes `laporan_<first>_<last>.csv` and `.xlsx` for the local days first..last.

    The reports are read once and each row goes to both files, so the query and the
    conversion of every row run once for the two files. The Petugas sheet lists active members
    without phone numbers, unless `directory` (an admin's private chat) asks for everyone. The
    Logistik sheet has the `logistics` rows (texts.logistics_rows), read before the thread.

    The CSV holds the Laporan table only: a CSV file is one table, and the incident sheets are
    small and belong with the workbook. A Waspada+ row's number is also its incident's number,
    so the CSV joins with the Insiden sheet on `nomor`.
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
        StreamedRows(len(REPORT_COLUMNS), folder) as rows,
    ):
        with xlsxwriter.Workbook(str(xlsx_path), options) as workbook:
            bold = workbook.add_format({"bold": True})
            sheet = workbook.add_worksheet(texts.SHEET_REPORTS)  # the first: sheet1.xml
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
                    rows.write(count, values)  # the cells XlsxWriter would write, faster
            _members_sheet(workbook, conn, tz, bold, directory=directory)
            _summary_sheet(workbook, conn, span, tz, first, last, bold)
            _incident_sheets(workbook, conn, span, tz, bold)
            _logistics_sheet(workbook, logistics, bold)
            write_arahan_sheets(workbook, conn, span, tz, bold)
            write_kerawanan_sheet(workbook, conn, bold)
        rows.splice(xlsx_path)
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
        write_cells(members, index, [*cells, row["phone"] or ""] if directory else cells)


def _logistics_sheet(
    workbook: xlsxwriter.Workbook,
    rows: Sequence[Sequence[object]],
    bold: xlsxwriter.format.Format,
) -> None:
    """Kecamatan x logistics stage: state, deadline, time and officer of the confirmation."""
    sheet = workbook.add_worksheet(texts.SHEET_LOGISTICS)
    sheet.write_row(0, 0, texts.LOGISTICS_COLUMNS, bold)
    sheet.set_column(2, 2, 28)
    for index, values in enumerate(rows, start=1):
        write_cells(sheet, index, values)


def _summary_sheet(
    workbook: xlsxwriter.Workbook,
    conn: sqlite3.Connection,
    span: tuple[str, str],
    tz: ZoneInfo,
    first: date,
    last: date,
    bold: xlsxwriter.format.Format,
) -> None:
    """Kecamatan x day: the condition of the day (its worst moment, as in /grafik) and the
    number of reports."""
    offset = int(
        (tz.utcoffset(datetime.combine(first, datetime.min.time())) or timedelta()).total_seconds()
    )
    counts = [
        (kecamatan, date.fromisoformat(day), Level(level), n)
        for day, kecamatan, level, n in daily_levels(conn, *span, offset)
    ]
    tallied = tally_reports(counts)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    conditions = daily_conditions(days, tz, incident_timelines(conn, *span), tallied)
    sheet = workbook.add_worksheet(texts.SHEET_DAILY)
    sheet.write_row(0, 0, [texts.DAILY_FIRST_COLUMN, *(d.isoformat() for d in days)], bold)
    names = sorted({name for (name, _), level in conditions.items() if level is not None})
    for index, name in enumerate(names, start=1):
        cells = []
        for day in days:
            level = conditions[(name, day)]
            count = tallied[(name, day)].count if (name, day) in tallied else 0
            cells.append("" if level is None else f"{texts.LEVEL_LABEL[level]} ({count})")
        sheet.write_row(index, 0, [name, *cells])


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _incident_sheets(
    workbook: xlsxwriter.Workbook,
    conn: sqlite3.Connection,
    span: tuple[str, str],
    tz: ZoneInfo,
    bold: xlsxwriter.format.Format,
) -> None:
    """Insiden: one row per incident opened in the period; Kinerja: its time to take up and
    to resolve per kecamatan (as /kinerja), the upgrade's closings left out of the latter."""
    sheet = workbook.add_worksheet(texts.SHEET_INCIDENTS)
    sheet.write_row(0, 0, texts.INCIDENT_COLUMNS, bold)
    sheet.set_column(5, 9, 19)
    sheet.set_column(10, 10, 60)
    incidents = []
    for index, row in enumerate(incident_rows(conn, *span), start=1):
        incident = incident_from_row(row)
        incidents.append(incident)
        values: list[object] = [
            incident.number,
            incident.kecamatan,
            texts.LEVEL_LABEL[incident.level],
            texts.category_label(incident.category) if incident.category else None,
            texts.INCIDENT_STATE_LABEL[incident.state.value],
            _local(row["opened_at"], tz),
            incident.taken_by_name,
            _local(row["taken_at"], tz),
            incident.closed_by_name,
            _local(row["closed_at"], tz),
            incident.closing_note,
            _minutes(take_up_seconds(incident)),
            _minutes(resolve_seconds(incident)),
            row["updates"],
        ]
        write_cells(sheet, index, values)
    report = kinerja(incidents)
    summary = workbook.add_worksheet(texts.SHEET_KINERJA)
    summary.write_row(0, 0, texts.KINERJA_COLUMNS, bold)
    summary.set_column(0, 0, 20)
    rows = [(texts.KINERJA_ALL, report.overall), *report.kecamatan] if incidents else []
    for index, (name, figures) in enumerate(rows, start=1):
        take_up, resolve = figures.take_up, figures.resolve
        write_cells(
            summary,
            index,
            [
                name,
                figures.opened,
                figures.taken_up,
                figures.resolved,
                figures.migrated,
                figures.still_open,
                _minutes(take_up.median if take_up else None),
                _minutes(take_up.worst if take_up else None),
                _minutes(resolve.median if resolve else None),
                _minutes(resolve.worst if resolve else None),
            ],
        )
