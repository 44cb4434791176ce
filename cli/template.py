"""`audit template`: write an empty ledger workbook with the canonical headers and dropdowns."""

from __future__ import annotations

from pathlib import Path

import typer

from ledger_audit.catalog import load_catalog

from .errors import exit_on_error, usage_error
from .main import command


@command()
def template(out: Path = typer.Option(..., "--out", help="模板文件路径（.xlsx）。", metavar="文件"),
             force: bool = typer.Option(False, "--force", help="覆盖已有文件。")) -> None:
    """生成空白台账模板：标准列名、证件号码列为文本格式、代码字段带下拉列表。"""
    with exit_on_error():
        from ledger_audit.report.template import write_template
        if out.suffix.lower() != ".xlsx":
            raise usage_error("--out 须以 .xlsx 结尾。")
        if out.exists() and not force:
            raise usage_error(f"{out} 已存在；如需覆盖请加 --force。")
        write_template(load_catalog(), out)
        typer.echo(f"已写出台账模板：{out}（填写后用 audit run {out.name} 审核）")
