"""Planted defects for the G4 督查指导 rules."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from .base import (
    Planted, Planting, cleared, household_defect, lose_labour, members, open_monitored, planter, set_income)


@planter("G4-001")
def _no_helper(p: Planting) -> list[Planted]:
    return household_defect(p, "G4-001", open_monitored(p), lambda h: p.set(p.rows(h), "帮扶责任人", ""),
                             "监测户未落实帮扶责任人", also=("G1-001",))


@planter("G4-002")
def _no_measures(p: Planting) -> list[Planted]:
    """Measures removed (G4-003/G4-004 may fire as well, depending on the household's risks)."""
    eligible = open_monitored(p)
    return household_defect(p, "G4-002", eligible, lambda h: p.set(p.rows(h), "帮扶措施", ""),
                             "监测户帮扶措施为空", also=("G1-001",))


@planter("G4-003")
def _measure_mismatch(p: Planting) -> list[Planted]:
    eligible = open_monitored(p) & p.column("致贫/返贫风险").str.contains("因病") \
        & ~p.column("致贫/返贫风险").str.contains("因残") & ~p.column("帮扶措施").str.contains("综合保障")
    return household_defect(p, "G4-003", eligible,
                             lambda h: p.set(p.rows(h), "帮扶措施", "就业帮扶"), "因病风险但无健康帮扶")


@planter("G4-004")
def _no_development(p: Planting) -> list[Planted]:
    identified = pd.to_datetime(p.column("识别监测时间"), errors="coerce")
    eligible = open_monitored(p) & (p.column("帮扶措施") == "就业帮扶") \
        & (identified <= pd.Timestamp(p.as_of) - pd.DateOffset(months=7))
    return household_defect(p, "G4-004", eligible, lambda h: p.set(p.rows(h), "帮扶措施", "社会帮扶"),
                             "有劳动力的监测户无开发式帮扶", also=("G4-003",))


@planter("G4-005")
def _no_labour_cleared(p: Planting) -> list[Planted]:
    eligible = cleared(p) & members(p, "在校生状况", [""]) & members(p, "健康状况", ["健康", "长期慢性病"])
    return household_defect(p, "G4-005", eligible, lambda h: lose_labour(p, h), "全家无劳动能力却标注风险消除",
                             also=("G5-005",))


@planter("G4-006")
def _cleared_too_fast(p: Planting) -> list[Planted]:
    def change(household):
        rows = p.rows(household)
        identified = pd.Timestamp(p.ledger.at[rows[0], "识别监测时间"])
        p.set(rows, "消除监测时间", (identified + pd.DateOffset(months=3)).strftime("%Y-%m-%d"))
    return household_defect(p, "G4-006", cleared(p), change, "识别后 3 个月即标注风险消除")


@planter("G4-007")
def _cleared_below_line(p: Planting) -> list[Planted]:
    return household_defect(p, "G4-007", cleared(p), lambda h: set_income(p, h, 6000),
                             "帮扶消除户人均纯收入 6000 元低于监测线")


@planter("G4-008")
def _cleared_with_water_problem(p: Planting) -> list[Planted]:
    return household_defect(p, "G4-008", cleared(p), lambda h: p.set(p.rows(h), "是否解决安全饮用水", "否"),
                             "已消除风险户饮水安全未解决")


@planter("G4-009")
def _special_cleared(p: Planting) -> list[Planted]:
    identified = pd.to_datetime(p.column("识别监测时间"), errors="coerce")
    eligible = open_monitored(p) & (p.column("是否享受农村居民最低生活保障") == "是") \
        & (identified <= pd.Timestamp(p.as_of) - pd.DateOffset(months=7))
    def change(household):
        rows = p.rows(household)
        p.set(rows, "风险是否已消除", "是")
        p.set(rows, "风险消除方式", "帮扶消除")
        p.set(rows, "消除监测时间", (pd.Timestamp(p.as_of) - timedelta(days=10)).strftime("%Y-%m-%d"))
        set_income(p, household, 9000)
    return household_defect(p, "G4-009", eligible, change, "低保户标注风险消除（未缓退）")


@planter("G4-010")
def _dibao_without_social(p: Planting) -> list[Planted]:
    eligible = open_monitored(p) & p.column("帮扶措施").str.contains("综合保障")
    return household_defect(p, "G4-010", eligible,
                             lambda h: p.set(p.rows(h), "帮扶措施", p.ledger.at[p.rows(h)[0], "帮扶措施"].replace("、综合保障", "")),
                             "低保户帮扶措施缺少综合保障")
