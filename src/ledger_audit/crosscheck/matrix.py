"""The cross-check matrix (outputs.md): per roster, how many records matched, appear only on one
side (in the 乡镇 it covers: crosscheck/coverage.py), or matched with conflicting facts, and how many
ledger persons could not be compared at all because their ID is broken (number cell, malformed,
placeholder: facts.id_usable)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import SOURCE_SEPARATOR, source_text
from ..frame import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET
from ..gates.rule import RuleContext
from ..result import MATRIX_COLUMNS
from .coverage import covered_rows, expected_in_roster


def cross_check_matrix(ctx: RuleContext, findings: pd.DataFrame) -> pd.DataFrame:
    ledger_sources = source_text(ctx.ledger[SOURCE_FILE], ctx.ledger[SOURCE_SHEET], ctx.ledger[SOURCE_ROW])
    rows = []
    for department, match in ctx.matches.items():
        matched_ledger = pd.Series(False, index=ctx.ledger.index)
        matched_ledger.iloc[match.exact["ledger_row"].to_numpy()] = True
        flagged = findings[findings["rule_id"].str.startswith(ctx.catalog.rosters[department].rule_prefix)
                           | (findings["rule_id"] == "G3-501")]["sources"].str.split(SOURCE_SEPARATOR).explode()
        conflicting = matched_ledger & ledger_sources.isin(set(flagged))
        usable = ctx.facts.id_usable
        suspected = match.suspected
        # A roster row that seems to be a ledger person with a broken ID is not "only in the roster".
        broken_pairs = suspected[~usable.to_numpy()[suspected["ledger_row"].to_numpy()]]
        paired = np.zeros(len(match.roster), dtype=bool)
        paired[match.exact["roster_row"].to_numpy()] = True
        paired[broken_pairs["roster_row"].to_numpy()] = True
        rows.append({
            "department": department,
            "matched": int(match.exact["roster_row"].nunique()),
            "only_in_ledger": int((expected_in_roster(ctx, department) & covered_rows(ctx, department) & usable
                                   & ~matched_ledger).sum()),
            "only_in_roster": int((~paired).sum()),
            "conflicting": int(conflicting.sum()),
            "unmatchable": int((ctx.facts.active & ~usable).sum()),
        })
    return pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))
