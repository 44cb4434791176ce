"""What people read: ID and mobile numbers masked, in one place, at the report boundary.

The audit keeps findings, messages and the 整改台账 whole; `redacted(result)` is what every writer
lays out (the workbook with its 整改台账, HTML, findings.json, JUnit, the lines of `audit check`)
unless --no-mask (`[run] mask = false`):

- the 证件号码 column: first 6 and last 4 characters kept (identity.mask_id_number);
- messages and 问题描述: ID- and mobile-shaped numbers (identity.mask_text), and a finding's own
  ID in whatever form it was recorded (letters inside, which the patterns miss);
- a 户编号 of the findings or of the 整改台账 is never masked, in its column or in a text (a
  16-digit 户编号 looks like an ID);
- two different IDs in one text that read the same once masked (G3-502: the ledger's and a
  roster's number for one person) are followed by the positions where they differ;
- in the 整改台账 only 问题描述 is touched: never the columns people fill in, nor columns they added.

Masking masked text changes nothing, so last quarter's 整改台账 read back comes out as it was.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..frame import TEXT
from ..identity import ID_IN_TEXT, ID_MASKED, MOBILE_IN_TEXT, MOBILE_MASKED, mask_id_number, mask_text
from ..result import AuditResult

LONG_NUMBER = "[0-9]{11,}X?"      # the only numbers either pattern can mask (a mobile has 11 digits)
_LONG_NUMBER, _ID, _MOBILE = re.compile(LONG_NUMBER), re.compile(ID_IN_TEXT), re.compile(MOBILE_IN_TEXT)


def redacted(result: AuditResult) -> AuditResult:
    """The result as people read it: findings and 整改台账 masked, everything else as it is."""
    findings = result.findings
    kept = set(findings["household_id"])
    if result.rectification is not None:
        kept |= set(result.rectification["户编号"])
    kept.discard("")
    shown = findings.assign(id_number=mask_id_number(findings["id_number"]),
                            message=redact_text(findings["message"], kept, findings["id_number"]))
    rectification = result.rectification
    if rectification is not None:
        own = findings.drop_duplicates("problem_id").set_index("problem_id")["id_number"]
        rectification = rectification.assign(问题描述=redact_text(
            rectification["问题描述"], kept, rectification["问题编号"].map(own).fillna("")))
    return replace(result, findings=shown, rectification=rectification)


def redact_text(text: pd.Series, kept: set[str], own_ids: pd.Series) -> pd.Series:
    """Mask IDs and mobiles in texts; `kept` numbers (the 户编号s) stay whole; `own_ids` is each
    text's own recorded ID. Both patterns match only inside a LONG_NUMBER, so a text whose one long
    number is kept stays as it is; texts with two or more (a 户编号 and an ID, two IDs), or with an
    own ID the patterns miss, are done one by one; every other text is masked vectorised."""
    text = text.astype(TEXT).fillna("")
    own = own_ids.astype(TEXT).fillna("").set_axis(text.index)
    odd = (own != mask_id_number(own)) & ~own.str.fullmatch(ID_IN_TEXT)   # an ID the patterns miss
    count = text.str.count(LONG_NUMBER)
    first = pa.array(text.str.extract(f"({LONG_NUMBER})", expand=False).fillna(""), pa.string())
    only_kept = (count == 1).to_numpy() & pc.is_in(first, value_set=pa.array(sorted(kept), pa.string())) \
        .to_numpy(zero_copy_only=False)
    shown = mask_text(text).where(~only_kept, text)
    careful = ((count > 1) | odd).to_numpy()
    if careful.any():
        shown[careful] = [_redact_one(t, kept, o, m) for t, o, m in
                          zip(text[careful], own[careful], mask_id_number(own[careful]).where(odd[careful], own[careful]))]
    return shown


def _redact_one(text: str, kept: set[str], own: str, own_masked: str) -> str:
    """One text with its exceptions, masking each long number as mask_text would (`own_masked`
    differs from `own` only for an ID the patterns miss)."""
    if own != own_masked:
        text = text.replace(own, own_masked)
    first_shown_as: dict[str, str] = {}

    def masked(number: re.Match) -> str:
        raw = number.group()
        if raw in kept:
            return raw
        shown = _MOBILE.sub(MOBILE_MASKED, _ID.sub(ID_MASKED, raw))
        first = first_shown_as.setdefault(shown, raw)
        if first == raw or shown == raw:
            return shown
        if len(first) != len(raw):
            return f"{shown}（{len(raw)} 位，与前面显示相同的号码位数不同）"
        differ = "、".join(str(i + 1) for i, (a, b) in enumerate(zip(first, raw)) if a != b)
        return f"{shown}（与前面显示相同的号码第 {differ} 位不同）"

    return _LONG_NUMBER.sub(masked, text)
