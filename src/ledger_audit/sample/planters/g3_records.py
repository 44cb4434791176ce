"""Planted defects for the G3 数据核准: the ledger against itself and the department rosters rules."""

from __future__ import annotations

import pandas as pd

from .base import (
    Planted, Planting, add_minzheng, unmonitored_head, age, household_defect, households_rows, not_monitored, open_monitored,
    person, planter, roster_rows)

# G3-001 is planted by the duplicated rows of G1-013.

@planter("G3-002")
def _shared_phone(p: Planting) -> list[Planted]:
    households = p.households(not_monitored(p), count=4)
    for household in households:
        p.set(p.rows(household), "户联系电话", "13709170000")
    return [Planted("G3-002", r, "4 户登记同一个联系电话") for r in households_rows(p, households)]


@planter("G3-101")
def _minzheng_dibao_unmarked(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p) & (p.column("是否享受农村居民最低生活保障") != "是"))
    add_minzheng(p, rows, "农村低保")
    return [Planted("G3-101", r, "民政名单在保低保，台账未标注低保", "民政") for r in rows]


@planter("G3-102")
def _dibao_without_minzheng(p: Planting) -> list[Planted]:
    """A head not already 低保 (who would have 民政's record, and nothing would be planted)."""
    eligible = unmonitored_head(p) & (p.column("是否享受农村居民最低生活保障") != "是")
    return person(p, "G3-102", eligible, "是否享受农村居民最低生活保障", "是", "台账标注低保，民政无在保记录")


@planter("G3-103")
def _minzheng_tekun_unmarked(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p) & (p.column("是否特困供养人员") != "是"))
    add_minzheng(p, rows, "特困供养")
    return [Planted("G3-103", r, "民政名单在保特困，台账未标注特困", "民政") for r in rows]


@planter("G3-104")
def _tekun_without_minzheng(p: Planting) -> list[Planted]:
    """A person not already 特困 (who would have 民政's record, and nothing would be planted)."""
    eligible = not_monitored(p) & (age(p) >= 60) & ~p.column("劳动技能").isin(["普通劳动力", "技能劳动力"]) \
        & (p.column("是否特困供养人员") != "是")
    return person(p, "G3-104", eligible, "是否特困供养人员", "是", "台账标注特困，民政无在保特困记录")


@planter("G3-201")
def _yibao_suspended(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    p.rosters["医保"].loc[roster_rows(p, "医保", rows), "参保状态"] = "暂停参保"
    return [Planted("G3-201", r, "医保显示暂停参保", "医保") for r in rows]


@planter("G3-202")
def _ledger_uninsured(p: Planting) -> list[Planted]:
    return person(p, "G3-202", open_monitored(p) & (p.column("与户主关系") == "户主"),
                   "是否参加城乡居民基本医疗保险", "否", "台账录为未参保，医保显示正常参保")


@planter("G3-203")
def _insurance_kind(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    p.rosters["医保"].loc[roster_rows(p, "医保", rows), "险种"] = "职工基本医疗保险"
    return [Planted("G3-203", r, "台账为城乡居民医保，医保显示职工医保", "医保") for r in rows]


@planter("G3-301")
def _dangerous_house(p: Planting) -> list[Planted]:
    rated = p.column("证件号码").isin(p.rosters["住建"]["户主证件号码"])
    rows = p.person_rows(unmonitored_head(p) & ~rated)
    people = p.ledger.loc[rows]
    extra = pd.DataFrame({"户主姓名": people["姓名"], "户主证件号码": people["证件号码"], "鉴定等级": "C级",
                          "改造状态": "改造中", "乡镇": people["乡镇"]})
    p.rosters["住建"] = pd.concat([p.rosters["住建"], extra], ignore_index=True)
    return [Planted("G3-301", r, "住建鉴定为C级且未竣工，台账未标注危房", "住建") for r in rows]


@planter("G3-302")
def _house_without_zhujian(p: Planting) -> list[Planted]:
    return household_defect(p, "G3-302", open_monitored(p), lambda h: p.set(p.rows(h), "是否危房户", "是"),
                             "台账标注危房户，住建无C/D级记录")


@planter("G3-401")
def _dropout(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("在校生状况").isin(["七年级", "八年级", "小学"]))
    p.rosters["教体"].loc[roster_rows(p, "教体", rows), "学籍状态"] = "辍学"
    return [Planted("G3-401", r, "教体学籍显示辍学", "教体") for r in rows]


@planter("G3-402")
def _no_school_record(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("在校生状况").isin(["小学", "七年级"]))
    roster = p.rosters["教体"]
    p.rosters["教体"] = roster.drop(roster_rows(p, "教体", rows)).reset_index(drop=True)
    return [Planted("G3-402", r, "台账在校，教体无学籍记录") for r in rows]


@planter("G3-403")
def _grade_differs(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("在校生状况") == "九年级")
    p.rosters["教体"].loc[roster_rows(p, "教体", rows), "年级"] = "七年级"
    return [Planted("G3-403", r, "台账九年级，教体七年级", "教体") for r in rows]


@planter("G3-404")
def _enrolled_but_not_in_ledger(p: Planting) -> list[Planted]:
    rows = p.person_rows(p.column("在校生状况").isin(["小学", "八年级"]))
    p.set(rows, "在校生状况", "")
    p.set(rows, "义务教育阶段未上学原因", "身体原因")
    return [Planted("G3-404", r, "台账未在校（填了原因），教体显示在读") for r in rows]


@planter("G3-501")
def _roster_name(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    p.rosters["医保"].loc[roster_rows(p, "医保", rows), "姓名"] = "王小明"
    return [Planted("G3-501", r, "医保名单同一证件号码姓名不同", "医保") for r in rows]


@planter("G3-502")
def _roster_id_typo(p: Planting) -> list[Planted]:
    """A 住建 A级 row whose 户主 ID has two adjacent digits swapped: only tier 2 can match it."""
    rated = p.rosters["住建"]
    grade_a = rated[rated["鉴定等级"] == "A级"]
    heads = p.column("证件号码").isin(grade_a["户主证件号码"]) & not_monitored(p)
    rows = p.person_rows(heads & (p.column("证件号码").str.slice(8, 9) != p.column("证件号码").str.slice(9, 10)))
    target = roster_rows(p, "住建", rows, "户主证件号码")
    ids = p.rosters["住建"].loc[target, "户主证件号码"]
    p.rosters["住建"].loc[target, "户主证件号码"] = ids.str.slice(0, 8) + ids.str.slice(9, 10) + ids.str.slice(8, 9) + ids.str.slice(10)
    return [Planted("G3-502", r, "住建名单中户主证件号码相邻两位颠倒", "住建") for r in rows]
