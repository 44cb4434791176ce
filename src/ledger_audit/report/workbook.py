"""The 三单一账 workbook, written with xlsxwriter in constant-memory mode (measured on 10^5 × 37
cells: openpyxl 48 s, xlsxwriter 21 s). Every value is written as a string, a number or a date,
never as a formula, so a cell like "=HYPERLINK(…)" typed into a ledger stays inert text; text
beginning with =, +, -, @ also gets a leading quote (formula_guard), so that it stays inert after
另存为 CSV too.

Made to be printed and filled in: every sheet prints landscape, one page wide, with its header row
on every page, long texts wrapped, a page header naming 县, 乡镇 and quarter and a footer
"第 N 页 共 M 页". In the 整改台账 the program's columns are locked (sheet protection without a
password) and the columns a town fills in are not; dates are date cells, IDs text cells.

`--split-by 乡镇` writes one more workbook per 乡镇 (`write_town_workbook`) with only that town's
问题清单, 任务清单 and 整改台账, which `--previous` reads back next quarter."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ..formula_guard import guarded, guarded_column
from ..result import AuditResult
from ..track.rectification import HUMAN_COLUMNS, RECTIFICATION_COLUMNS, STATUSES
from .sheets import NOT_COUNTED, problem_list, rectification_sheet, responsibility_list, summary_notes, summary_tables, task_list

WRAP_WIDTH = 40          # a column wider than this prints wrapped, at this width
LINE_HEIGHT = 15         # points per line of text (Excel's default row height)
HUMAN_WIDTH = 14         # room to write in, on screen and on paper, in a column still empty
WIDTH_SAMPLE = 2000
DATE_FORMAT = "yyyy-mm-dd"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")   # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
DATE_COLUMNS = ("整改时限", "整改完成时间", "销号时间", "发现日期", "最早整改时限")
ID_COLUMNS = ("问题编号", "规则编号", "户编号", "证件号码")
NUMBER_COLUMNS = ("序号", "累计季度数")
# Columns added by people to the right of the table stay editable under the sheet protection.
SPARE_COLUMNS = 10
FILL_IN_NOTE = ("本表只需填写黄色表头的列：" + "、".join(HUMAN_COLUMNS) + "（也可在右侧增加列）。"
                "其他列由审核程序生成并已锁定（工作表保护，无密码）；请勿删除或改动“问题编号”列，"
                "下季度审核时会按问题编号带入本表填写的内容。")
PROTECTION = {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True,
              "select_locked_cells": True, "select_unlocked_cells": True}


@dataclass(frozen=True)
class Page:
    """What the printed page header says: 县, 乡镇 (of a per-town workbook) and quarter."""

    county: str
    quarter: str
    town: str = ""

    def header(self, sheet: str) -> str:
        place = " ".join(_escape(p) for p in (self.county, self.town) if p)
        return f"&L{place}&C{_escape(sheet)}&R{_escape(self.quarter)}"


FOOTER = "&C第 &P 页 共 &N 页"


def _escape(text: str) -> str:
    return text.replace("&", "&&")


def cell_widths(values: pd.Series) -> pd.Series:
    """Each cell's width in Excel units: a CJK character is about two Latin ones."""
    text = values.astype("string").fillna("")
    return text.str.len() + text.str.count(r"[^\x00-\xff]")


def _text_width(text: str) -> int:
    """One text's width in Excel units (cell_widths of a single cell: one definition of width)."""
    return int(cell_widths(pd.Series([text])).iloc[0])


def display_width(values: pd.Series) -> int:
    """The width of a column's widest cell."""
    return int(cell_widths(values).max()) if len(values) else 0


