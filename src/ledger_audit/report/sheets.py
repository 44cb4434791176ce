"""The 三单一账 as DataFrames with the Chinese column headers of outputs.md. Pure functions of the
AuditResult (masked before, by report/redact.py, unless --no-mask); the writers (xlsx, HTML, JSON,
terminal) only lay them out."""

from __future__ import annotations

import pandas as pd

from ..catalog import GATES, SEVERITIES
from ..crosscheck.coverage import coverage_notes
from ..frame import LoadReport
from ..result import MATRIX_COUNTS, MATRIX_HEADERS, AuditResult
from ..track.rectification import new_rectification


def problem_list(result: AuditResult) -> pd.DataFrame:
    f = result.findings
    return pd.DataFrame({
        "问题编号": f["problem_id"], "关口": f["gate"] + " " + f["gate"].map(GATES), "规则编号": f["rule_id"],
        "问题名称": f["title"], "严重程度": f["severity"], "乡镇": f["town"], "行政村": f["village"],
        "户编号": f["household_id"], "户主姓名": f["head_name"], "姓名": f["name"], "证件号码": f["id_number"],
        "问题描述": f["message"], "责任单位": f["unit"], "配合单位": f["assist_unit"],
        "发现日期": result.config.as_of.isoformat(), "整改时限": f["deadline"], "来源": f["sources"],
    })


def task_list(result: AuditResult, remedies: dict[str, str]) -> pd.DataFrame:
    """One row per rule × 乡镇."""
    f = result.findings
    grouped = f.groupby(["rule_id", "town"], sort=True).agg(
        问题名称=("title", "first"), 问题数=("problem_id", "size"), 责任单位=("unit", "first"),
        整改时限=("deadline", lambda d: min((x for x in d if x), default=""))).reset_index()
    grouped.insert(4, "整改要求", grouped["rule_id"].map(remedies).fillna(""))
    return grouped.rename(columns={"rule_id": "规则编号", "town": "乡镇"})[
        ["规则编号", "问题名称", "乡镇", "问题数", "整改要求", "责任单位", "整改时限"]]


def responsibility_list(result: AuditResult) -> pd.DataFrame:
    """One row per 责任单位."""
    f = result.findings
    counts = pd.crosstab(f["unit"], f["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    towns = f.groupby("unit")["town"].agg(lambda t: "、".join(sorted(set(t) - {""})))
    rules = f.groupby("unit")["rule_id"].agg(lambda r: "、".join(sorted(set(r))))
    earliest = f.groupby("unit")["deadline"].agg(lambda d: min((x for x in d if x), default=""))
    table = pd.DataFrame({"错误数": counts["错误"], "警告数": counts["警告"], "提示数": counts["提示"],
                          "涉及乡镇": towns, "涉及规则": rules, "最早整改时限": earliest})
    return table.rename_axis("责任单位").reset_index()


def rectification_sheet(result: AuditResult) -> pd.DataFrame:
    """The 整改台账: tracked rows when tracking ran, else every finding as a new item."""
    if result.rectification is not None:
        return result.rectification
    return new_rectification(result.findings)


def column_notes(load: LoadReport) -> list[str]:
    """What a reader must know about the columns of one input: required columns that are absent
    (their rules did not run) and fields given twice (which column the audit used)."""
    notes = []
    if load.missing_required:
        notes.append(f"缺少列：{'、'.join(load.missing_required)}（需要这些列的规则未运行，见“未运行的规则”）")
    notes += [f"{field}：有「{load.mapped.get(field, field)}」和「{other}」两列，审核使用「{load.mapped.get(field, field)}」列，"
              "两列不一致的行（如有）列入问题清单 G1-014" for field, other in load.twins.items()]
    return notes


def summary_notes(result: AuditResult) -> list[str]:
    """The lines at the top of 汇总: whole-column problems first, then each input's column notes."""
    return [*result.broken_columns, *(note for load in result.loads for note in column_notes(load))]


def summary_tables(result: AuditResult) -> dict[str, pd.DataFrame]:
    """The 汇总 blocks, in order: by gate × severity, by 乡镇, by 责任单位, by rule, rules not run, inputs."""
    f = result.findings
    by_gate = pd.crosstab(f["gate"], f["severity"]).reindex(index=list(GATES), columns=list(SEVERITIES), fill_value=0)
    by_gate.insert(0, "关口", [GATES[g] for g in by_gate.index])
    by_gate["合计"] = by_gate[list(SEVERITIES)].sum(axis=1)
    by_town = pd.crosstab(f["town"], f["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    by_unit = pd.crosstab(f["unit"], f["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    by_rule = f.groupby(["rule_id", "title", "severity"]).size().rename("问题数").reset_index() \
        .rename(columns={"rule_id": "规则编号", "title": "问题名称", "severity": "严重程度"})
    not_run = result.rules_not_run.rename(columns={"rule_id": "规则编号", "reason": "未运行原因"})
    inputs = pd.DataFrame([{"角色": "台账" if load.role == "ledger" else load.role, "文件": path, "行数": load.rows,
                            "SHA-256": digest} for load in result.loads for path, digest in load.sha256.items()])
    tables = {
        "按关口和严重程度": by_gate.rename_axis("编号").reset_index(),
        "按乡镇": by_town.rename_axis("乡镇").reset_index(),
        "按责任单位": by_unit.rename_axis("责任单位").reset_index(),
        "按规则": by_rule, "未运行的规则": not_run, "输入文件": inputs,
    }
    if not result.cross_check_matrix.empty:
        tables[MATRIX_TITLE] = matrix_table(result.cross_check_matrix)
    tables.update(coverage_tables(result))
    return tables


MATRIX_TITLE = "部门名单和全国系统表比对"
NOT_COUNTED = "—"


def matrix_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """The cross-check matrix as 汇总 and the HTML report show it: a count that does not apply or
    whose rule did not run is "—"; the 说明 column only when a row has a note (the tables)."""
    shown = matrix.drop(columns=["department"])
    for column in MATRIX_COUNTS:
        counts = shown[column].astype(object)
        shown[column] = counts.where(counts.notna(), NOT_COUNTED)
    if not (shown["note"] != "").any():
        shown = shown.drop(columns=["note"])
    return shown.rename(columns=MATRIX_HEADERS)


def coverage_tables(result: AuditResult) -> dict[str, pd.DataFrame]:
    """The towns each roster and table group covers and, once, which towns were not compared."""
    coverage = result.roster_coverage
    if coverage is None or coverage.empty:
        return {}
    notes = coverage_notes(coverage)
    by_town = coverage.assign(department=coverage["department"] + coverage["kind"],
                              covered=coverage["covered"].map({True: "是", False: "否"})).drop(columns=["kind"]).rename(
        columns={"department": "名单或表", "comparison": "比对内容", "town": "乡镇", "ledger_people": "台账人数",
                 "expected": "应列人数", "matched": "匹配人数", "covered": "已覆盖"})
    return {**({"名单和表覆盖说明": pd.DataFrame({"说明": notes})} if notes else {}), "名单和表覆盖（按乡镇）": by_town}
