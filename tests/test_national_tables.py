"""The national system's other tables (--table): each missing table leaves exactly its rules not
run, 户信息 fills living conditions the ledger lacks, a table of one 乡镇 is compared only there,
a village may count more than the ledger but not less, a table given for the wrong role is
refused with a clear message, and each table given has its row in the cross-check matrix, whose
counts are its rules' findings, in the workbook's 汇总 and in the HTML report."""

from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, Thresholds
from ledger_audit.errors import AuditInputError
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_ledger, load_table
from ledger_audit.registry import implementations
from ledger_audit.report.writers import write_reports
from ledger_audit.sample.build import build_sample
from ledger_audit.sample.write import LEDGER_FILE, TABLE_FILES, MessyForms
from ledger_audit_cli.main import build_app
from typer.testing import CliRunner

CATALOG = load_catalog()
SAMPLE = Path(__file__).parent.parent / "sample_data"
AS_OF = date(2022, 6, 30)
TABLE_RULES = {r.rule_id: r.needs_tables for r in implementations().values() if r.needs_tables}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    paths = build_sample(tmp_path_factory.mktemp("t"), 80, 5, AS_OF, with_defects=False)
    return load_ledger([paths["ledger"]], CATALOG), {t: load_table(t, paths[t], CATALOG) for t in TABLE_FILES}, paths


def audit(ledger, tables, config=AuditConfig(as_of=AS_OF)):
    return audit_county(ledger, {}, config, CATALOG, tables=tables)


def with_frame(table: LoadedTable, frame) -> LoadedTable:
    return LoadedTable(frame.reset_index(drop=True), table.report)


@pytest.mark.parametrize("absent", list(TABLE_FILES))
def test_a_missing_table_leaves_exactly_its_rules_not_run(clean, absent):
    ledger, tables, _ = clean
    result = audit(ledger, {t: v for t, v in tables.items() if t != absent})
    not_run = result.rules_not_run.set_index("rule_id")["reason"]
    expected = sorted(rule_id for rule_id, needs in TABLE_RULES.items() if absent in needs)
    assert sorted(r for r in not_run.index if r in TABLE_RULES) == expected
    assert all(f"未提供{absent}表" in not_run[r] for r in expected)


def test_clean_tables_give_no_finding_of_their_rules(clean):
    ledger, tables, _ = clean
    findings = audit(ledger, tables).findings
    assert findings[findings["rule_id"].isin(list(TABLE_RULES))]["message"].tolist() == []


def test_household_table_supplies_living_conditions_the_ledger_lacks(clean):
    ledger, tables, _ = clean
    without = with_frame(ledger, ledger.frame.drop(columns=["是否通生活用电"]))
    household = tables["户信息"].frame.copy()
    poor = ledger.frame.loc[ledger.frame["户类型"] == "脱贫户", "户编号"].iloc[0]
    household.loc[household["户编号"] == poor, "是否通生活用电"] = "否"
    assert "G5-010" in set(audit(without, {}).rules_not_run["rule_id"])
    findings = audit(without, {"户信息": with_frame(tables["户信息"], household)}).findings
    assert findings.loc[findings["rule_id"] == "G5-010", "household_id"].tolist() == [poor]


def test_a_table_of_one_town_is_compared_only_in_that_town(clean):
    ledger, tables, _ = clean
    household = tables["户信息"].frame
    town = household["乡镇"].iloc[0]
    one_town = household[household["乡镇"] == town]
    findings = audit(ledger, {"户信息": with_frame(tables["户信息"], one_town)}).findings
    assert findings[findings["rule_id"].isin(["G3-601", "G3-602"])].empty
    dropped = one_town.drop(one_town.index[0])
    findings = audit(ledger, {"户信息": with_frame(tables["户信息"], dropped)}).findings
    missing = findings[findings["rule_id"] == "G3-602"]
    assert missing["id_number"].tolist() == [one_town["证件号码"].iloc[0]] and set(missing["town"]) == {town}


