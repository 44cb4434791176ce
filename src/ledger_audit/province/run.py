"""A province run: `audit_county` per county, on one process (`local`) or on Dask workers (`dask`).

Three steps, each a pure function of what the step before returned, so both engines give the
same bytes whatever the number of workers:

1. per county: read last quarter's 整改台账 (the --previous files plan.plan_previous sent it, else
   the one its own history records), load its ledger files (and last quarter's, --previous-ledger),
   take its share of the rosters and tables, `audit_county` (which checks that the 整改台账 is this
   county's while the ledger is at hand);
2. the cross-county checks (crosscounty.py): each county's key rows hashed by ID into buckets,
   each bucket checked on its own (on Dask, a shuffle across the workers);
3. per county: the answers applied, last quarter's 整改台账 carried forward over the settled
   findings, the county's outputs (per 乡镇 too with --split-by) written into a staging folder.

Only when every county succeeded are the staged files renamed into place, together, and the runs
recorded in each county's history (outputs.OutputSet): a failed or stopped run writes nothing. The local engine holds one
county's ledger at a time; what it keeps across counties is findings, the ID columns and last
quarter's 整改台账.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..audit import audit_county
from ..catalog import Catalog
from ..config import AuditConfig
from ..errors import AuditInputError
from ..findings import sort_findings
from ..frame import LoadedTable
from ..lock import output_lock
from ..outputs import PART_PREFIX, OutputSet, remove_stale_parts
from ..report.writers import OUTPUTS, write_reports
from ..result import AuditResult
from ..track.history import history_frame, history_path, latest_rectification, record_run
from ..track.previous import read_previous_rectification
from ..track.rectification import TRACKING_RULE_IDS, carry_forward
from .crosscounty import apply_answers, buckets, check_bucket, key_rows, persons, sort_answers
from .plan import CountyInput, ProvinceInput
from .summary import CountySummary, county_summary, write_province_summary

BUCKETS = 8
PROVINCE_FOLDER = "省汇总"


@dataclass(frozen=True)
class ProvinceJob:
    """What every county's task needs; shipped to each Dask worker once."""

    rosters: dict[str, ProvinceInput]
    config: AuditConfig
    catalog: Catalog
    root: Path            # outputs: <root>/<县>/<季度>/ and <root>/省汇总/<季度>/
    staging: Path         # the same layout, renamed into place at the end
    formats: tuple[str, ...]
    mask: bool = True     # IDs and phones masked in each county's outputs (--no-mask: False)
    tables: dict[str, ProvinceInput] = field(default_factory=dict)   # 户信息, 已外出务工 … (--table)
    previous: dict[str, tuple[Path, ...]] = field(default_factory=dict)   # county → its --previous files
    previous_ledgers: dict[str, CountyInput] = field(default_factory=dict)   # county → last quarter's ledger
    split_by: str | None = None   # "乡镇": also one workbook per 乡镇 in each county's folder

    def county_folder(self, county: str, base: Path | None = None) -> Path:
        return (base or self.root) / county / self.config.quarter


@dataclass
class CountyAudit:
    county: str
    result: AuditResult         # its 整改台账 is left out: step 3 makes it over the settled findings
    people: pd.DataFrame        # crosscounty.PERSON_COLUMNS
    households: int
    previous: pd.DataFrame | None = None   # last quarter's 整改台账, carried forward in step 3


@dataclass
class ProvinceOutcome:
    summaries: list[CountySummary]
    outputs: dict[str, Path]    # the province summary's files


