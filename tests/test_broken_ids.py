"""One root cause, one finding: a person whose ID is broken (a number cell whose last digits Excel cut,
G1-006, or a malformed number, G1-002) gets that one finding. Rules that read the ID's digits and the
department rules skip the person, and the cross-check matrix counts them as 无法比对. A whole column
broken (≥ 20 % by default) is said first, in one line that says what to do."""

import subprocess
import sys
from dataclasses import replace
from datetime import date

import openpyxl
import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, Thresholds
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_ledger, load_roster
from ledger_audit.sample.build import build_sample
from ledger_audit.sample.write import ROSTER_FILES, MessyForms

AS_OF = date(2022, 6, 30)
CATALOG = load_catalog()
ID_DIGIT_AND_DEPARTMENT_RULES = ("G2-001", "G2-002", "G1-003", "G1-004", "G1-005", "G3-001", "G3-101", "G3-103",
                                 "G3-201", "G3-301", "G3-302", "G3-402", "G3-502", "G5-009")


def _audit(directory, messy=MessyForms(), change=None):
    paths = build_sample(directory, 40, 5, AS_OF, with_defects=False, messy=messy)
    ledger = load_ledger([paths["ledger"]], CATALOG)
    if change is not None:
        ledger = LoadedTable(change(ledger.frame.copy()), ledger.report)
    rosters = {department: load_roster(department, paths[department], CATALOG) for department in ROSTER_FILES}
    return ledger, audit_county(ledger, rosters, AuditConfig(as_of=AS_OF), CATALOG)


@pytest.fixture(scope="module")
def numeric(tmp_path_factory):
    return _audit(tmp_path_factory.mktemp("numeric"), MessyForms(numeric_ids=True))


def test_ids_stored_as_numbers_give_only_g1_006(numeric):
    ledger, result = numeric
    findings = result.findings
    cut = ledger.frame[~ledger.frame["证件号码"].str.endswith("X")]   # an ID ending in X stays text
    assert len(cut) > 50
    g1006 = findings[findings["rule_id"] == "G1-006"]
    assert sorted(g1006["sources"]) == sorted("台账_示例县.xlsx:台账:" + cut["_row"].astype(str))
    serious = findings[findings["severity"].isin(["错误", "警告"]) & (findings["rule_id"] != "G1-006")]
    assert serious[["rule_id", "sources"]].values.tolist() == []
    assert not findings["rule_id"].isin(ID_DIGIT_AND_DEPARTMENT_RULES).any()


def test_matrix_counts_broken_ids_as_not_comparable(numeric):
    ledger, result = numeric
    matrix = result.cross_check_matrix.set_index("department")
    broken = int((~ledger.frame["证件号码"].str.endswith("X")).sum())
    assert matrix["unmatchable"].tolist() == [broken] * len(ROSTER_FILES)
    assert matrix.loc["医保", "only_in_ledger"] == 0


def _malformed(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the last digit of the first 户主's ID."""
    head = frame.index[frame["与户主关系"] == "户主"][0]
    frame.loc[head, "证件号码"] = frame.loc[head, "证件号码"][:17]
    return frame


def test_malformed_id_gives_only_g1_002(tmp_path):
    ledger, result = _audit(tmp_path, change=_malformed)
    head = ledger.frame[ledger.frame["证件号码"].str.len() == 17].iloc[0]
    source = f"台账_示例县.xlsx:台账:{head['_row']}"
    findings = result.findings
    per_source = findings.assign(source=findings["sources"].str.split("；")).explode("source")
    on_row = per_source[(per_source["source"] == source) & per_source["severity"].isin(["错误", "警告"])]
    assert on_row["rule_id"].tolist() == ["G1-002"]
    assert not findings["rule_id"].isin(ID_DIGIT_AND_DEPARTMENT_RULES).any()
    assert result.cross_check_matrix["unmatchable"].tolist() == [1] * len(ROSTER_FILES)


def test_a_whole_broken_id_column_is_said_first(numeric):
    ledger, result = numeric
    broken = int((~ledger.frame["证件号码"].str.endswith("X")).sum())
    assert result.broken_columns == [f"证件号码列有 {broken} 个被存为数字，末三位已丢失：请从系统重新导出（证件号码列设为文本）后再审核"]


def _unreadable_birth_dates(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[frame.index[: len(frame) * 3 // 10], "出生日期"] = "不详"
    return frame


def test_an_unreadable_date_column_is_said_first_from_the_configured_share(tmp_path):
    ledger, result = _audit(tmp_path, change=_unreadable_birth_dates)
    unreadable = int((ledger.frame["出生日期"] == "不详").sum())
    assert result.broken_columns == [f"出生日期列有 {unreadable} 个日期无法识别（已填 {len(ledger.frame)} 个）："
                                     "请按 2022-03-01 或 202203 的写法改正该列，或从系统重新导出后再审核"]
    assert (result.findings["rule_id"] == "G1-010").sum() == unreadable   # the rows stay in 问题清单
    strict = AuditConfig(as_of=AS_OF, thresholds=replace(Thresholds(), broken_column_share=0.5))
    assert audit_county(ledger, {}, strict, CATALOG).broken_columns == []
    assert _audit(tmp_path / "clean")[1].broken_columns == []


def test_terminal_html_and_summary_sheet_start_with_the_broken_column(tmp_path):
    paths = build_sample(tmp_path, 30, 6, AS_OF, with_defects=False, messy=MessyForms(numeric_ids=True))
    out = tmp_path / "out" / "2022Q2"
    result = subprocess.run([sys.executable, "-m", "ledger_audit_cli", "run", paths["ledger"], "--quarter", "2022Q2",
                             "--out", out], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stderr                       # G1-006 is 错误
    line = "证件号码列有"
    assert result.stdout.splitlines()[0].startswith("！" + line)
    summary = openpyxl.load_workbook(next(out.glob("三单一账_*.xlsx")), read_only=True)["汇总"]
    assert next(summary.iter_rows(min_row=2, max_row=2, values_only=True))[0].startswith(line)
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert html.index(line) < html.index('id="conclusion"')


def test_a_mistyped_id_gives_its_g1_finding_and_g3_502_never_a_missing_record():
    """One wrong digit (the check character says so): the 医保 roster and the national tables list the
    person under the right number. Saying 未参保 or 户信息/务工 missing would be false."""
    from ledger_audit.frame import LoadReport
    from ledger_audit.rule_examples import ExampleCase, case_inputs

    right = {"证件号码": "610327197005010016"}
    case = ExampleCase(ledger=({"证件号码": "610327197005010014"},),
                       rosters={"医保": ({**right, "参保状态": "正常参保", "险种": "城乡居民基本医疗保险"},)},
                       tables={"户信息": ({**right, "户类型": "脱贫户"},),
                               "已外出务工": ({**right, "是否已务工": "是", "就业渠道": "自主务工"},),
                               "计划外出务工": ({**right, "是否计划务工": "否"},)})
    inputs = case_inputs(case, CATALOG)
    loaded = lambda frame, role: LoadedTable(frame, LoadReport(role=role))  # noqa: E731
    result = audit_county(loaded(inputs.ledger, "ledger"), {n: loaded(f, n) for n, f in inputs.rosters.items()},
                          AuditConfig(as_of=AS_OF), CATALOG, tables={n: loaded(f, n) for n, f in inputs.tables.items()})
    serious = result.findings[result.findings["severity"] != "提示"]
    assert sorted(serious["rule_id"]) == ["G1-003", "G3-502"], serious[["rule_id", "message"]]
