"""One finding is one row of one DataFrame with these fixed columns (outputs.md).

The gates engine and tracking build these rows; reports, tracking and JSON read only this frame. Severity is kept in Chinese (错误/警告/提示); JSON maps it to
English. `id_number` is unmasked here: masking happens when something is written for a person.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pandas as pd

from .catalog import RuleSpec
from .config import AuditConfig
from .frame import TEXT

FINDING_COLUMNS = (
    "problem_id",    # stable across quarters: rule ID + entity key (see problem_ids)
    "rule_id",
    "gate",          # G1 … G5
    "severity",      # 错误 / 警告 / 提示
    "title",         # 问题名称
    "unit",          # 责任单位
    "assist_unit",   # 配合单位 ("" when none)
    "town",          # 乡镇
    "village",       # 行政村
    "household_id",  # 户编号
    "head_name",     # 户主姓名
    "name",          # 姓名 of the person the finding is about ("" for household/village findings)
    "id_number",     # 证件号码, unmasked
    "message",       # 问题描述, quoting the offending values
    "sources",       # "file:sheet:row" of every row involved, joined by SOURCE_SEPARATOR
    "entity_key",    # what problem_id is derived from: ID number, 户编号, 乡镇/行政村, 部门/证件号码
    "deadline",      # 整改时限 as YYYY-MM-DD ("" for 提示)
    "status",        # 整改状态: 未整改 for a new problem; tracking carries it across quarters
    "first_seen",    # 首次发现季度, e.g. 2022Q2
)
SOURCE_SEPARATOR = "；"
SEVERITY_ORDER = {"错误": 0, "警告": 1, "提示": 2}


class FindingsBroken(RuntimeError):
    """A findings frame that breaks its contract: a bug in a rule or in tracking (exit code 4)."""


def findings_schema():
    """The findings contract: exactly FINDING_COLUMNS in order, all text and never missing, a known
    gate and severity, one row per problem_id."""
    import pandera.pandas as pa   # costs a second to import: only a run needs it

    from .catalog import GATES, SEVERITIES

    columns = {column: pa.Column(TEXT, nullable=False) for column in FINDING_COLUMNS}
    columns["problem_id"] = pa.Column(TEXT, nullable=False, unique=True)
    columns["gate"] = pa.Column(TEXT, pa.Check.isin(list(GATES)), nullable=False)
    columns["severity"] = pa.Column(TEXT, pa.Check.isin(list(SEVERITIES)), nullable=False)
    same_gate = pa.Check(lambda f: f["rule_id"].str.slice(0, 2) == f["gate"], name="rule_id 属于 gate")
    return pa.DataFrameSchema(columns, checks=[same_gate], strict=True, ordered=True, name="findings")


def check_findings(findings: pd.DataFrame, stage: str) -> pd.DataFrame:
    """The findings unchanged, or FindingsBroken naming what is wrong (stage: where it was checked)."""
    from pandera.errors import SchemaErrors

    try:
        findings_schema().validate(findings, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases.head(20)
        raise FindingsBroken(f"findings {stage} break the contract: "
                             + "; ".join(f"{c}: {k} {v}" for c, k, v in zip(cases["column"], cases["check"], cases["failure_case"]))) from None
    return findings


def finding_rows(specs: Mapping[str, RuleSpec], config: AuditConfig, about: pd.DataFrame) -> pd.DataFrame:
    """The one builder of finding rows, for the gates and for tracking alike, for any number of
    rules at once (the gates build all their findings in one call: per-rule frame building was a
    fixed cost of every rule). `about` gives each finding's rule_id and what it is about (town …
    id_number, message, sources, entity_key; unit and assist_unit when they are not the rule's;
    severity when the rule sets one per row); `specs` holds at least those rules. The rules'
    metadata, the severity (the config's override first, then the per-row one, then the rule's),
    the deadline it implies, status, first_seen and problem_id are added here."""
    rule = about["rule_id"].astype(object)   # maps to object values (an Arrow map of no match is float)
    meta = {r: specs[r] for r in rule.unique()}
    of_rule = lambda attribute: rule.map({r: getattr(spec, attribute) for r, spec in meta.items()})  # noqa: E731
    severity = of_rule("severity")
    if "severity" in about:
        severity = about["severity"].astype(object).where(about["severity"].notna(), severity)
    overridden = rule.isin(list(config.severity_overrides))
    if overridden.any():
        severity = severity.where(~overridden, rule.map(config.severity_overrides))
    deadlines = {level: _deadline(config, level) for level in severity.unique()}
    rows = pd.DataFrame({"rule_id": rule, "gate": of_rule("gate"), "severity": severity, "title": of_rule("title"),
                         "unit": of_rule("unit"), "assist_unit": of_rule("assist_unit"),
                         "deadline": severity.map(deadlines), "status": "未整改", "first_seen": config.quarter},
                        index=about.index)
    about = about.drop(columns=["rule_id", "severity"], errors="ignore")   # settled above
    rows = pd.concat([rows.drop(columns=[c for c in about.columns if c in rows.columns]), about], axis=1)
    for column in FINDING_COLUMNS:
        if column not in rows.columns:
            rows[column] = ""
    rows["problem_id"] = problem_ids(rows["rule_id"].astype(TEXT), rows["entity_key"].astype(TEXT))
    return rows[list(FINDING_COLUMNS)].astype(TEXT).reset_index(drop=True)


def _deadline(config: AuditConfig, severity: str) -> str:
    """整改时限 for a severity: the as-of date plus its [thresholds] deadline_days ("" when none)."""
    days = config.thresholds.deadline_days.get(severity)
    return "" if days is None else (pd.Timestamp(config.as_of) + pd.Timedelta(days=days)).strftime("%Y-%m-%d")


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=TEXT) for column in FINDING_COLUMNS})


def problem_ids(rule_ids: pd.Series, entity_keys: pd.Series) -> pd.Series:
    """problem_id = rule ID + 10 hex characters of SHA-1 over "rule|entity key".

    Independent of row numbers, order and time, so next quarter's file gives the same problem the
    same ID. hashlib (not pandas' hash) keeps IDs stable across library versions; it runs once per
    finding, not per ledger row.
    """
    digests = [hashlib.sha1(f"{r}|{k}".encode()).hexdigest()[:10] for r, k in zip(rule_ids, entity_keys)]
    return rule_ids.str.cat(pd.Series(digests, index=rule_ids.index, dtype=TEXT), sep="-")


def source_text(file: pd.Series, sheet: pd.Series, row: pd.Series) -> pd.Series:
    """file:sheet:row for each row (sheet is empty for CSV, giving file::row)."""
    return file.astype(TEXT) + ":" + sheet.astype(TEXT) + ":" + row.astype(TEXT)


def parse_sources(text: str) -> list[dict]:
    """The inverse of the 来源 text, for JSON: [{"file", "sheet", "row"}]. Excel forbids ':' in
    sheet names, so splitting from the right is safe even for file names with colons."""
    sources = []
    for part in filter(None, text.split(SOURCE_SEPARATOR)):
        file, sheet, row = part.rsplit(":", 2)
        sources.append({"file": file, "sheet": sheet, "row": int(row)})
    return sources


def sort_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The one canonical order (rule, town, village, household, source), so that the same inputs
    give byte-identical outputs."""
    ordered = findings.sort_values(
        ["rule_id", "town", "village", "household_id", "id_number", "sources", "problem_id"], kind="stable")
    return ordered.reset_index(drop=True)
