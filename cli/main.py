"""The `audit` command: a thin Typer app. Each command lives in its own module under cli/ and only
parses options, calls the library and maps errors to exit codes (cli/errors.py)."""

from __future__ import annotations

import typer

from .help import AuditCommand, AuditGroup
from .unattended import tolerant_console

app = typer.Typer(cls=AuditGroup, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="防止返贫动态监测台账数据质量审核工具（三单一账）。")


def command():
    """`@command()` registers a command whose help is Chinese and wrapped by display width."""
    return app.command(cls=AuditCommand)


def build_app() -> typer.Typer:
    """The app with every command registered (importing a command module registers it)."""
    from . import check, history, init, rules, run, sample, template  # noqa: F401
    return app


def main() -> None:
    tolerant_console()
    build_app()()
