"""Message helpers for rules: text that names the flagged cells of a row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frame import TEXT


def listed(parts: dict[str, tuple[pd.Series, pd.Series | None]], index: pd.Index) -> pd.Series:
    """One text per row naming the flagged cells: 字段「值」、字段「值」 (or just 字段 where no value
    is given). "" where nothing is flagged. Text is built only for the flagged rows, which are few."""
    masks = {label: pd.Series(mask, index=index).fillna(False).astype(bool) for label, (mask, _) in parts.items()}
    flagged = np.logical_or.reduce([m.to_numpy() for m in masks.values()]) if masks else np.zeros(len(index), bool)
    rows = index[flagged]
    text = pd.Series("", index=rows, dtype=TEXT)
    for label, (_, value) in parts.items():
        shown = label if value is None else label + "「" + value[flagged].astype(TEXT) + "」"
        text = text + pd.Series(np.where(masks[label][flagged], shown + "、", ""), index=rows, dtype=TEXT)
    return text.str.rstrip("、").reindex(index, fill_value="").astype(TEXT)
