"""G2 数据审核 (review): logic inside a person and inside a household.

Person rules skip rows whose 人员状态 is not 正常 (facts.active), and those rows are not counted as
members. Unknown (empty) values never make a rule fire unless the rule says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .messages import listed
from .rule import RuleContext, Violations, rule

MALE_RELATIONS = ("之子", "之父", "之岳父", "之公公", "之祖父", "之外祖父", "之孙子", "之外孙子", "之曾孙子", "之女婿", "之侄儿")
FEMALE_RELATIONS = ("之女", "之母", "之岳母", "之婆婆", "之祖母", "之外祖母", "之孙女", "之外孙女", "之曾孙女", "之儿媳",
                    "之侄女", "之兄弟媳妇")
CHILDREN = ("之子", "之女", "之儿媳", "之女婿")
PARENTS = ("之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆")
GRANDCHILDREN = ("之孙子", "之孙女", "之外孙子", "之外孙女")
HIGH_SCHOOL = tuple(f"{kind}{year}年级" for kind in ("普通高中", "中职") for year in "一二三")
HIGHER_EDUCATION_PREFIXES = ("高职高专", "技师学院", "本科")
INCOME_PARTS = ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入")
POST_MONTHS = "公益性岗位（月数）"
LAND_COLUMNS = ("耕地面积（亩）", "林地面积（亩）", "林果面积（亩）", "牧草地面积（亩）", "水面面积（亩）")
NO_LABOUR = ("丧失劳动力", "无劳动力")
MIN_POST_AGE = 16
TOLERANCE_YUAN = 1.0


def _relation(ctx: RuleContext) -> pd.Series:
    return ctx.facts.text("与户主关系")


@rule("G2-001", needs=("证件号码", "性别"), values=("证件性别", "性别位"))
def sex_differs_from_id(ctx: RuleContext) -> Violations:
    """性别 does not match the 17th digit of the ID (odd ⇒ 男, even ⇒ 女; the 15th of a
    first-generation 15-digit number, which the message names). Rows whose ID is not well formed
    are left to G1-002/G1-006."""
    sex, from_id = ctx.facts.text("性别"), ctx.facts.sex_from_id
    bad = ctx.facts.active & (from_id != "") & sex.isin(["男", "女"]) & (sex != from_id)
    digit = ctx.facts.text("证件号码").str.strip().str.len().map({15: "第 15 位"}).fillna("第 17 位")
    return Violations(bad, {"证件性别": from_id, "性别位": digit})


@rule("G2-002", needs=("证件号码", "出生日期"), values=("证件出生日期",))
def birth_date_differs_from_id(ctx: RuleContext) -> Violations:
    """The 出生日期 column is filled and differs from digits 7–14 of the ID."""
    written, from_id = ctx.facts.date("出生日期"), ctx.facts.birth_date_from_id
    bad = ctx.facts.active & written.notna() & from_id.notna() & (written != from_id)
    return Violations(bad, {"证件出生日期": from_id})


@rule("G2-003", needs=("户编号", "与户主关系"), values=("户主人数",))
def household_head_count(ctx: RuleContext) -> Violations:
    """A 户编号 has no 户主, or more than one (among members whose 人员状态 is 正常)."""
    heads = ctx.facts.household_count(ctx.facts.active & (_relation(ctx) == "户主"))
    return Violations(ctx.facts.active & (heads != 1), {"户主人数": heads})


@rule("G2-004", needs=("户编号", "与户主关系", "性别"), values=("配偶人数", "户主性别"))
def spouse_inconsistent(ctx: RuleContext) -> Violations:
    """More than one 配偶 in a household, or a 配偶 of the same sex as the 户主."""
    spouse = ctx.facts.active & (_relation(ctx) == "配偶")
    spouses = ctx.facts.household_count(spouse)
    sex = ctx.facts.text("性别")
    head_sex = ctx.facts.head_value(sex)
    same_sex = spouse & (sex != "") & (sex == head_sex).fillna(False)
    bad = spouse & ((spouses > 1) | same_sex)
    return Violations(bad, {"配偶人数": spouses, "户主性别": head_sex})


@rule("G2-005", needs=("与户主关系", "性别"))
def relation_differs_from_sex(ctx: RuleContext) -> Violations:
    """A relation that implies a sex (之子, 之父, 之孙子 … must be 男; 之女, 之母, 之儿媳 … must be
    女) disagrees with 性别."""
    relation, sex = _relation(ctx), ctx.facts.text("性别")
    bad = ctx.facts.active & ((relation.isin(MALE_RELATIONS) & (sex == "女")) | (relation.isin(FEMALE_RELATIONS) & (sex == "男")))
    return Violations(bad)


@rule("G2-006", needs=("户编号", "与户主关系", "证件号码"), values=("年龄差",))
def relation_differs_from_age(ctx: RuleContext) -> Violations:
    """A child (之子/之女/之儿媳/之女婿) less than 12 years younger than the 户主; a parent (之父,
    之母, 之岳父 …) less than 12 years older; a grandchild less than 24 years younger."""
    born = ctx.facts.birth_date
    gap = ((born - ctx.facts.head_value(born)).dt.days / 365.25)   # > 0: younger than the head
    relation = _relation(ctx)
    bad = ctx.facts.active & (
        (relation.isin(CHILDREN) & (gap < 12)) | (relation.isin(PARENTS) & (gap > -12))
        | (relation.isin(GRANDCHILDREN) & (gap < 24)))
    return Violations(bad.fillna(False), {"年龄差": gap.abs().round(0).astype("Int64")})


@rule("G2-007", needs=("户编号", "家庭人口数"), values=("成员行数",))
def household_size_differs(ctx: RuleContext) -> Violations:
    """家庭人口数 differs from the number of member rows of the 户编号 whose 人员状态 is 正常."""
    members = ctx.facts.household_count(ctx.facts.active)
    stated = ctx.facts.money("家庭人口数")
    bad = ctx.facts.active & stated.notna() & (stated != members)
    return Violations(bad, {"成员行数": members})


@rule("G2-008", needs=("人均纯收入（元）", "纯收入（元）"), values=("应为人均", "家庭人口数"))
def per_capita_income_wrong(ctx: RuleContext) -> Violations:
    """|人均纯收入 − 纯收入 ÷ 家庭人口数| > 1 yuan (without a 家庭人口数 column: ÷ the household's
    member rows whose 人员状态 is 正常)."""
    expected = ctx.facts.money("纯收入（元）") / ctx.facts.household_size
    bad = ctx.facts.active & ((ctx.facts.per_capita_income - expected).abs() > TOLERANCE_YUAN)
    counted = {} if "家庭人口数" in ctx.ledger.columns else {"家庭人口数": ctx.facts.household_size.astype("int64")}
    return Violations(bad.fillna(False), {"应为人均": expected.round(2), **counted})


@rule("G2-009", needs=("纯收入（元）", *INCOME_PARTS, "生产经营性支出"), values=("各项合计",))
def net_income_unbalanced(ctx: RuleContext) -> Violations:
    """|纯收入 − (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出)| > 1 yuan, an empty part
    counting as 0; not when every part is empty (the optional breakdown not given is unknown, not 0)."""
    money = {c: ctx.facts.money(c) for c in (*INCOME_PARTS, "生产经营性支出")}
    parts = sum(money[c].fillna(0) for c in INCOME_PARTS) - money["生产经营性支出"].fillna(0)
    given = pd.concat([m.notna() for m in money.values()], axis=1).any(axis=1)
    net = ctx.facts.money("纯收入（元）")
    bad = ctx.facts.active & given & ((net - parts).abs() > TOLERANCE_YUAN)
    return Violations(bad.fillna(False), {"各项合计": parts.round(2)})


@rule("G2-010", needs=("户编号",), values=("不一致字段",))
def household_fields_differ(ctx: RuleContext) -> Violations:
    """A household-level field (level H in fields.toml) has different values on the member rows
    (人员状态 正常) of one 户编号. The message names each field and its values. The row of a member
    who died or moved out may keep the household's values of that time."""
    facts = ctx.facts
    fields = [n for n, s in ctx.catalog.fields.items() if s.level == "H" and n in ctx.ledger.columns and n != "户编号"]
    parts = {}
    for name in fields:
        varies = facts.active & facts.per_household(_differs_from_previous_member(facts, name))
        if varies.any():   # few households: join their distinct values per household
            household = facts.household_id[varies]
            seen = facts.text(name)[varies].groupby(household).agg(lambda v: "/".join(sorted(set(v))))
            parts[name] = (varies, household.map(seen).reindex(ctx.ledger.index, fill_value=""))
    detail = listed(parts, ctx.ledger.index)
    return Violations(detail != "", {"不一致字段": detail})


