"""The 三单一账 workbook read back as it prints and as a village cadre fills it in: page setup, the
per-乡镇 workbooks of --split-by, sheet protection with the human columns open, date cells, and the
split → fill in each town's file → next quarter round trip keeping every human cell."""

from datetime import date, datetime

import openpyxl
from openpyxl.utils import get_column_letter
import pandas as pd
import pytest

from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, RunSettings
from ledger_audit.pipeline import run_audit
from ledger_audit.sample.quarters import build_two_quarters
from ledger_audit.sample.write import MessyForms
from ledger_audit.track.rectification import HUMAN_COLUMNS

CATALOG = load_catalog()
Q2, Q3 = AuditConfig(as_of=date(2022, 6, 30), county="示例县"), AuditConfig(as_of=date(2022, 9, 30), county="示例县")


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    root = tmp_path_factory.mktemp("split")
    paths = build_two_quarters(root / "in", 40, 11, Q2.as_of, MessyForms())
    settings = RunSettings(ledgers=(paths["ledger"],), out_dir=root / "out" / "2022Q2", formats=("xlsx",), split_by="乡镇")
    return paths, run_audit(settings, Q2, CATALOG, recorded_at="2022-07-01T08:00:00")


def table(sheet) -> pd.DataFrame:
    rows = list(sheet.values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def column_format(sheet, number: int):
    """The format of a column (1-based), from the <col> range that holds it."""
    return next(d for d in sheet.column_dimensions.values() if d.min <= number <= d.max)


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_on_every_page(split):
    _, outcome = split
    workbook = openpyxl.load_workbook(outcome.outputs["xlsx"])
    for sheet in workbook:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)   # absent = 1 (OOXML)
        assert sheet.print_area, sheet.title
        assert "示例县" in sheet.oddHeader.left.text and sheet.oddHeader.right.text == "2022Q2"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        if sheet.title != "汇总":
            assert sheet.print_title_rows == "$1:$1"
    tasks = workbook["任务清单"]
    remedy = [c.value for c in tasks[1]].index("整改要求")
    assert tasks.cell(row=2, column=remedy + 1).alignment.wrap_text          # long texts wrapped


def test_rectification_is_protected_with_human_columns_open_dates_and_text_ids(split):
    _, outcome = split
    sheet = openpyxl.load_workbook(outcome.outputs["xlsx"])["整改台账"]
    assert sheet.protection.sheet and not sheet.protection.password
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["序号", "问题编号", "规则编号", "问题名称", "严重程度", "姓名", "问题描述"]
    row = [c for c in sheet[2]]
    cell = dict(zip(header, row))
    for number, column in enumerate(header, start=1):
        # An empty cell is not in the file: Excel and LibreOffice give it its column's format.
        style = cell[column] if cell[column].value is not None else column_format(sheet, number)
        assert style.protection.locked == (column not in HUMAN_COLUMNS), column
    assert not column_format(sheet, len(header) + 1).protection.locked                                  # room for a column people add
    assert isinstance(cell["序号"].value, int) and cell["序号"].value == 1
    assert isinstance(cell["整改时限"].value, datetime) and cell["整改时限"].number_format == "yyyy-mm-dd"
    assert cell["户编号"].number_format == "@" and isinstance(cell["户编号"].value, str)
    assert cell["姓名"].value and cell["问题名称"].value and cell["严重程度"].value in ("错误", "警告", "提示")
    done = header.index("整改完成时间")
    assert any(v.type == "date" and get_column_letter(done + 1) in str(v.sqref)
               for v in sheet.data_validations.dataValidation)
    assert "黄色表头" in sheet["A1"].comment.text and "责任人" in sheet["A1"].comment.text


def test_split_writes_each_town_its_own_lists(split):
    _, outcome = split
    county = table(openpyxl.load_workbook(outcome.outputs["xlsx"])["整改台账"])
    towns = {key.partition(":")[2]: path for key, path in outcome.outputs.items() if key.startswith("乡镇:")}
    assert set(towns) == set(county["乡镇"]) and len(towns) > 1
    seen = []
    for town, path in towns.items():
        assert path.name == f"三单一账_示例县_{town}_2022Q2.xlsx"
        workbook = openpyxl.load_workbook(path)
        assert workbook.sheetnames == ["问题清单", "任务清单", "整改台账"]
        assert workbook["整改台账"].oddHeader.left.text == f"示例县 {town}"
        for name in workbook.sheetnames:
            assert set(table(workbook[name])["乡镇"]) == {town}, name
        seen += table(workbook["整改台账"])["问题编号"].tolist()
    assert sorted(seen) == sorted(county["问题编号"])


def test_split_fill_in_each_town_then_next_quarter_on_the_folder_keeps_every_human_cell(split, tmp_path):
    paths, outcome = split
    folder = tmp_path / "各乡镇已填写"
    folder.mkdir()
    typed = {}
    for key, path in outcome.outputs.items():
        if not key.startswith("乡镇:"):
            continue
        workbook = openpyxl.load_workbook(path)
        sheet = workbook["整改台账"]
        header = [c.value for c in sheet[1]]
        sheet.cell(row=1, column=len(header) + 1, value="村联系人")
        for row in range(2, sheet.max_row + 1):
            problem = sheet.cell(row=row, column=header.index("问题编号") + 1).value
            cells = {"责任人": f"干部{row}", "整改措施": f"措施 {problem}", "佐证材料": f"照片{row}.jpg",
                     "备注": f"备注{row}", "整改状态": "整改中", "整改完成时间": datetime(2022, 8, row % 28 + 1)}
            for column, value in cells.items():
                sheet.cell(row=row, column=header.index(column) + 1, value=value)
            sheet.cell(row=row, column=len(header) + 1, value=f"联系人{row}")
            typed[problem] = {**cells, "整改完成时间": f"2022-08-{row % 28 + 1:02d}", "村联系人": f"联系人{row}"}
        workbook.save(folder / path.name)

    # The folder, and the county's own (unfilled) workbook beside it: the typed cells win.
    settings = RunSettings(ledgers=(paths["next_ledger"],), out_dir=tmp_path / "out" / "2022Q3", formats=("xlsx",),
                           previous=(folder, outcome.outputs["xlsx"]))
    q3 = run_audit(settings, Q3, CATALOG, recorded_at="2022-10-01T08:00:00")
    result = q3.result.rectification.set_index("问题编号")
    assert len(typed) == len(table(openpyxl.load_workbook(outcome.outputs["xlsx"])["整改台账"]))
    for problem, cells in typed.items():
        for column, value in cells.items():
            expected = value if column != "整改状态" or result.loc[problem, "整改状态"] != "已销号" else "已销号"
            assert result.loc[problem, column] == expected, (problem, column)
