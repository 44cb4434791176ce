"""The 三单一账 outputs read back the way a person or a CI job would read them."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.report.writers import write_reports
from ledger_audit.sample.build import build_sample

CATALOG = load_catalog()
AS_OF = date(2022, 6, 30)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    paths = build_sample(tmp_path_factory.mktemp("in"), 150, 4, AS_OF)
    ledger = load_ledger([paths["ledger"]], CATALOG)
    frame = ledger.frame.copy()
    frame.loc[0, "姓名"] = "=HYPERLINK(\"http://x\",\"点我\")"        # a formula typed as a name
    return audit_county(type(ledger)(frame, ledger.report), {}, AuditConfig(as_of=AS_OF, county="示例县"), CATALOG)


@pytest.fixture(scope="module")
def outputs(result, tmp_path_factory):
    return write_reports(result, tmp_path_factory.mktemp("out"))


def test_workbook_sheets_headers_and_text_cells(result, outputs):
    workbook = openpyxl.load_workbook(outputs["xlsx"])
    assert workbook.sheetnames == ["汇总", "问题清单", "任务清单", "责任清单", "整改台账"]
    problems = workbook["问题清单"]
    header = [c.value for c in problems[1]]
    assert header == ["问题编号", "关口", "规则编号", "问题名称", "严重程度", "乡镇", "行政村", "户编号", "户主姓名", "姓名",
                      "证件号码", "问题描述", "责任单位", "配合单位", "发现日期", "整改时限", "来源"]
    assert problems.freeze_panes == "A2" and problems.auto_filter.ref
    assert problems.max_row == len(result.findings) + 1
    ids = [row[header.index("证件号码")] for row in problems.iter_rows(min_row=2, values_only=True) if row[header.index("证件号码")]]
    assert all(isinstance(i, str) and "********" in i for i in ids)          # masked, stored as text
    households = [row[header.index("户编号")] for row in problems.iter_rows(min_row=2, values_only=True)]
    # 户编号 stored as text, and left blank (not "") on village-level findings, which have none.
    assert [h or "" for h in households] == result.findings["household_id"].tolist()
    assert all(isinstance(h, str) for h in households if h is not None)
    names = [row[header.index("姓名")] for row in problems.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in names      # a string cell, quoted (formula_guard)
    rectification = workbook["整改台账"]
    assert [c.value for c in rectification[1]][:7] == ["序号", "问题编号", "规则编号", "问题名称", "严重程度", "姓名", "问题描述"]
    validations = rectification.data_validations.dataValidation
    assert any(v.formula1 == '"未整改,整改中,已整改,已销号"' for v in validations)


def test_formula_text_is_never_a_formula_in_the_file(outputs):
    workbook = openpyxl.load_workbook(outputs["xlsx"])
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_every_output_masks_the_ids_and_keeps_the_household_numbers(result, outputs):
    """One redaction for every writer: no person's ID whole in the workbook (its 整改台账 too),
    the HTML or findings.json; every 户编号 a message quotes stays whole."""
    ids = {i for i in result.findings["id_number"] if len(i) >= 15}
    quoted = {h for h, m in zip(result.findings["household_id"], result.findings["message"]) if h and h in m}
    workbook = openpyxl.load_workbook(outputs["xlsx"], read_only=True)
    cells = " ".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if v)
    for text in (cells, outputs["html"].read_text(encoding="utf-8"), outputs["json"].read_text(encoding="utf-8")):
        assert ids and not {i for i in ids if i in text}
        assert quoted and all(h in text for h in quoted)


def test_task_and_responsibility_lists_add_up(result, outputs):
    workbook = openpyxl.load_workbook(outputs["xlsx"])
    tasks = pd.DataFrame(list(workbook["任务清单"].values)[1:], columns=[c.value for c in workbook["任务清单"][1]])
    assert tasks["问题数"].sum() == len(result.findings)
    units = pd.DataFrame(list(workbook["责任清单"].values)[1:], columns=[c.value for c in workbook["责任清单"][1]])
    assert (units["错误数"] + units["警告数"] + units["提示数"]).sum() == len(result.findings)


def test_json_follows_the_contract_and_agrees_with_the_findings(result, outputs):
    document = json.loads(outputs["json"].read_text(encoding="utf-8"))
    assert document["tool"] == "ledger-audit" and document["as_of"] == "2022-06-30" and document["quarter"] == "2022Q2"
    assert len(document["findings"]) == len(result.findings)
    severities = result.findings["severity"].map({"错误": "error", "警告": "warning", "提示": "info"}).value_counts()
    assert document["summary"]["error"] == severities.get("error", 0)
    assert sum(document["summary"]["by_gate"].values()) == len(result.findings)
    first = document["findings"][0]
    assert set(first) >= {"problem_id", "rule_id", "gate", "severity", "title", "message", "unit", "sources",
                          "deadline", "status", "first_seen", "id_number"}
    assert all(isinstance(s["row"], int) for f in document["findings"] for s in f["sources"])
    assert {r["rule_id"] for r in document["rules_not_run"]} >= {"G3-201", "G5-002"}
    assert document["inputs"][0]["role"] == "ledger" and len(document["inputs"][0]["sha256"]) == 64


def test_run_and_check_write_each_kind_through_the_one_table(result, tmp_path):
    """`audit run --format json,junit` and `audit check --json F --junit F` give the same bytes."""
    from ledger_audit.report.redact import redacted
    from ledger_audit.report.writers import write_output
    run = write_reports(result, tmp_path / "run", ("json", "junit"))
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["findings.json", "junit_2022Q2.xml"]
    for kind in ("json", "junit"):
        write_output(redacted(result), kind, tmp_path / f"check.{kind}")
        assert (tmp_path / f"check.{kind}").read_bytes() == run[kind].read_bytes()


def test_json_is_byte_identical_for_the_same_result(result, tmp_path):
    first = write_reports(result, tmp_path / "a", ("json",))["json"].read_bytes()
    second = write_reports(result, tmp_path / "b", ("json",))["json"].read_bytes()
    assert first == second


class TextCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.external = [], []

    def handle_data(self, data):
        self.text.append(data)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and value.startswith("http"):
                self.external.append(value)


def test_html_is_self_contained_and_figures_agree(result, outputs):
    html = outputs["html"].read_text(encoding="utf-8")
    parser = TextCollector()
    parser.feed(html)
    text = "".join(parser.text)
    assert '<meta charset="utf-8">' in html and "Microsoft YaHei" in html and 'class="chart"' in html
    assert parser.external == []
    errors = int((result.findings["severity"] == "错误").sum())
    assert f"{errors}错误" in text.replace("\n", "").replace(" ", "")
    assert outputs["html"].stat().st_size < 2_000_000


def test_killed_writer_leaves_no_partial_output(tmp_path):
    """A process killed while writing leaves either nothing or the previous complete file."""
    script = f"""
import sys, time
from pathlib import Path
from ledger_audit.report import writers
def slow(result, path, remedies):
    Path(path).write_bytes(b"half a workbook")
    time.sleep(30)
writers.write_workbook = slow
from tests.test_report import build_result
writers.write_reports(build_result(), Path({str(tmp_path)!r}), ("xlsx",))
"""
    process = subprocess.Popen([sys.executable, "-c", script], cwd=os.path.dirname(os.path.dirname(__file__)))
    deadline = time.time() + 60
    while time.time() < deadline and not any(tmp_path.glob(".*.part")):
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not list(tmp_path.glob("*.xlsx"))


def build_result():
    """A small audit result for subprocess tests."""
    paths = build_sample(__import__("pathlib").Path(__import__("tempfile").mkdtemp()), 20, 1, AS_OF)
    return audit_county(load_ledger([paths["ledger"]], CATALOG), {}, AuditConfig(as_of=AS_OF), CATALOG)
