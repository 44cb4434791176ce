"""Planted defects for the 养老保险 rules (G2-020, G2-021) and the 人社 and 残联 rules (G3-7xx,
G3-8xx)."""

from __future__ import annotations

import pandas as pd

from .base import Planted, Planting, unmonitored_head, age, person, roster_rows, planter

RESIDENT_PENSION = "是否参加城乡居民基本养老保险"
EMPLOYEE_PENSION = "是否参加城镇职工基本养老保险"


def _insured_adult(p: Planting) -> pd.Series:
    """A household head in 城乡居民养老保险 (hence in the 人社 roster, 正常参保)."""
    return unmonitored_head(p) & (p.column(RESIDENT_PENSION) == "是")


def _set_renshe(p: Planting, rows, column: str, value: str) -> None:
    p.rosters["人社"].loc[roster_rows(p, "人社", rows), column] = value


@planter("G2-020")
def _both_pensions(p: Planting) -> list[Planted]:
    return person(p, "G2-020", _insured_adult(p), EMPLOYEE_PENSION, "是", "两项养老保险都为是")


@planter("G2-021")
def _no_pension(p: Planting) -> list[Planted]:
    """人社 shows 未参保 too, so the ledger and 人社 agree and only G2-021 fires."""
    rows = p.person_rows(_insured_adult(p))
    p.set(rows, RESIDENT_PENSION, "否")
    _set_renshe(p, rows, "养老保险参保状态", "未参保")
    return [Planted("G2-021", r, "成年人两项养老保险都为否", "人社") for r in rows]


@planter("G3-701")
def _pension_ended(p: Planting) -> list[Planted]:
    rows = p.person_rows(_insured_adult(p))
    _set_renshe(p, rows, "养老保险参保状态", "终止")
    return [Planted("G3-701", r, "台账参加养老保险，人社显示终止", "人社") for r in rows]


@planter("G3-702")
def _ledger_pension_wrong(p: Planting) -> list[Planted]:
    """The ledger says 否 while 人社 shows 正常参保; G2-021 (an unmonitored_head without pension) fires too."""
    rows = p.person_rows(_insured_adult(p))
    p.set(rows, RESIDENT_PENSION, "否")
    return [Planted(rule, r, "台账养老保险为否，人社显示正常参保", "人社") for r in rows for rule in ("G3-702", "G2-021")]


@planter("G3-703")
def _working_but_unemployed(p: Planting) -> list[Planted]:
    working = pd.to_numeric(p.column("务工时间（月）"), errors="coerce").fillna(0) >= 6
    rows = p.person_rows(working & (p.column(RESIDENT_PENSION) == "是"))
    _set_renshe(p, rows, "就业状态", "未就业")
    return [Planted("G3-703", r, "台账务工 6 个月以上，人社显示未就业", "人社") for r in rows]


def _add_certificates(p: Planting, rows, status: str = "有效") -> None:
    people = p.ledger.loc[rows]
    extra = pd.DataFrame({"姓名": people["姓名"], "证件号码": people["证件号码"], "残疾人证号": people["证件号码"] + "41",
                          "残疾类别": "肢体", "残疾等级": "四级", "持证状态": status, "乡镇": people["乡镇"]})
    p.rosters["残联"] = pd.concat([p.rosters["残联"], extra], ignore_index=True)


@planter("G3-801")
def _certificate_not_in_ledger(p: Planting) -> list[Planted]:
    rows = p.person_rows(unmonitored_head(p) & (p.column("健康状况") == "健康") & (age(p) < 60))
    _add_certificates(p, rows)
    return [Planted("G3-801", r, "残联有有效残疾人证，台账健康状况为健康", "残联") for r in rows]


def _disabled(p: Planting) -> pd.Series:
    return (p.column("健康状况") == "残疾") & p.column("证件号码").isin(p.rosters["残联"]["证件号码"])


@planter("G3-802")
def _certificate_cancelled(p: Planting) -> list[Planted]:
    rows = p.person_rows(_disabled(p))
    p.rosters["残联"].loc[roster_rows(p, "残联", rows), "持证状态"] = "注销"
    return [Planted("G3-802", r, "台账残疾，残联残疾人证已注销", "残联") for r in rows]


@planter("G3-803")
def _certificate_number_differs(p: Planting) -> list[Planted]:
    """The ledger holds the certificate (证件类型 残疾人证) with two other last digits than 残联's."""
    rows = p.person_rows(_disabled(p))
    p.set(rows, "证件类型", "残疾人证")
    p.set(rows, "证件号码", p.column("证件号码")[rows] + "99")
    return [Planted("G3-803", r, "台账残疾人证号与残联不一致", "残联") for r in rows]
