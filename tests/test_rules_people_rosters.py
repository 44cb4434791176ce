"""The 养老保险 (G2-020/021), 人社 (G3-7xx) and 残联 (G3-8xx) rules on a small clean county with one
cell changed: each fires on that person, and not on the clean county or the near miss."""

from datetime import date

import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, Thresholds
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_ledger, load_roster
from ledger_audit.sample.build import build_sample

CATALOG = load_catalog()
AS_OF = date(2022, 6, 30)
RULES = ("G2-020", "G2-021", "G3-701", "G3-702", "G3-703", "G3-801", "G3-802", "G3-803")


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    paths = build_sample(tmp_path_factory.mktemp("c"), 80, 21, AS_OF, with_defects=False)
    return load_ledger([paths["ledger"]], CATALOG), {d: load_roster(d, paths[d], CATALOG) for d in ("人社", "残联")}


def fired(county, ledger_change=None, roster_change=None, config=None):
    """{rule: [证件号码 of its findings]} for the new rules after the changes."""
    ledger, rosters = county
    frame = ledger.frame.copy()
    tables = {d: LoadedTable(t.frame.copy(), t.report) for d, t in rosters.items()}
    if ledger_change:
        ledger_change(frame)
    if roster_change:
        roster_change(tables)
    result = audit_county(LoadedTable(frame, ledger.report), tables, config or AuditConfig(as_of=AS_OF), CATALOG)
    findings = result.findings[result.findings["rule_id"].isin(RULES)]
    return {rule: group["id_number"].tolist() for rule, group in findings.groupby("rule_id")}


def _insured(county):
    frame = county[1]["人社"].frame
    return frame.loc[frame["就业状态"] == "已就业", "证件号码"].iloc[0]


def _disabled(county):
    return county[1]["残联"].frame["证件号码"].iloc[0]


def _set(column, who, value):
    return lambda frame: frame.__setitem__(column, frame[column].where(frame["证件号码"] != who, value))


def _set_roster(department, column, who, value):
    return lambda tables: _set(column, who, value)(tables[department].frame)


def test_clean_county_is_silent(county):
    assert fired(county) == {}


def test_both_pension_columns_yes(county):
    who = _insured(county)
    assert fired(county, _set("是否参加城镇职工基本养老保险", who, "是")) == {"G2-020": [who]}


def test_adult_without_pension_but_not_when_both_columns_are_empty(county):
    who = _insured(county)
    no = lambda f: (_set("是否参加城乡居民基本养老保险", who, "否")(f))  # noqa: E731
    ended = _set_roster("人社", "养老保险参保状态", who, "未参保")
    assert fired(county, no, ended) == {"G2-021": [who]}
    empty = lambda f: (_set("是否参加城乡居民基本养老保险", who, "")(f), _set("是否参加城镇职工基本养老保险", who, "")(f))  # noqa: E731
    assert fired(county, empty, ended) == {}


def test_renshe_ended_insurance_and_the_reverse(county):
    who = _insured(county)
    assert fired(county, roster_change=_set_roster("人社", "养老保险参保状态", who, "终止")) == {"G3-701": [who]}
    assert fired(county, roster_change=_set_roster("人社", "养老保险参保状态", who, "暂停")) == {}
    no = _set("是否参加城乡居民基本养老保险", who, "否")
    assert fired(county, no) == {"G2-021": [who], "G3-702": [who]}


def test_renshe_unemployed_while_working_follows_the_threshold(county):
    who = _insured(county)
    unemployed = _set_roster("人社", "就业状态", who, "未就业")
    months = _set("务工时间（月）", who, "7")
    assert fired(county, months, unemployed) == {"G3-703": [who]}
    stricter = AuditConfig(as_of=AS_OF, thresholds=Thresholds(employed_months=8))
    assert fired(county, months, unemployed, stricter) == {}


def test_certificate_without_disability_and_disability_without_valid_certificate(county):
    who = _disabled(county)
    assert fired(county, _set("健康状况", who, "健康")) == {"G3-801": [who]}
    assert fired(county, roster_change=_set_roster("残联", "持证状态", who, "注销")) == {"G3-802": [who]}
    dropped = lambda tables: tables["残联"].__setattr__("frame", tables["残联"].frame[tables["残联"].frame["证件号码"] != who])  # noqa: E731
    assert fired(county, roster_change=dropped) == {"G3-802": [who]}


def test_canlian_roster_with_only_the_certificate_number_matches_on_its_first_18(county):
    def without_ids(tables):
        tables["残联"].frame = tables["残联"].frame.drop(columns=["证件号码"])
    assert fired(county, roster_change=without_ids) == {}
    who = _disabled(county)
    assert fired(county, _set("健康状况", who, "健康"), without_ids) == {"G3-801": [who]}


def test_certificate_number_differs_from_canlian(county):
    who = _disabled(county)
    number = county[1]["残联"].frame.set_index("证件号码").at[who, "残疾人证号"]
    as_certificate = lambda f: (_set("证件类型", who, "残疾人证")(f), _set("证件号码", who, number)(f))  # noqa: E731
    assert fired(county, as_certificate) == {}
    other = lambda f: (_set("证件类型", who, "残疾人证")(f), _set("证件号码", who, who + "99")(f))  # noqa: E731
    assert list(fired(county, other)) == ["G3-803"]


def test_a_certificate_number_stored_as_a_number_in_canlian_is_not_compared(county):
    """残联's 残疾人证号 in a number cell kept 15 digits (…231000): not a different certificate."""
    who = _disabled(county)
    number = county[1]["残联"].frame.set_index("证件号码").at[who, "残疾人证号"]
    as_certificate = lambda f: (_set("证件类型", who, "残疾人证")(f), _set("证件号码", who, number)(f))  # noqa: E731

    def number_cell(tables):
        frame = tables["残联"].frame
        row = frame["证件号码"] == who
        frame.loc[row, "残疾人证号"] = number[:15] + "0" * (len(number) - 15)
        frame.loc[row, "_id_stored_as_number"] = True
    assert fired(county, as_certificate, number_cell) == {}
