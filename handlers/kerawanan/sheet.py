"""The /ekspor sheet of the vulnerability map, in the import file's columns (a copy saved as CSV
can be imported again). Synchronous, like the rest of the workbook (handlers.reading.workbook):
it runs in the export's worker thread on its read-only connection."""

from __future__ import annotations

import sqlite3

import xlsxwriter

from bot import texts
from bot.sheets import write_text
from domain.kerawanan import map_rows
from storage.kerawanan import export_map

TPS_COLUMN = texts.KERAWANAN_COLUMNS.index("tps")


def write_kerawanan_sheet(
    workbook: xlsxwriter.Workbook, conn: sqlite3.Connection, bold: xlsxwriter.format.Format
) -> None:
    """Adds the Kerawanan sheet: the map in force, kecamatan (tinggi first), then the TPS."""
    sheet = workbook.add_worksheet(texts.SHEET_KERAWANAN)
    sheet.write_row(0, 0, texts.KERAWANAN_COLUMNS, bold)
    sheet.set_column(1, 1, 18)
    sheet.set_column(3, 3, 45)
    sheet.set_column(5, 6, 30)
    for index, row in enumerate(map_rows(export_map(conn)), start=1):
        for col, value in enumerate(row):
            if value and col == TPS_COLUMN:
                sheet.write_number(index, col, int(value))
            elif value:
                write_text(sheet, index, col, value)