def _differs_from_previous_member(facts, column: str) -> pd.Series:
    """Active rows whose value differs from the previous active row of the same household (rows
    in household order): a household has such a row exactly when its members are not all alike."""
    order = facts.household_order[facts.active.to_numpy()[facts.household_order]]
    household, values = facts.household_codes[order], facts.codes(column)[0][order]
    differs = np.zeros(len(order), dtype=bool)
    differs[1:] = (household[1:] == household[:-1]) & (values[1:] != values[:-1])
    result = np.zeros(len(facts.ledger), dtype=bool)
    result[order] = differs
    return pd.Series(result, index=facts.ledger.index)


@rule("G2-011", needs=("证件号码", "在校生状况"), values=("学年年龄",))
def compulsory_age_child_not_in_school(ctx: RuleContext) -> Violations:
    """School-year age 6–15 (at 8-31 of the school year), 在校生状况 empty / 学龄前儿童 / 学前教育,
    and 义务教育阶段未上学原因 empty. A red line of 控辍保学: every compulsory-age child is in school
    or has a recorded reason (e.g. 送教上门 for a child who cannot attend)."""
    return Violations(ctx.facts.compulsory_age_out_of_school, {"学年年龄": ctx.facts.school_year_age})


@rule("G2-012", needs=("证件号码", "在校生状况"), values=("学年年龄",))
def school_stage_differs_from_age(ctx: RuleContext) -> Violations:
    """在校生状况 implausible for the school-year age: 小学 outside 6–14; 七–九年级 outside 11–17;
    高中/中职 outside 14–20; 高职高专/技师/本科 under 17; 硕士及以上 under 20; 学龄前/学前教育 at 7 or
    older."""
    stage, age = ctx.facts.text("在校生状况"), ctx.facts.school_year_age
    higher = stage.str.startswith(HIGHER_EDUCATION_PREFIXES)
    bad = ((stage == "小学") & ((age < 6) | (age > 14))) \
        | (stage.isin(["七年级", "八年级", "九年级"]) & ((age < 11) | (age > 17))) \
        | (stage.isin(HIGH_SCHOOL) & ((age < 14) | (age > 20))) \
        | (higher & (age < 17)) | ((stage == "硕士研究生及以上") & (age < 20)) \
        | (stage.isin(["学龄前儿童", "学前教育"]) & (age >= 7))
    return Violations(ctx.facts.active & bad.fillna(False), {"学年年龄": age})


