"""What a rule is: an ID, a small vectorised function, and its metadata in schemas/rules/.

    @rule("G2-011", needs=("证件号码", "在校生状况"), values=("学年年龄",))
    def compulsory_age_child_not_in_school(ctx: RuleContext) -> Violations:
        \"\"\"Short developer note; what a user reads is the `what` text in its TOML.\"\"\"
        ...
        return Violations(mask, values={"学年年龄": age})

* The metadata (名称, severity, 责任单位, message template, 整改要求, policy basis, 检查什么) is data
  in schemas/rules/G*.toml; the function holds only the logic. `registry.rule_set` joins the two
  and refuses a rule that has only one side.
* `mask` is a boolean Series aligned with `ctx.ledger` (True = this row violates the rule). For a
  household rule, mark the member rows involved; the engine folds them into one finding per
  household (entity = "household" in the metadata), likewise per village.
* `values` adds message placeholders the frame does not have (an age, a computed income); declare
  their names in `@rule(values=...)` so that a misspelled placeholder is caught when the rule set
  is built. Give them as computed (numbers, dates): the engine turns them into text for the
  failing rows only.
* `needs` lists canonical columns without which the rule cannot run (a table's own column is
  written 表.列, 已外出务工.就业渠道); `roster=` and `tables=` the
  department roster and national tables it compares with. Without any of them the engine lists
  the rule as not run, with the reason, instead of reporting it as passed.
* No Python loop per row: pandas expressions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import pandas as pd

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..config import AuditConfig
    from ..crosscheck.matching import RosterMatch
    from .facts import Facts


@dataclass
class Violations:
    mask: pd.Series
    values: dict[str, pd.Series] = field(default_factory=dict)
    severity: pd.Series | None = None   # per-row severity for rules with two (G2-013); else metadata's
    extra_sources: pd.Series | None = None   # per-row "file:sheet:row" of roster rows involved
    frame: pd.DataFrame | None = None   # for rules over a roster's or table's rows: that frame


@dataclass
class RuleContext:
    """Everything a rule may read. Built once per run; rules never modify it."""

    ledger: pd.DataFrame
    facts: "Facts"
    config: "AuditConfig"
    catalog: "Catalog"
    rosters: dict[str, pd.DataFrame] = field(default_factory=dict)
    matches: dict[str, "RosterMatch"] = field(default_factory=dict)   # department → tiered matches
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)     # 户信息, 已外出务工 … (tables.toml)
    previous_ledger: pd.DataFrame | None = None


RuleFunction = Callable[[RuleContext], Violations]


@dataclass(frozen=True)
class CellCheck:
    """One column's part of a cell rule, run as a Pandera Column check named by the rule ID."""

    wrong: Callable[[pd.Series], pd.Series]    # the column → True where the cell is wrong
    shown: Callable[[pd.Series], pd.Series] = lambda cells: cells   # wrong cells → the text a message quotes


CellFunction = Callable[[RuleContext], dict[str, CellCheck]]   # column → its check


@dataclass(frozen=True)
class RegisteredRule:
    rule_id: str
    function: RuleFunction
    needs: tuple[str, ...]
    needs_roster: str | None = None       # department whose roster the rule needs
    needs_tables: tuple[str, ...] = ()    # national tables the rule needs (tables.toml)
    needs_previous_ledger: bool = False
    values: tuple[str, ...] = ()          # the message placeholders the function computes
    cells: bool = False                   # a cell rule: the function gives Column checks (CellFunction)
    listed: bool = True                   # a cell rule's value names every wrong cell: 字段「值」、…

    @property
    def doc(self) -> str:
        return (self.function.__doc__ or "").strip()


def rule(rule_id: str, *, needs: tuple[str, ...] = (), values: tuple[str, ...] = (), roster: str | None = None,
         tables: tuple[str, ...] = (), previous_ledger: bool = False) -> Callable[[RuleFunction], RuleFunction]:
    """Mark a function as the implementation of a rule. Nothing is registered: `registry` collects
    the marked functions of the rule modules it lists."""

    def mark(function: RuleFunction) -> RuleFunction:
        function.implements = RegisteredRule(rule_id, function, needs, roster, tables, previous_ledger, values)
        return function

    return mark


def cell_rule(rule_id: str, *, needs: tuple[str, ...] = (), values: tuple[str, ...] = (),
              listed: bool = True) -> Callable[[CellFunction], CellFunction]:
    """Mark a function as a cell rule: it returns, per column, the check of one cell. The engine runs
    them as Pandera Column checks and turns the failure cases into the rule's findings; the value
    (values[0]) lists the wrong cells (字段「值」、…), or with listed=False quotes the one column's."""

    def mark(function: CellFunction) -> CellFunction:
        function.implements = RegisteredRule(rule_id, function, needs, None, (), False, values, cells=True, listed=listed)
        return function

    return mark