def _row_heights(frame: pd.DataFrame, wrapped: list[str]) -> list[float | None]:
    """Row heights for the wrapped columns' line counts (None: one line). Spreadsheet programs do
    not grow a row for wrapped text written by a program, so without this the lines overlap."""
    if not wrapped or frame.empty:
        return [None] * len(frame)
    lines = pd.concat([(cell_widths(frame[c]) - 1) // WRAP_WIDTH + 1 for c in wrapped], axis=1).max(axis=1)
    return [None if n <= 1 else LINE_HEIGHT * n for n in lines.astype(int).tolist()]


def write_workbook(result: AuditResult, path: Path, remedies: dict[str, str]) -> None:
    workbook = _new_workbook(path)
    formats = _Formats(workbook)
    page = Page(result.config.county or "本县", result.config.quarter)
    _write_summary(workbook, result, formats, page)
    _write_table(workbook, "问题清单", problem_list(result), formats, page)
    _write_table(workbook, "任务清单", task_list(result, remedies), formats, page)
    _write_table(workbook, "责任清单", responsibility_list(result), formats, page)
    _write_rectification(workbook, rectification_sheet(result), formats, page)
    workbook.close()


def write_town_workbook(result: AuditResult, path: Path, remedies: dict[str, str], town: str) -> None:
    """One 乡镇's own 问题清单, 任务清单 and 整改台账 (town "" holds the items without a 乡镇)."""
    workbook = _new_workbook(path)
    formats = _Formats(workbook)
    page = Page(result.config.county or "本县", result.config.quarter, town or "未分乡镇")
    problems = problem_list(result)
    tasks = task_list(result, remedies)
    rectification = rectification_sheet(result)
    _write_table(workbook, "问题清单", problems[problems["乡镇"] == town].reset_index(drop=True), formats, page)
    _write_table(workbook, "任务清单", tasks[tasks["乡镇"] == town].reset_index(drop=True), formats, page)
    _write_rectification(workbook, rectification[rectification["乡镇"] == town].reset_index(drop=True), formats, page)
    workbook.close()


def _new_workbook(path: Path) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})


class _Formats:
    """Cell formats by (kind, editable), made once per workbook."""

    def __init__(self, workbook) -> None:
        self._workbook = workbook
        self._made: dict[tuple, object] = {}
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                           "valign": "top", "locked": True})
        self.human_header = workbook.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1, "text_wrap": True,
                                                 "valign": "top"})
        self.title = workbook.add_format({"bold": True, "font_size": 12})

    def cell(self, kind: str, editable: bool):
        key = (kind, editable)
        if key not in self._made:
            properties = {"valign": "top", "locked": not editable}
            if kind == "date":
                properties["num_format"] = DATE_FORMAT
            elif kind == "id":
                properties["num_format"] = "@"
            elif kind == "wrap":
                properties["text_wrap"] = True
            self._made[key] = self._workbook.add_format(properties)
        return self._made[key]


def _column_kind(name: str, values: pd.Series, width: int) -> str:
    if name in DATE_COLUMNS:
        return "date"
    if name in ID_COLUMNS:
        return "id"
    if name in NUMBER_COLUMNS or pd.api.types.is_numeric_dtype(values):
        return "number"
    return "wrap" if width > WRAP_WIDTH else "text"


def _cell_values(values: pd.Series, kind: str) -> list:
    """A column as the Python values to write: numbers where the text is a count, and for a date
    its Excel serial number (a date cell once the column's date format is on it), computed for the
    whole column at once; anything else a person typed stays text (guarded against a formula), ""
    for an empty cell."""
    if pd.api.types.is_numeric_dtype(values):
        return values.tolist()
    text = values.astype("string").fillna("")
    if kind == "date":
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        numbers = (parsed - EXCEL_EPOCH).dt.days
    elif kind == "number":
        numbers = pd.to_numeric(text.where(text.str.fullmatch(r"[0-9]+"), None), errors="coerce")
    else:
        return guarded_column(text).tolist()
    return [t if np.isnan(n) else int(n) for t, n in zip(guarded_column(text).tolist(), numbers.astype("float64").tolist())]


