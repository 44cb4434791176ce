"""The rule set cannot pass silently: metadata without code, code without metadata and a misspelled
message placeholder each stop the run with a message saying which rule, and tracking rules that
cannot run are listed as not run."""

import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.errors import AuditInputError
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.registry import implementations, rule_set

from .builders import HEADER, ROW, write_xlsx

CATALOG = load_catalog()
ORPHAN = """
[rules."G2-099"]
title = "编造的规则"
severity = "错误"
unit = "乡镇"
message = "{姓名} 有问题"
"""


def test_the_shipped_catalogue_and_implementations_agree():
    rules = rule_set(CATALOG)
    assert set(rules) == set(CATALOG.rules) - {"G4-011", "G4-012"}
    assert set(implementations()) <= set(rules)


def test_a_toml_rule_without_implementation_or_condition_stops_the_run(tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text(ORPHAN, encoding="utf-8")
    with pytest.raises(AuditInputError, match="G2-099.*既没有程序实现，也没有 condition") as error:
        rule_set(load_catalog(extra_rule_files=(extra,)))
    assert error.value.file == str(extra)


def test_audit_check_with_an_orphan_rule_exits_3_instead_of_passing(tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text(ORPHAN, encoding="utf-8")
    config = tmp_path / "county.toml"
    config.write_text(f'[rules]\nextra_files = ["{extra.name}"]\n', encoding="utf-8")
    write_xlsx(tmp_path / "台账.xlsx", [HEADER, ROW])
    result = subprocess.run([sys.executable, "-m", "ledger_audit_cli", "check", str(tmp_path / "台账.xlsx"),
                             "--quarter", "2022Q2", "--config", str(config), "--junit", str(tmp_path / "junit.xml")],
                            capture_output=True, text=True)
    assert result.returncode == 3
    assert "G2-099" in result.stderr + result.stdout
    assert not (tmp_path / "junit.xml").exists()


def test_an_implementation_without_metadata_stops_the_run():
    without = replace(CATALOG, rules={k: v for k, v in CATALOG.rules.items() if k != "G1-003"})
    with pytest.raises(AuditInputError, match="G1-003 有程序实现，但规则目录中没有它的说明"):
        rule_set(without)


def test_a_misspelled_message_placeholder_stops_the_run():
    spec = CATALOG.rules["G2-011"]
    misspelled = replace(CATALOG, rules=CATALOG.rules | {"G2-011": replace(spec, message="{姓名} 学年年令 {学年年令} 岁")})
    with pytest.raises(AuditInputError, match="G2-011.*「{学年年令}」"):
        rule_set(misspelled)


def test_tracking_rules_are_not_run_without_last_quarters_rectification(tmp_path):
    write_xlsx(tmp_path / "台账.xlsx", [HEADER, ROW])
    ledger = load_ledger([tmp_path / "台账.xlsx"], CATALOG)
    not_run = audit_county(ledger, {}, AuditConfig(as_of=date(2022, 6, 30)), CATALOG).rules_not_run
    reasons = not_run.set_index("rule_id")["reason"]
    assert reasons["G4-011"] == reasons["G4-012"] == "未提供上季度整改台账（--previous）"
    assert list(not_run["rule_id"]) == sorted(not_run["rule_id"])