def test_a_village_may_count_more_than_the_ledger_but_not_less(clean):
    ledger, tables, _ = clean
    villages = tables["行政村"].frame.copy()
    frame = ledger.frame
    active = frame[frame["人员状态"].isin(["", "正常"])]
    first = villages.iloc[0]
    people = int(((active["乡镇"] == first["乡镇"]) & (active["行政村"] == first["行政村"])).sum())
    villages.loc[0, "总人口数"] = str(people - 2)
    table = {"行政村": with_frame(tables["行政村"], villages)}
    findings = audit(ledger, table).findings
    shortfall = findings[findings["rule_id"] == "G5-014"]
    assert shortfall["message"].tolist() == [
        f"{first['乡镇']}{first['行政村']} 行政村信息中 总人口数 {people - 2}（台账 {people} 人），少于台账该村的记录"]
    lenient = AuditConfig(as_of=AS_OF, thresholds=replace(Thresholds(), village_count_shortfall=2))
    assert audit(ledger, table, lenient).findings.query("rule_id == 'G5-014'").empty


def test_a_rule_on_a_table_column_is_not_run_without_that_column(clean):
    ledger, tables, _ = clean
    working = with_frame(tables["已外出务工"], tables["已外出务工"].frame.drop(columns=["就业渠道"]))
    not_run = audit(ledger, {"已外出务工": working}).rules_not_run.set_index("rule_id")["reason"]
    assert not_run["G3-605"] == "缺少列：已外出务工.就业渠道"


def test_a_table_given_as_the_ledger_and_the_ledger_given_as_a_table_are_refused(clean):
    _, _, paths = clean
    with pytest.raises(AuditInputError, match="这看起来是行政村表，不是台账") as error:
        load_ledger([paths["行政村"]], CATALOG)
    assert "--table 行政村=" in error.value.hint
    with pytest.raises(AuditInputError, match="这看起来是台账，不是户信息表"):
        load_table("户信息", paths["ledger"], CATALOG)
    with pytest.raises(AuditInputError, match="这看起来是医保名单，不是户信息表"):
        load_table("户信息", paths["医保"], CATALOG)


@pytest.mark.parametrize("command", ["run", "check"])
def test_the_household_table_given_as_the_ledger_stops_with_what_to_give_instead(command, tmp_path):
    """户信息's columns are all ledger columns; its living conditions without any person column
    (性别, 与户主关系 …) tell it. Nothing is written."""
    path = SAMPLE / TABLE_FILES["户信息"]
    out = ["--out", str(tmp_path / "out")] if command == "run" else ["--json", str(tmp_path / "out")]
    result = CliRunner().invoke(build_app(), [command, str(path), "--quarter", "2022Q2", *out], env={"COLUMNS": "200"})
    assert result.exit_code == 3, result.output
    text = result.output.replace("\n", "")
    assert f"文件「{path.name}」：这看起来是户信息表，不是台账" in text and "与户主关系" in text
    assert f"请用 --table 户信息={path.name} 指定它，并给出监测对象信息（人员）台账文件" in text
    assert not (tmp_path / "out").exists()


LIBREOFFICE = Path(__file__).parent / "fixtures" / "libreoffice"


@pytest.mark.parametrize("ledger", ["clean/xls/台账_示例县.xls", "clean/ods/台账_示例县.ods", "defects/gbk_csv/台账_示例县.csv",
                                    "national"])
def test_real_ledgers_are_not_taken_for_the_household_table(ledger, tmp_path):
    """LibreOffice re-saves, a GBK CSV, the national export's form (the shipped sample: with_defects)."""
    if ledger == "national":
        path = build_sample(tmp_path, 8, 2, AS_OF, messy=MessyForms(national_headers=True))["ledger"]
    else:
        path = LIBREOFFICE / ledger
    assert len(load_ledger([path], CATALOG).frame) > 10


