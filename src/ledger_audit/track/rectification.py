"""The 整改台账 (rectification ledger) carried from quarter to quarter (outputs.md, 销号式推进).

    carry_forward(previous, findings, config, catalog) → (整改台账, G4-011/G4-012 findings)

Rows are matched on 问题编号 (problem_id, stable across quarters), with one merge:
- found again: every human cell kept, 首次发现季度 kept, 累计季度数 + 1; past its 整改时限 and not
  销号 → G4-011 (整改逾期); marked 已整改/已销号 but still there → back to 整改中 with 复核结论
  "复核仍存在，整改未到位", and if it had been 已销号 → G4-012 (问题反弹);
- not found again: 已销号, 销号时间 = as-of date, 复核结论 "本期复核未再发现", human cells kept;
- new: 未整改.
Columns people added to the workbook are carried through untouched. Nothing a person typed is
ever dropped.
"""

from __future__ import annotations

import pandas as pd

from ..catalog import Catalog
from ..config import AuditConfig
from ..findings import empty_findings, finding_rows
from ..frame import TEXT

RECTIFICATION_COLUMNS = ("序号", "问题编号", "规则编号", "问题名称", "严重程度", "姓名", "问题描述", "县", "乡镇", "行政村",
                         "户编号", "责任单位", "责任人", "整改措施", "整改时限", "整改状态", "整改完成时间", "销号时间",
                         "复核结论", "首次发现季度", "累计季度数", "佐证材料", "备注")
HUMAN_COLUMNS = ("责任人", "整改措施", "整改状态", "整改完成时间", "佐证材料", "备注")
# Columns the program fills in that last quarter's workbook keeps for an item found again, unless
# its cell was left blank there (an old or partial 整改台账).
CARRIED_COLUMNS = ("首次发现季度", "整改时限", "销号时间", "复核结论")
STATUSES = ("未整改", "整改中", "已整改", "已销号")
STILL_PRESENT = "复核仍存在，整改未到位"
NOT_FOUND_AGAIN = "本期复核未再发现"
OVERDUE, RECURRED = "G4-011", "G4-012"
TRACKING_RULE_IDS = (OVERDUE, RECURRED)


def new_rectification(findings: pd.DataFrame, county: str = "") -> pd.DataFrame:
    """Every finding as a new item (the first quarter, or no previous 整改台账). 姓名 is the
    person's, or the 户主's for a household's problem, so that a printed row says whose it is.
    问题描述 is the finding's message unmasked, like every finding inside the audit."""
    table = pd.DataFrame({
        "问题编号": findings["problem_id"], "规则编号": findings["rule_id"], "问题名称": findings["title"],
        "严重程度": findings["severity"], "姓名": findings["name"].where(findings["name"] != "", findings["head_name"]),
        "问题描述": findings["message"], "县": county, "乡镇": findings["town"], "行政村": findings["village"], "户编号": findings["household_id"],
        "责任单位": findings["unit"], "整改时限": findings["deadline"], "整改状态": "未整改",
        "首次发现季度": findings["first_seen"], "累计季度数": "1",
    })
    return _ordered(table)


def tracking_not_run(previous: pd.DataFrame | None, config: AuditConfig) -> list[tuple[str, str]]:
    """(rule ID, reason) for the tracking rules that cannot run: without last quarter's 整改台账
    nothing can be overdue or recur, which is not the same as passing."""
    reasons = [(rule_id, "配置中已停用") for rule_id in TRACKING_RULE_IDS if rule_id in config.disabled_rules]
    if previous is None:
        reasons += [(rule_id, "未提供上季度整改台账（--previous）")
                    for rule_id in TRACKING_RULE_IDS if rule_id not in config.disabled_rules]
    return reasons


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    """The columns of outputs.md in order, then any columns people added; 序号 renumbered."""
    table = table.copy()
    for column in RECTIFICATION_COLUMNS:
        if column not in table:
            table[column] = ""
    extra = [c for c in table.columns if c not in RECTIFICATION_COLUMNS]
    table["序号"] = [str(i) for i in range(1, len(table) + 1)]
    return table[list(RECTIFICATION_COLUMNS) + extra].astype(TEXT).fillna("").reset_index(drop=True)


