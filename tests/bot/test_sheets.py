"""Cells of the export workbook: text shows as typed, even text shaped like XlsxWriter's markup."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlsxwriter

from bot.sheets import write_cells
from handlers.reading.streamsheet import StreamedRows

OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
MARKUP_LIKE = ["<r>a&b</r>", "<r> spasi </r>", "<r></r>", "<r><t>x</t></r>"]


def test_text_shaped_like_rich_markup_opens_and_reads_as_typed(tmp_path: Path) -> None:
    """XlsxWriter writes such a string into the sheet's XML unescaped (`<r>a&b</r>` made a
    workbook no spreadsheet program opens): a name or an arahan typed that way must not."""
    path = tmp_path / "petugas.xlsx"
    with xlsxwriter.Workbook(str(path), OPTIONS) as workbook:
        sheet = workbook.add_worksheet("Petugas")
        write_cells(sheet, 0, [1, *MARKUP_LIKE, None, "biasa"])
        write_cells(sheet, 1, ["x" * 40_000])
    rows = read(path, "Petugas")
    assert rows[0] == (1, *MARKUP_LIKE, None, "biasa")
    assert rows[1][0] == "x" * 32_767, "cut at Excel's limit, like any text"


def test_the_streamed_laporan_rows_escape_it_too(tmp_path: Path) -> None:
    path = tmp_path / "laporan.xlsx"
    with StreamedRows(len(MARKUP_LIKE), tmp_path) as rows:
        with xlsxwriter.Workbook(str(path), OPTIONS) as workbook:
            workbook.add_worksheet("Laporan").write_row(0, 0, ["kolom"] * len(MARKUP_LIKE))
            rows.write(1, MARKUP_LIKE)
        rows.splice(path)
    values = read(path, "Laporan")
    assert values[1] == tuple(MARKUP_LIKE)


def read(path: Path, name: str) -> list[tuple[object, ...]]:
    """The values of sheet `name` as a spreadsheet program reads them."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(workbook[name].values)
    finally:
        workbook.close()
