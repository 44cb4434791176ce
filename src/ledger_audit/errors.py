"""Errors a user can act on, and the fixed exit codes of outputs.md."""

from __future__ import annotations

import re
from enum import IntEnum

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: object) -> str:
    """A file name as it may be shown in one line of a message, a table or the log: control
    characters (a newline in a file name) written as escapes, \\n, instead of splitting the line."""
    return CONTROL.sub(lambda match: repr(match.group())[1:-1], str(text))


class ExitCode(IntEnum):
    """Exit codes are a contract with CI jobs and cron scripts: never renumber them."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INPUT = 3
    INTERNAL = 4


class AuditInputError(Exception):
    """Bad input (exit code 3): the message is Chinese and names the file, the sheet and what to do.

    Raised by every stage that reads something a person supplied: workbooks, rosters, the previous
    整改台账, the config file. Never raised for a bug; those end with exit code 4.
    """

    def __init__(self, problem: str, *, file: str | None = None, sheet: str | None = None,
                 hint: str | None = None) -> None:
        self.problem = problem
        self.file = file
        self.sheet = sheet
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"文件「{printable(self.file)}」")
        if self.sheet:
            where.append(f"工作表「{printable(self.sheet)}」")
        text = ("，".join(where) + "：" if where else "") + self.problem
        if self.hint:
            text += f"\n处理办法：{self.hint}"
        return text
