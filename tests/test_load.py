"""Loading the messy workbooks counties really keep, and refusing bad input with exit code 3 and a
Chinese message that names the file and says what to do."""

import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from typer.testing import CliRunner

from ledger_audit.catalog import load_catalog
from ledger_audit.frame import ID_STORED_AS_NUMBER
from ledger_audit.normalise.tables import load_ledger, load_roster
from ledger_audit.sample.build import build_sample
from ledger_audit.sample.write import MessyForms
from ledger_audit_cli.main import build_app
from tests.builders import HEADER, ROW, write_xlsx

CATALOG = load_catalog()
AS_OF = date(2022, 6, 30)


def planted_rows(paths, rule_id):
    planted = pd.read_csv(paths["planted"], dtype=str).fillna("")
    return planted[planted["rule_id"] == rule_id]


@pytest.mark.parametrize("messy", [
    MessyForms(),
    MessyForms(merged_headers=True),
    MessyForms(gbk_csv=True),
    MessyForms(xls=True),
    MessyForms(household_sheet=True),
    MessyForms(sheet_per_town=True),
], ids=["national", "merged-headers", "gbk-csv", "xls", "household-sheet", "sheet-per-town"])
def test_each_layout_loads_to_the_same_people_with_their_excel_rows(tmp_path, messy):
    paths = build_sample(tmp_path, 40, 3, AS_OF, messy=messy)
    table = load_ledger([paths["ledger"]], CATALOG)
    frame = table.frame
    planted = pd.read_csv(paths["planted"], dtype=str).fillna("")
    # Every planted row points at the row loaded from that sheet and Excel row, with that ID.
    located = frame.set_index(["_sheet", "_row"])["证件号码"]
    for p in planted[planted["file"] == paths["ledger"].name].itertuples():
        loaded = located.loc[(p.sheet, int(p.row))]
        loaded = loaded if isinstance(loaded, str) else loaded.iloc[0]
        if p.rule_id not in ("G1-006",):
            assert loaded == p.id_number.upper()
    assert {"姓名", "证件号码", "工资性收入", "户类型", "人均纯收入（元）"} <= set(frame.columns)
    assert frame["性别"].isin(["男", "女"]).all()


def test_title_rows_and_merged_headers_map_to_canonical_names(tmp_path):
    paths = build_sample(tmp_path, 20, 1, AS_OF, messy=MessyForms(merged_headers=True))
    table = load_ledger([paths["ledger"]], CATALOG)
    assert table.report.mapped["工资性收入"] == "工资性收入"
    assert "家庭收入情况" not in table.frame.columns
    assert table.frame["_row"].min() == 5   # two title rows, a two-row header


def test_numeric_id_cells_are_flagged_not_repaired(tmp_path):
    paths = build_sample(tmp_path, 20, 1, AS_OF, with_defects=False, messy=MessyForms(numeric_ids=True))
    frame = load_ledger([paths["ledger"]], CATALOG).frame
    numeric = frame[ID_STORED_AS_NUMBER]
    # IDs ending in X stay text even in a General cell; every other one became a number.
    assert (numeric == ~frame["证件号码"].str.endswith("X")).all() and numeric.any()
    assert frame.loc[numeric, "证件号码"].str.endswith("000").all()   # Excel kept 15 digits


def test_only_id_sized_numbers_count_as_ids_stored_as_numbers(tmp_path):
    """A small number in the ID column is a wrong ID (G1-002), not one Excel cut (G1-006); an ID
    column far to the right (two-letter column) is scanned like any other."""
    path = tmp_path / "医保.xlsx"
    padding = [f"备注{i}" for i in range(30)]
    write_xlsx(path, [["参保人姓名", "缴费状态"] + padding + ["身份证号"],
                      ["张三", "参保缴费"] + [""] * 30 + [6.10327199001011e17],
                      ["李四", "参保缴费"] + [""] * 30 + [12345.0],
                      ["王五", "参保缴费"] + [""] * 30 + [610327900101123.0]])
    frame = load_roster("医保", path, CATALOG).frame
    assert frame[ID_STORED_AS_NUMBER].tolist() == [True, False, True]
    assert frame["证件号码"].tolist() == ["610327199001011000", "12345", "610327900101123"]


