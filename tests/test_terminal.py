"""What a person sees in a terminal: money in messages, Chinese tables that line up."""

from datetime import date

import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.sample.build import build_sample

CATALOG = load_catalog()
AS_OF = date(2022, 6, 30)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    paths = build_sample(tmp_path_factory.mktemp("c"), 30, 3, AS_OF, with_defects=False)
    return load_ledger([paths["ledger"]], CATALOG)


def test_money_in_a_message_has_no_trailing_point_zero(clean):
    frame = clean.frame.copy()
    household = frame["户编号"].iloc[0]
    rows = frame["户编号"] == household
    people = int(frame.loc[rows, "家庭人口数"].iloc[0])
    frame.loc[rows, "纯收入（元）"] = str(11503 * people)
    frame.loc[rows, "人均纯收入（元）"] = "11803"
    findings = audit_county(LoadedTable(frame, clean.report), {}, AuditConfig(as_of=AS_OF), CATALOG).findings
    message = findings.loc[findings["rule_id"] == "G2-008", "message"].iloc[0]
    assert f"÷ {people} 人应为 11503 元" in message, message