@rule("G2-013", needs=("证件号码", "劳动技能"), values=("年龄",))
def labour_differs_from_age(ctx: RuleContext) -> Violations:
    """错误: under 16, or in school, but 劳动技能 is not 无劳动力. 警告: 16–59, 健康, not in school,
    but 无劳动力 (only when the ledger has 在校生状况)."""
    labour, age, school = ctx.facts.text("劳动技能"), ctx.facts.age, ctx.facts.in_school
    minor = (((age < 16).fillna(False) | school) & (labour != "") & (labour != "无劳动力"))
    school_known = "在校生状况" in ctx.ledger.columns   # without the column nobody is known to be out of school
    idle = ((age >= 16) & (age <= 59)).fillna(False) & (ctx.facts.text("健康状况") == "健康") & ~school & (labour == "无劳动力") \
        & school_known
    severity = pd.Series(np.where(minor, "错误", "警告"), index=ctx.ledger.index)
    return Violations(ctx.facts.active & (minor | idle), {"年龄": age}, severity)


@rule("G2-014", needs=("务工时间（月）", "务工所在地"))
def work_information_contradicts(ctx: RuleContext) -> Violations:
    """务工时间 > 0 but 务工所在地 empty, or 务工所在地 filled but 务工时间 0; or working while
    劳动技能 is 丧失劳动力 / 无劳动力."""
    months, place = ctx.facts.money("务工时间（月）"), ctx.facts.text("务工所在地")
    works = months > 0
    cannot = ctx.facts.text("劳动技能").isin(["丧失劳动力", "无劳动力"])
    bad = (works & (place == "")) | ((months == 0) & (place != "")) | (works & cannot)
    return Violations(ctx.facts.active & bad)


