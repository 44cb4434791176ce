"""Text that a spreadsheet would run as a formula after 另存为 CSV (=, +, -, @) is written with
one leading quote (OWASP, CSV Injection), and the 整改台账 read back next quarter gives the text the
town typed: the quote never piles up over quarters, and a quote a person typed is kept."""

from datetime import date

import openpyxl
import pandas as pd

from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig
from ledger_audit.findings import empty_findings
from ledger_audit.report.template import write_template
from ledger_audit.report.workbook import write_workbook
from ledger_audit.result import NOT_RUN_COLUMNS, AuditResult
from ledger_audit.track.previous import read_previous_rectification
from ledger_audit.track.rectification import carry_forward, new_rectification

CATALOG = load_catalog()
TYPED = {"责任人": "@王乡长", "整改措施": "-已落实", "佐证材料": "=见附件", "备注": "'备注", "乡镇联系人": "+86 138"}


def one_item_result(quarter: date, rectification: pd.DataFrame) -> AuditResult:
    config = AuditConfig(as_of=quarter, county="示例县")
    return AuditResult(config, empty_findings(), pd.DataFrame(columns=NOT_RUN_COLUMNS), [], rectification=rectification)


def first_quarter() -> pd.DataFrame:
    table = new_rectification(empty_findings(), AuditConfig(as_of=date(2022, 6, 30)))
    row = {c: "" for c in table.columns} | {"序号": "1", "问题编号": "G1-003-0123456789", "规则编号": "G1-003",
                                            "问题描述": "-1 岁", "整改状态": "未整改", "累计季度数": "1"}
    return pd.DataFrame([row | TYPED])


def sheets(path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as the cell values a spreadsheet program sees."""
    return {sheet.title: pd.DataFrame(list(sheet.values)) for sheet in openpyxl.load_workbook(path)}


def test_typed_text_survives_three_quarters_with_exactly_one_quote_in_the_file(tmp_path):
    rectification = first_quarter()
    for quarter in (date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)):
        path = tmp_path / f"{quarter}.xlsx"
        write_workbook(one_item_result(quarter, rectification), path, {})
        cells = sheets(path)
        for name, sheet in cells.items():      # no text cell of any sheet starts a formula
            assert not sheet.map(lambda v: isinstance(v, str) and v.startswith(("=", "+", "-", "@"))).any(axis=None), name
        written = cells["整改台账"].T.set_index(0)[1]
        assert written[list(TYPED)].to_dict() == {c: t if t.startswith("'") else "'" + t for c, t in TYPED.items()}
        assert written["问题描述"] == "'-1 岁" and written["累计季度数"] == 1        # a number stays a number
        previous = read_previous_rectification(path)
        assert previous.loc[0, list(TYPED)].to_dict() == TYPED and previous.loc[0, "问题描述"] == "-1 岁"
        rectification, _ = carry_forward(previous, empty_findings(), AuditConfig(as_of=quarter), CATALOG)


def test_template_guide_guarded_while_headers_and_codes_stay_exact(tmp_path):
    write_template(CATALOG, tmp_path / "t.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert [c.value for c in workbook["台账"][1]] == list(CATALOG.fields)
    values = [v for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
