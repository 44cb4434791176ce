"""Normalise cell text, column by column, vectorised.

What a person typed is kept unless it is a known spelling of a canonical value: unknown codes and
unparseable dates stay as typed so that the gates can report them (G1-008, G1-010).
Every column is normalised over its distinct values (a handful of codes, a few thousand towns and
names), never over every row, and with Arrow kernels: the one Python function per distinct value
left is the split of multi-valued codes, which have a few dozen distinct values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import Catalog, CodeList, FieldSpec
from ..frame import TEXT, arrow_text, text_from_codes, text_series
from ..identity import phone_text

# Patterns are written with the characters themselves, not \u escapes: pandas hands them to
# pyarrow's RE2, which does not understand Python's \u syntax and would fall back to a slow path.
INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff]"
FULL_WIDTH = "[\uff01-\uff5e\u3000]"
SPACES = "[ \t\r\n\u00a0\u3000]+"   # not \s: RE2's \s differs from Python's, pandas would fall back
EMPTY_MARKERS = ("-", "/", "—", "——", "--", "－", "\\", "nan", "NaN", "None", "null", "NULL", "#N/A")
MULTI_SEPARATORS = r"[,，、;；/|\s]+"
EXCEL_EPOCH_DAYS = -25569   # Excel's day 0, 1899-12-30, in days since 1970-01-01 (Arrow's date32)
# The date forms real ledgers use, as RE2 patterns with named parts: y, m (and d, else the 1st), or an
# Excel serial number. They are matched after TIME_OF_DAY and all spaces are removed.
DATE_FORMS = (
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\.0+)?$",
    r"^(?P<y>\d{4})(?P<m>\d{2})(?:\.0+)?$",
    r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$",
    r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})月?$",
    r"^(?P<serial>\d{5})(?:\.\d+)?$",
)
# The time a date or datetime cell carries as the readers render it (2021-03-02 00:00:00), or a
# person typed after a date: dropped, the ledger's dates are days.
TIME_OF_DAY = f"(?:{SPACES}|T)" + r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$"


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


def parse_dates(text: pd.Series) -> pd.Series:
    """ISO dates for the forms of DATE_FORMS, with or without a time of day (YYYYMM → first of
    month, Excel serial numbers); a value in none of them, or naming a day that does not exist
    (2022-02-30), is kept as typed for G1-010."""
    typed = arrow_text(text).cast(pa.string())
    values = pc.replace_substring_regex(pc.replace_substring_regex(typed, TIME_OF_DAY, ""), SPACES, "")
    parsed = typed
    for pattern in DATE_FORMS:
        parts = pc.extract_regex(values, pattern)
        if pc.any(pc.is_valid(parts)).as_py():
            iso = _serial_to_iso(parts) if "serial" in pattern else _parts_to_iso(parts)
            parsed = pc.if_else(pc.is_valid(iso), iso, parsed)
    return text_series(parsed, text.index)


def _serial_to_iso(parts: pa.StructArray) -> pa.Array:
    days = pc.cast(pc.add(pc.cast(_part(parts, "serial"), pa.int32()), EXCEL_EPOCH_DAYS), pa.int32())
    return pc.cast(pc.cast(days, pa.date32()), pa.string())


def _parts_to_iso(parts: pa.StructArray) -> pa.Array:
    """y-m-d zero-padded; null where the day does not exist. Arrow's strptime rolls 02-30 over to
    03-02, so a date is valid only if printing it back gives the same text."""
    has_day = any(field.name == "d" for field in parts.type)
    day = _part(parts, "d") if has_day else pc.if_else(pc.is_valid(parts), "1", pa.scalar(None, pa.string()))
    year = _part(parts, "y")
    padded = pc.binary_join_element_wise(year, pc.utf8_lpad(_part(parts, "m"), 2, "0"), pc.utf8_lpad(day, 2, "0"), "-")
    stamp = pc.strptime(padded, format="%Y-%m-%d", unit="s", error_is_null=True)
    real = pc.and_(pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), padded), pc.not_equal(year, "0000"))
    return pc.if_else(real, padded, pa.scalar(None, pa.string()))


def _part(parts: pa.StructArray, name: str) -> pa.Array:
    """One named part of a regex match, null where the value did not match (Arrow gives "")."""
    return pc.if_else(pc.is_valid(parts), parts.field(name), pa.scalar(None, pa.string()))


def on_distinct(column: pd.Series, transform) -> pd.Series:
    """Run a vectorised transform over the distinct values of a column and spread the result back.
    Ledger columns repeat a lot (codes, towns, yes/no), so this does a fraction of the work.
    Encoding and spreading back are Arrow kernels (dictionary_encode, take): pandas' factorize and
    fillna on Arrow strings cost several times more on a 10^5-row sheet."""
    values = arrow_text(column.astype(TEXT))
    values = pc.fill_null(values, "") if values.null_count else values
    encoded = values.dictionary_encode()
    transformed = arrow_text(transform(text_series(encoded.dictionary)))
    if transformed.equals(encoded.dictionary.cast(transformed.type)):
        return text_series(values, column.index)   # nothing to change (names, IDs): no new column
    return text_from_codes(transformed, encoded.indices, column.index)


def normalise_column(column: pd.Series, spec: FieldSpec | None, catalog: Catalog) -> pd.Series:
    """Canonical text for one raw column, by its field type (None: a pass-through column)."""
    return on_distinct(column, lambda distinct: typed_text(clean_text(distinct), spec, catalog))


def normalise_pass_through(columns: list[pd.Series], catalog: Catalog) -> list[pd.Series]:
    """Pass-through (unknown) columns cleaned together, over the distinct values of them all: a
    sheet may carry thousands of extra columns (16 384 in the widest Excel allows), and cleaning
    them one by one costs a fixed few milliseconds each."""
    if not columns:
        return []
    stacked = normalise_column(pd.concat(columns, ignore_index=True), None, catalog)
    values = arrow_text(stacked)
    ends = np.cumsum([len(column) for column in columns])
    return [text_series(values.slice(end - len(column), len(column)), column.index)
            for end, column in zip(ends, columns)]


def typed_text(text: pd.Series, spec: FieldSpec | None, catalog: Catalog) -> pd.Series:
    """The type-specific part of normalisation, on cleaned text."""
    if spec is None:
        return text
    kind = spec.type
    if kind in ("id_number", "phone", "int", "money", "number", "yes_no", "code", "multi_code"):
        text = text.str.replace(SPACES, "", regex=True)
    if kind == "id_number":
        return text.str.upper()
    if kind == "phone":
        return phone_text(text)
    if kind in ("int", "money", "number"):
        return text.str.replace(",", "", regex=False).str.replace(r"元$", "", regex=True) \
            .str.replace(r"^(-?[0-9]+)\.0+$", r"\1", regex=True)
    if kind == "date":
        return parse_dates(text)
    if kind == "yes_no":   # the field's own spellings first (农村低保 ⇒ 是), then 是/否's
        own = catalog.codes.get(spec.codes or "")
        return canonical_code(canonical_code(text, own) if own else text, catalog.yes_no)
    codes = catalog.codes.get(spec.codes or "")
    if kind == "code" and codes:
        return canonical_code(text, codes)
    if kind == "multi_code" and codes:
        return canonical_multi_code(text, codes)
    return text


def invert_yes_no(column: pd.Series) -> pd.Series:
    """住房是否安全=是 means 是否危房户=否."""
    return column.replace({"是": "否", "否": "是"}).astype(TEXT)
