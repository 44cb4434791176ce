"""Hostile and broken inputs: each ends with the expected exit code and a Chinese message, never a
traceback, and no run exceeds the memory bound (peak RSS of the audit process ≤ 1.5 GB)."""

import os
import sys
import zipfile
from pathlib import Path

import pytest

from tests.builders import HEADER, ROW, write_xlsx

MEMORY_BOUND_MB = 1536


def peak_rss_mb(path: Path, tmp_path: Path) -> tuple[int, str, float]:
    """Run the CLI and read the child's peak RSS from wait4 (Linux reports KiB)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(write, 1)
        os.dup2(write, 2)
        os.execv(sys.executable, [sys.executable, "-m", "ledger_audit_cli", "run", str(path), "--quarter", "2022Q2",
                                  "--out", str(tmp_path / "out" / "2022Q2")])
    os.close(write)
    with os.fdopen(read, encoding="utf-8", errors="replace") as stream:
        output = stream.read()
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), output, usage.ru_maxrss / 1024


def zip_bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<c>" + "0" * 300_000_000 + "</c>")


def entity_expansion(path):
    laughs = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>"
    write_xlsx(path, [HEADER, ROW])
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("?>", "?>" + laughs, 1).replace("张三", "&j;").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


LIBREOFFICE_ODS_LEDGER = Path(__file__).parent / "fixtures" / "libreoffice" / "clean" / "ods" / "台账_示例县.ods"


def damaged_part(old: bytes, new: bytes, original: Path | None = None):
    """A workbook (`original`, else a small .xlsx) one of whose parts no longer matches its CRC (a
    copy cut short or flipped on disk): `old` replaced by `new`, same length, still valid XML."""
    def build(path):
        if original:
            path.write_bytes(original.read_bytes())
        else:
            write_xlsx(path, [HEADER, ROW])
        with zipfile.ZipFile(path) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as target:
            for name, data in parts.items():
                target.writestr(name, data)
        data = bytearray(path.read_bytes())
        at = data.index(old)
        data[at:at + len(old)] = new
        path.write_bytes(bytes(data))
    return build


CASES = {
    # name: (builder, expected exit code, words in the output)
    "zip-bomb.xlsx": (zip_bomb, 3, "疑似损坏或恶意文件"),
    "entity-expansion.xlsx": (entity_expansion, (0, 1, 3), ""),   # never expanded: quick-xml ignores DTDs
    "empty.xlsx": (lambda p: p.write_bytes(b""), 3, "0 字节"),
    "junk.xlsx": (lambda p: p.write_bytes(os.urandom(4096)), 3, "不是 Excel 工作簿"),
    "mixed-encoding.csv": (lambda p: p.write_bytes(",".join(HEADER).encode() + b"\n" + ",".join(ROW).encode("gbk") + b"\n"),
                           3, "混杂"),
    # Excel caps a cell at 32 767 characters; a CSV export has no cap.
    "one-megabyte-cell.csv": (lambda p: p.write_text(",".join(HEADER + ["备注"]) + "\n" + ",".join(ROW + ["长" * 350_000]) + "\n",
                                                      encoding="utf-8"), (0, 1), ""),
    "16384-columns.xlsx": (lambda p: write_xlsx(p, [HEADER + [f"附加{i}" for i in range(16384 - len(HEADER))],
                                                    ROW + ["x"] * (16384 - len(ROW))]), (0, 1), ""),
    "duplicate-headers.xlsx": (lambda p: write_xlsx(p, [HEADER + ["姓名", "备注", "备注"], ROW + ["李四", "a", "b"]]), (0, 1), ""),
    "damaged-sheet-xml.xlsx": (damaged_part(b'<c r="A2"', b'<c r="A3"'), 3, "损坏"),
    "damaged-shared-strings.xlsx": (damaged_part("<t>张三</t>".encode(), "<t>李四</t>".encode()), 3,
                                    "文件「damaged-shared-strings.xlsx」：工作簿中的「xl/sharedStrings.xml」部分已损坏"),
    "damaged-content.ods": (damaged_part("城关镇".encode(), "城东镇".encode(), LIBREOFFICE_ODS_LEDGER), 3, "损坏"),
    "only-headers.xlsx": (lambda p: write_xlsx(p, [HEADER]), 3, "没有数据行"),
    "formula-cells.xlsx": (lambda p: write_xlsx(p, [HEADER, ROW], [(1, 13, "=4000*2", 8000), (1, 9, "=1", 1)]), (0, 1), ""),
    "huge-numbers.xlsx": (lambda p: write_xlsx(p, [HEADER, ROW[:9] + [1e308] + ROW[10:13] + [1e308]]), 1, "家庭人口数与成员数不符"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input(name, tmp_path):
    builder, expected, words = CASES[name]
    path = tmp_path / name
    builder(path)
    code, output, peak = peak_rss_mb(path, tmp_path)
    assert code in (expected if isinstance(expected, tuple) else (expected,)), output
    assert "Traceback" not in output and "内部错误" not in output
    assert words in output
    assert peak <= MEMORY_BOUND_MB
