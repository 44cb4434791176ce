"""Normalise cell text, column by column, vectorised.

What a person typed is kept unless it is a known spelling of a canonical value: unknown codes and
unparseable dates stay as typed so that the gates can report them (G1-008, G1-010).
Mappings run over the distinct values of a column (a county has a few hundred distinct dates, a
handful of codes), never over every row.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd

from ..catalog import Catalog, CodeList, FieldSpec
from ..frame import TEXT

# Patterns are written with the characters themselves, not \u escapes: pandas hands them to
# pyarrow's RE2, which does not understand Python's \u syntax and would fall back to a slow path.
INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff]"
FULL_WIDTH = "[\uff01-\uff5e\u3000]"
SPACES = "[ \t\r\n\u00a0\u3000]+"   # not \s: RE2's \s differs from Python's, pandas would fall back
EMPTY_MARKERS = ("-", "/", "—", "——", "--", "－", "\\", "nan", "NaN", "None", "null", "NULL", "#N/A")
MULTI_SEPARATORS = r"[,，、;；/|\s]+"
EXCEL_EPOCH = date(1899, 12, 30)
DATE_PATTERNS = (
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "ymd"),
    (re.compile(r"^(\d{4})(\d{2})(?:\.0+)?$"), "ym"),
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"), "ymd"),
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), "ym"),
    (re.compile(r"^(\d{5})(?:\.\d+)?$"), "serial"),
)


def clean_text(column: pd.Series) -> pd.Series:
    """Every cell: full-width forms → half-width, zero-width characters and edge spaces removed, a
    leading ' (Excel's text marker) dropped, '-', '/' and similar placeholders → ""."""
    text = column.astype(TEXT).fillna("")
    wide = text.str.contains(FULL_WIDTH, regex=True)
    if wide.any():   # NFKC runs in Python per cell: only on the few cells that need it
        text = text.mask(wide, text[wide].str.normalize("NFKC"))
    text = text.str.replace(INVISIBLE, "", regex=True).str.strip().str.removeprefix("'")
    return text.mask(text.isin(EMPTY_MARKERS), "")


def map_distinct(column: pd.Series, function) -> pd.Series:
    """Apply a Python function once per distinct value (not per row) and map the result back."""
    distinct = column.drop_duplicates()
    mapping = dict(zip(distinct.tolist(), (function(v) for v in distinct.tolist())))
    return column.map(mapping).astype(TEXT)


def canonical_code(column: pd.Series, codes: CodeList) -> pd.Series:
    return column.replace(codes.synonyms).astype(TEXT)


def canonical_multi_code(column: pd.Series, codes: CodeList) -> pd.Series:
    """Split on any separator, map synonyms, re-join with 、 in code-list order (unknown codes kept,
    at the end, so G1-008 can name them)."""
    order = {v: i for i, v in enumerate(codes.values)}

    def normalise(value: str) -> str:
        parts = [codes.synonyms.get(p, p) for p in re.split(MULTI_SEPARATORS, value) if p]
        unique = list(dict.fromkeys(parts))
        return "、".join(sorted(unique, key=lambda p: order.get(p, len(order))))

    return map_distinct(column, normalise)


def parse_date_text(value: str) -> str:
    """ISO date for the forms real ledgers use (YYYYMM → first of month, Excel serial numbers);
    anything else is returned unchanged."""
    for pattern, form in DATE_PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        try:
            if form == "serial":
                return (EXCEL_EPOCH + timedelta(days=int(match.group(1)))).isoformat()
            year, month = int(match.group(1)), int(match.group(2))
            day = int(match.group(3)) if form == "ymd" else 1
            return date(year, month, day).isoformat()
        except ValueError:
            return value
    return value


def on_distinct(column: pd.Series, transform) -> pd.Series:
    """Run a vectorised transform over the distinct values of a column and spread the result back.
    Ledger columns repeat a lot (codes, towns, yes/no), so this does a fraction of the work."""
    codes, uniques = pd.factorize(column.fillna(""))
    transformed = transform(pd.Series(uniques, dtype=TEXT))
    return pd.Series(transformed.array.take(codes), index=column.index, dtype=TEXT)


def normalise_column(column: pd.Series, spec: FieldSpec | None, catalog: Catalog) -> pd.Series:
    """Canonical text for one raw column, by its field type (None: a pass-through column)."""
    return on_distinct(column, lambda distinct: typed_text(clean_text(distinct), spec, catalog))


def typed_text(text: pd.Series, spec: FieldSpec | None, catalog: Catalog) -> pd.Series:
    """The type-specific part of normalisation, on cleaned text."""
    if spec is None:
        return text
    kind = spec.type
    if kind in ("id_number", "phone", "int", "money", "date", "yes_no", "code", "multi_code"):
        text = text.str.replace(SPACES, "", regex=True)
    if kind == "id_number":
        return text.str.upper()
    if kind == "phone":
        return text.str.replace(r"\.0+$", "", regex=True)
    if kind in ("int", "money"):
        return text.str.replace(",", "", regex=False).str.replace(r"元$", "", regex=True) \
            .str.replace(r"^(-?[0-9]+)\.0+$", r"\1", regex=True)
    if kind == "date":
        return map_distinct(text, parse_date_text)
    if kind == "yes_no":
        return canonical_code(text, catalog.yes_no)
    codes = catalog.codes.get(spec.codes or "")
    if kind == "code" and codes:
        return canonical_code(text, codes)
    if kind == "multi_code" and codes:
        return canonical_multi_code(text, codes)
    return text


def invert_yes_no(column: pd.Series) -> pd.Series:
    """住房是否安全=是 means 是否危房户=否."""
    return column.replace({"是": "否", "否": "是"}).astype(TEXT)