def audit_one(job: ProvinceJob, unit: CountyInput) -> CountyAudit:
    """Step 1 for one county. Last quarter's 整改台账 is read first (a file that cannot be read
    stops the run before the audit) and checked against the ledger inside `audit_county`; it is
    carried forward in step 3, after the cross-county checks have settled the findings."""
    previous = previous_rectification(job, unit.county)
    ledger = unit.load(job.catalog)
    last = job.previous_ledgers.get(unit.county)
    previous_ledger = last.load(job.catalog) if last is not None else None
    rosters = {d: roster.part_for(unit.county, ledger.frame) for d, roster in job.rosters.items()}
    tables = {name: table.part_for(unit.county, ledger.frame) for name, table in job.tables.items()}
    result = audit_county(ledger, rosters, replace(job.config, county=unit.county), job.catalog, previous_ledger,
                          previous, tables=tables)
    households = int(ledger.frame["户编号"].nunique()) if "户编号" in ledger.frame else 0
    return CountyAudit(unit.county, replace(result, rectification=None), persons(ledger.frame), households, previous)


def previous_rectification(job: ProvinceJob, county: str) -> pd.DataFrame | None:
    """The county's --previous files if it was given any, else the 整改台账 its own history records
    for an earlier quarter, else None (a first quarter: G4-011/G4-012 are listed as not run)."""
    paths = job.previous.get(county) or ()
    if not paths:
        recorded = latest_rectification(history_path(job.county_folder(county)), job.config.quarter)
        paths = (recorded,) if recorded else ()
    return read_previous_rectification(paths) if paths else None


def county_buckets(audit: CountyAudit, count: int = BUCKETS) -> list[pd.DataFrame]:
    return buckets(key_rows(audit.county, audit.people, audit.result.findings), count)


def finish_one(job: ProvinceJob, audit: CountyAudit, answers: pd.DataFrame) -> tuple[CountySummary, AuditResult]:
    """Step 3 for one county: returns its summary row and what its history records."""
    result = audit.result
    mine = answers[answers["county"] == audit.county]
    # Step 1's G4-011/G4-012 were about the findings before the cross-county checks: made again here.
    found = result.findings[~result.findings["rule_id"].isin(TRACKING_RULE_IDS).to_numpy()]
    findings = apply_answers(found, audit.people, mine, result.config, job.catalog)
    rectification, tracking = carry_forward(audit.previous, findings, result.config, job.catalog, audit.county)
    result = replace(result, findings=sort_findings(pd.concat([findings, tracking], ignore_index=True)),
                     rectification=rectification, history=history_frame(history_path(job.county_folder(audit.county))))
    write_reports(result, job.county_folder(audit.county, job.staging), job.formats, split_by=job.split_by,
                  mask=job.mask)
    return county_summary(audit.county, audit.households, len(audit.people), result), _for_history(result)


def _for_history(result: AuditResult) -> AuditResult:
    """Only what the run history records (rule × severity counts, statuses, inputs)."""
    statuses = None if result.rectification is None else result.rectification[["整改状态"]]
    return replace(result, findings=result.findings[["rule_id", "severity"]], rectification=statuses,
                   cross_check_matrix=result.cross_check_matrix.iloc[:0], roster_coverage=None)


def run_province(units: list[CountyInput], rosters: dict[str, LoadedTable], config: AuditConfig, catalog: Catalog,
                 root: Path, formats: tuple[str, ...], engine: str = "local", workers: int | None = None,
                 scheduler: str | None = None, recorded_at: str = "", mask: bool = True,
                 tables: dict[str, LoadedTable] | None = None, previous: dict[str, tuple[Path, ...]] | None = None,
                 previous_ledgers: dict[str, CountyInput] | None = None, split_by: str | None = None) -> ProvinceOutcome:
    """Audit every county, then write all outputs or none, holding the output root's lock.
    `previous`: the --previous files of each county (plan.plan_previous); a county without any
    carries the 整改台账 its history records. `previous_ledgers`: last quarter's ledger per county."""
    root.mkdir(parents=True, exist_ok=True)
    prepared = {d: ProvinceInput.of(table, catalog.rosters[d].id_column) for d, table in rosters.items()}
    split_tables = {name: ProvinceInput.of(table, "证件号码" if "证件号码" in catalog.tables[name].join else None)
                    for name, table in (tables or {}).items()}
    with output_lock(root):
        remove_stale_parts(root)
        staging = Path(tempfile.mkdtemp(prefix=f"{PART_PREFIX}{config.quarter}-", suffix=".staging", dir=root))
        job = ProvinceJob(prepared, config, catalog, root, staging, formats, mask, split_tables, dict(previous or {}),
                          dict(previous_ledgers or {}), split_by)
        try:
            run = _run_dask if engine == "dask" else _run_local
            finished = run(job, units, workers, scheduler)
            summaries = [summary for summary, _ in finished]
            staged = write_province_summary(summaries, config, staging / PROVINCE_FOLDER / config.quarter)
            outputs = {kind: root / path.relative_to(staging) for kind, path in staged.items()}
            _commit(job, finished, recorded_at)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return ProvinceOutcome(summaries, outputs)


