"""The national system's other tables against the ledger (schemas/tables.toml): 户信息, the two
务工 tables (务工月监测) and 行政村信息; rules G3-601 … G3-606, G5-014 and G5-015.

Joins are vectorised merges on normalised keys: a person by the 18-character ID (for 户信息 also
the 户编号), a village by 乡镇 and 行政村. A table may cover only some 乡镇, or part of one (one
town's file, a county's export of part of a town, a province's export cut short): "missing from the
table" rules (G3-602, G3-603, G3-606) run only in the 乡镇 the table covers as a roster would
(crosscheck/coverage.py, tables.toml [coverage]), and "missing from the ledger" rules only for the
table's rows in the ledger's 乡镇.
A ledger person whose ID is broken (number cell, malformed, placeholder) is G1's finding and is
never compared, as with the department rosters.

户信息 also supplies the household living conditions (fills_ledger) where the ledger has no such
column, so that G5-010 … G5-012 run on either.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import TableSpec
from ..frame import META_COLUMNS, TEXT
from ..gates.rule import RuleContext, Violations, rule
from ..identity import name_key, upgrade_to_18
from .coverage import concat_coverage, rows_in, town_coverage
from .departments import comparable, paired_sources

WORKING, PLANNING = "已外出务工", "计划外出务工"
MONTHS = "务工时间（月）"
POST_MONTHS = "公益性岗位（月数）"
LABOURERS = ("普通劳动力", "技能劳动力")
WORKING_AGE = (16, 59)


def fill_from_household_table(ledger: pd.DataFrame, table: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """The ledger with the 户信息 household columns it lacks, taken per 户编号 (the first row of the
    household in 户信息); "" for households 户信息 does not list. Columns the ledger has are never
    replaced."""
    absent = [c for c in spec.fills_ledger if c not in ledger.columns and c in table.columns]
    if not absent or "户编号" not in ledger.columns:
        return ledger
    households = table[table["户编号"] != ""].drop_duplicates("户编号").set_index("户编号")[absent]
    filled = households.reindex(ledger["户编号"].to_numpy()).fillna("").astype(TEXT)
    content = [c for c in ledger.columns if c not in META_COLUMNS]
    added = pd.DataFrame({c: filled[c].to_numpy() for c in absent}, index=ledger.index).astype(TEXT)
    return pd.concat([ledger[content], added, ledger[list(META_COLUMNS)]], axis=1)


def _person_pairs(ctx: RuleContext, name: str) -> pd.DataFrame:
    """ledger_row, roster_row (positions) of every ledger row and table row with the same ID (and
    the same 户编号 where the table joins on it), computed once per run."""

    def compute() -> pd.DataFrame:
        table = ctx.tables[name]
        on = ["id", "household"] if "户编号" in ctx.catalog.tables[name].join else ["id"]
        ids = upgrade_to_18(table["证件号码"])
        households = table["户编号"] if "户编号" in table else pd.Series("", index=table.index, dtype=TEXT)
        ledger, rows = _coded(ctx, {"id": (ctx.facts.id18, ids), "household": (ctx.facts.household_id, households)})
        keep_ledger, keep_rows = (ctx.facts.id18 != "").to_numpy(), (ids != "").to_numpy()
        return ledger[keep_ledger].merge(rows[keep_rows], on=on)[["ledger_row", "roster_row"]]

    return ctx.facts.shared(f"pairs:{name}", compute)


def _coded(ctx: RuleContext, columns: dict[str, tuple[pd.Series, pd.Series]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger's and a table's key columns as integer codes over one dictionary per column (with
    ledger_row and roster_row, their positions): a merge on integers, not on 10^6 strings."""
    table_rows = len(next(iter(columns.values()))[1])
    ledger, rows = {"ledger_row": np.arange(len(ctx.ledger))}, {"roster_row": np.arange(table_rows)}
    for column, (left, right) in columns.items():
        codes, _ = pd.factorize(pd.concat([left, right], ignore_index=True))
        ledger[column], rows[column] = codes[:len(left)], codes[len(left):]
    return pd.DataFrame(ledger), pd.DataFrame(rows)


def _listed(ctx: RuleContext, name: str, where: pd.Series | None = None) -> pd.Series:
    """Per ledger row: whether the table has a row for the person (one that meets `where`)."""
    pairs = _person_pairs(ctx, name)
    if where is not None:
        pairs = pairs[where.to_numpy()[pairs["roster_row"].to_numpy()]]
    listed = np.zeros(len(ctx.ledger), dtype=bool)
    listed[pairs["ledger_row"].to_numpy()] = True
    return pd.Series(listed, index=ctx.ledger.index)


