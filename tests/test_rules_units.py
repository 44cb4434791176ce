"""Rules that the sample county cannot show on its own: G5-002 (needs last quarter's ledger), the
提示 rule G5-008 that a realistic county may trip anyway, and ID forms the matching must accept."""

from datetime import date

import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.crosscheck.matching import match_roster
from ledger_audit.frame import ID_STORED_AS_NUMBER, LoadedTable
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.sample.build import build_sample

CATALOG = load_catalog()
AS_OF = date(2022, 9, 30)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    paths = build_sample(tmp_path_factory.mktemp("c"), 60, 12, date(2022, 6, 30), with_defects=False)
    return load_ledger([paths["ledger"]], CATALOG)


def findings(ledger, previous=None):
    return audit_county(ledger, {}, AuditConfig(as_of=AS_OF), CATALOG, previous_ledger=previous).findings


def test_income_drop_fires_above_30_percent_and_not_at_25(clean):
    frame = clean.frame.copy()
    households = frame["户编号"].drop_duplicates().tolist()
    dropped, slight = households[0], households[1]
    before = pd.to_numeric(frame["人均纯收入（元）"])
    frame["人均纯收入（元）"] = before.where(frame["户编号"] != dropped, before * 0.6).round(2).astype(str)
    frame["人均纯收入（元）"] = frame["人均纯收入（元）"].where(frame["户编号"] != slight, (before * 0.75).round(2).astype(str))
    result = findings(LoadedTable(frame, clean.report), previous=clean)
    g5002 = result[result["rule_id"] == "G5-002"]
    assert g5002["household_id"].tolist() == [dropped]
    assert "下降 40%" in g5002["message"].iloc[0]


def test_income_drop_is_not_run_without_the_previous_ledger(clean):
    result = audit_county(clean, {}, AuditConfig(as_of=AS_OF), CATALOG)
    assert result.rules_not_run.set_index("rule_id").loc["G5-002", "reason"] == "未提供上季度台账（--previous-ledger）"


def test_village_without_monitored_household_fires_only_there(clean):
    frame = clean.frame.copy()
    monitored_villages = frame.loc[frame["监测对象类别"] != "", "行政村"].unique()
    village = monitored_villages[0]
    before = findings(LoadedTable(frame, clean.report))
    assert village not in set(before.loc[before["rule_id"] == "G5-008", "village"])
    frame.loc[frame["行政村"] == village, "监测对象类别"] = ""
    after = findings(LoadedTable(frame, clean.report))
    assert village in set(after.loc[after["rule_id"] == "G5-008", "village"])


def test_fifteen_digit_and_lower_case_ids_match_exactly():
    # 610327900101123 is the first-generation form of 61032719900101123X; 124x has a lower-case x.
    ledger = pd.DataFrame({"证件号码": ["610327900101123", "61032719900101124x"], "姓名": ["张三", "李四"],
                           "乡镇": ["城关镇", "城关镇"], "与户主关系": ["户主", "配偶"]})
    roster = pd.DataFrame({"证件号码": ["61032719900101123X", "61032719900101124X"], "姓名": ["张三", "李四"],
                           "乡镇": ["城关镇", "城关镇"]})
    match = match_roster("医保", ledger, roster, "证件号码", "姓名")
    assert sorted(match.exact.itertuples(index=False, name=None)) == [(0, 0), (1, 1)]
    assert match.suspected.empty


def test_wrong_check_digit_is_caught_by_tier_two_not_matched():
    ledger = pd.DataFrame({"证件号码": ["610327199001011230"], "姓名": ["张三"], "乡镇": [""], "与户主关系": ["户主"]})
    roster = pd.DataFrame({"证件号码": ["61032719900101123X", "61032719900101124X"], "姓名": ["张三", "王五"], "乡镇": ["", ""]})
    match = match_roster("医保", ledger, roster, "证件号码", "姓名")
    assert match.exact.empty
    assert match.suspected[["ledger_row", "roster_row", "tier"]].values.tolist() == [[0, 0, 2]]


def test_a_roster_id_cell_stored_as_a_number_is_paired_by_its_lost_digits_whatever_the_ledger_holds():
    """A number cell keeps 15 digits (…239000): the ledger person of that name whose ID rounds to it is
    not "missing", and a ledger ID with a digit outside ASCII (², ١) is simply not a candidate (it
    used to stop the run with exit 4)."""
    ledger = pd.DataFrame({"证件号码": ["610327198105239017", "61032719810523901²", "61032719810523901١"],
                           "姓名": ["张三", "张三", "张三"], "乡镇": ["", "", ""], "与户主关系": ["户主", "妻", "子"]})
    roster = pd.DataFrame({"证件号码": ["610327198105239000"], "姓名": ["张三"], "乡镇": [""],
                           ID_STORED_AS_NUMBER: [True]})
    match = match_roster("医保", ledger, roster, "证件号码", "姓名")
    assert match.exact.empty and match.suspected.empty
    assert match.lost[["ledger_row", "roster_row"]].values.tolist() == [[0, 0]]


def test_a_name_differing_in_two_rosters_names_both_roster_rows(tmp_path):
    paths = build_sample(tmp_path, 20, 3, date(2022, 6, 30), with_defects=False)
    from ledger_audit.normalise.tables import load_roster
    ledger = load_ledger([paths["ledger"]], CATALOG)
    rosters = {d: load_roster(d, paths[d], CATALOG) for d in ("医保", "教体")}
    pupil = rosters["教体"].frame["证件号码"].iloc[0]
    for table in rosters.values():
        table.frame.loc[table.frame["证件号码"] == pupil, "姓名"] = "改名"
    result = audit_county(ledger, rosters, AuditConfig(as_of=AS_OF), CATALOG).findings
    g3501 = result[result["rule_id"] == "G3-501"]
    assert g3501["id_number"].tolist() == [pupil]
    sources = g3501["sources"].iloc[0].split("；")
    assert [s.split(":")[0] for s in sources] == [paths["ledger"].name, paths["医保"].name, paths["教体"].name]
