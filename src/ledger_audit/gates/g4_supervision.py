"""G4 督查指导 (supervision): is the monitoring and assistance process carried out as required?

All are household rules: they mark the active member rows of the household, and the engine
reports one finding per household. G4-011/G4-012 (overdue and recurring problems) come from
quarter-over-quarter tracking, not from a single ledger.
"""

from __future__ import annotations

import pandas as pd

from ..frame import TEXT
from .messages import listed
from .rule import RuleContext, Violations, rule

# 缺什么补什么: a risk and the measures any one of which answers it (rules.md G4-003).
MEASURES_FOR_RISK = {
    "因病": ("健康帮扶", "综合保障", "社会帮扶"),
    "因学": ("义务教育保障", "教育帮扶"),
    "因残": ("综合保障", "社会帮扶", "健康帮扶"),
    "因安全住房": ("住房安全保障", "搬迁"),
    "因安全饮水": ("饮水安全保障",),
    "因务工就业不稳": ("就业帮扶", "公益岗位帮扶"),
    "因产业项目失败": ("产业帮扶", "金融帮扶"),
}
DEVELOPMENT_MEASURES = ("产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶")
LABOURERS = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")


def _any_code(ctx: RuleContext, column: str, codes) -> pd.Series:
    result = pd.Series(False, index=ctx.ledger.index)
    for code in codes:
        result |= ctx.facts.has_code(column, code)
    return result


def _open_monitored(ctx: RuleContext) -> pd.Series:
    return ctx.facts.active & ctx.facts.monitored & ~ctx.facts.risk_cleared


@rule("G4-001", needs=("监测对象类别", "帮扶责任人"))
def no_assistance_cadre(ctx: RuleContext) -> Violations:
    """A monitored household whose risk is not eliminated has no 帮扶责任人."""
    return Violations(_open_monitored(ctx) & (ctx.facts.text("帮扶责任人") == ""))


@rule("G4-002", needs=("监测对象类别", "帮扶措施"))
def no_assistance_measures(ctx: RuleContext) -> Violations:
    """A monitored household has no 帮扶措施 at all."""
    return Violations(ctx.facts.active & ctx.facts.monitored & (ctx.facts.text("帮扶措施") == ""))


@rule("G4-003", needs=("监测对象类别", "致贫/返贫风险", "帮扶措施"), values=("未对应风险",))
def measures_do_not_answer_risks(ctx: RuleContext) -> Violations:
    """A risk without a measure that answers it (缺什么补什么): 因病 without 健康帮扶/综合保障/社会帮扶;
    因学 without 义务教育保障/教育帮扶; 因残 without 综合保障/社会帮扶/健康帮扶; 因安全住房 without
    住房安全保障/搬迁; 因安全饮水 without 饮水安全保障; 因务工就业不稳 without 就业帮扶/公益岗位帮扶;
    因产业项目失败 without 产业帮扶/金融帮扶. Households without any measure are G4-002."""
    has_measures = ctx.facts.text("帮扶措施") != ""
    unanswered = {risk: (ctx.facts.has_code("致贫/返贫风险", risk) & ~_any_code(ctx, "帮扶措施", measures), None)
                  for risk, measures in MEASURES_FOR_RISK.items()}
    detail = listed(unanswered, ctx.ledger.index)
    return Violations(ctx.facts.active & ctx.facts.monitored & has_measures & (detail != ""), {"未对应风险": detail})


@rule("G4-004", needs=("监测对象类别", "帮扶措施", "劳动技能", "识别监测时间"))
def no_development_assistance(ctx: RuleContext) -> Violations:
    """A monitored household, risk not eliminated, with a 普通/技能/弱 labourer, identified at least
    6 months before the as-of date, has none of 产业/就业/金融/公益岗位帮扶 (开发式帮扶)."""
    facts = ctx.facts
    labourer = facts.per_household(facts.active & facts.text("劳动技能").isin(LABOURERS))
    months = ctx.config.thresholds.min_months_to_clear
    long_ago = (facts.date("识别监测时间") <= pd.Timestamp(ctx.config.as_of) - pd.DateOffset(months=months)).fillna(False)
    lacking = ~_any_code(ctx, "帮扶措施", DEVELOPMENT_MEASURES)
    return Violations(_open_monitored(ctx) & labourer & long_ago & lacking)


