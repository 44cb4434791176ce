"""Two quarters: every transition of the 整改台账 (new, persisting, 逾期 → G4-011, 已销号, 反弹 →
G4-012, claimed fixed but still present → 整改中), no human cell lost, the previous workbook never
written, and a broken previous workbook stopping the run before anything is written."""

from datetime import date

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ledger_audit.audit import audit_county
from ledger_audit.catalog import load_catalog
from ledger_audit.config import AuditConfig, RunSettings
from ledger_audit.errors import AuditInputError
from ledger_audit.frame import LoadedTable
from ledger_audit.normalise.tables import load_ledger
from ledger_audit.pipeline import run_audit
from ledger_audit.report.writers import write_reports
from ledger_audit.sample.build import build_sample
from ledger_audit.track.previous import read_previous_rectification
from ledger_audit.track.rectification import carry_forward

CATALOG = load_catalog()
Q2, Q3 = AuditConfig(as_of=date(2022, 6, 30)), AuditConfig(as_of=date(2022, 9, 30))


@pytest.fixture(scope="module")
def first_quarter(tmp_path_factory):
    directory = tmp_path_factory.mktemp("q2")
    paths = build_sample(directory / "in", 150, 9, Q2.as_of)
    ledger = load_ledger([paths["ledger"]], CATALOG)
    result = audit_county(ledger, {}, Q2, CATALOG)
    outputs = write_reports(result, directory / "2022Q2", ("xlsx",))
    return ledger, result, outputs["xlsx"]


def fill_in(workbook_path, edits: dict[str, dict[str, str]], target):
    """What a person does: type into the 整改台账, add a column, move columns, save under a new name."""
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["整改台账"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=1, column=len(header) + 1, value="乡镇联系人")
    for row in range(2, sheet.max_row + 1):
        problem = sheet.cell(row=row, column=header.index("问题编号") + 1).value
        for column, value in edits.get(problem, {}).items():
            if column not in header:
                sheet.cell(row=row, column=len(header) + 1, value=value)
            else:
                sheet.cell(row=row, column=header.index(column) + 1, value=value)
    sheet.move_range("A1:A%d" % sheet.max_row, cols=len(header) + 1)   # 序号 moved to the far right
    workbook.save(target)


def pick(result, rule_id, n=1):
    return result.findings[result.findings["rule_id"] == rule_id]["problem_id"].head(n).tolist()


def test_every_transition_across_two_quarters(first_quarter, tmp_path):
    ledger, result, workbook = first_quarter
    fixed = result.findings[result.findings["rule_id"] == "G1-012"].iloc[0]
    [persisting] = pick(result, "G1-003")
    [claimed] = pick(result, "G1-008")
    [closed_by_hand] = pick(result, "G2-015")
    edits = {
        persisting: {"责任人": "王乡长", "整改措施": "入户核对身份证", "备注": "户主外出务工", "乡镇联系人": "李四"},
        claimed: {"整改状态": "已整改 ", "整改完成时间": "2022/8/1", "佐证材料": "照片3张"},
        closed_by_hand: {"整改状态": "已销号", "销号时间": "2022年8月2日"},
        fixed.problem_id: {"整改状态": "已整改", "责任人": "赵村主任"},
    }
    previous_path = tmp_path / "上季度整改台账.xlsx"
    fill_in(workbook, edits, previous_path)
    before = previous_path.read_bytes()

    frame = ledger.frame.copy()
    fixed_row = frame.index[(frame["_row"].astype(str) == fixed.sources.rsplit(":", 1)[1])]
    frame.loc[fixed_row, "姓名"] = frame.loc[fixed_row, "姓名"].str.replace(" ", "")
    new_row = frame.index[frame["与户主关系"] == "户主"][-1]
    frame.loc[new_row, "民族"] = "火星族"                            # a new problem in Q3
    previous = read_previous_rectification(previous_path)
    q3 = audit_county(LoadedTable(frame, ledger.report), {}, Q3, CATALOG, previous_rectification=previous)
    table = q3.rectification.set_index("问题编号")

    assert table.loc[persisting, "整改状态"] == "未整改" and table.loc[persisting, "累计季度数"] == "2"
    assert table.loc[persisting, "首次发现季度"] == "2022Q2"
    assert (table.loc[persisting, ["责任人", "整改措施", "备注", "乡镇联系人"]].tolist()
            == ["王乡长", "入户核对身份证", "户主外出务工", "李四"])
    assert table.loc[claimed, "整改状态"] == "整改中"
    assert table.loc[claimed, "复核结论"] == "复核仍存在，整改未到位"
    assert table.loc[claimed, "佐证材料"] == "照片3张" and table.loc[claimed, "整改完成时间"] == "2022-08-01"
    assert table.loc[fixed.problem_id, "整改状态"] == "已销号"
    assert table.loc[fixed.problem_id, "销号时间"] == "2022-09-30"
    assert table.loc[fixed.problem_id, "复核结论"] == "本期复核未再发现"
    assert table.loc[fixed.problem_id, "责任人"] == "赵村主任"
    new = q3.findings[(q3.findings["rule_id"] == "G1-008") & (q3.findings["message"].str.contains("火星族"))]
    assert table.loc[new["problem_id"].iloc[0], "整改状态"] == "未整改"

    tracking = q3.findings[q3.findings["rule_id"].isin(["G4-011", "G4-012"])]
    overdue = tracking[tracking["rule_id"] == "G4-011"]
    assert persisting in set(overdue["entity_key"]) and claimed in set(overdue["entity_key"])
    assert set(tracking[tracking["rule_id"] == "G4-012"]["entity_key"]) == {closed_by_hand}
    assert overdue.set_index("entity_key").loc[persisting, "unit"] == "乡镇"   # the item's own unit
    assert previous_path.read_bytes() == before          # read, never written


