"""The contract between normalise and the gates, as a Pandera schema built from schemas/.

A normalised ledger or roster holds its canonical columns as text (pandas' Arrow string dtype, ""
for empty, never missing) and the source columns that say where each row came from, one row per
(file, sheet, row). Anything else is a bug in loading, reported where it starts (exit code 4), not
as strange findings later.
"""

from __future__ import annotations

import pandas as pd

from ..catalog import FieldSpec
from ..frame import ID_STORED_AS_NUMBER, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, TEXT


class ContractBroken(RuntimeError):
    """A normalised table that does not keep the contract: a bug, never the county's input."""


def table_schema(fields: dict[str, FieldSpec], name: str):
    import pandera.pandas as pa   # costs a second to import: only a run needs it

    def is_text(column: pd.Series) -> bool:
        return pd.api.types.is_string_dtype(column.dtype)

    columns = {field: pa.Column(TEXT, nullable=False, required=False) for field in fields}
    columns |= {
        SOURCE_FILE: pa.Column(checks=pa.Check(is_text, name="text"), nullable=False),
        SOURCE_SHEET: pa.Column(checks=pa.Check(is_text, name="text"), nullable=False),
        SOURCE_ROW: pa.Column(int, nullable=False),
        ID_STORED_AS_NUMBER: pa.Column(bool, required=False),
    }
    return pa.DataFrameSchema(columns, unique=[SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW], name=name)


def check_table(frame: pd.DataFrame, fields: dict[str, FieldSpec], name: str) -> None:
    """Raise ContractBroken, naming every broken column, unless the frame keeps the contract."""
    from pandera.errors import SchemaErrors

    try:
        table_schema(fields, name).validate(frame, lazy=True)   # not in place: see gates.engine
    except SchemaErrors as errors:
        cases = errors.failure_cases
        broken = sorted({f"{column}: {check}" for column, check in zip(cases["column"].astype(str), cases["check"].astype(str))})
        raise ContractBroken(f"normalised {name} breaks the contract: {'; '.join(broken)}") from None