def test_values_are_normalised(tmp_path):
    row = ["城关镇", "东村 ", "H001", "张三", "６１０３２７１９９００１０１１２３x", "1", "汉", "本人", "脱贫户", "1", "慢性病,残疾",
           "弱劳动力", "Y", "8,000"]
    write_xlsx(tmp_path / "l.xlsx", [["某县台账"], HEADER + ["识别监测时间", "备注"], row + ["202203.0", "-"],
                                     ["合计"] + [""] * 9 + ["1"], [], ["填表人：王五"]])
    table = load_ledger([tmp_path / "l.xlsx"], CATALOG)
    person = table.frame.iloc[0]
    assert person["证件号码"] == "61032719900101123X"
    assert (person["性别"], person["民族"], person["与户主关系"]) == ("男", "汉族", "户主")
    assert person["健康状况"] == "长期慢性病、残疾"
    assert (person["劳动技能"], person["是否参加城乡居民基本医疗保险"]) == ("弱劳动力或半劳动力", "是")
    assert (person["人均纯收入（元）"], person["识别监测时间"], person["行政村"]) == ("8000", "2022-03-01", "东村")
    assert person["备注"] == ""            # unknown column kept, "-" read as empty
    assert person["_row"] == 3
    assert table.report.dropped == {"合计行": 1, "空行": 1, "签名/备注行": 1}


def test_roster_with_title_rows_and_numeric_ids(tmp_path):
    path = tmp_path / "医保.xlsx"
    write_xlsx(path, [["医保参保名单"], ["参保人姓名", "身份证号", "缴费状态", "险种类型"],
                      ["张三", 610327199001011240.0, "参保缴费", "居民医保"], ["李四", "61032719900101123X", "停保", ""]])
    table = load_roster("医保", path, CATALOG)
    assert table.frame["参保状态"].tolist() == ["正常参保", "暂停参保"]
    assert table.frame[ID_STORED_AS_NUMBER].tolist() == [True, False]
    assert table.frame["证件号码"].iloc[0] == "610327199001011000"
    assert table.frame["_row"].tolist() == [3, 4]


runner = CliRunner()


def audit_run(path):
    return runner.invoke(build_app(), ["run", str(path), "--quarter", "2022Q2", "--out", str(path.parent / "out")])


def broken_inputs(tmp_path):
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    junk = tmp_path / "乱码.xlsx"
    junk.write_bytes(bytes(range(256)) * 10)
    corrupt = tmp_path / "损坏.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    encrypted = tmp_path / "加密.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100)
    no_header = tmp_path / "无表头.xlsx"
    write_xlsx(no_header, [["说明"], ["这是一张说明表"]])
    missing = tmp_path / "缺列.xlsx"
    write_xlsx(missing, [HEADER[:3] + ["身份证", "性别", "民族"], ROW[:3] + ROW[4:7]])   # neither 证件号码 nor 姓名
    only_header = tmp_path / "只有表头.xlsx"
    write_xlsx(only_header, [HEADER])
    mixed = tmp_path / "混合编码.csv"
    mixed.write_bytes(",".join(HEADER).encode("utf-8") + b"\n" + ",".join(ROW).encode("gbk") + b"\n")
    return {
        empty: "0 字节", junk: "不是 Excel 工作簿", corrupt: "压缩包已损坏", encrypted: "打开密码",
        no_header: "未找到表头行", missing: "缺少必需的列", only_header: "没有数据行", mixed: "混杂",
        tmp_path / "不存在.xlsx": "找不到该文件",
    }


def test_bad_inputs_exit_3_with_a_chinese_message_naming_the_file(tmp_path):
    for path, words in broken_inputs(tmp_path).items():
        result = audit_run(path)
        assert result.exit_code == 3, (path.name, result.output)
        assert words in result.output and path.name in result.output
        assert "Traceback" not in result.output


def test_missing_column_message_lists_found_columns_and_closest_alias(tmp_path):
    result = audit_run(broken_inputs(tmp_path) and tmp_path / "缺列.xlsx")
    assert "证件号码" in result.output and "最接近的列：「身份证」" in result.output
    assert "找到的列：" in result.output and "处理办法" in result.output


def test_cli_never_shows_a_traceback_for_bad_input(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook at all")
    process = subprocess.run([sys.executable, "-m", "ledger_audit_cli", "run", str(junk), "--quarter", "2022Q2"],
                             capture_output=True, text=True)
    assert process.returncode == 3
    assert "Traceback" not in process.stderr and process.stderr.count("junk.xlsx") == 1   # said once
