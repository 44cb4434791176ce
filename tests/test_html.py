"""The HTML report as a county leader reads it: the conclusion sentence, red lines first, rates per 100
households, rectification progress from the second quarter on, and the explorer's embedded data;
then the page in a real browser (headless Chromium, skipped where it is not installed)."""

import json
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser

import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.report.html import render_html
from ledger_audit.sample.quarters import build_two_quarters
from ledger_audit.sample.write import MessyForms
from ledger_audit.track.previous import read_previous_rectification

CATALOG = load_catalog()
Q2, Q3 = date(2022, 6, 30), date(2022, 9, 30)
RED_LINES = {"G2-011", "G3-201", "G3-301", "G3-401", "G4-013", "G5-001", "G5-003"}   # 控辍保学, 基本医保, 危房, 风险消除后返险, 应纳未纳


@pytest.fixture(scope="module")
def quarters(tmp_path_factory):
    """The sample county's two quarters: Q2 fresh, Q3 with Q2's filled-in 整改台账."""
    paths = build_two_quarters(tmp_path_factory.mktemp("in"), 80, 7, Q2, MessyForms())
    first_ledger = load_ledger([paths["ledger"]], CATALOG)
    first = audit_county(first_ledger, {}, AuditConfig(as_of=Q2, county="示例县"), CATALOG)
    previous = read_previous_rectification(paths["filled_rectification"])
    second = audit_county(load_ledger([paths["next_ledger"]], CATALOG), {}, AuditConfig(as_of=Q3, county="示例县"),
                          CATALOG, previous_rectification=previous)
    return {"first": first, "second": second, "ledger": first_ledger.frame, "previous": previous}


class Page(HTMLParser):
    """The text a reader sees (scripts left out), by section id (and the conclusion's), and the embedded
    findings data."""

    def __init__(self, html: str):
        super().__init__()
        self.sections, self.current, self.in_script, self.data, self.text = {}, None, False, None, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" or attrs.get("id") == "conclusion":
            self.current = attrs.get("id")
        self.in_script = tag == "script"
        self.data_script = attrs.get("id") == "findings-data"

    def handle_endtag(self, tag):
        if tag == "section" or (tag == "p" and self.current == "conclusion"):
            self.current = None
        self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            if self.data_script:
                self.data = json.loads(data)
            return
        self.text.append(data)
        if self.current:
            self.sections[self.current] = self.sections.get(self.current, "") + data + " "

    def section(self, name: str) -> str:
        return re.sub(r"\s+", " ", self.sections.get(name, ""))


def worst_town(findings: pd.DataFrame, ledger: pd.DataFrame) -> tuple[str, float]:
    households = ledger.groupby("乡镇")["户编号"].nunique()
    rates = (findings["town"].value_counts() * 100 / households).dropna().sort_values(ascending=False)
    return rates.index[0], rates.iloc[0]


def test_the_catalogue_marks_the_red_lines():
    assert {rule_id for rule_id, spec in CATALOG.rules.items() if spec.red_line} == RED_LINES


def test_conclusion_counts_problems_red_lines_and_the_worst_town_per_100_households(quarters):
    first = quarters["first"]
    page = Page(render_html(first))
    findings = first.findings
    red = int(findings["rule_id"].isin(RED_LINES).sum())
    town, rate = worst_town(findings, quarters["ledger"])
    conclusion = page.section("conclusion")
    assert f"示例县 2022Q2 共发现问题 {len(findings)} 条，其中红线问题 {red} 条，问题最突出的乡镇是{town}（每百户 {rate:.1f} 条）。" in conclusion
    assert "上季度" not in conclusion and "整改进展" not in conclusion      # a first quarter has no change and no progress


def test_red_lines_come_first_then_top_problems_then_rules_by_severity_and_count(quarters):
    html = render_html(quarters["first"])
    page = Page(html)
    order = [html.index(f'<section id="{name}"') for name in ("red-lines", "top-problems", "towns", "rules", "explore")]
    assert order == sorted(order) and html.index('id="conclusion"') < order[0]
    red = page.section("red-lines")
    counts = quarters["first"].findings["rule_id"].value_counts()
    for rule_id in sorted(RED_LINES):
        assert re.search(f"{rule_id} {CATALOG.rules[rule_id].title} 红线 {counts.get(rule_id, 0)} ", red), rule_id
    listed = re.findall(r"<td><b>(G\d-[\dC]{3})</b>", html[html.index('<section id="rules"'):])
    by_rule = quarters["first"].findings.groupby("rule_id").agg(severity=("severity", "first"), n=("rule_id", "size"))
    by_rule["rank"] = by_rule["severity"].map({"错误": 0, "警告": 1, "提示": 2})
    assert listed == by_rule.reset_index().sort_values(["rank", "n", "rule_id"], ascending=[True, False, True])["rule_id"].tolist()
    shown = re.findall(r"(G\d-\d{3}) (\S+) (\d+) ", page.section("top-problems"))
    assert [int(n) for _, _, n in shown] == by_rule["n"].sort_values(ascending=False).head(5).tolist()
    assert all(CATALOG.rules[rule_id].title == title and counts[rule_id] == int(n) for rule_id, title, n in shown)


