"""Stages and a progress bar on stderr while a long run works, only when stderr is a terminal:
cron mail and CI logs get nothing of the sort."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator

from ledger_audit.progress import Progress, no_progress


@contextmanager
def terminal_progress() -> Iterator[Progress]:
    """A `Progress` callback drawing on stderr when it is a terminal (each finished stage as a
    line with its time, the current one with a bar); `no_progress` otherwise."""
    if not sys.stderr.isatty():
        yield no_progress
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

    bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
              console=Console(stderr=True), transient=True)
    task = bar.add_task("准备", total=None)
    current = {"stage": "", "since": time.monotonic()}

    def report(stage: str, done: int, total: int) -> None:
        if current["stage"]:
            bar.console.print(f"{current['stage']}：{time.monotonic() - current['since']:.1f} 秒")
        current.update(stage=stage if done < total else "", since=time.monotonic())
        bar.update(task, description=stage, completed=done, total=total)

    with bar:
        yield report
