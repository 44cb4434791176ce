"""Match a department roster to the ledger, in tiers (rosters.md), as vectorised joins.

1. exact: the normalised 18-character ID (upper-case X, 15-digit IDs upgraded).
2. repaired: the ID fails its checksum on one side, and exactly one record on the other side is
   one substitution or one adjacent transposition away *and* has the same name. Only invalid IDs
   are varied (they are few), so the candidate frame stays small.
3. demographic: no ID match; same name, same birth date (from the ID), same 乡镇 where both files
   have one, and the candidate is unique in both directions.

Tier 1 drives the department rules. Tiers 2 and 3 are never used as matches: they only produce
G3-502 (疑似证件号码错误), naming both records. Names alone never match (common surnames). A
roster row whose ID cell was a number (ID_STORED_AS_NUMBER: the last digits are lost, not
mistyped; the run says so once, gates/column_health.py) is never a suspected pair; where it shows
the digits Excel keeps of a ledger person's ID (15 significant ones) beside the same name, it is
most likely that person (`lost`): neither side is then said to be missing from the other.

Which roster columns hold the ID and the name, and whether a roster lists households by their
户主 (住建: the household's head matches first, then any member), is the department's spec in
schemas/rosters.toml. A roster may carry the ID only inside another number (残联: the first 18
characters of the 残疾人证号): where its ID column is absent or empty, the ID is taken from there. A 民政 row of a household head that stands for the whole household (与户主关系 =
户主, or 保障人数 > 1) covers every member of that household, unless 民政 lists members of it on
rows of their own (the 民政 rules in departments.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..catalog import RosterSpec
from ..frame import ID_STORED_AS_NUMBER, TEXT
from ..identity import id_codes, name_key, normalised_ids, valid_id_codes

TIER_COLUMNS = ("ledger_row", "roster_row", "tier")
# Every one-character substitution of an ID: (position, ASCII code); X only as the check character.
SUBSTITUTIONS = np.array([(position, ord(character)) for position in range(18)
                          for character in "0123456789" + ("X" if position == 17 else "")])


@dataclass
class RosterMatch:
    department: str
    roster: pd.DataFrame       # the roster frame (canonical columns + source columns)
    exact: pd.DataFrame        # ledger_row, roster_row (positions) matched on the ID
    suspected: pd.DataFrame    # ledger_row, roster_row, tier (2 or 3): possible ID errors
    lost: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"ledger_row": [], "roster_row": []}, dtype="int64"))
    # ledger_row, roster_row: a roster ID cell stored as a number, whose kept digits and name are the person's

    def roster_values(self, column: str, rows: pd.Index, preferred: pd.Series | None = None) -> pd.Series:
        """For each ledger row, the roster's value of `column` on its exact match ("" if none).
        When a person has several roster rows, the first of those `preferred` marks (a roster-row
        mask: the 正常参保 row of a person who changed 险种, the 在读 row of a pupil who changed
        school), else the first."""
        exact = self.exact
        if preferred is not None:
            later = ~preferred.to_numpy(dtype=bool)[exact["roster_row"].to_numpy()]
            exact = exact.assign(later=later).sort_values("later", kind="stable")
        first = exact.drop_duplicates("ledger_row")
        values = pd.Series(self.roster[column].to_numpy()[first["roster_row"].to_numpy()],
                           index=first["ledger_row"].to_numpy(), dtype=TEXT) if column in self.roster else pd.Series(dtype=TEXT)
        return values.reindex(rows).fillna("").astype(TEXT)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A key column, or all "" when absent (a ledger may lack 姓名 or 证件号码, never both)."""
    return frame[name] if name in frame else pd.Series("", index=frame.index, dtype=TEXT)


def _side(frame: pd.DataFrame, id_column: str, name_column: str) -> pd.DataFrame:
    id18, valid = normalised_ids(_column(frame, id_column))
    return pd.DataFrame({"row": np.arange(len(frame)), "id": id18.to_numpy(), "valid": np.asarray(valid, dtype=bool),
                         "name": name_key(_column(frame, name_column)).to_numpy(),
                         "town": frame["乡镇"].astype(TEXT).fillna("").to_numpy() if "乡镇" in frame else ""})


