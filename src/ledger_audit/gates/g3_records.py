"""G3 数据核准 across the ledger's own records (the department rules are in crosscheck/)."""

from __future__ import annotations

from ..findings import SOURCE_SEPARATOR, source_text
from ..frame import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET
from .rule import RuleContext, Violations, rule

SHARED_PHONE_HOUSEHOLDS = 3


@rule("G3-001", needs=("证件号码",), values=("重复行",))
def id_number_repeated(ctx: RuleContext) -> Violations:
    """One ID number on more than one row, in the same household or in different ones (compared
    in its 18-character form, so a 15-digit and an 18-digit entry of one person are caught). One
    finding per row involved; the message lists every row that carries the number."""
    repeated = ctx.facts.id_repeated
    rows = ctx.ledger[repeated]
    where = source_text(rows[SOURCE_FILE], rows[SOURCE_SHEET], rows[SOURCE_ROW]) + "（户编号 " + ctx.facts.household_id[repeated] + "）"
    all_rows = where.groupby(ctx.facts.id18[repeated]).transform(SOURCE_SEPARATOR.join)
    return Violations(repeated, {"重复行": all_rows.reindex(ctx.ledger.index)})


@rule("G3-002", needs=("户联系电话",), values=("共用户数",))
def phone_shared_across_households(ctx: RuleContext) -> Violations:
    """One 户联系电话 registered by more than 3 different households: often a cadre's or a
    village office's number typed in for every household, which makes the households unreachable."""
    households = ctx.facts.households_in_group(ctx.facts.codes("户联系电话")[0])
    shared = (ctx.facts.text("户联系电话") != "") & (households > SHARED_PHONE_HOUSEHOLDS)
    return Violations(shared, {"共用户数": households})
