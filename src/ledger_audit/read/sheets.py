"""Step 1 of the flow: open a workbook or CSV and return its sheets as grids of text cells.

Nothing is interpreted here except the file format: cells stay text ("" when empty), each grid row
keeps its 1-based Excel row number, and for the ID column(s) we can ask which cells were *numbers*
in the file (rule G1-006: an 18-digit ID typed into a General cell loses its last digits, and that
must be reported, not silently turned back into a string).

Excel and OpenDocument are read with fastexcel (measured on 10^5 rows × 37 columns: fastexcel
3.4 s, python-calamine 4.8 s, openpyxl 35 s). fastexcel renders numeric cells as text (a date cell
as 2021-03-02 00:00:00, under the workbook's 1900 or 1904 date system), so for .xlsx the ID-sized
number cells are found by scanning the sheet XML, on a second thread while fastexcel parses the
sheet (fastexcel releases the GIL: the scan then costs no wall-clock time); .xls files (≤ 65 536
rows) and .ods files use python-calamine's typed values. The same thread checks the CRC of the
zip's other parts (sharedStrings, styles): fastexcel reads a damaged part without a word.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import python_calamine

from ..errors import AuditInputError
from .csv_text import read_csv_grid
from .raw import ID_SIZED_NUMBER, RawSheet, without_trailing_blank_rows
from .file_kind import FileKind, detect_file_kind

# A sheet XML larger than this (uncompressed) is refused before parsing: a real county ledger of
# 10^5 rows is ~200 MB; a zip bomb is many GB.
MAX_SHEET_XML_BYTES = 4 * 1024**3
MAX_COMPRESSION_RATIO = 200
NO_ROWS = np.array([], dtype=np.int64)
# An ID-sized number (raw.ID_SIZED_NUMBER: 15+ digits, or 1E+14 and up as Excel and openpyxl
# write large numbers, and 6.10329E+017 as LibreOffice does) as a cell value, and the start tag of a cell that holds a number (no t
# attribute, or t="n"; a formula may stand between). Groups: column letters, row.
ID_SIZED_VALUE = re.compile(rb'<v>(?:[0-9]{15,}(?:\.[0-9]*)?|[1-9](?:\.[0-9]+)?[eE]\+?0*(?:1[4-9]|[2-9][0-9]|[1-9][0-9]{2,}))</v>')
NUMBER_CELL_START = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"(?: (?:s|cm|vm)="[0-9]+"| t="n")*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?')


def read_sheets(path: Path) -> list[RawSheet]:
    """All visible sheets of a workbook, or the one grid of a CSV file."""
    kind = detect_file_kind(path)
    if kind is FileKind.CSV:
        return [read_csv_grid(path)]
    if kind in (FileKind.XLSX, FileKind.ODS):
        _refuse_zip_bomb(path)
    return _read_excel(path, kind)


def _read_excel(path: Path, kind: FileKind) -> list[RawSheet]:
    try:
        reader = fastexcel.read_excel(str(path))
        visible = _visible_sheet_names(path)
    except Exception as error:  # fastexcel raises its own exception classes for broken files
        raise AuditInputError(f"无法打开该工作簿，文件可能已损坏（{error}）。", file=path.name,
                              hint="用 Excel 或 WPS 打开后另存为 .xlsx 再试。") from None
    with ThreadPoolExecutor(max_workers=1) as pool:
        intact = pool.submit(_check_zip_parts, path, kind)
        scans = {name: pool.submit(_xlsx_numeric_id_cells, path, name) for name in visible} \
            if kind is FileKind.XLSX else {}
        sheets = []
        for name in visible:
            frame = _load_text_sheet(reader, path, name)
            if name in scans:
                found = scans[name].result()
                numeric_id_rows = lambda column, _found=found: _found.get(column, NO_ROWS)  # noqa: E731
            else:
                numeric_id_rows = lambda column, _name=name: _calamine_numeric_id_rows(path, _name, column)  # noqa: E731
            sheets.append(RawSheet(path.name, name, frame, numeric_id_rows))
        intact.result()
    return sheets


def _load_text_sheet(reader, path: Path, name: str) -> pd.DataFrame:
    """Every cell as text (missing when empty), columns at their absolute positions, Excel row numbers."""
    try:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        frame = _text_frame(sheet.to_arrow())
        positions = [column.absolute_index for column in sheet.available_columns()]
    except Exception as error:
        raise AuditInputError(f"无法读取该工作表（{error}）。", file=path.name, sheet=name,
                              hint="检查工作表是否损坏，或将其复制到新工作簿后再试。") from None
    frame.columns = positions
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return without_trailing_blank_rows(frame)


def _text_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow strings straight into pandas' Arrow-backed string dtype (large_string, which pandas
    would otherwise cast to itself): no Python objects, no copy of the text."""
    return pd.DataFrame({i: pd.arrays.ArrowStringArray(column.cast(pa.large_string()))
                         for i, column in enumerate(table.columns)})