@pytest.mark.parametrize("kept", [["与户主关系"], ["性别", "出生日期"], []])
def test_a_ledger_with_few_columns_is_not_taken_for_the_household_table(clean, tmp_path, kept):
    """The 户信息 columns and one person column are a ledger missing columns; with no person column
    they are 户信息, unless the file has fewer than two of its living conditions."""
    ledger, _, _ = clean
    household = ["县", "乡镇", "行政村", "户编号", "姓名", "证件号码", "户类型", "是否通生活用电", "入户道路是否硬化", "是否有卫生厕所",
                 "住房面积"]
    path = tmp_path / "台账.csv"
    ledger.frame[household + kept].to_csv(path, index=False, encoding="utf-8-sig")
    if not kept:
        with pytest.raises(AuditInputError, match="这看起来是户信息表，不是台账"):
            load_ledger([path], CATALOG)
        ledger.frame[household[:7] + ["是否通生活用电"]].to_csv(path, index=False, encoding="utf-8-sig")
    assert len(load_ledger([path], CATALOG).frame) == len(ledger.frame)


def test_a_table_missing_a_key_column_names_it_and_the_table_aliases(clean, tmp_path):
    """Its keys are also a roster's (姓名, 证件号码): it must not be taken for a roster."""
    _, tables, _ = clean
    frame = tables["户信息"].frame.drop(columns=["户编号", "_file", "_sheet", "_row", "_id_stored_as_number"], errors="ignore")
    path = tmp_path / "户信息.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(AuditInputError, match="缺少必需的列：户编号") as error:
        load_table("户信息", path, CATALOG)
    assert "schemas/tables.toml" in error.value.hint


MATRIX_TITLE = "部门名单和全国系统表比对"
# (table, matrix column) → the rule whose findings that count is (schemas/tables.toml `matrix`).
MATRIX_RULES = {("户信息", "only_in_ledger"): "G3-602", ("户信息", "only_in_roster"): "G3-601",
                ("已外出务工", "only_in_ledger"): "G3-603", ("已外出务工", "conflicting"): "G3-604",
                ("计划外出务工", "only_in_ledger"): "G3-606", ("行政村", "conflicting"): "G5-014"}
LABELS = {"户信息": "户信息表", "已外出务工": "已外出务工表", "计划外出务工": "计划外出务工表", "行政村": "行政村信息表（按村计）"}


@pytest.fixture(scope="module")
def with_defects(tmp_path_factory):
    """The shipped sample county (every defect planted; a small sample plants too few of the table
    rules' defects) with its four tables, audited and written."""
    result = audit(load_ledger([SAMPLE / LEDGER_FILE], CATALOG),
                   {t: load_table(t, SAMPLE / file, CATALOG) for t, file in TABLE_FILES.items()})
    return result, write_reports(result, tmp_path_factory.mktemp("out"), ("xlsx", "html"))


