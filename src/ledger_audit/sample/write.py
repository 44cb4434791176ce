"""Write a sample county the way real counties hand their files over, and the ground truth.

The ledger looks like the national system's export (two title rows, header on row 3); options add
the messier forms seen in practice. Whatever the layout, `planted.csv` names the sheet and Excel row
each defect was written to.

Every CSV is written by `write_csv` as Excel on Windows writes one, on every platform: CRLF line
ends, and UTF-8 with a BOM (Excel's "CSV UTF-8", which it opens without garbling Chinese) unless the
sample imitates a GBK export (--gbk-csv, Excel's plain "CSV" on a Chinese Windows: GBK, no BOM).
The sample's own tables (planted.csv, transitions.csv) are guarded against formulas
(formula_guard); the files imitating a county's inputs are not, since they are what the audit reads
and must hold the values planted there (a 合规自付支出 of -200 among them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ..formula_guard import guarded_column
from .county import County
from .planters.base import Planted
from .national import national_form
from .tables import in_national_headers

LEDGER_FILE = "台账_示例县.xlsx"
ROSTER_FILES = {"民政": "民政_低保特困名单.xlsx", "医保": "医保_参保名单.xlsx", "住建": "住建_农房鉴定名单.xlsx",
                "教体": "教体_学籍名单.xlsx", "人社": "人社_就业参保名单.xlsx", "残联": "残联_持证残疾人名单.xlsx"}
# The national system's other tables, written as it exports them: two title rows, header on row 3.
TABLE_FILES = {"户信息": "全国系统_户信息.xlsx", "已外出务工": "全国系统_已外出务工信息.xlsx",
               "计划外出务工": "全国系统_计划外出务工信息.xlsx", "行政村": "全国系统_行政村信息.xlsx"}
TABLE_TITLES = ("全国防止返贫监测和衔接推进乡村振兴信息系统", "{name}（陇县）  导出日期：{as_of}")
TITLE_ROWS = ("陇县防止返贫监测对象信息表", "填报单位：陇县乡村振兴局            数据截止：{as_of}")
INCOME_GROUP = ("家庭收入情况", ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入"))
HOUSEHOLD_SHEET_COLUMNS = ("乡镇", "行政村", "户编号", "户类型", "监测对象类别", "家庭人口数", "工资性收入", "生产经营性收入",
                           "财产性收入", "转移性收入", "生产经营性支出", "纯收入（元）", "人均纯收入（元）", "合规自付支出",
                           "致贫/返贫风险", "识别监测时间", "风险是否已消除", "风险消除方式", "消除监测时间", "帮扶责任人",
                           "帮扶责任人联系电话", "帮扶措施", "是否危房户", "是否解决安全饮用水")
NUMERIC_TEXT = re.compile(r"^[0-9.]+[eE][+-]?[0-9]+$")
# The date columns of the ledger and the rosters; with --date-cells they become real date cells.
DATE_COLUMNS = ("出生日期", "识别监测时间", "消除监测时间", "起始日期", "终止日期", "鉴定日期")
DATE_FORMAT = "yyyy-mm-dd"
CSV_LINE_END = "\r\n"


@dataclass(frozen=True)
class MessyForms:
    """Which of the real-world messes to reproduce (all off: the national export look)."""

    merged_headers: bool = False      # 家庭收入情况 spanning the income columns, header on two rows
    numeric_ids: bool = False         # every ID typed into a General cell (Excel keeps 15 digits)
    gbk_csv: bool = False             # the ledger as a GBK-encoded CSV instead of .xlsx
    xls: bool = False                 # the ledger as an Excel 97–2003 .xls
    household_sheet: bool = False     # a 户 sheet + a 人 sheet joined by 户编号
    sheet_per_town: bool = False      # one sheet per 乡镇
    date_cells: bool = False          # dates typed into Excel: date cells (yyyy-mm-dd), not text
    national_headers: bool = False    # the national system's own headers and codes (sample/national.py)

    @property
    def ledger_file(self) -> str:
        suffix = ".csv" if self.gbk_csv else ".xls" if self.xls else ".xlsx"
        return LEDGER_FILE.replace(".xlsx", suffix)


def write_sample(county: County, planted: list[Planted], out: Path, as_of: str, messy: MessyForms) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    titles = [t.format(as_of=as_of) for t in TITLE_ROWS]
    ledger_path = out / messy.ledger_file
    locations = _write_ledger(county.ledger, ledger_path, titles, messy)
    paths = {"ledger": ledger_path}
    for department, frame in county.rosters.items():
        paths[department] = out / ROSTER_FILES[department]
        _write_xlsx(paths[department], {department + "名单": frame}, [f"{department}名单（示例县）"], False,
                    date_cells=messy.date_cells)
    for name, frame in county.tables.items():
        paths[name] = out / TABLE_FILES[name]
        _write_xlsx(paths[name], {name: in_national_headers(name, frame)},
                    [t.format(name=name, as_of=as_of) for t in TABLE_TITLES], False)
    paths["planted"] = out / "planted.csv"
    write_csv(_ground_truth(county, planted, locations, messy), paths["planted"], guard=True)
    return paths


def _write_ledger(ledger: pd.DataFrame, path: Path, titles: list[str], messy: MessyForms) -> pd.DataFrame:
    """Write the ledger; return the (sheet, Excel row) of every ledger position."""
    form = national_form if messy.national_headers else (lambda frame: frame)
    header_rows = len(titles) + (2 if messy.merged_headers else 1)
    if messy.gbk_csv:
        write_csv(form(ledger), path, encoding="gbk")
        return pd.DataFrame({"sheet": "", "row": np.arange(len(ledger)) + 2})
    if messy.household_sheet:
        sheets = {"人": ledger.drop(columns=[c for c in HOUSEHOLD_SHEET_COLUMNS if c not in ("户编号", "乡镇", "行政村")]),
                  "户": ledger[list(HOUSEHOLD_SHEET_COLUMNS)].drop_duplicates("户编号")}
        locations = pd.DataFrame({"sheet": "人", "row": np.arange(len(ledger)) + header_rows + 1})
    elif messy.sheet_per_town:
        sheets = {town: group for town, group in ledger.groupby("乡镇", sort=False)}
        position = ledger.groupby("乡镇", sort=False).cumcount().to_numpy()
        locations = pd.DataFrame({"sheet": ledger["乡镇"].to_numpy(), "row": position + header_rows + 1})
    else:
        sheets = {"台账": ledger}
        locations = pd.DataFrame({"sheet": "台账", "row": np.arange(len(ledger)) + header_rows + 1})
    sheets = {name: form(frame) for name, frame in sheets.items()}
    if messy.xls:
        _write_xls(path, sheets, titles, messy.merged_headers, messy.date_cells)
    else:
        _write_xlsx(path, sheets, titles, messy.merged_headers, messy.numeric_ids, messy.date_cells)
    return locations


def _header_rows(columns: list[str], merged: bool) -> list[list[str]]:
    """One header row, or two with 家庭收入情况 over the income columns (leaf names below)."""
    if not merged:
        return [columns]
    group, leaves = INCOME_GROUP
    upper = [c if c not in leaves else "" for c in columns]
    first_leaf = next((i for i, c in enumerate(columns) if c in leaves), None)
    if first_leaf is not None:
        upper[first_leaf] = group
    lower = [c if c in leaves else "" for c in columns]
    return [upper, lower]


def as_date(value: str) -> date | None:
    """The date a cell holds, if it is a real ISO date (a planted 1990-02-30 stays text, as a
    person's typo does in Excel)."""
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], titles: list[str], merged: bool,
                numeric_ids: bool = False, date_cells: bool = False) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    for name, frame in sheets.items():
        sheet = workbook.add_worksheet(name[:31])
        for row, title in enumerate(titles):
            sheet.write_string(row, 0, title, bold)
        for offset, header in enumerate(_header_rows(list(frame.columns), merged)):
            for column, text in enumerate(header):
                sheet.write_string(len(titles) + offset, column, text, bold)
        first = len(titles) + (2 if merged else 1)
        id_columns = {i for i, c in enumerate(frame.columns) if "证件号码" in c}
        date_columns = _date_columns(frame, date_cells)
        for row, values in enumerate(frame.itertuples(index=False, name=None), start=first):
            for column, value in enumerate(values):
                if column in id_columns and (NUMERIC_TEXT.match(value) or (numeric_ids and value.isdigit())):
                    sheet.write_number(row, column, float(f"{float(value):.15g}"))   # as Excel stores it
                elif column in date_columns and (day := as_date(value)):
                    sheet.write_datetime(row, column, day, date_format)
                else:
                    sheet.write_string(row, column, value)
    workbook.close()


