"""`audit template`: an empty ledger workbook built from schemas/fields.toml, so that a county
starts from headers the loader knows and cells that cannot go wrong the common ways:

* text, ID and phone columns (户编号 among them) are formatted as text, so an 18-digit ID is never
  turned into 6.10327E+17 (rule G1-006) nor a 户编号 into a number;
* coded and yes/no columns get a dropdown of the code list (kept on a hidden sheet 代码表, since
  Excel limits a literal list to 255 characters), so values are canonical (rule G1-008);
* required headers are marked, and a sheet 填写说明 lists every field: type, required, values.

The field names and values listed in 填写说明 are guarded against formulas (formula_guard); the
headers and the code lists are not, since the loader and the dropdowns compare them exactly with
schemas/ (none begins with =, +, -, @ there).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter
import xlsxwriter.utility

from ..catalog import Catalog, CodeList, FieldSpec
from ..formula_guard import guarded
from ..outputs import write_atomically
from .workbook import display_width

TEMPLATE_ROWS = 100_000            # rows the formats and dropdowns cover
TEXT_TYPES = ("text", "id_number", "phone")
TYPE_NAMES = {"text": "文本", "code": "代码（下拉选择）", "multi_code": "多选代码（用、分隔）", "yes_no": "是/否",
              "int": "整数", "money": "金额（元）", "number": "数值", "date": "日期（如 2022-06-30）", "phone": "电话",
              "id_number": "证件号码（文本格式）"}
REQUIRED_NAMES = {"R": "必填", "M": "监测户必填", "": "选填"}


def write_template(catalog: Catalog, path: Path) -> None:
    """Write the template atomically (a half-written template is worse than none)."""
    def write(temporary: Path) -> None:
        workbook = xlsxwriter.Workbook(str(temporary))
        ledger = workbook.add_worksheet("台账")
        guide = workbook.add_worksheet("填写说明")
        codes = workbook.add_worksheet("代码表")
        code_ranges = _write_code_sheet(codes, catalog)
        codes.hide()
        _write_ledger_sheet(workbook, ledger, catalog, code_ranges)
        _write_guide(workbook, guide, catalog)
        workbook.close()
    write_atomically(path, write)


def _code_list(catalog: Catalog, spec: FieldSpec) -> CodeList | None:
    return catalog.yes_no if spec.type == "yes_no" else catalog.code_list(spec.name)


def _write_code_sheet(sheet, catalog: Catalog) -> dict[str, str]:
    """One column per code list; returns code list name → absolute range for a dropdown."""
    ranges = {}
    lists = {"是否": catalog.yes_no, **catalog.codes}
    for column, (name, codes) in enumerate(lists.items()):
        sheet.write_string(0, column, name)
        for row, value in enumerate(codes.values, start=1):
            sheet.write_string(row, column, value)
        letter = xlsxwriter.utility.xl_col_to_name(column)
        ranges[codes.name] = f"=代码表!${letter}$2:${letter}${len(codes.values) + 1}"
    return ranges


def _write_ledger_sheet(workbook, sheet, catalog: Catalog, code_ranges: dict[str, str]) -> None:
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    required = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "top"})
    text = workbook.add_format({"num_format": "@"})
    for column, spec in enumerate(catalog.fields.values()):
        sheet.write_string(0, column, spec.name, required if spec.required else header)
        width = 20 if spec.type == "id_number" else max(display_width(pd.Series([spec.name])) + 2, 8)
        sheet.set_column(column, column, width, text if spec.type in TEXT_TYPES else None)
        codes = _code_list(catalog, spec)
        if codes is not None and spec.type != "multi_code":
            sheet.data_validation(1, column, TEMPLATE_ROWS, column, {
                "validate": "list", "source": code_ranges[codes.name],
                "error_title": spec.name, "error_message": f"请从下拉列表中选择{spec.name}。"})
    sheet.freeze_panes(1, 0)


def _write_guide(workbook, sheet, catalog: Catalog) -> None:
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, (title, width) in enumerate((("字段", 28), ("类型", 22), ("是否必填", 12), ("可选值", 80))):
        sheet.write_string(0, column, title, bold)
        sheet.set_column(column, column, width)
    for row, spec in enumerate(catalog.fields.values(), start=1):
        codes = _code_list(catalog, spec)
        sheet.write_string(row, 0, guarded(spec.name))
        sheet.write_string(row, 1, TYPE_NAMES.get(spec.type, spec.type))
        sheet.write_string(row, 2, REQUIRED_NAMES.get(spec.required, spec.required))
        sheet.write_string(row, 3, guarded("、".join(codes.values) if codes else ""), wrap)
    sheet.freeze_panes(1, 0)
