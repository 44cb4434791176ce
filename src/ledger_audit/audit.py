"""The audit of one county: a pure function of its input frames, the config and the as-of date.

No file is read or written here and nothing depends on the wall clock, so a province that outgrows
one machine can run `audit_county` per county on Spark (`applyInPandas`) or Dask with the same
result; only cross-county checks (an ID in two counties) would need a shuffle.
"""

from __future__ import annotations

from .catalog import Catalog
from .config import AuditConfig
from .frame import LoadedTable
from .gates.engine import build_context, run_gates
from .result import AuditResult


def audit_county(ledger: LoadedTable, rosters: dict[str, LoadedTable], config: AuditConfig,
                 catalog: Catalog, previous_ledger: LoadedTable | None = None,
                 gates: tuple[str, ...] | None = None) -> AuditResult:
    """Run the quality gates over loaded inputs."""
    context = build_context(ledger, rosters, config, catalog, previous_ledger)
    outcome = run_gates(context, gates)
    return AuditResult(
        config=config,
        findings=outcome.findings,
        rules_not_run=outcome.rules_not_run,
        loads=[ledger.report] + [table.report for table in rosters.values()],
        rule_specs=catalog.rules,
    )
