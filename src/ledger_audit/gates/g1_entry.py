"""G1 采集录入 (collection and entry): completeness and format, cell by cell.

G1 rules look at one row at a time and apply to every row, whatever its 人员状态: a row that is in
the ledger must be entered correctly. Where one wrong ID would trip several rules, only the most
specific one fires (number cell → G1-006; malformed → G1-002; placeholder → G1-007; then
checksum, birth date and region code).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..frame import TEXT
from ..identity import phone_malformed as malformed_phones, valid_region_codes
from ..normalise.header import alias_index, header_key
from .messages import listed
from .rule import CellCheck, RuleContext, Violations, cell_rule, rule

POSITION_SUFFIX = r"\.[0-9]+$"   # a repeated header kept as 姓名.12


def _fields_of_type(ctx: RuleContext, *types: str) -> list[str]:
    return [name for name, spec in ctx.catalog.fields.items() if spec.type in types and name in ctx.ledger.columns]


def _id_typed(ctx: RuleContext) -> pd.Series:
    """The raw ID as typed (upper-case)."""
    return ctx.facts.text("证件号码")


@rule("G1-001", needs=("户编号",), values=("空白字段",))
def required_field_empty(ctx: RuleContext) -> Violations:
    """A required field is empty (ledger.md: Req R on every row; Req M on rows of monitored
    households, i.e. 监测对象类别 not empty). One finding per row lists every empty field.
    A required column that is absent altogether is named in the run summary and 汇总 instead,
    and the rules that need it are listed as not run."""
    fields = ctx.catalog.fields
    monitored = ctx.facts.monitored
    parts = {}
    for name, spec in fields.items():
        if name not in ctx.ledger.columns or spec.required not in ("R", "M"):
            continue
        empty = ctx.facts.text(name) == ""
        parts[name] = (empty & monitored if spec.required == "M" else empty, None)
    empty_fields = listed(parts, ctx.ledger.index)
    return Violations(empty_fields != "", {"空白字段": empty_fields})


@cell_rule("G1-002", needs=("证件号码",), values=("证件长度",), listed=False)
def id_number_malformed(ctx: RuleContext) -> dict[str, CellCheck]:
    """A 居民身份证 number is not 17 digits plus a digit or X (15-digit numbers of the first
    generation card are accepted and upgraded), or a 残疾人证 number is not 20 or 22 characters
    whose first 18 are an ID (GB 11643-1999). Empty numbers are G1-001; number cells are G1-006."""

    def wrong(typed: pd.Series) -> pd.Series:
        kind = ctx.facts.text("证件类型")
        disability_ok = typed.str.len().isin([20, 22]) & ctx.facts.id_well_formed
        resident_ok = ctx.facts.id_well_formed & typed.str.len().isin([15, 18])
        judged = (typed != "") & ~ctx.facts.id_stored_as_number & kind.isin(["", "居民身份证", "残疾人证"])
        return judged & ~pd.Series(np.where(kind == "残疾人证", disability_ok, resident_ok), index=typed.index)

    return {"证件号码": CellCheck(wrong, shown=lambda typed: typed.str.len().astype(TEXT))}


@rule("G1-003", needs=("证件号码",), values=("应为校验位",))
def id_number_checksum_wrong(ctx: RuleContext) -> Violations:
    """The check character (the 18th) does not match ISO 7064 MOD 11-2 over the first 17 digits
    (GB 11643-1999). Usually one digit was mistyped."""
    return Violations(ctx.facts.id_usable & ~ctx.facts.id_checksum_ok,
                      {"应为校验位": ctx.facts.id_check_character})


@rule("G1-004", needs=("证件号码",), values=("证件出生日期",))
def id_number_birth_date_invalid(ctx: RuleContext) -> Violations:
    """Digits 7–14 of the ID are not a real date, are before 1900, or are after the as-of date."""
    born = ctx.facts.birth_date_from_id
    as_of = pd.Timestamp(ctx.config.as_of)
    bad = ctx.facts.id_usable & (born.isna() | (born < pd.Timestamp(1900, 1, 1)) | (born > as_of))
    return Violations(bad, {"证件出生日期": ctx.facts.id18.str[6:14]})


@rule("G1-005", needs=("证件号码",), values=("地区码",))
def id_number_region_unknown(ctx: RuleContext) -> Violations:
    """Digits 1–6 of the ID are not a GB/T 2260 administrative code, current or historical
    (python-stdnum's database of codes)."""
    region = ctx.facts.id18.str[:6]
    return Violations(ctx.facts.id_usable & ~valid_region_codes(region), {"地区码": region})


@rule("G1-006", needs=("证件号码",))
def id_number_stored_as_number(ctx: RuleContext) -> Violations:
    """The ID cell holds an ID-sized number, 15 digits or more (or its text form 6.10327E+17 /
    610327199001011000.0): Excel keeps 15 significant digits, so the last digits are already lost
    and cannot be recovered. The true number must be re-entered as text (format the column as 文本
    first). A small number in the ID column is a wrong ID, reported by G1-002."""
    return Violations(ctx.facts.id_stored_as_number)


@rule("G1-007", needs=("证件号码",))
def id_number_placeholder(ctx: RuleContext) -> Violations:
    """A placeholder instead of a real ID: prefix 999999, one digit repeated, or 123456…"""
    typed = _id_typed(ctx)
    return Violations((typed != "") & ~ctx.facts.id_stored_as_number & ctx.facts.id_placeholder)


def _unknown_codes(known: set[str]):
    """A multi-code cell's parts that are not in the code list, joined by 、 ("" if none)."""
    return lambda values: values.map(lambda v: "、".join(p for p in v.split("、") if p and p not in known)).astype(TEXT)


@cell_rule("G1-008", values=("不规范代码",))
def code_value_not_in_list(ctx: RuleContext) -> dict[str, CellCheck]:
    """A coded field's value is not in its code list (schemas/codes.toml) after synonyms are
    applied; multi-code fields are checked value by value, quoting the unknown parts. A province's
    own spellings belong in the code list's synonyms, not in the ledger."""
    checks = {}
    for name, spec in ctx.catalog.fields.items():
        if name not in ctx.ledger.columns or spec.type not in ("code", "multi_code", "yes_no"):
            continue
        codes = ctx.catalog.yes_no if spec.type == "yes_no" else ctx.catalog.code_list(name)
        if codes is None:
            continue
        if spec.type == "multi_code":
            unknown = _unknown_codes(set(codes.values))
            checks[name] = CellCheck(lambda cells, unknown=unknown: ctx.facts.distinct(cells.name, unknown) != "", shown=unknown)
        else:
            checks[name] = CellCheck(lambda cells, values=codes.values: ctx.facts.distinct(
                cells.name, lambda distinct: (distinct != "") & ~distinct.isin(values)))
    return checks


@cell_rule("G1-009", values=("不合法数值",))
def numeric_value_invalid(ctx: RuleContext) -> dict[str, CellCheck]:
    """A numeric field (money, counts, months) is not a number, or lies outside the range its
    field definition gives (`minimum`/`maximum` in schemas/fields.toml: income parts and expenses
    not negative, 家庭人口数 at least 1, 务工时间（月） 0–12)."""

    def wrong(spec):
        def check(cells: pd.Series) -> pd.Series:
            number = ctx.facts.money(cells.name)
            bad = (cells != "") & number.isna()
            if spec.minimum is not None:
                bad |= number < spec.minimum
            if spec.maximum is not None:
                bad |= number > spec.maximum
            return bad
        return check

    return {name: CellCheck(wrong(ctx.catalog.fields[name])) for name in _fields_of_type(ctx, "int", "money", "number")}


@cell_rule("G1-010", values=("不合法日期",))
def date_value_invalid(ctx: RuleContext) -> dict[str, CellCheck]:
    """A date field cannot be read as a date (the loader understands 2022-03-01, 2022/3/1,
    2022年3月1日, 202203, Excel date cells) or is later than the as-of date."""
    as_of = pd.Timestamp(ctx.config.as_of)

    def wrong(cells: pd.Series) -> pd.Series:
        parsed = ctx.facts.date(cells.name)
        return (cells != "") & (parsed.isna() | (parsed > as_of))

    return {name: CellCheck(wrong) for name in _fields_of_type(ctx, "date")}


@cell_rule("G1-011", values=("不合规电话",))
def phone_malformed(ctx: RuleContext) -> dict[str, CellCheck]:
    """A phone number is neither a mobile number (11 digits, 1[3-9]…) nor a landline with its area
    code (0xx-xxxxxxxx)."""
    return {name: CellCheck(lambda cells: ctx.facts.distinct(cells.name, malformed_phones))
            for name in _fields_of_type(ctx, "phone")}


@cell_rule("G1-012", needs=("姓名",), listed=False)
def name_has_odd_characters(ctx: RuleContext) -> dict[str, CellCheck]:
    """姓名 contains digits, Latin letters or spaces. The middle dot · of minority names (e.g.
    阿依古丽·买买提) is allowed."""
    return {"姓名": CellCheck(lambda cells: ctx.facts.distinct(
        cells.name, lambda names: names.str.contains("[0-9A-Za-z ]", regex=True)))}


@rule("G1-013")
def duplicate_row(ctx: RuleContext) -> Violations:
    """Two or more rows are identical in every canonical field (a row pasted twice). Each copy is
    reported, naming the rows of the others."""
    canonical = [c for c in ctx.catalog.fields if c in ctx.ledger.columns]
    # Identical rows share their ID text: compare all columns only among rows whose ID repeats.
    candidates = ctx.ledger["证件号码"].duplicated(keep=False) if "证件号码" in canonical else pd.Series(True, index=ctx.ledger.index)
    duplicated = pd.Series(False, index=ctx.ledger.index)
    duplicated[candidates] = ctx.ledger.loc[candidates, canonical].duplicated(keep=False)
    return Violations(duplicated)


def _twin_columns(ctx: RuleContext) -> dict[str, str]:
    """Pass-through columns whose header is another name of a field the ledger already has (the
    loader keeps such a second column, normalised, under its own header): column → field."""
    index = alias_index(ctx.catalog.fields, {})
    twins = {}
    for column in ctx.ledger.columns:
        if column in ctx.catalog.fields or column.startswith("_"):
            continue
        match = index.get(header_key(re.sub(POSITION_SUFFIX, "", column)))
        if match is not None and not match.folded_code and match.canonical in ctx.ledger.columns:
            twins[column] = match.canonical
    return twins


@rule("G1-014", values=("两列不一致",))
def twin_columns_differ(ctx: RuleContext) -> Violations:
    """Two columns carry one field (检测对象类别 beside 监测对象类别, 风险是否已消除0 beside
    风险是否已消除, 失学或辍学原因 beside 义务教育阶段未上学原因) and differ on this row, after both
    are normalised. The audit uses the column named like the field (else the first); the message
    says which."""
    detail = pd.Series("", index=ctx.ledger.index, dtype=TEXT)
    for column, field in _twin_columns(ctx).items():
        used, other = ctx.facts.text(field), ctx.ledger[column].astype(TEXT).fillna("")
        differs = used != other
        shown = lambda values: values[differs].replace("", "（空）")  # noqa: E731
        detail[differs] = (detail[differs] + "「" + field + "」列为「" + shown(used) + "」，「" + column + "」列为「"
                           + shown(other) + "」，审核使用「" + field + "」列；")
    return Violations(detail != "", {"两列不一致": detail.str.rstrip("；")})
