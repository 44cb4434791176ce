"""Counties' own rules: a condition over canonical columns, written in schemas/ without Python.

    [rules."G5-C01"]
    title = "低收入脱贫户（县定）"
    severity = "提示"
    unit = "乡镇"
    entity = "household"
    condition = "户类型 == '脱贫户' and 人均纯收入（元）_数值 < 8000"
    message = "户编号 {户编号}（户主 {户主姓名}）人均纯收入 {人均纯收入（元）} 元，低于县定关注线 8000 元"

The condition is a pandas expression (DataFrame.eval, vectorised) over the ledger's canonical text
columns; every money or count field also has a numeric twin named `<field>_数值`. County rule IDs
use a C after the gate (G5-C01) so they can never collide with the catalogue. See
schemas/county_rules.example.toml for a worked example.
"""

from __future__ import annotations

import re

import pandas as pd

from ..catalog import RuleSpec
from ..errors import AuditInputError
from .rule import RegisteredRule, RuleContext, Violations

COUNTY_RULE_ID = re.compile(r"^G[1-5]-C\d{2,3}$")
NUMERIC_SUFFIX = "_数值"


def county_rule(spec: RuleSpec) -> RegisteredRule:
    """A registered rule that evaluates the spec's condition."""
    if not COUNTY_RULE_ID.match(spec.rule_id):
        raise AuditInputError(f"县定规则编号「{spec.rule_id}」不符合要求。",
                              hint="县定规则编号写成 关口-C序号，如 G5-C01，以免与全国规则目录冲突。")
    if spec.entity not in ("person", "household", "village"):
        raise AuditInputError(f"县定规则 {spec.rule_id} 的 entity「{spec.entity}」无效。", hint="entity 可为 person、household 或 village。")

    def evaluate(ctx: RuleContext) -> Violations:
        frame = _eval_frame(ctx)
        try:
            result = frame.eval(_quote_names(spec.condition, frame.columns), engine="python")
        except Exception as error:  # a county's expression: any failure is their input, not our bug
            raise AuditInputError(f"县定规则 {spec.rule_id} 的条件「{spec.condition}」无法计算（{error}）。",
                                  hint="条件写成 pandas 表达式，如 户类型 == '脱贫户' and 人均纯收入（元）_数值 < 8000。") from None
        if not isinstance(result, pd.Series) or result.dtype != bool:
            raise AuditInputError(f"县定规则 {spec.rule_id} 的条件不是真/假判断。", hint="条件应返回每一行的 是/否，如 a == 'x'。")
        return Violations(ctx.facts.active & result.fillna(False))

    evaluate.__doc__ = f"县定规则：{spec.condition}"
    return RegisteredRule(spec.rule_id, evaluate, needs=())


def _eval_frame(ctx: RuleContext) -> pd.DataFrame:
    numeric = {f"{name}{NUMERIC_SUFFIX}": ctx.facts.money(name) for name, spec in ctx.catalog.fields.items()
               if spec.type in ("money", "int", "number") and name in ctx.ledger.columns}
    return pd.concat([ctx.ledger.astype(object), pd.DataFrame(numeric, index=ctx.ledger.index)], axis=1)


def _quote_names(condition: str, columns) -> str:
    """Wrap column names in backticks so Chinese names with brackets or slashes parse."""
    for name in sorted(columns, key=len, reverse=True):
        condition = re.sub(rf"(?<![`\w]){re.escape(name)}(?![`\w])", f"`{name}`", condition)
    return condition
