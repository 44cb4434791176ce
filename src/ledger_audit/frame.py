"""The normalised frame every stage after loading works on.

One row per person (ledger) or per roster row. Canonical columns (fields.toml / rosters.toml) hold
normalised *text* (pandas string dtype, "" for empty): the loader never guesses types, the gates
parse numbers and dates where a rule needs them, so a bad value is reported, not lost.

Besides the canonical columns, every frame carries the columns below, which say where a row came
from; they are what a finding's 来源 (file:sheet:row) is built from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

# Text columns use pyarrow-backed strings: pandas then runs .str methods as Arrow compute kernels,
# ~10× faster on a 10^5-row ledger than Python-object strings.
TEXT = pd.StringDtype("pyarrow")

SOURCE_FILE = "_file"      # file name as given (basename), e.g. 台账.xlsx
SOURCE_SHEET = "_sheet"    # sheet name; "" for CSV
SOURCE_ROW = "_row"        # 1-based Excel row number as a person sees it (CSV: line number)
ID_STORED_AS_NUMBER = "_id_stored_as_number"  # bool: an ID cell was a number, digits lost (ledger: G1-006)

META_COLUMNS = (SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW, ID_STORED_AS_NUMBER)


def arrow_text(text: pd.Series) -> pa.Array:
    """A text Series' Arrow array, in one chunk (no copy unless pandas holds several)."""
    values = pa.array(text.array)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def text_series(values: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """An Arrow string array as a text Series (no copy of the text)."""
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())), index=index, dtype=TEXT)


def text_from_codes(labels: pa.Array, codes, index: pd.Index) -> pd.Series:
    """A text Series whose row i is labels[codes[i]], built by Arrow's take (no Python objects)."""
    return text_series(labels.take(pa.array(codes)), index)


@dataclass
class LoadReport:
    """What loading did, for the run summary and the 汇总 sheet."""

    role: str                                   # "ledger", a department (民政, 医保 …) or a table (户信息 …)
    title: str = ""                             # how a person calls it: 台账, 医保名单, 户信息表
    files: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)   # "file:sheet" of every sheet read
    rows: int = 0
    dropped: dict[str, int] = field(default_factory=dict)   # reason (空行, 合计行, 签名行 …) → count
    mapped: dict[str, str] = field(default_factory=dict)    # canonical name → header found in the file
    missing: list[str] = field(default_factory=list)        # canonical columns not present
    missing_required: list[str] = field(default_factory=list)   # of those, the ones ledger.md requires (R/M)
    extra: list[str] = field(default_factory=list)          # unknown columns, passed through
    twins: dict[str, str] = field(default_factory=dict)     # canonical name → header of a second column for it (G1-014)
    sha256: dict[str, str] = field(default_factory=dict)    # file path → SHA-256 of its bytes


@dataclass
class LoadedTable:
    frame: pd.DataFrame
    report: LoadReport
