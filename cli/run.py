"""`audit run`: load the ledger and rosters, run the gates, write 三单一账, print a summary."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from ledger_audit.errors import printable

from . import options
from .errors import exit_on_error, usage_error
from .progress import terminal_progress
from .unattended import LOGGER, log_to, stop_cleanly_on_sigterm
from .main import command


@command()
def run(
    ledgers: list[Path] = typer.Argument(None, help="台账文件（.xlsx/.xls/.csv），可多个。", metavar="台账文件"),
    roster: list[str] = options.ROSTER,
    table: list[str] = options.TABLE,
    quarter: str = options.QUARTER,
    as_of: str = options.AS_OF,
    previous: list[Path] = typer.Option(None, "--previous", help="上季度已填写整改台账的三单一账工作簿（.xlsx/.xls/.ods/.csv）；"
                                        "分乡镇填写的可重复给出，或给出存放它们的文件夹；不给出时从运行历史中查找。"
                                        "多县审核时按各文件的县列（或文件名、所在文件夹名中的县名）分给各县。",
                                        metavar="工作簿或文件夹"),
    previous_ledger: Path = typer.Option(None, "--previous-ledger", help="上季度台账（收入大幅下降 G5-002 需要）；"
                                         "多县审核时给出上季度各县台账所在的文件夹，按县分配。", metavar="台账文件或文件夹"),
    config: Path = options.CONFIG,
    out: Path = typer.Option(None, "--out", help="输出目录（默认 ./audit-out/<季度>/）。", metavar="目录"),
    formats: str = typer.Option(None, "--format", help="输出格式，逗号分隔：xlsx,html,json,junit（默认 xlsx,html,json）。", metavar="格式"),
    fail_on: str = options.FAIL_ON,
    no_mask: bool = options.NO_MASK,
    log: Path = typer.Option(None, "--log", help="把本次运行的记录追加到该日志文件（定时任务用）。", metavar="日志文件"),
    split_by: str = typer.Option(None, "--split-by", help="另按乡镇分别输出工作簿（只含本乡镇的问题清单、任务清单和整改台账）：--split-by 乡镇。",
                                 metavar="乡镇"),
    engine: str = typer.Option(None, "--engine", help="多县（全省）审核的运行方式：local（默认，逐县）或 dask（分布式）。",
                               metavar="引擎"),
    workers: int = typer.Option(None, "--workers", help="--engine dask 在本机启动的工作进程数（默认 CPU 核数）。",
                                metavar="进程数"),
    scheduler: str = typer.Option(None, "--scheduler", metavar="地址",
                                  help="使用已有的 Dask 集群，如 tcp://10.0.0.5:8786（各节点需能读写同一输出目录）。"),
) -> None:
    """审核台账：五个关口 + 部门比对，输出三单一账、HTML 报告和 findings.json。"""
    stop_cleanly_on_sigterm()
    with exit_on_error():
        from ledger_audit.pipeline import is_province, run_audit
        from ledger_audit.report.terminal import broken_column_lines, findings_summary, load_summary, outputs_summary
        settings, audit_config, catalog = options.settings_and_config(
            ledgers or [], roster, quarter, as_of, config, out, formats, fail_on, no_mask, previous_ledger, previous,
            split_by, table)
        log_to(log or settings.log)
        LOGGER.info("开始审核 %s（%s）", "、".join(map(printable, settings.ledgers)), audit_config.quarter)
        recorded_at = datetime.now().isoformat(timespec="seconds")
        if engine or workers or scheduler or is_province(settings.ledgers):
            summary, severities = _province(settings, audit_config, catalog, engine, workers, scheduler, recorded_at)
        else:
            with terminal_progress() as progress:
                outcome = run_audit(settings, audit_config, catalog, recorded_at=recorded_at, progress=progress)
            result = outcome.result
            summary = "\n".join([*broken_column_lines(result), *(load_summary(load) for load in result.loads), "",
                                  findings_summary(result), "",
                                  outputs_summary(outcome.outputs)])
            severities = result.findings["severity"]
        typer.echo(summary)
        LOGGER.info("审核完成\n%s", summary)
    code = options.exit_code_for(severities, settings.fail_on)
    LOGGER.info("退出码 %d", code)
    raise typer.Exit(int(code))


def _province(settings, audit_config, catalog, engine, workers, scheduler, recorded_at) -> tuple[str, list[str]]:
    """Many counties: each county's 三单一账 in its own folder, and the province summary."""
    from ledger_audit.pipeline import run_province_audit
    from ledger_audit.province.summary import province_text
    if engine not in (None, "local", "dask"):
        raise usage_error(f"--engine 只能是 local 或 dask，而不是「{engine}」。")
    if workers is not None and workers < 1:
        raise usage_error("--workers 至少为 1。")
    if (workers or scheduler) and engine != "dask":
        raise usage_error("--workers 和 --scheduler 只用于 --engine dask。")
    outcome = run_province_audit(settings, audit_config, catalog, engine or "local", workers, scheduler, recorded_at)
    names = {"xlsx": "全省汇总工作簿", "html": "全省汇总 HTML"}
    lines = [province_text(outcome.summaries), "\n".join(f"{names[k]}：{p}" for k, p in outcome.outputs.items()),
             f"各县三单一账：{outcome.outputs['xlsx'].parents[2]}/<县>/{audit_config.quarter}/"]
    severities = [s for summary in outcome.summaries for s, n in summary.severities.items() if n]
    return "\n\n".join(lines), severities
