"""Files as real programs write them: the sample county re-saved by LibreOffice (.xlsx, .xls, .ods,
GBK CSV; committed under tests/fixtures/libreoffice/ by make_fixtures.py), date cells under both
Excel date systems, and damaged or padded workbooks. A re-saved county must audit exactly like the
file it was made from, and a clean one must stay clean."""

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, RunSettings
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.pipeline import run_audit
from ledger_audit.read.raw import without_trailing_blank_rows
from ledger_audit.registry import implementations
from ledger_audit.sample.write import LEDGER_FILE, ROSTER_FILES, TABLE_FILES
from tests.builders import HEADER, ROW

FIXTURES = Path(__file__).parent / "fixtures" / "libreoffice"
AS_OF = date(2022, 6, 30)
SERIOUS = ("错误", "警告")
RESAVED = ["defects/xlsx", "defects/xls", "defects/ods", "defects/gbk_csv", "date_cells/xlsx", "date_cells/xls",
           "date_cells/ods", "numeric_ids/xlsx", "numeric_ids/xls"]
CLEAN = ["clean/xlsx", "clean/xls", "clean/ods", "blank_styled_rows/xlsx"]


def county_files(folder: Path) -> RunSettings:
    """The ledger and the rosters of a fixture folder, whatever format each was saved in. The
    fixtures were made before the 人社 and 残联 rosters existed: a roster the folder lacks is not given."""
    def one(name: str) -> Path | None:
        return next(folder.glob(Path(name).stem + ".*"), None)
    rosters = {d: one(f) for d, f in ROSTER_FILES.items()}
    return RunSettings(ledgers=(one(LEDGER_FILE),), rosters={d: path for d, path in rosters.items() if path})


def audit_folder(folder: Path) -> pd.DataFrame:
    return run_audit(county_files(folder), AuditConfig(as_of=AS_OF), load_catalog(), write=False).result.findings


def located(findings: pd.DataFrame) -> set[tuple[str, str, str]]:
    """(rule, file name without extension, Excel row) of every 错误/警告 source: the same in any
    format, since re-saving keeps every row where it was (a CSV has no sheet name)."""
    serious = findings[findings["severity"].isin(SERIOUS)]
    sources = serious.assign(source=serious["sources"].str.split("；")).explode("source")
    parts = sources["source"].str.rsplit(":", n=2, expand=True)
    return set(zip(sources["rule_id"], parts[0].str.rsplit(".", n=1).str[0], parts[2]))


@pytest.fixture(scope="module")
def originals():
    """The serious findings of each generator-written county the re-saved fixtures were made from."""
    return {name: located(audit_folder(FIXTURES / name / "original")) for name in ("defects", "date_cells", "numeric_ids")}


@pytest.mark.parametrize("form", RESAVED)
def test_resaved_county_audits_like_its_original_and_every_planted_defect_is_found(form, originals):
    folder = FIXTURES / form
    findings = audit_folder(folder)
    assert located(findings) == originals[form.split("/")[0]]
    if form.startswith("numeric_ids"):
        return   # there G1-006 stands in for the ID defects planted on the same cells
    planted = pd.read_csv(folder / "planted.csv", dtype=str)
    sources = findings.assign(source=findings["sources"].str.split("；")).explode("source")
    found = set(zip(sources["rule_id"], sources["source"]))
    wanted = set(zip(planted["rule_id"], planted["file"] + ":" + planted["sheet"].fillna("") + ":" + planted["row"]))
    assert len(wanted) > 20 and wanted - found == set()


def test_ids_stored_as_numbers_by_libreoffice_are_g1_006_not_checksum_errors(originals):
    """LibreOffice writes 6.10327196001018E+017 (three exponent digits) into the sheet XML: the same
    IDs as the generator's number cells are G1-006, and none of them is also a checksum or birth-date
    error (their last digits are lost, not wrong)."""
    found = located(audit_folder(FIXTURES / "numeric_ids" / "xlsx"))
    number_cells = {(file, row) for rule, file, row in found if rule == "G1-006"}
    assert len(number_cells) >= 80
    assert number_cells == {(file, row) for rule, file, row in originals["numeric_ids"] if rule == "G1-006"}
    assert {(file, row) for rule, file, row in found if rule in ("G1-003", "G1-004")} & number_cells == set()


