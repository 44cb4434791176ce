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