def variants(ids: pd.DataFrame) -> pd.DataFrame:
    """All IDs one substitution or one adjacent transposition away from each (invalid, 18-character)
    ID that pass the checksum: columns row, variant. Built as one (edits, IDs, 18) array of
    character codes, every edit of every ID at once."""
    codes = id_codes(ids["id"])
    edits = np.repeat(codes[np.newaxis], len(SUBSTITUTIONS) + 17, axis=0)
    positions, characters = SUBSTITUTIONS[:, 0], SUBSTITUTIONS[:, 1].astype(np.uint8)
    edits[np.arange(len(SUBSTITUTIONS)), :, positions] = characters[:, np.newaxis]
    swaps, left = len(SUBSTITUTIONS) + np.arange(17), np.arange(17)
    edits[swaps, :, left] = codes[:, left + 1].T
    edits[swaps, :, left + 1] = codes[:, left].T
    flat = edits.reshape(-1, 18)
    keep = (edits != codes).any(axis=2).ravel() & valid_id_codes(flat)
    found = np.ascontiguousarray(flat[keep]).view("S18").ravel().astype("U18")
    rows = np.tile(ids["row"].to_numpy(), len(edits))[keep]
    return pd.DataFrame({"row": rows, "variant": pd.Series(found, dtype=TEXT)}).drop_duplicates()


def _repaired(broken: pd.DataFrame, others: pd.DataFrame) -> pd.DataFrame:
    """Tier 2 from one side: broken rows' variants that meet exactly one same-name record."""
    broken = broken[(broken["id"].str.len() == 18) & ~broken["valid"]]
    if broken.empty:
        return pd.DataFrame(columns=["row", "other"])
    candidates = variants(broken).merge(broken[["row", "name"]], on="row")
    hits = candidates.merge(others[others["valid"]][["row", "id", "name"]].rename(columns={"row": "other", "id": "variant"}),
                            on=["variant", "name"])
    unique = hits.groupby("row")["other"].transform("nunique") == 1
    return hits[unique][["row", "other"]].drop_duplicates()


