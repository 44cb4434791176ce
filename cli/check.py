"""`audit check`: the CI gate on submitted spreadsheets. Same rules, a compact table, exit codes of
outputs.md, and only the files --json / --junit ask for."""

from __future__ import annotations

from pathlib import Path

import typer

from . import options
from .errors import exit_on_error, usage_error
from .progress import terminal_progress
from .main import command

MAX_LINES = 100


@command()
def check(
    ledgers: list[Path] = typer.Argument(..., help="要检查的台账文件，可多个。", metavar="台账文件"),
    gates: str = typer.Option(None, "--gates", help="只运行这些关口，如 G1,G2（报送前快速检查）。", metavar="关口"),
    roster: list[str] = options.ROSTER,
    table: list[str] = options.TABLE,
    quarter: str = options.QUARTER,
    as_of: str = options.AS_OF,
    config: Path = options.CONFIG,
    json_path: Path = typer.Option(None, "--json", help="写出 findings.json 到该路径。", metavar="文件"),
    junit_path: Path = typer.Option(None, "--junit", help="写出 JUnit XML 到该路径（每条规则一个用例）。", metavar="文件"),
    fail_on: str = options.FAIL_ON,
    no_mask: bool = options.NO_MASK,
    max_lines: int = typer.Option(MAX_LINES, "--max-lines", min=0, metavar="行数",
                                  help=f"摘要之后最多列出多少条问题，每条一行（默认 {MAX_LINES}；0 表示不列出）。"),
    output_format: str = typer.Option("text", "--format", metavar="格式",
                                      help="text：每条问题一行“文件:工作表:行 规则编号 严重程度 问题描述”；"
                                           "github：GitHub 工作流注释（::error file=…,line=…::…）。"),
) -> None:
    """报送检查（CI）：运行规则，打印摘要和每条问题，按退出码报告结果；只写出 --json/--junit 指定的文件。"""
    with exit_on_error():
        from ledger_audit.pipeline import run_audit
        from ledger_audit.report.redact import redacted
        from ledger_audit.report.terminal import broken_column_lines, findings_summary, finding_lines, github_annotations
        from ledger_audit.report.writers import write_output
        if output_format not in ("text", "github"):
            raise usage_error("--format 只能是 text 或 github。")
        chosen = options.parse_gates(gates)
        settings, audit_config, catalog = options.settings_and_config(
            ledgers, roster, quarter, as_of, config, None, None, fail_on, no_mask, tables=table)
        with terminal_progress() as progress:
            result = run_audit(settings, audit_config, catalog, gates=chosen, write=False, progress=progress).result
        result = redacted(result) if settings.mask else result
        typer.echo("\n".join([*broken_column_lines(result), findings_summary(result)]))
        if max_lines and len(result.findings):
            given = {path.name: str(path) for path in (*settings.ledgers, *map(Path, settings.rosters.values()),
                                                       *map(Path, settings.tables.values()))}
            typer.echo("")
            typer.echo(github_annotations(result, given, max_lines) if output_format == "github"
                       else finding_lines(result, given, max_lines))
        for kind, path in (("json", json_path), ("junit", junit_path)):
            if path:
                write_output(result, kind, path)
    raise typer.Exit(int(options.exit_code_for(result.findings["severity"], settings.fail_on)))
