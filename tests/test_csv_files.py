"""CSV as Windows writes it: a ledger or a 整改台账 in CRLF, with a UTF-8 BOM or in GBK, reads the
same as a plain UTF-8 file; every CSV the tool writes has CRLF line ends and says its encoding
(UTF-8 with a BOM, or GBK without one)."""

import pandas as pd
import pytest

from ledger_audit.read.csv_text import read_csv_grid
from ledger_audit.sample.write import write_csv
from ledger_audit.track.previous import read_previous_rectification

LEDGER = "县,乡镇,姓名,证件号码,备注\n陇县,城关镇,张伟,610327199001011234,\"外出务工\n（西安）\"\n陇县,东风镇,李娜,61032719850202124X,\n"
RECTIFICATION = "序号,问题编号,规则编号,整改措施,备注\n1,G1-003-0123456789,G1-003,'-已落实,入户核对\n2,G1-008-9876543210,G1-008,,\n"
FORMS = {"utf-8.csv": ("utf-8", "\n"), "crlf.csv": ("utf-8", "\r\n"), "bom-crlf.csv": ("utf-8-sig", "\r\n"),
         "gbk-crlf.csv": ("gbk", "\r\n")}


def written(tmp_path, text: str) -> dict[str, object]:
    """The same table in each form Windows programs save it in."""
    paths = {}
    for name, (encoding, line_end) in FORMS.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(text.replace("\n", line_end).encode(encoding))
    return paths


@pytest.mark.parametrize("name", list(FORMS)[1:])
def test_ledger_csv_reads_the_same_in_crlf_with_bom_and_in_gbk(tmp_path, name):
    paths = written(tmp_path, LEDGER)
    plain = read_csv_grid(paths["utf-8.csv"]).cells
    cells = read_csv_grid(paths[name]).cells
    assert cells.loc[1].tolist() == ["县", "乡镇", "姓名", "证件号码", "备注"]          # no BOM left on 县
    # A line break inside a quoted cell stays the one the file had; the values are the same.
    pd.testing.assert_frame_equal(cells.replace("\r\n", "\n", regex=True), plain)
    assert cells.at[2, 4] in ("外出务工\n（西安）", "外出务工\r\n（西安）")


@pytest.mark.parametrize("name", list(FORMS)[1:])
def test_previous_rectification_csv_reads_the_same_in_crlf_with_bom_and_in_gbk(tmp_path, name):
    paths = written(tmp_path, RECTIFICATION)
    previous = read_previous_rectification(paths[name])
    pd.testing.assert_frame_equal(previous, read_previous_rectification(paths["utf-8.csv"]))
    assert list(previous.columns)[:2] == ["序号", "问题编号"] and previous.loc[0, "整改措施"] == "-已落实"


def test_written_csv_has_crlf_a_bom_and_guarded_text(tmp_path):
    frame = pd.DataFrame({"rule_id": ["G1-003", "G2-015"], "row": [5, -1], "note": ["=见附件", "多行\n说明"]})
    write_csv(frame, tmp_path / "planted.csv", guard=True)
    data = (tmp_path / "planted.csv").read_bytes()
    # Rows end in CRLF; a line break inside a cell stays LF, as Excel writes an Alt+Enter. A number
    # is not guarded.
    assert data == "\ufeffrule_id,row,note\r\nG1-003,5,'=见附件\r\nG2-015,-1,\"多行\n说明\"\r\n".encode("utf-8")
    write_csv(frame.drop(columns="note"), tmp_path / "gbk.csv", encoding="gbk")
    assert (tmp_path / "gbk.csv").read_bytes() == b"rule_id,row\r\nG1-003,5\r\nG2-015,-1\r\n"