def _write_table(workbook, name: str, frame: pd.DataFrame, formats: _Formats, page: Page,
                 editable: frozenset[str] = frozenset(), note: str = ""):
    """One table sheet; `editable` columns stay unlocked, `note` is a comment on the first header
    cell (written with the header: constant-memory mode has flushed row 1 by the end)."""
    sheet = workbook.add_worksheet(name)
    if note:
        sheet.write_comment(0, 0, note, {"x_scale": 3, "y_scale": 2.5})
    kinds = []
    for column, header in enumerate(frame.columns):
        width = max(display_width(pd.Series([header])), display_width(frame[header].head(WIDTH_SAMPLE)))
        kind = _column_kind(str(header), frame[header], width)
        kinds.append(kind)
        sheet.write_string(0, column, guarded(str(header)), formats.human_header if header in editable else formats.header)
        narrowest = HUMAN_WIDTH if header in editable else 11 if kind == "date" else 6
        sheet.set_column(column, column, min(max(width + 2, narrowest), WRAP_WIDTH + 2),
                         formats.cell(kind, header in editable))
    # Column by column to plain Python values first (iterating Arrow-backed rows boxes every cell,
    # ~15 % of the writing time), and one format per column chosen once, not per cell.
    cell_formats = [formats.cell(kind, header in editable) for kind, header in zip(kinds, frame.columns)]
    cells = [_cell_values(frame[c], kind) for c, kind in zip(frame.columns, kinds)]
    heights = _row_heights(frame, [c for c, kind in zip(frame.columns, kinds) if kind == "wrap"])
    for row, (values, height) in enumerate(zip(zip(*cells), heights), start=1):
        if height:
            sheet.set_row(row, height)     # before the row's cells: constant-memory mode
        for column, value in enumerate(values):
            if isinstance(value, str):
                if value != "":   # an empty cell is not written: it takes its column's format (unlocked or not)
                    sheet.write_string(row, column, value, cell_formats[column])
            else:
                sheet.write_number(row, column, value, cell_formats[column])
    sheet.freeze_panes(1, 0)
    last_row, last_column = max(len(frame), 1), max(len(frame.columns) - 1, 0)
    sheet.autofilter(0, 0, last_row, last_column)
    _page_setup(sheet, name, page, last_row, last_column)
    return sheet


def _page_setup(sheet, name: str, page: Page, last_row: int, last_column: int, header_row: bool = True) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)                     # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    sheet.fit_to_pages(1, 0)               # one page wide, as many pages long as needed
    if header_row:
        sheet.repeat_rows(0)
    sheet.print_area(0, 0, last_row, last_column)
    sheet.set_header(page.header(name))
    sheet.set_footer(FOOTER)


def _write_rectification(workbook, rectification: pd.DataFrame, formats: _Formats, page: Page) -> None:
    """The 整改台账: program columns locked, human columns (and columns people added) editable, a
    status dropdown and a date check on 整改完成时间, the note on what to fill in."""
    editable = frozenset(HUMAN_COLUMNS) | frozenset(c for c in rectification.columns if c not in RECTIFICATION_COLUMNS)
    sheet = _write_table(workbook, "整改台账", rectification, formats, page, editable, FILL_IN_NOTE)
    columns = list(rectification.columns)
    last_row = max(len(rectification), 1)
    status = columns.index("整改状态")
    sheet.data_validation(1, status, last_row, status,
                          {"validate": "list", "source": list(STATUSES), "input_title": "整改状态",
                           "input_message": "从下拉列表中选择", "error_message": "请从下拉列表中选择：" + "、".join(STATUSES)})
    done = columns.index("整改完成时间")
    sheet.data_validation(1, done, last_row, done,
                          {"validate": "date", "criteria": "between", "minimum": datetime(2000, 1, 1),
                           "maximum": datetime(2099, 12, 31), "input_title": "整改完成时间",
                           "input_message": "填写日期，如 2022-08-15", "error_message": "请填写日期，如 2022-08-15。"})
    sheet.set_column(len(columns), len(columns) + SPARE_COLUMNS - 1, 12, formats.cell("text", True))
    sheet.protect("", PROTECTION)