@pytest.mark.parametrize("form", CLEAN)
def test_clean_county_resaved_by_libreoffice_stays_clean(form):
    findings = audit_folder(FIXTURES / form)
    serious = findings[findings["severity"].isin(SERIOUS)]
    assert serious[["rule_id", "message"]].values.tolist() == []


@pytest.mark.parametrize("form", ["xls", "ods"])
def test_national_tables_resaved_by_libreoffice_keep_the_clean_county_clean(form):
    """The four tables as LibreOffice saves them (national headers, two title rows) beside the
    LibreOffice-saved clean ledger, which predates the living-condition columns: 户信息 supplies
    them, every table rule runs, and nothing serious is found."""
    tables = {name: FIXTURES / "tables" / form / file.replace(".xlsx", f".{form}") for name, file in TABLE_FILES.items()}
    settings = RunSettings(ledgers=(next((FIXTURES / "clean" / form).glob("台账*")),), tables=tables)
    result = run_audit(settings, AuditConfig(as_of=AS_OF), load_catalog(), write=False).result
    assert len(result.loads) == 5 and all(load.rows > 0 for load in result.loads)
    not_run = set(result.rules_not_run["rule_id"])
    assert not_run.isdisjoint({"G3-601", "G3-602", "G3-603", "G3-605", "G3-606", "G5-010", "G5-011", "G5-012", "G5-014"})
    serious = result.findings[result.findings["severity"].isin(SERIOUS)]
    assert serious[["rule_id", "message"]].values.tolist() == []


PEOPLE_ROSTERS = ("人社", "残联")


@pytest.mark.parametrize("form", ["xls", "ods", "numbers_xls", "numbers_ods"])
def test_renshe_and_canlian_rosters_resaved_by_libreoffice_keep_the_clean_county_clean(form):
    """人社 and 残联 as LibreOffice saves them beside the clean ledger they list: every G3-7xx and
    G3-8xx rule runs and finds nothing serious. Opened from a CSV (numbers_*), every all-digit ID and
    残疾人证号 is a number that kept 15 digits: those rows cannot be compared, the run says so once,
    and none is taken for a mistyped ID (G3-502) or for a person missing from the roster."""
    folder = FIXTURES / "people_rosters"
    rosters = {d: next((folder / form).glob(Path(ROSTER_FILES[d]).stem + ".*")) for d in PEOPLE_ROSTERS}
    settings = RunSettings(ledgers=(folder / "original" / LEDGER_FILE,), rosters=rosters)
    result = run_audit(settings, AuditConfig(as_of=AS_OF), load_catalog(), write=False).result
    theirs = {r.rule_id for r in implementations().values() if r.needs_roster in PEOPLE_ROSTERS}
    assert len(theirs) >= 6 and theirs.isdisjoint(set(result.rules_not_run["rule_id"]))
    serious = result.findings[result.findings["severity"].isin(SERIOUS)]
    assert serious[["rule_id", "message"]].values.tolist() == []
    matrix = result.cross_check_matrix.set_index("department")
    rows = {load.role: load.rows for load in result.loads}
    assert matrix.loc[list(PEOPLE_ROSTERS), "only_in_roster"].tolist() == [0, 0]
    if form.startswith("numbers"):
        assert [line.split("有 ")[0] for line in result.broken_columns] == ["人社名单", "残联名单"]
        assert matrix.at["人社", "matched"] < rows["人社"] / 2
    else:
        assert result.broken_columns == []
        assert matrix.loc[list(PEOPLE_ROSTERS), "matched"].tolist() == [rows[d] for d in PEOPLE_ROSTERS]


def test_blank_styled_rows_below_the_data_are_not_ledger_rows():
    """1 000 formatted empty rows re-saved by LibreOffice: neither rows nor counted as dropped."""
    catalog = load_catalog()
    padded = load_ledger([FIXTURES / "blank_styled_rows" / "xlsx" / LEDGER_FILE], catalog)
    plain = load_ledger([FIXTURES / "clean" / "xlsx" / LEDGER_FILE], catalog)
    assert len(padded.frame) == len(plain.frame) > 90
    assert "空行" not in padded.report.dropped


def audit_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ledger_audit_cli", "check", *map(str, args), "--quarter", "2022Q2"],
                          capture_output=True, text=True)


@pytest.mark.parametrize("form, code", [("clean/ods", 0), ("clean/xls", 0), ("defects/ods", 1)])
def test_exit_codes_on_libreoffice_files(form, code):
    assert audit_cli(county_files(FIXTURES / form).ledgers[0]).returncode == code