def _date_columns(frame: pd.DataFrame, date_cells: bool) -> set[int]:
    return {i for i, c in enumerate(frame.columns) if c in DATE_COLUMNS} if date_cells else set()


def _write_xls(path: Path, sheets: dict[str, pd.DataFrame], titles: list[str], merged: bool, date_cells: bool) -> None:
    try:
        import xlwt
    except ImportError:  # pragma: no cover - xlwt is a test extra
        from ..errors import AuditInputError
        raise AuditInputError("写 .xls 需要 xlwt 包。", hint="运行 .venv/bin/pip install xlwt 后重试。") from None
    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str=DATE_FORMAT)
    for name, frame in sheets.items():
        sheet = workbook.add_sheet(name[:31])
        for row, title in enumerate(titles):
            sheet.write(row, 0, title)
        for offset, header in enumerate(_header_rows(list(frame.columns), merged)):
            for column, text in enumerate(header):
                sheet.write(len(titles) + offset, column, text)
        first = len(titles) + (2 if merged else 1)
        date_columns = _date_columns(frame, date_cells)
        for row, values in enumerate(frame.itertuples(index=False, name=None), start=first):
            for column, value in enumerate(values):
                if column in date_columns and (day := as_date(value)):
                    sheet.write(row, column, day, date_style)
                else:
                    sheet.write(row, column, value)
    workbook.save(str(path))