@rule("G4-005", needs=("风险是否已消除", "劳动技能"))
def no_labour_household_marked_cleared(ctx: RuleContext) -> Violations:
    """Every member is 丧失劳动力/无劳动力 and 风险是否已消除 = 是: such households keep their social
    protection and are not marked 风险消除."""
    return Violations(ctx.facts.active & ctx.facts.risk_cleared & ctx.facts.household_without_labour)


@rule("G4-006", needs=("识别监测时间", "消除监测时间"), values=("最短月数",))
def risk_cleared_too_soon(ctx: RuleContext) -> Violations:
    """消除监测时间 less than 6 months (configurable) after 识别监测时间: income must be stable for at
    least half a year before the risk counts as eliminated."""
    facts = ctx.facts
    months = ctx.config.thresholds.min_months_to_clear
    identified, cleared = facts.date("识别监测时间"), facts.date("消除监测时间")
    too_soon = (cleared < identified + pd.DateOffset(months=months)) & (cleared >= identified)
    return Violations(facts.active & too_soon.fillna(False), {"最短月数": pd.Series(str(months), index=ctx.ledger.index)})


@rule("G4-007", needs=("风险消除方式", "人均纯收入（元）"), values=("监测线",))
def assisted_clearance_below_line(ctx: RuleContext) -> Violations:
    """风险消除方式 = 帮扶消除 while 人均纯收入 is below the 监测线 of the as-of year."""
    line = ctx.config.monitoring_line
    below = (ctx.facts.per_capita_income < line).fillna(False)
    return Violations(ctx.facts.active & (ctx.facts.text("风险消除方式") == "帮扶消除") & below,
                      {"监测线": pd.Series(f"{line:.0f}", index=ctx.ledger.index)})


@rule("G4-008", needs=("风险是否已消除",), values=("保障问题",))
def cleared_household_with_security_problem(ctx: RuleContext) -> Violations:
    """风险是否已消除 = 是, yet the household has a 保障 problem: 危房, unsafe drinking water, a member
    without basic medical insurance, or a compulsory-age child out of school (G2-011)."""
    problems = ctx.facts.security_problems
    return Violations(ctx.facts.active & ctx.facts.risk_cleared & (problems != ""), {"保障问题": problems})


@rule("G4-009", needs=("风险是否已消除",))
def special_household_cleared(ctx: RuleContext) -> Violations:
    """A household with a 低保, 特困 or 残疾 member is marked 风险已消除: such 特殊监测户 leave
    monitoring slowly (缓退)."""
    facts = ctx.facts
    disabled = facts.per_household(facts.active & facts.has_code("健康状况", "残疾"))
    return Violations(facts.active & facts.monitored & facts.risk_cleared & (ctx.facts.household_has_welfare | disabled))


@rule("G4-010", needs=("监测对象类别", "帮扶措施", "是否享受农村居民最低生活保障", "是否特困供养人员"), values=("不符情况",))
def social_protection_mismatch(ctx: RuleContext) -> Violations:
    """A monitored household with a member enjoying 低保/特困 whose 帮扶措施 lacks 综合保障, or with
    综合保障 but no 低保/特困 member."""
    facts = ctx.facts
    social = facts.has_code("帮扶措施", "综合保障")
    welfare = ctx.facts.household_has_welfare
    has_measures = facts.text("帮扶措施") != ""
    mismatch = (welfare & ~social & has_measures) | (social & ~welfare)
    detail = pd.Series("", index=ctx.ledger.index, dtype=TEXT).mask(welfare & ~social, "有低保/特困成员但帮扶措施无综合保障") \
        .mask(social & ~welfare, "帮扶措施含综合保障但无低保/特困成员")
    return Violations(facts.active & facts.monitored & mismatch, {"不符情况": detail})


AFTER_CLEARING = {"风险消除后是否住房损毁": "住房损毁", "风险消除后是否饮水设施损毁": "饮水设施损毁",
                  "风险消除后是否义务教育阶段适龄儿童少年失学辍学": "义务教育阶段适龄儿童少年失学辍学"}


@rule("G4-013", needs=("风险是否已消除", *AFTER_CLEARING), values=("返险情况",))
def risk_back_after_clearing(ctx: RuleContext) -> Violations:
    """风险是否已消除 = 是, and a 风险消除后 check (住房损毁, 饮水设施损毁, 失学辍学) is 是: the risk
    has come back and the household must be monitored again."""
    facts = ctx.facts
    back = listed({label: (facts.text(column) == "是", None) for column, label in AFTER_CLEARING.items()}, ctx.ledger.index)
    return Violations(facts.active & facts.risk_cleared & (back != ""), {"返险情况": back})
