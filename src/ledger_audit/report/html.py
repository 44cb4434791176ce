"""The HTML report: one self-contained UTF-8 file (CSS, charts and a small script inline, no network:
county intranets are offline), written for a county leader's first minute.

From the top: warnings about the run itself, one conclusion sentence, the red-line rules, the top 5
problems, each 乡镇 per 100 households, rectification progress (from the second quarter on), rules by
severity then count, and every finding in an explorer (search, filter, sort, pages of rows). The
findings are embedded once as compact columnar JSON, repeated texts dictionary-coded, so 10^5
findings stay a file a browser opens in a second or two.
"""

from __future__ import annotations

import json
import math
from numbers import Number
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from ..catalog import GATES, SEVERITIES
from ..crosscheck.coverage import coverage_notes
from ..findings import SEVERITY_ORDER
from ..resources import templates_dir
from ..result import AuditResult
from ..track.history import PROBLEMS
from ..track.rectification import OVERDUE, RECURRED, STATUSES, TRACKING_RULE_IDS
from .sheets import MATRIX_TITLE, NOT_COUNTED, summary_notes, summary_tables

SEVERITY_COLOURS = {"错误": "#c0392b", "警告": "#e67e22", "提示": "#2980b9"}
STATUS_COLOURS = {"未整改": "#c0392b", "整改中": "#e67e22", "已整改": "#2980b9", "已销号": "#27ae60"}
NO_TOWN = "（未填乡镇）"
TOP_PROBLEMS = 5
EXPLORER_COLUMNS = {"problem_id": "问题编号", "town": "乡镇", "village": "行政村", "household_id": "户编号",
                    "name": "姓名", "message": "问题描述", "sources": "来源"}
OTHER_TABLES = ("按责任单位", MATRIX_TITLE, "未运行的规则", "输入文件")
NOTE_COLUMN = "说明"


