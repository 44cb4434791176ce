"""Planted defects for the rules on the national export's own columns (公益岗位, land, living
conditions, 风险消除后, 医疗救助) and on its other tables (户信息, the 务工 tables, 行政村信息).

Same contract as every planter (planters/base.py): each planter takes fresh households and returns what it broke; a
defect on a table row (one the ledger does not hold) is a Planted with row -1 and the table's name
and position. Table rows are only changed in place or dropped before any table row is planted on,
so that the positions returned stay true.
"""

from __future__ import annotations

import functools

import pandas as pd

from ...frame import TEXT
from ...identity import check_characters
from .base import PER_RULE, Planted, Planting, cleared, household_defect, not_monitored, planter

POST_MONTHS = "公益性岗位（月数）"
LABOURERS = ("普通劳动力", "技能劳动力")


def table_planter(rule_id: str, table: str):
    """A planter of a rule on a national table: it plants nothing in a sample without that table
    (the province and two-quarter samples have only the ledger and the rosters)."""
    def mark(function):
        @functools.wraps(function)
        def plant_if_present(p: Planting) -> list[Planted]:
            return function(p) if table in p.rosters else []
        return planter(rule_id)(plant_if_present)
    return mark


def _poor_household(p: Planting) -> pd.Series:
    return (p.column("户类型") == "脱贫户") & not_monitored(p)


def _ledger_positions(p: Planting, name: str, rows: list[int]) -> pd.Index:
    """The rows of table `name` with the IDs of the given ledger rows."""
    table = p.rosters[name]
    return table.index[table["证件号码"].isin(p.ledger.loc[rows, "证件号码"])]


def _drop(p: Planting, name: str, positions: pd.Index) -> None:
    p.rosters[name] = p.rosters[name].drop(positions).reset_index(drop=True)


@planter("G2-022")
def _post_without_months(p: Planting) -> list[Planted]:
    return household_defect(p, "G2-022", p.column(POST_MONTHS) != "",
                             lambda h: p.set(p.rows(h), POST_MONTHS, ""), "公益岗位帮扶户未填公益性岗位月数")


@planter("G2-023")
def _post_without_labour(p: Planting) -> list[Planted]:
    eligible = (p.column("监测对象类别") != "") & (p.column("劳动技能") == "丧失劳动力") & ~p.column("帮扶措施").str.contains("公益岗位")
    rows = p.person_rows(eligible)
    p.set(rows, POST_MONTHS, "12")
    p.set(rows, "公益性岗位说明", "保洁员")
    for row in rows:
        p.set(p.rows(p.ledger.at[row, "户编号"]), "帮扶措施", p.ledger.at[row, "帮扶措施"] + "、公益岗位帮扶")
    return [Planted("G2-023", r, "丧失劳动力者担任公益岗位 12 个月") for r in rows]


@planter("G2-024")
def _land_too_large(p: Planting) -> list[Planted]:
    return household_defect(p, "G2-024", _poor_household(p), lambda h: p.set(p.rows(h), "耕地面积（亩）", "1500"),
                             "耕地面积填为 1500 亩（按平方米误填）")


@planter("G4-013")
def _risk_back(p: Planting) -> list[Planted]:
    return household_defect(p, "G4-013", cleared(p), lambda h: p.set(p.rows(h), "风险消除后是否住房损毁", "是"),
                             "风险消除后住房损毁")


def _living_defect(rule_id: str, column: str, note: str):
    def plant(p: Planting) -> list[Planted]:
        return household_defect(p, rule_id, _poor_household(p), lambda h: p.set(p.rows(h), column, "否"), note)
    return plant


_no_electricity = planter("G5-010")(_living_defect("G5-010", "是否通生活用电", "脱贫户未通生活用电"))
_no_toilet = planter("G5-011")(_living_defect("G5-011", "是否有卫生厕所", "脱贫户无卫生厕所"))
_road_not_hardened = planter("G5-012")(_living_defect("G5-012", "入户道路是否硬化", "脱贫户入户道路未硬化"))


@planter("G5-013")
def _expense_without_aid(p: Planting) -> list[Planted]:
    return household_defect(p, "G5-013", p.column("监测对象类别") != "", lambda h: p.set(p.rows(h), "合规自付支出", "26000"),
                             "监测户合规自付支出 26000 元，未接受医疗救助")


