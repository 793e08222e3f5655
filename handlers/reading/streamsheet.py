"""The rows of the export's one large sheet, written as XML straight to a file.

XlsxWriter spends about 8 µs on each cell it writes (checks, a cell object, attribute lists,
escaping in several passes): 12.6 s of the 16.9 s the export of 100,000 reports took
(BENCHMARKS.md, section 3). No faster writer we would want to depend on was at hand: the native
ones on PyPI (`rustpy-xlsxwriter` and the like) are young single-maintainer bindings, and
`pyexcelerate` holds the whole sheet in memory, which the export avoids. So XlsxWriter still
makes the workbook, the Laporan sheet included (its header, column widths and styles), and only
the data rows of that sheet are written here, one string per row, with XlsxWriter's own
escaping rules and helpers, into a temporary file; `splice` then puts them into the finished
workbook's sheet. `tests/handlers/reading/test_streamsheet.py` checks that the sheet is byte for
byte what XlsxWriter writes cell by cell (bot.sheets), but for one deliberate difference: text
shaped like XlsxWriter's rich markup (`<r>…</r>`) is escaped here like any text, where
bot.sheets writes it as runs (XlsxWriter alone would write it unescaped: invalid XML).

The rows are what XlsxWriter writes in `constant_memory` mode: inline strings (`t="inlineStr"`)
with control characters as `_xHHHH_`, `xml:space="preserve"` for leading or trailing
whitespace, strings cut at 32,767 UTF-16 units, numbers as `{:.16G}`, no cell for None, no
style (the data cells of Laporan have none).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from xlsxwriter.utility import (
    _preserve_whitespace,
    xl_col_to_name,
)
from xlsxwriter.xmlwriter import XMLwriter

from bot.sheets import fit_cell

# Text that needs XlsxWriter's control-character escaping: a control character, a literal
# "_xHHHH_", or the non-characters U+FFFE and U+FFFF.
_NEEDS_CONTROL_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_XML_SPECIAL = re.compile("[&<>]")
# The deflate level of the large sheet in the zip: zlib's default (6) spent 1.5 s on it; 1 is
# three times faster for a file about a fifth larger.
COMPRESS_LEVEL = 1


def _text(value: str) -> str:
    """A string cell's <is> content, escaped as XlsxWriter escapes it."""
    value = fit_cell(value)
    if _NEEDS_CONTROL_ESCAPE.search(value):
        value = XMLwriter._escape_control_characters(value)
    preserve = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
    if _XML_SPECIAL.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<is><t{preserve}>{value}</t></is>"


class StreamedRows:
    """Data rows of one sheet (row 2 on; row 1 is XlsxWriter's header), in a temporary file."""

    def __init__(self, columns: int, folder: Path) -> None:
        self._names = [xl_col_to_name(col) for col in range(columns)]
        self._file: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115 - closed in close()
            "w+", encoding="utf-8", dir=folder
        )
        self.last_row = 0  # zero-based, as XlsxWriter counts; 0: the header alone

    def write(self, row: int, values: Sequence[object]) -> None:
        """Writes row `row` (zero-based, after the header) as XlsxWriter's typed calls would:
        strings and numbers, None as no cell."""
        number = str(row + 1)
        cells = []
        for name, value in zip(self._names, values, strict=False):
            if isinstance(value, str):
                cells.append(f'<c r="{name}{number}" t="inlineStr">{_text(value)}</c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{name}{number}"><v>{value:.16G}</v></c>')
        if cells:
            self._file.write(f'<row r="{number}">{"".join(cells)}</row>')
            self.last_row = row

    def splice(self, xlsx_path: Path, sheet: str = "xl/worksheets/sheet1.xml") -> None:
        """Puts the rows into `sheet` of the workbook XlsxWriter wrote at `xlsx_path`."""
        if self.last_row == 0:
            return  # the header alone: XlsxWriter's sheet is complete
        self._file.flush()
        self._file.seek(0)
        rebuilt = xlsx_path.with_suffix(".tmp")
        with (
            zipfile.ZipFile(xlsx_path) as source,
            zipfile.ZipFile(
                rebuilt, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
            ) as target,
        ):
            for info in source.infolist():
                if info.filename != sheet:
                    # Streamed, at zlib's default level as XlsxWriter wrote it.
                    with source.open(info) as part, target.open(info, "w") as out:
                        shutil.copyfileobj(part, out, 1 << 20)
                    continue
                head, tail = self._open_sheet(source.read(info).decode("utf-8"))
                with target.open(info.filename, "w", force_zip64=True) as out:
                    out.write(head.encode("utf-8"))
                    # One pass over the rows, re-encoded in blocks (the file is text).
                    while block := self._file.read(1 << 20):
                        out.write(block.encode("utf-8"))
                    out.write(tail.encode("utf-8"))
        shutil.move(rebuilt, xlsx_path)

    def _open_sheet(self, xml: str) -> tuple[str, str]:
        """XlsxWriter's sheet cut where the rows go, its dimension covering them."""
        end = xml.index("</sheetData>")
        dimension = re.search(r'<dimension ref="([A-Z]+)1:([A-Z]+)1"/>', xml)
        if dimension is None:
            raise ValueError("unexpected worksheet XML: no one-row dimension")
        first, last = dimension.groups()
        head = (
            xml[: dimension.start()]
            + f'<dimension ref="{first}1:{last}{self.last_row + 1}"/>'
            + xml[dimension.end() : end]
        )
        return head, xml[end:]

    def close(self) -> None:
        """Removes the temporary file."""
        self._file.close()

    def __enter__(self) -> StreamedRows:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
