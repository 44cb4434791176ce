"""Derived series shared by the rules, computed once per run and cached.

Rules read ages, ID parts, money and dates from here instead of parsing the text columns again, so
one definition of "age", "monitored" or "in school" serves every rule. Everything is vectorised and
aligned with the ledger's index.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd
from stdnum import numdb

from ..config import AuditConfig
from ..frame import TEXT
from .rule import listed

# GB 11643-1999 / ISO 7064 MOD 11-2: weights of the 17 digits and the check character per remainder.
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK_CHARS = np.array(list("10X98765432"))
ID_PATTERN = "[0-9]{17}[0-9X]"   # [0-9], not \d: keeps pandas on pyarrow's RE2
NOT_IN_SCHOOL = ("", "学龄前儿童", "学前教育")
ABLE_BODIED = ("普通劳动力", "技能劳动力")
NO_LABOUR = ("丧失劳动力", "无劳动力")


def check_characters(first17: pd.Series) -> pd.Series:
    """The check character for each 17-digit string (vectorised ISO 7064 MOD 11-2).

    python-stdnum's cn.ric is the reference implementation; it works on one string at a time, so this
    numpy version runs on whole columns and tests/test_facts.py checks that both always agree.
    Rows that are not 17 digits get "".
    """
    valid = first17.str.fullmatch("[0-9]{17}").fillna(False).to_numpy(dtype=bool)
    digits = np.frombuffer("".join(first17[valid].tolist()).encode("ascii"), dtype=np.uint8)
    digits = (digits - ord("0")).reshape(-1, 17).astype(np.int64)
    result = np.full(len(first17), "", dtype=object)
    result[valid] = ID_CHECK_CHARS[(digits @ ID_WEIGHTS) % 11]
    return pd.Series(result, index=first17.index, dtype=TEXT)


def upgrade_to_18(id_text: pd.Series) -> pd.Series:
    """18-character form of an ID: 15-digit (pre-1999) IDs get "19" inserted and their check
    character; 残疾人证 numbers (20 or 22 characters) keep their first 18; others unchanged."""
    ids = id_text.str.upper()
    is15 = ids.str.fullmatch("[0-9]{15}").fillna(False)
    first17 = ids.str[:6] + "19" + ids.str[6:15]
    upgraded = ids.where(~is15, first17 + check_characters(first17.where(is15, "")))
    long_form = upgraded.str.len().isin([20, 22]) & upgraded.str[:18].str.fullmatch(ID_PATTERN).fillna(False)
    return upgraded.where(~long_form, upgraded.str[:18])


def valid_region_codes(prefixes: pd.Series) -> pd.Series:
    """Whether each 6-digit prefix is a GB/T 2260 county code, current or historical (python-stdnum's
    database). Looked up once per distinct prefix: a county has a handful, a province a few hundred."""
    database = numdb.get("cn/loc")
    known = {p: any("county" in props for _, props in database.info(p)) for p in prefixes.dropna().unique()}
    return prefixes.map(known).fillna(False).astype(bool)


def school_year_reference(as_of: date) -> date:
    """8-31 of the school year containing the as-of date (school years start on 1 September)."""
    return date(as_of.year if as_of.month >= 9 else as_of.year - 1, 8, 31)


def whole_years(born: pd.Series, on: date) -> pd.Series:
    """Completed years between each birth date and `on` (nullable Int64; <NA> where unknown)."""
    years = on.year - born.dt.year
    before_birthday = (born.dt.month > on.month) | ((born.dt.month == on.month) & (born.dt.day > on.day))
    return (years - before_birthday.astype("Int64")).astype("Int64")


class Facts:
    """Cached derived columns of one ledger at one as-of date."""

    def __init__(self, ledger: pd.DataFrame, config: AuditConfig) -> None:
        self.ledger = ledger
        self.config = config
        self._cache: dict[tuple, pd.Series] = {}

    def _cached(self, key: tuple, compute) -> pd.Series:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def distinct(self, column: str, function) -> pd.Series:
        """Apply `function` (a vectorised transform of a Series) to the column's distinct values
        and spread the result back: a ledger column repeats a few hundred values a million times."""
        codes, uniques = pd.factorize(self.text(column))
        result = function(pd.Series(uniques, dtype=TEXT))
        return pd.Series(result.to_numpy()[codes], index=self.ledger.index, dtype=result.dtype)

    def text(self, column: str) -> pd.Series:
        """A canonical column as text, or all "" when the ledger lacks it."""
        def compute():
            if column in self.ledger.columns:
                return self.ledger[column].astype(TEXT).fillna("")
            return pd.Series("", index=self.ledger.index, dtype=TEXT)
        return self._cached(("text", column), compute)

    def money(self, column: str) -> pd.Series:
        """A numeric column as float (NaN where empty or not a number)."""
        return self._cached(("money", column), lambda: self.distinct(
            column, lambda values: pd.to_numeric(values.replace("", None), errors="coerce").astype("float64")))

    def date(self, column: str) -> pd.Series:
        """A date column (ISO text after loading) as datetime64 (NaT where empty or unparseable)."""
        return self._cached(("date", column), lambda: self.distinct(
            column, lambda values: pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")))

    def has_code(self, column: str, code: str) -> pd.Series:
        """Whether a multi-code field (values joined by 、) contains `code`."""
        return self._cached(("code", column, code), lambda: self.distinct(
            column, lambda values: ("、" + values + "、").str.contains(f"、{code}、", regex=False).astype(bool)))

    def per_household(self, mask: pd.Series, how: str = "any") -> pd.Series:
        """Broadcast any/all of a row mask over each household (户编号) back to its rows."""
        return mask.groupby(self.household_id).transform(how).astype(bool)

    @cached_property
    def household_id(self) -> pd.Series:
        return self.text("户编号")

    @cached_property
    def head_name(self) -> pd.Series:
        """户主姓名: the column when filled, else the name on the household's 户主 row."""
        heads = self.ledger.loc[self.text("与户主关系") == "户主"]
        by_household = pd.Series(heads["姓名"].to_numpy(), index=heads["户编号"].to_numpy()) if len(heads) else pd.Series(dtype=TEXT)
        from_rows = self.household_id.map(by_household[~by_household.index.duplicated()]).astype(TEXT).fillna("")
        column = self.text("户主姓名")
        return column.where(column != "", from_rows)

    @cached_property
    def active(self) -> pd.Series:
        """Persons counted as members: 人员状态 正常 or empty (死亡/迁出 are skipped by person rules)."""
        return self.text("人员状态").isin(["", "正常"])

    @cached_property
    def id18(self) -> pd.Series:
        return upgrade_to_18(self.text("证件号码"))

    @cached_property
    def id_repeated(self) -> pd.Series:
        """The (18-character) ID appears on more than one row (G1-013, G3-001)."""
        codes = pd.factorize(self.id18)[0]
        return pd.Series((self.id18 != "").to_numpy() & pd.Series(codes).duplicated(keep=False).to_numpy(),
                         index=self.ledger.index)

    @cached_property
    def id_well_formed(self) -> pd.Series:
        return self.id18.str.fullmatch(ID_PATTERN).fillna(False).astype(bool)

    @cached_property
    def id_checksum_ok(self) -> pd.Series:
        return self.id_well_formed & (check_characters(self.id18.str[:17]) == self.id18.str[17])

    @cached_property
    def birth_date_from_id(self) -> pd.Series:
        return pd.to_datetime(self.id18.where(self.id_well_formed).str[6:14], format="%Y%m%d", errors="coerce")

    @cached_property
    def sex_from_id(self) -> pd.Series:
        digit = pd.to_numeric(self.id18.where(self.id_well_formed).str[16], errors="coerce") \
            .to_numpy(dtype="float64", na_value=np.nan)
        return pd.Series(np.where(np.isnan(digit), "", np.where(digit % 2 == 1, "男", "女")),
                         index=self.ledger.index, dtype=TEXT)

    @cached_property
    def birth_date(self) -> pd.Series:
        """From the ID where it is valid, else from the 出生日期 column."""
        return self.birth_date_from_id.fillna(self.date("出生日期"))

    @cached_property
    def age(self) -> pd.Series:
        return whole_years(self.birth_date, self.config.as_of)

    @cached_property
    def school_year_age(self) -> pd.Series:
        return whole_years(self.birth_date, school_year_reference(self.config.as_of))

    @cached_property
    def monitored(self) -> pd.Series:
        return self.text("监测对象类别") != ""

    @cached_property
    def risk_cleared(self) -> pd.Series:
        return self.text("风险是否已消除") == "是"

    @cached_property
    def in_school(self) -> pd.Series:
        return ~self.text("在校生状况").isin(NOT_IN_SCHOOL)

    @cached_property
    def compulsory_age_out_of_school(self) -> pd.Series:
        """The condition of G2-011, shared by G4-008 and G5-003: school-year age within the
        compulsory ages, not in school, and no recorded reason."""
        ages = self.config.thresholds
        in_age = ((self.school_year_age >= ages.school_age_min) & (self.school_year_age <= ages.school_age_max)).fillna(False)
        return self.active & in_age & ~self.in_school & (self.text("义务教育阶段未上学原因") == "")

    @cached_property
    def uninsured(self) -> pd.Series:
        """Both basic medical insurances 否 (empty is unknown, not uninsured)."""
        resident, employee = self.text("是否参加城乡居民基本医疗保险"), self.text("是否参加城镇职工基本医疗保险")
        return self.active & (resident == "否") & (employee != "是")

    @cached_property
    def household_has_welfare(self) -> pd.Series:
        """A member of the household enjoys 低保 or 特困 (G4-009, G4-010, G5-005)."""
        welfare = (self.text("是否享受农村居民最低生活保障") == "是") | (self.text("是否特困供养人员") == "是")
        return self.per_household(self.active & welfare)

    @cached_property
    def household_without_labour(self) -> pd.Series:
        """Every active member is 丧失劳动力 or 无劳动力 (G4-005, G5-005)."""
        members = self.active.groupby(self.household_id).transform("sum")
        without = (self.active & self.text("劳动技能").isin(NO_LABOUR)).groupby(self.household_id).transform("sum")
        return (members > 0) & (members == without)

    @cached_property
    def security_problems(self) -> pd.Series:
        """The household's unmet basic securities (两不愁三保障 and safe water) as text, "" if none
        (G4-008, G5-003)."""

        problems = {
            "危房": self.per_household(self.active & (self.text("是否危房户") == "是")),
            "饮水不安全": self.per_household(self.active & (self.text("是否解决安全饮用水") == "否")),
            "有成员未参加基本医保": self.per_household(self.uninsured),
            "有义务教育适龄儿童未在校": self.per_household(self.compulsory_age_out_of_school),
        }
        return listed({k: (v, None) for k, v in problems.items()}, self.ledger.index)

    @cached_property
    def per_capita_income(self) -> pd.Series:
        return self.money("人均纯收入（元）")
