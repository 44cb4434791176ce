"""Which 乡镇 a department roster, or a group of the national system's person tables, covers.

A county may send the 医保 list of only some of its 乡镇, a province-wide list cut to one county may
miss whole towns, and a 户信息 or 务工 export may hold part of a town or be cut short. Without this,
every person of an uncovered town would be reported "missing from the roster" (G3-201 未参加基本医疗
保险 for a whole town) or from the table (G3-602, G3-603, G3-606). A 乡镇 is covered when it has too
few of the people the roster (table) should list to tell (under 10), or when the roster names it in
its own 乡镇 column or matches someone of it and matches at least `roster_town_coverage` (a share,
0.5 by default) of the town's people it should list. The "missing from" rules run only in covered
towns, and the report says once which towns were not compared.

What varies is data (catalog.CoverageSpec: rosters.toml, tables.toml [coverage]); what a roster or
a table matched is given by its side (ctx.matches here, national_tables for the tables).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import CoverageSpec
from ..gates.rule import RuleContext

# department: the roster's department or the table group; kind: 名单 or 表 (医保名单, 户信息表).
COVERAGE_COLUMNS = ("department", "kind", "comparison", "town", "ledger_people", "expected", "matched", "covered")
# A 乡镇 with fewer people the roster should list cannot show a gap in the roster: one 特困 person
# missing from 民政's list is that person's problem (G3-104), not a town the list leaves out.
TOO_FEW_TO_JUDGE = 10


def expected_rows(ctx: RuleContext, spec: CoverageSpec) -> pd.Series:
    """Active ledger persons the roster (tables) should list: any of the spec's alternatives, each a
    set of column conditions (accepted values, {not = [...]}, {contains = code} for a multi-code
    field, {above = n} for a number); every active person when none is given."""
    if spec.expected is None:
        return ctx.facts.active
    expected = pd.Series(False, index=ctx.ledger.index)
    for alternative in spec.expected:
        meets = pd.Series(True, index=ctx.ledger.index)
        for column, accepted in alternative.items():
            meets &= _meets(ctx, column, accepted)
        expected |= meets
    return ctx.facts.active & expected


def expected_in_roster(ctx: RuleContext, department: str) -> pd.Series:
    return expected_rows(ctx, ctx.catalog.rosters[department].coverage)


def _meets(ctx: RuleContext, column: str, accepted: object) -> pd.Series:
    if isinstance(accepted, dict) and "contains" in accepted:
        return ctx.facts.has_code(column, accepted["contains"])
    if isinstance(accepted, dict) and "above" in accepted:
        return (ctx.facts.money(column) > float(accepted["above"])).fillna(False).astype(bool)
    values = ctx.facts.text(column)
    return ~values.isin(accepted["not"]) if isinstance(accepted, dict) else values.isin(accepted)


def town_coverage(ctx: RuleContext, spec: CoverageSpec, matched: np.ndarray, named) -> pd.DataFrame:
    """One row per ledger 乡镇 (COVERAGE_COLUMNS, and `touched`: the source names the town or matches
    someone of it). `matched`: per ledger row, whether the roster (tables) lists the person; `named`:
    the 乡镇 the roster's (tables') own 乡镇 column holds."""
    expected = expected_rows(ctx, spec).to_numpy(dtype=bool)
    counts = pd.DataFrame({"town": ctx.facts.text("乡镇").to_numpy(), "ledger_people": 1, "expected": expected,
                           "matched": matched, "matched_expected": matched & expected})
    table = counts.groupby("town", sort=True).sum().reset_index()
    table["touched"] = table["town"].isin(named) | (table["matched"] > 0)
    share = table["matched_expected"] / table["expected"].where(table["expected"] > 0)
    enough = (share >= ctx.config.thresholds.roster_town_coverage) | (not spec.share_tested)
    table["covered"] = (table["expected"] < TOO_FEW_TO_JUDGE) | (table["touched"] & enough)
    return table.assign(department=spec.name, kind=spec.kind, comparison=spec.comparison)[
        [*COVERAGE_COLUMNS, "touched"]]


def rows_in(ctx: RuleContext, coverage: pd.DataFrame, column: str = "covered") -> pd.Series:
    """Per ledger row: whether its 乡镇 is one `column` of the coverage table holds for."""
    return ctx.facts.text("乡镇").isin(coverage.loc[coverage[column], "town"]).astype(bool)


def roster_town_coverage(ctx: RuleContext, department: str) -> pd.DataFrame:
    """town_coverage of one roster (computed once per run)."""

    def compute() -> pd.DataFrame:
        match = ctx.matches[department]
        matched = np.zeros(len(ctx.ledger), dtype=bool)
        matched[match.exact["ledger_row"].to_numpy()] = True
        named = match.roster["乡镇"].unique() if "乡镇" in match.roster else []
        return town_coverage(ctx, ctx.catalog.rosters[department].coverage, matched, named)

    return ctx.facts.shared(f"coverage:roster:{department}", compute)


def covered_rows(ctx: RuleContext, department: str) -> pd.Series:
    """Per ledger row: whether the roster covers the row's 乡镇."""
    return rows_in(ctx, roster_town_coverage(ctx, department))


def roster_coverage(ctx: RuleContext) -> pd.DataFrame:
    """Coverage by 乡镇 of every roster given."""
    return concat_coverage([roster_town_coverage(ctx, department) for department in ctx.matches])


def concat_coverage(tables: list[pd.DataFrame]) -> pd.DataFrame:
    tables = [table[list(COVERAGE_COLUMNS)] for table in tables if len(table)]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=list(COVERAGE_COLUMNS))


def coverage_notes(coverage: pd.DataFrame) -> list[str]:
    """One sentence per roster or table group that leaves towns uncovered, e.g. "医保名单未覆盖 城关镇、
    河口镇（台账 812 人，名单匹配 0 人）：这些乡镇的参保比对未运行", "户信息表未覆盖 城关镇（台账 812 人，
    表中匹配 300 人）：这些乡镇的户信息比对未运行" (the comparison as the schema names it)."""
    notes = []
    uncovered = coverage[~coverage["covered"].astype(bool)]
    for (department, kind), table in uncovered.groupby(["department", "kind"], sort=False):
        towns = "、".join(t if t else "（未填乡镇）" for t in table["town"])
        where = "名单" if kind == "名单" else "表中"
        notes.append(f"{department}{kind}未覆盖 {towns}（台账 {int(table['ledger_people'].sum())} 人，"
                     f"{where}匹配 {int(table['matched'].sum())} 人）：这些乡镇的{table['comparison'].iloc[0]}未运行")
    return notes
