"""Tell a file's format from its first bytes, so that a wrong extension, an encrypted workbook or
binary junk gets a clear message instead of a parser's traceback."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from ..errors import AuditInputError

ZIP_MAGIC = b"PK\x03\x04"
# An OpenDocument file is a zip whose first member, stored uncompressed, is `mimetype` with this text.
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE2 container holding these streams instead of a zip.
ENCRYPTED_STREAM_NAMES = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
# BIFF8 FILEPASS record (type 0x002F): an .xls saved with a password.
XLS_FILEPASS = b"\x2f\x00"


class FileKind(Enum):
    XLSX = "xlsx"
    XLS = "xls"
    ODS = "ods"
    CSV = "csv"


def detect_file_kind(path: Path) -> FileKind:
    if not path.exists():
        raise AuditInputError("找不到该文件。", file=str(path), hint="检查路径和文件名是否正确。")
    if path.is_dir():
        raise AuditInputError("这是一个文件夹，不是台账文件。", file=str(path), hint="请指定 .xlsx、.xls、.ods 或 .csv 文件。")
    with open(path, "rb") as handle:
        head = handle.read(len(ODS_MIMETYPE) + 64)
    if not head:
        raise AuditInputError("文件是空的（0 字节）。", file=path.name, hint="重新导出或复制该文件。")
    if head.startswith(ZIP_MAGIC):
        return FileKind.ODS if ODS_MIMETYPE in head else FileKind.XLSX
    if head[:8] == OLE2_MAGIC:
        if _is_encrypted_ole(path):
            raise AuditInputError("工作簿设置了打开密码，无法读取。", file=path.name,
                                  hint="在 Excel 中用密码打开，依次点「文件 → 信息 → 保护工作簿 → 用密码进行加密」清空密码后保存，再运行。")
        return FileKind.XLS
    if path.suffix.lower() in (".csv", ".txt") and b"\x00" not in head[:8]:
        return FileKind.CSV
    raise AuditInputError("文件内容不是 Excel 工作簿（.xlsx/.xls）、OpenDocument 表格（.ods）或 CSV 文本，无法读取。", file=path.name,
                          hint="确认选择的是台账文件；如为其他格式（如 .et、.numbers、PDF），请用 Excel 或 WPS 另存为 .xlsx。")


def _is_encrypted_ole(path: Path) -> bool:
    data = path.read_bytes()
    if any(name in data for name in ENCRYPTED_STREAM_NAMES):
        return True
    # In an .xls the FILEPASS record follows the BOF record at the start of the Workbook stream.
    workbook = data.find("Workbook".encode("utf-16-le"))
    return workbook >= 0 and _biff_has_filepass(data)


def _biff_has_filepass(data: bytes) -> bool:
    bof = data.find(b"\x09\x08\x10\x00\x00\x06")   # BIFF8 BOF record of the workbook globals
    if bof < 0:
        return False
    position = bof + 4 + 16
    for _ in range(64):   # FILEPASS, if any, is among the first few records
        record, size = data[position:position + 2], int.from_bytes(data[position + 2:position + 4], "little")
        if record == XLS_FILEPASS:
            return True
        if record in (b"", b"\x0a\x00"):   # end of data or EOF record
            return False
        position += 4 + size
    return False
