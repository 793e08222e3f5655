"""The export's large sheet, written row by row as XML, is what XlsxWriter writes cell by cell."""

from __future__ import annotations

import random
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import openpyxl
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sheets import write_cells
from handlers.reading.streamsheet import StreamedRows

HEADER = [f"kolom {i}" for i in range(16)]
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
TRICKY = [
    "biasa",
    "",
    " spasi di depan",
    "spasi di belakang ",
    "baris\nbaru",
    "tab\tdi tengah",
    "\tdiawali tab",
    "<b>tebal</b> & \"kutip\" 'satu'",
    "kontrol \x01\x02\x1f dan \x0b",
    "sudah _x0041_ tertulis",
    "bukan_xZZZZ_escape",
    "non-karakter \ufffe \uffff",
    "emoji 🔥🟢 dan aksara ꦗꦮ",
    "=1+1",
    "x" * 40_000,
    "🔥" * 17_000,
]


def workbook_of(folder: Path, rows: Sequence[Sequence[object]], streamed: bool) -> Path:
    """A workbook whose first sheet has the header and `rows`, by either way."""
    path = folder / ("streamed.xlsx" if streamed else "cells.xlsx")
    with StreamedRows(len(HEADER), folder) as streamed_rows:
        with xlsxwriter.Workbook(str(path), OPTIONS) as workbook:
            workbook.set_properties({"created": datetime(2024, 11, 27, 10, 0)})
            bold = workbook.add_format({"bold": True})
            sheet = workbook.add_worksheet("Laporan")
            sheet.write_row(0, 0, HEADER, bold)
            sheet.set_column(8, 9, 60)
            for index, values in enumerate(rows, start=1):
                if streamed:
                    streamed_rows.write(index, values)
                else:
                    write_cells(sheet, index, values)
            other = workbook.add_worksheet("Petugas")
            other.write_row(0, 0, ["a", "b"], bold)
        if streamed:
            streamed_rows.splice(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def assert_same_workbook(folder: Path, rows: Sequence[Sequence[object]]) -> None:
    cells = members(workbook_of(folder, rows, streamed=False))
    streamed = members(workbook_of(folder, rows, streamed=True))
    assert list(streamed) == list(cells), "the same parts, in the same order"
    for name, data in cells.items():
        assert streamed[name] == data, f"{name} differs"


def test_tricky_values_come_out_as_xlsxwriter_writes_them(tmp_path: Path) -> None:
    rng = random.Random(5)
    rows: list[list[object]] = []
    for index in range(300):
        row: list[object] = [index + 1]
        for _ in range(15):
            row.append(
                rng.choice([*TRICKY, None, 0, -3, 12.5, 1e-7, 123456789012345678, 0.1 + 0.2, True])
            )
        rows.append(row)
    rows.append([None] * 16)  # nothing in it: no row element at all
    rows.append([7])  # a short row
    assert_same_workbook(tmp_path, rows)


def test_a_header_alone_is_left_to_xlsxwriter(tmp_path: Path) -> None:
    assert_same_workbook(tmp_path, [])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                # (text shaped like XlsxWriter's rich markup is written as runs by write_cells
                # and escaped here: the one deliberate difference, tests/bot/test_sheets.py)
                st.text(max_size=40).filter(
                    lambda t: not (t.startswith("<r>") and t.endswith("</r>"))
                ),
                st.integers(min_value=-(2**53), max_value=2**53),
                st.floats(allow_nan=False, allow_infinity=False),
            ),
            min_size=1,
            max_size=16,
        ),
        max_size=12,
    )
)
def test_any_row_comes_out_as_xlsxwriter_writes_it(rows: list[list[object]]) -> None:
    # Hypothesis forbids function-scoped fixtures such as tmp_path: a folder of its own.
    with tempfile.TemporaryDirectory() as folder:
        assert_same_workbook(Path(folder), rows)


def test_a_spreadsheet_program_reads_the_rows(tmp_path: Path) -> None:
    rows = [[1, "2024-11-27 10:00:00", "Bengalon", None, "a & b <c>", 2.5]]
    path = workbook_of(tmp_path, rows, streamed=True)
    book = openpyxl.load_workbook(path, read_only=True)
    values = list(book["Laporan"].values)
    assert values[0] == tuple(HEADER)
    assert values[1][:6] == (1, "2024-11-27 10:00:00", "Bengalon", None, "a & b <c>", 2.5)
