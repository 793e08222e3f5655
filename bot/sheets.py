"""Writing cells of the /ekspor workbook (XlsxWriter), the same way in every sheet.

Typed calls: XlsxWriter's generic `write` inspects every value and costs about a third more on
the 1.6 million cells of 100,000 reports. And text that merely looks like XlsxWriter's own rich
string markup: in `constant_memory` mode (the export's) a string that starts with `<r>` and
ends with `</r>` is written into the sheet's XML as it is, unescaped, so a name or an arahan
typed that way (`<r>a&b</r>`) made a workbook Excel refuses to open. Such text is written as
a rich string of plain runs instead ("<", then the rest in the default font), which shows
exactly the text typed. (The Laporan sheet's rows, written by handlers.reading.streamsheet,
escape it as any other text.)
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.format import Format
from xlsxwriter.utility import _utf16_len, _utf16_truncate
from xlsxwriter.worksheet import Worksheet

STRING_LIMIT = 32_767  # UTF-16 units in an Excel cell
# The default font, for the second run of such text (Excel wants a format between two runs).
_PLAIN = Format()


def fit_cell(value: str) -> str:
    """`value` cut at Excel's limit for a cell, as XlsxWriter cuts it."""
    if len(value) > STRING_LIMIT // 2 and _utf16_len(value) > STRING_LIMIT:
        return str(_utf16_truncate(value, STRING_LIMIT))
    return value


def write_text(sheet: Worksheet, row: int, col: int, value: str) -> None:
    """One cell of text, shown as typed whatever it looks like (cut at Excel's limit)."""
    value = fit_cell(value)
    if value.startswith("<r>") and value.endswith("</r>"):
        sheet.write_rich_string(row, col, value[:1], _PLAIN, value[1:])
    else:
        sheet.write_string(row, col, value)


def write_cells(sheet: Worksheet, row: int, values: Sequence[object]) -> None:
    """One row: text and numbers in their columns, None (and anything else) left empty."""
    write_number = sheet.write_number
    for col, value in enumerate(values):
        if isinstance(value, str):
            write_text(sheet, row, col, value)
        elif isinstance(value, int | float):
            write_number(row, col, value)
