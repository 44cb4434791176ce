"""The rule set of a run: the catalogue's metadata joined to the implementations, built once.

The modules holding rule functions are listed here, explicitly (importing a module registers
nothing). Building the set fails with a clear message when the two sides disagree, so that no rule
can pass silently: a TOML rule with neither an implementation nor a `condition`, an implementation
without metadata, a message placeholder that names neither a column nor a computed value.
"""

from __future__ import annotations

import string
from types import ModuleType

from .catalog import Catalog, RuleSpec
from .crosscheck import departments, national_tables, people_rosters
from .errors import AuditInputError
from .gates import g1_entry, g2_pension, g2_review, g3_records, g4_supervision, g5_warning
from .gates.county_rules import county_rule
from .gates.rule import RegisteredRule
from .track import income_drop
from .track.rectification import TRACKING_RULE_IDS

RULE_MODULES: tuple[ModuleType, ...] = (g1_entry, g2_review, g3_records, g4_supervision, g5_warning,
                                        departments, national_tables, people_rosters, g2_pension, income_drop)


def implementations(modules: tuple[ModuleType, ...] = RULE_MODULES) -> dict[str, RegisteredRule]:
    """Every function marked with @rule in the given modules, by rule ID."""
    found: dict[str, RegisteredRule] = {}
    for module in modules:
        for value in vars(module).values():
            registered = getattr(value, "implements", None)
            if not isinstance(registered, RegisteredRule) or found.get(registered.rule_id) == registered:
                continue
            if registered.rule_id in found:
                raise RuntimeError(f"rule {registered.rule_id} is implemented twice")
            found[registered.rule_id] = registered
    return found


def rule_set(catalog: Catalog, modules: tuple[ModuleType, ...] = RULE_MODULES) -> dict[str, RegisteredRule]:
    """The rules the gates run (G4-011/G4-012 are tracking's), by rule ID: implemented rules and
    counties' condition rules, each checked against its metadata."""
    implemented = implementations(modules)
    unexplained = sorted(set(implemented) - set(catalog.rules))
    if unexplained:
        raise AuditInputError(
            f"规则 {'、'.join(unexplained)} 有程序实现，但规则目录中没有它的说明（名称、严重程度、问题描述模板）。",
            hint="在 schemas/rules/ 的 TOML 文件中补上该规则；不想运行它，在配置文件 [rules] disabled 中停用。")
    rules = dict(implemented)
    for spec in catalog.rules.values():
        if spec.rule_id in implemented or spec.rule_id in TRACKING_RULE_IDS:
            continue
        if not spec.condition:
            raise AuditInputError(
                f"规则 {spec.rule_id}「{spec.title}」在规则目录中有说明，但既没有程序实现，也没有 condition 条件，无法检查。",
                file=spec.source, hint="删去这条规则，或写上 condition（县定规则，编号写成 G5-C01 这样）。")
        rules[spec.rule_id] = county_rule(spec)
    for rule_id, registered in rules.items():
        _check_placeholders(catalog.rules[rule_id], registered, catalog)
    return dict(sorted(rules.items()))


def _check_placeholders(spec: RuleSpec, registered: RegisteredRule, catalog: Catalog) -> None:
    roster = catalog.rosters.get(registered.needs_roster or "")
    tables = [catalog.tables[name].fields for name in registered.needs_tables]
    known = {*catalog.fields, *registered.values, *(roster.fields if roster else ()), *(c for t in tables for c in t)}
    unknown = [name for _, name, _, _ in string.Formatter().parse(spec.message) if name and name not in known]
    if unknown:
        raise AuditInputError(
            f"规则 {spec.rule_id} 的问题描述模板中「{'」「'.join('{' + n + '}' for n in unknown)}」既不是台账或名单的列名，"
            "也不是该规则计算出的数值，写出来会是空白。",
            file=spec.source, hint="按 schemas/fields.toml 中的标准列名改正花括号中的名字。")