@rule("G2-015", needs=("是否参加城乡居民基本医疗保险", "是否参加城镇职工基本医疗保险"))
def both_medical_insurances(ctx: RuleContext) -> Violations:
    """Both 城乡居民 and 职工 basic medical insurance are 是 (a person is insured by one of them)."""
    both = (ctx.facts.text("是否参加城乡居民基本医疗保险") == "是") & (ctx.facts.text("是否参加城镇职工基本医疗保险") == "是")
    return Violations(ctx.facts.active & both)


@rule("G2-016", needs=("户类型", "监测对象类别"))
def household_type_differs_from_category(ctx: RuleContext) -> Violations:
    """脱贫不稳定户 whose 户类型 is not 脱贫户, or 边缘易致贫户 whose 户类型 is not 普通农户. An empty
    户类型 is G1-001's (a required cell missing), not a contradiction."""
    kind, category = ctx.facts.text("户类型"), ctx.facts.text("监测对象类别")
    bad = ((category == "脱贫不稳定户") & (kind != "脱贫户")) | ((category == "边缘易致贫户") & (kind != "普通农户"))
    return Violations(ctx.facts.active & (kind != "") & bad)


@rule("G2-017", needs=("风险是否已消除", "消除监测时间"))
def risk_elimination_contradicts(ctx: RuleContext) -> Violations:
    """风险是否已消除 = 是 without 消除监测时间 or 风险消除方式; 消除监测时间 earlier than
    识别监测时间; or 消除监测时间 filled while 风险是否已消除 = 否."""
    cleared = ctx.facts.risk_cleared
    cleared_on, identified = ctx.facts.date("消除监测时间"), ctx.facts.date("识别监测时间")
    written = ctx.facts.text("消除监测时间") != ""
    bad = (cleared & (~written | (ctx.facts.text("风险消除方式") == ""))) \
        | (cleared_on < identified).fillna(False) \
        | ((ctx.facts.text("风险是否已消除") == "否") & written)
    return Violations(ctx.facts.active & bad)


@rule("G2-018", needs=("致贫/返贫风险",), values=("不符情况",))
def risk_differs_from_household(ctx: RuleContext) -> Violations:
    """因残 with no 残疾 member; 因病 with no member 患有大病/长期慢性病; 因学 with no student;
    缺劳动力 with half or more members 普通/技能劳动力."""
    facts = ctx.facts
    member = facts.active
    disabled = facts.per_household(member & facts.has_code("健康状况", "残疾"))
    sick = facts.per_household(member & (facts.has_code("健康状况", "患有大病") | facts.has_code("健康状况", "长期慢性病")))
    student = facts.per_household(member & facts.in_school)
    able_share = facts.household_count(member & facts.text("劳动技能").isin(["普通劳动力", "技能劳动力"])) \
        / facts.household_count(member).replace(0, np.nan)
    reasons = {"因残但无残疾成员": facts.has_code("致贫/返贫风险", "因残") & ~disabled,
               "因病但无患病成员": facts.has_code("致贫/返贫风险", "因病") & ~sick,
               "因学但无在校生": facts.has_code("致贫/返贫风险", "因学") & ~student,
               "缺劳动力但半数以上成员有劳动力": facts.has_code("致贫/返贫风险", "缺劳动力") & (able_share >= 0.5).fillna(False)}
    detail = listed({k: (v, None) for k, v in reasons.items()}, ctx.ledger.index)
    return Violations(member & (detail != ""), {"不符情况": detail})


