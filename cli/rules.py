"""`audit rules [RULE_ID]`: the catalogue, or one rule explained (like `ruff rule E501`). Everything
printed comes from the rule metadata in schemas/rules/*.toml, in Chinese."""

from __future__ import annotations

import difflib

import typer

from ledger_audit.catalog import GATES, RuleSpec, load_catalog

from .display import terminal_width, wrap
from .errors import exit_on_error, usage_error
from .main import command


def _what_it_checks(spec: RuleSpec) -> str:
    return spec.what or (f"县定规则，条件：{spec.condition}" if spec.condition else "")


def _section(heading: str, text: str, width: int) -> list[str]:
    return [f"{heading}：", *wrap(text, width, indent="  "), ""] if text else []


def _needs(spec: RuleSpec) -> list[str]:
    """The columns and the department roster a rule needs (from its registered function)."""
    from ledger_audit.registry import implementations

    registered = implementations().get(spec.rule_id)
    columns = registered.needs if registered else spec.needs
    return ([f"需要的列：{'、'.join(columns)}"] if columns else []) + (
        [f"需要的部门名单：{registered.needs_roster}"] if registered and registered.needs_roster else [])


def _examples(rule_id: str, width: int) -> list[str]:
    """The rule's examples (schemas/examples/), each run: what the rule reports on it."""
    from ledger_audit.registry import rule_set
    from ledger_audit.rule_examples import case_text, load_examples, run_case

    examples = load_examples().get(rule_id)
    if examples is None:
        return []
    catalog = load_catalog()
    rules = rule_set(catalog)
    lines = []
    for heading, cases in (("会被报告的例子", examples.fires), ("不会报告的例子", examples.passes)):
        for case in cases:
            messages = run_case(rule_id, case, catalog, rules)["message"].tolist()
            outcome = [f"报告：{m}" for m in messages] or ["不报告"]
            lines += [f"{heading}：", *(line for text in case_text(case) for line in wrap(text, width, indent="  ")),
                      *(line for text in outcome for line in wrap(f"→ {text}", width, indent="  ")), ""]
    return lines


def explanation(spec: RuleSpec, width: int) -> list[str]:
    """`audit rules X`: 检查什么, 政策依据, an example, 整改要求, the message template."""
    header = (f"关口：{spec.gate} {GATES[spec.gate]}    严重程度：{spec.severity}    责任单位：{spec.unit}"
              + (f"    配合单位：{spec.assist_unit}" if spec.assist_unit else ""))
    return [f"{spec.rule_id} {spec.title}", "", *wrap(header, width),
            *(["红线问题（审核报告中列在最前）"] if spec.red_line else []), "",
            *_section("检查什么", _what_it_checks(spec), width),
            *_section("政策依据", spec.basis, width),
            *_section("示例（会被报告的一行）", spec.example, width),
            *_examples(spec.rule_id, width),
            *_section("整改要求", spec.remedy, width),
            *_section("问题描述模板", spec.message, width),
            *(line for need in _needs(spec) for line in wrap(need, width))]


@command()
def rules(rule_id: str = typer.Argument(None, help="规则编号，如 G2-011；不填则列出全部规则。", metavar="规则编号")) -> None:
    """列出规则目录，或解释一条规则：检查什么、政策依据、示例、如何整改。"""
    from tabulate import tabulate

    with exit_on_error():
        catalog = load_catalog()
        if not rule_id:
            rows = [[r.rule_id, f"{r.gate} {GATES[r.gate]}", r.title, r.severity, "是" if r.red_line else "", r.unit]
                    for r in catalog.rules.values()]
            typer.echo(tabulate(rows, headers=["编号", "关口", "名称", "严重程度", "红线", "责任单位"], tablefmt="simple"))
            return
        spec = catalog.rules.get(rule_id.upper())
        if spec is None:
            close = difflib.get_close_matches(rule_id.upper(), list(catalog.rules), n=3, cutoff=0.5)
            raise usage_error(f"没有规则「{rule_id}」。" + (f"是否要找：{'、'.join(close)}？" if close else "用 audit rules 查看全部规则。"))
        typer.echo("\n".join(explanation(spec, terminal_width())).rstrip())
