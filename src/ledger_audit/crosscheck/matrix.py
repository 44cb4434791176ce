"""The cross-check matrix (outputs.md): per roster, how many records matched, appear only on one
side (in the 乡镇 it covers: crosscheck/coverage.py), or matched with conflicting facts, and how many
ledger persons could not be compared at all because their ID is broken or mistyped (number cell,
malformed, placeholder, wrong check character or birth date: facts.id_certain). A person the
matching pairs with a roster row under another number (G3-502) is not counted "only in the ledger"."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import SOURCE_SEPARATOR, source_text
from ..frame import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET
from ..gates.rule import RuleContext
from ..result import MATRIX_COLUMNS
from .coverage import covered_rows, expected_in_roster
from .departments import absence_can_be_said


def cross_check_matrix(ctx: RuleContext, findings: pd.DataFrame) -> pd.DataFrame:
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
        rows.append({
            "department": department,
            "matched": int(match.exact["roster_row"].nunique()),
            "only_in_ledger": int((expected_in_roster(ctx, department) & covered_rows(ctx, department)
                                   & absence_can_be_said(ctx, department) & ~matched_ledger).sum()),
            "only_in_roster": int((~paired).sum()),
            "conflicting": int(conflicting.sum()),
            "unmatchable": int((ctx.facts.active & ~ctx.facts.id_certain).sum()),
        })
    return pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))
