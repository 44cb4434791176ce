"""The one place where exceptions become exit codes (outputs.md): every command runs inside
`exit_on_error`, so bad input never ends in a traceback."""

from __future__ import annotations

import logging
import tempfile
import traceback
from contextlib import contextmanager
from pathlib import Path

import typer

from ledger_audit.errors import AuditInputError, ExitCode


def fail(message: str, code: ExitCode) -> typer.Exit:
    typer.echo(message, err=True)
    logging.getLogger("ledger_audit").error("%s（退出码 %d）", message, int(code))
    return typer.Exit(int(code))


@contextmanager
def exit_on_error():
    """AuditInputError → its Chinese message and exit 3; any other exception is a bug → a short
    message naming the file the traceback was written to, and exit 4."""
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except AuditInputError as error:
        raise fail(f"输入错误：{error}", ExitCode.INPUT) from None
    except Exception:  # noqa: BLE001 - the boundary that turns bugs into exit code 4
        with tempfile.NamedTemporaryFile("w", prefix="ledger-audit-error-", suffix=".txt",
                                         delete=False, encoding="utf-8") as handle:
            traceback.print_exc(file=handle)
        raise fail(f"内部错误：程序出现了意外问题，详细信息已写入 {Path(handle.name)}。"
                   "请将该文件发给技术支持。", ExitCode.INTERNAL) from None


def usage_error(message: str) -> typer.Exit:
    return fail(f"用法错误：{message}", ExitCode.USAGE)


