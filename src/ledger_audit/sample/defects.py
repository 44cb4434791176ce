"""Planted defects: each rule of rules.md gets a few instances, on otherwise clean households.

A planter is a small function registered under the rule ID it plants for. It receives a `Planting`
(the ledger and rosters being mutated, and a chooser of fresh households) and returns the ledger
rows it broke. One defect per household, so that a recall test is unambiguous; the ground truth
(planted.csv) is built from what the planters return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

import numpy as np
import pandas as pd

from ..frame import TEXT
from ..identity import check_characters

PER_RULE = 2
TWIN_COLUMN = "失学或辍学原因"   # the national export's second column for 义务教育阶段未上学原因 (G1-014)
# Rules that need a previous quarter (tracking) and are planted by the two-quarter sample instead.
NEEDS_PREVIOUS_QUARTER = ("G4-011", "G4-012", "G5-002")


@dataclass
class Planted:
    rule_id: str
    row: int              # position in the ledger frame (0-based), or -1 for a roster-only defect
    note: str
    roster: str = ""      # department whose roster row carries the defect
    roster_row: int = -1  # position in that roster


@dataclass
class Planting:
    ledger: pd.DataFrame
    rosters: dict[str, pd.DataFrame]
    rng: np.random.Generator
    as_of: date
    used: set = field(default_factory=set)

    def households(self, eligible: pd.Series, count: int = PER_RULE) -> list[str]:
        """Fresh households (户编号) whose rows satisfy `eligible`, from different towns first."""
        rows = self.ledger[eligible & ~self.ledger["户编号"].isin(self.used)]
        firsts = rows.drop_duplicates("户编号")
        firsts = firsts.sample(frac=1, random_state=int(self.rng.integers(0, 2**31))).drop_duplicates("乡镇") \
            .pipe(lambda spread: pd.concat([spread, firsts[~firsts.index.isin(spread.index)]]))
        chosen = firsts["户编号"].head(count).tolist()
        self.used.update(chosen)
        return chosen

    def rows(self, household: str, where: pd.Series | None = None) -> pd.Index:
        mask = self.ledger["户编号"] == household
        return self.ledger.index[mask & (where if where is not None else True)]

    def person_rows(self, eligible: pd.Series, count: int = PER_RULE) -> list[int]:
        """One row per fresh household, among rows that satisfy `eligible`."""
        return [int(self.rows(h, eligible)[0]) for h in self.households(eligible, count)]

    def set(self, rows, column: str, value) -> None:
        self.ledger.loc[rows, column] = value

    def column(self, name: str) -> pd.Series:
        return self.ledger[name]


Planter = Callable[[Planting], list[Planted]]
PLANTERS: dict[str, Planter] = {}


def planter(rule_id: str):
    def register(function: Planter) -> Planter:
        PLANTERS[rule_id] = function
        return function
    return register


def household_state(ledger: pd.DataFrame, plant: Planted) -> int | None:
    """A digest of the planted row's household as it stands. A later planter that changed the
    household (planters take fresh households, so that is interference) may have undone the plant:
    G3-103 relies on 是否特困供养人员 not being 是, which another planter could set."""
    if plant.row < 0:
        return None
    household = ledger[ledger["户编号"] == ledger.at[plant.row, "户编号"]]
    # G1-014's planter adds its second column to every row: that changes no earlier plant.
    household = household.drop(columns=[TWIN_COLUMN], errors="ignore")
    return int(pd.util.hash_pandas_object(household.astype(str), index=True).sum())


def _person(p: Planting, rule_id: str, eligible: pd.Series, column: str, value, note: str) -> list[Planted]:
    rows = p.person_rows(eligible)
    p.set(rows, column, value)
    return [Planted(rule_id, r, note) for r in rows]


def _adult(p: Planting) -> pd.Series:
    return (p.column("与户主关系") == "户主") & (p.column("监测对象类别") == "")


def _monitored_head(p: Planting) -> pd.Series:
    return (p.column("与户主关系") == "户主") & (p.column("监测对象类别") != "") & (p.column("风险是否已消除") == "否")


# --- G1 采集录入 ---------------------------------------------------------------------------------

@planter("G1-001")
def _empty_required(p: Planting) -> list[Planted]:
    return _person(p, "G1-001", _adult(p), "民族", "", "民族留空")


@planter("G1-002")
def _malformed_id(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    p.set(rows, "证件号码", p.column("证件号码")[rows].str.slice(0, 16))
    return [Planted("G1-002", r, "证件号码截短为 16 位") for r in rows]


@planter("G1-003")
def _checksum(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    ids = p.column("证件号码")[rows]
    last = ids.str.slice(17, 18).map(lambda c: "0" if c == "1" else "1")
    p.set(rows, "证件号码", ids.str.slice(0, 17) + last)
    return [Planted("G1-003", r, "校验位改错") for r in rows]


@planter("G1-004")
def _birth_date(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    ids = p.column("证件号码")[rows]
    first17 = ids.str.slice(0, 10) + "1332" + ids.str.slice(14, 17)    # 13th month, 32nd day
    p.set(rows, "证件号码", first17 + check_characters(first17))
    return [Planted("G1-004", r, "证件号码中的出生日期为 13 月 32 日") for r in rows]


@planter("G1-005")
def _region(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    ids = p.column("证件号码")[rows]
    first17 = "619999" + ids.str.slice(6, 17)
    p.set(rows, "证件号码", first17 + check_characters(first17))
    return [Planted("G1-005", r, "地区码改为不存在的 619999") for r in rows]


@planter("G1-006")
def _id_as_number(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    p.set(rows, "证件号码", p.column("证件号码")[rows].map(lambda i: f"{float(i):.5E}" if i.isdigit() else "6.10327E+17"))
    return [Planted("G1-006", r, "证件号码以科学计数法数字存储") for r in rows]


@planter("G1-007")
def _placeholder(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    p.set(rows, "证件号码", "999999" + p.column("证件号码")[rows].str.slice(6, 18))
    return [Planted("G1-007", r, "999999 开头的占位号码") for r in rows]


@planter("G1-008")
def _code(p: Planting) -> list[Planted]:
    return _person(p, "G1-008", _adult(p), "劳动技能", "能干活", "劳动技能填了代码表外的值")


@planter("G1-009")
def _number(p: Planting) -> list[Planted]:
    households = p.households(_adult(p))
    rows = [r for h in households for r in p.rows(h)]
    p.set(rows, "合规自付支出", "-200")
    return [Planted("G1-009", int(p.rows(h)[0]), "合规自付支出为负数") for h in households]


@planter("G1-010")
def _date(p: Planting) -> list[Planted]:
    return _person(p, "G1-010", _adult(p), "出生日期", "1990-02-30", "出生日期为不存在的日期")


@planter("G1-011")
def _phone(p: Planting) -> list[Planted]:
    households = p.households(_adult(p))
    for h in households:
        p.set(p.rows(h), "户联系电话", "1380000")
    return [Planted("G1-011", int(p.rows(h)[0]), "户联系电话只有 7 位") for h in households]


@planter("G1-012")
def _name(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p) & (p.column("户主姓名") != ""))
    for r in rows:
        name = p.ledger.at[r, "姓名"]
        household = p.rows(p.ledger.at[r, "户编号"])
        p.set(household, "户主姓名", name[0] + " " + name[1:])
        p.set([r], "姓名", name[0] + " " + name[1:])
    return [Planted("G1-012", r, "姓名中间有空格") for r in rows]


@planter("G1-013")
def _duplicate(p: Planting) -> list[Planted]:
    """A member row pasted twice: the household then also has one member too many (G2-007) and the
    ID appears twice (G3-001), which the ground truth records too."""
    rows = p.person_rows(_adult(p) & (p.column("家庭人口数") != "1"))
    copies = p.ledger.loc[rows]
    start = len(p.ledger)
    p.ledger = pd.concat([p.ledger, copies], ignore_index=True)
    planted = []
    for offset, r in enumerate(rows):
        copy = start + offset
        for rule_id in ("G1-013", "G3-001"):
            planted += [Planted(rule_id, r, "整行重复录入"), Planted(rule_id, copy, "整行重复录入（副本）")]
        planted.append(Planted("G2-007", r, "重复行使成员数多于家庭人口数"))
    return planted


@planter("G1-014")
def _twin_columns(p: Planting) -> list[Planted]:
    """The national export's second column for 义务教育阶段未上学原因, 失学或辍学原因, says
    something else on a few rows."""
    p.ledger[TWIN_COLUMN] = p.column("义务教育阶段未上学原因")
    return _person(p, "G1-014", _adult(p), TWIN_COLUMN, "疾病", "失学或辍学原因与义务教育阶段未上学原因不一致")


# --- helpers for household-level planting ------------------------------------------------------

def _households_rows(p: Planting, households: list[str]) -> list[int]:
    return [int(p.rows(h)[0]) for h in households]


def _set_income(p: Planting, household: str, per_capita: float) -> None:
    """Change a household's income and keep its accounts balanced (G2-008, G2-009 stay quiet)."""
    rows = p.rows(household)
    size = int(p.ledger.at[rows[0], "家庭人口数"])
    net = round(per_capita * size)
    wage, business, prop, expense = (float(p.ledger.at[rows[0], c]) for c in ("工资性收入", "生产经营性收入", "财产性收入", "生产经营性支出"))
    if net < wage + business + prop - expense:   # shrink the other components before transfers
        wage, business, prop, expense = net * 0.5, net * 0.2, 0.0, 0.0
    transfer = net + expense - wage - business - prop
    for column, value in (("工资性收入", wage), ("生产经营性收入", business), ("财产性收入", prop),
                          ("生产经营性支出", expense), ("转移性收入", transfer), ("纯收入（元）", net)):
        p.set(rows, column, f"{value:.0f}")
    p.set(rows, "人均纯收入（元）", f"{net / size:.2f}")


