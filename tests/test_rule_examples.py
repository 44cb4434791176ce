"""Every rule's examples (schemas/examples/G*.toml) do what they say: the cases under `fires` give
the rule's finding, on the example's rows; the cases under `passes` give none."""

from datetime import date

import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.errors import AuditInputError
from ledger_audit.frame import LoadedTable, LoadReport
from ledger_audit.registry import rule_set
from ledger_audit.rule_examples import EXAMPLE_FILE, ExampleCase, ledger_rows, load_examples, run_case

CATALOG = load_catalog()
RULES = rule_set(CATALOG)
EXAMPLES = load_examples()


def test_every_catalogued_rule_has_examples():
    """A rule added without examples (or examples left for a rule that is gone) fails here."""
    assert sorted(set(CATALOG.rules) - set(EXAMPLES)) == []
    assert sorted(set(EXAMPLES) - set(CATALOG.rules)) == []


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_examples_fire_and_pass(rule_id):
    examples = EXAMPLES[rule_id]
    assert rule_id in CATALOG.rules, f"{examples.source}: no rule {rule_id}"
    assert examples.fires and examples.passes, f"{rule_id} needs a case that fires and one that does not"
    for case in examples.fires:
        findings = run_case(rule_id, case, CATALOG, RULES)
        assert len(findings) > 0, f"{rule_id}: a 'fires' case gives no finding"
        assert set(findings["rule_id"]) == {rule_id}
        assert findings["sources"].str.contains(EXAMPLE_FILE, regex=False).all()
        assert not findings["message"].str.contains("{", regex=False).any()
    for case in examples.passes:
        findings = run_case(rule_id, case, CATALOG, RULES)
        assert findings["message"].tolist() == [], f"{rule_id}: a 'passes' case gives findings"


def test_the_example_person_is_clean_under_every_rule():
    """What 'passes = [{}]' means: the person, alone or with the default members, trips no 错误 or 警告."""
    for rows in (({},), ({}, {}, {}, {})):
        ledger = LoadedTable(ledger_rows(rows), LoadReport(role="ledger", files=[EXAMPLE_FILE]))
        findings = audit_county(ledger, {}, AuditConfig(as_of=date(2022, 6, 30)), CATALOG).findings
        assert findings.loc[findings["severity"] != "提示", "message"].tolist() == []


def test_members_get_valid_ids_and_one_household():
    frame = ledger_rows(({}, {"性别": "女", "出生日期": "2012-01-31"}))
    assert frame["证件号码"].tolist()[1].startswith("61032720120131")
    assert frame["户主姓名"].tolist() == ["张建国", "张建国"]
    assert frame["家庭人口数"].tolist() == ["2", "2"]
    assert run_case("G1-003", ExampleCase(ledger=({}, {"性别": "女"})), CATALOG, RULES).empty


def test_one_rule_in_two_example_files_is_refused(tmp_path):
    (tmp_path / "examples").mkdir()
    for name in ("G1.toml", "G1_more.toml"):
        (tmp_path / "examples" / name).write_text('[G1-001]\nfires = [{ "户类型" = "" }]\npasses = [{}]\n', encoding="utf-8")
    with pytest.raises(AuditInputError, match="G1-001 的示例写在两个文件中"):
        load_examples(tmp_path)
