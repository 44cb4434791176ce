"""Cross-department rules on the 人社 roster (G3-7xx: pension insurance and employment) and the
残联 roster (G3-8xx: disability certificates), through the tier-1 (exact ID) matches of
crosscheck/matching.py. A 残联 row without 证件号码 is matched on the first 18 characters of its
残疾人证号 (schemas/rosters.toml `id_from`).

Each rule declares its roster; without it the rule is listed as not run, never as passed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frame import ID_STORED_AS_NUMBER, TEXT
from ..gates.g2_pension import EMPLOYEE_PENSION, RESIDENT_PENSION, pension_insured, pension_uninsured
from ..gates.rule import RuleContext, Violations, rule
from .coverage import covered_rows
from .departments import absence_can_be_said, comparable, roster_sources

PENSION_LOST = ("未参保", "终止")
PENSION_PAID = "正常参保"
VALID_CERTIFICATE = "有效"


def _values(ctx: RuleContext, department: str, column: str) -> pd.Series:
    return ctx.matches[department].roster_values(column, ctx.ledger.index)


def _found(ctx: RuleContext, department: str, mask: pd.Series, values: dict[str, pd.Series]) -> Violations:
    """Findings on the masked comparable rows, naming their roster rows as sources too."""
    match = ctx.matches[department]
    mask = comparable(ctx) & mask
    return Violations(mask, values, extra_sources=roster_sources(match, match.exact, mask))


@rule("G3-701", needs=("证件号码", RESIDENT_PENSION, EMPLOYEE_PENSION), values=("人社参保状态",), roster="人社")
def pension_lost_per_renshe(ctx: RuleContext) -> Violations:
    """The ledger marks the person pension-insured, while 人社 shows 未参保 or 终止."""
    status = _values(ctx, "人社", "养老保险参保状态")
    return _found(ctx, "人社", pension_insured(ctx) & status.isin(PENSION_LOST), {"人社参保状态": status})


@rule("G3-702", needs=("证件号码", RESIDENT_PENSION, EMPLOYEE_PENSION), values=("人社参保状态",), roster="人社")
def ledger_pension_wrong(ctx: RuleContext) -> Violations:
    """The ledger says the person has no pension insurance (neither column 是, one 否), while 人社
    shows 正常参保."""
    status = _values(ctx, "人社", "养老保险参保状态")
    return _found(ctx, "人社", pension_uninsured(ctx) & (status == PENSION_PAID), {"人社参保状态": status})


@rule("G3-703", needs=("证件号码", "务工时间（月）"), values=("人社就业状态", "务工月数下限"), roster="人社")
def unemployed_per_renshe_but_working(ctx: RuleContext) -> Violations:
    """人社 shows 未就业 while the ledger's 务工时间（月） is at least thresholds.employed_months
    (6 by default)."""
    status = _values(ctx, "人社", "就业状态")
    least = ctx.config.thresholds.employed_months
    working = (ctx.facts.money("务工时间（月）") >= least).fillna(False).astype(bool)
    return _found(ctx, "人社", working & (status == "未就业"),
                  {"人社就业状态": status, "务工月数下限": pd.Series(least, index=ctx.ledger.index)})


def _from_number_cells(ctx: RuleContext, department: str) -> pd.Series:
    """Per ledger row: whether a roster row it matched had an ID cell stored as a number."""
    match = ctx.matches[department]
    flagged = np.zeros(len(ctx.ledger), dtype=bool)
    if ID_STORED_AS_NUMBER in match.roster:
        numbers = match.roster[ID_STORED_AS_NUMBER].to_numpy(dtype=bool)
        flagged[match.exact["ledger_row"].to_numpy()[numbers[match.exact["roster_row"].to_numpy()]]] = True
    return pd.Series(flagged, index=ctx.ledger.index)


def _certificate(ctx: RuleContext) -> tuple[pd.Series, pd.Series]:
    """Per ledger row: 残联's 持证状态 and 残疾人证号 of its matched row ("" if none)."""
    return _values(ctx, "残联", "持证状态"), _values(ctx, "残联", "残疾人证号")


def _disabled(ctx: RuleContext) -> pd.Series:
    return ctx.facts.has_code("健康状况", "残疾")


def _health_known(ctx: RuleContext) -> pd.Series:
    """健康状况 filled: an empty one is G1-001's finding, not a second one here."""
    return ctx.facts.text("健康状况") != ""


@rule("G3-801", needs=("证件号码", "健康状况"), values=("残疾类别", "残疾等级"), roster="残联")
def certificate_but_not_disabled(ctx: RuleContext) -> Violations:
    """残联 lists a valid (有效) certificate for the person, while the ledger's 健康状况 lacks 残疾.
    An empty 持证状态 counts as 有效: a list of certificate holders lists valid ones."""
    status, number = _certificate(ctx)
    valid = (number != "") & status.isin(["", VALID_CERTIFICATE])
    return _found(ctx, "残联", valid & _health_known(ctx) & ~_disabled(ctx),
                  {"残疾类别": _values(ctx, "残联", "残疾类别"), "残疾等级": _values(ctx, "残联", "残疾等级")})


@rule("G3-802", needs=("证件号码", "健康状况"), values=("残联持证情况",), roster="残联")
def disabled_without_certificate(ctx: RuleContext) -> Violations:
    """The ledger's 健康状况 includes 残疾, while 残联 has no valid certificate for the person: a
    注销 one, or no row at all (in a 乡镇 the 残联 roster covers). A 警告: a person may be
    disabled without having applied for a certificate."""
    status, number = _certificate(ctx)
    valid = (number != "") & status.isin(["", VALID_CERTIFICATE])
    listed = number != ""
    shown = status.where(~listed | (status != ""), VALID_CERTIFICATE).where(listed, "无持证记录")
    missing = ~valid & (listed | (covered_rows(ctx, "残联") & absence_can_be_said(ctx, "残联")))
    return _found(ctx, "残联", _disabled(ctx) & missing, {"残联持证情况": shown.astype(TEXT)})


@rule("G3-803", needs=("证件号码", "证件类型"), values=("台账证号后缀", "残联证号后缀"), roster="残联")
def certificate_number_differs(ctx: RuleContext) -> Violations:
    """证件类型 = 残疾人证, so the ledger's 证件号码 is the certificate number, and it differs from
    the 残疾人证号 of the 残联 row with the same ID (first 18 characters). The messages quote the
    characters after the ID only: the ID itself is the same on both sides and is masked elsewhere.
    A 残疾人证号 that 残联's file holds in a number cell has lost its last digits: not compared."""
    _, number = _certificate(ctx)
    number = number.where(~_from_number_cells(ctx, "残联"), "")
    typed = ctx.facts.text("证件号码").str.strip().str.upper()
    differs = (ctx.facts.text("证件类型") == "残疾人证") & (number != "") & (number.str.upper() != typed)
    suffix = lambda numbers: numbers.str.slice(18).replace("", "（无）")  # noqa: E731
    return _found(ctx, "残联", differs, {"台账证号后缀": suffix(typed), "残联证号后缀": suffix(number.str.upper())})
