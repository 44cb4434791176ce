"""Read last quarter's 整改台账 as people filled it in: columns reordered or added, notes typed in,
dates as text or as Excel dates, statuses typed by hand ("已整改 "). Read only, never written.
If it cannot be read the run stops (exit 3): silently starting a fresh ledger would lose people's
entries."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd

from ..errors import AuditInputError
from ..frame import TEXT
from .rectification import STATUSES

SHEET = "整改台账"
KEY = "问题编号"
HEADER_SCAN_ROWS = 10
DATE_COLUMNS = ("整改时限", "整改完成时间", "销号时间")


def read_previous_rectification(path: Path) -> pd.DataFrame:
    rows = _rows(path)
    header_at = next((i for i, row in enumerate(rows[:HEADER_SCAN_ROWS]) if KEY in row), None)
    if header_at is None:
        raise AuditInputError(f"上期整改台账中找不到「{KEY}」列。", file=path.name, sheet=SHEET,
                              hint="请使用本工具上季度生成的三单一账工作簿（可以在其中填写、增加列，但不要删除“问题编号”列）。")
    header = [str(h).strip() if h is not None else f"列{i + 1}" for i, h in enumerate(rows[header_at])]
    body = [row + [None] * (len(header) - len(row)) for row in rows[header_at + 1:]]
    frame = pd.DataFrame(body, columns=_unique(header)).map(_cell_text).astype(TEXT)
    frame = frame[frame[KEY] != ""]
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(_date_text).astype(TEXT)
    if "整改状态" in frame:
        frame["整改状态"] = frame["整改状态"].map(_status).astype(TEXT)
    return frame.reset_index(drop=True)


def _rows(path: Path) -> list[list]:
    if not path.exists():
        raise AuditInputError("找不到上期整改台账。", file=str(path), hint="检查 --previous 指定的路径。")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise AuditInputError(f"上期整改台账无法打开，文件可能已损坏或加密（{error}）。", file=path.name,
                              hint="用 Excel 打开并另存为 .xlsx 后重试；本次审核未写入任何文件。") from None
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else None
        if sheet is None:
            raise AuditInputError(f"上期工作簿中没有「{SHEET}」工作表（现有：{'、'.join(workbook.sheetnames)}）。",
                                  file=path.name, hint="请指定上季度生成的三单一账工作簿。")
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name}.{seen[name]}")
    return result


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date_text(text: str) -> str:
    """2022/7/15, 2022年7月15日, 2022.7.15 → 2022-07-15; anything else is kept as typed."""
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        return text
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return text


def _status(text: str) -> str:
    """A status typed by hand: spaces and punctuation around it ignored."""
    cleaned = re.sub(r"[\s。.，,；;!！]", "", text)
    return next((s for s in STATUSES if cleaned == s), text)
