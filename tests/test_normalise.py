"""Cell normalisation: the date forms counties type, and what is left as typed for G1-010."""

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from ledger_audit.frame import TEXT
from ledger_audit.normalise.values import parse_dates


def parsed(*values: str) -> list[str]:
    return parse_dates(pd.Series(values, dtype=TEXT)).tolist()


@pytest.mark.parametrize("typed, iso", [
    ("20220630", "2022-06-30"),
    ("202206", "2022-06-01"),
    ("202206.0", "2022-06-01"),             # a YYYYMM number cell read back as text
    ("2022-6-3", "2022-06-03"),
    ("2022/06/30", "2022-06-30"),
    ("2022.6.30", "2022-06-30"),
    ("2022年6月30日", "2022-06-30"),
    ("2022年6月", "2022-06-01"),
    ("2022-06-30 00:00:00", "2022-06-30"),
    ("44742", "2022-06-30"),                 # Excel serial number
    ("44742.5", "2022-06-30"),
    ("2024-02-29", "2024-02-29"),
])
def test_date_forms_become_iso(typed, iso):
    assert parsed(typed) == [iso]


@pytest.mark.parametrize("typed", ["2022-02-30", "20221301", "2022年13月", "0000-01-01", "去年六月", "2022", ""])
def test_impossible_or_unknown_dates_are_kept_as_typed(typed):
    assert parsed(typed) == [typed]


@given(st.integers(1900, 2100), st.integers(0, 13), st.integers(0, 32), st.sampled_from(["-", "/", ".", "年"]))
def test_a_typed_day_is_iso_exactly_when_it_exists(year, month, day, separator):
    typed = f"{year}{separator}{month}{'月' if separator == '年' else separator}{day}"
    try:
        expected = date(year, month, day).isoformat()
    except ValueError:
        expected = typed
    assert parsed(typed) == [expected]


@given(st.integers(10000, 99999))
def test_serial_numbers_count_days_from_excel_epoch(serial):
    assert parsed(str(serial)) == [(date(1899, 12, 30) + timedelta(days=serial)).isoformat()]
