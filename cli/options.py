"""Options shared by `audit run` and `audit check`, and their translation into library values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import typer

from ledger_audit.catalog import GATES, SEVERITY_ENGLISH, Catalog, load_catalog
from ledger_audit.config import FAIL_ON_LEVELS, SPLITS, AuditConfig, RunSettings, load_config_file, parse_as_of, quarter_of
from ledger_audit.errors import AuditInputError, ExitCode

from .errors import usage_error

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def parse_named_files(values: list[str], option: str = "--roster", example: str = "医保=参保名单.xlsx") -> dict[str, Path]:
    """--roster 医保=F / --table 户信息=F → {医保: F}."""
    files = {}
    for value in values:
        key, separator, path = value.partition("=")
        if not separator or not key.strip() or not path.strip():
            name = "部门" if option == "--roster" else "表名"
            raise usage_error(f"{option}「{value}」应写成 {name}=文件，例如 {option} {example}。")
        files[key.strip()] = Path(path.strip())
    return files


def parse_gates(value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    gates = tuple(g.strip().upper() for g in value.split(",") if g.strip())
    unknown = [g for g in gates if g not in GATES]
    if unknown:
        raise usage_error(f"未知的关口 {'、'.join(unknown)}；可用 {','.join(GATES)}。")
    return gates


def settings_and_config(ledgers: list[Path], rosters: list[str], quarter: str | None, as_of: str | None,
                        config_file: Path | None, out: Path | None, formats: str | None, fail_on: str | None,
                        no_mask: bool, previous_ledger: Path | None = None,
                        previous: list[Path] | None = None,
                        split_by: str | None = None,
                        tables: list[str] | None = None) -> tuple[RunSettings, AuditConfig, Catalog]:
    """Merge a config file (if any) with command-line options; the command line wins."""
    audit_options, settings = load_config_file(config_file) if config_file else ({}, RunSettings())
    cli_quarter, cli_as_of = quarter, as_of
    quarter = quarter or audit_options.pop("quarter", None)
    as_of = as_of or audit_options.pop("as_of", None)
    audit_options.pop("quarter", None), audit_options.pop("as_of", None)
    if not quarter and not as_of:
        raise usage_error("请用 --quarter（如 2022Q2）或 --as-of（如 2022-06-30）指定审核截止日。")
    if quarter == "last":
        quarter = last_completed_quarter(date.today())
    if split_by and split_by not in SPLITS:
        raise usage_error(f"--split-by 只能是 {'、'.join(SPLITS)}。")
    if fail_on and fail_on not in FAIL_ON_LEVELS:
        raise usage_error(f"--fail-on 只能是 {'、'.join(FAIL_ON_LEVELS)}。")
    config = AuditConfig(as_of=as_of_date(quarter, as_of, from_command_line=bool(cli_quarter or cli_as_of)),
                         **audit_options)
    settings = replace(
        settings,
        ledgers=tuple(ledgers) or settings.ledgers,
        rosters={**settings.rosters, **parse_named_files(rosters)},
        tables={**settings.tables, **parse_named_files(tables or [], "--table", "户信息=户信息.xlsx")},
        out_dir=out or settings.out_dir or Path("audit-out") / config.quarter,
        formats=tuple(f.strip() for f in formats.split(",")) if formats else settings.formats,
        fail_on=fail_on or settings.fail_on,
        previous_ledger=previous_ledger or settings.previous_ledger,
        previous=tuple(previous or ()) or settings.previous,
        split_by=split_by or settings.split_by,
        mask=settings.mask and not no_mask,
    )
    return settings, config, load_catalog(extra_rule_files=settings.extra_rule_files)


def as_of_date(quarter: str | None, as_of: str | None, from_command_line: bool = True) -> date:
    """The as-of date of --quarter/--as-of; a malformed value typed on the command line (2022Q5)
    is a usage error (exit 2), one read from a config file an input error (exit 3)."""
    try:
        return parse_as_of(quarter, as_of)
    except AuditInputError as error:
        if from_command_line:
            raise usage_error(str(error)) from None
        raise


def last_completed_quarter(today: date) -> str:
    """--quarter last (for cron): the latest quarter that has ended. The clock is read here, in the
    CLI, never in the library."""
    return quarter_of(today.replace(day=1) - timedelta(days=(today.month - 1) % 3 * 31 + 1))


def exit_code_for(severities, fail_on: str) -> ExitCode:
    """1 when any finding is at or above --fail-on, else 0."""
    if fail_on == "never":
        return ExitCode.OK
    threshold = SEVERITY_RANK[fail_on]
    ranks = {SEVERITY_RANK[SEVERITY_ENGLISH[s]] for s in set(severities)}
    return ExitCode.FINDINGS if any(rank <= threshold for rank in ranks) else ExitCode.OK


QUARTER = typer.Option(None, "--quarter", help="审核季度，如 2022Q2（截止日为季末）；last 表示刚结束的季度（定时任务用）。", metavar="季度")
AS_OF = typer.Option(None, "--as-of", help="审核截止日，如 2022-06-30。", metavar="日期")
ROSTER = typer.Option([], "--roster", help="部门名单：民政=F、医保=F、住建=F、教体=F、人社=F、残联=F（也可用拼音 minzheng、yibao、zhujian、jiaoti、renshe、canlian）。", metavar="部门=文件")
TABLE = typer.Option([], "--table", help="全国系统导出的其他表：户信息=F、已外出务工=F、计划外出务工=F、行政村=F（也可用拼音 huxinxi、yiwugong、jihuawugong、xingzhengcun）。", metavar="表名=文件")
CONFIG = typer.Option(None, "--config", help="配置文件（TOML），见 audit init。", metavar="配置文件")
FAIL_ON = typer.Option(None, "--fail-on", help="达到该级别时退出码为 1：error、warning、info、never（默认 error）。", metavar="级别")
NO_MASK = typer.Option(False, "--no-mask", help="不遮蔽证件号码和电话（仅限受控副本）。")
