"""G5 预警审查 (early warning): who should be monitored and is not (应纳未纳), and implausible
incomes. Thresholds come from the config (监测线 of the as-of year, 大额刚性支出), never from code.
G5-002 needs last quarter's ledger and G5-009 the 民政 roster; they live with tracking and the
cross-checks."""

from __future__ import annotations

import pandas as pd

from ..frame import TEXT
from .rule import RuleContext, Violations, rule

SERIOUS_ILLNESS_FACTOR = 1.5
HIGH_INCOME_FACTOR = 3.0
LOW_INCOME_FACTOR = 0.5


def _line(ctx: RuleContext) -> float:
    return ctx.config.monitoring_line


def _line_values(ctx: RuleContext, factor: float = 1.0) -> dict[str, pd.Series]:
    return {"监测线": pd.Series(f"{_line(ctx) * factor:.0f}", index=ctx.ledger.index, dtype=TEXT)}


def _not_monitored(ctx: RuleContext) -> pd.Series:
    return ctx.facts.active & ~ctx.facts.monitored


@rule("G5-001", needs=("人均纯收入（元）", "监测对象类别"), values=("监测线",))
def income_below_line_not_monitored(ctx: RuleContext) -> Violations:
    """人均纯收入 below the 监测线 of the as-of year, and the household is not monitored (or its
    risk is marked eliminated)."""
    below = (ctx.facts.per_capita_income < _line(ctx)).fillna(False)
    unwatched = ~ctx.facts.monitored | ctx.facts.risk_cleared
    return Violations(ctx.facts.active & below & unwatched, _line_values(ctx))


@rule("G5-003", needs=("监测对象类别",), values=("保障问题",))
def security_problem_not_monitored(ctx: RuleContext) -> Violations:
    """Not monitored, and the household lives in a 危房, lacks safe drinking water, has a member
    without basic medical insurance, or has a compulsory-age child out of school (G2-011)."""
    problems = ctx.facts.security_problems
    return Violations(_not_monitored(ctx) & (problems != ""), {"保障问题": problems})


@rule("G5-004", needs=("监测对象类别", "合规自付支出"), values=("大额支出线",))
def large_expense_not_monitored(ctx: RuleContext) -> Violations:
    """Not monitored, and 合规自付支出 ≥ the 大额刚性支出 threshold, or a member 患有大病 while
    人均纯收入 is below 1.5 × 监测线."""
    facts = ctx.facts
    threshold = ctx.config.thresholds.large_expense
    expense = (facts.money("合规自付支出") >= threshold).fillna(False)
    ill = facts.per_household(facts.active & facts.has_code("健康状况", "患有大病"))
    poor = (facts.per_capita_income < SERIOUS_ILLNESS_FACTOR * _line(ctx)).fillna(False)
    return Violations(_not_monitored(ctx) & (expense | (ill & poor)),
                      {"大额支出线": pd.Series(f"{threshold:.0f}", index=ctx.ledger.index, dtype=TEXT)})


@rule("G5-005", needs=("劳动技能", "是否享受农村居民最低生活保障", "是否特困供养人员"))
def no_labour_without_welfare(ctx: RuleContext) -> Violations:
    """Every member is 丧失劳动力/无劳动力 and nobody has 低保 or 特困 (应保尽保)."""
    return Violations(ctx.facts.active & ctx.facts.household_without_labour & ~ctx.facts.household_has_welfare)


@rule("G5-006", needs=("监测对象类别", "人均纯收入（元）"), values=("监测线",))
def monitored_income_too_high(ctx: RuleContext) -> Violations:
    """Monitored as 脱贫不稳定户 or 边缘易致贫户 with 人均纯收入 above 3 × 监测线: either the income or
    the identification is wrong."""
    high = (ctx.facts.per_capita_income > HIGH_INCOME_FACTOR * _line(ctx)).fillna(False)
    category = ctx.facts.text("监测对象类别").isin(["脱贫不稳定户", "边缘易致贫户"])
    return Violations(ctx.facts.active & category & high, _line_values(ctx, HIGH_INCOME_FACTOR))


@rule("G5-007", needs=("人均纯收入（元）",), values=("监测线",))
def income_implausibly_low(ctx: RuleContext) -> Violations:
    """人均纯收入 ≤ 0, or below half the 监测线: the income accounting is suspect."""
    income = ctx.facts.per_capita_income
    low = ((income <= 0) | (income < LOW_INCOME_FACTOR * _line(ctx))).fillna(False)
    return Violations(ctx.facts.active & low, _line_values(ctx, LOW_INCOME_FACTOR))


@rule("G5-008", needs=("乡镇", "行政村", "监测对象类别"), values=("户数",))
def village_without_monitored_household(ctx: RuleContext) -> Violations:
    """A 行政村 with ledger rows but no monitored household at all: worth a look (监测对象为零的村)."""
    facts = ctx.facts
    none = facts.group_count(facts.village_codes, facts.active & facts.monitored) == 0
    return Violations(facts.active & none, {"户数": facts.households_in_group(facts.village_codes)})


def _living_condition(ctx: RuleContext, column: str) -> Violations:
    """A 脱贫户 or monitored household whose `column` is 否."""
    facts = ctx.facts
    return Violations(facts.active & facts.poor_or_monitored & (facts.text(column) == "否"))


@rule("G5-010", needs=("是否通生活用电",))
def no_electricity(ctx: RuleContext) -> Violations:
    """A 脱贫户 or monitored household whose 是否通生活用电 is 否 (from the ledger, or from 户信息
    where the ledger has no such column)."""
    return _living_condition(ctx, "是否通生活用电")


@rule("G5-011", needs=("是否有卫生厕所",))
def no_sanitary_toilet(ctx: RuleContext) -> Violations:
    """A 脱贫户 or monitored household without a usable 卫生厕所 (是否有卫生厕所 or 户信息's
    卫生厕所是否能正常使用 = 否)."""
    return _living_condition(ctx, "是否有卫生厕所")


@rule("G5-012", needs=("入户道路是否硬化",))
def road_not_hardened(ctx: RuleContext) -> Violations:
    """A 脱贫户 or monitored household whose 入户道路是否硬化 is 否."""
    return _living_condition(ctx, "入户道路是否硬化")


@rule("G5-013", needs=("监测对象类别", "合规自付支出", "是否接受医疗救助"), values=("大额支出线",))
def large_expense_without_medical_aid(ctx: RuleContext) -> Violations:
    """A monitored household whose 合规自付支出 is at least the 大额刚性支出 threshold, in which some
    member's 是否接受医疗救助 is 否 and nobody's is 是."""
    facts = ctx.facts
    threshold = ctx.config.thresholds.large_expense
    expense = (facts.money("合规自付支出") >= threshold).fillna(False)
    aid = facts.text("是否接受医疗救助")
    refused = facts.per_household(facts.active & (aid == "否")) & ~facts.per_household(facts.active & (aid == "是"))
    return Violations(facts.active & facts.monitored & expense & refused,
                      {"大额支出线": pd.Series(f"{threshold:.0f}", index=ctx.ledger.index, dtype=TEXT)})