def _namesakes(ctx: RuleContext, name: str) -> pd.DataFrame:
    """ledger_row, roster_row of the ledger rows and table rows with the same 户编号 and name but
    another ID: most likely one person, one of the two numbers mistyped. Neither side is "missing"
    from the other (the ID itself is G1's or G3-502's finding)."""

    def compute() -> pd.DataFrame:
        table = ctx.tables[name]
        if "户编号" not in table or "姓名" not in table:
            return pd.DataFrame({"ledger_row": [], "roster_row": []}, dtype="int64")
        names = name_key(ctx.facts.text("姓名")), name_key(table["姓名"])
        ledger, rows = _coded(ctx, {"household": (ctx.facts.household_id, table["户编号"]), "name": names,
                                    "id": (ctx.facts.id18, upgrade_to_18(table["证件号码"]))})
        keep_ledger, keep_rows = (names[0] != "").to_numpy(), (names[1] != "").to_numpy()
        pairs = ledger[keep_ledger].merge(rows[keep_rows], on=["household", "name"])
        return pairs.loc[pairs["id_x"] != pairs["id_y"], ["ledger_row", "roster_row"]]

    return ctx.facts.shared(f"namesakes:{name}", compute)


def _namesake_rows(ctx: RuleContext, name: str) -> pd.Series:
    """Per ledger row: whether the table has a namesake row for it (same 户编号 and name, another ID)."""
    namesake = np.zeros(len(ctx.ledger), dtype=bool)
    namesake[_namesakes(ctx, name)["ledger_row"].to_numpy()] = True
    return pd.Series(namesake, index=ctx.ledger.index)


def _absent(ctx: RuleContext, *names: str) -> pd.Series:
    """Per ledger row: the person has no row in any of the tables, and that can be said: the ID can
    be looked up (facts.id_certain) and no table lists a namesake under another ID."""
    absent = ctx.facts.id_certain.copy()
    for name in names:
        absent &= ~_listed(ctx, name) & ~_namesake_rows(ctx, name)
    return absent


def _yes(ctx: RuleContext, name: str, column: str) -> pd.Series:
    """Per table row: whether `column` is 是."""
    table = ctx.tables[name]
    return table[column] == "是" if column in table else pd.Series(False, index=table.index)


def table_town_coverage(ctx: RuleContext, group: str) -> pd.DataFrame:
    """coverage.town_coverage of a table group (tables.toml [coverage]; computed once per run): a
    ledger person is listed when any of its tables has a row with the ID (or a namesake row)."""

    def compute() -> pd.DataFrame:
        spec = ctx.catalog.table_coverage[group]
        listed = np.zeros(len(ctx.ledger), dtype=bool)
        for name in spec.tables:
            listed |= (_listed(ctx, name) | _namesake_rows(ctx, name)).to_numpy()
        towns = [np.asarray(ctx.tables[name]["乡镇"].unique(), dtype=object) for name in spec.tables
                 if "乡镇" in ctx.tables[name]]
        named = np.concatenate(towns) if towns else []
        return town_coverage(ctx, spec, listed, named)

    return ctx.facts.shared(f"coverage:table:{group}", compute)


def _covered(ctx: RuleContext, group: str, column: str = "covered") -> pd.Series:
    """Per ledger row: whether the table group covers its 乡镇 (column "touched": names it or matches
    someone of it)."""
    return rows_in(ctx, table_town_coverage(ctx, group), column)


def table_coverage(ctx: RuleContext) -> pd.DataFrame:
    """Coverage by 乡镇 of every table group whose tables were all given (the rules that read it
    need them all), when the ledger can be paired with them (证件号码)."""
    if "证件号码" not in ctx.ledger.columns:
        return concat_coverage([])
    groups = [group for group, spec in ctx.catalog.table_coverage.items()
              if all(name in ctx.tables for name in spec.tables)]
    return concat_coverage([table_town_coverage(ctx, group) for group in groups])


def _in_ledger_towns(ctx: RuleContext, name: str) -> pd.Series:
    """Per table row: whether its 乡镇 is one of the ledger's (every row, if the table has no 乡镇)."""
    table = ctx.tables[name]
    if "乡镇" not in table:
        return pd.Series(True, index=table.index)
    return table["乡镇"].isin(ctx.facts.text("乡镇").unique())


@rule("G3-601", needs=("户编号", "证件号码"), tables=("户信息",))
def household_table_person_missing_from_ledger(ctx: RuleContext) -> Violations:
    """A 户信息 row (of a 乡镇 the ledger covers) has no ledger row with the same 户编号 and ID. A
    row whose 户编号 and name are those of a ledger row with another ID is that person, one of the
    numbers mistyped: not reported (see _namesakes)."""
    table = ctx.tables["户信息"]
    paired = np.zeros(len(table), dtype=bool)
    paired[_person_pairs(ctx, "户信息")["roster_row"].to_numpy()] = True
    paired[_namesakes(ctx, "户信息")["roster_row"].to_numpy()] = True
    return Violations(pd.Series(~paired, index=table.index) & _in_ledger_towns(ctx, "户信息"), frame=table)


