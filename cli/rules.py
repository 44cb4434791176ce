"""`audit rules [RULE_ID]`: the catalogue, or one rule explained (like `ruff rule E501`)."""

from __future__ import annotations

import difflib

import typer
from tabulate import tabulate

from ledger_audit.catalog import GATES, load_catalog
from ledger_audit import registry  # noqa: F401 - registers every rule
from ledger_audit.gates.rule import RULES
from ledger_audit.track.rectification import TRACKING_RULES

from .errors import exit_on_error, usage_error
from .main import app


def _what_it_checks(rule_id: str, registered, condition: str | None) -> str:
    if registered:
        return registered.doc
    return TRACKING_RULES.get(rule_id) or f"县定规则，条件：{condition}"


@app.command()
def rules(rule_id: str = typer.Argument(None, help="规则编号，如 G2-011；不填则列出全部规则。")) -> None:
    """列出规则目录，或解释一条规则：检查什么、政策依据、如何整改。"""
    with exit_on_error():
        catalog = load_catalog()
        if not rule_id:
            rows = [[r.rule_id, f"{r.gate} {GATES[r.gate]}", r.title, r.severity, r.unit] for r in catalog.rules.values()]
            typer.echo(tabulate(rows, headers=["编号", "关口", "名称", "严重程度", "责任单位"], tablefmt="simple"))
            return
        spec = catalog.rules.get(rule_id.upper())
        if spec is None:
            close = difflib.get_close_matches(rule_id.upper(), list(catalog.rules), n=3, cutoff=0.5)
            raise usage_error(f"没有规则「{rule_id}」。" + (f"是否要找：{'、'.join(close)}？" if close else "用 audit rules 查看全部规则。"))
        registered = RULES.get(spec.rule_id)
        lines = [f"{spec.rule_id} {spec.title}", "",
                 f"关口：{spec.gate} {GATES[spec.gate]}    严重程度：{spec.severity}    责任单位：{spec.unit}"
                 + (f"    配合单位：{spec.assist_unit}" if spec.assist_unit else ""), "",
                 "检查什么：", _what_it_checks(spec.rule_id, registered, spec.condition), "",
                 "政策依据：", spec.basis, "", "整改要求：", spec.remedy, "", "问题描述模板：", spec.message]
        if registered and registered.needs:
            lines += ["", f"需要的列：{'、'.join(registered.needs)}"]
        if registered and registered.needs_roster:
            lines += [f"需要的部门名单：{registered.needs_roster}"]
        typer.echo("\n".join(lines))
