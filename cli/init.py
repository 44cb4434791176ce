"""`audit init`: write a commented example config file."""

from __future__ import annotations

from pathlib import Path

import typer

from ledger_audit.resources import schemas_dir

from .errors import exit_on_error, usage_error
from .main import command


@command()
def init(out: Path = typer.Option(Path("county.toml"), "--out", help="配置文件路径。", metavar="文件"),
         force: bool = typer.Option(False, "--force", help="覆盖已有文件。")) -> None:
    """生成带注释的示例配置文件（TOML）。"""
    with exit_on_error():
        if out.exists() and not force:
            raise usage_error(f"{out} 已存在；如需覆盖请加 --force。")
        out.write_text((schemas_dir() / "audit.example.toml").read_text(encoding="utf-8"), encoding="utf-8")
        typer.echo(f"已写出示例配置：{out}")