def _commit(job: ProvinceJob, finished: list, recorded_at: str) -> None:
    """Every staged file renamed into place together (outputs.OutputSet), each county's run
    recorded in its history inside the commit: all of the province or none of it."""
    def record() -> None:
        for summary, result in finished:
            folder = job.county_folder(summary.county)
            workbook = folder / OUTPUTS["xlsx"].name(result) if "xlsx" in job.formats else None
            record_run(history_path(folder), result, workbook, recorded_at)

    with OutputSet(job.root) as outputs:
        for staged in sorted(p for p in job.staging.rglob("*") if p.is_file()):
            outputs.add(str(staged.relative_to(job.staging)), lambda path, staged=staged: os.replace(staged, path))
        outputs.commit(then=record)


def _run_local(job: ProvinceJob, units: list[CountyInput], workers, scheduler) -> list:
    audits = [audit_one(job, unit) for unit in units]
    answers = _answers([check_bucket([b[i] for b in map(county_buckets, audits)]) for i in range(BUCKETS)])
    return [finish_one(job, audit, answers) for audit in audits]


def _answers(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return sort_answers(pd.concat(parts, ignore_index=True))


def _run_dask(job: ProvinceJob, units: list[CountyInput], workers: int | None, scheduler: str | None) -> list:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise AuditInputError("--engine dask 需要安装 Dask。",
                              hint="运行 pip install 'ledger-audit[dask]'，或改用 --engine local。") from None
    cluster = None if scheduler else LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            return _on_cluster(client, job, units)
    except OSError as error:
        raise AuditInputError(f"无法连接 Dask 调度器（{error}）。", file=scheduler or "",
                              hint="检查 --scheduler 地址（如 tcp://10.0.0.5:8786）和网络，或不指定 --scheduler。") from None
    finally:
        if cluster is not None:
            cluster.close()


def _on_cluster(client, job: ProvinceJob, units: list[CountyInput]) -> list:
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker
    shipped = client.scatter(job, broadcast=True)
    audits = [client.submit(audit_one, shipped, unit, pure=False) for unit in units]
    split = [client.submit(county_buckets, audit, pure=False) for audit in audits]
    checked = [client.submit(check_bucket, [client.submit(_bucket, parts, i, pure=False) for parts in split],
                             pure=False) for i in range(BUCKETS)]
    answers = client.submit(_answers, checked, pure=False)
    finished = [client.submit(finish_one, shipped, audit, answers, pure=False) for audit in audits]
    try:
        return client.gather(finished)
    except (KilledWorker, FutureCancelledError) as error:
        raise AuditInputError(f"Dask 工作进程在审核中多次意外退出（{type(error).__name__}），本次运行已停止，未写出任何文件。",
                              hint="检查工作节点的内存（每个工作进程约需最大一个县台账的 10 倍内存），或减少 --workers 后重试。") from None


def _bucket(parts: list[pd.DataFrame], number: int) -> pd.DataFrame:
    return parts[number]
