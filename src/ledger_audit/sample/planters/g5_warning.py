"""Planted defects for the G5 预警审查 rules."""

from __future__ import annotations

import pandas as pd

from ...frame import TEXT
from ...identity import check_characters
from .base import (
    PER_RULE, Planted, Planting, age, household_defect, lose_labour, members, not_monitored, open_monitored,
    planter, set_income)


@planter("G5-001")
def _below_line(p: Planting) -> list[Planted]:
    return household_defect(p, "G5-001", not_monitored(p), lambda h: set_income(p, h, 5200),
                             "人均纯收入 5200 元低于监测线，未纳入监测")


@planter("G5-003")
def _unsafe_water(p: Planting) -> list[Planted]:
    return household_defect(p, "G5-003", not_monitored(p), lambda h: p.set(p.rows(h), "是否解决安全饮用水", "否"),
                             "饮水安全未解决，未纳入监测")


@planter("G5-004")
def _large_expense(p: Planting) -> list[Planted]:
    return household_defect(p, "G5-004", not_monitored(p), lambda h: p.set(p.rows(h), "合规自付支出", "18000"),
                             "合规自付医疗支出 18000 元，未纳入监测")


@planter("G5-005")
def _no_labour_no_welfare(p: Planting) -> list[Planted]:
    eligible = not_monitored(p) & (age(p) >= 60).groupby(p.column("户编号")).transform("all") \
        & members(p, "是否特困供养人员", ["否"]) & members(p, "是否享受农村居民最低生活保障", ["否"])
    return household_defect(p, "G5-005", eligible, lambda h: lose_labour(p, h), "全家丧失劳动力且无低保特困")


@planter("G5-006")
def _income_too_high(p: Planting) -> list[Planted]:
    eligible = open_monitored(p) & p.column("监测对象类别").isin(["脱贫不稳定户", "边缘易致贫户"])
    return household_defect(p, "G5-006", eligible, lambda h: set_income(p, h, 25000), "监测户人均纯收入 25000 元")


@planter("G5-007")
def _income_too_low(p: Planting) -> list[Planted]:
    return household_defect(p, "G5-007", open_monitored(p), lambda h: set_income(p, h, 1500), "人均纯收入仅 1500 元")


@planter("G5-008")
def _village_without_monitoring(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        p.set(rows, "行政村", "新建" + p.ledger.at[rows[0], "乡镇"][:2] + "村")
    return household_defect(p, "G5-008", not_monitored(p), change, "新建村只有一户且无监测户")


@planter("G5-009")
def _welfare_outside_ledger(p: Planting) -> list[Planted]:
    towns = sorted(p.column("乡镇").unique())[:PER_RULE]
    first17 = pd.Series([f"61032719600{301 + i:03d}10{i}" for i in range(len(towns))], dtype=TEXT).str.slice(0, 17)
    extra = pd.DataFrame({"姓名": ["柴秀兰", "袁德福"][:len(towns)], "证件号码": first17 + check_characters(first17),
                          "救助类型": "农村低保", "保障状态": "在保", "乡镇": towns, "行政村": ""})
    start = len(p.rosters["民政"])
    p.rosters["民政"] = pd.concat([p.rosters["民政"], extra], ignore_index=True)
    return [Planted("G5-009", -1, "民政在保低保人员不在台账中", "民政", start + i) for i in range(len(towns))]
