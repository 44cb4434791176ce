"""Every planted defect of `audit sample` is found on its planted row (recall 100 %), and a sample
generated without defects yields no 错误 or 警告. Covers every registered rule automatically."""

from datetime import date

import pandas as pd
import pytest

from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, RunSettings
from ledger_audit import registry  # noqa: F401 - registers every rule
from ledger_audit.gates.rule import RULES
from ledger_audit.pipeline import run_audit
from ledger_audit.sample.build import build_sample
from ledger_audit.sample.write import ROSTER_FILES

AS_OF = date(2022, 6, 30)


def audit_sample(directory, households, seed, with_defects):
    paths = build_sample(directory, households, seed, AS_OF, with_defects)
    settings = RunSettings(ledgers=(paths["ledger"],), rosters={d: paths[d] for d in ROSTER_FILES})
    outcome = run_audit(settings, AuditConfig(as_of=AS_OF), load_catalog(), write=False)
    return outcome.result.findings, pd.read_csv(paths["planted"], dtype=str)


@pytest.mark.parametrize("households,seed", [(400, 2022), (250, 7)])
def test_every_planted_defect_is_found_on_its_row(tmp_path, households, seed):
    findings, planted = audit_sample(tmp_path, households, seed, with_defects=True)
    planted = planted[planted["rule_id"].isin(list(RULES))]
    assert len(planted) > 0
    sources = findings.assign(source=findings["sources"].str.split("；")).explode("source")
    found = set(zip(sources["rule_id"], sources["source"]))
    wanted = planted["rule_id"] + "|" + planted["file"] + ":" + planted["sheet"].fillna("") + ":" + planted["row"]
    missing = [w for w in wanted if tuple(w.split("|")) not in found]
    assert missing == []


@pytest.mark.parametrize("households,seed", [(400, 2022), (300, 11)])
def test_clean_sample_has_no_errors_or_warnings(tmp_path, households, seed):
    findings, _ = audit_sample(tmp_path, households, seed, with_defects=False)
    serious = findings[findings["severity"].isin(["错误", "警告"])]
    assert serious[["rule_id", "message"]].values.tolist() == []
