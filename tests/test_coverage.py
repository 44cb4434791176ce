"""A roster that covers only part of the ledger: the towns it leaves out are said once and are not
reported person by person as "missing from the roster"."""

from datetime import date

import openpyxl
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.crosscheck.coverage import coverage_notes
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_ledger, load_roster
from ledger_audit.report.writers import write_reports
from ledger_audit.sample.build import build_sample

AS_OF = date(2022, 6, 30)
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    paths = build_sample(tmp_path_factory.mktemp("c"), 80, 7, AS_OF, with_defects=False)
    ledger = load_ledger([paths["ledger"]], CATALOG)
    return ledger, load_roster("医保", paths["医保"], CATALOG)


def cut_to_half_of_the_towns(ledger, roster):
    """The 医保 list of the first half of the towns only (the list has no 乡镇 column: by ID)."""
    towns = sorted(ledger.frame["乡镇"].unique())
    kept_towns, cut_towns = towns[: len(towns) // 2], towns[len(towns) // 2:]
    kept_ids = ledger.frame.loc[ledger.frame["乡镇"].isin(kept_towns), "证件号码"]
    frame = roster.frame[roster.frame["证件号码"].isin(kept_ids)]
    return LoadedTable(frame.reset_index(drop=True), roster.report), kept_towns, cut_towns


def test_towns_a_roster_leaves_out_are_said_once_and_not_reported_per_person(county, tmp_path):
    ledger, roster = county
    cut, kept_towns, cut_towns = cut_to_half_of_the_towns(ledger, roster)
    # One insured person of a covered town is missing from the list: still reported.
    dropped = cut.frame["证件号码"].iloc[0]
    cut = LoadedTable(cut.frame.iloc[1:].reset_index(drop=True), cut.report)
    result = audit_county(ledger, {"医保": cut}, AuditConfig(as_of=AS_OF), CATALOG)
    g3201 = result.findings[result.findings["rule_id"] == "G3-201"]
    assert g3201["id_number"].tolist() == [dropped]
    people = int(ledger.frame["乡镇"].isin(cut_towns).sum())
    assert coverage_notes(result.roster_coverage) == [
        f"医保名单未覆盖 {'、'.join(cut_towns)}（台账 {people} 人，名单匹配 0 人）：这些乡镇的参保比对未运行"]
    matrix = result.cross_check_matrix.set_index("department")
    assert matrix.loc["医保", "only_in_ledger"] == 1

    workbook = openpyxl.load_workbook(write_reports(result, tmp_path)["xlsx"], read_only=True)
    cells = [c for row in workbook["汇总"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert sum("医保名单未覆盖" in c for c in cells) == 1
    towns_covered = {row[2]: row[6] for row in workbook["汇总"].iter_rows(values_only=True)
                     if row[0] == "医保名单" and row[2] in kept_towns + cut_towns}
    assert towns_covered == {**{t: "是" for t in kept_towns}, **{t: "否" for t in cut_towns}}


def test_a_town_matched_below_the_configured_share_is_not_covered(county):
    ledger, roster = county
    town = sorted(ledger.frame["乡镇"].unique())[0]
    in_town = ledger.frame.loc[ledger.frame["乡镇"] == town, "证件号码"]
    few = set(in_town.iloc[: len(in_town) // 4])   # a quarter of the town's people
    frame = roster.frame[~roster.frame["证件号码"].isin(in_town) | roster.frame["证件号码"].isin(few)]
    result = audit_county(ledger, {"医保": LoadedTable(frame.reset_index(drop=True), roster.report)},
                          AuditConfig(as_of=AS_OF), CATALOG)
    assert result.findings[result.findings["rule_id"] == "G3-201"].empty
    covered = result.roster_coverage.set_index("town")["covered"]
    assert not covered[town] and covered.drop(town).all()


def test_a_clean_county_with_full_rosters_has_no_coverage_note(county):
    ledger, roster = county
    result = audit_county(ledger, {"医保": roster}, AuditConfig(as_of=AS_OF), CATALOG)
    assert coverage_notes(result.roster_coverage) == [] and result.roster_coverage["covered"].all()
