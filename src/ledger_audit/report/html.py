"""The HTML report: one self-contained UTF-8 file (CSS and SVG charts inline, no network: county
intranets are offline). It lists at most N findings per rule, so it stays small with 10^5 findings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..catalog import GATES, SEVERITIES
from ..resources import templates_dir
from ..result import AuditResult
from .sheets import readable_findings, summary_tables

FINDINGS_PER_RULE = 20
SEVERITY_COLOURS = {"错误": "#c0392b", "警告": "#e67e22", "提示": "#2980b9"}


def bar_chart(counts: pd.DataFrame, width: int = 640, bar_height: int = 22) -> str:
    """A horizontal stacked bar chart (rows × severities) as inline SVG."""
    total = counts.sum(axis=1)
    scale = (width - 200) / max(int(total.max()) if len(total) else 1, 1)
    height = bar_height * len(counts) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, (label, row) in enumerate(counts.iterrows()):
        y, x = 10 + i * bar_height, 140
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{_escape(label)}</text>')
        for severity in SEVERITIES:
            value = int(row.get(severity, 0))
            if value:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{value * scale:.1f}" height="{bar_height - 6}" '
                             f'fill="{SEVERITY_COLOURS[severity]}"><title>{severity} {value}</title></rect>')
                x += value * scale
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="12">{int(total[label])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _escape(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_html(result: AuditResult) -> str:
    findings = readable_findings(result)
    tables = summary_tables(result)
    by_gate = pd.crosstab(findings["gate"], findings["severity"]).reindex(
        index=list(GATES), columns=list(SEVERITIES), fill_value=0)
    by_gate.index = [f"{g} {GATES[g]}" for g in by_gate.index]
    by_town = pd.crosstab(findings["town"], findings["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    rules = []
    for rule_id, group in findings.groupby("rule_id", sort=True):
        spec = result.rule_specs.get(rule_id)
        rules.append({"rule_id": rule_id, "title": group["title"].iloc[0], "severity": group["severity"].iloc[0],
                      "remedy": spec.remedy if spec else "", "count": len(group),
                      "rows": group.head(FINDINGS_PER_RULE).to_dict("records"),
                      "more": max(len(group) - FINDINGS_PER_RULE, 0)})
    environment = Environment(loader=FileSystemLoader(templates_dir()), autoescape=select_autoescape(["html", "j2"]))
    template = environment.get_template("report.html.j2")
    return template.render(
        config=result.config, totals={s: int((findings["severity"] == s).sum()) for s in SEVERITIES},
        gate_chart=bar_chart(by_gate), town_chart=bar_chart(by_town) if len(by_town) else "",
        tables=tables, rules=rules, history=result.history, colours=SEVERITY_COLOURS, per_rule=FINDINGS_PER_RULE,
    )


def write_html(result: AuditResult, path: Path) -> None:
    path.write_text(render_html(result), encoding="utf-8")