def _visible_sheet_names(path: Path) -> list[str]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return [m.name for m in workbook.sheets_metadata
            if m.visible == python_calamine.SheetVisibleEnum.Visible
            and m.typ == python_calamine.SheetTypeEnum.WorkSheet]


def _refuse_zip_bomb(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_SHEET_XML_BYTES or (info.file_size > 10**8 and ratio > MAX_COMPRESSION_RATIO):
                    raise AuditInputError(
                        f"工作簿中的「{info.filename}」解压后达 {info.file_size / 1024**3:.1f} GB，"
                        "超出台账的合理大小，疑似损坏或恶意文件，已拒绝读取。", file=path.name,
                        hint="确认文件来源；如确为台账，请按乡镇拆分后分别审核。")
    except zipfile.BadZipFile:
        raise AuditInputError("文件扩展名是 .xlsx，但内容不是有效的 Excel 工作簿（压缩包已损坏）。",
                              file=path.name, hint="重新从系统导出或用 Excel 另存为 .xlsx。") from None


def _check_zip_parts(path: Path, kind: FileKind) -> None:
    """Read every part of the zip except the .xlsx sheets (the ID scan reads those), so that zipfile
    checks each one's CRC: a damaged sharedStrings part would otherwise give wrong names silently."""
    if kind not in (FileKind.XLSX, FileKind.ODS):
        return
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if kind is FileKind.XLSX and info.filename.startswith("xl/worksheets/"):
                continue
            try:
                with archive.open(info) as part:
                    while part.read(1 << 24):
                        pass
            except (zipfile.BadZipFile, zlib.error, EOFError) as error:
                raise AuditInputError(f"工作簿中的「{info.filename}」部分已损坏（{error}），读出的内容不可信。", file=path.name,
                                      hint="文件可能在复制或下载时损坏：重新复制或从系统重新导出；"
                                           "或用 Excel 或 WPS 打开后另存为新的 .xlsx 再试。") from None


def column_index(letters: str) -> int:
    """Excel column letters → absolute position (A = 0, AA = 26)."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _xlsx_numeric_id_cells(path: Path, sheet: str) -> dict[int, np.ndarray]:
    """Per absolute column, the Excel rows whose cell is stored as an ID-sized number. The scan looks
    for the values first (rare: ID-sized numbers) and only then at their cells' start tags: trying
    a pattern at each of the 4 × 10^6 cells of a county sheet costs seconds, this a fraction."""
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read(_sheet_xml_path(archive, sheet))
    except (zipfile.BadZipFile, zlib.error, KeyError, StopIteration, ElementTree.ParseError) as error:
        raise AuditInputError(f"工作表的 XML 部分已损坏，无法检查证件号码单元格（{error!r}）。", file=path.name, sheet=sheet,
                              hint="用 Excel 或 WPS 打开后另存为新的 .xlsx 再试。") from None
    cells = []
    for value in ID_SIZED_VALUE.finditer(data):
        start = data.rfind(b"<c ", 0, value.start())
        cell = NUMBER_CELL_START.fullmatch(data, start, value.start())
        if cell:
            cells.append((column_index(cell.group(1).decode()), int(cell.group(2))))
    found = pd.DataFrame(cells, columns=["column", "row"], dtype=np.int64)
    return {column: rows["row"].to_numpy() for column, rows in found.groupby("column")}


def _sheet_xml_path(archive: zipfile.ZipFile, sheet: str) -> str:
    """Resolve a sheet name to its XML part through workbook.xml and its relationships."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next(s.get(rel) for s in workbook.iter(f"{main}sheet") if s.get("name") == sheet)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _calamine_numeric_id_rows(path: Path, sheet: str, column: int) -> np.ndarray:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    grid = workbook.get_sheet_by_name(sheet)
    first_row, first_column = grid.start or (0, 0)
    rows = grid.to_python(skip_empty_area=False)
    index = column - first_column
    numbers = [first_row + i + 1 for i, row in enumerate(rows)
               if 0 <= index < len(row) and isinstance(row[index], (int, float)) and not isinstance(row[index], bool)
               and abs(row[index]) >= ID_SIZED_NUMBER]
    return np.array(numbers, dtype=np.int64)
