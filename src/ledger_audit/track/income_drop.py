"""G5-002: a household's 人均纯收入 fell sharply against last quarter's ledger (--previous-ledger)."""

from __future__ import annotations

import pandas as pd

from ..gates.rule import RuleContext, Violations, rule


@rule("G5-002", needs=("户编号", "人均纯收入（元）"), values=("上期人均纯收入", "降幅"), previous_ledger=True)
def income_fell_sharply(ctx: RuleContext) -> Violations:
    """人均纯收入 fell by more than 30 % (configurable) against the same household (户编号) in the
    previous quarter's ledger. A sharp drop is a risk signal even above the 监测线."""
    previous = ctx.previous_ledger
    before = pd.to_numeric(previous.drop_duplicates("户编号").set_index("户编号")["人均纯收入（元）"], errors="coerce") \
        if "人均纯收入（元）" in previous else pd.Series(dtype="float64")
    last = ctx.facts.household_id.map(before).astype("float64")
    now = ctx.facts.per_capita_income
    drop = (last - now) / last
    fell = ctx.facts.active & (last > 0) & (drop > ctx.config.thresholds.income_drop).fillna(False)
    # Numbers, not text: the engine writes 44000.0 as 44000, as in every other message.
    return Violations(fell, {"上期人均纯收入": last, "降幅": (drop * 100).round(0)})
