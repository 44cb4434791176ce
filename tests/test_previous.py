"""Last quarter's 整改台账 as it comes back from the towns: blank cells stay blank over three quarters,
another county's workbook is refused, a partial one, a CSV and files re-saved by LibreOffice are read."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, RunSettings
from ledger_audit.errors import AuditInputError
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.pipeline import run_audit
from ledger_audit.sample.county import TOWNS
from ledger_audit.sample.quarters import build_two_quarters
from ledger_audit.sample.write import MessyForms
from ledger_audit.track.history import history_frame, history_path
from ledger_audit.track.previous import read_previous_rectification

CATALOG = load_catalog()
Q2, Q3, Q4 = (AuditConfig(as_of=date(2022, m, d), county="示例县") for m, d in ((6, 30), (9, 30), (12, 31)))
EMPTY_AS_TEXT = {"nan", "NaN", "None", "<NA>", "NaT"}


@pytest.fixture(scope="module")
def quarters(tmp_path_factory):
    return build_two_quarters(tmp_path_factory.mktemp("q"), 40, 7, Q2.as_of, MessyForms())


def sheet_frame(workbook_path, sheet="整改台账") -> pd.DataFrame:
    rows = list(openpyxl.load_workbook(workbook_path, read_only=True)[sheet].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def run(ledger, previous, config, out, formats=("xlsx", "json")):
    settings = RunSettings(ledgers=(ledger,), out_dir=out, previous=tuple(previous), formats=formats)
    return run_audit(settings, config, CATALOG, recorded_at="2022-10-01T08:00:00")


def test_a_blank_stays_blank_over_three_quarters(quarters, tmp_path):
    q3 = run(quarters["next_ledger"], [quarters["filled_rectification"]], Q3, tmp_path / "out" / "2022Q3")
    q4 = run(quarters["next_ledger"], [q3.outputs["xlsx"]], Q4, tmp_path / "out" / "2022Q4")
    filled = sheet_frame(quarters["filled_rectification"]).set_index("问题编号")
    for outcome in (q3, q4):
        for sheet in ("整改台账", "问题清单"):
            cells = sheet_frame(outcome.outputs["xlsx"], sheet).astype(str).to_numpy().ravel()
            assert not EMPTY_AS_TEXT & set(cells), sheet
        values = [v for f in json.loads(outcome.outputs["json"].read_text(encoding="utf-8"))["findings"] for v in f.values()]
        assert not EMPTY_AS_TEXT & {v for v in values if isinstance(v, str)}
    table = sheet_frame(q4.outputs["xlsx"]).set_index("问题编号")
    for column in ("备注", "整改完成时间", "责任人", "整改措施", "户编号", "佐证材料"):
        blank = filled.index[filled[column].isna()]
        assert table.loc[blank, column].isna().all(), column           # blank in Q2, blank in Q4
        typed = filled.index[filled[column].notna()]
        assert table.loc[typed, column].notna().all(), column
        if column != "整改完成时间":                                   # a date, written as a date
            assert (table.loc[typed, column] == filled.loc[typed, column]).all(), column
    history = history_frame(history_path(tmp_path / "out" / "2022Q4"))
    assert history.set_index("季度").loc["2022Q4", ["未整改", "整改中", "已销号"]].sum() == len(table)


def test_another_countys_workbook_is_refused_and_nothing_written(quarters, tmp_path):
    other = tmp_path / "千阳县台账.xlsx"
    book = openpyxl.load_workbook(quarters["next_ledger"])
    for row in book.active.iter_rows():
        for cell in row:
            if cell.value in TOWNS:
                cell.value = cell.value[:-1] + "乡"
            elif isinstance(cell.value, str):
                cell.value = cell.value.replace("陇县", "千阳县").replace("610327", "610328")
    book.save(other)
    out = tmp_path / "out" / "2022Q3"
    done = subprocess.run([sys.executable, "-m", "ledger_audit_cli", "run", other, "--quarter", "2022Q3", "--previous",
                           quarters["filled_rectification"], "--out", out], capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    assert "三单一账_示例县_2022Q2_已填写.xlsx" in done.stderr and "不是本县的整改台账" in done.stderr
    assert not out.exists()


def test_same_towns_but_none_of_its_households_is_refused(quarters):
    """An old-format workbook (no 县 column) of a county with the same town names."""
    previous = read_previous_rectification(quarters["filled_rectification"]).drop(columns="县")
    ledger = load_ledger([quarters["next_ledger"]], CATALOG)
    frame = ledger.frame.copy()
    for column in ("户编号", "证件号码"):
        frame[column] = frame[column].str.replace("610327", "610328")
    with pytest.raises(AuditInputError, match="可能属于本次台账"):
        audit_county(type(ledger)(frame, ledger.report), {}, Q3, CATALOG, previous_rectification=previous)


def test_a_county_that_fixed_everything_is_still_itself(quarters):
    previous = read_previous_rectification(quarters["filled_rectification"])
    ledger = load_ledger([quarters["next_ledger"]], CATALOG)
    result = audit_county(ledger, {}, Q3, CATALOG, previous_rectification=previous, gates=("G4",))
    assert (result.rectification.set_index("问题编号").loc[previous["问题编号"], "整改状态"] == "已销号").mean() > 0.9


def test_partial_workbooks_are_read_and_every_column_kept(quarters, tmp_path):
    full = sheet_frame(quarters["filled_rectification"])
    partial, header_only = tmp_path / "partial.xlsx", tmp_path / "header_only.xlsx"
    with pd.ExcelWriter(partial) as writer:
        full[["问题编号", "备注"]].to_excel(writer, sheet_name="整改台账", index=False)
    with pd.ExcelWriter(header_only) as writer:
        full.head(0).to_excel(writer, sheet_name="整改台账", index=False)
    ledger = load_ledger([quarters["next_ledger"]], CATALOG)
    fresh = audit_county(ledger, {}, Q3, CATALOG)

    from_partial = audit_county(ledger, {}, Q3, CATALOG, previous_rectification=read_previous_rectification(partial))
    table = from_partial.rectification.set_index("问题编号")
    noted = full.dropna(subset=["备注"])
    assert len(noted) and (table.loc[noted["问题编号"], "备注"] == noted["备注"].to_numpy()).all()
    found_again = table.index.isin(full["问题编号"]) & table.index.isin(fresh.findings["problem_id"])
    assert (table.loc[found_again, "累计季度数"] == "2").all()
    assert (table.loc[found_again, "整改状态"] == "未整改").all()       # no status column: not blank
    assert (table.loc[~table.index.isin(fresh.findings["problem_id"]), "整改状态"] == "已销号").all()

    from_header = audit_county(ledger, {}, Q3, CATALOG, previous_rectification=read_previous_rectification(header_only))
    tables = [t.drop(columns="序号").sort_values("问题编号", ignore_index=True)
              for t in (from_header.rectification, fresh.rectification)]
    pd.testing.assert_frame_equal(*tables)


def test_a_csv_gives_the_same_ledger_as_the_workbook(quarters, tmp_path):
    csv = tmp_path / "整改台账.csv"
    sheet_frame(quarters["filled_rectification"]).to_csv(csv, index=False, encoding="utf-8-sig")
    ledger = load_ledger([quarters["next_ledger"]], CATALOG)
    tables = [audit_county(ledger, {}, Q3, CATALOG, previous_rectification=read_previous_rectification(p)).rectification
              for p in (quarters["filled_rectification"], csv)]
    pd.testing.assert_frame_equal(tables[0], tables[1])


FIXTURES = Path(__file__).parent / "fixtures" / "libreoffice" / "rectification"
FILLED = "三单一账_示例县_2022Q2_已填写"


@pytest.fixture(scope="module")
def fixture_ledger():
    return load_ledger([FIXTURES / "台账_示例县_2022Q3.xlsx"], CATALOG)


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_a_rectification_resaved_by_libreoffice_reads_as_the_original(fixture_ledger, kind):
    """LibreOffice pads the .xlsx with ~1 000 blank styled rows; .xls and .ods are read too."""
    original = read_previous_rectification(FIXTURES / f"{FILLED}.xlsx")
    resaved = read_previous_rectification(FIXTURES / f"libreoffice_{kind}" / f"{FILLED}.{kind}")
    pd.testing.assert_frame_equal(resaved, original)
    result = audit_county(fixture_ledger, {}, Q3, CATALOG, previous_rectification=resaved)
    table = result.rectification.set_index("问题编号")
    found = result.findings.loc[~result.findings["rule_id"].isin(["G4-011", "G4-012"]), "problem_id"]
    assert len(table) == len(set(original["问题编号"]) | set(found))                 # no phantom items
    assert (table["整改状态"] == "已销号").sum() == (~original["问题编号"].isin(found)).sum()
    typed = original.set_index("问题编号")["责任人"]
    assert (table.loc[typed.index, "责任人"] == typed).all() and (typed != "").any()


def test_a_typed_row_without_its_problem_id_stops_the_run_and_a_signature_line_does_not(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    for row in (["问题编号", "整改措施", "备注"], ["G1-001-56c3ed716b", "已补录", ""], [None, None, None],
                [None, "已入户核实，待补录", ""], ["", "填表人：张三", ""]):
        sheet.append(row)
    path = tmp_path / "整改台账.xlsx"
    workbook.save(path)
    with pytest.raises(AuditInputError, match="第 4 行填写了内容，但「问题编号」为空") as error:
        read_previous_rectification(path)
    assert error.value.file == "整改台账.xlsx" and error.value.sheet == "整改台账"
    sheet.delete_rows(4)
    workbook.save(path)
    assert read_previous_rectification(path)["问题编号"].tolist() == ["G1-001-56c3ed716b"]
