"""A sheet as read: text cells and their Excel row numbers, before any interpretation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd


@dataclass
class RawSheet:
    """One sheet as text. `cells` has columns 0..n-1 (absolute column positions, A = 0) and an index
    of 1-based Excel row numbers."""

    file: str
    sheet: str
    cells: pd.DataFrame
    numeric_rows: Callable[[int], np.ndarray]   # absolute column → Excel rows holding a number
