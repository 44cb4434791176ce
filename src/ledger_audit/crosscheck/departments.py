"""Cross-department rules (G3-1xx … G3-5xx, G5-009): the ledger against the 民政, 医保, 住建 and
教体 rosters, through the tier-1 (exact ID) matches of crosscheck/matching.py.

Each rule declares the roster it needs; without it the rule is listed as not run ("未提供医保名单"),
never as passed. Findings name the department as 责任单位 and the 乡镇 as 配合单位 where rules.md
says so, and their sources include the roster row next to the ledger row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import SOURCE_SEPARATOR, source_text
from ..frame import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, TEXT
from ..gates.rule import RuleContext, Violations, rule
from ..identity import name_key
from .coverage import covered_rows
from .matching import RosterMatch

DIBAO = ("农村低保", "城市低保")
TEKUN = ("特困供养",)
INSURED = "正常参保"
NOT_INSURED = ("暂停参保", "终止参保", "未参保")
ENROLLED = ("在读", "送教上门")
COMPULSORY = ("小学", "七年级", "八年级", "九年级")
GRADE_NUMBERS = {"七年级": 7, "八年级": 8, "九年级": 9, "普通高中一年级": 10, "普通高中二年级": 11, "普通高中三年级": 12,
                 "中职一年级": 10, "中职二年级": 11, "中职三年级": 12}
ROSTER_GRADES = {"一年级": 1, "二年级": 2, "三年级": 3, "四年级": 4, "五年级": 5, "六年级": 6, "七年级": 7, "八年级": 8,
                 "九年级": 9, "初一": 7, "初二": 8, "初三": 9, "高一": 10, "高二": 11, "高三": 12}


def _match(ctx: RuleContext, department: str) -> RosterMatch:
    return ctx.matches[department]


def comparable(ctx: RuleContext) -> pd.Series:
    """Members whose ID can be compared with a roster. A broken ID (number cell, malformed,
    placeholder) is reported once by G1; comparing it would only add false 未参保/未在册 findings,
    and the cross-check matrix counts the person as 无法比对."""
    return ctx.facts.active & ctx.facts.id_usable


def absence_can_be_said(ctx: RuleContext, department: str) -> pd.Series:
    """Ledger rows of which "the roster has no record" can be said: the ID can be looked up
    (facts.id_certain), and the matching found no roster row that seems to be the same person
    under another ID (the same name, one or two digits apart: G3-502 reports that, and the person
    is most likely listed under the right number; or under a number cell that kept the first 15
    digits of this person's ID: matching.RosterMatch.lost)."""
    namesake = np.zeros(len(ctx.ledger), dtype=bool)
    namesake[_match(ctx, department).suspected["ledger_row"].to_numpy()] = True
    namesake[_match(ctx, department).lost["ledger_row"].to_numpy()] = True
    return ctx.facts.id_certain & ~pd.Series(namesake, index=ctx.ledger.index)


def _comparable_household(ctx: RuleContext) -> pd.Series:
    """Members of households in which every member's ID can be compared (住建 matches a household
    through any member's ID)."""
    return ctx.facts.active & ~ctx.facts.per_household(ctx.facts.active & ~ctx.facts.id_usable)


def roster_sources(match: RosterMatch, pairs: pd.DataFrame, flagged: pd.Series) -> pd.Series:
    return paired_sources(match.roster, pairs, flagged)


def paired_sources(roster: pd.DataFrame, pairs: pd.DataFrame, flagged: pd.Series) -> pd.Series:
    """For each flagged ledger row, the file:sheet:row of its rows of `roster` (a roster or table)
    in `pairs` (ledger_row, roster_row), "" elsewhere. Texts are built for the flagged rows only,
    as the messages are."""
    pairs = pairs[flagged.to_numpy()[pairs["ledger_row"].to_numpy()]]
    roster_rows = pairs["roster_row"].to_numpy()
    text = source_text(roster[SOURCE_FILE].iloc[roster_rows], roster[SOURCE_SHEET].iloc[roster_rows],
                       roster[SOURCE_ROW].iloc[roster_rows])
    per_row = pd.Series(text.to_numpy(), index=pairs["ledger_row"].to_numpy(), dtype=TEXT)
    return joined_per_label(per_row).reindex(flagged.index, fill_value="").astype(TEXT)


def joined_per_label(texts: pd.Series, separator: str = SOURCE_SEPARATOR) -> pd.Series:
    """The texts of each index label joined by `separator`, in their order, vectorised: one
    concatenation per rank within a label (a person has one or two roster rows), not a Python
    call per label."""
    texts = texts.sort_index(kind="stable")
    rank = texts.groupby(level=0).cumcount().to_numpy()
    joined = texts[rank == 0]
    for level in range(1, int(rank.max(initial=0)) + 1):
        more = texts[rank == level]
        joined.loc[more.index] = joined.loc[more.index] + separator + more
    return joined


def _both(first: pd.Series, second: pd.Series) -> pd.Series:
    """Two departments' source texts for the same rows, joined by SOURCE_SEPARATOR where both are
    given."""
    return (first + SOURCE_SEPARATOR + second).where((first != "") & (second != ""), first + second)


def _live(match: RosterMatch, column: str, values: tuple[str, ...], status_column: str | None = None,
          live_status: tuple[str, ...] = ("", "在保")) -> pd.DataFrame:
    """Exact pairs whose roster row has `column` in `values` (and, for 民政, is 在保)."""
    roster = match.roster
    keep = roster[column].isin(values)
    if status_column and status_column in roster:
        keep &= roster[status_column].isin(live_status)
    return match.exact[keep.to_numpy()[match.exact["roster_row"].to_numpy()]]


def _covered(ctx: RuleContext, pairs: pd.DataFrame) -> pd.Series:
    """For each ledger row, the 救助类型 of the 民政 row covering it ("" if none): the person's own
    row, and for a head-only row the whole household, unless `pairs` list two or more of that
    household's members on rows of their own (then 民政 lists the household member by member,
    and the head's row is the head's: a son left out of his parents' 低保 is not covered)."""
    roster = _match(ctx, "民政").roster
    head_only = pd.Series(False, index=roster.index)
    if "与户主关系" in roster:
        head_only |= roster["与户主关系"] == "户主"
    if "保障人数" in roster:
        head_only |= pd.to_numeric(roster["保障人数"], errors="coerce").fillna(0) > 1
    household = ctx.facts.household_id
    types = roster["救助类型"].to_numpy()
    listed = household.iloc[pairs["ledger_row"].unique()].value_counts()
    heads = pairs[head_only.to_numpy()[pairs["roster_row"].to_numpy()]]
    head_households = household.iloc[heads["ledger_row"].to_numpy()].to_numpy()
    whole = ~pd.Series(head_households).isin(listed[listed > 1].index).to_numpy()
    household_type = pd.Series(types[heads["roster_row"].to_numpy()[whole]], index=head_households[whole],
                               dtype=TEXT).groupby(level=0).first()
    own = pd.Series("", index=ctx.ledger.index, dtype=TEXT)
    own.iloc[pairs["ledger_row"].to_numpy()] = types[pairs["roster_row"].to_numpy()]
    via_head = pd.Series(household_type.reindex(household.to_numpy()).fillna("").to_numpy(), index=own.index, dtype=TEXT)
    return own.where(own != "", via_head)


def _welfare_rules(ctx: RuleContext, types: tuple[str, ...], ledger_column: str, listed_in_roster: bool) -> Violations:
    """G3-101/103 (roster says yes, ledger does not) and G3-102/104 (ledger says yes, roster does not)."""
    match = _match(ctx, "民政")
    pairs = _live(match, "救助类型", types, "保障状态")
    covering = _covered(ctx, pairs)
    covered = covering != ""
    says_yes = ctx.facts.text(ledger_column) == "是"
    missing = says_yes & ~covered & covered_rows(ctx, "民政") & absence_can_be_said(ctx, "民政")
    mask = comparable(ctx) & (covered & ~says_yes if listed_in_roster else missing)
    return Violations(mask, {"民政救助类型": covering}, extra_sources=roster_sources(match, pairs, mask))


@rule("G3-101", needs=("证件号码", "是否享受农村居民最低生活保障"), values=("民政救助类型",), roster="民政")
def minzheng_dibao_not_marked(ctx: RuleContext) -> Violations:
    """民政 lists the person (or their household head, for a head-only roster row) as 在保 低保,
    while the ledger's 是否享受农村居民最低生活保障 is 否 or empty."""
    return _welfare_rules(ctx, DIBAO, "是否享受农村居民最低生活保障", listed_in_roster=True)


@rule("G3-102", needs=("证件号码", "是否享受农村居民最低生活保障"), values=("民政救助类型",), roster="民政")
def dibao_without_minzheng_record(ctx: RuleContext) -> Violations:
    """The ledger says 低保 = 是, but 民政 has no 在保 低保 row for the person or their household
    (in a 乡镇 the 民政 roster covers)."""
    return _welfare_rules(ctx, DIBAO, "是否享受农村居民最低生活保障", listed_in_roster=False)


@rule("G3-103", needs=("证件号码", "是否特困供养人员"), values=("民政救助类型",), roster="民政")
def minzheng_tekun_not_marked(ctx: RuleContext) -> Violations:
    """民政 lists the person as 在保 特困供养, while the ledger's 是否特困供养人员 is 否 or empty."""
    return _welfare_rules(ctx, TEKUN, "是否特困供养人员", listed_in_roster=True)


@rule("G3-104", needs=("证件号码", "是否特困供养人员"), values=("民政救助类型",), roster="民政")
def tekun_without_minzheng_record(ctx: RuleContext) -> Violations:
    """The ledger says 特困 = 是, but 民政 has no 在保 特困 row for the person (in a 乡镇 the 民政
    roster covers)."""
    return _welfare_rules(ctx, TEKUN, "是否特困供养人员", listed_in_roster=False)


def _insurance(ctx: RuleContext) -> tuple[RosterMatch, pd.Series, pd.Series]:
    """医保 参保状态 and 险种 per ledger row, from the person's 正常参保 row where there is one: who
    moved from 城乡居民 to 职工 insurance has a 终止参保 row of the old 险种 beside the live one."""
    match = _match(ctx, "医保")
    live = match.roster["参保状态"] == INSURED
    return (match, match.roster_values("参保状态", ctx.ledger.index, live),
            match.roster_values("险种", ctx.ledger.index, live))


@rule("G3-201", needs=("证件号码",), values=("医保参保状态",), roster="医保")
def not_in_basic_medical_insurance(ctx: RuleContext) -> Violations:
    """医保 shows the person 未参保, 暂停参保 or 终止参保, or has no row at all for them (in a 乡镇
    the 医保 roster covers): 基本医疗保障率 is a binding 100 % indicator."""
    match, status, _ = _insurance(ctx)
    matched = pd.Series(False, index=ctx.ledger.index)
    matched.iloc[match.exact["ledger_row"].to_numpy()] = True
    unlisted = ~matched & covered_rows(ctx, "医保") & absence_can_be_said(ctx, "医保")
    mask = comparable(ctx) & (unlisted | status.isin(NOT_INSURED))
    shown = status.where(matched, "无参保记录")
    return Violations(mask, {"医保参保状态": shown}, extra_sources=roster_sources(match, match.exact, mask))


@rule("G3-202", needs=("证件号码", "是否参加城乡居民基本医疗保险"), values=("医保参保状态",), roster="医保")
def ledger_insurance_wrong(ctx: RuleContext) -> Violations:
    """The ledger says the person is not insured, while 医保 shows 正常参保."""
    match, status, _ = _insurance(ctx)
    mask = comparable(ctx) & ctx.facts.uninsured & (status == INSURED)
    return Violations(mask, {"医保参保状态": status}, extra_sources=roster_sources(match, match.exact, mask))


@rule("G3-203", needs=("证件号码", "是否参加城乡居民基本医疗保险"), values=("医保险种",), roster="医保")
def insurance_kind_differs(ctx: RuleContext) -> Violations:
    """The ledger marks 城乡居民 insurance and 医保 shows 职工 insurance, or the reverse."""
    match, _, kind = _insurance(ctx)
    resident = ctx.facts.text("是否参加城乡居民基本医疗保险") == "是"
    employee = ctx.facts.text("是否参加城镇职工基本医疗保险") == "是"
    differs = (resident & ~employee & (kind == "职工基本医疗保险")) | (employee & ~resident & (kind == "城乡居民基本医疗保险"))
    mask = comparable(ctx) & differs
    return Violations(mask, {"医保险种": kind}, extra_sources=roster_sources(match, match.exact, mask))


def _house_pairs(ctx: RuleContext) -> tuple[RosterMatch, pd.DataFrame, pd.Series]:
    """住建 C/D rows not yet 已竣工, and the ledger households they belong to."""
    match = _match(ctx, "住建")
    roster = match.roster
    dangerous = roster["鉴定等级"].isin(["C级", "D级"]) & (roster.get("改造状态", pd.Series("", index=roster.index)) != "已竣工")
    pairs = match.exact[dangerous.to_numpy()[match.exact["roster_row"].to_numpy()]]
    households = ctx.facts.household_id.isin(ctx.facts.household_id.iloc[pairs["ledger_row"].to_numpy()])
    return match, pairs, households


@rule("G3-301", needs=("户编号", "证件号码", "是否危房户"), values=("住建鉴定等级",), roster="住建")
def dangerous_house_not_marked(ctx: RuleContext) -> Violations:
    """住建 rates the household's house C级 or D级 and its 改造状态 is not 已竣工, while the
    ledger's 是否危房户 is 否 or empty."""
    match, pairs, households = _house_pairs(ctx)
    mask = _comparable_household(ctx) & households & (ctx.facts.text("是否危房户") != "是")
    return Violations(mask, {"住建鉴定等级": match.roster_values("鉴定等级", ctx.ledger.index)},
                      extra_sources=roster_sources(match, pairs, mask))


@rule("G3-302", needs=("户编号", "是否危房户"), roster="住建")
def dangerous_house_without_record(ctx: RuleContext) -> Violations:
    """The ledger says 是否危房户 = 是, but 住建 has no C级/D级 row for the household, or shows it
    已竣工 (in a 乡镇 the 住建 roster covers)."""
    _, _, households = _house_pairs(ctx)
    sayable = ~ctx.facts.per_household(ctx.facts.active & ~absence_can_be_said(ctx, "住建"))
    missing = (ctx.facts.text("是否危房户") == "是") & ~households & covered_rows(ctx, "住建") & sayable
    return Violations(_comparable_household(ctx) & missing)


def _school_values(ctx: RuleContext) -> tuple[RosterMatch, pd.Series, pd.Series]:
    """教体 学籍状态 and 年级 per ledger row, from the pupil's 在读 or 送教上门 row where there is
    one: who changed school has a 转出 row at the old school beside the new one."""
    match = _match(ctx, "教体")
    enrolled = match.roster["学籍状态"].isin(ENROLLED)
    return (match, match.roster_values("学籍状态", ctx.ledger.index, enrolled),
            match.roster_values("年级", ctx.ledger.index, enrolled))


def _compulsory_age(ctx: RuleContext) -> pd.Series:
    ages = ctx.config.thresholds
    age = ctx.facts.school_year_age
    return ((age >= ages.school_age_min) & (age <= ages.school_age_max)).fillna(False)


def _dropped_out(ctx: RuleContext, status: pd.Series) -> pd.Series:
    """G3-401's case: a child of school-year age 6–15 whom 教体 shows 辍学, or 休学 with no reason
    recorded in the ledger."""
    no_reason = ctx.facts.text("义务教育阶段未上学原因") == ""
    return _compulsory_age(ctx) & ((status == "辍学") | ((status == "休学") & no_reason))


@rule("G3-401", needs=("证件号码",), values=("学籍状态", "学年年龄"), roster="教体")
def school_record_shows_dropout(ctx: RuleContext) -> Violations:
    """教体 shows 辍学/失学, or 休学 while the ledger records no reason, for a child of school-year age
    6–15 in the ledger."""
    match, status, _ = _school_values(ctx)
    mask = comparable(ctx) & _dropped_out(ctx, status)
    return Violations(mask, {"学籍状态": status, "学年年龄": ctx.facts.school_year_age.astype(TEXT).fillna("")},
                      extra_sources=roster_sources(match, match.exact, mask))


@rule("G3-402", needs=("证件号码", "在校生状况"), values=("学籍状态",), roster="教体")
def in_school_without_record(ctx: RuleContext) -> Violations:
    """The ledger has a compulsory-stage 在校生状况 (小学 … 九年级) and 教体 has no 在读 or 送教上门
    row for the child (no row counts only in a 乡镇 the 教体 roster covers)."""
    _, status, _ = _school_values(ctx)
    compulsory = ctx.facts.text("在校生状况").isin(COMPULSORY)
    no_record = (status == "") & covered_rows(ctx, "教体") & absence_can_be_said(ctx, "教体")
    # A child 教体 shows as dropped out is G3-401's finding: the same fact, reported once.
    not_enrolled = (status != "") & ~status.isin(ENROLLED) & ~_dropped_out(ctx, status)
    return Violations(comparable(ctx) & compulsory & (no_record | not_enrolled),
                      {"学籍状态": status.replace("", "无学籍记录")})


def _roster_grade(grade: pd.Series) -> pd.Series:
    """教体 年级 as a number: 一年级…九年级, 小学一年级, 初一…初三, 初中一年级…初中三年级 (7–9),
    高一…高三, 高中一年级…高中三年级 (10–12), 初中七年级."""
    stage = grade.str.extract("^(初中|高中)([一二三])年级$")
    within = stage[1].map({"一": 1, "二": 2, "三": 3}) + stage[0].map({"初中": 6, "高中": 9})
    cleaned = grade.str.replace("^(小学|初中|高中)", "", regex=True)
    return within.astype("float64").fillna(cleaned.map(ROSTER_GRADES).astype("float64"))


@rule("G3-403", needs=("证件号码", "在校生状况"), values=("教体年级",), roster="教体")
def grade_differs_from_school_record(ctx: RuleContext) -> Violations:
    """The ledger's 在校生状况 and 教体's 年级 differ by more than one year (小学 in the ledger counts as
    grades 1–6)."""
    match, _, grade = _school_values(ctx)
    stage = ctx.facts.text("在校生状况")
    ledger_low = stage.map(GRADE_NUMBERS).astype("float64").where(stage != "小学", 1.0)
    ledger_high = ledger_low.where(stage != "小学", 6.0)
    roster = _roster_grade(grade)
    gap = np.maximum(ledger_low - roster, roster - ledger_high)
    mask = comparable(ctx) & (gap > 1).fillna(False)
    return Violations(mask, {"教体年级": grade}, extra_sources=roster_sources(match, match.exact, mask))


@rule("G3-404", needs=("证件号码", "在校生状况"), values=("学籍状态",), roster="教体")
def enrolled_but_not_in_school_in_ledger(ctx: RuleContext) -> Violations:
    """A child of school-year age 6–15 is not in school according to the ledger, while 教体 shows
    在读 in school (a 学段 学前 row agrees with a ledger 学前教育; G2-011 reports the late start)."""
    match, status, _ = _school_values(ctx)
    in_school = (status == "在读") & (match.roster_values("学段", ctx.ledger.index) != "学前")
    mask = comparable(ctx) & _compulsory_age(ctx) & ~ctx.facts.in_school & in_school
    return Violations(mask, {"学籍状态": status}, extra_sources=roster_sources(match, match.exact, mask))


def _given(ctx: RuleContext) -> list[str]:
    return [d for d in ctx.catalog.rosters if d in ctx.matches]


@rule("G3-501", needs=("证件号码", "姓名"), values=("部门姓名",))
def name_differs_across_departments(ctx: RuleContext) -> Violations:
    """A department roster has the same ID (exact match) under another name, after spaces and
    full-width forms are normalised. Runs for every roster given."""
    if not _given(ctx):
        return Violations(pd.Series(False, index=ctx.ledger.index))
    ledger_name = name_key(ctx.facts.text("姓名"))
    texts, sources = [], pd.Series("", index=ctx.ledger.index, dtype=TEXT)
    for department in _given(ctx):
        match = _match(ctx, department)
        other = match.roster_values(ctx.catalog.rosters[department].name_column, ctx.ledger.index)
        differs = (other != "") & (name_key(other) != ledger_name)
        texts.append(department + "名单为「" + other[differs] + "」")
        sources = _both(sources, roster_sources(match, match.exact, differs))
    detail = _per_person(texts, ctx.ledger.index)
    return Violations(comparable(ctx) & (detail != ""), {"部门姓名": detail}, extra_sources=sources)


def _per_person(texts: list[pd.Series], index: pd.Index) -> pd.Series:
    """Each department's texts about the rows they name (built for those rows only), joined with
    、 per ledger row in department order; "" for rows none names."""
    named = pd.concat(texts) if texts else pd.Series(dtype=TEXT)
    return joined_per_label(named, "、").reindex(index, fill_value="").astype(TEXT)


@rule("G3-502", needs=("证件号码", "姓名"), values=("部门证件号码",))
def suspected_id_error(ctx: RuleContext) -> Violations:
    """A tier-2 (one digit changed or two adjacent digits swapped, same name) or tier-3 (same name,
    birth date and 乡镇, unique) match: the same person seems to have a different ID in a
    department roster. Never counted as a match; both records are named."""
    texts, sources = [], pd.Series("", index=ctx.ledger.index, dtype=TEXT)
    for department in _given(ctx):
        match = _match(ctx, department)
        pairs = match.suspected
        if pairs.empty:
            continue
        id_column = ctx.catalog.rosters[department].id_column
        other = pd.Series(match.roster[id_column].to_numpy()[pairs["roster_row"].to_numpy()],
                          index=pairs["ledger_row"].to_numpy(), dtype=TEXT)
        other = other.groupby(level=0).first()
        other = other[other.fillna("") != ""]
        texts.append(department + "名单中为「" + other + "」")
        sources = _both(sources, roster_sources(match, pairs, pd.Series(ctx.ledger.index.isin(other.index), index=ctx.ledger.index)))
    detail = _per_person(texts, ctx.ledger.index)
    return Violations(comparable(ctx) & (detail != ""), {"部门证件号码": detail}, extra_sources=sources)


@rule("G5-009", needs=("证件号码",), roster="民政")
def welfare_person_missing_from_ledger(ctx: RuleContext) -> Violations:
    """A 民政 在保 低保/特困 person whose 乡镇 is one the ledger covers has no row in the ledger (no
    match in any tier): a candidate for monitoring who may have been missed. Reported on the
    roster row. A roster person whose name is on a ledger row with a broken or mistyped ID (number
    cell, malformed, wrong check character or birth date: not facts.id_certain) may be that row:
    not reported."""
    match = _match(ctx, "民政")
    roster = match.roster
    live = roster["救助类型"].isin(DIBAO + TEKUN) & roster.get("保障状态", pd.Series("", index=roster.index)).isin(["", "在保"])
    towns = ctx.facts.text("乡镇").unique()
    in_county = roster["乡镇"].isin(towns) if "乡镇" in roster else pd.Series(False, index=roster.index)
    matched = np.zeros(len(roster), dtype=bool)
    matched[match.exact["roster_row"].to_numpy()] = True
    matched[match.suspected["roster_row"].to_numpy()] = True
    matched[match.lost["roster_row"].to_numpy()] = True
    broken_names = name_key(ctx.facts.text("姓名")[ctx.facts.active & ~ctx.facts.id_certain])
    maybe_broken = name_key(roster["姓名"]).isin(broken_names.unique()).to_numpy()
    return Violations(pd.Series(live & in_county & ~matched & ~maybe_broken, index=roster.index), frame=roster)