def column_classes(table: pd.DataFrame) -> list[str]:
    """The CSS class of each column of a plain table: counts (numbers, or "—" for a count not
    made) right-aligned, a 说明 column wrapped, anything else one line."""
    def counts(values: pd.Series) -> bool:
        # As objects: a text column's map keeps the text dtype, which has no all() (an empty table)
        return pd.api.types.is_numeric_dtype(values) or values.astype(object).map(
            lambda v: v == NOT_COUNTED or (isinstance(v, Number) and not isinstance(v, bool))).astype(bool).all()
    return ["num" if counts(table[c]) else "long" if c == NOTE_COLUMN else "" for c in table.columns]


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round tick step (1, 2 or 5 × 10^k) giving about `ticks` intervals up to `maximum`."""
    raw = max(maximum, 1) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _number(value: float, decimals: int = 0) -> str:
    return f"{value:.{decimals}f}" if decimals else f"{value:g}"


def bar_chart(frame: pd.DataFrame, colours: dict[str, str], axis_title: str, decimals: int = 0,
              value_suffix: str = "") -> Markup:
    """Horizontal stacked bars (rows × coloured columns) as HTML: a label, the bar on a value axis
    with round ticks and grid lines, and the value written after the bar. HTML rather than SVG so
    that on a phone the bar shrinks and the labels stay whole."""
    if frame.empty:
        return Markup("")
    totals = frame.sum(axis=1)
    step = nice_step(float(totals.max()))
    top = step * max(math.ceil(float(totals.max()) / step), 1)
    grid = f"background-size: {100 * step / top:.4f}% 100%"
    parts = ['<div class="chart">']
    for label, row in frame.iterrows():
        segments = "".join(
            f'<span class="bar" style="width:{100 * float(v) / top:.3f}%;background:{colours[c]}" '
            f'title="{escape(c)} {_number(float(v), decimals)}{value_suffix}"></span>'
            for c, v in row.items() if v)
        parts.append(f'<span class="bar-label">{escape(label)}</span><span class="bar-track" style="{grid}">'
                     f'{segments}</span><span class="bar-value">{_number(float(totals[label]), decimals)}{value_suffix}</span>')
    ticks = "".join(f'<span class="tick" style="left:{100 * k * step / top:.3f}%">{_number(k * step)}</span>'
                    for k in range(int(round(top / step)) + 1))
    parts.append(f'<span></span><span class="axis">{ticks}</span><span></span>'
                 f'<span></span><span class="axis-title">{escape(axis_title)}</span><span></span></div>')
    if len(frame.columns) > 1:
        parts.append('<div class="legend">' + "".join(
            f'<span><i style="background:{colours[c]}"></i>{escape(c)}</span>' for c in frame.columns) + "</div>")
    return Markup("".join(parts))


def rule_overview(result: AuditResult, findings: pd.DataFrame) -> pd.DataFrame:
    """One row per rule that fired: sorted by severity (错误 first), then by count."""
    table = findings.groupby("rule_id").agg(title=("title", "first"), severity=("severity", "first"),
                                            count=("problem_id", "size"), towns=("town", "nunique")).reset_index()
    table["red_line"] = table["rule_id"].map(lambda r: r in result.rule_specs and result.rule_specs[r].red_line)
    table["remedy"] = table["rule_id"].map(lambda r: result.rule_specs[r].remedy if r in result.rule_specs else "")
    table["order"] = table["severity"].map(SEVERITY_ORDER)
    return table.sort_values(["order", "count", "rule_id"], ascending=[True, False, True]).reset_index(drop=True)


def red_lines(result: AuditResult, overview: pd.DataFrame) -> list[dict]:
    """Every red-line rule of the catalogue, with its count, or why it did not run."""
    counts = overview.set_index("rule_id")["count"]
    not_run = result.rules_not_run.set_index("rule_id")["reason"] if not result.rules_not_run.empty else pd.Series()
    return [{"rule_id": rule_id, "title": spec.title, "count": int(counts.get(rule_id, 0)),
             "not_run": str(not_run.get(rule_id, ""))}
            for rule_id, spec in result.rule_specs.items() if spec.red_line]


def town_rates(findings: pd.DataFrame, households: pd.Series) -> pd.DataFrame:
    """Per 乡镇: findings by severity, households in the ledger and findings per 100 households,
    worst rate first (so that big towns do not always look worst). Towns without findings are kept."""
    towns = findings["town"].replace("", NO_TOWN)
    counts = pd.crosstab(towns, findings["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    counts = counts.reindex(counts.index.union(households.index), fill_value=0)
    counts["合计"] = counts[list(SEVERITIES)].sum(axis=1)
    counts["户数"] = households.reindex(counts.index).fillna(0).astype(int)
    rate = (counts["合计"] * 100 / counts["户数"].where(counts["户数"] > 0)).round(1)
    counts["每百户问题数"] = rate
    return counts.sort_values(["每百户问题数", "合计"], ascending=False, na_position="last").rename_axis("乡镇")


def previous_total(result: AuditResult) -> tuple[str, int] | None:
    """Last quarter's number of problems: from the run history, else from the previous 整改台账."""
    history = earlier_quarters(result)
    if not history.empty:
        last = history.iloc[-1]
        return last["季度"], int(last[PROBLEMS] if PROBLEMS in last else sum(last.get(s, 0) for s in SEVERITIES))
    return ("上季度", result.previous_open) if result.previous_open is not None else None


def earlier_quarters(result: AuditResult) -> pd.DataFrame:
    history = result.history if result.history is not None else pd.DataFrame()
    if history.empty:
        return history
    return history[history["季度"] < result.config.quarter].reset_index(drop=True)


