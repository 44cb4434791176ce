"""`audit sample`: write a realistic synthetic county, its four rosters and planted.csv."""

from __future__ import annotations

from pathlib import Path

import typer

from .errors import exit_on_error, usage_error
from .options import as_of_date
from .main import command

FILE_NAMES = {"ledger": "台账", "planted": "埋设问题清单", "filled_rectification": "已填写的上季度整改台账",
              "next_ledger": "下季度台账", "transitions": "整改状态变化清单",
              "户信息": "户信息表", "已外出务工": "已外出务工信息表", "计划外出务工": "计划外出务工信息表",
              "行政村": "行政村信息表"}  # departments: 民政名单 …


@command()
def sample(
    out: Path = typer.Option(..., "--out", help="输出目录。", metavar="目录"),
    households: int = typer.Option(300, "--households", help="户数（每户 1–6 人）。", metavar="户数"),
    seed: int = typer.Option(2022, "--seed", help="随机种子：相同种子生成完全相同的文件。", metavar="整数"),
    quarter: str = typer.Option("2022Q2", "--quarter", help="数据截止季度（年龄、日期以季末为准）。", metavar="季度"),
    defects: str = typer.Option("all", "--defects", help="all：为每条规则埋设问题；none：干净数据。", metavar="all或none"),
    merged_headers: bool = typer.Option(False, "--merged-headers", help="两行合并表头（家庭收入情况）。"),
    numeric_ids: bool = typer.Option(False, "--numeric-ids", help="证件号码全部存为数字（如 Excel 常规格式）。"),
    gbk_csv: bool = typer.Option(False, "--gbk-csv", help="台账写成 GBK 编码的 CSV。"),
    xls: bool = typer.Option(False, "--xls", help="台账写成 Excel 97–2003 .xls。"),
    household_sheet: bool = typer.Option(False, "--household-sheet", help="户表 + 人表两个工作表。"),
    sheet_per_town: bool = typer.Option(False, "--sheet-per-town", help="每个乡镇一个工作表。"),
    date_cells: bool = typer.Option(False, "--date-cells", help="出生日期、识别监测时间等写成日期单元格（如在 Excel 中录入日期）。"),
    national_headers: bool = typer.Option(False, "--national-headers",
                                          help="按全国防止返贫监测信息系统导出的列名和代码写台账（乡、村、享受低保政策情况等，无家庭人口数列）。"),
    quarters: int = typer.Option(1, "--quarters", help="2：再生成下一季度台账、已填写的上季度整改台账和 transitions.csv。", metavar="季度数"),
) -> None:
    """生成示例县台账、部门名单、全国系统的其他四张表和埋设问题清单 planted.csv。"""
    with exit_on_error():
        from ledger_audit.sample.build import build_sample
        from ledger_audit.sample.quarters import build_two_quarters
        from ledger_audit.sample.write import MessyForms
        if defects not in ("all", "none"):
            raise usage_error("--defects 只能是 all 或 none。")
        if households < 1:
            raise usage_error("--households 至少为 1。")
        if national_headers and household_sheet:
            raise usage_error("--national-headers 与 --household-sheet 不能同时使用（全国系统导出的台账是一张人表）。")
        if quarters not in (1, 2):
            raise usage_error("--quarters 只能是 1 或 2。")
        messy = MessyForms(merged_headers, numeric_ids, gbk_csv, xls, household_sheet, sheet_per_town,
                           date_cells=date_cells, national_headers=national_headers)
        as_of = as_of_date(quarter, None)
        paths = build_two_quarters(out, households, seed, as_of, messy) if quarters == 2 else \
            build_sample(out, households, seed, as_of, defects == "all", messy)
        typer.echo(f"已生成示例县数据（{households} 户，截止 {as_of.isoformat()}）：")
        for role, path in paths.items():
            typer.echo(f"  {FILE_NAMES.get(role, f'{role}名单')}：{path}")
