"""Planted defects for the G1 采集录入 rules."""

from __future__ import annotations

import pandas as pd

from ...identity import check_characters
from .base import Planted, Planting, TWIN_COLUMN, unmonitored_head, person, planter


@planter("G1-001")
def _empty_required(p: Planting) -> list[Planted]:
    return person(p, "G1-001", unmonitored_head(p), "民族", "", "民族留空")


@planter("G1-002")
def _malformed_id(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    p.set(rows, "证件号码", p.column("证件号码")[rows].str.slice(0, 16))
    return [Planted("G1-002", r, "证件号码截短为 16 位") for r in rows]


@planter("G1-003")
def _checksum(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    ids = p.column("证件号码")[rows]
    last = ids.str.slice(17, 18).map(lambda c: "0" if c == "1" else "1")
    p.set(rows, "证件号码", ids.str.slice(0, 17) + last)
    return [Planted("G1-003", r, "校验位改错") for r in rows]


@planter("G1-004")
def _birth_date(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    ids = p.column("证件号码")[rows]
    first17 = ids.str.slice(0, 10) + "1332" + ids.str.slice(14, 17)    # 13th month, 32nd day
    p.set(rows, "证件号码", first17 + check_characters(first17))
    return [Planted("G1-004", r, "证件号码中的出生日期为 13 月 32 日") for r in rows]


@planter("G1-005")
def _region(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    ids = p.column("证件号码")[rows]
    first17 = "619999" + ids.str.slice(6, 17)
    p.set(rows, "证件号码", first17 + check_characters(first17))
    return [Planted("G1-005", r, "地区码改为不存在的 619999") for r in rows]


@planter("G1-006")
def _id_as_number(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    p.set(rows, "证件号码", p.column("证件号码")[rows].map(lambda i: f"{float(i):.5E}" if i.isdigit() else "6.10327E+17"))
    return [Planted("G1-006", r, "证件号码以科学计数法数字存储") for r in rows]


@planter("G1-007")
def _placeholder(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p))
    p.set(rows, "证件号码", "999999" + p.column("证件号码")[rows].str.slice(6, 18))
    return [Planted("G1-007", r, "999999 开头的占位号码") for r in rows]


@planter("G1-008")
def _code(p: Planting) -> list[Planted]:
    return person(p, "G1-008", unmonitored_head(p), "劳动技能", "能干活", "劳动技能填了代码表外的值")


@planter("G1-009")
def _number(p: Planting) -> list[Planted]:
    households = p.households(unmonitored_head(p))
    rows = [r for h in households for r in p.rows(h)]
    p.set(rows, "合规自付支出", "-200")
    return [Planted("G1-009", int(p.rows(h)[0]), "合规自付支出为负数") for h in households]


@planter("G1-010")
def _date(p: Planting) -> list[Planted]:
    return person(p, "G1-010", unmonitored_head(p), "出生日期", "1990-02-30", "出生日期为不存在的日期")


@planter("G1-011")
def _phone(p: Planting) -> list[Planted]:
    households = p.households(unmonitored_head(p))
    for h in households:
        p.set(p.rows(h), "户联系电话", "1380000")
    return [Planted("G1-011", int(p.rows(h)[0]), "户联系电话只有 7 位") for h in households]


@planter("G1-012")
def _name(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p) & (p.column("户主姓名") != ""))
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
    rows = p.person_rows(unmonitored_head(p) & (p.column("家庭人口数") != "1"))
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
    return person(p, "G1-014", unmonitored_head(p), TWIN_COLUMN, "疾病", "失学或辍学原因与义务教育阶段未上学原因不一致")
