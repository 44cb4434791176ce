"""Find the header row(s) below any title rows and map header texts to canonical field names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from ..catalog import FieldSpec

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
UNIT_SUFFIX = re.compile(r"\((元|万元|人|个|月|岁)\)$")


def header_key(text: str) -> str:
    """The form header texts are compared in: full-width → half-width (NFKC), no spaces of any
    kind, no trailing unit like (元)."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text)))
    return UNIT_SUFFIX.sub("", text)


@dataclass(frozen=True)
class ColumnMatch:
    canonical: str
    inverted: bool = False      # 住房是否安全 → 是否危房户 with yes/no swapped
    folded_code: str = ""       # a 帮扶措施 category column: non-empty cell means this code applies


def alias_index(fields: dict[str, FieldSpec], fold_codes: dict[str, dict[str, str]]) -> dict[str, ColumnMatch]:
    """header key → what the column is. `fold_codes` maps a multi-code field to the headers that may
    appear as one column per code, each with its code (帮扶措施: 产业帮扶, 公益性岗位 → 公益岗位帮扶 …)."""
    index: dict[str, ColumnMatch] = {}
    for field_name, codes in fold_codes.items():
        for header, code in codes.items():
            index[header_key(header)] = ColumnMatch(field_name, folded_code=code)
    for spec in fields.values():
        for alias in spec.inverted_aliases:
            index[header_key(alias)] = ColumnMatch(spec.name, inverted=True)
        for alias in (spec.name, *spec.aliases):
            index[header_key(alias)] = ColumnMatch(spec.name)
    return index


@dataclass(frozen=True)
class HeaderLayout:
    rows: tuple[int, ...]          # Excel row numbers forming the header (one or two)
    names: dict[int, str]          # column position → flattened header text (leaf wins)
    matches: int


def find_header(cells: pd.DataFrame, index: dict[str, ColumnMatch]) -> HeaderLayout | None:
    """The header is the row (among the first 30) with the most known field names; a row directly
    above or below that names fields in columns the best row leaves empty or groups (merged
    two-level header, e.g. 家庭收入情况 over 工资性收入 …) belongs to it."""
    top = cells.head(HEADER_SCAN_ROWS).fillna("")
    texts = pd.Series(top.to_numpy(dtype=object).ravel())   # all cells at once: a sheet may have 16 384 columns
    distinct = texts.drop_duplicates()
    known_texts = [text for text in distinct if text and header_key(text) in index]
    known = pd.DataFrame(texts.isin(known_texts).to_numpy().reshape(top.shape), index=top.index, columns=top.columns)
    scores = known.sum(axis=1)
    if scores.empty or scores.max() < MIN_HEADER_MATCHES:
        return None
    best = int(scores.idxmax())
    rows = [best]
    below, above = best + 1, best - 1
    if below in known.index and (known.loc[below] & ~known.loc[best]).sum() >= 1:
        rows.append(below)
    elif above in known.index and (known.loc[above] & (top.loc[best] == "")).sum() >= 1:
        rows.insert(0, above)
    block = top.loc[rows]
    names = {}
    for position, cells_of_column in zip(top.columns, block.to_numpy(dtype=object).T):
        filled = [t for t in cells_of_column if t.strip()]
        if filled:
            names[position] = filled[-1].strip()   # the lowest non-empty header cell: the leaf wins
    return HeaderLayout(tuple(rows), names, int(known.loc[rows].any(axis=0).sum()))
