"""`audit sample --quarters 2` demonstrates the whole 整改 cycle, and the second run agrees with it."""

import subprocess
import sys

import pandas as pd
import openpyxl


def test_two_quarter_sample_runs_through_the_cycle(tmp_path):
    made = subprocess.run([sys.executable, "-m", "ledger_audit_cli", "sample", "--out", tmp_path / "s",
                           "--households", "80", "--seed", "3", "--quarters", "2"], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    q2, q3 = tmp_path / "s" / "2022Q2", tmp_path / "s" / "2022Q3"
    filled = next(q2.glob("*_已填写.xlsx"))
    out = tmp_path / "out" / "2022Q3"
    run = subprocess.run([sys.executable, "-m", "ledger_audit_cli", "run", q3 / "台账_示例县.xlsx", "--quarter", "2022Q3",
                          "--previous", filled, "--out", out, "--no-mask"], capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    workbook = openpyxl.load_workbook(next(out.glob("*.xlsx")))
    rows = list(workbook["整改台账"].values)
    table = pd.DataFrame(rows[1:], columns=rows[0]).set_index("问题编号")
    transitions = pd.read_csv(q3 / "transitions.csv", dtype=str)
    assert set(transitions["outcome"]) == {"fixed", "not_fixed", "closed_by_hand"}
    for t in transitions.itertuples():
        assert table.loc[t.problem_id, "整改状态"] == t.expected_status, t
        assert table.loc[t.problem_id, "责任人"].startswith("乡镇干部")
    problems = list(workbook["问题清单"].values)
    rules = pd.DataFrame(problems[1:], columns=problems[0])["规则编号"]
    expected = transitions["expected_tracking_rule"].fillna("")
    assert (rules == "G4-012").sum() == expected.eq("G4-012").sum() == transitions["outcome"].eq("closed_by_hand").sum()
    # A 提示 has no 整改时限: not fixed, it stays 整改中 but is never 整改逾期.
    not_fixed = transitions.loc[transitions["outcome"] == "not_fixed", "problem_id"]
    with_deadline = table.loc[not_fixed, "严重程度"].ne("提示").sum()
    assert (rules == "G4-011").sum() == expected.eq("G4-011").sum() == with_deadline > 0
