"""Text cells a spreadsheet would run as a formula, made inert the way OWASP advises in "CSV
Injection" (https://owasp.org/www-community/attacks/CSV_Injection): a text cell beginning with =,
+, -, @, a tab or a carriage return is written with a single quote in front.

The workbooks store every value as a string cell, never a formula, so "=1+1" is inert in the xlsx
itself; but 另存为 CSV from Excel, WPS or LibreOffice writes the bare text, and that CSV opened
again runs it. With the quote the CSV holds '=1+1, which stays text. Numbers are written as number
cells and never guarded: only text is.

The quote is ours, not the person's: `unguarded` takes it off when a 整改台账 we wrote is read back
(track/previous.py), so "-已落实" typed by a town comes back as "-已落实" and is written as
"'-已落实" again, quarter after quarter, never gaining a second quote. A quote before anything
else ("'备注") is not ours and is kept as it is, both ways.
"""

from __future__ import annotations

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def guarded(text: str) -> str:
    """`text` as a cell a spreadsheet shows as text."""
    return QUOTE + text if text.startswith(TRIGGERS) else text


def guarded_column(text: pd.Series) -> pd.Series:
    """`guarded` for a column of strings at once."""
    return text.where(~text.str.startswith(TRIGGERS), QUOTE + text)


def unguarded(text: str) -> str:
    """A cell of a workbook we wrote as the text it stood for: our quote before a trigger removed."""
    return text[1:] if text.startswith(QUOTE) and text[1:].startswith(TRIGGERS) else text
