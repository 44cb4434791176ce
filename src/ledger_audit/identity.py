"""Domain primitives every stage shares: ID numbers, names, phones and their masking.

The bottom floor of the package: it imports only `frame`, so read, normalise, the gates, the
cross-checks, the sample generator and the reports all use one definition of a valid ID, a name
key or a masked phone. Everything works on whole Series (vectorised).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from stdnum import numdb

from .frame import TEXT, arrow_text, text_from_codes

# GB 11643-1999 / ISO 7064 MOD 11-2: weights of the 17 digits and the check character per remainder.
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK_CHARS = pa.array(list("10X98765432") + [""])   # by remainder; the last: not 17 digits
ID_CHECK_CODES = np.frombuffer(b"10X98765432", dtype=np.uint8)   # the same, as ASCII codes
ID_PATTERN = "[0-9]{17}[0-9X]"   # [0-9], not \d: keeps pandas on pyarrow's RE2
MOBILE = "1[3-9][0-9]{9}"
LANDLINE = r"(\(?0[0-9]{2,3}\)?-?)[0-9]{7,8}(-[0-9]{1,6})?"
# 610327199001011234 → 610327********1234; 15-digit and 20/22-character forms keep 6 + last 4.
ID_IN_TEXT = r"([0-9]{6})[0-9]{5,12}([0-9]{3}[0-9X])"
MOBILE_IN_TEXT = r"(1[3-9][0-9])[0-9]{4}([0-9]{4})"
ID_MASKED, MOBILE_MASKED = r"\1********\2", r"\1****\2"   # what the two patterns above become


def check_characters(first17: pd.Series) -> pd.Series:
    """The check character for each 17-digit string (vectorised ISO 7064 MOD 11-2).

    python-stdnum's cn.ric is the reference implementation; it works on one string at a time, so this
    numpy version runs on whole columns and tests/test_facts.py checks that both always agree.
    Rows that are not 17 digits get "".
    """
    valid = first17.str.fullmatch("[0-9]{17}").fillna(False).to_numpy(dtype=bool)
    remainder = np.full(len(first17), len(ID_CHECK_CHARS) - 1, dtype=np.int64)
    remainder[valid] = (_digit_matrix(first17[valid]) @ ID_WEIGHTS) % 11
    return text_from_codes(ID_CHECK_CHARS, remainder, first17.index)


def _digit_matrix(digits: pd.Series) -> np.ndarray:
    """Strings of 17 ASCII digits as an (n, 17) integer matrix, read straight from the Arrow data
    buffer, where the strings lie back to back (a Python list of 10^6 strings costs ~0.4 s)."""
    values = arrow_text(digits).cast(pa.large_string())
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)[values.offset:values.offset + len(values) + 1]
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]] if len(values) else np.array([], np.uint8)
    return (data.astype(np.int64) - ord("0")).reshape(-1, 17)


def id_codes(id18: pd.Series) -> np.ndarray:
    """18-character IDs as an (n, 18) matrix of ASCII codes; a character outside ASCII becomes
    0xFF (it can be no digit, so an ID holding one is invalid whatever it is)."""
    points = np.array(id18.tolist(), dtype="U18").view(np.uint32).reshape(-1, 18)
    return np.where(points < 128, points, 0xFF).astype(np.uint8)


def valid_id_codes(codes: np.ndarray) -> np.ndarray:
    """For an (n, 18) matrix of ASCII codes, whether each row is a valid ID: `normalised_ids`'s
    test (17 digits, then the right check character) on codes, for the many candidate IDs of
    crosscheck/matching.py's repairs."""
    digits = codes[:, :17].astype(np.int64) - ord("0")
    well_formed = ((digits >= 0) & (digits <= 9)).all(axis=1)
    return well_formed & (codes[:, 17] == ID_CHECK_CODES[(digits @ ID_WEIGHTS) % 11])


def upgrade_to_18(id_text: pd.Series) -> pd.Series:
    """18-character form of an ID: 15-digit (pre-1999) IDs get "19" inserted and their check
    character; 残疾人证 numbers (20 or 22 characters) keep their first 18; others unchanged."""
    ids = id_text.str.upper()
    length = ids.str.len()
    # The two forms are rare: rebuild only their rows.
    short = ids[length == 15]
    short = short[short.str.fullmatch("[0-9]{15}").fillna(False)]
    long = ids[length.isin([20, 22])]
    long = long[long.str[:18].str.fullmatch(ID_PATTERN).fillna(False)]
    if short.empty and long.empty:
        return ids
    first17 = short.str[:6] + "19" + short.str[6:]
    upgraded = pd.concat([first17 + check_characters(first17), long.str[:18]])
    return ids.mask(ids.index.isin(upgraded.index), upgraded.reindex(ids.index))


def well_formed_ids(id18: pd.Series) -> pd.Series:
    """Whether each (18-character) ID is 17 digits and a digit or X."""
    return id18.str.fullmatch(ID_PATTERN).fillna(False).astype(bool)


def normalised_ids(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(18-character ID, whether it is a valid ID) for a column of ID text."""
    id18 = upgrade_to_18(ids.astype(TEXT).fillna("").str.strip())
    valid = well_formed_ids(id18) & (check_characters(id18.str[:17]) == id18.str[17]).fillna(False)
    return id18, valid


def valid_region_codes(prefixes: pd.Series) -> pd.Series:
    """Whether each 6-digit prefix is a GB/T 2260 county code, current or historical (python-stdnum's
    database). Looked up once per distinct prefix: a county has a handful, a province a few hundred."""
    database = numdb.get("cn/loc")
    known = {p: any("county" in props for _, props in database.info(p)) for p in prefixes.dropna().unique()}
    return prefixes.map(known).fillna(False).astype(bool)


def name_key(names: pd.Series) -> pd.Series:
    """Names compared without spaces and full-width forms. NFKC runs in Python per cell, so only
    on names with a character outside ASCII and the CJK ideographs (which NFKC leaves alone)."""
    names = names.astype(TEXT).fillna("")
    unusual = names.str.contains("[^\x00-\x7f一-鿿]", regex=True)
    if unusual.any():
        names = names.mask(unusual, names[unusual].str.normalize("NFKC"))
    return names.str.replace(" ", "", regex=False)


def phone_text(phones: pd.Series) -> pd.Series:
    """A phone cell as digits: a number cell's trailing .0 (13812345678.0) dropped."""
    return phones.str.replace(r"\.0+$", "", regex=True)


def phone_malformed(phones: pd.Series) -> pd.Series:
    """A non-empty phone that is neither a mobile number nor a landline with its area code."""
    return (phones != "") & ~phones.str.fullmatch(MOBILE) & ~phones.str.fullmatch(LANDLINE)


def mask_id_number(ids: pd.Series) -> pd.Series:
    """First 6 and last 4 characters of an ID kept, the birth date hidden."""
    text = ids.astype(TEXT).fillna("")
    long_enough = text.str.len() >= 15
    masked = text.str.slice(0, 6) + "********" + text.str.slice(-4)
    return masked.where(long_enough, text)


def mask_text(text: pd.Series) -> pd.Series:
    """IDs and mobile numbers quoted inside free text (messages)."""
    text = text.astype(TEXT).fillna("")
    text = text.str.replace(ID_IN_TEXT, ID_MASKED, regex=True)
    return text.str.replace(MOBILE_IN_TEXT, MOBILE_MASKED, regex=True)
