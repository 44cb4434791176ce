"""What one audit produces: the input of every report writer and of tracking."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .catalog import RuleSpec
from .config import AuditConfig
from .frame import LoadReport

NOT_RUN_COLUMNS = ("rule_id", "reason")            # rules not run, with the reason in Chinese
# One row per roster given, then one per national table given (department = the roster's or table's
# name, label = how a user reads it); counts are nullable integers, <NA> where a count does not apply
# or the rule it comes from did not run; note says what a table's counts are.
MATRIX_COLUMNS = ("department", "label", "matched", "only_in_ledger", "only_in_roster", "conflicting", "unmatchable",
                  "note")
MATRIX_COUNTS = ("matched", "only_in_ledger", "only_in_roster", "conflicting", "unmatchable")
MATRIX_HEADERS = {"label": "比对对象", "matched": "匹配", "only_in_ledger": "仅台账有", "only_in_roster": "仅名单（表）有",
                  "conflicting": "信息冲突", "unmatchable": "无法比对", "note": "说明"}


@dataclass
class AuditResult:
    config: AuditConfig
    findings: pd.DataFrame                 # findings.FINDING_COLUMNS, sorted by findings.sort_findings
    rules_not_run: pd.DataFrame            # NOT_RUN_COLUMNS
    loads: list[LoadReport]                # the ledger first, then each roster given
    rule_specs: dict[str, RuleSpec] = field(default_factory=dict)   # the catalogue the run used
    gates: tuple[str, ...] = ("G1", "G2", "G3", "G4", "G5")          # the gates that ran
    cross_check_matrix: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MATRIX_COLUMNS))
    roster_coverage: pd.DataFrame | None = None   # crosscheck.coverage.COVERAGE_COLUMNS, by roster or table group × 乡镇
    rectification: pd.DataFrame | None = None   # the new 整改台账 (track/), None until tracking ran
    history: pd.DataFrame | None = None         # per-quarter counts from the run history, if any
    broken_columns: list[str] = field(default_factory=list)   # whole-column problems, said first in every report
    households: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))  # 乡镇 → households in the ledger
    previous_open: int | None = None            # items not yet 已销号 in last quarter's 整改台账; None without one
