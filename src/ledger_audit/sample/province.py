"""A synthetic province: sample counties under real Shaanxi county names and region codes, one
ledger file per county (台账_<县>.xlsx), and province-wide rosters as CSV: 民政 with a 县 column,
教体 and 住建 with their 乡镇 column, 医保 with IDs only, as province offices receive them; and the
national system's four other tables for the whole province (<表名>_全省.csv, with its 县 column
under the national header 县(市、区、旗)).

Each county is the sample county (sample/county.py) moved to its own region code, with 乡镇 names
of its own and a sprinkling of people registered in two counties (for G3-001 across counties).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from stdnum import numdb

from ..frame import TEXT
from ..gates.facts import check_characters
from .county import REGION_CODES, County, generate_county
from .plant import plant_all
from .tables import in_national_headers
from .write import write_csv, write_ledger_file

ROSTER_IDS = {"民政": "证件号码", "医保": "证件号码", "住建": "户主证件号码", "教体": "证件号码", "人社": "证件号码", "残联": "证件号码"}
ROSTER_SPLIT = {"民政": "县", "医保": None, "住建": "乡镇", "教体": "乡镇", "人社": "乡镇", "残联": "乡镇"}   # the column a province roster keeps
TWO_COUNTY_PEOPLE = 3   # per county: people also in the next county's ledger


def shaanxi_counties() -> list[tuple[str, str]]:
    """(region code, name) of Shaanxi's counties and districts, from python-stdnum's GB/T 2260 data."""
    database, seen, counties = numdb.get("cn/loc"), set(), []
    for code in range(610100, 611000):
        info = database.info(str(code))
        county = info[1][1].get("county", "") if len(info) == 2 else ""
        name = re.sub(r"^\[[^\]]*\]", "", county)
        if name.endswith(("县", "区")) and name != "市辖区" and name not in seen:
            seen.add(name)
            counties.append((str(code), name))
    return counties


def generate_province(counties: int, households: int, seed: int, as_of: date,
                      with_defects: bool = True) -> dict[str, County]:
    """`counties` counties of `households` households each, keyed by county name."""
    places = shaanxi_counties()[:counties]
    result = {}
    for number, (code, name) in enumerate(places):
        base = generate_county(households, seed + number, as_of)
        county = _moved(base, code, name)
        if with_defects:
            # Planters change rosters and tables alike: they get both in one dict, by name.
            ledger, inputs, _ = plant_all(county.ledger, {**county.rosters, **county.tables}, seed + number, as_of)
            county = County(ledger, {k: v for k, v in inputs.items() if k in county.rosters},
                            {k: v for k, v in inputs.items() if k in county.tables})
        result[name] = county
    return _shared_people(result)


def _moved(county: County, code: str, name: str) -> County:
    """The sample county under another region code, county name and 乡镇 names."""
    ledger = county.ledger.copy()
    old_ids = ledger["证件号码"]
    new_ids = _region_ids(old_ids, code)
    mapping = dict(zip(old_ids, new_ids))
    ledger["证件号码"] = new_ids
    ledger["县"] = name
    ledger["户编号"] = code + ledger["户编号"].str.slice(len(REGION_CODES[0]))
    town = name[:2] + ledger["乡镇"]
    ledger["乡镇"] = town
    rosters = {}
    for department, roster in county.rosters.items():
        roster = roster.copy()
        column = ROSTER_IDS[department]
        roster[column] = roster[column].map(mapping).fillna(_region_ids(roster[column], code)).astype(TEXT)
        if "残疾人证号" in roster:   # the certificate number begins with the holder's ID
            roster["残疾人证号"] = roster[column] + roster["残疾人证号"].str.slice(18)
        if "乡镇" in roster:
            roster["乡镇"] = name[:2] + roster["乡镇"]
        rosters[department] = roster
    tables = {}
    for table_name, table in county.tables.items():
        table = table.copy()
        if "证件号码" in table:
            table["证件号码"] = table["证件号码"].map(mapping).fillna(_region_ids(table["证件号码"], code)).astype(TEXT)
        if "户编号" in table:
            table["户编号"] = code + table["户编号"].str.slice(len(REGION_CODES[0]))
        if "乡镇" in table:
            table["乡镇"] = name[:2] + table["乡镇"]
        if "县" in table:
            table["县"] = name
        tables[table_name] = table.astype(TEXT)
    return County(ledger.astype(TEXT), rosters, tables)


def _region_ids(ids: pd.Series, code: str) -> pd.Series:
    """IDs moved to region `code` with a fresh check character; two that would meet get the next
    sequence number (as sample/county.py does)."""
    ids = ids.astype(TEXT)
    body, sequence = code + ids.str.slice(6, 14), np.array(ids.str.slice(14, 17).astype(int))
    moved = body + pd.Series(sequence).map("{:03d}".format).astype(TEXT).to_numpy()
    clash = moved.duplicated()
    while clash.any():
        sequence[clash.to_numpy()] = (sequence[clash.to_numpy()] + 2) % 1000
        moved = body + pd.Series(sequence, index=ids.index).map("{:03d}".format).astype(TEXT)
        clash = moved.duplicated()
    return (moved + check_characters(moved)).astype(TEXT)


def _shared_people(counties: dict[str, County]) -> dict[str, County]:
    """Copy a few people of each county into the next county's ledger (as a new household), as
    happens when someone moves and the old county does not remove them."""
    names = list(counties)
    if len(names) < 2:
        return counties
    moved = {}
    for number, name in enumerate(names):
        source = counties[names[number - 1]].ledger
        copies = source[source["与户主关系"] == "户主"].head(TWO_COUNTY_PEOPLE).copy()
        target = counties[name].ledger
        copies[["县", "乡镇", "行政村"]] = target[["县", "乡镇", "行政村"]].iloc[0].to_numpy()
        copies["户编号"] = target["户编号"].iloc[0][:-7] + pd.Series(range(9_000_000, 9_000_000 + len(copies)),
                                                                  index=copies.index).astype(str)
        moved[name] = County(pd.concat([target, copies], ignore_index=True).astype(TEXT), counties[name].rosters,
                             counties[name].tables)
    return moved


def write_province(counties: dict[str, County], out: Path, as_of: date) -> dict[str, object]:
    """台账_<县>.xlsx per county in out/台账/, out/<部门>_全省名单.csv and out/<表名>_全省.csv;
    returns the paths (keys: "ledgers", the departments, the tables)."""
    folder = out / "台账"
    folder.mkdir(parents=True, exist_ok=True)
    for name, county in counties.items():
        write_ledger_file(county.ledger, folder / f"台账_{name}.xlsx",
                          [f"{name}防止返贫监测对象信息表", f"填报单位：{name}乡村振兴局            数据截止：{as_of.isoformat()}"])
    rosters = {}
    for department in ROSTER_IDS:
        parts = [county.rosters[department].assign(县=name) for name, county in counties.items()]
        frame = pd.concat(parts, ignore_index=True)
        keep = ROSTER_SPLIT[department]
        frame = frame.drop(columns=[c for c in ("县", "乡镇") if c in frame and c != keep])
        rosters[department] = out / f"{department}_全省名单.csv"
        write_csv(frame, rosters[department])
    tables = {}
    for table_name in next(iter(counties.values())).tables if counties else ():
        frame = pd.concat([county.tables[table_name] for county in counties.values()], ignore_index=True)
        tables[table_name] = out / f"{table_name}_全省.csv"
        write_csv(in_national_headers(table_name, frame), tables[table_name])
    return {"ledgers": folder, **rosters, **tables}