@rule("G3-602", needs=("户编号", "证件号码"), tables=("户信息",))
def ledger_person_missing_from_household_table(ctx: RuleContext) -> Violations:
    """An active ledger person (of a 乡镇 户信息 covers) has no 户信息 row with the same 户编号 and ID."""
    return Violations(comparable(ctx) & _absent(ctx, "户信息") & _covered(ctx, "户信息"))


@rule("G3-603", needs=("证件号码", MONTHS), tables=(WORKING, PLANNING))
def working_months_without_employment_record(ctx: RuleContext) -> Violations:
    """务工时间（月） above 0 in the ledger, but the person is in neither 务工 table (in a 乡镇 they
    cover)."""
    months = (ctx.facts.money(MONTHS) > 0).fillna(False)
    return Violations(comparable(ctx) & months & _absent(ctx, WORKING, PLANNING) & _covered(ctx, "务工"))


@rule("G3-604", needs=("证件号码", MONTHS), tables=(WORKING,))
def employment_record_without_working_months(ctx: RuleContext) -> Violations:
    """已外出务工 lists the person with 是否已务工 = 是, while the ledger's 务工时间（月） is empty or 0."""
    working = _yes(ctx, WORKING, "是否已务工")
    months = ctx.facts.money(MONTHS)
    mask = comparable(ctx) & _listed(ctx, WORKING, working) & (months.isna() | (months == 0))
    pairs = _person_pairs(ctx, WORKING)
    pairs = pairs[working.to_numpy()[pairs["roster_row"].to_numpy()]]
    return Violations(mask, extra_sources=paired_sources(ctx.tables[WORKING], pairs, mask))


@rule("G3-605", needs=(f"{WORKING}.就业渠道",), tables=(WORKING,))
def employment_channel_empty(ctx: RuleContext) -> Violations:
    """An 已外出务工 row (of a 乡镇 the ledger covers) with 是否已务工 = 是 and 就业渠道 empty."""
    table = ctx.tables[WORKING]
    return Violations(_yes(ctx, WORKING, "是否已务工") & (table["就业渠道"] == "") & _in_ledger_towns(ctx, WORKING),
                      frame=table)


@rule("G3-606", needs=("证件号码", "劳动技能"), values=("年龄",), tables=(WORKING, PLANNING))
def labourer_without_work_or_plan(ctx: RuleContext) -> Violations:
    """A 普通劳动力 or 技能劳动力 aged 16–59, not in school, with no 务工时间, no 已外出务工 row with
    是否已务工 = 是, no 计划外出务工 row with 是否计划务工 = 是 and no 公益性岗位 months (in a 乡镇
    the 务工 tables cover, and name or match someone of: a town with under 10 people with 务工时间 is
    covered for G3-603, yet tables without a row of it say nothing about its idle labourers)."""
    facts = ctx.facts
    low, high = WORKING_AGE
    age = facts.age
    labourer = facts.text("劳动技能").isin(LABOURERS) & ((age >= low) & (age <= high)).fillna(False) & ~facts.in_school
    occupied = (facts.money(MONTHS) > 0).fillna(False) | (facts.money(POST_MONTHS) > 0).fillna(False) \
        | _listed(ctx, WORKING, _yes(ctx, WORKING, "是否已务工")) | _listed(ctx, PLANNING, _yes(ctx, PLANNING, "是否计划务工"))
    # A mistyped ID finds no 务工 row, so "no work and no plan" cannot be said of it.
    unsure = ~ctx.facts.id_certain | _namesake_rows(ctx, WORKING) | _namesake_rows(ctx, PLANNING)
    in_covered_towns = _covered(ctx, "务工") & _covered(ctx, "务工", "touched")
    return Violations(comparable(ctx) & ~unsure & labourer & ~occupied & in_covered_towns, {"年龄": age})


def _ledger_count(ctx: RuleContext, unit: str, where: dict[str, tuple[str, ...]], villages: pd.DataFrame) -> pd.Series:
    """Per 行政村信息 row: how many households or persons of that village's active ledger rows meet
    every condition of `where`."""
    facts = ctx.facts
    meets = facts.active.copy()
    for column, accepted in where.items():
        meets &= facts.text(column).isin(accepted)
    rows = pd.DataFrame({"乡镇": facts.text("乡镇"), "行政村": facts.text("行政村"), "户编号": facts.household_id})[meets]
    if unit == "households":
        rows = rows.drop_duplicates()
    counts = rows.groupby(["乡镇", "行政村"]).size()
    keys = pd.MultiIndex.from_frame(villages[["乡镇", "行政村"]].astype(object))
    return pd.Series(counts.reindex(keys, fill_value=0).to_numpy(), index=villages.index)


