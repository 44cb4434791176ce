"""Progress of a long run, reported to whoever asked for it.

The library never prints: `run_audit` calls a `Progress` callback (passed in by the command line,
which draws stages and a bar on a terminal) when each stage starts. Without one nothing happens.
"""

from __future__ import annotations

from typing import Callable

Progress = Callable[[str, int, int], None]  # (the stage that starts now, stages done, stages in all)
OnStage = Callable[[str], None]              # the stage that starts now


def no_progress(stage: str, done: int, total: int) -> None:
    """The default `Progress`: report nothing."""


def silent(stage: str) -> None:
    """The default `OnStage`: report nothing."""


class Stages:
    """Counts the stages of one run for a `Progress` callback that knows the total in advance."""

    def __init__(self, report: Progress, total: int) -> None:
        self.report, self.total, self.done = report, total, 0

    def __call__(self, stage: str) -> None:
        self.report(stage, self.done, self.total)
        self.done += 1

    def finish(self) -> None:
        self.report("完成", self.total, self.total)
