"""The audit of one county: a pure function of its input frames, the config and the as-of date.

No file is read or written here and nothing depends on the wall clock, so a province that outgrows
one machine can run `audit_county` per county on Spark (`applyInPandas`) or Dask with the same
result; only cross-county checks (an ID in two counties) would need a shuffle.
"""

from __future__ import annotations

import pandas as pd

from .catalog import GATES, Catalog
from .config import AuditConfig
from .crosscheck.coverage import concat_coverage, roster_coverage
from .crosscheck.matching import match_rosters
from .crosscheck.matrix import cross_check_matrix
from .crosscheck.national_tables import fill_from_household_table, table_coverage
from .frame import LoadedTable
from .gates.column_health import broken_columns
from .gates.engine import build_context, run_gates
from .gates.rule import RuleContext
from .findings import check_findings, sort_findings
from .normalise.contract import check_table
from .progress import OnStage, silent
from .result import AuditResult
from .registry import rule_set
from .track.previous import check_previous_belongs
from .track.rectification import carry_forward, tracking_not_run


AUDIT_STAGES = ("比对部门名单", "运行五个关口", "整改台账与交叉比对")  # told to `on_stage`, in this order


def audit_county(ledger: LoadedTable, rosters: dict[str, LoadedTable], config: AuditConfig,
                 catalog: Catalog, previous_ledger: LoadedTable | None = None,
                 previous_rectification: pd.DataFrame | None = None,
                 gates: tuple[str, ...] | None = None, on_stage: OnStage = silent,
                 tables: dict[str, LoadedTable] | None = None) -> AuditResult:
    """Match the rosters, join the national tables, run the quality gates, summarise the
    cross-checks and carry last quarter's 整改台账 forward. `on_stage` is told when each of
    AUDIT_STAGES starts (progress only: the result does not depend on it)."""
    tables = tables or {}
    _check_inputs(ledger, rosters, catalog, previous_ledger, tables)
    on_stage(AUDIT_STAGES[0])
    context = rule_context(ledger.frame, {department: table.frame for department, table in rosters.items()}, config,
                           catalog, previous_ledger.frame if previous_ledger is not None else None,
                           {name: table.frame for name, table in tables.items()})
    frame = context.ledger
    on_stage(AUDIT_STAGES[1])
    outcome = run_gates(context, rule_set(catalog), gates)
    check_findings(outcome.findings, "of the gates")
    on_stage(AUDIT_STAGES[2])
    if previous_rectification is not None:
        check_previous_belongs(previous_rectification, frame, outcome.findings)
    rectification, tracking = carry_forward(previous_rectification, outcome.findings, config, catalog,
                                            ledger_county(frame))
    findings = check_findings(sort_findings(pd.concat([outcome.findings, tracking], ignore_index=True)), "with tracking")
    not_run = pd.DataFrame(tracking_not_run(previous_rectification, config), columns=outcome.rules_not_run.columns)
    if gates is None or "G4" in gates:
        outcome.rules_not_run = pd.concat([outcome.rules_not_run, not_run], ignore_index=True).sort_values("rule_id", kind="stable")
    return AuditResult(
        config=config,
        findings=findings,
        rectification=rectification,
        rules_not_run=outcome.rules_not_run.reset_index(drop=True),
        loads=[ledger.report] + [table.report for table in (*rosters.values(), *tables.values())],
        rule_specs=catalog.rules,
        gates=gates or tuple(GATES),
        cross_check_matrix=cross_check_matrix(context, outcome.findings, outcome.rules_run),
        broken_columns=broken_columns(context),
        households=households_by_town(frame),
        previous_open=open_items(previous_rectification),
        roster_coverage=concat_coverage([roster_coverage(context), table_coverage(context)]),
    )


def rule_context(ledger: pd.DataFrame, rosters: dict[str, pd.DataFrame], config: AuditConfig, catalog: Catalog,
                 previous_ledger: pd.DataFrame | None = None, tables: dict[str, pd.DataFrame] | None = None) -> RuleContext:
    """What the rules read: the ledger, with the 户信息 household columns it lacks, and the
    rosters matched to it once (every frame re-indexed 0..n-1)."""
    tables = {name: frame.reset_index(drop=True) for name, frame in (tables or {}).items()}
    frame = ledger.reset_index(drop=True)
    if "户信息" in tables:
        frame = fill_from_household_table(frame, tables["户信息"], catalog.tables["户信息"])
    rosters = {department: roster.reset_index(drop=True) for department, roster in rosters.items()}
    return build_context(frame, rosters, config, catalog, match_rosters(frame, rosters, catalog.rosters),
                         previous_ledger, tables)


def open_items(rectification: pd.DataFrame | None) -> int | None:
    """How many items of a 整改台账 are not 已销号 (last quarter's problems, for the report's change)."""
    if rectification is None:
        return None
    return int((rectification.get("整改状态", pd.Series("", index=rectification.index)) != "已销号").sum())


def households_by_town(frame: pd.DataFrame) -> pd.Series:
    """Distinct 户编号 per 乡镇 (the denominator of the report's rate per 100 households); empty
    when the ledger lacks either column, since a missing column never stops a run."""
    if not {"乡镇", "户编号"} <= set(frame.columns):
        return pd.Series(dtype="int64")
    households = frame.loc[frame["户编号"].astype(str).str.strip() != "", ["乡镇", "户编号"]].drop_duplicates()
    return households.groupby("乡镇").size().astype("int64")


def ledger_county(frame: pd.DataFrame) -> str:
    """The ledger's 县 (its most common one), "" when it has no 县 column."""
    counties = frame["县"][frame["县"] != ""] if "县" in frame else pd.Series(dtype=str)
    return str(counties.mode().iloc[0]) if not counties.empty else ""


def _check_inputs(ledger: LoadedTable, rosters: dict[str, LoadedTable], catalog: Catalog,
                  previous_ledger: LoadedTable | None, tables: dict[str, LoadedTable]) -> None:
    """The normalise → gates contract on every input frame (a broken one is a bug, exit code 4)."""
    check_table(ledger.frame, catalog.fields, "ledger")
    for name, table in tables.items():
        check_table(table.frame, catalog.tables[name].fields, f"{name} table")
    if previous_ledger is not None:
        check_table(previous_ledger.frame, catalog.fields, "previous ledger")
    for department, table in rosters.items():
        check_table(table.frame, catalog.rosters[department].fields, f"{department} roster")