@rule("G5-014", needs=("乡镇", "行政村"), values=("不符项",), tables=("行政村",))
def village_counts_below_ledger(ctx: RuleContext) -> Violations:
    """A count of 行政村信息 (总户数, 总人口数, 低保户数, 低保人口数, 特困供养人口数, 残疾人口数, 危房户数)
    is smaller, by more than thresholds.village_count_shortfall (0 by default), than what the
    ledger rows of that village add up to. The ledger holds only 脱贫户 and 监测户, so the village's
    own counts may be larger, never smaller. Counts the table or the ledger lacks are skipped."""
    villages = ctx.tables["行政村"]
    allowed = ctx.config.thresholds.village_count_shortfall
    unit_words = {"households": "户", "persons": "人"}
    parts = []
    for column, count in ctx.catalog.tables["行政村"].ledger_counts.items():
        if column not in villages or any(c not in ctx.ledger.columns for c in count.where):
            continue
        own = pd.to_numeric(villages[column].replace("", None), errors="coerce")
        ledger = _ledger_count(ctx, count.unit, count.where, villages)
        short = ((ledger - own) > allowed).fillna(False)
        parts.append(pd.Series(np.where(short, column + " " + villages[column] + "（台账 "
                                        + ledger.astype(str) + " " + unit_words[count.unit] + "）、", ""),
                               index=villages.index, dtype=TEXT))
    detail = pd.Series("", index=villages.index, dtype=TEXT)
    for part in parts:
        detail = detail + part
    detail = detail.str.rstrip("、")
    return Violations((detail != "") & _in_ledger_towns(ctx, "行政村"), {"不符项": detail}, frame=villages)


@rule("G5-015", needs=("行政村.是否出列", "行政村.总人口数"), tables=("行政村",))
def exited_village_without_population(ctx: RuleContext) -> Violations:
    """A 行政村信息 row (of a 乡镇 the ledger covers) with 是否出列 = 是 and 总人口数 0."""
    villages = ctx.tables["行政村"]
    empty = pd.to_numeric(villages["总人口数"].replace("", None), errors="coerce") == 0
    return Violations((villages["是否出列"] == "是") & empty.fillna(False) & _in_ledger_towns(ctx, "行政村"), frame=villages)


def person_table_counts(ctx: RuleContext, name: str) -> tuple[int, int]:
    """For the cross-check matrix, the counts of a person table that no rule reports: ledger persons
    the table lists (a person may have several rows: counted once), and persons only in the table:
    its rows of the ledger's 乡镇 that pair with no ledger row and no namesake (as G3-601 counts
    them for 户信息), counted by ID (empty IDs row by row)."""
    table = ctx.tables[name]
    pairs = _person_pairs(ctx, name)
    paired = np.zeros(len(table), dtype=bool)
    paired[pairs["roster_row"].to_numpy()] = True
    paired[_namesakes(ctx, name)["roster_row"].to_numpy()] = True
    ids = upgrade_to_18(table["证件号码"])[~paired & _in_ledger_towns(ctx, name).to_numpy()]
    return int(pairs["ledger_row"].nunique()), int(ids[ids != ""].nunique() + (ids == "").sum())


def village_counts(ctx: RuleContext, name: str = "行政村") -> tuple[int, int, int]:
    """For the cross-check matrix, villages (乡镇 and 行政村) of the active ledger rows and of
    行政村信息: on both sides, only in the ledger (in a 乡镇 the table covers) and only in the table
    (in a 乡镇 of the ledger), as the G5 village rules compare them."""
    facts, villages = ctx.facts, ctx.tables[name]
    keys = ["乡镇", "行政村"]
    ledger = pd.DataFrame({k: facts.text(k) for k in keys})[facts.active & (facts.text("行政村") != "")].drop_duplicates()
    table = villages.loc[villages["行政村"] != "", keys].drop_duplicates()
    both = ledger.merge(table, on=keys, how="outer", indicator=True)
    side = both["_merge"].astype(str)
    only_ledger = (side == "left_only") & both["乡镇"].isin(table["乡镇"].unique())
    only_table = (side == "right_only") & both["乡镇"].isin(facts.text("乡镇").unique())
    return int((side == "both").sum()), int(only_ledger.sum()), int(only_table.sum())
