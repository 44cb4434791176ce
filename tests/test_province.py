"""A province of five small counties: county by county (`--engine local`) and on Dask give the same
bytes, checks across counties find what no county alone can, a killed worker is retried or the run
stops without writing anything, and each county's 整改台账 is carried forward from its own history
or from the --previous files that are its own. A province-wide 户信息 table reaches each county as
its share; --split-by 乡镇 and --previous-ledger work per county."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, RunSettings
from ledger_audit.errors import AuditInputError
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_roster, load_table
from ledger_audit.pipeline import run_province_audit
from ledger_audit.province.plan import ProvinceInput, plan_counties, plan_previous
from ledger_audit.province.run import run_province
from ledger_audit.sample.province import generate_province, write_province
from ledger_audit.sample.write import write_ledger_file

distributed = pytest.importorskip("distributed")

AS_OF = date(2022, 6, 30)
CATALOG = load_catalog()
FORMATS = ("xlsx", "json")


@pytest.fixture(scope="module")
def counties():
    return generate_province(5, 20, 5, AS_OF)


@pytest.fixture(scope="module")
def province(counties, tmp_path_factory):
    return write_province(counties, tmp_path_factory.mktemp("province"), AS_OF)


def run(province, out, **engine):
    units = plan_counties([province["ledgers"]], CATALOG)
    rosters = {d: load_roster(d, province[d], CATALOG) for d in ("民政", "医保", "住建", "教体")}
    tables = {"户信息": load_table("户信息", province["户信息"], CATALOG)}
    return run_province(units, rosters, AuditConfig(as_of=AS_OF), CATALOG, out, FORMATS, tables=tables, **engine)


def findings_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/2022Q2/findings.json"))}


@pytest.fixture(scope="module")
def local(province, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    return run(province, out), out


def test_each_county_gets_its_outputs_and_ids_in_two_counties_are_found(local):
    outcome, out = local
    counties = [s.county for s in outcome.summaries]
    assert len(counties) == 5 and sorted(findings_files(out)) == sorted(f"{c}/2022Q2/findings.json" for c in counties)
    first = json.loads((out / counties[0] / "2022Q2" / "findings.json").read_text(encoding="utf-8"))
    across = [f for f in first["findings"] if f["rule_id"] == "G3-001" and "另见于" in f["message"]]
    # Three people from the county before it, three it shares with the next (more if a planted
    # within-county duplicate is one of them).
    assert len(across) >= 6
    summary = openpyxl.load_workbook(outcome.outputs["xlsx"], read_only=True)["按县汇总"]
    rows = list(summary.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == counties + ["全省合计"]
    column = rows[0].index("跨县重复证件号码")
    assert rows[-1][column] == sum(r[column] for r in rows[1:-1]) >= 30   # 5 counties × 6


def test_dask_with_two_worker_processes_gives_the_same_bytes(province, local, tmp_path):
    _, local_out = local
    run(province, tmp_path, engine="dask", workers=2)
    assert findings_files(tmp_path) == findings_files(local_out)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def kill_a_worker_once_busy(address: str, killed: list) -> threading.Thread:
    """In the background: as soon as a worker is running a county, SIGKILL its process (and say
    so in `killed`)."""
    def kill():
        with distributed.Client(address) as client:
            pids = client.run(os.getpid)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                busy = [w for w, tasks in client.processing().items() if any("audit_one" in str(t) for t in tasks)]
                if busy:
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.02)
    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


def test_a_killed_worker_is_retried_and_the_result_is_the_same(province, local, cluster, tmp_path):
    _, local_out = local
    killed = []
    killer = kill_a_worker_once_busy(cluster.scheduler_address, killed)
    run(province, tmp_path, engine="dask", scheduler=cluster.scheduler_address)
    killer.join()
    assert killed and findings_files(tmp_path) == findings_files(local_out)


def test_a_worker_that_dies_past_the_retries_stops_the_run_and_nothing_is_written(province, cluster, tmp_path):
    with distributed.Client(cluster.scheduler_address) as client:
        client.run_on_scheduler(lambda dask_scheduler: setattr(dask_scheduler, "allowed_failures", 0))
    killed = []
    killer = kill_a_worker_once_busy(cluster.scheduler_address, killed)
    try:
        with pytest.raises(AuditInputError, match="工作进程在审核中多次意外退出.*未写出任何文件"):
            run(province, tmp_path, engine="dask", scheduler=cluster.scheduler_address)
    finally:
        killer.join()
        with distributed.Client(cluster.scheduler_address) as client:
            client.run_on_scheduler(lambda dask_scheduler: setattr(dask_scheduler, "allowed_failures", 3))
    assert killed and [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == []


def test_the_cli_audits_a_folder_and_carries_each_countys_rectification_forward(province, tmp_path):
    def audit(quarter):
        rosters = [f"--roster={d}={province[d]}" for d in ("民政", "医保", "住建", "教体")]
        return subprocess.run([sys.executable, "-m", "ledger_audit_cli", "run", str(province["ledgers"]), *rosters,
                               "--quarter", quarter, "--out", str(tmp_path / quarter), "--format", "xlsx,json",
                               "--fail-on", "never"], capture_output=True, text=True)
    first, second = audit("2022Q2"), audit("2022Q3")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "全省合计" in second.stdout
    county = plan_counties([province["ledgers"]], CATALOG)[0].county
    sheet = openpyxl.load_workbook(next((tmp_path / county / "2022Q3").glob("*.xlsx")), read_only=True)["整改台账"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "累计季度数" in r)
    assert {str(r[header.index("累计季度数")]) for r in rows[rows.index(header) + 1:]} >= {"1", "2"}
    shutil.rmtree(tmp_path)


def county_findings(out: Path, county: str, quarter: str = "2022Q2") -> dict:
    return json.loads((out / county / quarter / "findings.json").read_text(encoding="utf-8"))


def test_a_province_wide_household_table_gives_each_county_what_a_county_run_with_its_share_gives(province, local):
    _, out = local
    table = load_table("户信息", province["户信息"], CATALOG)
    rosters = {d: load_roster(d, province[d], CATALOG) for d in ("民政", "医保", "住建", "教体")}
    unit = plan_counties([province["ledgers"]], CATALOG)[0]
    ledger = unit.load(CATALOG)
    share = table.frame[table.frame["县"] == unit.county].reset_index(drop=True)
    alone = audit_county(ledger, {d: ProvinceInput.of(r, CATALOG.rosters[d].id_column).part_for(unit.county, ledger.frame)
                                  for d, r in rosters.items()},
                         AuditConfig(as_of=AS_OF, county=unit.county), CATALOG,
                         tables={"户信息": LoadedTable(share, table.report)})
    in_province = county_findings(out, unit.county)
    # G3-001 and G5-009 are what the checks across counties change; everything else is the county's own.
    mine = {(f["rule_id"], f["problem_id"]) for f in in_province["findings"] if f["rule_id"] not in ("G3-001", "G5-009")}
    assert mine == {(r, p) for r, p in zip(alone.findings["rule_id"], alone.findings["problem_id"])
                    if r not in ("G3-001", "G5-009")}
    assert {r for r, _ in mine} & {"G3-601", "G3-602"}     # the table's own rules ran on it and found something
    assert not {"G3-601", "G3-602"} & {r["rule_id"] for r in in_province["rules_not_run"]}
    # The county read its own rows of the province's table, not all of them.
    assert [i["rows"] for i in in_province["inputs"] if i["role"] == "户信息"] == [len(share)] and len(share) < len(table.frame)


def rectification_table(workbook: Path) -> pd.DataFrame:
    rows = list(openpyxl.load_workbook(workbook, read_only=True)["整改台账"].iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if row and "问题编号" in row)
    frame = pd.DataFrame(rows[at + 1:], columns=rows[at]).dropna(subset=["问题编号"])
    return frame.fillna("").astype(str).set_index("问题编号")


def fill_in(workbook: Path, target: Path, county: str) -> pd.DataFrame:
    """What the towns of `county` type into its 整改台账; the first item claimed 已整改."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["整改台账"]
    rows = list(sheet.iter_rows())
    at = next(i for i, row in enumerate(rows) if "问题编号" in [c.value for c in row])
    column = {c.value: c.column - 1 for c in rows[at]}
    typed = []
    for number, row in enumerate(r for r in rows[at + 1:] if r[column["问题编号"]].value):
        entry = {"问题编号": row[column["问题编号"]].value, "责任人": f"{county}干部{number}",
                 "整改措施": "已入户核实", "备注": f"{county}:{number}",
                 "整改状态": "已整改" if number == 0 else row[column["整改状态"]].value}
        for name in ("责任人", "整改措施", "备注", "整改状态"):
            row[column[name]].value = entry[name]
        typed.append(entry)
    book.save(target)
    return pd.DataFrame(typed).set_index("问题编号")


