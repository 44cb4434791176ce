"""What a person sees in a terminal: money in messages, Chinese tables that line up, `audit check`
findings one per line or as GitHub annotations, progress on a terminal only."""

import os
import re
import subprocess
import sys
from datetime import date

import pytest
from typer.testing import CliRunner

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.frame import LoadedTable, LoadReport
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.province.summary import CountySummary, province_text
from ledger_audit.report.terminal import load_summary
from ledger_audit.sample.build import build_sample
from ledger_audit_cli.display import display_width
from ledger_audit_cli.main import build_app

CATALOG = load_catalog()
AS_OF = date(2022, 6, 30)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    paths = build_sample(tmp_path_factory.mktemp("c"), 30, 3, AS_OF, with_defects=False)
    return load_ledger([paths["ledger"]], CATALOG)


def test_money_in_a_message_has_no_trailing_point_zero(clean):
    frame = clean.frame.copy()
    household = frame["户编号"].iloc[0]
    rows = frame["户编号"] == household
    people = int(frame.loc[rows, "家庭人口数"].iloc[0])
    frame.loc[rows, "纯收入（元）"] = str(11503 * people)
    frame.loc[rows, "人均纯收入（元）"] = "11803"
    findings = audit_county(LoadedTable(frame, clean.report), {}, AuditConfig(as_of=AS_OF), CATALOG).findings
    message = findings.loc[findings["rule_id"] == "G2-008", "message"].iloc[0]
    assert f"÷ {people} 人应为 11503 元" in message, message


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("s"), 60, 8, AS_OF)


def run_cli(*args):
    result = CliRunner().invoke(build_app(), [str(a) for a in args], env={"COLUMNS": "80"})
    return result.exit_code, result.output


def display_columns(line: str) -> str:
    """The line as one character per display column (a wide character, then a filler)."""
    return "".join(c + "\0" * (display_width(c) - 1) for c in line)


def assert_table_lines_up(table: str) -> None:
    """No row is wider than the dashes under the header, and every column gap of the dashes is a
    blank column in every row (no CJK character straddles it)."""
    lines = [display_columns(line) for line in table.splitlines()]
    dashes = next(line for line in lines if set(line) <= {"-", " "})
    gaps = [i for i, c in enumerate(dashes) if c == " "]
    assert gaps, table
    for line in lines:
        assert len(line) <= len(dashes), table
        assert all(line[i] == " " for i in gaps if i < len(line)), (line.replace("\0", ""), table)


def test_chinese_tables_line_up_by_display_width(sample):
    code, output = run_cli("check", sample["ledger"], "--quarter", "2022Q2", "--max-lines", "0")
    tables = [block for block in output.split("\n\n") if "------" in block]
    assert code == 1 and len(tables) >= 2
    for table in tables:
        assert_table_lines_up(table.split("：\n", 1)[-1])
    code, listing = run_cli("rules")
    assert code == 0
    assert_table_lines_up(listing)


def test_the_province_table_fits_80_columns_and_lines_up():
    summaries = [CountySummary(name, 1000, 3000, {"错误": 100, "警告": 200, "提示": 30}, {}, 12)
                 for name in ("新城区", "镇坪县", "紫阳县")]
    table = province_text(summaries)
    assert "全省合计" in table and max(display_width(line) for line in table.splitlines()) <= 80, table
    assert_table_lines_up(table)


def test_a_load_line_names_a_sheet_without_its_file_unless_several_files_were_read():
    one = LoadReport("户信息", "户信息表", ["户信息.xlsx"], ["户信息.xlsx:户信息"], rows=9)
    assert load_summary(one).splitlines()[0] == "户信息表：户信息.xlsx，读取 9 行，工作表 户信息"
    csv = LoadReport("民政", "民政名单", ["民政.csv"], ["民政.csv"], rows=3)
    assert load_summary(csv).splitlines()[0] == "民政名单：民政.csv，读取 3 行"
    two = LoadReport("ledger", "台账", ["甲.xlsx", "乙.xlsx"], ["甲.xlsx:台账", "乙.xlsx:台账"], rows=5)
    assert load_summary(two).splitlines()[0].endswith("工作表 甲.xlsx:台账、乙.xlsx:台账")


