"""The impure shell around `audit_county`: read the inputs a run names, audit, write the outputs.

read → normalise → gates → report; every stage lives in its own package, this module only wires
them in that order. A province (many counties) runs through province/, county by county.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .audit import AUDIT_STAGES, audit_county
from .catalog import Catalog
from .config import AuditConfig, RunSettings
from .errors import AuditInputError
from .frame import LoadedTable
from .lock import output_lock
from .normalise.tables import county_of, load_ledger, load_roster, load_table
from .outputs import remove_stale_parts
from .progress import OnStage, Progress, Stages, no_progress, silent
from .province.plan import county_in_name, plan_counties, plan_previous, plan_previous_ledgers
from .province.run import ProvinceOutcome, run_province
from .report.writers import write_reports
from .result import AuditResult
from .track.history import history_frame, history_path, latest_rectification, record_run
from .track.previous import read_previous_rectification


@dataclass
class RunOutcome:
    result: AuditResult
    outputs: dict[str, Path]


def load_inputs(settings: RunSettings, catalog: Catalog,
                on_stage: OnStage = silent) -> tuple[LoadedTable, dict[str, LoadedTable], dict[str, LoadedTable]]:
    """The ledger, the department rosters and the national tables a run names."""
    if not settings.ledgers:
        raise AuditInputError("没有指定台账文件。", hint="在命令行给出台账文件，或在配置文件 [run] ledgers 中列出。")
    on_stage("读取台账 " + "、".join(Path(p).name for p in settings.ledgers))
    ledger = load_ledger(list(settings.ledgers), catalog)
    return ledger, load_rosters(settings, catalog, on_stage), load_tables(settings, catalog, on_stage)


def load_rosters(settings: RunSettings, catalog: Catalog, on_stage: OnStage = silent) -> dict[str, LoadedTable]:
    rosters = {}
    for key, path in settings.rosters.items():
        spec = catalog.roster_for_key(key)
        if spec is None:
            names = "、".join(k for r in catalog.rosters.values() for k in r.keys[:2])
            raise AuditInputError(f"不认识的部门名单「{key}」。", hint=f"可用的部门：{names}。")
        on_stage(f"读取{spec.department}名单 {Path(path).name}")
        rosters[spec.department] = load_roster(spec.department, Path(path), catalog)
    return rosters


def load_tables(settings: RunSettings, catalog: Catalog, on_stage: OnStage = silent) -> dict[str, LoadedTable]:
    tables = {}
    for key, path in settings.tables.items():
        spec = catalog.table_for_key(key)
        if spec is None:
            names = "、".join(t.name for t in catalog.tables.values())
            raise AuditInputError(f"不认识的表「{key}」。", hint=f"可用的表：{names}（--table 表名=文件）。")
        on_stage(f"读取{spec.name}表 {Path(path).name}")
        tables[spec.name] = load_table(spec.name, Path(path), catalog)
    return tables


def is_province(ledgers: tuple[Path, ...]) -> bool:
    """A folder of ledgers, or files whose names name two or more counties, is a province run;
    several files of one county (one per 乡镇, say) stay one county's run."""
    return any(p.is_dir() for p in ledgers) or len({county_in_name(p) for p in ledgers} - {None}) > 1


def run_province_audit(settings: RunSettings, config: AuditConfig, catalog: Catalog, engine: str = "local",
                       workers: int | None = None, scheduler: str | None = None,
                       recorded_at: str = "") -> ProvinceOutcome:
    """Every county of the ledgers given, each into <output root>/<县>/<季度>/ (the output root is
    the parent of the quarter's folder, where each county's run history lives), and the province
    summary into <output root>/省汇总/<季度>/. Province-wide rosters and tables are split per
    county; --previous files go each to its county, --previous-ledger is split like the ledgers."""
    if not settings.ledgers:
        raise AuditInputError("没有指定台账文件。", hint="在命令行给出各县台账文件或所在文件夹。")
    units = plan_counties(list(settings.ledgers), catalog)
    counties = [unit.county for unit in units]
    previous = plan_previous(list(settings.previous), counties) if settings.previous else {}
    previous_ledgers = (plan_previous_ledgers([settings.previous_ledger], counties, catalog)
                        if settings.previous_ledger else {})
    rosters, tables = load_rosters(settings, catalog), load_tables(settings, catalog)
    root = (settings.out_dir or Path("audit-out") / config.quarter).parent
    return run_province(units, rosters, config, catalog, root, settings.formats, engine, workers, scheduler, recorded_at,
                        settings.mask, tables, previous, previous_ledgers, settings.split_by)


def previous_rectification_paths(settings: RunSettings, config: AuditConfig) -> tuple[Path, ...]:
    """--previous if given; otherwise last quarter's 整改台账 recorded in the run history."""
    if settings.previous:
        return settings.previous
    if settings.out_dir is None:
        return ()
    latest = latest_rectification(history_path(settings.out_dir), config.quarter)
    return (latest,) if latest else ()


def run_audit(settings: RunSettings, config: AuditConfig, catalog: Catalog, gates: tuple[str, ...] | None = None,
              write: bool = True, recorded_at: str = "", progress: Progress = no_progress) -> RunOutcome:
    """Read everything first (a bad input stops the run before anything is written), audit, then
    write the reports and record the run in the history as one commit, holding the output root's
    lock (and, under it, removing the temporary files a killed run left). `progress` is told when
    each stage starts (the command line draws it on a terminal)."""
    if not (write and settings.out_dir):
        return _run(settings, config, catalog, gates, False, recorded_at, progress)
    with output_lock(settings.out_dir.parent):
        remove_stale_parts(settings.out_dir)
        return _run(settings, config, catalog, gates, True, recorded_at, progress)


def _run(settings: RunSettings, config: AuditConfig, catalog: Catalog, gates: tuple[str, ...] | None,
         write: bool, recorded_at: str, progress: Progress) -> RunOutcome:
    previous_paths = previous_rectification_paths(settings, config)
    stage = Stages(progress, 1 + len(settings.rosters) + len(settings.tables) + bool(settings.previous_ledger)
                   + bool(previous_paths) + len(AUDIT_STAGES) + write)
    ledger, rosters, tables = load_inputs(settings, catalog, stage)
    config = config if config.county else replace(config, county=county_of(ledger))
    if settings.previous_ledger:
        stage(f"读取上季度台账 {Path(settings.previous_ledger).name}")
    previous_ledger = load_ledger([settings.previous_ledger], catalog) if settings.previous_ledger else None
    if previous_paths:
        stage("读取上季度整改台账 " + "、".join(Path(p).name for p in previous_paths))
    previous = read_previous_rectification(previous_paths) if previous_paths else None
    result = audit_county(ledger, rosters, config, catalog, previous_ledger, previous, gates, on_stage=stage,
                          tables=tables)
    if not write:
        stage.finish()
        return RunOutcome(result, {})
    stage("写出报告")
    database = history_path(settings.out_dir)
    result.history = history_frame(database)
    outputs = write_reports(result, settings.out_dir, settings.formats,
                            then=lambda paths: record_run(database, result, paths.get("xlsx"), recorded_at),
                            split_by=settings.split_by, mask=settings.mask)
    stage.finish()
    return RunOutcome(result, outputs)
