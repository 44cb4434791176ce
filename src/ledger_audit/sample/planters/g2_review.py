"""Planted defects for the G2 数据审核 rules."""

from __future__ import annotations

import pandas as pd

from .base import (
    Planted, Planting, add_minzheng, unmonitored_head, age, any_member, cleared, household_defect, not_monitored,
    open_monitored, person, planter, set_income)


@planter("G2-001")
def _sex(p: Planting) -> list[Planted]:
    eligible = unmonitored_head(p) & (p.column("家庭人口数") == "1")
    rows = p.person_rows(eligible)
    p.set(rows, "性别", p.column("性别")[rows].map({"男": "女", "女": "男"}))
    return [Planted("G2-001", r, "性别与证件号码第 17 位不符") for r in rows]


@planter("G2-002")
def _birth_column(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    p.set(rows, "出生日期", (pd.to_datetime(p.column("出生日期")[rows]) + pd.Timedelta(days=40)).dt.strftime("%Y-%m-%d"))
    return [Planted("G2-002", r, "出生日期与证件号码相差 40 天") for r in rows]


@planter("G2-003")
def _two_heads(p: Planting) -> list[Planted]:
    rows = p.person_rows((p.column("与户主关系") == "配偶") & not_monitored(p))
    p.set(rows, "与户主关系", "户主")
    return [Planted("G2-003", r, "配偶被录为户主，一户两个户主") for r in rows]


@planter("G2-004")
def _two_spouses(p: Planting) -> list[Planted]:
    has_spouse = any_member(p, p.column("与户主关系") == "配偶")
    rows = p.person_rows(p.column("与户主关系").isin(["之子", "之女"]) & (age(p) >= 20) & has_spouse & not_monitored(p))
    p.set(rows, "与户主关系", "配偶")
    return [Planted("G2-004", r, "子女被录为配偶，一户两个配偶") for r in rows]


@planter("G2-005")
def _relation_sex(p: Planting) -> list[Planted]:
    return person(p, "G2-005", (p.column("与户主关系") == "之子") & not_monitored(p), "与户主关系", "之女",
                   "男性成员录为“之女”")


@planter("G2-006")
def _relation_age(p: Planting) -> list[Planted]:
    return person(p, "G2-006", (p.column("与户主关系") == "之子") & (age(p) >= 16) & not_monitored(p),
                   "与户主关系", "之父", "比户主年轻的儿子录为“之父”")


@planter("G2-007")
def _household_size(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        p.set(rows, "家庭人口数", str(int(p.ledger.at[rows[0], "家庭人口数"]) + 1))
        set_income(p, household, float(p.ledger.at[rows[0], "人均纯收入（元）"]))
    return household_defect(p, "G2-007", not_monitored(p), change, "家庭人口数比成员行数多 1")


@planter("G2-008")
def _per_capita(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        p.set(rows, "人均纯收入（元）", f"{float(p.ledger.at[rows[0], '人均纯收入（元）']) + 300:.2f}")
    return household_defect(p, "G2-008", not_monitored(p), change, "人均纯收入比 纯收入÷人口数 多 300 元")


@planter("G2-009")
def _net_income(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        p.set(rows, "工资性收入", f"{float(p.ledger.at[rows[0], '工资性收入']) + 800:.0f}")
    return household_defect(p, "G2-009", not_monitored(p), change, "工资性收入多计 800 元，纯收入不平衡")


@planter("G2-010")
def _household_field(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("与户主关系").isin(["配偶"]) & not_monitored(p))
    p.set(rows, "户联系电话", "13912345678")
    return [Planted("G2-010", r, "同户成员的户联系电话不一致") for r in rows]


@planter("G2-011")
def _out_of_school(p: Planting) -> list[Planted]:
    """Also trips G3-404 (教体 shows the child 在读) and G5-003 (a not-monitored household with a
    G2-011 child), recorded too."""
    eligible = p.column("在校生状况").isin(["小学", "七年级", "八年级"]) & not_monitored(p)
    rows = p.person_rows(eligible)
    p.set(rows, "在校生状况", "")
    return [Planted(rule, r, "义务教育适龄儿童在校生状况清空") for r in rows for rule in ("G2-011", "G3-404", "G5-003")]


@planter("G2-012")
def _grade_age(p: Planting) -> list[Planted]:
    """A preschooler recorded in 九年级; 教体 has no row for them, so G3-402 fires too."""
    rows = p.person_rows(p.column("在校生状况") == "学前教育")
    p.set(rows, "在校生状况", "九年级")
    return [Planted(rule, r, "学前儿童录为九年级") for r in rows for rule in ("G2-012", "G3-402")]


@planter("G2-013")
def _labour_age(p: Planting) -> list[Planted]:
    able = p.column("劳动技能").isin(["普通劳动力", "技能劳动力"])
    eligible = able & (p.column("务工时间（月）") == "0") & (p.column("健康状况") == "健康") & not_monitored(p) \
        & (able.groupby(p.column("户编号")).transform("sum") >= 2)
    return person(p, "G2-013", eligible, "劳动技能", "无劳动力", "16–59 岁健康成年人录为无劳动力")


@planter("G2-014")
def _work(p: Planting) -> list[Planted]:
    return person(p, "G2-014", (p.column("务工时间（月）") != "0") & not_monitored(p), "务工所在地", "",
                   "务工时间大于 0 但务工所在地为空")


@planter("G2-015")
def _two_insurances(p: Planting) -> list[Planted]:
    return person(p, "G2-015", unmonitored_head(p), "是否参加城镇职工基本医疗保险", "是", "城乡居民医保和职工医保同时为“是”")


@planter("G2-016")
def _household_type(p: Planting) -> list[Planted]:
    return household_defect(p, "G2-016", open_monitored(p) & (p.column("监测对象类别") == "脱贫不稳定户"),
                             lambda h: p.set(p.rows(h), "户类型", "普通农户"), "脱贫不稳定户的户类型录为普通农户")


@planter("G2-017")
def _elimination(p: Planting) -> list[Planted]:
    return household_defect(p, "G2-017", cleared(p), lambda h: p.set(p.rows(h), "消除监测时间", ""),
                             "风险已消除但消除监测时间为空")


@planter("G2-018")
def _risk_facts(p: Planting) -> list[Planted]:
    disabled = any_member(p, p.column("健康状况") == "残疾")
    eligible = open_monitored(p) & ~disabled & ~p.column("致贫/返贫风险").str.contains("因残")
    def change(household):
        rows = p.rows(household)
        p.set(rows, "致贫/返贫风险", "因残、" + p.ledger.at[rows[0], "致贫/返贫风险"])
        measures = p.ledger.at[rows[0], "帮扶措施"]
        if "社会帮扶" not in measures and "健康帮扶" not in measures:
            p.set(rows, "帮扶措施", measures + "、社会帮扶")
    return household_defect(p, "G2-018", eligible, change, "风险类型含“因残”但家中无残疾成员")


@planter("G2-019")
def _able_tekun(p: Planting) -> list[Planted]:
    """The 民政 roster gets a matching 特困 row, so only G2-019 fires."""
    eligible = p.column("劳动技能").isin(["普通劳动力", "技能劳动力"]) & (age(p) >= 18) & (age(p) <= 59) \
        & (p.column("健康状况") == "健康") & not_monitored(p)
    rows = p.person_rows(eligible)
    p.set(rows, "是否特困供养人员", "是")
    add_minzheng(p, rows, "特困供养")
    return [Planted("G2-019", r, "有劳动能力的成年人录为特困供养人员") for r in rows]