def carry_forward(previous: pd.DataFrame | None, findings: pd.DataFrame, config: AuditConfig,
                  catalog: Catalog, county: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """`previous` may lack any column but 问题编号 (a partial or old 整改台账): what it has is used
    and kept, what it lacks is taken from this quarter or left blank."""
    if previous is None:
        return new_rectification(findings, county), empty_findings()
    current = new_rectification(findings, county).drop(columns=["序号"])
    merged = current.merge(previous.drop(columns=["序号"], errors="ignore"), on="问题编号", how="outer",
                           suffixes=("", "_上期"), indicator=True)
    found_again = merged["_merge"] == "both"
    gone = merged["_merge"] == "right_only"
    before = _previous(merged, "整改状态")
    as_of = config.as_of.isoformat()

    # Found again: human cells come from last quarter's workbook, blank ones too; so do the first
    # quarter, the deadline and the status, unless left blank there (a status is never blank).
    for column in HUMAN_COLUMNS:
        if f"{column}_上期" in merged and column != "整改状态":
            merged[column] = merged[column].where(~found_again, _previous(merged, column))
    for column in CARRIED_COLUMNS + ("整改状态",):
        kept = found_again & (_previous(merged, column) != "")
        merged[column] = merged[column].where(~kept, _previous(merged, column))
    # A blank or missing count still means the item was on last quarter's list: at least 1 quarter.
    quarters = pd.to_numeric(_previous(merged, "累计季度数"), errors="coerce").fillna(1).astype(int) + 1
    merged["累计季度数"] = merged["累计季度数"].where(~found_again, quarters.astype(str))
    claimed_fixed = found_again & before.isin(["已整改", "已销号"])
    merged.loc[claimed_fixed, ["整改状态", "复核结论", "销号时间"]] = ["整改中", STILL_PRESENT, ""]
    overdue = found_again & ~before.isin(["已销号"]) & (merged["整改时限"] != "") & (merged["整改时限"] < as_of)
    recurred = found_again & (before == "已销号")

    # Not found again: closed this quarter (already closed items are carried as they were).
    closing = gone & (before != "已销号")
    for column in previous.columns:
        if column in merged and f"{column}_上期" in merged:
            merged[column] = merged[column].where(~gone, merged[f"{column}_上期"])
    merged.loc[closing, ["整改状态", "销号时间", "复核结论"]] = ["已销号", as_of, NOT_FOUND_AGAIN]

    table = _ordered(merged.drop(columns=[c for c in merged.columns if c.endswith("_上期")] + ["_merge"]))
    tracked = _tracking_findings(findings, table, overdue, recurred, config, catalog)
    return table, tracked


def _previous(merged: pd.DataFrame, column: str) -> pd.Series:
    """Last quarter's cells of a column ("" where it had none, or had no such column)."""
    name = f"{column}_上期"
    return merged[name].fillna("") if name in merged else pd.Series("", index=merged.index, dtype=TEXT)


def _tracking_findings(findings: pd.DataFrame, table: pd.DataFrame, overdue: pd.Series, recurred: pd.Series,
                       config: AuditConfig, catalog: Catalog) -> pd.DataFrame:
    """G4-011 and G4-012 findings about the items found again (one per item)."""
    by_id = findings.set_index("problem_id")
    parts = []
    for rule_id, mask in ((OVERDUE, overdue), (RECURRED, recurred)):
        if rule_id in config.disabled_rules or rule_id not in catalog.rules or not mask.any():
            continue
        items = table.loc[mask.to_numpy()]
        base = by_id.loc[items["问题编号"]].reset_index()
        about = base[["town", "village", "household_id", "head_name", "name", "id_number", "unit", "assist_unit",
                      "sources"]].assign(
            message=("问题 " + base["problem_id"] + "（" + base["rule_id"] + " " + base["title"] + "）"
                     + ("整改时限 " + items["整改时限"].to_numpy() + " 已过，本期复核仍存在" if rule_id == OVERDUE
                        else "上期已销号，本期复核再次出现")),
            entity_key=base["problem_id"], rule_id=rule_id)
        parts.append(about)
    return finding_rows(catalog.rules, config, pd.concat(parts, ignore_index=True)) if parts else empty_findings()
