"""Masking at the report boundary (report/redact.py), on findings and a 整改台账 built in memory."""

from datetime import date

import pandas as pd

from ledger_audit.config import AuditConfig, load_config_file
from ledger_audit.findings import FINDING_COLUMNS
from ledger_audit.frame import TEXT
from ledger_audit.report.redact import redacted
from ledger_audit.report.sheets import problem_list, rectification_sheet
from ledger_audit.result import AuditResult
from ledger_audit.track.rectification import HUMAN_COLUMNS, new_rectification

HOUSEHOLD = "6103270010000049"          # 16 digits: shaped like an ID
LEDGER_ID, ROSTER_ID = "610327196708285070", "610327197608285070"   # read the same once masked


def findings(*rows: dict) -> pd.DataFrame:
    blank = dict.fromkeys(FINDING_COLUMNS, "")
    return pd.DataFrame([blank | {"problem_id": f"P{i}", "gate": "G1", "severity": "错误"} | row
                         for i, row in enumerate(rows)], columns=list(FINDING_COLUMNS)).astype(TEXT)


def result_of(frame: pd.DataFrame, rectification: pd.DataFrame | None = None) -> AuditResult:
    return AuditResult(config=AuditConfig(as_of=date(2022, 6, 30)), findings=frame,
                       rules_not_run=pd.DataFrame(columns=["rule_id", "reason"]), loads=[], rectification=rectification)


SAMPLE = findings(
    {"rule_id": "G2-003", "household_id": HOUSEHOLD, "message": f"户编号 {HOUSEHOLD} 有 2 个户主（应为 1 个）"},
    {"rule_id": "G3-502", "gate": "G3", "household_id": HOUSEHOLD, "id_number": LEDGER_ID,
     "message": f"谢娟兰（台账证件号码 {LEDGER_ID}）疑似与部门名单中的同一人号码不同：住建名单中为「{ROSTER_ID}」"},
    {"rule_id": "G1-002", "household_id": HOUSEHOLD, "id_number": "6103271990O1011234",
     "message": "李四 的证件号码「6103271990O1011234」不是有效的身份证号码格式，电话 13812345678"},
    {"rule_id": "G3-602", "gate": "G3", "household_id": HOUSEHOLD, "id_number": LEDGER_ID,
     "message": f"谢娟兰（{LEDGER_ID}，户编号 {HOUSEHOLD}）在户信息表中没有同户编号、同证件号码的记录"},
)


def test_ids_and_mobiles_are_masked_and_the_household_number_is_not():
    shown = problem_list(redacted(result_of(SAMPLE)))
    assert shown["问题描述"].tolist() == [
        f"户编号 {HOUSEHOLD} 有 2 个户主（应为 1 个）",
        "谢娟兰（台账证件号码 610327********5070）疑似与部门名单中的同一人号码不同："
        "住建名单中为「610327********5070（与前面显示相同的号码第 9、10 位不同）」",
        "李四 的证件号码「610327********1234」不是有效的身份证号码格式，电话 138****5678",   # letters inside too
        f"谢娟兰（610327********5070，户编号 {HOUSEHOLD}）在户信息表中没有同户编号、同证件号码的记录",
    ]
    assert shown["证件号码"].tolist() == ["", "610327********5070", "610327********1234", "610327********5070"]
    assert shown["户编号"].tolist() == [HOUSEHOLD] * 4


def test_masking_twice_changes_nothing():
    once = redacted(result_of(SAMPLE, new_rectification(SAMPLE)))
    twice = redacted(once)
    pd.testing.assert_frame_equal(twice.findings, once.findings)
    pd.testing.assert_frame_equal(twice.rectification, once.rectification)


def test_a_carried_item_and_the_human_columns_are_left_as_they_were():
    last_quarter = new_rectification(findings(
        {"problem_id": "OLD", "household_id": HOUSEHOLD, "message": "张三（610327********1234）以下必填项为空：民族"}))
    filled = {column: f"已核对 {LEDGER_ID} 13812345678" for column in HUMAN_COLUMNS}
    table = pd.concat([new_rectification(SAMPLE), last_quarter]).assign(**filled, 村里加的列=LEDGER_ID)
    shown = rectification_sheet(redacted(result_of(SAMPLE, table)))
    untouched = [c for c in table.columns if c != "问题描述"]
    pd.testing.assert_frame_equal(shown[untouched], table[untouched])
    assert shown["问题描述"].iloc[-1] == "张三（610327********1234）以下必填项为空：民族"
    assert LEDGER_ID not in "".join(shown["问题描述"])


def test_no_mask_writes_whole_ids(tmp_path):
    from ledger_audit.report.json_report import json_text
    from ledger_audit.report.writers import write_reports
    config = tmp_path / "county.toml"
    config.write_text("[run]\nmask = false\n", encoding="utf-8")
    assert load_config_file(config)[1].mask is False
    result = result_of(SAMPLE)
    plain = write_reports(result, tmp_path / "plain", ("json",), mask=False)["json"].read_text(encoding="utf-8")
    assert plain == json_text(result) and LEDGER_ID in plain and ROSTER_ID in plain
    masked = write_reports(result, tmp_path / "masked", ("json",))["json"].read_text(encoding="utf-8")
    assert LEDGER_ID not in masked and "610327********5070" in masked