@pytest.fixture(scope="module")
def next_quarter(counties, province, local, tmp_path_factory):
    """2022Q3 for the first two counties with --previous: their 2022Q2 workbooks as the towns filled
    them in, under names that name no county; one household of the first county (one with problems,
    none of them about an ID in another county) gone from its ledger; --split-by 乡镇 and last
    quarter's ledgers; into a fresh output root, so nothing comes from a history."""
    _, q2 = local
    work = tmp_path_factory.mktemp("q3")
    first, second = (unit.county for unit in plan_counties([province["ledgers"]], CATALOG)[:2])
    (work / "各县已填写").mkdir()
    typed = {county: fill_in(next((q2 / county / "2022Q2").glob("三单一账_*.xlsx")),
                             work / "各县已填写" / f"已填写_{number}.xlsx", county)
             for number, county in enumerate((first, second), 1)}
    findings = pd.DataFrame(county_findings(q2, first)["findings"])
    shared = set(findings.loc[findings["rule_id"] == "G3-001", "household_id"])
    gone = next(h for h in findings["household_id"] if h and h not in shared)
    (work / "台账").mkdir()
    (work / "上季度台账").mkdir()
    ledger = counties[first].ledger
    write_ledger_file(ledger[ledger["户编号"] != gone].reset_index(drop=True), work / "台账" / f"台账_{first}.xlsx",
                      [f"{first}防止返贫监测对象信息表"])
    shutil.copy(province["ledgers"] / f"台账_{second}.xlsx", work / "台账")
    for county in (first, second):
        shutil.copy(province["ledgers"] / f"台账_{county}.xlsx", work / "上季度台账")
    settings = RunSettings(ledgers=(work / "台账",), rosters={d: province[d] for d in ("民政", "医保", "住建", "教体")},
                           tables={"户信息": province["户信息"]}, out_dir=work / "out" / "2022Q3", formats=FORMATS,
                           previous=(work / "各县已填写",), previous_ledger=work / "上季度台账", split_by="乡镇")
    run_province_audit(settings, AuditConfig(as_of=date(2022, 9, 30)), CATALOG, recorded_at="2022-10-01T08:00:00")
    return {"out": work / "out", "typed": typed, "first": first, "second": second, "gone": gone,
            "gone_items": set(findings.loc[findings["household_id"] == gone, "problem_id"])}