def _ground_truth(county: County, planted: list[Planted], locations: pd.DataFrame, messy: MessyForms) -> pd.DataFrame:
    ledger = county.ledger
    records = []
    for p in planted:
        if p.row >= 0:
            records.append({"rule_id": p.rule_id, "file": messy.ledger_file, "sheet": locations.at[p.row, "sheet"],
                            "row": int(locations.at[p.row, "row"]), "household_id": ledger.at[p.row, "户编号"],
                            "id_number": ledger.at[p.row, "证件号码"], "note": p.note})
        elif p.roster in county.tables:
            table = county.tables[p.roster]
            records.append({"rule_id": p.rule_id, "file": TABLE_FILES[p.roster], "sheet": p.roster,
                            "row": p.roster_row + len(TABLE_TITLES) + 2, "household_id": table.get("户编号", pd.Series("", index=table.index)).iat[p.roster_row],
                            "id_number": table.get("证件号码", pd.Series("", index=table.index)).iat[p.roster_row], "note": p.note})
        else:
            roster = county.rosters[p.roster]
            records.append({"rule_id": p.rule_id, "file": ROSTER_FILES[p.roster], "sheet": p.roster + "名单",
                            "row": p.roster_row + 3, "household_id": "",
                            "id_number": roster.at[p.roster_row, "证件号码"], "note": p.note})
    return pd.DataFrame(records, columns=["rule_id", "file", "sheet", "row", "household_id", "id_number", "note"])


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8-sig", guard: bool = False) -> None:
    """`frame` as a CSV with CRLF line ends; `guard`: text cells guarded against formulas (numbers
    stay numbers). GBK gets "?" for a character it lacks, as Excel's export does."""
    if guard:
        frame = frame.apply(lambda c: c if pd.api.types.is_numeric_dtype(c) else guarded_column(c.astype("string").fillna("")))
    frame.to_csv(path, index=False, encoding=encoding, errors="replace", lineterminator=CSV_LINE_END)


def write_ledger_file(ledger: pd.DataFrame, path: Path, titles: list[str]) -> None:
    """One ledger in the national export's look (title rows, header, one sheet): a province's
    county files (sample/province.py)."""
    _write_ledger(ledger, path, titles, MessyForms())
