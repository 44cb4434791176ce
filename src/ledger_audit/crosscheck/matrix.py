"""The cross-check matrix (outputs.md): per roster, how many records matched, appear only on one
side (in the 乡镇 it covers: crosscheck/coverage.py), or matched with conflicting facts, and how many
ledger persons could not be compared at all because their ID is broken or mistyped (number cell,
malformed, placeholder, wrong check character or birth date: facts.id_certain). A person the
matching pairs with a roster row under another number (G3-502) is not counted "only in the ledger".

Then one row per national table given (schemas/tables.toml `matrix`): a count that a table rule
reports (户信息: G3-602 only in the ledger, G3-601 only in the table; 已外出务工: G3-603, G3-604;
计划外出务工: G3-606; 行政村: G5-014) is that rule's number of findings, so the matrix and 问题清单
always agree, and <NA> when the rule did not run; the other counts come from the join itself
(national_tables.person_table_counts, village_counts); a count that does not apply is <NA>."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import SOURCE_SEPARATOR, source_text
from ..frame import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET
from ..gates.rule import RuleContext
from ..result import MATRIX_COLUMNS, MATRIX_COUNTS, MATRIX_HEADERS
from .coverage import covered_rows, expected_in_roster
from .departments import absence_can_be_said
from .national_tables import person_table_counts, village_counts


def cross_check_matrix(ctx: RuleContext, findings: pd.DataFrame, rules_run: frozenset[str] = frozenset()) -> pd.DataFrame:
    """The roster rows, then the table rows; `rules_run`: the rules that ran (a table count a rule
    reports is <NA> when it did not)."""
    rows = _roster_rows(ctx, findings) + _table_rows(ctx, findings, rules_run)
    matrix = pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))
    return matrix.astype({column: "Int64" for column in MATRIX_COUNTS})


def _roster_rows(ctx: RuleContext, findings: pd.DataFrame) -> list[dict]:
    ledger_sources = source_text(ctx.ledger[SOURCE_FILE], ctx.ledger[SOURCE_SHEET], ctx.ledger[SOURCE_ROW])
    rows = []
    for department, match in ctx.matches.items():
        matched_ledger = pd.Series(False, index=ctx.ledger.index)
        matched_ledger.iloc[match.exact["ledger_row"].to_numpy()] = True
        flagged = findings[findings["rule_id"].str.startswith(ctx.catalog.rosters[department].rule_prefix)
                           | (findings["rule_id"] == "G3-501")]["sources"].str.split(SOURCE_SEPARATOR).explode()
        conflicting = matched_ledger & ledger_sources.isin(set(flagged))
        # A roster row that seems to be a ledger person under another number (a suspected pair,
        # G3-502) is not "only in the roster".
        paired = np.zeros(len(match.roster), dtype=bool)
        paired[match.exact["roster_row"].to_numpy()] = True
        paired[match.suspected["roster_row"].to_numpy()] = True
        paired[match.lost["roster_row"].to_numpy()] = True
        rows.append({
            "department": department, "label": f"{department}名单", "note": "",
            "matched": int(match.exact["roster_row"].nunique()),
            "only_in_ledger": int((expected_in_roster(ctx, department) & covered_rows(ctx, department)
                                   & absence_can_be_said(ctx, department) & ~matched_ledger).sum()),
            "only_in_roster": int((~paired).sum()),
            "conflicting": int(conflicting.sum()),
            "unmatchable": int((ctx.facts.active & ~ctx.facts.id_certain).sum()),
        })
    return rows


def _table_rows(ctx: RuleContext, findings: pd.DataFrame, rules_run: frozenset[str]) -> list[dict]:
    counted = findings["rule_id"].value_counts()
    unmatchable = int((ctx.facts.active & ~ctx.facts.id_certain).sum())
    rows = []
    for name, spec in ctx.catalog.tables.items():
        if name not in ctx.tables:
            continue
        row: dict = {"department": name, "label": spec.label}
        if "证件号码" not in spec.join:   # a village table, joined on 乡镇 and 行政村
            if set(spec.join) <= set(ctx.ledger.columns):
                row["matched"], row["only_in_ledger"], row["only_in_roster"] = village_counts(ctx, name)
        elif "证件号码" in ctx.ledger.columns:
            row["matched"], row["only_in_roster"] = person_table_counts(ctx, name)
            row["unmatchable"] = unmatchable
        notes = []
        for column in MATRIX_COUNTS:
            rule_id = spec.matrix.get(column)
            if rule_id is None:
                continue
            title = ctx.catalog.rules[rule_id].title if rule_id in ctx.catalog.rules else ""
            if rule_id in rules_run:
                row[column] = int(counted.get(rule_id, 0))
                notes.append(f"{MATRIX_HEADERS[column]}即 {rule_id}「{title}」的问题数")
            else:
                row[column] = None
                notes.append(f"{rule_id}「{title}」未运行，{MATRIX_HEADERS[column]}未统计")
        row["note"] = "；".join(notes)
        rows.append(row)
    return rows
