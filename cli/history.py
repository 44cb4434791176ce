"""`audit history`: findings and 整改台账 statuses by quarter, from the run history."""

from __future__ import annotations

from pathlib import Path

import typer
from tabulate import tabulate

from .errors import exit_on_error
from .main import command


@command()
def history(out: Path = typer.Option(Path("audit-out"), "--out", help="输出根目录（各季度文件夹所在的目录）。", metavar="目录")) -> None:
    """按季度列出问题数和整改状态（来自运行历史）。"""
    with exit_on_error():
        from ledger_audit.track.history import HISTORY_FILE, history_frame
        table = history_frame(out / HISTORY_FILE)
        if table.empty:
            typer.echo(f"{out / HISTORY_FILE} 中还没有运行记录。")
            return
        typer.echo(tabulate(table.values.tolist(), headers=list(table.columns), tablefmt="simple"))
