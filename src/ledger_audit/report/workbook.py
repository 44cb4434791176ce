"""The 三单一账 workbook, written with xlsxwriter in constant-memory mode (measured on 10^5 × 37
cells: openpyxl 48 s, xlsxwriter 21 s). Every value is written as a string or a number, never as a
formula, so a cell like "=HYPERLINK(…)" typed into a ledger stays inert text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ..result import AuditResult
from ..track.rectification import STATUSES
from .sheets import problem_list, rectification_sheet, responsibility_list, summary_tables, task_list

MAX_WIDTH = 60
WIDTH_SAMPLE = 2000


def display_width(values: pd.Series) -> int:
    """Column width in Excel units: a CJK character is about two Latin ones."""
    text = values.astype("string").fillna("")
    if text.empty:
        return 0
    wide = text.str.count(r"[^\x00-\xff]")
    return int((text.str.len() + wide).max())


def write_workbook(result: AuditResult, path: Path, remedies: dict[str, str]) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_numbers": False, "strings_to_urls": False})
    formats = {"header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                              "valign": "top"}),
               "title": workbook.add_format({"bold": True, "font_size": 12})}
    _write_summary(workbook, result, formats)
    _write_table(workbook, "问题清单", problem_list(result), formats)
    _write_table(workbook, "任务清单", task_list(result, remedies), formats)
    _write_table(workbook, "责任清单", responsibility_list(result), formats)
    rectification = rectification_sheet(result)
    sheet = _write_table(workbook, "整改台账", rectification, formats)
    status_column = list(rectification.columns).index("整改状态")
    sheet.data_validation(1, status_column, max(len(rectification), 1) + 1000, status_column,
                          {"validate": "list", "source": list(STATUSES),
                           "error_message": "请从下拉列表中选择：" + "、".join(STATUSES)})
    workbook.close()


def _write_table(workbook, name: str, frame: pd.DataFrame, formats: dict):
    sheet = workbook.add_worksheet(name)
    for column, header in enumerate(frame.columns):
        sheet.write_string(0, column, str(header), formats["header"])
        width = max(display_width(pd.Series([header])), display_width(frame[header].head(WIDTH_SAMPLE)))
        sheet.set_column(column, column, min(max(width + 2, 6), MAX_WIDTH))
    # Column by column to plain Python values first (iterating Arrow-backed rows boxes every cell,
    # ~15 % of the writing time), and one writer per column chosen once, not per cell.
    writers = [sheet.write_number if pd.api.types.is_numeric_dtype(frame[c]) else sheet.write_string for c in frame.columns]
    cells = [frame[c].tolist() if pd.api.types.is_numeric_dtype(frame[c]) else frame[c].astype("string").fillna("").tolist()
             for c in frame.columns]
    for row, values in enumerate(zip(*cells), start=1):
        for column, value in enumerate(values):
            if value != "":   # an empty cell is simply not written
                writers[column](row, column, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
    return sheet


def _write_summary(workbook, result: AuditResult, formats: dict) -> None:
    sheet = workbook.add_worksheet("汇总")
    config = result.config
    row = 0
    sheet.write_string(row, 0, f"三单一账 汇总（{config.county or '本县'}，{config.quarter}，截止 {config.as_of.isoformat()}）",
                       formats["title"])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 8, 14)
    row = 2
    for title, table in summary_tables(result).items():
        sheet.write_string(row, 0, title, formats["title"])
        row += 1
        for column, header in enumerate(table.columns):
            sheet.write_string(row, column, str(header), formats["header"])
        for values in table.itertuples(index=False, name=None):
            row += 1
            for column, value in enumerate(values):
                if isinstance(value, (int, float, np.integer, np.floating)):
                    sheet.write_number(row, column, value)
                else:
                    sheet.write_string(row, column, str(value))
        row += 2
