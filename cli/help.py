"""`--help` in Chinese: headings, usage line and the help option's own text translated, every text
wrapped by display width (click wraps by character count and at spaces only, so Chinese help ran
past an 80-column terminal). Commands get this through `cls=AuditCommand` (see main.command).
Usage errors that the option parser finds (an unknown option, a missing value) are said in Chinese
too, with exit code 2."""

from __future__ import annotations

import re
import sys

import typer
import typer.core

from .display import display_width, wrap

try:
    from typer import _click as click  # typer ≥ 0.22 ships its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer uses click itself
    import click
    from click import exceptions as click_errors

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


PARSER_ERRORS = (  # click's English usage errors → Chinese; anything else is shown as click says it
    (r"No such option: (\S+)(?: \(Possible options: (.+)\)| Did you mean (\S+)\?)?", r"没有选项 \1。可用的相近选项：\2\3"),
    (r"No such command '(.+?)'\.(?: Did you mean '(.+?)'\?)?", r"没有命令「\1」。是否要找：\2"),
    (r"Missing argument '(.+?)'\.", r"缺少参数：\1。"),
    (r"Missing option '(.+?)'\.", r"缺少选项 \1。"),
    (r"Option '(.+?)' requires an argument\.", r"选项 \1 后面需要给出一个值。"),
    (r"Invalid value for '(.+?)': .*", r"选项 \1 的值无效。"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)", r"多余的参数：\1。"),
)


def chinese_usage_error(message: str) -> str:
    for english, chinese in PARSER_ERRORS:
        match = re.fullmatch(english, message)
        if match:
            return re.sub(r"(。可用的相近选项：|。是否要找：)$", "。", match.expand(chinese))
    return message


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

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        """click's main, with the parser's usage errors said in Chinese (exit 2)."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except getattr(click_errors, "NoArgsIsHelpError", ()) as error:  # `audit` alone: the help
            error.show()
            sys.exit(error.exit_code)
        except click_errors.UsageError as error:
            command = error.ctx.command_path if error.ctx else "audit"
            typer.echo(f"用法错误：{chinese_usage_error(error.format_message())}\n用 {command} --help 查看用法。", err=True)
            sys.exit(error.exit_code)
        except click_errors.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click_errors.Abort:
            typer.echo("已中止。", err=True)
            sys.exit(1)
        sys.exit(code or 0)
