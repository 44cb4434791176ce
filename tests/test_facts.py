"""The shared derived columns: the vectorised ID checksum must agree with python-stdnum."""

from datetime import date

import pandas as pd
from hypothesis import given, settings, strategies as st
from stdnum.cn import ric

from ledger_audit.config import AuditConfig
from ledger_audit.gates.facts import Facts, school_year_reference
from ledger_audit.identity import check_characters, upgrade_to_18


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=17, max_size=17), min_size=1, max_size=20))
def test_check_character_agrees_with_stdnum(first17s):
    ours = check_characters(pd.Series(first17s, dtype="string")).tolist()
    # calc_check_digit expects the full number and ignores its last character
    assert ours == [ric.calc_check_digit(s + "0") for s in first17s]


def test_check_character_is_empty_for_malformed_input():
    assert check_characters(pd.Series(["1234", "6103271990010112X", ""], dtype="string")).tolist() == ["", "", ""]


def test_fifteen_digit_id_is_upgraded_and_disability_card_truncated():
    ids = pd.Series(["610327900101123", "61032719900101123X01", "61032719900101123x"], dtype="string")
    upgraded = upgrade_to_18(ids).tolist()
    assert upgraded[0] == "61032719900101123" + ric.calc_check_digit("61032719900101123" + "0")
    assert upgraded[1] == "61032719900101123X"
    assert upgraded[2] == "61032719900101123X"


def test_ages_are_counted_at_the_as_of_date_and_the_school_year():
    ledger = pd.DataFrame({"证件号码": ["610327201509010015", "610327201608310012"]}, dtype="string")
    facts = Facts(ledger, AuditConfig(as_of=date(2022, 6, 30)))
    assert school_year_reference(date(2022, 6, 30)) == date(2021, 8, 31)
    assert facts.age.tolist() == [6, 5]
    assert facts.school_year_age.tolist() == [5, 5]
    assert facts.sex_from_id.tolist() == ["男", "男"]
