"""The gates engine: the one boundary between rules and Pandera.

Each gate (G1 … G5) becomes a Pandera `DataFrameSchema` built at run time from schemas/: the G1
code-list checks come from the field definitions (one `Column` check named G1-008 per coded field),
every registered rule becomes a wide check named by its rule ID. Validation is lazy, and Pandera's
failure cases (check name + row index) are turned into the findings frame.

Why a narrow frame: Pandera reports a failing wide check by melting every failing row × every
column of the validated frame. The rules read the full ledger through the RuleContext, so the
schema validates only the row index (`_row`), and the failure-case report stays one row per
failing row instead of 50.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..catalog import GATES, Catalog, RuleSpec
from ..config import AuditConfig
from ..errors import AuditInputError
from ..findings import FINDING_COLUMNS, SOURCE_SEPARATOR, empty_findings, problem_ids, source_text, sort_findings
from ..frame import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, TEXT
from ..identity import mask_id_number, mask_phone

from .facts import Facts
from .rule import RegisteredRule, RuleContext, Violations

NOT_RUN = ("rule_id", "reason")
ROW_KEY = "_row_position"
LEDGER = "台账"
PHONE_PLACEHOLDERS = ("户联系电话", "帮扶责任人联系电话", "联系电话")
# Columns of the validated frame a finding row is built from (besides its message placeholders).
FINDING_FRAME_COLUMNS = ("乡镇", "行政村", "户编号", "姓名", "证件号码", SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)


@dataclass
class GateOutcome:
    findings: pd.DataFrame
    rules_not_run: pd.DataFrame


def build_context(ledger: pd.DataFrame, rosters: dict[str, pd.DataFrame], config: AuditConfig,
                  catalog: Catalog, matches: dict | None = None,
                  previous_ledger: pd.DataFrame | None = None) -> RuleContext:
    """Everything the rules read, from the loaded frames (the ledger is re-indexed 0..n-1)."""
    frame = ledger.reset_index(drop=True)
    return RuleContext(
        ledger=frame, facts=Facts(frame, config), config=config, catalog=catalog,
        rosters=rosters, matches=matches or {},
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
    results: dict[str, Violations] = {}
    failures = _validate(runnable, ctx, results)
    parts = [_findings_for(ctx, ctx.catalog.rules[rule_id], rules[rule_id], results[rule_id], rows)
             for rule_id, rows in failures.items()]
    findings = pd.concat(parts, ignore_index=True) if parts else empty_findings()
    return GateOutcome(sort_findings(findings), pd.DataFrame(not_run, columns=list(NOT_RUN)))


def _why_not_run(registered: RegisteredRule, ctx: RuleContext) -> str | None:
    if registered.rule_id in ctx.config.disabled_rules:
        return "配置中已停用"
    if registered.needs_roster and registered.needs_roster not in ctx.matches:
        return f"未提供{registered.needs_roster}名单"
    if registered.needs_previous_ledger and ctx.previous_ledger is None:
        return "未提供上季度台账（--previous-ledger）"
    missing = [c for c in registered.needs if c not in ctx.ledger.columns]
    return f"缺少列：{'、'.join(missing)}" if missing else None


def _validate(rules: list[RegisteredRule], ctx: RuleContext, results: dict[str, Violations]) -> dict[str, pd.Index]:
    """Validate the narrow frame against one schema per gate; return failing row positions per rule."""
    failures: dict[str, pd.Index] = {}
    crashed: dict[str, Exception] = {}
    for (gate, target), group in _by_gate_and_frame(rules, ctx).items():
        checks = [pa.Check(_check_function(r, ctx, results, crashed), name=r.rule_id) for r in group]
        rows = len(ctx.ledger) if target == LEDGER else len(ctx.matches[target].roster)
        narrow = pd.DataFrame({ROW_KEY: range(rows)})
        schema = pa.DataFrameSchema({ROW_KEY: pa.Column(int)}, checks=checks, name=f"{gate} {GATES[gate]} {target}")
        try:
            schema.validate(narrow, lazy=True)
        except SchemaErrors as errors:
            if crashed:   # Pandera records a crashing check as a failure: re-raise what happened
                rule_id, error = next(iter(crashed.items()))
                if isinstance(error, AuditInputError):   # a county rule's bad condition
                    raise error
                raise RuntimeError(f"rule {rule_id} crashed") from error
            cases = errors.failure_cases
            for rule_id, rows in cases.groupby("check")["index"]:
                failures[str(rule_id)] = pd.Index(sorted(rows.astype(int).unique()))
    return failures


def _by_gate_and_frame(rules: list[RegisteredRule], ctx: RuleContext) -> dict[tuple[str, str], list[RegisteredRule]]:
    """One schema per gate and validated frame: the ledger, or a roster for roster-entity rules."""
    groups: dict[tuple[str, str], list[RegisteredRule]] = {}
    for registered in rules:
        entity = ctx.catalog.rules[registered.rule_id].entity
        target = registered.needs_roster if entity == "roster" else LEDGER
        groups.setdefault((registered.rule_id[:2], target), []).append(registered)
    return groups


def _check_function(registered: RegisteredRule, ctx: RuleContext, results: dict[str, Violations],
                    crashed: dict[str, Exception]):
    def check(frame: pd.DataFrame) -> pd.Series:
        try:
            violations = registered.function(ctx)
        except Exception as error:
            crashed[registered.rule_id] = error
            raise
        undeclared = set(violations.values) - set(registered.values)
        if undeclared:
            crashed[registered.rule_id] = RuntimeError(f"values {sorted(undeclared)} not declared in @rule(values=...)")
            raise crashed[registered.rule_id]
        results[registered.rule_id] = violations
        return ~violations.mask.reindex(frame.index, fill_value=False).astype(bool)
    return check


def _findings_for(ctx: RuleContext, spec: RuleSpec, registered: RegisteredRule, violations: Violations,
                  rows: pd.Index) -> pd.DataFrame:
    """One finding per person (or roster) row, or per household / village with the sources of all
    its rows."""
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
    detail["_message"] = render_message(spec.message, detail, ctx.config.mask)
    if spec.entity in ("household", "village"):
        sources = detail.groupby("_entity", sort=False)["_source"].agg(SOURCE_SEPARATOR.join)
        detail = detail.drop_duplicates("_entity")
        detail["_source"] = detail["_entity"].map(sources)
    return _finding_rows(ctx, spec, detail)


def _entity_keys(ctx: RuleContext, spec: RuleSpec, registered: RegisteredRule, rows: pd.Index,
                 frame: pd.DataFrame) -> pd.Series:
    entity, facts = spec.entity, ctx.facts
    if entity == "roster":
        return registered.needs_roster + "/" + frame["证件号码"].astype(TEXT)
    if entity == "household":
        return facts.household_id.iloc[rows]
    if entity == "village":
        return facts.text("乡镇").iloc[rows] + "/" + facts.text("行政村").iloc[rows]
    person = facts.id18.iloc[rows]
    fallback = facts.household_id.iloc[rows] + "/" + facts.text("姓名").iloc[rows]
    return person.where(person != "", fallback)


def _finding_rows(ctx: RuleContext, spec: RuleSpec, detail: pd.DataFrame) -> pd.DataFrame:
    config = ctx.config
    override = config.severity_overrides.get(spec.rule_id)
    severity = pd.Series(override, index=detail.index) if override else detail["_severity"]
    days = pd.to_numeric(severity.map(config.thresholds.deadline_days), errors="coerce")
    deadline = (pd.Timestamp(config.as_of) + pd.to_timedelta(days, unit="D")).dt.strftime("%Y-%m-%d").fillna("")
    person = spec.entity in ("person", "roster")
    column = lambda name: detail[name] if name in detail.columns else pd.Series("", index=detail.index)  # noqa: E731
    findings = pd.DataFrame({
        "rule_id": spec.rule_id, "gate": spec.gate, "severity": severity, "title": spec.title,
        "unit": spec.unit, "assist_unit": spec.assist_unit,
        "town": column("乡镇"), "village": column("行政村"),
        "household_id": column("户编号") if spec.entity != "village" else "",
        "head_name": ctx.facts.head_name.reindex(detail.index) if spec.entity in ("person", "household") else "",
        "name": column("姓名") if person else "", "id_number": column("证件号码") if person else "",
        "message": detail["_message"], "sources": detail["_source"], "entity_key": detail["_entity"],
        "deadline": deadline, "status": "未整改", "first_seen": config.quarter,
    }, index=detail.index)
    findings["problem_id"] = problem_ids(findings["rule_id"].astype(TEXT), findings["entity_key"].astype(TEXT))
    return findings[list(FINDING_COLUMNS)].astype(TEXT).reset_index(drop=True)


def value_text(values: pd.Series) -> pd.Series:
    """A rule's message value as text, formatted only for the failing rows: dates as YYYY-MM-DD,
    numbers without a trailing .0 and with at most 2 decimals (11503 元, not 11503.0 元), missing
    as ""."""
    if pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.strftime("%Y-%m-%d")
    if pd.api.types.is_float_dtype(values):
        return values.round(2).astype(TEXT).str.replace(r"\.0+$", "", regex=True).fillna("")
    return values.astype(TEXT).fillna("")


def render_message(template: str, detail: pd.DataFrame, mask: bool) -> pd.Series:
    """Fill a message template from columns, vectorised: the template is split once into literal
    text and {placeholders}, and the pieces are concatenated as whole Series."""
    message = pd.Series("", index=detail.index, dtype=TEXT)
    for literal, field, _, _ in string.Formatter().parse(template):
        message = message + literal
        if field is None:
            continue
        value = detail[field].astype(TEXT).fillna("") if field in detail.columns else pd.Series("", index=detail.index, dtype=TEXT)
        if mask and field in ("证件号码", "户主证件号码"):
            value = mask_id_number(value)
        elif mask and field in PHONE_PLACEHOLDERS:
            value = mask_phone(value)
        message = message + value.replace("", "（空）")
    return message