def test_previous_carries_each_countys_rectification_forward_and_keeps_every_entry(next_quarter):
    out = next_quarter["out"]
    for county, typed in next_quarter["typed"].items():
        table = rectification_table(out / county / "2022Q3" / f"三单一账_{county}_2022Q3.xlsx")
        assert set(typed.index) <= set(table.index), county
        for column in ("责任人", "整改措施", "备注"):   # each county got its own file: nothing lost, nothing altered
            assert table.loc[typed.index, column].tolist() == typed[column].tolist(), (county, column)
        assert (table["县"] == county).all()
        found = county_findings(out, county, "2022Q3")
        assert any(f["rule_id"] == "G4-011" for f in found["findings"]), county        # past 整改时限, still there
        assert not {"G4-011", "G4-012"} & {r["rule_id"] for r in found["rules_not_run"]}
        claimed = typed.index[0]                        # typed 已整改, found again
        assert (table.at[claimed, "整改状态"], table.at[claimed, "复核结论"]) == ("整改中", "复核仍存在，整改未到位")
        assert table.at[claimed, "累计季度数"] == "2"
    first = rectification_table(out / next_quarter["first"] / "2022Q3" / f"三单一账_{next_quarter['first']}_2022Q3.xlsx")
    closed = first.loc[sorted(next_quarter["gone_items"])]
    assert len(closed) and (closed["整改状态"] == "已销号").all() and (closed["销号时间"] == "2022-09-30").all()


def test_previous_ledger_reaches_each_county(next_quarter, local):
    _, q2 = local
    for county in (next_quarter["first"], next_quarter["second"]):
        assert "G5-002" in {r["rule_id"] for r in county_findings(q2, county)["rules_not_run"]}
        assert "G5-002" not in {r["rule_id"] for r in county_findings(next_quarter["out"], county, "2022Q3")["rules_not_run"]}