@table_planter("G3-601", "户信息")
def _household_table_mismatch(p: Planting) -> list[Planted]:
    """Both directions of 户信息 in one planter, the drop first: a person's 户信息 row removed
    (G3-602), then a 户信息 row for someone the ledger does not have (G3-601), appended last."""
    missing = p.person_rows(not_monitored(p) & (p.column("与户主关系") != "户主"))
    _drop(p, "户信息", _ledger_positions(p, "户信息", missing))
    table = p.rosters["户信息"]
    hosts = table[table["户编号"].isin(p.households(not_monitored(p)))].drop_duplicates("户编号")
    first17 = pd.Series([f"61032719580{304 + i:03d}21{i}" for i in range(len(hosts))], dtype=TEXT).str.slice(0, 17)
    extra = hosts.assign(姓名=["郝来福", "葛凤英"][:len(hosts)], 证件号码=(first17 + check_characters(first17)).to_numpy())
    start = len(table)
    p.rosters["户信息"] = pd.concat([table, extra], ignore_index=True).astype(TEXT)
    return ([Planted("G3-602", r, "户信息中缺少该成员") for r in missing]
            + [Planted("G3-601", -1, "户信息中多出台账没有的成员", "户信息", start + i) for i in range(len(hosts))])


@table_planter("G3-603", "已外出务工")
def _months_without_employment_record(p: Planting) -> list[Planted]:
    rows = p.person_rows(pd.to_numeric(p.column("务工时间（月）"), errors="coerce").fillna(0) > 0)
    _drop(p, "已外出务工", _ledger_positions(p, "已外出务工", rows))
    return [Planted("G3-603", r, "台账有务工时间，务工月监测无此人") for r in rows]


@table_planter("G3-604", "已外出务工")
def _employment_record_without_months(p: Planting) -> list[Planted]:
    rows = p.person_rows(pd.to_numeric(p.column("务工时间（月）"), errors="coerce").fillna(0) > 0)
    p.set(rows, "务工时间（月）", "0")
    p.set(rows, "务工所在地", "")
    return [Planted("G3-604", r, "已外出务工为已务工，台账务工时间为 0") for r in rows]


@table_planter("G3-605", "已外出务工")
def _employment_channel_empty(p: Planting) -> list[Planted]:
    table = p.rosters["已外出务工"]
    households = p.households(p.column("证件号码").isin(table["证件号码"]))
    positions = table[table["户编号"].isin(households)].drop_duplicates("户编号").index
    p.rosters["已外出务工"].loc[positions, "就业渠道"] = ""
    return [Planted("G3-605", -1, "已务工人员就业渠道为空", "已外出务工", int(i)) for i in positions]


@table_planter("G3-606", "计划外出务工")
def _labourer_without_plan(p: Planting) -> list[Planted]:
    table = p.rosters["计划外出务工"]
    rows = p.person_rows(p.column("证件号码").isin(table["证件号码"]))
    _drop(p, "计划外出务工", _ledger_positions(p, "计划外出务工", rows))
    return [Planted("G3-606", r, "劳动力无务工无计划") for r in rows]


@table_planter("G5-014", "行政村")
def _village_count_too_small(p: Planting) -> list[Planted]:
    dibao = p.ledger[p.column("是否享受农村居民最低生活保障") == "是"]
    villages = p.rosters["行政村"]
    with_dibao = (villages["乡镇"] + "/" + villages["行政村"]).isin(set(dibao["乡镇"] + "/" + dibao["行政村"]))
    positions = villages.index[with_dibao][:PER_RULE]
    p.rosters["行政村"].loc[positions, "低保户数"] = "0"
    return [Planted("G5-014", -1, "行政村信息低保户数为 0，台账该村有低保户", "行政村", int(i)) for i in positions]


@table_planter("G5-015", "行政村")
def _exited_village_empty(p: Planting) -> list[Planted]:
    villages = p.rosters["行政村"]
    positions = villages.index[(villages["是否出列"] == "是") & (villages["低保户数"] != "0")][:PER_RULE]
    p.rosters["行政村"].loc[positions, "总人口数"] = "0"
    return [Planted("G5-015", -1, "出列村总人口数为 0", "行政村", int(i)) for i in positions]
