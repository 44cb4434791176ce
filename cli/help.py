"""`--help` in Chinese: headings, usage line and the help option's own text translated, every text
wrapped by display width (click wraps by character count and at spaces only, so Chinese help ran
past an 80-column terminal). Commands get this through `cls=AuditCommand` (see main.command)."""

from __future__ import annotations

import re

import typer.core

from .display import display_width, wrap

try:
    from typer import _click as click  # typer ≥ 0.22 ships its own copy of click
except ImportError:  # pragma: no cover - older typer uses click itself
    import click

HEADINGS = {"Arguments": "参数", "Options": "选项", "Commands": "命令"}
USAGE_WORDS = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))
HELP_OPTION_TEXT = "显示本帮助并退出。"
TYPE_LABEL = re.compile(r" <[^<>]*>$")  # typer's English type label (<list[Path]>) after a metavar
EXTRAS = (("default: ", "默认："), ("required", "必填"))


def _chinese_term(term: str) -> str:
    return TYPE_LABEL.sub("", term)


def _chinese_definition(definition: str) -> str:
    for english, chinese in EXTRAS:
        definition = definition.replace(english, chinese)
    return definition


class ChineseHelpFormatter(click.HelpFormatter):
    def _lines(self, text: str, indent: int) -> None:
        for line in wrap(text, self.width, indent=" " * indent):
            self.write(f"{line}\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in USAGE_WORDS:
            args = args.replace(english, chinese)
        self._lines(f"用法：{prog} {args}", self.current_indent)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        self._lines(text, self.current_indent)

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        """A term and its definition per row, the definitions in one column wrapped by display
        width; a term wider than the column gets its definition on the next line."""
        rows = [(_chinese_term(term), _chinese_definition(definition)) for term, definition in rows]
        first = min(max((display_width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, definition in rows:
            lines = wrap(definition, self.width - self.current_indent, indent=" " * first) if definition else []
            if display_width(term) + col_spacing <= first and lines:
                pad = " " * (first - display_width(term))
                self.write(f"{indent}{term}{pad}{lines[0].lstrip()}\n")
                lines = lines[1:]
            else:
                self.write(f"{indent}{term}\n")
            for line in lines:
                self.write(f"{indent}{line}\n")


class AuditContext(click.Context):
    formatter_class = ChineseHelpFormatter


def _chinese_help_option(option):
    if option is not None:
        option.help = HELP_OPTION_TEXT
    return option


class AuditCommand(typer.core.TyperCommand):
    context_class = AuditContext

    def get_help_option(self, ctx):
        return _chinese_help_option(super().get_help_option(ctx))


class AuditGroup(typer.core.TyperGroup):
    context_class = AuditContext

    def get_help_option(self, ctx):
        return _chinese_help_option(super().get_help_option(ctx))