def test_every_human_cell_of_the_previous_workbook_reappears(first_quarter, tmp_path):
    ledger, result, workbook = first_quarter
    ids = result.findings["problem_id"].tolist()
    edits = {pid: {"责任人": f"责任人{i}", "备注": f"备注 {i} 已联系", "佐证材料": f"材料{i}.pdf"} for i, pid in enumerate(ids)}
    previous_path = tmp_path / "prev.xlsx"
    fill_in(workbook, edits, previous_path)
    previous = read_previous_rectification(previous_path)
    q3 = audit_county(ledger, {}, Q3, CATALOG, previous_rectification=previous)
    table = q3.rectification.set_index("问题编号")
    for pid, cells in edits.items():
        for column, value in cells.items():
            assert table.loc[pid, column] == value


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edits_never_lose_human_text(first_quarter, tmp_path, data):
    ledger, result, workbook = first_quarter
    previous = read_previous_rectification(workbook).head(30)
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12) \
        .map(str.strip).filter(lambda t: t and not t.startswith("="))
    for column in ("责任人", "整改措施", "佐证材料", "备注", "自定义列"):
        texts = data.draw(st.lists(text, min_size=3, max_size=3))
        previous[column] = [texts[i % 3] + str(i) for i in range(len(previous))]
    order = data.draw(st.permutations(list(previous.columns)))
    previous = previous[order]
    keep = data.draw(st.sets(st.sampled_from(previous["问题编号"].tolist()), max_size=10))
    current = result.findings[result.findings["problem_id"].isin(keep)]
    table, _ = carry_forward(previous, current, Q3, CATALOG)
    merged = previous.merge(table, on="问题编号", suffixes=("_prev", ""))
    assert len(merged) == len(previous)
    for column in ("责任人", "整改措施", "佐证材料", "备注", "自定义列"):
        assert (merged[f"{column}_prev"] == merged[column]).all()


def test_broken_previous_workbook_stops_before_writing(tmp_path):
    paths = build_sample(tmp_path / "in", 30, 1, Q2.as_of)
    broken = tmp_path / "坏的整改台账.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    out = tmp_path / "out" / "2022Q3"
    settings_ = RunSettings(ledgers=(paths["ledger"],), out_dir=out, previous=(broken,))
    with pytest.raises(AuditInputError, match="上期整改台账无法打开"):
        run_audit(settings_, Q3, CATALOG)
    assert not out.exists()


def test_cron_run_finds_last_quarters_rectification_in_history(tmp_path):
    paths = build_sample(tmp_path / "in", 60, 2, Q2.as_of)
    root = tmp_path / "out"
    first = run_audit(RunSettings(ledgers=(paths["ledger"],), out_dir=root / "2022Q2", formats=("xlsx",)), Q2, CATALOG,
                      recorded_at="2022-07-01T08:00:00")
    second = run_audit(RunSettings(ledgers=(paths["ledger"],), out_dir=root / "2022Q3", formats=("xlsx", "html")), Q3, CATALOG,
                       recorded_at="2022-10-01T08:00:00")
    counts = second.result.rectification["累计季度数"].value_counts()
    assert counts.get("2", 0) == len(first.result.findings)      # every Q2 problem found again
    assert list(second.result.history["季度"]) == ["2022Q2"]
    html = second.outputs["html"].read_text(encoding="utf-8")
    assert "季度趋势" in html and "2022Q2" in html