def test_split_by_town_writes_each_countys_town_workbooks(next_quarter):
    out = next_quarter["out"]
    for county in (next_quarter["first"], next_quarter["second"]):
        folder = out / county / "2022Q3"
        whole = rectification_table(folder / f"三单一账_{county}_2022Q3.xlsx")
        towns = sorted(set(whole["乡镇"]))
        per_town = {town: rectification_table(folder / f"三单一账_{county}_{town or '未分乡镇'}_2022Q3.xlsx")
                    for town in towns}
        assert len(towns) > 1 and len(list(folder.glob(f"三单一账_{county}_*_2022Q3.xlsx"))) == len(towns)
        assert all((table["乡镇"] == town).all() for town, table in per_town.items())
        assert sorted(i for table in per_town.values() for i in table.index) == sorted(whole.index)


def test_a_previous_workbook_of_no_county_of_the_run_is_refused_and_nothing_is_written(province, local, tmp_path):
    _, q2 = local
    units = plan_counties([province["ledgers"]], CATALOG)
    stranger = next((q2 / units[2].county / "2022Q2").glob("三单一账_*.xlsx"))
    audit = subprocess.run([sys.executable, "-m", "ledger_audit_cli", "run", *(str(u.files[0]) for u in units[:2]),
                            "--quarter", "2022Q3", "--previous", str(stranger), "--out", str(tmp_path / "2022Q3")],
                           capture_output=True, text=True)
    assert audit.returncode == 3, audit.stdout + audit.stderr
    assert stranger.name in audit.stderr and f"是「{units[2].county}」的" in audit.stderr
    assert "不是本次审核的任何一个县" in audit.stderr
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == []


def test_previous_files_go_to_the_county_their_name_or_folder_names_and_a_contradiction_is_refused(tmp_path):
    def workbook(path: Path, county: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"问题编号,县,整改状态\nG2-011-abc,{county},未整改\n", encoding="utf-8")
        return path
    named = workbook(tmp_path / "三单一账_碑林区_2022Q2.csv", "")
    in_folder = workbook(tmp_path / "新城区" / "2022Q2" / "已填写.csv", "")
    assert plan_previous([named, in_folder], ["新城区", "碑林区"]) == {"碑林区": (named,), "新城区": (in_folder,)}
    with pytest.raises(AuditInputError, match="县列是「新城区」，文件名或所在文件夹却是「碑林区」"):
        plan_previous([workbook(tmp_path / "x" / "三单一账_碑林区.csv", "新城区")], ["新城区", "碑林区"])
    with pytest.raises(AuditInputError, match="没有写明是本次审核的哪个县"):
        plan_previous([workbook(tmp_path / "y" / "已填写.csv", "")], ["新城区", "碑林区"])


def test_two_previous_files_of_one_county_that_disagree_stop_the_run(province, local, tmp_path):
    _, q2 = local
    units = plan_counties([province["ledgers"]], CATALOG)[:2]
    county = units[0].county
    source = next((q2 / county / "2022Q2").glob("三单一账_*.xlsx"))
    one, other = tmp_path / "甲.xlsx", tmp_path / "乙.xlsx"
    fill_in(source, one, county)
    fill_in(source, other, county + "另一人")
    settings = RunSettings(ledgers=tuple(u.files[0] for u in units), out_dir=tmp_path / "out" / "2022Q3",
                           formats=FORMATS, previous=(one, other))
    with pytest.raises(AuditInputError, match="甲.xlsx、乙.xlsx 中都有，但「责任人」填写的内容不同"):
        run_province_audit(settings, AuditConfig(as_of=date(2022, 9, 30)), CATALOG)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.xlsx"))


def test_a_previous_workbook_sent_to_a_county_by_its_name_but_of_another_county_is_refused(province, local, tmp_path):
    """Its 县 column blank, its name naming the first county, its items another county's: the
    check that a 整改台账 belongs to the county runs in each county of a province run."""
    _, q2 = local
    units = plan_counties([province["ledgers"]], CATALOG)
    other = rectification_table(next((q2 / units[2].county / "2022Q2").glob("三单一账_*.xlsx"))).drop(columns="县")
    renamed = tmp_path / f"三单一账_{units[0].county}_2022Q2.csv"
    other.reset_index().to_csv(renamed, index=False, encoding="utf-8")
    settings = RunSettings(ledgers=tuple(u.files[0] for u in units[:2]), out_dir=tmp_path / "out" / "2022Q3",
                           formats=FORMATS, previous=(renamed,))
    with pytest.raises(AuditInputError, match=f"「{renamed.name}」：上期整改台账的乡镇.*没有一个相同，不是本县的整改台账"):
        run_province_audit(settings, AuditConfig(as_of=date(2022, 9, 30)), CATALOG)
    assert not any((tmp_path / "out").rglob("*.xlsx"))
