"""A province of five small counties: county by county (`--engine local`) and on Dask give the same
bytes, checks across counties find what no county alone can, a killed worker is retried or the run
stops without writing anything, and each county's 整改台账 is carried forward from its own. A
province-wide 户信息 table reaches each county as its share."""

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
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.errors import AuditInputError
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_roster, load_table
from ledger_audit.province.plan import ProvinceInput, plan_counties
from ledger_audit.province.run import run_province
from ledger_audit.sample.province import generate_province, write_province

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