@rule("G2-019", needs=("是否特困供养人员", "劳动技能"), values=("年龄",))
def able_person_in_extreme_poverty_support(ctx: RuleContext) -> Violations:
    """是否特困供养人员 = 是 for someone 18–59, 健康, not in school, with 普通/技能劳动力, or who works
    (特困 means no ability to work, no income and no one to support them)."""
    facts = ctx.facts
    able = ((facts.age >= 18) & (facts.age <= 59)).fillna(False) & (facts.text("健康状况") == "健康") & ~facts.in_school \
        & facts.text("劳动技能").isin(["普通劳动力", "技能劳动力"])
    works = facts.money("务工时间（月）") > 0
    return Violations(facts.active & (facts.text("是否特困供养人员") == "是") & (able | works),
                      {"年龄": facts.age})


def _holds_post(ctx: RuleContext) -> pd.Series:
    return ctx.facts.active & (ctx.facts.money(POST_MONTHS) > 0).fillna(False)


@rule("G2-022", needs=("帮扶措施", POST_MONTHS))
def public_post_without_months(ctx: RuleContext) -> Violations:
    """The household's 帮扶措施 include 公益岗位帮扶, but no member has 公益性岗位（月数） above 0, or a
    member with months has no 公益性岗位说明 (checked where the ledger has that column)."""
    facts = ctx.facts
    post = _holds_post(ctx)
    undescribed = post & (facts.text("公益性岗位说明") == "") if "公益性岗位说明" in ctx.ledger.columns else post & False
    applied = facts.active & facts.has_code("帮扶措施", "公益岗位帮扶")
    return Violations(applied & (~facts.per_household(post) | facts.per_household(undescribed)))


@rule("G2-023", needs=(POST_MONTHS, "劳动技能"), values=("年龄",))
def public_post_held_without_labour(ctx: RuleContext) -> Violations:
    """A person with 公益性岗位（月数） above 0 is 丧失劳动力 or 无劳动力, or is under 16 (age from the ID,
    else 出生日期): a post must be one the holder can do."""
    facts = ctx.facts
    unable = facts.text("劳动技能").isin(NO_LABOUR) | (facts.age < MIN_POST_AGE).fillna(False)
    return Violations(_holds_post(ctx) & unable, {"年龄": facts.age})


@rule("G2-024", needs=("耕地面积（亩）",), values=("超限面积", "面积上限"))
def land_area_implausible(ctx: RuleContext) -> Violations:
    """A 脱贫户 or monitored household whose 耕地, 林地, 林果, 牧草地 or 水面 area (whichever columns the
    ledger has; 耕地 must be there) is above the ceiling per household (thresholds.land_area_ceiling,
    100 亩 by default). Negative or non-numeric areas are G1-009."""
    facts = ctx.facts
    ceiling = ctx.config.thresholds.land_area_ceiling
    parts = {}
    for column in (c for c in LAND_COLUMNS if c in ctx.ledger.columns):
        area = facts.money(column)
        parts[column] = ((area > ceiling).fillna(False), facts.text(column))
    above = listed(parts, ctx.ledger.index)
    return Violations(facts.active & facts.poor_or_monitored & (above != ""),
                      {"超限面积": above, "面积上限": pd.Series(ceiling, index=ctx.ledger.index)})