def conclusion(result: AuditResult, red_line_count: int, towns: pd.DataFrame) -> str:
    """The one sentence at the top: how many problems, how many red lines, the worst 乡镇, the change."""
    place = f"{result.config.county or '本县'} {result.config.quarter} "
    # A tracking finding (逾期, 反弹) repeats a problem already counted: said apart, not added in.
    tracked = result.findings["rule_id"].isin(TRACKING_RULE_IDS)
    total = int((~tracked).sum())
    if len(result.findings) == 0:
        return place + "审核未发现问题。"
    parts = [f"{place}共发现问题 {total} 条，其中红线问题 {red_line_count} 条"]
    parts += [f"上季度问题中{'、'.join(f'{title} {count} 条' for title, count in _tracked_counts(result))}"] if tracked.any() else []
    worst = towns[towns["合计"] > 0].head(1)
    if not worst.empty:
        town, row = worst.index[0], worst.iloc[0]
        rate = f"每百户 {_number(row['每百户问题数'], 1)} 条" if pd.notna(row["每百户问题数"]) else f"{int(row['合计'])} 条"
        parts.append(f"问题最突出的乡镇是{town}（{rate}）")
    before = previous_total(result)
    if before is not None:
        quarter, count = before
        change = total - count
        label = quarter if quarter == "上季度" else f"上季度（{quarter}）"
        parts.append(f"与{label}持平" if change == 0 else
                     f"比{label}{'增加' if change > 0 else '减少'} {abs(change)} 条")
    return "，".join(parts) + "。"


def _tracked_counts(result: AuditResult) -> list[tuple[str, int]]:
    """(title, count) of the tracking rules that fired: 整改逾期 3, 问题反弹 1."""
    tracked = result.findings[result.findings["rule_id"].isin(TRACKING_RULE_IDS)]
    counts = tracked["rule_id"].value_counts().sort_index()
    return [(result.rule_specs[rule_id].title, int(count)) for rule_id, count in counts.items()]


def progress(result: AuditResult, findings: pd.DataFrame) -> dict | None:
    """Rectification progress, shown when last quarter's 整改台账 was carried forward."""
    if result.previous_open is None or result.rectification is None:
        return None
    items = result.rectification
    statuses = items["整改状态"].value_counts().reindex(list(STATUSES), fill_value=0)
    by_town = pd.crosstab(items["乡镇"].replace("", NO_TOWN), items["整改状态"]).reindex(
        columns=list(STATUSES), fill_value=0)
    by_town["合计"] = by_town.sum(axis=1)
    by_town["销号率"] = (by_town["已销号"] * 100 / by_town["合计"]).round(1)
    by_town = by_town.sort_values("销号率").rename_axis("乡镇")
    return {
        "statuses": {s: int(n) for s, n in statuses.items()},
        "overdue": int((findings["rule_id"] == OVERDUE).sum()),
        "recurred": int((findings["rule_id"] == RECURRED).sum()),
        "towns": by_town.reset_index().to_dict("records"),
        "chart": bar_chart(by_town[["销号率"]], {"销号率": STATUS_COLOURS["已销号"]}, "销号率（%）",
                           decimals=1, value_suffix="%"),
    }


def trend(result: AuditResult) -> pd.DataFrame:
    """Per quarter in the history, then this run: findings by severity, 整改台账 items by status."""
    history = earlier_quarters(result)
    if history.empty:
        return history
    now = {"季度": result.config.quarter} | {s: int((result.findings["severity"] == s).sum()) for s in SEVERITIES}
    if result.rectification is not None:
        now |= result.rectification["整改状态"].value_counts().reindex(list(STATUSES), fill_value=0).to_dict()
    table = pd.concat([history, pd.DataFrame([now])], ignore_index=True)
    columns = ["季度"] + [c for c in SEVERITIES + STATUSES if c in table.columns]
    return table[columns].fillna(0).astype({c: int for c in columns[1:]})


def _coded(values: pd.Series) -> dict | list:
    """A column for the explorer: dictionary-coded when its values repeat, else the plain list."""
    codes, uniques = pd.factorize(values, sort=False)
    if len(uniques) * 2 > len(values):
        return values.tolist()
    return {"dict": uniques.tolist(), "codes": codes.tolist()}


