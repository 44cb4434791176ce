"""The national system's own export (two title rows, header on row 3, its real headers and value
codes, no 家庭人口数) loads and is audited as truthfully as the canonical form; a missing column never
stops a run unless rows cannot be identified; two columns for one field give G1-014 where they differ."""

import os
import subprocess
import sys
from datetime import date

import openpyxl
import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.normalise.tables import load_ledger, load_roster
from ledger_audit.sample.build import build_sample
from ledger_audit.sample.write import ROSTER_FILES, MessyForms

AS_OF = date(2022, 6, 30)
CATALOG = load_catalog()
NATIONAL = MessyForms(national_headers=True)


def _audit(paths):
    ledger = load_ledger([paths["ledger"]], CATALOG)
    rosters = {department: load_roster(department, paths[department], CATALOG) for department in ROSTER_FILES}
    return ledger, audit_county(ledger, rosters, AuditConfig(as_of=AS_OF), CATALOG)


def test_national_headers_are_written_as_the_export_has_them(tmp_path):
    paths = build_sample(tmp_path, 30, 3, AS_OF, with_defects=False, messy=NATIONAL)
    sheet = openpyxl.load_workbook(paths["ledger"], read_only=True)["台账"]
    rows = list(sheet.iter_rows(max_row=4, values_only=True))
    header = [h for h in rows[2] if h]
    assert rows[0][0].endswith("信息表") and rows[1][0].startswith("填报单位")
    assert {"乡", "村", "享受低保政策情况", "享受特困供养政策情况", "检测对象类别", "监测对象类别", "失学或辍学原因",
            "风险是否已消除0", "公益性岗位帮扶", "致贫/返贫风险1", "致贫/返贫风险5"} <= set(header)
    assert "家庭人口数" not in header and "帮扶措施" not in header
    values = dict(zip(rows[2], rows[3]))
    assert values["享受低保政策情况"] in ("农村低保", "未享受") and len(values["出生日期"]) == 8


def test_national_form_is_audited_like_the_usual_form(tmp_path):
    usual = _audit(build_sample(tmp_path / "usual", 150, 21, AS_OF))[1]
    ledger, national = _audit(build_sample(tmp_path / "national", 150, 21, AS_OF, messy=NATIONAL))
    assert set(ledger.frame["是否享受农村居民最低生活保障"]) == {"是", "否"}
    assert set(ledger.frame["是否特困供养人员"]) == {"是", "否"}
    assert ledger.report.missing_required == ["家庭人口数"]
    assert ledger.report.twins == {"监测对象类别": "检测对象类别", "义务教育阶段未上学原因": "失学或辍学原因",
                                   "风险是否已消除": "风险是否已消除0"}
    counts = pd.concat([usual.findings["rule_id"].value_counts(), national.findings["rule_id"].value_counts()],
                       axis=1, keys=["usual", "national"]).fillna(0)
    # G2-007 cannot run without 家庭人口数; G2-008 then divides by the member rows, so the planted
    # G2-007 households (家庭人口数 one too many, incomes balanced on it) surface there instead.
    differing = counts[counts["usual"] != counts["national"]]
    assert sorted(differing.index) == ["G2-007", "G2-008"]
    assert counts.loc["G2-007", "national"] == 0
    assert national.rules_not_run.set_index("rule_id").loc["G2-007", "reason"] == "缺少列：家庭人口数"
    assert counts.loc["G3-101", "national"] == counts.loc["G3-101", "usual"] >= 1   # 农村低保 read as 是
    assert counts.loc["G1-014", "national"] == counts.loc["G1-014", "usual"] >= 1   # the planted second column


def audit_cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "ledger_audit_cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "COLUMNS": "200"})


@pytest.fixture(scope="module")
def twin_run(tmp_path_factory):
    """A clean national export in which one row's 检测对象类别 disagrees with its 监测对象类别."""
    directory = tmp_path_factory.mktemp("twin")
    paths = build_sample(directory, 40, 4, AS_OF, with_defects=False, messy=NATIONAL)
    workbook = openpyxl.load_workbook(paths["ledger"])
    sheet = workbook["台账"]
    header = [cell.value for cell in sheet[3]]
    used, twin = header.index("监测对象类别") + 1, header.index("检测对象类别") + 1
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, used).value == "")
    sheet.cell(row, twin).value = "边缘易致贫户"
    workbook.save(paths["ledger"])
    result = audit_cli("run", paths["ledger"], "--quarter", "2022Q2", "--out", directory / "out" / "2022Q2", cwd=directory)
    book = openpyxl.load_workbook(next((directory / "out" / "2022Q2").glob("三单一账_*.xlsx")), read_only=True)
    return row, result, book


def test_a_national_export_without_household_size_runs(twin_run):
    _, result, book = twin_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "缺少列：家庭人口数（需要这些列的规则未运行" in result.stdout
    assert "G2-007  缺少列：家庭人口数" in result.stdout
    notes = [row[0] for row in book["汇总"].iter_rows(min_row=2, max_row=6, values_only=True)]
    assert notes[0].startswith("缺少列：家庭人口数")
    assert "监测对象类别：有「监测对象类别」和「检测对象类别」两列，审核使用「监测对象类别」列" in notes[1]


def test_twin_columns_that_differ_give_g1_014_on_that_row(twin_run):
    row, result, book = twin_run
    assert "审核使用「监测对象类别」列" in result.stdout
    problems = list(book["问题清单"].iter_rows(values_only=True))
    header = problems[0]
    found = [dict(zip(header, p)) for p in problems[1:] if dict(zip(header, p))["规则编号"] == "G1-014"]
    assert [f["来源"] for f in found] == [f"台账_示例县.xlsx:台账:{row}"]
    assert "「监测对象类别」列为「（空）」，「检测对象类别」列为「边缘易致贫户」，审核使用「监测对象类别」列" in found[0]["问题描述"]


def test_no_missing_column_makes_a_clean_county_look_wrong(tmp_path):
    """Drop any one column but 户编号 from a clean county: the run goes on, with no 错误/警告 and the
    rules that need the column listed as not run with the column named."""
    ledger, _ = _audit(build_sample(tmp_path, 40, 5, AS_OF, with_defects=False))
    rosters = {d: load_roster(d, tmp_path / f, CATALOG) for d, f in ROSTER_FILES.items()}
    false_findings, not_run = {}, {}
    for column in [c for c in CATALOG.fields if c in ledger.frame.columns and c != "户编号"]:
        table = type(ledger)(ledger.frame.drop(columns=[column]), ledger.report)
        result = audit_county(table, rosters, AuditConfig(as_of=AS_OF), CATALOG)
        serious = result.findings[result.findings["severity"].isin(["错误", "警告"])]
        if len(serious):
            false_findings[column] = sorted(set(serious["rule_id"]))
        not_run[column] = result.rules_not_run.set_index("rule_id")["reason"].to_dict()
    assert false_findings == {}
    assert not_run["家庭人口数"]["G2-007"] == "缺少列：家庭人口数" and "G2-008" not in not_run["家庭人口数"]
    for rule_id in ("G3-101", "G4-010", "G5-005"):
        assert not_run["是否享受农村居民最低生活保障"][rule_id] == "缺少列：是否享受农村居民最低生活保障"
