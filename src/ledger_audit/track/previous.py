"""Read last quarter's 整改台账 as people filled it in: columns reordered, added or missing, notes
typed in, dates as text or as date cells, statuses typed by hand ("已整改 "), the file re-saved by
LibreOffice or WPS (.xlsx with a thousand blank styled rows, .xls, .ods) or exported as CSV, the
county's one workbook or one workbook per 乡镇 (several files, or a folder of them). Read only,
never written. If it cannot be read the run stops (exit 3): silently starting a fresh ledger would
lose people's entries. An empty cell is read as "" and stays "": never the text "nan". The quote our
writer puts before text like "-已落实" (formula_guard) is taken off, so it does not pile up.

`check_previous_belongs` then makes sure the workbook is this county's before anything is closed."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from ..errors import AuditInputError
from ..formula_guard import unguarded
from ..frame import TEXT
from ..normalise.tables import SIGNATURE, SUBTOTAL
from ..read.csv_text import read_csv_grid
from ..read.file_kind import FileKind, detect_file_kind
from .rectification import STATUSES

SHEET = "整改台账"
KEY = "问题编号"
HEADER_SCAN_ROWS = 10
DATE_COLUMNS = ("整改时限", "整改完成时间", "销号时间")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
# Below this share of its items that could be this county's, a previous 整改台账 is another county's:
# households rarely leave a ledger, so last quarter's items almost all still point into it.
BELONGING_SHARE = 0.5
SOURCE_FILES = "source_files"   # DataFrame.attrs key: the file names the frame was read from


def read_previous_rectification(given: Path | Sequence[Path]) -> pd.DataFrame:
    """One 整改台账 from one or several workbooks (or folders of them), every column kept."""
    paths = previous_files([given] if isinstance(given, Path) else list(given))
    frames = [_read_one(path) for path in paths]
    combined = _combine(frames, [path.name for path in paths])
    combined.attrs[SOURCE_FILES] = [path.name for path in paths]
    return combined


def counties_in(path: Path) -> set[str]:
    """The counties one 整改台账 file names in its 县 column (empty when it has none, or it is blank:
    a workbook written before the column was filled). A province run sends each file to its county
    by this."""
    return _values(_read_one(path), "县")


def previous_files(given: list[Path]) -> list[Path]:
    """The files named, with each folder replaced by the workbooks in it (Excel's ~$ lock files and
    hidden files skipped)."""
    files = []
    for path in given:
        if not path.exists():
            raise AuditInputError("找不到上期整改台账。", file=str(path), hint="检查 --previous 指定的路径。")
        if not path.is_dir():
            files.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES
                        and not p.name.startswith(("~$", ".")))
        if not inside:
            raise AuditInputError("文件夹中没有整改台账工作簿（.xlsx、.xls、.ods 或 .csv）。", file=str(path),
                                  hint="把各乡镇填写好的三单一账工作簿放进该文件夹，或用 --previous 逐个指定文件。")
        files.extend(inside)
    return files


def _read_one(path: Path) -> pd.DataFrame:
    rows = _rows(path)
    header_at = next((i for i, row in enumerate(rows[:HEADER_SCAN_ROWS]) if KEY in map(_cell_text, row)), None)
    if header_at is None:
        raise AuditInputError(f"上期整改台账中找不到「{KEY}」列。", file=path.name, sheet=_sheet_name(path),
                              hint="请使用本工具上季度生成的三单一账工作簿（可以在其中填写、增加列，但不要删除“问题编号”列）。")
    header = [_cell_text(h) or f"列{i + 1}" for i, h in enumerate(rows[header_at])]
    width = max(len(header), *(len(row) for row in rows[header_at:]))
    header += [f"列{i + 1}" for i in range(len(header), width)]
    body = [[_cell_text(v) for v in row] + [""] * (width - len(row)) for row in rows[header_at + 1:]]
    frame = pd.DataFrame(body, columns=_unique(header), dtype=object).astype(TEXT)
    _refuse_typed_rows_without_key(frame, path, first_row=header_at + 2)
    frame = frame[frame[KEY] != ""]                      # blank (styled) rows and signature lines are no items
    unnamed = [c for c, h in zip(frame.columns, rows[header_at] + [None] * width)
               if not _cell_text(h) and (frame[c] == "").all()]
    frame = frame.drop(columns=unnamed)                  # empty columns a spreadsheet program padded
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(_date_text).astype(TEXT)
    if "整改状态" in frame:
        frame["整改状态"] = frame["整改状态"].map(_status).astype(TEXT)
    return frame.reset_index(drop=True)


def _refuse_typed_rows_without_key(frame: pd.DataFrame, path: Path, first_row: int) -> None:
    """A row someone typed in but whose 问题编号 is empty could be matched to no item: dropping it
    would lose what they wrote, so the run stops and names the rows. Blank rows and the signature
    and total lines of a printed form (填表人：…, 合计) are no items and are let through."""
    cells = frame.drop(columns=[KEY]).to_numpy(dtype=object)
    typed_in = cells != ""
    first = cells[np.arange(len(cells)), typed_in.argmax(axis=1)] if cells.size else np.full(len(cells), "")
    first_cell = pd.Series(np.where(typed_in.any(axis=1), first, ""), index=frame.index, dtype=TEXT)
    form_line = first_cell.str.match(SIGNATURE.pattern) | first_cell.str.match(SUBTOTAL.pattern)
    typed = (frame[KEY] == "") & (first_cell != "") & ~form_line
    if typed.any():
        rows = [str(first_row + i) for i in np.flatnonzero(typed.to_numpy())]
        raise AuditInputError(
            f"上期整改台账第 {'、'.join(rows[:10])}{' 等' if len(rows) > 10 else ''} 行填写了内容，但「{KEY}」为空，"
            "无法对应到任何问题。", file=path.name, sheet=_sheet_name(path),
            hint=f"从问题清单中把该问题的「{KEY}」补回这些行（或把内容移到对应问题所在行）后重新运行；"
                 "本次审核未写入任何文件。")


def _sheet_name(path: Path) -> str | None:
    return None if path.suffix.lower() == ".csv" else SHEET


def _rows(path: Path) -> list[list]:
    kind = detect_file_kind(path)
    if kind is FileKind.CSV:
        cells = read_csv_grid(path).cells
        return cells.astype(object).where(cells.notna(), "").to_numpy().tolist()
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except (python_calamine.CalamineError, OSError, ValueError) as error:
        raise AuditInputError(f"上期整改台账无法打开，文件可能已损坏或加密（{error}）。", file=path.name,
                              hint="用 Excel 打开并另存为 .xlsx 后重试；本次审核未写入任何文件。") from None
    if SHEET not in workbook.sheet_names:
        raise AuditInputError(f"上期工作簿中没有「{SHEET}」工作表（现有：{'、'.join(workbook.sheet_names)}）。",
                              file=path.name, hint="请指定上季度生成的三单一账工作簿。")
    try:
        return workbook.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    except python_calamine.CalamineError as error:
        raise AuditInputError(f"上期整改台账无法读取（{error}）。", file=path.name, sheet=SHEET,
                              hint="用 Excel 打开并另存为 .xlsx 后重试；本次审核未写入任何文件。") from None


def _combine(frames: list[pd.DataFrame], names: list[str]) -> pd.DataFrame:
    """Several workbooks (one per 乡镇, perhaps beside the county's own) as one 整改台账. An item in
    two files is kept once, with the cells typed in either (the program's 未整改 counts as not
    typed); when two files hold different text in one cell the run stops, since either choice
    would lose what someone typed."""
    if len(frames) == 1:
        return frames[0]
    # 序号 is each file's own numbering, renumbered anyway.
    columns = list(dict.fromkeys(c for frame in frames for c in frame.columns if c != "序号"))
    combined = pd.concat([f.reindex(columns=columns).assign(_file=name) for f, name in zip(frames, names)],
                         ignore_index=True).astype(TEXT).fillna("")
    repeated = combined.duplicated(KEY, keep=False)
    if not repeated.any():
        return combined.drop(columns="_file")
    copies = combined[repeated]
    typed = copies[columns].replace("", pd.NA)
    if "整改状态" in typed:
        typed["整改状态"] = typed["整改状态"].mask(typed["整改状态"] == "未整改")
    differing = typed.groupby(copies[KEY], sort=False).nunique() > 1
    if differing.any(axis=None):
        item = differing.index[differing.any(axis=1)][0]
        column = differing.columns[differing.loc[item]][0]
        files = "、".join(copies.loc[copies[KEY] == item, "_file"])
        raise AuditInputError(
            f"问题 {item} 在 {files} 中都有，但「{column}」填写的内容不同（共 {int(differing.any(axis=1).sum())} 个问题如此）。",
            hint="每个问题只保留一份填写好的整改台账：文件夹中只放各乡镇的工作簿，或只放全县的一个工作簿。")
    merged = typed.groupby(copies[KEY], sort=False).first().drop(columns=KEY, errors="ignore").reset_index()
    if "整改状态" in merged:
        defaulted = copies["整改状态"].eq("未整改").groupby(copies[KEY], sort=False).any().to_numpy()
        merged["整改状态"] = merged["整改状态"].mask(merged["整改状态"].isna() & defaulted, "未整改")
    once = combined[~repeated].drop(columns="_file")
    return pd.concat([once, merged[columns].astype(TEXT).fillna("")], ignore_index=True)


def check_previous_belongs(previous: pd.DataFrame, ledger: pd.DataFrame, findings: pd.DataFrame) -> None:
    """Stop (exit 3) when the previous 整改台账 is another county's: closing all its items as 已销号
    in this county's 整改台账 would be a false report. Evidence: its 县 and 乡镇 against the ledger's,
    and how many of its items could be this county's (their 问题编号 found this quarter, or their
    户编号 in the ledger, or, for a village's item, their 乡镇)."""
    if previous.empty:
        return
    files = "、".join(previous.attrs.get(SOURCE_FILES, [])) or None
    hint = "请指定本县上季度的三单一账工作簿（或本县各乡镇的整改台账）；本次审核未写入任何文件。"
    for column in ("县", "乡镇"):
        theirs, ours = _values(previous, column), _values(ledger, column)
        if theirs and ours and not theirs & ours:
            raise AuditInputError(f"上期整改台账的{column}（{'、'.join(sorted(theirs)[:5])}）与本次台账的{column}"
                                  f"（{'、'.join(sorted(ours)[:5])}）没有一个相同，不是本县的整改台账。", file=files, hint=hint)
    could_belong = previous[KEY].isin(findings["problem_id"])
    if "户编号" in previous and "户编号" in ledger:
        could_belong |= previous["户编号"].isin(ledger["户编号"])
        village_items = previous["户编号"] == ""
    else:
        village_items = pd.Series(True, index=previous.index)
    if "乡镇" in previous and "乡镇" in ledger:
        could_belong |= village_items & previous["乡镇"].isin(ledger["乡镇"])
    if could_belong.mean() < BELONGING_SHARE:
        raise AuditInputError(f"上期整改台账的 {len(previous)} 个问题中只有 {int(could_belong.sum())} 个可能属于本次台账"
                              "（问题编号本期仍存在，或户编号、乡镇在本次台账中），不像是本县的整改台账。",
                              file=files, hint=hint)


def _values(frame: pd.DataFrame, column: str) -> set[str]:
    return set(frame[column].unique()) - {""} if column in frame else set()


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name}.{seen[name]}")
    return result


def _cell_text(value) -> str:
    """A cell as text, without the quote our writer added; an empty cell (None, "", NaN) is ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unguarded(str(value).strip())


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
