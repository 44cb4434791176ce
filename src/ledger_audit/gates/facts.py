"""Derived series shared by the rules, computed once per run and cached.

Rules read ages, ID parts, money and dates from here instead of parsing the text columns again, so
one definition of "age", "monitored" or "in school" serves every rule. Everything is vectorised and
aligned with the ledger's index.

Two things keep a province (10^6 rows) fast: a column is dictionary-encoded once (`codes`), so
per-value work runs over its few distinct values; and household aggregates run on integer
household codes with numpy (`household_count`, `per_household`, `head_value`) instead of grouping
by 10^6 strings again in every rule.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from ..config import AuditConfig
from ..frame import ID_STORED_AS_NUMBER, TEXT, arrow_text, text_from_codes, text_series
from ..identity import check_characters, upgrade_to_18, well_formed_ids
from .messages import listed

NUMERIC_ID_TEXT = r"[0-9.]+[eE][+-]?[0-9]+|[0-9]+\.[0-9]+"   # 6.10327E+17, 610327199001011000.0
ONE_DIGIT_REPEATED = "|".join(f"{digit}+" for digit in "0123456789")   # RE2 has no backreferences
SEXES = pa.array(["", "男", "女"])   # unknown; odd 17th digit; even
NOT_IN_SCHOOL = ("", "学龄前儿童", "学前教育")
NO_LABOUR = ("丧失劳动力", "无劳动力")


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

    def shared(self, key: str, compute) -> pd.Series:
        """A derived series a rule module defines and several of its rules read: computed once."""
        return self._cached(("shared", key), compute)

    def codes(self, column: str) -> tuple[np.ndarray, pd.Series]:
        """The column dictionary-encoded (cached): an integer code per row, and the distinct values."""
        def compute():
            encoded = arrow_text(self.text(column)).dictionary_encode()
            return encoded.indices.to_numpy(zero_copy_only=False), text_series(encoded.dictionary)
        return self._cached(("codes", column), compute)

    def distinct(self, column: str, function) -> pd.Series:
        """Apply `function` (a vectorised transform of a Series) to the column's distinct values
        and spread the result back: a ledger column repeats a few hundred values a million times."""
        codes, uniques = self.codes(column)
        result = function(uniques)
        if result.dtype == TEXT:
            return text_from_codes(arrow_text(result), codes, self.ledger.index)
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

    def group_count(self, groups: np.ndarray, mask: pd.Series) -> pd.Series:
        """How many rows of each row's group (integer codes, as from `codes`) the mask marks."""
        marked = np.asarray(mask.fillna(False), dtype=np.float64)
        counts = np.bincount(groups, weights=marked, minlength=groups.max(initial=-1) + 1)
        return pd.Series(counts.astype(np.int64)[groups], index=self.ledger.index)

    def households_in_group(self, groups: np.ndarray) -> pd.Series:
        """How many different households (户编号) each row's group spans."""
        pairs = pd.DataFrame({"group": groups, "household": self.household_codes}).drop_duplicates()
        counts = np.bincount(pairs["group"].to_numpy(), minlength=groups.max(initial=-1) + 1)
        return pd.Series(counts[groups], index=self.ledger.index)

    def household_count(self, mask: pd.Series) -> pd.Series:
        """How many rows of each household (户编号) the mask marks, on every member row."""
        return self.group_count(self.household_codes, mask)

    def per_household(self, mask: pd.Series) -> pd.Series:
        """Whether any row of each household (户编号) is marked, on every member row."""
        return self.household_count(mask) > 0

    def head_value(self, series: pd.Series, active_only: bool = True) -> pd.Series:
        """The value on the household's first (active) 户主 row, broadcast to every member row
        (missing where the household has no 户主)."""
        heads = self.text("与户主关系") == "户主"
        if active_only:
            heads &= self.active
        positions = np.flatnonzero(heads.to_numpy())
        codes = self.household_codes
        head_row = np.full(codes.max(initial=-1) + 1, -1)
        head_row[codes[positions[::-1]]] = positions[::-1]    # written last-to-first: the first head wins
        rows = head_row[codes]
        values = series.iloc[np.maximum(rows, 0)].set_axis(self.ledger.index)
        return values.where(pd.Series(rows >= 0, index=self.ledger.index))

    @cached_property
    def household_id(self) -> pd.Series:
        return self.text("户编号")

    @cached_property
    def household_codes(self) -> np.ndarray:
        return self.codes("户编号")[0]

    @cached_property
    def village_codes(self) -> np.ndarray:
        """An integer code per 乡镇 + 行政村 (a village name recurs in several towns)."""
        town, village = self.codes("乡镇")[0].astype(np.int64), self.codes("行政村")[0].astype(np.int64)
        return np.unique(town * (village.max(initial=0) + 1) + village, return_inverse=True)[1].reshape(-1)

    @cached_property
    def household_order(self) -> np.ndarray:
        """Row positions sorted by household, members in ledger order."""
        return np.argsort(self.household_codes, kind="stable")

    @cached_property
    def head_name(self) -> pd.Series:
        """户主姓名: the column when filled, else the name on the household's 户主 row."""
        from_rows = self.head_value(self.text("姓名"), active_only=False).fillna("")
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
        """The (18-character) ID appears on more than one member row (G3-001). Only usable IDs of
        active members count: two number cells that Excel cut to the same 15 digits are not one
        person, and a row marked 迁出 (or 死亡) is the record a person left behind, not a second entry."""
        counted = self.id_usable & self.active
        usable = counted.to_numpy()
        codes = pd.factorize(self.id18.where(counted, ""))[0]
        return pd.Series(usable & pd.Series(codes).duplicated(keep=False).to_numpy(), index=self.ledger.index)

    @cached_property
    def id_well_formed(self) -> pd.Series:
        return well_formed_ids(self.id18)

    @cached_property
    def id_check_character(self) -> pd.Series:
        """What the 18th character should be, from the first 17 ("" unless they are 17 digits)."""
        return check_characters(self.id18.str[:17])

    @cached_property
    def id_checksum_ok(self) -> pd.Series:
        return self.id_well_formed & (self.id_check_character == self.id18.str[17])

    @cached_property
    def id_stored_as_number(self) -> pd.Series:
        """The ID cell held a number (or its text form 6.10327E+17): Excel kept 15 digits (G1-006)."""
        typed = self.text("证件号码")
        flag = self.ledger[ID_STORED_AS_NUMBER] if ID_STORED_AS_NUMBER in self.ledger else False
        return ((typed != "") & (typed.str.fullmatch(NUMERIC_ID_TEXT) | flag)).astype(bool)

    @cached_property
    def id_placeholder(self) -> pd.Series:
        """A stand-in instead of a real ID: 999999…, one digit repeated, 123456… (G1-007)."""
        typed = self.text("证件号码")
        return (typed.str.startswith("999999") | typed.str.fullmatch(ONE_DIGIT_REPEATED)
                | typed.str.startswith("123456")).fillna(False).astype(bool)

    @cached_property
    def id_usable(self) -> pd.Series:
        """Whether the ID's digits can be trusted: well formed (not G1-002), not a number cell whose
        last digits Excel cut (G1-006), not a placeholder (G1-007). The sex and birth date read from
        the ID, and every comparison with a department roster, use only these IDs: a broken ID is
        one problem, reported once, not a false 性别 or 参保 finding per rule."""
        return self.id_well_formed & ~self.id_stored_as_number & ~self.id_placeholder

    @cached_property
    def id_certain(self) -> pd.Series:
        """Whether the ID can be looked up in another list: usable, with the right check character
        (not G1-003) and a real birth date (not G1-004). Such a typo matches nobody, so "not in the
        roster" cannot be said of its person: that would add a false finding to G1's true one."""
        born = self.birth_date_from_id
        return self.id_usable & self.id_checksum_ok & born.notna() & (born >= pd.Timestamp(1900, 1, 1))

    @cached_property
    def birth_date_from_id(self) -> pd.Series:
        return pd.to_datetime(self.id18.where(self.id_usable).str[6:14], format="%Y%m%d", errors="coerce")

    @cached_property
    def sex_from_id(self) -> pd.Series:
        odd = self.id18.str[16].isin(list("13579")).to_numpy()
        return text_from_codes(SEXES, np.where(self.id_usable.to_numpy(), np.where(odd, 1, 2), 0), self.ledger.index)

    @cached_property
    def birth_date(self) -> pd.Series:
        """From the ID where it is usable, else from the 出生日期 column."""
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
    def poor_or_monitored(self) -> pd.Series:
        """A 脱贫户 or a monitored household: whom the living-condition and land checks concern."""
        return (self.text("户类型") == "脱贫户") | self.monitored

    @cached_property
    def risk_cleared(self) -> pd.Series:
        return self.text("风险是否已消除") == "是"

    @cached_property
    def in_school(self) -> pd.Series:
        return ~self.text("在校生状况").isin(NOT_IN_SCHOOL)

    @cached_property
    def compulsory_age_out_of_school(self) -> pd.Series:
        """The condition of G2-011, shared by G4-008 and G5-003: school-year age within the
        compulsory ages, not in school, and no recorded reason. Never true when the ledger has no
        在校生状况 column: then nobody is known to be out of school."""
        if "在校生状况" not in self.ledger.columns:
            return pd.Series(False, index=self.ledger.index)
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
        members = self.household_count(self.active)
        without = self.household_count(self.active & self.text("劳动技能").isin(NO_LABOUR))
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
    def household_size(self) -> pd.Series:
        """家庭人口数 as a number; where the ledger has no such column (the national export has
        none), the household's member rows whose 人员状态 is 正常."""
        if "家庭人口数" in self.ledger.columns:
            return self.money("家庭人口数")
        return self.household_count(self.active).astype("float64")

    @cached_property
    def per_capita_income(self) -> pd.Series:
        return self.money("人均纯收入（元）")
