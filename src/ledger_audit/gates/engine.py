"""The gates engine: runs the rule set over one ledger and builds the findings frame.

Cell rules (G1-002, G1-008 … G1-012) are Pandera Column checks generated from schemas/fields.toml,
each named by its rule ID; one lazy validation of the ledger runs them all, and Pandera's failure
cases (rule, column, row, cell) become their findings. Every other rule (household, cross-row,
cross-department, tracking input) is a plain function called directly, each with its own error
handling: a county rule's bad condition is the county's input error, any other exception a bug
naming the rule.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..catalog import Catalog, RuleSpec
from ..config import AuditConfig
from ..errors import AuditInputError
from ..findings import SOURCE_SEPARATOR, empty_findings, finding_rows, source_text, sort_findings
from ..frame import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, TEXT
from ..result import NOT_RUN_COLUMNS

from .facts import Facts
from .messages import listed
from .rule import CellCheck, RegisteredRule, RuleContext, Violations

# Columns of the validated frame a finding row is built from (besides its message placeholders).
FINDING_FRAME_COLUMNS = ("乡镇", "行政村", "户编号", "姓名", "证件号码", SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)


@dataclass
class GateOutcome:
    findings: pd.DataFrame
    rules_not_run: pd.DataFrame
    rules_run: frozenset[str] = frozenset()   # the rules that ran (their findings, if any, are in `findings`)


def build_context(ledger: pd.DataFrame, rosters: dict[str, pd.DataFrame], config: AuditConfig,
                  catalog: Catalog, matches: dict | None = None,
                  previous_ledger: pd.DataFrame | None = None,
                  tables: dict[str, pd.DataFrame] | None = None) -> RuleContext:
    """Everything the rules read, from the loaded frames (the ledger is re-indexed 0..n-1)."""
    frame = ledger.reset_index(drop=True)
    return RuleContext(
        ledger=frame, facts=Facts(frame, config), config=config, catalog=catalog,
        rosters=rosters, matches=matches or {}, tables=tables or {},
        previous_ledger=previous_ledger,
    )


def run_gates(ctx: RuleContext, rules: dict[str, RegisteredRule], gates: tuple[str, ...] | None = None) -> GateOutcome:
    """Run every rule of the rule set (`registry.rule_set`) in the chosen gates (all by default)
    that can run; list the others with why."""
    wanted = [r for r in rules.values() if gates is None or r.rule_id[:2] in gates]
    runnable, not_run = [], []
    for registered in sorted(wanted, key=lambda r: r.rule_id):
        reason = _why_not_run(registered, ctx)
        (not_run.append((registered.rule_id, reason)) if reason else runnable.append(registered))
    results = _cell_rule_results([r for r in runnable if r.cells], ctx)
    results |= {r.rule_id: _called(r, ctx) for r in runnable if not r.cells}
    parts = []
    for rule_id, violations in sorted(results.items()):
        rows = _flagged_rows(ctx, rules[rule_id], violations)
        if len(rows):
            parts.append(_findings_about(ctx, ctx.catalog.rules[rule_id], rules[rule_id], violations, rows))
    findings = (finding_rows(ctx.catalog.rules, ctx.config, pd.concat(parts, ignore_index=True)) if parts
                else empty_findings())
    return GateOutcome(sort_findings(findings), pd.DataFrame(not_run, columns=list(NOT_RUN_COLUMNS)),
                       frozenset(r.rule_id for r in runnable))


class RuleCrashed(RuntimeError):
    """A rule's code raised: a bug (exit code 4), reported with the rule's ID."""


def _why_not_run(registered: RegisteredRule, ctx: RuleContext) -> str | None:
    if registered.rule_id in ctx.config.disabled_rules:
        return "配置中已停用"
    if registered.needs_roster and registered.needs_roster not in ctx.matches:
        return f"未提供{registered.needs_roster}名单"
    absent = [name for name in registered.needs_tables if name not in ctx.tables]
    if absent:
        return f"未提供{'、'.join(absent)}表（--table {absent[0]}=文件）"
    if registered.needs_previous_ledger and ctx.previous_ledger is None:
        return "未提供上季度台账（--previous-ledger）"
    missing = [c for c in registered.needs if not _has_column(ctx, c)]
    return f"缺少列：{'、'.join(missing)}" if missing else None


def _has_column(ctx: RuleContext, need: str) -> bool:
    """A ledger column, or a table's column written 表.列 (已外出务工.就业渠道)."""
    table, dot, column = need.partition(".")
    return column in ctx.tables[table].columns if dot else need in ctx.ledger.columns


