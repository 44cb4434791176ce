"""Whole columns that are broken, said once and first (terminal, top of the HTML report, 汇总).

When most IDs of a ledger were typed into General cells, or a date column is in a form nobody can
read, the per-row findings (G1-006, G1-010) are thousands of rows of one problem with one remedy:
export the file again. These lines name the column, how many cells, and what to do. The per-row
findings stay in 问题清单. A roster's ID cells stored as numbers have no finding of their own (the
rows cannot be matched, and are never taken for mistyped IDs): any number of them is said here.
"""

from __future__ import annotations

from ..frame import ID_STORED_AS_NUMBER
from .rule import RuleContext

ID_COLUMN = "证件号码"


def broken_columns(ctx: RuleContext) -> list[str]:
    """One line per column where at least `thresholds.broken_column_share` of the filled cells are
    broken: IDs stored as numbers, or dates that cannot be read."""
    share = ctx.config.thresholds.broken_column_share
    facts = ctx.facts
    lines = []
    if ID_COLUMN in ctx.ledger.columns:
        filled = int((facts.text(ID_COLUMN) != "").sum())
        numbers = int(facts.id_stored_as_number.sum())
        if filled and numbers >= share * filled:
            lines.append(f"证件号码列有 {numbers} 个被存为数字，末三位已丢失：请从系统重新导出（证件号码列设为文本）后再审核")
    for name in (n for n, spec in ctx.catalog.fields.items() if spec.type == "date" and n in ctx.ledger.columns):
        written = facts.text(name) != ""
        unreadable = int((written & facts.date(name).isna()).sum())
        if written.any() and unreadable >= share * int(written.sum()):
            lines.append(f"{name}列有 {unreadable} 个日期无法识别（已填 {int(written.sum())} 个）："
                         "请按 2022-03-01 或 202203 的写法改正该列，或从系统重新导出后再审核")
    for department, roster in ctx.rosters.items():
        numbers = int(roster[ID_STORED_AS_NUMBER].sum()) if ID_STORED_AS_NUMBER in roster else 0
        if numbers:
            spec = ctx.catalog.rosters[department]
            column = spec.id_column + (f"或{spec.id_from}" if spec.id_from else "")
            lines.append(f"{department}名单有 {numbers} 行的{column}被存为数字，末几位已丢失，这些行无法与台账比对："
                         f"请{department}部门重新导出（{column}列设为文本）后再审核")
    return lines