def test_each_town_has_its_rate_per_100_households(quarters):
    findings, ledger = quarters["first"].findings, quarters["ledger"]
    towns = Page(render_html(quarters["first"])).section("towns")
    for town, households in ledger.groupby("乡镇")["户编号"].nunique().items():
        count = int((findings["town"] == town).sum())
        assert re.search(fr"{town} {households} (\d+ ){{3}}{count} {count * 100 / households:.1f} ", towns), town


def test_second_quarter_shows_rectification_progress_and_the_change(quarters):
    second, previous = quarters["second"], quarters["previous"]
    page = Page(render_html(second))
    progress = page.section("progress")
    statuses = second.rectification["整改状态"].value_counts()
    for status in ("未整改", "整改中", "已整改", "已销号"):
        assert f"{statuses.get(status, 0)} {status}" in progress
    assert statuses.get("已销号", 0) > 0 and statuses.get("整改中", 0) > 0
    overdue = int((second.findings["rule_id"] == "G4-011").sum())
    recurred = int((second.findings["rule_id"] == "G4-012").sum())
    assert f"{overdue} 整改逾期（G4-011）" in progress and f"{recurred} 问题反弹（G4-012）" in progress
    items = second.rectification
    for town, group in items.groupby("乡镇"):
        assert f"{town} " in progress and f"{(group['整改状态'] == '已销号').mean() * 100:.1f}%" in progress
    # 逾期 and 反弹 repeat problems already counted: said apart, not added to the total or the change.
    found = len(second.findings) - overdue - recurred
    change = found - int((previous["整改状态"] != "已销号").sum())
    word = "增加" if change > 0 else "减少"
    conclusion = page.section("conclusion")
    assert f"共发现问题 {found} 条" in conclusion and f"上季度问题中整改逾期 {overdue} 条、问题反弹 {recurred} 条" in conclusion
    assert f"比上季度{word} {abs(change)} 条。" in conclusion


def test_history_gives_the_trend_and_names_last_quarter(quarters):
    second = quarters["second"]
    # 台账问题: last quarter's findings less its 逾期/反弹 ones, compared with this quarter's alike.
    second.history = pd.DataFrame([{"季度": "2022Q2", "错误": 50, "警告": 30, "提示": 20, "未整改": 100, "台账问题": 90}])
    try:
        page = Page(render_html(second))
    finally:
        second.history = None
    trend = page.section("trend")
    assert "2022Q2 50 30 20 100" in trend and trend.count("2022Q3") == 2     # a bar label and a table row
    change = int((~second.findings["rule_id"].isin(["G4-011", "G4-012"])).sum()) - 90
    assert f"比上季度（2022Q2）{'增加' if change > 0 else '减少'} {abs(change)} 条" in page.section("conclusion")


def test_the_search_box_has_every_finding_dictionary_coded(quarters):
    result = quarters["second"]
    page = Page(render_html(result))
    data, findings = page.data, result.findings

    def column(name):
        values = data["columns"][name]
        return values if isinstance(values, list) else [values["dict"][code] for code in values["codes"]]

    assert column("problem_id") == findings["problem_id"].tolist()
    assert column("message") == findings["message"].tolist()     # masked before, in report/redact.py
    assert [data["rules"][k][0] for k in data["rule"]] == findings["rule_id"].tolist()
    assert isinstance(data["columns"]["town"], dict)                       # repeated texts are coded once
    assert {r[0] for r in data["rules"] if r[3]} == RED_LINES & set(findings["rule_id"])
    assert 'id="f-search"' in render_html(result)


def test_a_cell_that_looks_like_markup_stays_text(quarters):
    result = quarters["first"]
    original = result.findings
    result.findings = original.assign(message=original["message"].where(original.index != 0, "</script><b>x</b><!--"))
    try:
        page = Page(render_html(result))
    finally:
        result.findings = original
    assert page.data["columns"]["message"][0] == "</script><b>x</b><!--"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium 未安装")
def test_the_report_renders_in_chromium_without_console_errors(quarters, tmp_path):
    result = quarters["second"]
    path = tmp_path / "report.html"
    path.write_text(render_html(result), encoding="utf-8")
    run = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                          "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []                                      # the script logs nothing, so any line is an error
    dom = run.stdout
    total = len(result.findings)
    assert f"筛选出 {total} 条（共 {total} 条），第 1 / {-(-total // 50)} 页" in dom
    body = dom[dom.index('id="f-body"'):dom.index("</tbody>", dom.index('id="f-body"'))]
    assert body.count("<tr") == min(total, 50)
    assert result.findings["problem_id"].iloc[0] in body
    assert "共发现问题" in dom and "整改进展" in dom
