"""Which 乡镇 a department roster covers.

A county may send the 医保 list of only some of its 乡镇, and a province-wide list cut to one county
may miss whole towns. Without this, every person of an uncovered town would be reported "missing
from the roster" (G3-201 未参加基本医疗保险 for a whole town). A 乡镇 is covered when it has too few
of the people the roster should list to tell (under 10), or when the roster names it in its own 乡镇 column or
matches someone of it and matches at least `roster_town_coverage` (a share, 0.5 by default) of the
town's people it should list. The "missing from the roster" rules run only in covered towns, and
the report says once which towns were not compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..gates.rule import RuleContext

COVERAGE_COLUMNS = ("department", "comparison", "town", "ledger_people", "expected", "matched", "covered")
# A 乡镇 with fewer people the roster should list cannot show a gap in the roster: one 特困 person
# missing from 民政's list is that person's problem (G3-104), not a town the list leaves out.
TOO_FEW_TO_JUDGE = 10


def expected_in_roster(ctx: RuleContext, department: str) -> pd.Series:
    """Active ledger persons the roster should list: any of the spec's alternatives, each a set of
    column conditions (schemas/rosters.toml `expected`: accepted values, {not = [...]}, or
    {contains = code} for a multi-code field); every active person when none is given."""
    alternatives = ctx.catalog.rosters[department].expected
    if alternatives is None:
        return ctx.facts.active
    expected = pd.Series(False, index=ctx.ledger.index)
    for alternative in alternatives:
        meets = pd.Series(True, index=ctx.ledger.index)
        for column, accepted in alternative.items():
            meets &= _meets(ctx, column, accepted)
        expected |= meets
    return ctx.facts.active & expected


def _meets(ctx: RuleContext, column: str, accepted: object) -> pd.Series:
    if isinstance(accepted, dict) and "contains" in accepted:
        return ctx.facts.has_code(column, accepted["contains"])
    values = ctx.facts.text(column)
    return ~values.isin(accepted["not"]) if isinstance(accepted, dict) else values.isin(accepted)


def town_coverage(ctx: RuleContext, department: str) -> pd.DataFrame:
    """One row per ledger 乡镇: its people, those the roster should list, those it matched, covered."""
    match = ctx.matches[department]
    matched = np.zeros(len(ctx.ledger), dtype=bool)
    matched[match.exact["ledger_row"].to_numpy()] = True
    expected = expected_in_roster(ctx, department).to_numpy(dtype=bool)
    counts = pd.DataFrame({"town": ctx.facts.text("乡镇").to_numpy(), "ledger_people": 1, "expected": expected,
                           "matched": matched, "matched_expected": matched & expected})
    table = counts.groupby("town", sort=True).sum().reset_index()
    named = match.roster["乡镇"].unique() if "乡镇" in match.roster else []
    touched = table["town"].isin(named) | (table["matched"] > 0)
    share = table["matched_expected"] / table["expected"].where(table["expected"] > 0)
    spec = ctx.catalog.rosters[department]
    enough = (share >= ctx.config.thresholds.roster_town_coverage) | (not spec.share_tested)
    table["covered"] = (table["expected"] < TOO_FEW_TO_JUDGE) | (touched & enough)
    return table.assign(department=department, comparison=spec.comparison)[list(COVERAGE_COLUMNS)]


def covered_rows(ctx: RuleContext, department: str) -> pd.Series:
    """Per ledger row: whether the roster covers the row's 乡镇."""
    table = town_coverage(ctx, department)
    return ctx.facts.text("乡镇").isin(table.loc[table["covered"], "town"]).astype(bool)


def roster_coverage(ctx: RuleContext) -> pd.DataFrame:
    """Coverage by 乡镇 of every roster given."""
    tables = [town_coverage(ctx, department) for department in ctx.matches]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=list(COVERAGE_COLUMNS))


def coverage_notes(coverage: pd.DataFrame) -> list[str]:
    """One sentence per roster that leaves towns uncovered, e.g. "医保名单未覆盖 城关镇、河口镇（台账
    812 人，名单匹配 0 人）：这些乡镇的参保比对未运行" (the comparison as schemas/rosters.toml names it)."""
    notes = []
    for department, table in coverage[~coverage["covered"].astype(bool)].groupby("department", sort=False):
        towns = "、".join(t if t else "（未填乡镇）" for t in table["town"])
        notes.append(f"{department}名单未覆盖 {towns}（台账 {int(table['ledger_people'].sum())} 人，"
                     f"名单匹配 {int(table['matched'].sum())} 人）：这些乡镇的{table['comparison'].iloc[0]}未运行")
    return notes
