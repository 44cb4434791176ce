"""The terminal summary: plain tabulate tables, so cron logs and CI output stay readable, and the
findings one per line like a linter's (or as GitHub workflow annotations) for `audit check`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tabulate import tabulate

from ..catalog import GATES, SEVERITIES
from ..crosscheck.coverage import coverage_notes
from ..errors import printable
from ..findings import SOURCE_SEPARATOR
from ..frame import LoadReport
from ..result import AuditResult
from .sheets import column_notes

TOP_RULES = 10


def sheet_names(load: LoadReport) -> list[str]:
    """The sheets read as a person names them: with their file ("文件:工作表") only when more than
    one file was read; a CSV file (no sheets) not at all."""
    if len(load.files) != 1:
        return load.sheets
    file = load.files[0]
    return [sheet.removeprefix(file + ":") for sheet in load.sheets if sheet != file]


def load_summary(load: LoadReport, households: int | None = None) -> str:
    role = load.title or load.role
    sheets = sheet_names(load)
    lines = [f"{role}：{'、'.join(map(printable, load.files))}，读取 {load.rows} 行" + (f"，{households} 户" if households is not None else "")
             + (f"，工作表 {'、'.join(map(printable, sheets))}" if sheets else "")]
    if load.dropped:
        lines.append("  已剔除：" + "，".join(f"{reason} {count} 行" for reason, count in load.dropped.items()))
    lines.append(f"  已识别列 {len(load.mapped)} 个" + (f"；未提供的可选列 {len(load.missing)} 个" if load.missing else "")
                 + (f"；保留的其他列：{'、'.join(load.extra)}" if load.extra else ""))
    lines += ["  " + note for note in column_notes(load)]
    return "\n".join(lines)


def broken_column_lines(result: AuditResult) -> list[str]:
    """Whole-column problems, printed before everything else (one line each, saying what to do)."""
    return [f"！{line}" for line in result.broken_columns]


def findings_summary(result: AuditResult) -> str:
    f = result.findings
    by_gate = pd.crosstab(f["gate"], f["severity"]).reindex(index=list(GATES), columns=list(SEVERITIES), fill_value=0)
    # A gate left out (audit check --gates G1) found nothing because it did not run: not a 0.
    rows = [[f"{g} {GATES[g]}", *by_gate.loc[g].tolist(), int(by_gate.loc[g].sum())] if g in result.gates
            else [f"{g} {GATES[g]}", *["未运行"] * (len(SEVERITIES) + 1)] for g in GATES]
    rows.append(["合计", *by_gate.sum().tolist(), int(by_gate.values.sum())])
    parts = [tabulate(rows, headers=["关口", *SEVERITIES, "合计"], tablefmt="simple", colalign=("left", *["right"] * 4))]
    if len(f):
        top = f.groupby(["rule_id", "title", "severity"]).size().sort_values(ascending=False).head(TOP_RULES)
        parts.append(tabulate([[*index, count] for index, count in top.items()],
                              headers=["规则", "名称", "严重程度", "问题数"], tablefmt="simple"))
    if result.roster_coverage is not None:
        parts.extend(coverage_notes(result.roster_coverage))
    if not result.rules_not_run.empty:
        parts.append("未运行的规则：\n" + tabulate(result.rules_not_run.values.tolist(), headers=["规则", "原因"],
                                              tablefmt="simple"))
    return "\n\n".join(parts)


def outputs_summary(outputs: dict[str, Path]) -> str:
    names = {"xlsx": "三单一账工作簿", "html": "HTML 报告", "json": "findings.json"}
    return "\n".join(f"{names.get(kind) or kind.partition(':')[2] + ' 工作簿'}：{printable(path)}"
                     for kind, path in outputs.items())


GITHUB_LEVELS = {"错误": "error", "警告": "warning", "提示": "notice"}


def _first_source(findings: pd.DataFrame) -> pd.DataFrame:
    """file, sheet and row of each finding's first source row ("" when it has none)."""
    first = findings["sources"].str.split(SOURCE_SEPARATOR, regex=False).str[0].fillna("")
    parts = first.str.rsplit(":", n=2, expand=True).reindex(columns=[0, 1, 2]).fillna("")
    parts.columns = ["file", "sheet", "row"]
    return parts


def _in_file_order(result: AuditResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The readable findings and their first sources, ordered by file, sheet and row (like a linter)."""
    findings = result.findings
    sources = _first_source(findings)
    row_number = pd.to_numeric(sources["row"], errors="coerce")
    order = pd.DataFrame({"file": sources["file"], "sheet": sources["sheet"], "row": row_number}) \
        .sort_values(["file", "sheet", "row"], kind="stable").index
    return findings.loc[order], sources.loc[order]


def _more(total: int, limit: int) -> list[str]:
    return [f"……另有 {total - limit} 条问题未列出（用 --max-lines 调整，或用 --json 写出全部）。"] if total > limit else []


def finding_lines(result: AuditResult, paths: dict[str, str], limit: int) -> str:
    """One line per finding, `文件:工作表:行 规则编号 严重程度 问题描述`, at most `limit` lines; the
    file as the path given on the command line (`paths` maps a file name to it), so that an editor
    or a CI log can open it."""
    findings, sources = _in_file_order(result)
    shown, where = findings.head(limit), sources.head(limit)
    file = where["file"].map(paths).fillna(where["file"])
    location = (file + ":" + where["sheet"] + ":" + where["row"]).where(where["file"] != "", "（无来源行）")
    lines = location + " " + shown["rule_id"] + " " + shown["severity"] + " " + shown["message"]
    return "\n".join([*lines.tolist(), *_more(len(findings), limit)])


def _escape(text: pd.Series, property_value: bool = False) -> pd.Series:
    """GitHub workflow-command escaping: % CR LF always, and : , inside a property value."""
    text = text.str.replace("%", "%25", regex=False).str.replace("\r", "%0D", regex=False) \
        .str.replace("\n", "%0A", regex=False)
    return text.str.replace(":", "%3A", regex=False).str.replace(",", "%2C", regex=False) if property_value else text


def github_annotations(result: AuditResult, paths: dict[str, str], limit: int) -> str:
    """GitHub workflow annotations (`::error file=…,line=…,title=…::…`), one per finding, the file
    as the path given on the command line (`paths` maps a file name to it)."""
    findings, sources = _in_file_order(result)
    shown, where = findings.head(limit), sources.head(limit)
    file = _escape(where["file"].map(paths).fillna(where["file"]), property_value=True)
    location = ("file=" + file + ",line=" + where["row"] + ",").where(where["row"] != "", "")
    title = _escape(shown["rule_id"] + " " + shown["title"], property_value=True)
    message = _escape(where["sheet"].where(where["sheet"] == "", "工作表 " + where["sheet"] + "：") + shown["message"])
    lines = "::" + shown["severity"].map(GITHUB_LEVELS) + " " + location + "title=" + title + "::" + message
    return "\n".join([*lines.tolist(), *_more(len(findings), limit)])