def _called(registered: RegisteredRule, ctx: RuleContext) -> Violations:
    """A plain rule's violations; an exception other than a county's bad input names the rule."""
    try:
        violations = registered.function(ctx)
    except AuditInputError:   # a county rule's condition that cannot be computed
        raise
    except Exception as error:
        raise RuleCrashed(f"rule {registered.rule_id} crashed") from error
    undeclared = set(violations.values) - set(registered.values)
    if undeclared:
        raise RuleCrashed(f"rule {registered.rule_id} gives values {sorted(undeclared)} not declared in @rule(values=...)")
    return violations


def _flagged_rows(ctx: RuleContext, registered: RegisteredRule, violations: Violations) -> pd.Index:
    """Positions of the violating rows in the ledger (or in the roster or table the rule is over)."""
    size = len(violations.frame) if violations.frame is not None else len(ctx.ledger)
    mask = violations.mask.reindex(pd.RangeIndex(size), fill_value=False).fillna(False).to_numpy(dtype=bool)
    return pd.Index(np.flatnonzero(mask))


def _cell_rule_results(rules: list[RegisteredRule], ctx: RuleContext) -> dict[str, Violations]:
    """Validate the ledger against one schema of every cell rule's Column checks; each rule's
    failure cases, cell by cell, are its violations."""
    checks: dict[str, list[pa.Check]] = {}
    shown: dict[tuple[str, str], object] = {}
    crashed: dict[str, Exception] = {}
    for registered in rules:
        for column, cell in _called_cells(registered, ctx).items():
            checks.setdefault(column, []).append(pa.Check(_passes(cell, registered.rule_id, crashed), name=registered.rule_id))
            shown[registered.rule_id, column] = cell.shown
    schema = pa.DataFrameSchema({column: pa.Column(checks=c, nullable=True) for column, c in checks.items()},
                                name="G1 采集录入：逐格检查")
    cases = pd.DataFrame({"check": pd.Series(dtype=object), "column": pd.Series(dtype=object),
                          "index": pd.Series(dtype="int64"), "failure_case": pd.Series(dtype=object)})
    try:
        schema.validate(ctx.ledger, lazy=True)   # a shallow copy: validating in place would pin the schema to the ledger until exit
    except SchemaErrors as errors:
        if crashed:   # Pandera records a crashing check as a failure: raise what happened instead
            rule_id, error = next(iter(crashed.items()))
            raise RuleCrashed(f"rule {rule_id} crashed") from error
        cases = errors.failure_cases
    by_rule = {rule_id: group for rule_id, group in cases.groupby("check")}
    return {r.rule_id: _cell_violations(ctx, r, by_rule.get(r.rule_id, cases.iloc[:0]), shown) for r in rules}


def _called_cells(registered: RegisteredRule, ctx: RuleContext) -> dict[str, CellCheck]:
    try:
        return registered.function(ctx)
    except Exception as error:
        raise RuleCrashed(f"rule {registered.rule_id} crashed") from error


def _passes(cell: CellCheck, rule_id: str, crashed: dict[str, Exception]):
    def check(column: pd.Series) -> pd.Series:
        try:
            return ~cell.wrong(column).astype(bool)
        except Exception as error:
            crashed[rule_id] = error
            raise
    return check


def _cell_violations(ctx: RuleContext, registered: RegisteredRule, cases: pd.DataFrame,
                     shown: dict[tuple[str, str], object]) -> Violations:
    """A cell rule's failure cases as violations: per row, the wrong cells named (字段「值」、…), or
    the one column's value."""
    index = ctx.ledger.index
    parts = {}
    for column in [c for rule_id, c in shown if rule_id == registered.rule_id]:
        failing = cases[cases["column"] == column]
        rows = failing["index"].astype("int64").to_numpy()
        quoted = shown[registered.rule_id, column](pd.Series(failing["failure_case"].astype(TEXT).to_numpy(), dtype=TEXT))
        parts[column] = (pd.Series(index.isin(rows), index=index),
                         pd.Series(quoted.to_numpy(), index=rows, dtype=TEXT).reindex(index, fill_value=""))
    if registered.listed:
        text = listed(parts, index)
        return Violations(text != "", {registered.values[0]: text})
    mask, quoted = next(iter(parts.values())) if parts else (pd.Series(False, index=index), None)
    return Violations(mask, {registered.values[0]: quoted} if registered.values else {})


