"""A sheet as read: text cells and their Excel row numbers, before any interpretation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd


@dataclass
class RawSheet:
    """One sheet as text. `cells` has columns 0..n-1 (absolute column positions, A = 0) and an index
    of 1-based Excel row numbers. An empty cell is "" or missing (NA): readers leave it as the
    format gives it, because filling 10^6 cells is a pass over the sheet that normalising does anyway."""

    file: str
    sheet: str
    cells: pd.DataFrame
    numeric_id_rows: Callable[[int], np.ndarray]   # absolute column → Excel rows holding an ID-sized number


# Only a number this large can be an ID (15 or 18 digits, 20–22 for a 残疾人证), and it is exactly
# these that Excel cuts to 15 significant digits. A small number in the ID column is just a wrong ID
# (rule G1-002), not a lost one (rule G1-006).
ID_SIZED_NUMBER = 10**14


def without_trailing_blank_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """The sheet without the empty rows below its last filled one. LibreOffice (and WPS) write a row
    for every formatted cell, so a sheet re-saved there carries ~1 000 rows of empty styled cells:
    they are no one's data and must not become ledger rows or 整改台账 items. Only the tail is
    looked at, in windows that double, so a full sheet costs one small check."""
    end, window = len(cells), 64
    while end > 0:
        start = max(end - window, 0)
        filled = np.flatnonzero(_filled_rows(cells.iloc[start:end]))
        if len(filled):
            return cells.iloc[:start + filled[-1] + 1]
        end, window = start, window * 2
    return cells.iloc[:0]


def _filled_rows(cells: pd.DataFrame) -> np.ndarray:
    """Per row, whether any cell holds more than spaces. The cells are checked as one long column
    (column after column), one string kernel instead of one per column."""
    stacked = cells.melt()["value"].astype("string").fillna("")
    filled = (stacked.str.strip() != "").to_numpy(dtype=bool)
    return filled.reshape(cells.shape[1], len(cells)).any(axis=0)