DATE_HEADER = HEADER + ["出生日期", "识别监测时间"]
# (识别监测时间 as the workbook holds it, the date the audit must read), one row each from row 2.
DATE_FORMS = [(datetime(2021, 3, 2), "2021-03-02"), (datetime(2021, 3, 2, 13, 5), "2021-03-02"), (44257.0, "2021-03-02"),
              ("20210302", "2021-03-02"), ("202103", "2021-03-01"), ("2021-03-02", "2021-03-02"), ("2021/3/2", "2021-03-02"),
              ("2021.03", "2021-03-01"), ("2021.03.02", "2021-03-02"), ("2021年3月", "2021-03-01"),
              ("2021年3月2日", "2021-03-02"), ("2021-03-02 00:00:00", "2021-03-02"), ("20210302 00:00:00", "2021-03-02"),
              ("202103.0", "2021-03-01"), (datetime(2022, 9, 1), "2022-09-01")]


def date_workbook(path: Path, date_1904: bool) -> None:
    """One person per row; 识别监测时间 in each form of DATE_FORMS (date and datetime cells, a serial
    number in a General cell, the text forms, a number that was text, last a date cell later than
    the as-of date); 出生日期 a date cell matching the ID everywhere."""
    workbook = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    sheet = workbook.add_worksheet("台账")
    day, moment = workbook.add_format({"num_format": "yyyy-mm-dd"}), workbook.add_format({"num_format": "yyyy/m/d h:mm"})
    sheet.write_row(0, 0, DATE_HEADER)
    for row, (form, _) in enumerate(DATE_FORMS, start=1):
        sheet.write_row(row, 0, ROW[:2] + [f"H{row:03d}"] + ROW[3:])
        sheet.write_datetime(row, len(HEADER), datetime(1990, 1, 1), day)
        column = len(HEADER) + 1
        if isinstance(form, datetime):
            sheet.write_datetime(row, column, form, moment if form.hour else day)
        elif isinstance(form, float):
            sheet.write_number(row, column, form)
        else:
            sheet.write_string(row, column, form)
    workbook.close()


@pytest.mark.parametrize("date_1904", [False, True])
def test_every_form_of_date_is_read_and_only_a_future_one_is_g1_010(tmp_path, date_1904):
    path = tmp_path / "dates.xlsx"
    date_workbook(path, date_1904)
    table = load_ledger([path], load_catalog())
    assert table.frame["出生日期"].unique().tolist() == ["1990-01-01"]
    assert table.frame["识别监测时间"].tolist() == [iso for _, iso in DATE_FORMS]
    findings = run_audit(RunSettings(ledgers=(path,)), AuditConfig(as_of=AS_OF), load_catalog(), write=False).result.findings
    invalid = findings[findings["rule_id"] == "G1-010"]
    assert invalid["sources"].tolist() == [f"dates.xlsx:台账:{len(DATE_FORMS) + 1}"]
    assert "识别监测时间「2022-09-01」" in invalid["message"].iloc[0]
    assert findings[findings["rule_id"] == "G2-002"].empty   # birth date agrees with the ID on every row
    assert audit_cli(path).returncode == 1


def test_sample_with_date_cells_writes_real_date_cells(tmp_path):
    subprocess.run([sys.executable, "-m", "ledger_audit_cli", "sample", "--out", str(tmp_path), "--households", "5",
                    "--date-cells"], check=True, capture_output=True)
    sheet = openpyxl.load_workbook(tmp_path / LEDGER_FILE, read_only=True).active
    header = [cell.value for cell in next(sheet.iter_rows(min_row=3, max_row=3))]
    first = next(sheet.iter_rows(min_row=4, max_row=4))
    birth = first[header.index("出生日期")]
    assert birth.is_date and birth.number_format == "yyyy-mm-dd"


def test_only_the_blank_rows_below_the_last_filled_one_are_trimmed():
    cells = pd.DataFrame({0: ["户主", "", None, "张三"] + [" "] * 200, 1: [None, "", "", ""] + [None] * 200},
                         index=range(1, 205)).astype("string")
    assert without_trailing_blank_rows(cells).index.tolist() == [1, 2, 3, 4]   # rows 2–3 stay: normalising counts them
    assert without_trailing_blank_rows(cells.iloc[4:]).empty