SUMMARY_FIRST_WIDTH = 24   # 汇总's first column: the row labels (编号, 乡镇, 比对对象, …)
SUMMARY_WIDTH = 14         # its other columns: counts, mostly
TITLE_SCALE = 1.15         # the 12-point bold title font is about this much wider than the body


def _summary_widths(tables: dict[str, pd.DataFrame], widest: int) -> list[int]:
    """汇总's column widths: the blocks share the columns, so counts keep a narrow column, and the
    last printed column widens (up to WRAP_WIDTH) for a block's last text column there (说明)."""
    widths = [SUMMARY_FIRST_WIDTH] + [SUMMARY_WIDTH] * max(widest - 1, 0)
    last = widest - 1
    for table in tables.values():
        if len(table.columns) == widest and last > 0:
            values = table.iloc[:, last]
            if not pd.api.types.is_numeric_dtype(values):
                widths[last] = max(widths[last], min(display_width(values) + 2, WRAP_WIDTH + 2))
    return widths


def _write_summary(workbook, result: AuditResult, formats: _Formats, page: Page) -> None:
    """汇总: the notes, then each block (title, header, rows) one under another. Everything stays
    inside the printed width: a text wider than its column, with no empty cells to its right to run
    into, is wrapped and its row made tall enough; a count not made ("—") is right-aligned."""
    sheet = workbook.add_worksheet("汇总")
    config = result.config
    tables = summary_tables(result)
    widest = max([len(table.columns) for table in tables.values()] + [1])
    widths = _summary_widths(tables, widest)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    top = workbook.add_format({"valign": "top"})   # a row with a wrapped cell reads from its top line
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    note = workbook.add_format({"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"})
    not_counted = workbook.add_format({"align": "right", "valign": "top"})
    sheet.write_string(0, 0, f"三单一账 汇总（{config.county or '本县'}，{config.quarter}，截止 {config.as_of.isoformat()}）",
                       formats.title)
    row = 1
    for line in summary_notes(result):   # whole-column problems and missing columns, before any count
        lines = math.ceil(_text_width(line) * TITLE_SCALE / sum(widths))
        if lines > 1:
            sheet.set_row(row, (LINE_HEIGHT + 2) * lines)
        if widest > 1:
            sheet.merge_range(row, 0, row, widest - 1, guarded(line), note)
        else:
            sheet.write_string(row, 0, guarded(line), note)
        row += 1
    row += 1
    for title, table in tables.items():
        sheet.write_string(row, 0, title, formats.title)
        row += 1
        for column, header in enumerate(table.columns):
            sheet.write_string(row, column, guarded(str(header)), formats.header)
        last = len(table.columns) - 1
        for values in table.itertuples(index=False, name=None):
            row += 1
            wrapped = {}   # column → lines, for a text wider than its room
            for column, value in enumerate(values):
                if isinstance(value, str) and value != NOT_COUNTED:
                    # The block's last column may run on into the empty columns up to the printed edge.
                    room = sum(widths[column:]) if column == last else widths[column]
                    if _text_width(value) > room:
                        wrapped[column] = math.ceil(_text_width(value) / (room - 1))
            if wrapped:
                sheet.set_row(row, LINE_HEIGHT * max(wrapped.values()))   # before the row's cells: constant-memory mode
            for column, value in enumerate(values):
                if isinstance(value, (int, float, np.integer, np.floating)):
                    sheet.write_number(row, column, value, top)
                elif value == NOT_COUNTED:
                    sheet.write_string(row, column, value, not_counted)
                elif column in wrapped and column == last < widest - 1:   # wrapped across the room it has
                    sheet.merge_range(row, column, row, widest - 1, guarded(str(value)), wrap)
                else:
                    sheet.write_string(row, column, guarded(str(value)), wrap if column in wrapped else top)
        row += 2
    _page_setup(sheet, "汇总", page, row, widest - 1, header_row=False)
