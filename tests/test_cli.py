"""The command line as CI jobs and cron use it: exit codes, files written and not written, JUnit
parsed back, the lock between two concurrent runs, the config file, the log."""

import json
import os
import subprocess
import sys
import re
import time
from xml.etree import ElementTree

import openpyxl
import pytest

from ledger_audit.catalog import load_catalog
from ledger_audit.lock import output_lock
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.sample.build import build_sample
from datetime import date

AS_OF = date(2022, 6, 30)
CATALOG = load_catalog()


def audit(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ledger_audit_cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, "COLUMNS": "200"})


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("s"), 60, 8, AS_OF)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("c"), 40, 8, AS_OF, with_defects=False)


def test_check_writes_only_what_it_is_asked_and_junit_parses(sample, tmp_path):
    junit, report = tmp_path / "junit.xml", tmp_path / "findings.json"
    result = audit("check", sample["ledger"], "--quarter", "2022Q2", "--gates", "G1,G2", "--junit", junit,
                   "--json", report, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.json", "junit.xml"]
    suite = ElementTree.parse(junit).getroot()
    cases = suite.findall("testcase")
    assert {c.get("classname")[:2] for c in cases} == {"G1", "G2"}
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures")) == len(failed) > 0
    g1003 = next(c for c in cases if c.get("name").startswith("G1-003"))
    assert "台账_示例县.xlsx:台账:" in g1003.find("failure").text
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["by_gate"]["G3"] == 0


def test_check_exit_codes(clean, sample, tmp_path):
    assert audit("check", clean["ledger"], "--quarter", "2022Q2").returncode == 0
    assert audit("check", sample["ledger"], "--quarter", "2022Q2", "--fail-on", "never").returncode == 0
    assert audit("check", sample["ledger"], "--quarter", "2022Q2").returncode == 1
    assert audit("check", sample["ledger"]).returncode == 2                      # no quarter: usage
    assert audit("check", sample["ledger"], "--quarter", "2022Q2", "--gates", "G9").returncode == 2
    assert audit("check", sample["ledger"], "--quarter", "2022Q2", "--bogus").returncode == 2
    assert audit("check", tmp_path / "nope.xlsx", "--quarter", "2022Q2").returncode == 3


def test_check_with_the_national_tables_by_pinyin_key(clean, tmp_path):
    """The four tables by pinyin key; the clean county stays clean; an unknown table is exit 3."""
    tables = [f"--table={key}={clean[name]}" for key, name in
              (("huxinxi", "户信息"), ("yiwugong", "已外出务工"), ("jihuawugong", "计划外出务工"), ("xingzhengcun", "行政村"))]
    report = tmp_path / "findings.json"
    result = audit("check", clean["ledger"], "--quarter", "2022Q2", *tables, "--json", report, "--fail-on", "warning")
    assert result.returncode == 0, result.stdout + result.stderr
    not_run = {r["rule_id"] for r in json.loads(report.read_text(encoding="utf-8"))["rules_not_run"]}
    assert not_run.isdisjoint({"G3-601", "G3-603", "G3-605", "G5-014"})
    unknown = audit("check", clean["ledger"], "--quarter", "2022Q2", f"--table=户口={clean['户信息']}")
    assert unknown.returncode == 3 and "不认识的表「户口」" in unknown.stderr


def test_config_file_with_relative_paths_and_log(sample, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("ledger", "医保"):
        (data / sample[name].name).write_bytes(sample[name].read_bytes())
    config = tmp_path / "county.toml"
    config.write_text(f'''[run]
county = "测试县"
quarter = "2022Q2"
ledgers = ["data/台账_*.xlsx"]
out = "out/2022Q2"
fail_on = "never"
log = "logs/audit.log"
[rosters]
"医保" = "data/{sample["医保"].name}"
''', encoding="utf-8")
    result = audit("run", "--config", config, cwd="/")
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out" / "2022Q2").iterdir())
    assert written == ["findings.json", "report_2022Q2.html", "三单一账_测试县_2022Q2.xlsx"]
    assert (tmp_path / "out" / "history.sqlite").exists()
    log = (tmp_path / "logs" / "audit.log").read_text(encoding="utf-8")
    assert "审核完成" in log and "退出码 0" in log
    inputs = json.loads((tmp_path / "out" / "2022Q2" / "findings.json").read_text(encoding="utf-8"))["inputs"]
    assert [i["role"] for i in inputs] == ["ledger", "医保"]


def test_bad_config_is_an_input_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[run\nquarter = ", encoding="utf-8")
    result = audit("run", "--config", config)
    assert result.returncode == 3 and "TOML 格式错误" in result.stderr and "bad.toml" in result.stderr


def test_second_run_on_the_same_output_is_refused_while_the_first_holds_the_lock(sample, tmp_path):
    out = tmp_path / "out" / "2022Q2"
    with output_lock(out.parent):
        result = audit("run", sample["ledger"], "--quarter", "2022Q2", "--out", out)
    assert result.returncode == 3 and "另一个审核任务正在使用同一输出目录" in result.stderr
    assert not out.exists()
    assert audit("run", sample["ledger"], "--quarter", "2022Q2", "--out", out, "--fail-on", "never").returncode == 0


def test_two_concurrent_runs_one_waits_out(sample, tmp_path):
    out = tmp_path / "out" / "2022Q2"
    command = [sys.executable, "-m", "ledger_audit_cli", "run", str(sample["ledger"]), "--quarter", "2022Q2",
               "--out", str(out), "--fail-on", "never"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    codes = sorted([first.wait(), second.wait()])
    assert codes in ([0, 0], [0, 3])        # overlapping runs: the second is refused, never interleaved
    assert len(list(out.glob("*.xlsx"))) == 1


def test_history_command_prints_the_trend(sample, tmp_path):
    out = tmp_path / "out"
    audit("run", sample["ledger"], "--quarter", "2022Q2", "--out", out / "2022Q2")
    audit("run", sample["ledger"], "--quarter", "2022Q3", "--out", out / "2022Q3")
    result = audit("history", "--out", out)
    assert result.returncode == 0 and "2022Q2" in result.stdout and "2022Q3" in result.stdout


def test_rules_command(tmp_path):
    listing = audit("rules")
    assert listing.returncode == 0 and "G2-011" in listing.stdout and "未实现" not in listing.stdout
    one = audit("rules", "G2-011")
    assert one.returncode == 0 and "控辍保学" in one.stdout and "整改要求" in one.stdout and "红线问题" in one.stdout
    assert "红线问题" not in audit("rules", "G1-001").stdout
    red = [line.split()[0] for line in listing.stdout.splitlines() if re.search(r"(错误|警告|提示)\s+是\s", line)]
    assert red == ["G2-011", "G3-201", "G3-301", "G3-401", "G4-013", "G5-001", "G5-003"]
    assert audit("rules", "G2-099").returncode == 2


def test_init_writes_a_config_that_loads(tmp_path):
    assert audit("init", "--out", tmp_path / "c.toml").returncode == 0
    assert audit("init", "--out", tmp_path / "c.toml").returncode == 2
    assert "[thresholds]" in (tmp_path / "c.toml").read_text(encoding="utf-8")


def test_quarter_last_is_the_latest_completed_quarter():
    from ledger_audit_cli.options import last_completed_quarter
    assert [last_completed_quarter(d) for d in (date(2022, 7, 3), date(2022, 9, 30), date(2022, 1, 15))] \
        == ["2022Q2", "2022Q2", "2021Q4"]


def test_template_has_canonical_headers_text_id_column_and_dropdowns(tmp_path):
    path = tmp_path / "模板.xlsx"
    result = audit("template", "--out", path)
    assert result.returncode == 0, result.stderr
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["台账", "填写说明", "代码表"] and workbook["代码表"].sheet_state == "hidden"
    sheet = workbook["台账"]
    header = [c.value for c in sheet[1]]
    assert header == list(CATALOG.fields)
    id_letter = openpyxl.utils.get_column_letter(header.index("证件号码") + 1)
    assert sheet.column_dimensions[id_letter].number_format == "@"     # IDs typed in stay text (G1-006)
    sex_letter = openpyxl.utils.get_column_letter(header.index("性别") + 1)
    sex_rule = next(v for v in sheet.data_validations.dataValidation if sex_letter + "2" in str(v.sqref))
    assert sex_rule.type == "list" and sex_rule.formula1.startswith("代码表!")
    # Filled in, the template loads with every column mapped and nothing missing.
    sheet.append(["示例县", "城关镇", "东村", "H001", "", "张三", "居民身份证", "61032719900101123X"])
    workbook.save(path)
    table = load_ledger([path], CATALOG)
    assert table.report.missing == [] and table.frame["证件号码"].tolist() == ["61032719900101123X"]


def test_template_refuses_to_overwrite(tmp_path):
    path = tmp_path / "模板.xlsx"
    path.write_bytes(b"keep")
    result = audit("template", "--out", path)
    assert result.returncode == 2 and "已存在" in result.stderr + result.stdout and path.read_bytes() == b"keep"


@pytest.mark.parametrize("args", [["--help"], ["rules"], ["run", "--help"], ["check", "--help"]])
def test_help_and_the_rule_list_start_without_loading_the_data_libraries(args):
    """`audit --help` and `audit rules` answer in well under a second: they load no pandas, pandera,
    openpyxl or pyarrow (which together take over a second to import)."""
    probe = ("import sys\nfrom ledger_audit_cli.main import main\nsys.argv = ['audit', *sys.argv[1:]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = {'pandas', 'numpy', 'pandera', 'openpyxl', 'pyarrow', 'xlsxwriter', 'fastexcel'}\n"
             "print('LOADED', sorted(heavy & {m.split('.')[0] for m in sys.modules}))")
    output = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True).stdout
    assert output.splitlines()[-1] == "LOADED []"
