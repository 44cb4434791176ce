"""What every planter shares: a planted defect, the county being planted, and helpers.

A planter is a small function marked with the rule ID it plants for (`@planter("G1-001")`), in the
module of planters/ named like the module of the rule. It receives a `Planting` (the ledger and
rosters being mutated, and a chooser of fresh households) and returns the ledger rows it broke.
One defect per household, so that a recall test is unambiguous; the ground truth (planted.csv) is
built from what the planters return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import numpy as np
import pandas as pd


PER_RULE = 2
TWIN_COLUMN = "失学或辍学原因"   # the national export's second column for 义务教育阶段未上学原因 (G1-014)


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


def planter(rule_id: str):
    """Mark a function as the planter of `rule_id` (sample/plant.py collects the marked functions of
    the modules it lists; marking registers nothing)."""
    def mark(function: Planter) -> Planter:
        function.plants = rule_id
        return function
    return mark


def household_state(ledger: pd.DataFrame, plant: Planted) -> int | None:
    """A digest of the planted row's household as it stands. A later planter that changed the
    household (planters take fresh households, so that is interference) may have undone the plant:
    G3-103 relies on 是否特困供养人员 not being 是, which another planter could set."""
    if plant.row < 0:
        return None
    household = ledger[ledger["户编号"] == ledger.at[plant.row, "户编号"]]
    # G1-014's planter adds its second column to every row: that changes no earlier plant.
    household = household.drop(columns=[TWIN_COLUMN], errors="ignore")
    # Compared within one plant_all call only, so Python's own string hash will do; the values'
    # repr as one string (a per-column hash of a few rows costs more than the planting itself).
    return hash(repr((household.index.tolist(), household.to_numpy(dtype=object).tolist())))


def person(p: Planting, rule_id: str, eligible: pd.Series, column: str, value, note: str) -> list[Planted]:
    rows = p.person_rows(eligible)
    p.set(rows, column, value)
    return [Planted(rule_id, r, note) for r in rows]


def unmonitored_head(p: Planting) -> pd.Series:
    """The 户主 of a household that is not monitored."""
    return (p.column("与户主关系") == "户主") & (p.column("监测对象类别") == "")


def households_rows(p: Planting, households: list[str]) -> list[int]:
    return [int(p.rows(h)[0]) for h in households]


def set_income(p: Planting, household: str, per_capita: float) -> None:
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


def household_defect(p: Planting, rule_id: str, eligible: pd.Series, change, note: str,
                      also: tuple[str, ...] = ()) -> list[Planted]:
    households = p.households(eligible)
    for household in households:
        change(household)
    rows = households_rows(p, households)
    return [Planted(r_id, r, note) for r in rows for r_id in (rule_id, *also)]


def lose_labour(p: Planting, household: str) -> None:
    """Every member 丧失劳动力, and so nobody works any more (G2-014 stays quiet)."""
    rows = p.rows(household)
    p.set(rows, "劳动技能", "丧失劳动力")
    p.set(rows, "务工所在地", "")
    p.set(rows, "务工时间（月）", "0")


def members(p: Planting, column: str, values) -> pd.Series:
    """Whether every member of the row's household has `column` in `values`."""
    return p.column(column).isin(values).groupby(p.column("户编号")).transform("all")


def any_member(p: Planting, mask: pd.Series) -> pd.Series:
    return mask.groupby(p.column("户编号")).transform("any")


def cleared(p: Planting) -> pd.Series:
    return p.column("风险是否已消除") == "是"


def not_monitored(p: Planting) -> pd.Series:
    return p.column("监测对象类别") == ""


def open_monitored(p: Planting) -> pd.Series:
    return (p.column("监测对象类别") != "") & (p.column("风险是否已消除") == "否")


def age(p: Planting) -> pd.Series:
    """Age at the as-of date, from the (clean) 出生日期 column."""
    born = pd.to_datetime(p.column("出生日期"), errors="coerce")
    return ((pd.Timestamp(p.as_of) - born).dt.days // 365.25).astype("Int64")


def add_minzheng(p: Planting, rows, kind: str) -> None:
    people = p.ledger.loc[rows]
    extra = pd.DataFrame({"姓名": people["姓名"], "证件号码": people["证件号码"], "救助类型": kind, "保障状态": "在保",
                          "乡镇": people["乡镇"], "行政村": people["行政村"]})
    p.rosters["民政"] = pd.concat([p.rosters["民政"], extra], ignore_index=True)


def roster_rows(p: Planting, department: str, rows, column: str = "证件号码") -> pd.Index:
    roster = p.rosters[department]
    return roster.index[roster[column].isin(p.ledger.loc[rows, "证件号码"])]
