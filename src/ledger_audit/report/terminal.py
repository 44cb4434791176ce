"""The terminal summary: plain tabulate tables, so cron logs and CI output stay readable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tabulate import tabulate

from ..catalog import GATES, SEVERITIES
from ..frame import LoadReport
from ..result import AuditResult

TOP_RULES = 10


def load_summary(load: LoadReport, households: int | None = None) -> str:
    role = "台账" if load.role == "ledger" else f"{load.role}名单"
    lines = [f"{role}：{'、'.join(load.files)}，读取 {load.rows} 行" + (f"，{households} 户" if households is not None else "")
             + f"，工作表 {'、'.join(load.sheets)}"]
    if load.dropped:
        lines.append("  已剔除：" + "，".join(f"{reason} {count} 行" for reason, count in load.dropped.items()))
    lines.append(f"  已识别列 {len(load.mapped)} 个" + (f"；未提供的可选列 {len(load.missing)} 个" if load.missing else "")
                 + (f"；保留的其他列：{'、'.join(load.extra)}" if load.extra else ""))
    return "\n".join(lines)


def findings_summary(result: AuditResult) -> str:
    f = result.findings
    by_gate = pd.crosstab(f["gate"], f["severity"]).reindex(index=list(GATES), columns=list(SEVERITIES), fill_value=0)
    rows = [[f"{g} {GATES[g]}", *by_gate.loc[g].tolist(), int(by_gate.loc[g].sum())] for g in GATES]
    rows.append(["合计", *by_gate.sum().tolist(), int(by_gate.values.sum())])
    parts = [tabulate(rows, headers=["关口", *SEVERITIES, "合计"], tablefmt="simple")]
    if len(f):
        top = f.groupby(["rule_id", "title", "severity"]).size().sort_values(ascending=False).head(TOP_RULES)
        parts.append(tabulate([[*index, count] for index, count in top.items()],
                              headers=["规则", "名称", "严重程度", "问题数"], tablefmt="simple"))
    if not result.rules_not_run.empty:
        parts.append("未运行的规则：\n" + tabulate(result.rules_not_run.values.tolist(), headers=["规则", "原因"],
                                              tablefmt="simple"))
    return "\n\n".join(parts)


def outputs_summary(outputs: dict[str, Path]) -> str:
    names = {"xlsx": "三单一账工作簿", "html": "HTML 报告", "json": "findings.json"}
    return "\n".join(f"{names.get(kind) or kind.partition(':')[2] + ' 工作簿'}：{path}" for kind, path in outputs.items())
