"""Pandera where it validates: the G1 cell checks are Column checks generated from schemas/ (their
failure cases are the findings), the normalised tables and the findings frame have contracts, and
a broken contract is a bug (exit code 4), never findings."""

import shutil
from datetime import date

import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.findings import FindingsBroken, check_findings
from ledger_audit.frame import LoadedTable, TEXT
from ledger_audit.gates.engine import RuleCrashed, build_context, run_gates
from ledger_audit.normalise.contract import ContractBroken
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.registry import rule_set
from ledger_audit.resources import schemas_dir

from .builders import HEADER, ROW, write_xlsx

AS_OF = date(2022, 6, 30)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "台账.xlsx"
    other = ROW[:2] + ["H002", "李四", "610327199202021248"] + ["女"] + ROW[6:11] + ["弱劳动力或半劳动力"] + ROW[12:]
    write_xlsx(path, [HEADER, ROW, other])
    return path


def g1_008(catalog, workbook):
    result = audit_county(load_ledger([workbook], catalog), {}, AuditConfig(as_of=AS_OF), catalog)
    return result.findings.loc[result.findings["rule_id"] == "G1-008", ["name", "message"]]


def test_a_code_list_edited_in_schemas_changes_g1_008(workbook, tmp_path):
    assert g1_008(load_catalog(), workbook).empty
    schemas = shutil.copytree(schemas_dir(), tmp_path / "schemas")
    codes = schemas / "codes.toml"
    text = codes.read_text(encoding="utf-8")
    codes.write_text(text.replace('values = ["普通劳动力", ', 'values = [', 1), encoding="utf-8")
    found = g1_008(load_catalog(schemas), workbook)
    assert list(found["name"]) == ["张三"]
    assert "劳动技能「普通劳动力」" in found["message"].iloc[0]


def test_g1_cell_findings_are_pandera_failure_cases(workbook, monkeypatch):
    """The G1 cell rules run inside one Pandera validation: a check that raises there is reported
    as a crash of that rule, not as a failing row."""
    import pandera.pandas as pa

    catalog = load_catalog()
    ledger = load_ledger([workbook], catalog).frame
    context = build_context(ledger, {}, AuditConfig(as_of=AS_OF), catalog)
    validated = []
    original = pa.DataFrameSchema.validate
    monkeypatch.setattr(pa.DataFrameSchema, "validate", lambda self, *a, **k: validated.append(sorted(
        {c.name for column in self.columns.values() for c in column.checks})) or original(self, *a, **k))
    run_gates(context, rule_set(catalog), ("G1",))
    assert validated == [["G1-002", "G1-008", "G1-009", "G1-012"]]   # this ledger has no date or phone column
    monkeypatch.setattr(context.facts, "distinct", lambda *a: 1 / 0)
    with pytest.raises(RuleCrashed, match="G1-0"):
        run_gates(context, rule_set(catalog), ("G1",))


def test_a_ledger_that_breaks_the_normalise_contract_is_a_bug(workbook):
    catalog = load_catalog()
    table = load_ledger([workbook], catalog)
    broken = table.frame.assign(姓名=table.frame["姓名"].astype(object).where(table.frame.index > 0, None))
    with pytest.raises(ContractBroken, match="姓名"):
        audit_county(LoadedTable(broken, table.report), {}, AuditConfig(as_of=AS_OF), catalog)
    twice = pd.concat([table.frame, table.frame], ignore_index=True)
    with pytest.raises(ContractBroken, match="_row"):
        audit_county(LoadedTable(twice, table.report), {}, AuditConfig(as_of=AS_OF), catalog)


def test_findings_that_break_their_contract_are_a_bug(workbook):
    catalog = load_catalog()
    findings = audit_county(load_ledger([workbook], catalog), {}, AuditConfig(as_of=AS_OF), catalog).findings
    assert len(findings) and check_findings(findings, "test") is findings
    with pytest.raises(FindingsBroken, match="problem_id"):
        check_findings(pd.concat([findings, findings.head(1)], ignore_index=True), "test")
    with pytest.raises(FindingsBroken, match="severity"):
        check_findings(findings.assign(severity=pd.Series("error", index=findings.index, dtype=TEXT)), "test")