def test_check_prints_one_line_per_finding_after_the_summary(sample):
    code, output = run_cli("check", sample["ledger"], "--quarter", "2022Q2", "--gates", "G1,G2", "--max-lines", "5")
    lines = output.splitlines()
    assert code == 1
    assert re.fullmatch(r"G3 数据核准( +未运行){4}", next(line for line in lines if line.startswith("G3")))
    assert re.fullmatch(r"G1 采集录入( +[0-9]+){4}", next(line for line in lines if line.startswith("G1")))
    findings = [line for line in lines if line.startswith(f"{sample['ledger']}:台账:")]   # the path as given
    assert len(findings) == 5 and lines.index(findings[0]) > max(i for i, line in enumerate(lines) if line.startswith("合计"))
    location, rule_id, severity, message = findings[0].split(" ", 3)
    assert int(location.rsplit(":", 1)[1]) >= 2 and rule_id[:2] in {"G1", "G2", "G3", "G4", "G5"}
    assert severity in {"错误", "警告", "提示"} and message
    rows = [int(line.split(" ", 1)[0].rsplit(":", 1)[1]) for line in findings]
    assert rows == sorted(rows)
    assert lines[-1].startswith("……另有") and "--max-lines" in lines[-1]
    assert run_cli("check", sample["ledger"], "--quarter", "2022Q2", "--format", "xml")[0] == 2


def test_check_prints_github_annotations_with_the_path_given(sample):
    code, output = run_cli("check", sample["ledger"], "--quarter", "2022Q2", "--format", "github",
                           "--max-lines", "1000", "--fail-on", "never")
    annotations = [line for line in output.splitlines() if line.startswith("::")]
    assert code == 0 and len(annotations) > 50
    first = re.match(r"::(error|warning|notice) file=([^,]+),line=(\d+),title=(G\d-\d{3}) [^:]+::工作表 台账：.+",
                     annotations[0])
    assert first and first.group(2) == str(sample["ledger"]).replace(":", "%3A"), annotations[0]
    assert {line.split(" ", 1)[0] for line in annotations} == {"::error", "::warning", "::notice"}


@pytest.mark.parametrize("when", [("--quarter", "2022Q5"), ("--as-of", "2022-02-30")])
def test_a_malformed_quarter_or_date_is_a_usage_error(sample, when):
    code, output = run_cli("check", sample["ledger"], *when)
    assert code == 2 and "用法错误" in output and when[1] in output


def test_a_roster_given_as_the_ledger_or_the_ledger_as_a_roster_is_named(sample):
    code, output = run_cli("check", sample["医保"], "--quarter", "2022Q2")
    assert code == 3 and "这看起来是医保名单，不是台账，请用 --roster 医保=… 指定" in output, output
    code, output = run_cli("check", sample["ledger"], "--roster", f"民政={sample['教体']}", "--quarter", "2022Q2")
    assert code == 3 and "这看起来是教体名单，不是民政名单" in output, output
    code, output = run_cli("check", sample["ledger"], "--roster", f"医保={sample['ledger']}", "--quarter", "2022Q2")
    assert code == 3 and "这看起来是台账，不是医保名单" in output, output


def test_outputs_are_named_after_the_county_column(sample, tmp_path):
    county = load_ledger([sample["ledger"]], CATALOG).frame["县"].iloc[0]
    out = tmp_path / "2022Q2"
    code, _ = run_cli("run", sample["ledger"], "--quarter", "2022Q2", "--out", out, "--format", "xlsx",
                      "--fail-on", "never")
    assert code == 0 and [p.name for p in out.glob("*.xlsx")] == [f"三单一账_{county}_2022Q2.xlsx"]


def audit_process(*args, stderr):
    return subprocess.Popen([sys.executable, "-m", "ledger_audit_cli", *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=stderr, env={**os.environ, "COLUMNS": "80"})


def test_stages_and_a_bar_on_a_terminal_and_nothing_in_a_log(sample):
    pty = pytest.importorskip("pty")
    args = ("check", sample["ledger"], "--roster", f"医保={sample['医保']}", "--quarter", "2022Q2", "--max-lines", "0")
    quiet = audit_process(*args, stderr=subprocess.PIPE)
    assert quiet.communicate()[1] == b"" and quiet.returncode == 1
    master, slave = pty.openpty()
    shown = audit_process(*args, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:       # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert shown.wait() == 1
    text = b"".join(chunks).decode("utf-8", "replace")
    for stage in ("读取台账 台账_示例县.xlsx：", "读取医保名单 医保_参保名单.xlsx：", "运行五个关口："):
        assert stage in text, text[-2000:]
    assert "━" in text and "5/5" in text
