"""Masking of ID numbers and phones in everything a person reads (on unless --no-mask)."""

from __future__ import annotations

import pandas as pd

from ..frame import TEXT

# 610327199001011234 → 610327********1234; 15-digit and 20/22-character forms keep 6 + last 4.
ID_IN_TEXT = r"([0-9]{6})[0-9]{5,12}([0-9]{3}[0-9X])"
MOBILE_IN_TEXT = r"(1[3-9][0-9])[0-9]{4}([0-9]{4})"


def mask_id_number(ids: pd.Series) -> pd.Series:
    text = ids.astype(TEXT).fillna("")
    long_enough = text.str.len() >= 15
    masked = text.str.slice(0, 6) + "********" + text.str.slice(-4)
    return masked.where(long_enough, text)


def mask_phone(phones: pd.Series) -> pd.Series:
    return phones.astype(TEXT).fillna("").str.replace(f"^{MOBILE_IN_TEXT}$", r"\1****\2", regex=True)


def mask_text(text: pd.Series) -> pd.Series:
    """IDs and mobile numbers quoted inside free text (messages)."""
    text = text.astype(TEXT).fillna("")
    text = text.str.replace(ID_IN_TEXT, r"\1********\2", regex=True)
    return text.str.replace(MOBILE_IN_TEXT, r"\1****\2", regex=True)