def workbook_block(path, title: str) -> list[list]:
    """The rows (header first) of one block of 汇总, as a person reads them."""
    rows = list(openpyxl.load_workbook(path, read_only=True)["汇总"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title) + 1
    block = []
    for row in rows[start:]:
        if row[0] is None:
            break
        block.append([cell for cell in row if cell is not None])
    return block


class SectionTable(HTMLParser):
    """The cells of the table under the <h2> with the given title."""

    def __init__(self, title: str):
        super().__init__()
        self.title, self.heading, self.inside, self.rows, self.cell = title, "", False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.heading = None
        elif tag == "tr" and self.inside:
            self.rows.append([])
        elif tag in ("td", "th") and self.inside:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.heading is None:
            self.heading = data
            self.inside = data.strip() == self.title
        elif self.cell is not None:
            self.cell += data


def test_each_table_has_a_matrix_row_whose_counts_are_its_rules_findings(with_defects):
    result, _ = with_defects
    counted = result.findings["rule_id"].value_counts()
    matrix = result.cross_check_matrix.set_index("department")
    assert matrix.loc[list(TABLE_FILES), "label"].tolist() == [LABELS[t] for t in TABLE_FILES]
    for (table, column), rule_id in MATRIX_RULES.items():
        assert matrix.at[table, column] == counted.get(rule_id, 0) > 0, (table, column, rule_id)
        assert rule_id in matrix.at[table, "note"]
    assert pd.isna(matrix.at["户信息", "conflicting"]) and pd.isna(matrix.at["行政村", "unmatchable"])
    assert (matrix.loc[["户信息", "已外出务工", "计划外出务工"], "matched"] > 0).all()


def test_the_matrix_rows_of_the_tables_are_in_the_workbook_and_the_html_report(with_defects):
    result, outputs = with_defects
    matrix = result.cross_check_matrix.set_index("department")
    expected = [[LABELS[t], *("—" if pd.isna(v) else int(v) for v in matrix.loc[t, ["matched", "only_in_ledger",
                "only_in_roster", "conflicting", "unmatchable"]]), matrix.at[t, "note"]] for t in TABLE_FILES]
    header = ["比对对象", "匹配", "仅台账有", "仅名单（表）有", "信息冲突", "无法比对", "说明"]
    assert workbook_block(outputs["xlsx"], MATRIX_TITLE) == [header, *expected]
    summary = openpyxl.load_workbook(outputs["xlsx"])["汇总"]
    row = next(r for r in summary.iter_rows() if r[0].value == LABELS["户信息"])
    assert row[4].value == "—" and row[4].alignment.horizontal == "right"    # under the counts, not after them
    assert row[6].alignment.wrap_text    # the 说明 stays inside the printed width
    html = SectionTable(MATRIX_TITLE)
    text = outputs["html"].read_text(encoding="utf-8")
    html.feed(text)
    assert html.rows == [header, *[[str(cell) for cell in row] for row in expected]]
    # Counts ("—" too) right-aligned, the 说明 wrapped rather than run off the page; a card per row on a phone.
    assert '<td class="num" data-label="信息冲突">—</td>' in text
    assert f'<td class="long" data-label="说明">{expected[0][-1]}</td>' in text


def test_village_counts_of_the_matrix_follow_the_village_table(clean):
    ledger, tables, _ = clean
    villages = tables["行政村"].frame
    before = audit(ledger, tables).cross_check_matrix.set_index("department").loc["行政村"]
    assert (before["only_in_ledger"], before["only_in_roster"], before["conflicting"]) == (0, 0, 0)
    changed = villages.drop(index=[0]).copy()
    changed.loc[1, "行政村"] = "不存在村"
    after = audit(ledger, {"行政村": with_frame(tables["行政村"], changed)}).cross_check_matrix.set_index("department")
    assert after.loc["行政村", ["matched", "only_in_ledger", "only_in_roster"]].tolist() == [before["matched"] - 2, 2, 1]


def test_a_count_whose_rule_did_not_run_is_not_shown_as_zero(clean):
    """Without 计划外出务工, G3-603 (in neither 务工 table) cannot run: 仅台账有 is "—", with why."""
    ledger, tables, _ = clean
    matrix = audit(ledger, {"已外出务工": tables["已外出务工"]}).cross_check_matrix.set_index("department")
    assert list(matrix.index) == ["已外出务工"]
    assert pd.isna(matrix.at["已外出务工", "only_in_ledger"]) and matrix.at["已外出务工", "conflicting"] == 0
    assert "G3-603「有务工时间但无务工监测记录」未运行" in matrix.at["已外出务工", "note"]


def test_every_matrix_count_of_a_table_names_a_rule_over_that_table():
    """A misspelled rule ID in tables.toml `matrix` would show "—" for ever: refused here."""
    for name, spec in CATALOG.tables.items():
        for column, rule_id in spec.matrix.items():
            if column != "label":
                assert column in ("only_in_ledger", "only_in_roster", "conflicting"), (name, column)
                assert name in TABLE_RULES.get(rule_id, ()) and rule_id in CATALOG.rules, (name, rule_id)