def _demographic(ledger: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Tier 3: same name and birth date (from the ID), same 乡镇 where both have one, unique both ways."""
    left = ledger[ledger["id"].str.len() == 18].assign(born=lambda f: f["id"].str.slice(6, 14))
    right = roster[roster["id"].str.len() == 18].assign(born=lambda f: f["id"].str.slice(6, 14))
    pairs = left.merge(right, on=["name", "born"], suffixes=("_l", "_r"))
    pairs = pairs[(pairs["name"] != "") & ((pairs["town_l"] == "") | (pairs["town_r"] == "") | (pairs["town_l"] == pairs["town_r"]))]
    unique = (pairs.groupby("row_l")["row_r"].transform("nunique") == 1) & (pairs.groupby("row_r")["row_l"].transform("nunique") == 1)
    return pairs[unique][["row_l", "row_r"]].rename(columns={"row_l": "ledger_row", "row_r": "roster_row"})


def with_ids_from(roster: pd.DataFrame, id_column: str, id_from: str) -> pd.DataFrame:
    """The roster with its ID column filled, where absent or empty, from the first 18 characters
    of `id_from` (no change without such a column)."""
    if not id_from or id_from not in roster:
        return roster
    ids = _column(roster, id_column).astype(TEXT).fillna("")
    return roster.assign(**{id_column: ids.where(ids != "", roster[id_from].astype(TEXT).fillna("").str.slice(0, 18))})


def match_roster(department: str, ledger: pd.DataFrame, roster: pd.DataFrame, id_column: str,
                 name_column: str, heads_first: bool = False, left: pd.DataFrame | None = None,
                 id_from: str = "") -> RosterMatch:
    """`left` is the ledger side already normalised (shared by the rosters of one run); `id_from`
    the column holding the ID in its first 18 characters where `id_column` is empty."""
    left = _side(ledger, "证件号码", "姓名") if left is None else left
    roster = with_ids_from(roster, id_column, id_from)
    right = _side(roster, id_column, name_column)
    exact = left[left["id"] != ""].merge(right[right["id"] != ""], on="id", suffixes=("_l", "_r"))
    exact = exact.rename(columns={"row_l": "ledger_row", "row_r": "roster_row"})[["ledger_row", "roster_row"]]
    if heads_first:   # one row per house (住建): the 户主 of the ledger household answers for it
        exact = _prefer_heads(exact, ledger)
    matched_ledger, matched_roster = exact["ledger_row"].unique(), exact["roster_row"].unique()
    number_cell = roster[ID_STORED_AS_NUMBER].to_numpy(dtype=bool) if ID_STORED_AS_NUMBER in roster else np.zeros(len(roster), bool)
    lost = _lost_digits(left, right[number_cell & ~right["row"].isin(matched_roster).to_numpy()])
    right = right[~number_cell]   # digits lost to a number cell: no ID to suspect of a typo
    repaired = pd.concat([
        _repaired(left, right).rename(columns={"row": "ledger_row", "other": "roster_row"}),
        _repaired(right, left).rename(columns={"row": "roster_row", "other": "ledger_row"}),
    ], ignore_index=True).assign(tier=2)
    unmatched_left = left[~left["row"].isin(matched_ledger) & ~left["row"].isin(repaired["ledger_row"])]
    unmatched_right = right[~right["row"].isin(matched_roster) & ~right["row"].isin(repaired["roster_row"])]
    demographic = _demographic(unmatched_left, unmatched_right).assign(tier=3)
    suspected = pd.concat([repaired, demographic], ignore_index=True)[list(TIER_COLUMNS)].astype("int64")
    return RosterMatch(department, roster.reset_index(drop=True), exact.astype("int64"), suspected, lost.astype("int64"))


def _lost_digits(ledger: pd.DataFrame, numbers: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows with the same name as a number-cell roster row whose ID (as the loader shows it,
    15 significant digits: 610327198105239000) is within 1 000 of theirs: the number cell kept the
    ID's first 15 digits, rounded down or up (Excel and LibreOffice's .xlsx/.xls round the double,
    LibreOffice's .ods the decimal: 610327194803071477 was seen as 610327194803072000). An
    all-digit 18-digit ID fits int64."""
    # ASCII digits only: str.isdigit() also takes ² or ١, which no number parses
    ledger = ledger[ledger["id"].str.fullmatch("[0-9]{18}").fillna(False).to_numpy(dtype=bool)]
    if ledger.empty or numbers.empty:
        return pd.DataFrame({"ledger_row": [], "roster_row": []}, dtype="int64")
    below = pd.to_numeric(ledger["id"]).to_numpy(dtype=np.int64) // 1000 * 1000
    roster = numbers.rename(columns={"row": "roster_row"})[["roster_row", "id", "name"]]
    pairs = pd.concat([
        pd.DataFrame({"ledger_row": ledger["row"].to_numpy(), "name": ledger["name"].to_numpy(),
                      "id": pd.Series(below + step).astype(str).to_numpy()}).merge(roster, on=["id", "name"])
        for step in (0, 1000)], ignore_index=True)
    return pairs[pairs["name"] != ""][["ledger_row", "roster_row"]].drop_duplicates()


def _prefer_heads(exact: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Keep, for each roster row, the match on a 户主 row when there is one."""
    is_head = (ledger["与户主关系"].to_numpy() == "户主") if "与户主关系" in ledger else np.zeros(len(ledger), bool)
    ranked = exact.assign(head=~is_head[exact["ledger_row"].to_numpy()]).sort_values(["roster_row", "head"])
    return ranked.drop_duplicates("roster_row")[["ledger_row", "roster_row"]]


def match_rosters(ledger: pd.DataFrame, rosters: dict[str, pd.DataFrame], specs: dict[str, RosterSpec]) -> dict[str, RosterMatch]:
    """Tiered matches of every roster given, computed once per run, on the ID and name columns
    its spec names."""
    left = _side(ledger, "证件号码", "姓名") if rosters else None
    return {department: match_roster(department, ledger, roster, specs[department].id_column, specs[department].name_column,
                                     heads_first=specs[department].match_via_head, left=left,
                                     id_from=specs[department].id_from)
            for department, roster in rosters.items()}