def _findings_about(ctx: RuleContext, spec: RuleSpec, registered: RegisteredRule, violations: Violations,
                    rows: pd.Index) -> pd.DataFrame:
    """What one rule's findings are about (findings.finding_rows's `about`): one per person (or
    roster) row, or per household / village with the sources of all its rows."""
    frame = violations.frame if violations.frame is not None else ctx.ledger
    wanted = {*FINDING_FRAME_COLUMNS, *(f for _, f, _, _ in string.Formatter().parse(spec.message) if f)}
    ledger = frame[[c for c in frame.columns if c in wanted]].iloc[rows]   # only what findings show
    values = pd.DataFrame({k: value_text(v.iloc[rows]) for k, v in violations.values.items()}, index=ledger.index)
    detail = pd.concat([ledger, values.drop(columns=[c for c in values.columns if c in ledger.columns])], axis=1)
    detail["_source"] = source_text(ledger[SOURCE_FILE], ledger[SOURCE_SHEET], ledger[SOURCE_ROW])
    if violations.extra_sources is not None:
        extra = violations.extra_sources.iloc[rows]
        detail["_source"] = detail["_source"].where(extra == "", detail["_source"] + SOURCE_SEPARATOR + extra)
    detail["_entity"] = _entity_keys(ctx, spec, registered, rows, ledger)
    if spec.entity in ("person", "roster"):   # one ID on several rows (G3-001, G1-013): keep IDs unique
        repeat = detail.groupby("_entity").cumcount()
        detail["_entity"] = detail["_entity"].where(repeat == 0, detail["_entity"] + "#" + (repeat + 1).astype(str))
    detail["_severity"] = (violations.severity.iloc[rows] if violations.severity is not None
                           else pd.Series(spec.severity, index=ledger.index))
    detail["_message"] = render_message(spec.message, detail)
    if spec.entity in ("household", "village"):
        sources = detail.groupby("_entity", sort=False)["_source"].agg(SOURCE_SEPARATOR.join)
        detail = detail.drop_duplicates("_entity")
        detail["_source"] = detail["_entity"].map(sources)
    return _about(ctx, spec, detail)


def _entity_keys(ctx: RuleContext, spec: RuleSpec, registered: RegisteredRule, rows: pd.Index,
                 frame: pd.DataFrame) -> pd.Series:
    entity, facts = spec.entity, ctx.facts
    if entity == "roster":
        return (registered.needs_roster or registered.needs_tables[0]) + "/" + frame["证件号码"].astype(TEXT)
    if entity == "household":
        return facts.household_id.iloc[rows]
    if entity == "village":   # the rows' own 乡镇/行政村: ledger rows, or a 行政村信息 row
        place = lambda name: frame[name].astype(TEXT) if name in frame.columns else pd.Series("", index=frame.index, dtype=TEXT)  # noqa: E731
        return place("乡镇") + "/" + place("行政村")
    person = facts.id18.iloc[rows]
    fallback = facts.household_id.iloc[rows] + "/" + facts.text("姓名").iloc[rows]
    return person.where(person != "", fallback)


def _about(ctx: RuleContext, spec: RuleSpec, detail: pd.DataFrame) -> pd.DataFrame:
    person = spec.entity in ("person", "roster")
    column = lambda name: detail[name] if name in detail.columns else pd.Series("", index=detail.index)  # noqa: E731
    return pd.DataFrame({
        "town": column("乡镇"), "village": column("行政村"),
        "household_id": column("户编号") if spec.entity != "village" else "",
        "head_name": ctx.facts.head_name.reindex(detail.index) if spec.entity in ("person", "household") else "",
        "name": column("姓名") if person else "", "id_number": column("证件号码") if person else "",
        "message": detail["_message"], "sources": detail["_source"], "entity_key": detail["_entity"],
        "rule_id": spec.rule_id, "severity": detail["_severity"],
    }, index=detail.index)


def value_text(values: pd.Series) -> pd.Series:
    """A rule's message value as text, formatted only for the failing rows: dates as YYYY-MM-DD,
    numbers without a trailing .0 and with at most 2 decimals (11503 元, not 11503.0 元), missing
    as ""."""
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.strftime("%Y-%m-%d")
    if pd.api.types.is_float_dtype(values):
        return values.round(2).astype(TEXT).str.replace(r"\.0+$", "", regex=True).fillna("")
    return values.astype(TEXT).fillna("")


def render_message(template: str, detail: pd.DataFrame) -> pd.Series:
    """Fill a message template from columns, vectorised: the template is split once into literal
    text and {placeholders}, and the pieces are concatenated as whole Series. IDs and phones stay
    whole: they are masked where people read them (report/redact.py)."""
    message = pd.Series("", index=detail.index, dtype=TEXT)
    for literal, field, _, _ in string.Formatter().parse(template):
        message = message + literal
        if field is None:
            continue
        value = detail[field].astype(TEXT).fillna("") if field in detail.columns else pd.Series("", index=detail.index, dtype=TEXT)
        message = message + value.replace("", "（空）")
    return message
