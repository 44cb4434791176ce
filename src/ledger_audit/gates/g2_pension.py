"""G2 数据审核, 养老保险: the ledger's two pension columns (是否参加城乡居民基本养老保险,
是否参加城镇职工基本养老保险) against each other and against the person's age and schooling.

As for medical insurance, an empty cell is unknown, not "not insured": a ledger that leaves both
columns empty says nothing, and no rule reads it as uninsured.
"""

from __future__ import annotations

import pandas as pd

from .rule import RuleContext, Violations, rule

RESIDENT_PENSION = "是否参加城乡居民基本养老保险"
EMPLOYEE_PENSION = "是否参加城镇职工基本养老保险"
PENSION_AGE = 16


def pension_insured(ctx: RuleContext) -> pd.Series:
    """Either pension column says 是."""
    return (ctx.facts.text(RESIDENT_PENSION) == "是") | (ctx.facts.text(EMPLOYEE_PENSION) == "是")


def pension_uninsured(ctx: RuleContext) -> pd.Series:
    """Neither pension column says 是 and at least one says 否 (both empty is unknown)."""
    said_no = (ctx.facts.text(RESIDENT_PENSION) == "否") | (ctx.facts.text(EMPLOYEE_PENSION) == "否")
    return said_no & ~pension_insured(ctx)


@rule("G2-020", needs=(RESIDENT_PENSION, EMPLOYEE_PENSION))
def both_pensions(ctx: RuleContext) -> Violations:
    """Both pension columns 是: one person is insured in one basic pension scheme, not two."""
    both = (ctx.facts.text(RESIDENT_PENSION) == "是") & (ctx.facts.text(EMPLOYEE_PENSION) == "是")
    return Violations(ctx.facts.active & both)


@rule("G2-021", needs=("证件号码", RESIDENT_PENSION, EMPLOYEE_PENSION), values=("年龄",))
def adult_without_pension(ctx: RuleContext) -> Violations:
    """A person aged 16 or more, not in school, with neither pension column 是 (and one 否).
    A 提示: joining 城乡居民基本养老保险 is voluntary and a person may be insured where they work, so
    this asks the village to check, it does not say the ledger is wrong."""
    adult = (ctx.facts.age >= PENSION_AGE).fillna(False).astype(bool)
    return Violations(ctx.facts.active & adult & ~ctx.facts.in_school & pension_uninsured(ctx), {"年龄": ctx.facts.age})
