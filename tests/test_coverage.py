"""A roster or a national table that covers only part of the ledger: the towns it leaves out are
said once and are not reported person by person as "missing from the roster" (from the table)."""

from datetime import date

import openpyxl
import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.crosscheck.coverage import coverage_notes
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_ledger, load_roster, load_table
from ledger_audit.report.terminal import findings_summary
from ledger_audit.report.writers import write_reports
from ledger_audit.sample.build import build_sample

AS_OF = date(2022, 6, 30)
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("c"), 80, 7, AS_OF, with_defects=False)


@pytest.fixture(scope="module")
def county(paths):
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


@pytest.fixture(scope="module")
def tables(paths):
    return {name: load_table(name, paths[name], CATALOG) for name in ("户信息", "已外出务工", "计划外出务工")}


def first_of_each_town(ledger, share, where=None):
    """The IDs of the first `share` of each town's people (of those meeting `where`)."""
    frame = ledger.frame if where is None else ledger.frame[where]
    rank = frame.groupby("乡镇").cumcount()
    size = frame.groupby("乡镇")["乡镇"].transform("size")
    return frame.loc[rank < size * share, "证件号码"]


def only(table, ids):
    return LoadedTable(table.frame[table.frame["证件号码"].isin(ids)].reset_index(drop=True), table.report)


def said(outputs, result, note):
    """How often the note is said in the terminal summary, the HTML report and the workbook's 汇总."""
    cells = [c for row in openpyxl.load_workbook(outputs["xlsx"], read_only=True)["汇总"].iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    return (findings_summary(result).count(note), outputs["html"].read_text(encoding="utf-8").count(note),
            sum(note in c for c in cells))


def test_a_household_table_holding_part_of_each_town_is_said_once_not_reported_per_person(county, tables, tmp_path):
    ledger, _ = county
    kept = first_of_each_town(ledger, 0.4)
    result = audit_county(ledger, {}, AuditConfig(as_of=AS_OF), CATALOG, tables={"户信息": only(tables["户信息"], kept)})
    assert result.findings[result.findings["rule_id"] == "G3-602"].empty
    towns = "、".join(sorted(ledger.frame["乡镇"].unique()))
    note = f"户信息表未覆盖 {towns}（台账 {len(ledger.frame)} 人，表中匹配 {len(kept)} 人）：这些乡镇的户信息比对未运行"
    assert coverage_notes(result.roster_coverage) == [note]
    assert said(write_reports(result, tmp_path, ("xlsx", "html")), result, note) == (1, 1, 1)
    assert result.cross_check_matrix.set_index("department").at["户信息", "only_in_ledger"] == 0


def test_a_household_table_is_compared_in_the_town_it_covers_only(county, tables):
    """One town complete but one person, another a quarter, the others absent."""
    ledger, _ = county
    frame = ledger.frame
    full, part, *absent = sorted(frame["乡镇"].unique())
    in_full = frame.loc[frame["乡镇"] == full, "证件号码"]
    dropped = in_full.iloc[3]
    kept = pd.concat([in_full.drop(in_full.index[3]), first_of_each_town(ledger, 0.25, frame["乡镇"] == part)])
    result = audit_county(ledger, {}, AuditConfig(as_of=AS_OF), CATALOG, tables={"户信息": only(tables["户信息"], kept)})
    missing = result.findings[result.findings["rule_id"] == "G3-602"]
    assert missing["id_number"].tolist() == [dropped] and missing["town"].tolist() == [full]
    covered = result.roster_coverage.set_index(["department", "town"])["covered"]["户信息"]
    assert covered.to_dict() == {full: True, part: False, **{town: False for town in absent}}
    assert coverage_notes(result.roster_coverage)[0].startswith(f"户信息表未覆盖 {'、'.join(sorted([part, *absent]))}（")


def test_work_tables_holding_part_of_a_town_leave_its_workers_and_labourers_unreported(county, tables):
    """The two 务工 tables cover a town together: one town complete but one labourer's plan (G3-606),
    the others with a third of their people who have 务工时间."""
    ledger, _ = county
    frame = ledger.frame
    full, *cut = sorted(frame["乡镇"].unique())
    months = pd.to_numeric(frame["务工时间（月）"], errors="coerce").fillna(0) > 0
    kept = pd.concat([frame.loc[frame["乡镇"] == full, "证件号码"], first_of_each_town(ledger, 1 / 3, months)])
    planning = only(tables["计划外出务工"], kept)
    idle = planning.frame["证件号码"].iloc[0]
    planning = only(planning, kept[kept != idle])
    result = audit_county(ledger, {}, AuditConfig(as_of=AS_OF), CATALOG,
                          tables={"已外出务工": only(tables["已外出务工"], kept), "计划外出务工": planning})
    found = result.findings[result.findings["rule_id"].isin(["G3-603", "G3-606"])]
    assert found[["rule_id", "id_number", "town"]].values.tolist() == [["G3-606", idle, full]]
    assert coverage_notes(result.roster_coverage) == [
        f"务工表未覆盖 {'、'.join(cut)}（台账 {int(frame['乡镇'].isin(cut).sum())} 人，"
        f"表中匹配 {int((frame['乡镇'].isin(cut) & frame['证件号码'].isin(kept)).sum())} 人）：这些乡镇的务工比对未运行"]
    matrix = result.cross_check_matrix.set_index("department")
    assert matrix.at["已外出务工", "only_in_ledger"] == 0 and matrix.at["计划外出务工", "only_in_ledger"] == 1