def _household_defect(p: Planting, rule_id: str, eligible: pd.Series, change, note: str,
                      also: tuple[str, ...] = ()) -> list[Planted]:
    households = p.households(eligible)
    for household in households:
        change(household)
    rows = _households_rows(p, households)
    return [Planted(r_id, r, note) for r in rows for r_id in (rule_id, *also)]


def _lose_labour(p: Planting, household: str) -> None:
    """Every member 丧失劳动力, and so nobody works any more (G2-014 stays quiet)."""
    rows = p.rows(household)
    p.set(rows, "劳动技能", "丧失劳动力")
    p.set(rows, "务工所在地", "")
    p.set(rows, "务工时间（月）", "0")


def _members(p: Planting, column: str, values) -> pd.Series:
    """Whether every member of the row's household has `column` in `values`."""
    return p.column(column).isin(values).groupby(p.column("户编号")).transform("all")


def _any_member(p: Planting, mask: pd.Series) -> pd.Series:
    return mask.groupby(p.column("户编号")).transform("any")


def _cleared(p: Planting) -> pd.Series:
    return p.column("风险是否已消除") == "是"


def _not_monitored(p: Planting) -> pd.Series:
    return p.column("监测对象类别") == ""


def _open_monitored(p: Planting) -> pd.Series:
    return (p.column("监测对象类别") != "") & (p.column("风险是否已消除") == "否")


