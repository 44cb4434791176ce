"""The gates engine as a user meets it: rules not run and why, switches and overrides from the
config, county rules, determinism, messages that quote values."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.errors import AuditInputError
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.sample.build import build_sample

AS_OF = date(2022, 6, 30)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("s"), 120, 5, AS_OF)


@pytest.fixture(scope="module")
def ledger(sample):
    return load_ledger([sample["ledger"]], load_catalog())


def run(ledger, catalog=None, **config):
    return audit_county(ledger, {}, AuditConfig(as_of=AS_OF, **config), catalog or load_catalog())


def test_rules_needing_an_absent_roster_are_listed_as_not_run(ledger):
    not_run = run(ledger).rules_not_run.set_index("rule_id")["reason"]
    assert not_run["G3-201"] == "未提供医保名单"
    assert not_run["G3-101"] == "未提供民政名单"
    assert not_run["G3-701"] == "未提供人社名单" and not_run["G3-801"] == "未提供残联名单"
    assert "G1-003" not in not_run.index


def test_rule_whose_column_is_missing_is_not_run_and_says_which(ledger):
    without = type(ledger)(ledger.frame.drop(columns=["在校生状况"]), ledger.report)
    not_run = run(without).rules_not_run.set_index("rule_id")["reason"]
    assert not_run["G2-011"] == "缺少列：在校生状况"


def test_disabled_rule_and_severity_override(ledger):
    result = run(ledger, disabled_rules=frozenset({"G1-003"}), severity_overrides={"G1-011": "错误"})
    assert "G1-003" not in set(result.findings["rule_id"])
    assert result.rules_not_run.set_index("rule_id").loc["G1-003", "reason"] == "配置中已停用"
    assert set(result.findings.loc[result.findings["rule_id"] == "G1-011", "severity"]) == {"错误"}
    assert set(result.findings.loc[result.findings["rule_id"] == "G1-011", "deadline"]) == {"2022-07-15"}


def test_same_inputs_give_identical_findings(ledger):
    first, second = run(ledger).findings, run(ledger).findings
    pd.testing.assert_frame_equal(first, second)


def test_problem_ids_do_not_depend_on_row_order(ledger):
    shuffled = type(ledger)(ledger.frame.sample(frac=1, random_state=3), ledger.report)
    assert set(run(ledger).findings["problem_id"]) == set(run(shuffled).findings["problem_id"])


def test_household_rule_is_one_finding_per_household_with_every_row(ledger):
    findings = run(ledger).findings
    household = findings[findings["rule_id"] == "G2-007"]
    assert household["household_id"].is_unique
    assert (household["sources"].str.count("；") >= 1).any()


def test_messages_keep_ids_whole_inside_the_audit(ledger):
    """Masking is the report boundary's (report/redact.py): a finding quotes the ID as recorded."""
    g3 = run(ledger).findings.query("rule_id == 'G1-003'").iloc[0]
    assert g3["id_number"] in g3["message"] and "*" not in g3["message"]


def test_county_rule_from_the_example_fires(ledger, tmp_path):
    example = Path(__file__).parents[1] / "schemas" / "county_rules.example.toml"
    catalog = load_catalog(extra_rule_files=(example,))
    frame = ledger.frame.copy()
    poor = frame.loc[(frame["户类型"] == "脱贫户") & (frame["监测对象类别"] == ""), "户编号"].drop_duplicates()
    below, above = poor.iloc[0], poor.iloc[1]   # the example's condition: 脱贫户, not monitored, < 8000 元
    frame["人均纯收入（元）"] = frame["人均纯收入（元）"].mask(frame["户编号"] == below, "7000.00") \
        .mask(frame["户编号"] == above, "8000.00").astype(frame["人均纯收入（元）"].dtype)
    findings = run(LoadedTable(frame, ledger.report), catalog).findings
    county = findings[findings["rule_id"] == "G5-C01"]
    assert below in set(county["household_id"]) and above not in set(county["household_id"])
    assert county["message"].str.contains("低于县定关注线 8000 元").all()
    assert county["household_id"].is_unique


def test_county_rule_with_a_bad_condition_is_an_input_error(ledger, tmp_path):
    rules = tmp_path / "bad.toml"
    rules.write_text('[rules."G5-C02"]\ntitle = "x"\nseverity = "提示"\nunit = "乡镇"\nmessage = "x"\n'
                     'condition = "不存在的列 > 3"\n', encoding="utf-8")
    with pytest.raises(AuditInputError, match="G5-C02"):
        run(ledger, load_catalog(extra_rule_files=(rules,)))


def test_no_rule_runs_python_per_ledger_row(sample, ledger, monkeypatch):
    """The rules are vectorised: no string operation falls back to a Python call per cell of a whole
    ledger column (pandas does that silently for a regex RE2 cannot run, such as a backreference,
    or for str.normalize), and no Python function is applied or aggregated over a ledger-sized
    Series or groupby (`groupby().agg(str.join)` over all matched rows, `Series.map(function)`).
    Per distinct value or per finding is allowed; per row is not."""
    from pandas.core.groupby.generic import DataFrameGroupBy, SeriesGroupBy
    from ledger_audit.normalise.tables import load_roster, load_table
    rows = len(ledger.frame)
    per_row = []

    def watch(owner, name, size=len, python_call=lambda *args, **kwargs: True):
        original = getattr(owner, name)

        def watched(self, *args, **kwargs):
            # Half the ledger: a department's matched pairs are about one per ledger person.
            if size(self) >= rows // 2 and python_call(*args, **kwargs):
                per_row.append(f"{owner.__name__}.{name}")
            return original(self, *args, **kwargs)
        monkeypatch.setattr(owner, name, watched)

    def calls_python(func=None, *args, **kwargs):
        return callable(func) and not isinstance(func, (dict, pd.Series))

    catalog = load_catalog()
    rosters = {d: load_roster(d, sample[d], catalog) for d in ("民政", "医保", "住建", "教体", "人社", "残联")}
    watch(pd.arrays.ArrowStringArray, "_str_map")             # e.g. a regex RE2 cannot run
    watch(pd.arrays.ArrowStringArray, "_apply_elementwise")   # e.g. str.normalize
    for name in ("aggregate", "agg", "transform", "apply"):
        for owner in (SeriesGroupBy, DataFrameGroupBy):
            watch(owner, name, size=lambda grouped: len(grouped.obj), python_call=calls_python)
    for name in ("map", "apply"):
        watch(pd.Series, name, python_call=calls_python)
    tables = {t: load_table(t, sample[t], catalog) for t in catalog.tables}
    result = audit_county(ledger, rosters, AuditConfig(as_of=AS_OF), catalog, tables=tables)
    assert not result.findings.empty and per_row == []
    assert result.findings["rule_id"].str.startswith("G3-6").any()   # the table rules ran