def explorer_data(findings: pd.DataFrame, overview: pd.DataFrame) -> str:
    """The findings as columnar JSON for the inline script, safe inside a <script> element."""
    rule_index = {rule_id: i for i, rule_id in enumerate(overview["rule_id"])}
    rules = overview[["rule_id", "title", "severity"]].assign(red_line=overview["red_line"].astype(int))
    data = {"rules": rules.values.tolist(),
            "rule": findings["rule_id"].map(rule_index).tolist(),
            "columns": {column: _coded(findings[column].replace("", NO_TOWN) if column == "town" else findings[column])
                        for column in EXPLORER_COLUMNS}}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")     # no "</script>" or "<!--" can end or bend the element


def report_warnings(result: AuditResult) -> list[str]:
    """What a reader must know about the run before its figures (shown first, above the conclusion):
    whole-column problems and missing columns first, then the towns a roster or table does not
    cover (not compared)."""
    warnings = summary_notes(result)
    if result.roster_coverage is not None:
        warnings += coverage_notes(result.roster_coverage)
    if not result.rules_not_run.empty:
        ids = "、".join(result.rules_not_run["rule_id"])
        warnings.append(f"本次有 {len(result.rules_not_run)} 条规则未运行，相应问题不在本报告中：{ids}"
                        f"（原因见「未运行的规则」）。")
    return warnings


def render_html(result: AuditResult) -> str:
    findings = result.findings
    overview = rule_overview(result, findings)
    towns = town_rates(findings, result.households)
    lines = red_lines(result, overview)
    red_line_count = sum(line["count"] for line in lines)
    by_gate = pd.crosstab(findings["gate"], findings["severity"]).reindex(
        index=list(GATES), columns=list(SEVERITIES), fill_value=0)
    by_gate.index = [f"{g} {GATES[g]}" for g in by_gate.index]
    top = overview.sort_values("count", ascending=False, kind="stable").head(TOP_PROBLEMS)
    top_chart = pd.DataFrame({"问题数": top["count"].to_numpy()}, index=top["rule_id"] + " " + top["title"])
    rated = towns.dropna(subset=["每百户问题数"])
    quarters = trend(result)
    tables = summary_tables(result)
    environment = Environment(loader=FileSystemLoader(templates_dir()), autoescape=select_autoescape(["html", "j2"]))
    return environment.get_template("report.html.j2").render(
        config=result.config, warnings=report_warnings(result),
        conclusion=conclusion(result, red_line_count, towns), red_lines=lines, red_line_count=red_line_count,
        totals={s: int((findings["severity"] == s).sum()) for s in SEVERITIES}, colours=SEVERITY_COLOURS,
        top_chart=bar_chart(top_chart, {"问题数": "#8e44ad"}, "问题数（条）"),
        towns=towns.reset_index().to_dict("records"), town_chart=bar_chart(rated[["每百户问题数"]], {"每百户问题数": "#c0392b"}, "每百户问题数（条）",
                                                      decimals=1),
        gate_chart=bar_chart(by_gate, SEVERITY_COLOURS, "问题数（条）"),
        progress=progress(result, findings), status_colours=STATUS_COLOURS,
        trend=quarters, trend_chart=bar_chart(quarters.set_index("季度")[list(SEVERITIES)], SEVERITY_COLOURS,
                                              "问题数（条）") if not quarters.empty else "",
        overview=overview, explorer_columns=EXPLORER_COLUMNS, data_json=Markup(explorer_data(findings, overview)),
        tables={name: (tables[name], column_classes(tables[name])) for name in OTHER_TABLES if name in tables},
        matrix_title=MATRIX_TITLE,
    )


def write_html(result: AuditResult, path: Path) -> None:
    path.write_text(render_html(result), encoding="utf-8")
