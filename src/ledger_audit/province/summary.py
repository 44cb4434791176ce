"""The province summary: one row per county (households, findings by severity, rates per 100
households), the rules with most findings, the cross-county duplicates and the rosters' coverage
notes; written as a workbook and a self-contained HTML page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import tabulate as tabulate_module
import xlsxwriter
from jinja2 import Environment, FileSystemLoader, select_autoescape
from tabulate import tabulate

from ..catalog import SEVERITIES
from ..config import AuditConfig
from ..crosscheck.coverage import coverage_notes
from ..resources import templates_dir
from ..result import AuditResult

TOP_RULES = 15


@dataclass
class CountySummary:
    county: str
    households: int
    people: int
    severities: dict[str, int]                  # 错误/警告/提示 → count
    rules: dict[tuple[str, str], int]           # (rule ID, 问题名称) → count
    cross_county: int                           # G3-001 findings for an ID in another county
    notes: list[str] = field(default_factory=list)   # coverage notes of the rosters and tables

    @property
    def total(self) -> int:
        return sum(self.severities.values())


def county_summary(county: str, households: int, people: int, result: AuditResult) -> CountySummary:
    findings = result.findings
    severities = findings["severity"].value_counts()
    rules = findings.groupby(["rule_id", "title"]).size()
    cross = int(findings["entity_key"].str.contains("/跨县", regex=False).sum())
    notes = coverage_notes(result.roster_coverage) if result.roster_coverage is not None else []
    return CountySummary(county, households, people, {s: int(severities.get(s, 0)) for s in SEVERITIES},
                         {key: int(n) for key, n in rules.items()}, cross, notes)


def _per_100(count: int, households: int) -> float:
    return round(count * 100 / households, 1) if households else 0.0


def county_table(summaries: list[CountySummary]) -> pd.DataFrame:
    rows = [{"县": s.county, "户数": s.households, "人数": s.people, **s.severities, "合计": s.total,
             "每百户问题数": _per_100(s.total, s.households), "每百户错误数": _per_100(s.severities["错误"], s.households),
             "跨县重复证件号码": s.cross_county} for s in summaries]
    table = pd.DataFrame(rows)
    totals = {"县": "全省合计", "户数": int(table["户数"].sum()), "人数": int(table["人数"].sum()),
              **{s: int(table[s].sum()) for s in SEVERITIES}, "合计": int(table["合计"].sum()),
              "跨县重复证件号码": int(table["跨县重复证件号码"].sum())}
    totals["每百户问题数"] = _per_100(totals["合计"], totals["户数"])
    totals["每百户错误数"] = _per_100(totals["错误"], totals["户数"])
    return pd.concat([table, pd.DataFrame([totals])], ignore_index=True)[list(table.columns)]


def rule_table(summaries: list[CountySummary]) -> pd.DataFrame:
    counts: dict[tuple[str, str], int] = {}
    for summary in summaries:
        for key, count in summary.rules.items():
            counts[key] = counts.get(key, 0) + count
    rows = [{"规则编号": r, "问题名称": t, "问题数": n} for (r, t), n in counts.items()]
    table = pd.DataFrame(rows, columns=["规则编号", "问题名称", "问题数"])
    return table.sort_values(["问题数", "规则编号"], ascending=[False, True]).head(TOP_RULES).reset_index(drop=True)


def note_table(summaries: list[CountySummary]) -> pd.DataFrame:
    return pd.DataFrame([{"县": s.county, "说明": note} for s in summaries for note in s.notes], columns=["县", "说明"])


def write_province_summary(summaries: list[CountySummary], config: AuditConfig, folder: Path) -> dict[str, Path]:
    """省汇总_<季度>.xlsx and 省汇总_<季度>.html in `folder` (a staging folder: run.py commits it)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"按县汇总": county_table(summaries), "问题最多的规则": rule_table(summaries),
              "名单和表覆盖说明": note_table(summaries)}
    paths = {"xlsx": folder / f"省汇总_{config.quarter}.xlsx", "html": folder / f"省汇总_{config.quarter}.html"}
    _workbook(tables, paths["xlsx"])
    environment = Environment(loader=FileSystemLoader(templates_dir()), autoescape=select_autoescape(["html", "j2"]))
    paths["html"].write_text(environment.get_template("province.html.j2").render(config=config, tables=tables),
                             encoding="utf-8")
    return paths


def _workbook(tables: dict[str, pd.DataFrame], path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    bold = workbook.add_format({"bold": True})
    for name, table in tables.items():
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, list(table.columns), bold)
        for row, values in enumerate(table.itertuples(index=False), start=1):
            for column, value in enumerate(values):
                (sheet.write_number if isinstance(value, (int, float)) else sheet.write_string)(row, column, value)
        sheet.set_column(0, max(len(table.columns) - 1, 0), 14)
    workbook.close()


# The county table's long headers on two lines, so that it fits an 80-column terminal.
TERMINAL_HEADERS = {"每百户问题数": "每百户\n问题数", "每百户错误数": "每百户\n错误数", "跨县重复证件号码": "跨县重复\n证件号码"}


def province_text(summaries: list[CountySummary]) -> str:
    """The terminal's province summary: the county table, then each coverage note once."""
    table = county_table(summaries)
    padding, tabulate_module.MIN_PADDING = tabulate_module.MIN_PADDING, 0   # no 2 spaces more than a header
    try:
        lines = [tabulate(table.values.tolist(), headers=[TERMINAL_HEADERS.get(c, c) for c in table.columns],
                          tablefmt="simple", floatfmt=".1f")]
    finally:
        tabulate_module.MIN_PADDING = padding
    lines += [f"{row['县']}：{row['说明']}" for _, row in note_table(summaries).iterrows()]
    return "\n\n".join(lines[:1] + ["\n".join(lines[1:])] if len(lines) > 1 else lines)