def _age(p: Planting) -> pd.Series:
    """Age at the as-of date, from the (clean) 出生日期 column."""
    born = pd.to_datetime(p.column("出生日期"), errors="coerce")
    return ((pd.Timestamp(p.as_of) - born).dt.days // 365.25).astype("Int64")


# --- G2 数据审核 ---------------------------------------------------------------------------------

@planter("G2-001")
def _sex(p: Planting) -> list[Planted]:
    eligible = _adult(p) & (p.column("家庭人口数") == "1")
    rows = p.person_rows(eligible)
    p.set(rows, "性别", p.column("性别")[rows].map({"男": "女", "女": "男"}))
    return [Planted("G2-001", r, "性别与证件号码第 17 位不符") for r in rows]


@planter("G2-002")
def _birth_column(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    p.set(rows, "出生日期", (pd.to_datetime(p.column("出生日期")[rows]) + pd.Timedelta(days=40)).dt.strftime("%Y-%m-%d"))
    return [Planted("G2-002", r, "出生日期与证件号码相差 40 天") for r in rows]


@planter("G2-003")
def _two_heads(p: Planting) -> list[Planted]:
    rows = p.person_rows((p.column("与户主关系") == "配偶") & _not_monitored(p))
    p.set(rows, "与户主关系", "户主")
    return [Planted("G2-003", r, "配偶被录为户主，一户两个户主") for r in rows]


@planter("G2-004")
def _two_spouses(p: Planting) -> list[Planted]:
    has_spouse = _any_member(p, p.column("与户主关系") == "配偶")
    rows = p.person_rows(p.column("与户主关系").isin(["之子", "之女"]) & (_age(p) >= 20) & has_spouse & _not_monitored(p))
    p.set(rows, "与户主关系", "配偶")
    return [Planted("G2-004", r, "子女被录为配偶，一户两个配偶") for r in rows]


@planter("G2-005")
def _relation_sex(p: Planting) -> list[Planted]:
    return _person(p, "G2-005", (p.column("与户主关系") == "之子") & _not_monitored(p), "与户主关系", "之女",
                   "男性成员录为“之女”")


@planter("G2-006")
def _relation_age(p: Planting) -> list[Planted]:
    return _person(p, "G2-006", (p.column("与户主关系") == "之子") & (_age(p) >= 16) & _not_monitored(p),
                   "与户主关系", "之父", "比户主年轻的儿子录为“之父”")


@planter("G2-007")
def _household_size(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        p.set(rows, "家庭人口数", str(int(p.ledger.at[rows[0], "家庭人口数"]) + 1))
        _set_income(p, household, float(p.ledger.at[rows[0], "人均纯收入（元）"]))
    return _household_defect(p, "G2-007", _not_monitored(p), change, "家庭人口数比成员行数多 1")


@planter("G2-008")
def _per_capita(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        p.set(rows, "人均纯收入（元）", f"{float(p.ledger.at[rows[0], '人均纯收入（元）']) + 300:.2f}")
    return _household_defect(p, "G2-008", _not_monitored(p), change, "人均纯收入比 纯收入÷人口数 多 300 元")


@planter("G2-009")
def _net_income(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        p.set(rows, "工资性收入", f"{float(p.ledger.at[rows[0], '工资性收入']) + 800:.0f}")
    return _household_defect(p, "G2-009", _not_monitored(p), change, "工资性收入多计 800 元，纯收入不平衡")


@planter("G2-010")
def _household_field(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("与户主关系").isin(["配偶"]) & _not_monitored(p))
    p.set(rows, "户联系电话", "13912345678")
    return [Planted("G2-010", r, "同户成员的户联系电话不一致") for r in rows]


@planter("G2-011")
def _out_of_school(p: Planting) -> list[Planted]:
    """Also trips G3-404 (教体 shows the child 在读) and G5-003 (a not-monitored household with a
    G2-011 child), recorded too."""
    eligible = p.column("在校生状况").isin(["小学", "七年级", "八年级"]) & _not_monitored(p)
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
    eligible = able & (p.column("务工时间（月）") == "0") & (p.column("健康状况") == "健康") & _not_monitored(p) \
        & (able.groupby(p.column("户编号")).transform("sum") >= 2)
    return _person(p, "G2-013", eligible, "劳动技能", "无劳动力", "16–59 岁健康成年人录为无劳动力")


@planter("G2-014")
def _work(p: Planting) -> list[Planted]:
    return _person(p, "G2-014", (p.column("务工时间（月）") != "0") & _not_monitored(p), "务工所在地", "",
                   "务工时间大于 0 但务工所在地为空")


@planter("G2-015")
def _two_insurances(p: Planting) -> list[Planted]:
    return _person(p, "G2-015", _adult(p), "是否参加城镇职工基本医疗保险", "是", "城乡居民医保和职工医保同时为“是”")


@planter("G2-016")
def _household_type(p: Planting) -> list[Planted]:
    return _household_defect(p, "G2-016", _open_monitored(p) & (p.column("监测对象类别") == "脱贫不稳定户"),
                             lambda h: p.set(p.rows(h), "户类型", "普通农户"), "脱贫不稳定户的户类型录为普通农户")


@planter("G2-017")
def _elimination(p: Planting) -> list[Planted]:
    return _household_defect(p, "G2-017", _cleared(p), lambda h: p.set(p.rows(h), "消除监测时间", ""),
                             "风险已消除但消除监测时间为空")


@planter("G2-018")
def _risk_facts(p: Planting) -> list[Planted]:
    disabled = _any_member(p, p.column("健康状况") == "残疾")
    eligible = _open_monitored(p) & ~disabled & ~p.column("致贫/返贫风险").str.contains("因残")
    def change(household):
        rows = p.rows(household)
        p.set(rows, "致贫/返贫风险", "因残、" + p.ledger.at[rows[0], "致贫/返贫风险"])
        measures = p.ledger.at[rows[0], "帮扶措施"]
        if "社会帮扶" not in measures and "健康帮扶" not in measures:
            p.set(rows, "帮扶措施", measures + "、社会帮扶")
    return _household_defect(p, "G2-018", eligible, change, "风险类型含“因残”但家中无残疾成员")


@planter("G2-019")
def _able_tekun(p: Planting) -> list[Planted]:
    """The 民政 roster gets a matching 特困 row, so only G2-019 fires."""
    eligible = p.column("劳动技能").isin(["普通劳动力", "技能劳动力"]) & (_age(p) >= 18) & (_age(p) <= 59) \
        & (p.column("健康状况") == "健康") & _not_monitored(p)
    rows = p.person_rows(eligible)
    p.set(rows, "是否特困供养人员", "是")
    _add_minzheng(p, rows, "特困供养")
    return [Planted("G2-019", r, "有劳动能力的成年人录为特困供养人员") for r in rows]


def _add_minzheng(p: Planting, rows, kind: str) -> None:
    people = p.ledger.loc[rows]
    extra = pd.DataFrame({"姓名": people["姓名"], "证件号码": people["证件号码"], "救助类型": kind, "保障状态": "在保",
                          "乡镇": people["乡镇"], "行政村": people["行政村"]})
    p.rosters["民政"] = pd.concat([p.rosters["民政"], extra], ignore_index=True)


# --- G3 数据核准 ---------------------------------------------------------------------------------
# G3-001 is planted by the duplicated rows of G1-013.

@planter("G3-002")
def _shared_phone(p: Planting) -> list[Planted]:
    households = p.households(_not_monitored(p), count=4)
    for household in households:
        p.set(p.rows(household), "户联系电话", "13709170000")
    return [Planted("G3-002", r, "4 户登记同一个联系电话") for r in _households_rows(p, households)]


def _roster_rows(p: Planting, department: str, rows, column: str = "证件号码") -> pd.Index:
    roster = p.rosters[department]
    return roster.index[roster[column].isin(p.ledger.loc[rows, "证件号码"])]


@planter("G3-101")
def _minzheng_dibao_unmarked(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p) & (p.column("是否享受农村居民最低生活保障") != "是"))
    _add_minzheng(p, rows, "农村低保")
    return [Planted("G3-101", r, "民政名单在保低保，台账未标注低保", "民政") for r in rows]


@planter("G3-102")
def _dibao_without_minzheng(p: Planting) -> list[Planted]:
    """A head not already 低保 (who would have 民政's record, and nothing would be planted)."""
    eligible = _adult(p) & (p.column("是否享受农村居民最低生活保障") != "是")
    return _person(p, "G3-102", eligible, "是否享受农村居民最低生活保障", "是", "台账标注低保，民政无在保记录")


@planter("G3-103")
def _minzheng_tekun_unmarked(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p) & (p.column("是否特困供养人员") != "是"))
    _add_minzheng(p, rows, "特困供养")
    return [Planted("G3-103", r, "民政名单在保特困，台账未标注特困", "民政") for r in rows]


@planter("G3-104")
def _tekun_without_minzheng(p: Planting) -> list[Planted]:
    eligible = _not_monitored(p) & (_age(p) >= 60) & ~p.column("劳动技能").isin(["普通劳动力", "技能劳动力"])
    return _person(p, "G3-104", eligible, "是否特困供养人员", "是", "台账标注特困，民政无在保特困记录")


@planter("G3-201")
def _yibao_suspended(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    p.rosters["医保"].loc[_roster_rows(p, "医保", rows), "参保状态"] = "暂停参保"
    return [Planted("G3-201", r, "医保显示暂停参保", "医保") for r in rows]


@planter("G3-202")
def _ledger_uninsured(p: Planting) -> list[Planted]:
    return _person(p, "G3-202", _open_monitored(p) & (p.column("与户主关系") == "户主"),
                   "是否参加城乡居民基本医疗保险", "否", "台账录为未参保，医保显示正常参保")


@planter("G3-203")
def _insurance_kind(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    p.rosters["医保"].loc[_roster_rows(p, "医保", rows), "险种"] = "职工基本医疗保险"
    return [Planted("G3-203", r, "台账为城乡居民医保，医保显示职工医保", "医保") for r in rows]


@planter("G3-301")
def _dangerous_house(p: Planting) -> list[Planted]:
    rated = p.column("证件号码").isin(p.rosters["住建"]["户主证件号码"])
    rows = p.person_rows(_adult(p) & ~rated)
    people = p.ledger.loc[rows]
    extra = pd.DataFrame({"户主姓名": people["姓名"], "户主证件号码": people["证件号码"], "鉴定等级": "C级",
                          "改造状态": "改造中", "乡镇": people["乡镇"]})
    p.rosters["住建"] = pd.concat([p.rosters["住建"], extra], ignore_index=True)
    return [Planted("G3-301", r, "住建鉴定为C级且未竣工，台账未标注危房", "住建") for r in rows]


@planter("G3-302")
def _house_without_zhujian(p: Planting) -> list[Planted]:
    return _household_defect(p, "G3-302", _open_monitored(p), lambda h: p.set(p.rows(h), "是否危房户", "是"),
                             "台账标注危房户，住建无C/D级记录")


@planter("G3-401")
def _dropout(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("在校生状况").isin(["七年级", "八年级", "小学"]))
    p.rosters["教体"].loc[_roster_rows(p, "教体", rows), "学籍状态"] = "辍学"
    return [Planted("G3-401", r, "教体学籍显示辍学", "教体") for r in rows]


@planter("G3-402")
def _no_school_record(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("在校生状况").isin(["小学", "七年级"]))
    roster = p.rosters["教体"]
    p.rosters["教体"] = roster.drop(_roster_rows(p, "教体", rows)).reset_index(drop=True)
    return [Planted("G3-402", r, "台账在校，教体无学籍记录") for r in rows]


@planter("G3-403")
def _grade_differs(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("在校生状况") == "九年级")
    p.rosters["教体"].loc[_roster_rows(p, "教体", rows), "年级"] = "七年级"
    return [Planted("G3-403", r, "台账九年级，教体七年级", "教体") for r in rows]


@planter("G3-404")
def _enrolled_but_not_in_ledger(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("在校生状况").isin(["小学", "八年级"]))
    p.set(rows, "在校生状况", "")
    p.set(rows, "义务教育阶段未上学原因", "身体原因")
    return [Planted("G3-404", r, "台账未在校（填了原因），教体显示在读") for r in rows]


@planter("G3-501")
def _roster_name(p: Planting) -> list[Planted]:
    rows = p.person_rows(_adult(p))
    p.rosters["医保"].loc[_roster_rows(p, "医保", rows), "姓名"] = "王小明"
    return [Planted("G3-501", r, "医保名单同一证件号码姓名不同", "医保") for r in rows]


@planter("G3-502")
def _roster_id_typo(p: Planting) -> list[Planted]:
    """A 住建 A级 row whose 户主 ID has two adjacent digits swapped: only tier 2 can match it."""
    rated = p.rosters["住建"]
    grade_a = rated[rated["鉴定等级"] == "A级"]
    heads = p.column("证件号码").isin(grade_a["户主证件号码"]) & _not_monitored(p)
    rows = p.person_rows(heads & (p.column("证件号码").str.slice(8, 9) != p.column("证件号码").str.slice(9, 10)))
    target = _roster_rows(p, "住建", rows, "户主证件号码")
    ids = p.rosters["住建"].loc[target, "户主证件号码"]
    p.rosters["住建"].loc[target, "户主证件号码"] = ids.str.slice(0, 8) + ids.str.slice(9, 10) + ids.str.slice(8, 9) + ids.str.slice(10)
    return [Planted("G3-502", r, "住建名单中户主证件号码相邻两位颠倒", "住建") for r in rows]


# --- G4 督查指导 ---------------------------------------------------------------------------------

@planter("G4-001")
def _no_helper(p: Planting) -> list[Planted]:
    return _household_defect(p, "G4-001", _open_monitored(p), lambda h: p.set(p.rows(h), "帮扶责任人", ""),
                             "监测户未落实帮扶责任人", also=("G1-001",))


@planter("G4-002")
def _no_measures(p: Planting) -> list[Planted]:
    """Measures removed (G4-003/G4-004 may fire as well, depending on the household's risks)."""
    eligible = _open_monitored(p)
    return _household_defect(p, "G4-002", eligible, lambda h: p.set(p.rows(h), "帮扶措施", ""),
                             "监测户帮扶措施为空", also=("G1-001",))


@planter("G4-003")
def _measure_mismatch(p: Planting) -> list[Planted]:
    eligible = _open_monitored(p) & p.column("致贫/返贫风险").str.contains("因病") \
        & ~p.column("致贫/返贫风险").str.contains("因残") & ~p.column("帮扶措施").str.contains("综合保障")
    return _household_defect(p, "G4-003", eligible,
                             lambda h: p.set(p.rows(h), "帮扶措施", "就业帮扶"), "因病风险但无健康帮扶")


@planter("G4-004")
def _no_development(p: Planting) -> list[Planted]:
    identified = pd.to_datetime(p.column("识别监测时间"), errors="coerce")
    eligible = _open_monitored(p) & (p.column("帮扶措施") == "就业帮扶") \
        & (identified <= pd.Timestamp(p.as_of) - pd.DateOffset(months=7))
    return _household_defect(p, "G4-004", eligible, lambda h: p.set(p.rows(h), "帮扶措施", "社会帮扶"),
                             "有劳动力的监测户无开发式帮扶", also=("G4-003",))


@planter("G4-005")
def _no_labour_cleared(p: Planting) -> list[Planted]:
    eligible = _cleared(p) & _members(p, "在校生状况", [""]) & _members(p, "健康状况", ["健康", "长期慢性病"])
    return _household_defect(p, "G4-005", eligible, lambda h: _lose_labour(p, h), "全家无劳动能力却标注风险消除",
                             also=("G5-005",))


@planter("G4-006")
def _cleared_too_fast(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        identified = pd.Timestamp(p.ledger.at[rows[0], "识别监测时间"])
        p.set(rows, "消除监测时间", (identified + pd.DateOffset(months=3)).strftime("%Y-%m-%d"))
    return _household_defect(p, "G4-006", _cleared(p), change, "识别后 3 个月即标注风险消除")


@planter("G4-007")
def _cleared_below_line(p: Planting) -> list[Planted]:
    return _household_defect(p, "G4-007", _cleared(p), lambda h: _set_income(p, h, 6000),
                             "帮扶消除户人均纯收入 6000 元低于监测线")


@planter("G4-008")
def _cleared_with_water_problem(p: Planting) -> list[Planted]:
    return _household_defect(p, "G4-008", _cleared(p), lambda h: p.set(p.rows(h), "是否解决安全饮用水", "否"),
                             "已消除风险户饮水安全未解决")


@planter("G4-009")
def _special_cleared(p: Planting) -> list[Planted]:
    identified = pd.to_datetime(p.column("识别监测时间"), errors="coerce")
    eligible = _open_monitored(p) & (p.column("是否享受农村居民最低生活保障") == "是") \
        & (identified <= pd.Timestamp(p.as_of) - pd.DateOffset(months=7))
    def change(household):
        rows = p.rows(household)
        p.set(rows, "风险是否已消除", "是")
        p.set(rows, "风险消除方式", "帮扶消除")
        p.set(rows, "消除监测时间", (pd.Timestamp(p.as_of) - timedelta(days=10)).strftime("%Y-%m-%d"))
        _set_income(p, household, 9000)
    return _household_defect(p, "G4-009", eligible, change, "低保户标注风险消除（未缓退）")


@planter("G4-010")
def _dibao_without_social(p: Planting) -> list[Planted]:
    eligible = _open_monitored(p) & p.column("帮扶措施").str.contains("综合保障")
    return _household_defect(p, "G4-010", eligible,
                             lambda h: p.set(p.rows(h), "帮扶措施", p.ledger.at[p.rows(h)[0], "帮扶措施"].replace("、综合保障", "")),
                             "低保户帮扶措施缺少综合保障")


# --- G5 预警审查 ---------------------------------------------------------------------------------

@planter("G5-001")
def _below_line(p: Planting) -> list[Planted]:
    return _household_defect(p, "G5-001", _not_monitored(p), lambda h: _set_income(p, h, 5200),
                             "人均纯收入 5200 元低于监测线，未纳入监测")


@planter("G5-003")
def _unsafe_water(p: Planting) -> list[Planted]:
    return _household_defect(p, "G5-003", _not_monitored(p), lambda h: p.set(p.rows(h), "是否解决安全饮用水", "否"),
                             "饮水安全未解决，未纳入监测")


@planter("G5-004")
def _large_expense(p: Planting) -> list[Planted]:
    return _household_defect(p, "G5-004", _not_monitored(p), lambda h: p.set(p.rows(h), "合规自付支出", "18000"),
                             "合规自付医疗支出 18000 元，未纳入监测")


@planter("G5-005")
def _no_labour_no_welfare(p: Planting) -> list[Planted]:
    eligible = _not_monitored(p) & (_age(p) >= 60).groupby(p.column("户编号")).transform("all") \
        & _members(p, "是否特困供养人员", ["否"]) & _members(p, "是否享受农村居民最低生活保障", ["否"])
    return _household_defect(p, "G5-005", eligible, lambda h: _lose_labour(p, h), "全家丧失劳动力且无低保特困")


@planter("G5-006")
def _income_too_high(p: Planting) -> list[Planted]:
    eligible = _open_monitored(p) & p.column("监测对象类别").isin(["脱贫不稳定户", "边缘易致贫户"])
    return _household_defect(p, "G5-006", eligible, lambda h: _set_income(p, h, 25000), "监测户人均纯收入 25000 元")


@planter("G5-007")
def _income_too_low(p: Planting) -> list[Planted]:
    return _household_defect(p, "G5-007", _open_monitored(p), lambda h: _set_income(p, h, 1500), "人均纯收入仅 1500 元")


@planter("G5-008")
def _village_without_monitoring(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        p.set(rows, "行政村", "新建" + p.ledger.at[rows[0], "乡镇"][:2] + "村")
    return _household_defect(p, "G5-008", _not_monitored(p), change, "新建村只有一户且无监测户")


@planter("G5-009")
def _welfare_outside_ledger(p: Planting) -> list[Planted]:
    towns = sorted(p.column("乡镇").unique())[:PER_RULE]
    first17 = pd.Series([f"61032719600{301 + i:03d}10{i}" for i in range(len(towns))], dtype=TEXT).str.slice(0, 17)
    extra = pd.DataFrame({"姓名": ["柴秀兰", "袁德福"][:len(towns)], "证件号码": first17 + check_characters(first17),
                          "救助类型": "农村低保", "保障状态": "在保", "乡镇": towns, "行政村": ""})
    start = len(p.rosters["民政"])
    p.rosters["民政"] = pd.concat([p.rosters["民政"], extra], ignore_index=True)
    return [Planted("G5-009", -1, "民政在保低保人员不在台账中", "民政", start + i) for i in range(len(towns))]
