"""One fire and one no-fire test per catalogued rule, on the sample county: each rule finds its
planted defects (on the planted rows, with a message that quotes the entity), and stays quiet on a
county generated without defects. Rules that need two quarters are tested in test_track_*.py."""

from datetime import date

import pandas as pd
import pytest

from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, RunSettings
from ledger_audit.pipeline import run_audit
from ledger_audit.sample.build import build_sample
from ledger_audit.sample.write import ROSTER_FILES, TABLE_FILES

AS_OF = date(2022, 6, 30)
CATALOG = load_catalog()
TWO_QUARTER_RULES = ("G4-011", "G4-012", "G5-002")
# 提示 rules that a realistic clean county may trip (villages without monitored households); their
# no-fire cases are unit tests in test_rules_units.py.
NATURALLY_PRESENT = ("G5-008",)
SINGLE_QUARTER = [r for r in CATALOG.rules if r not in TWO_QUARTER_RULES]


def _audit(directory, with_defects):
    paths = build_sample(directory, 400, 2022, AS_OF, with_defects)
    settings = RunSettings(ledgers=(paths["ledger"],), rosters={d: paths[d] for d in ROSTER_FILES},
                           tables={t: paths[t] for t in TABLE_FILES})
    findings = run_audit(settings, AuditConfig(as_of=AS_OF), CATALOG, write=False).result.findings
    return findings, pd.read_csv(paths["planted"], dtype=str).fillna("")


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    return _audit(tmp_path_factory.mktemp("planted"), with_defects=True)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    return _audit(tmp_path_factory.mktemp("clean"), with_defects=False)


@pytest.mark.parametrize("rule_id", SINGLE_QUARTER)
def test_rule_fires_on_planted_rows(planted_run, rule_id):
    findings, planted = planted_run
    expected = planted[planted["rule_id"] == rule_id]
    assert not expected.empty, f"no defect planted for {rule_id}"
    mine = findings[findings["rule_id"] == rule_id]
    sources = set(mine["sources"].str.split("；").explode())
    for _, p in expected.iterrows():
        assert f"{p['file']}:{p['sheet']}:{p['row']}" in sources
    spec = CATALOG.rules[rule_id]
    for finding in mine.itertuples():
        quoted = {"household": finding.household_id, "village": finding.village}.get(spec.entity, finding.name)
        assert quoted and quoted in finding.message
        assert "{" not in finding.message and finding.severity in ("错误", "警告", "提示")


@pytest.mark.parametrize("rule_id", [r for r in SINGLE_QUARTER if r not in NATURALLY_PRESENT])
def test_rule_is_quiet_on_clean_county(clean_run, rule_id):
    findings, _ = clean_run
    assert findings[findings["rule_id"] == rule_id]["message"].tolist() == []
