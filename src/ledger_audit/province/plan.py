"""Which files make which county, and each county's share of province-wide rosters.

A province sends many ledgers, or a folder of them: one file or more per county. A file named
like 台账_麟游县.xlsx names its county; any other file is read once here and split by its 县 column
(a file without one is a county of its own, named by the file). Rosters may be province-wide:
each county gets the rows of its own county, by the roster's 县 column, else by its 乡镇 column,
else by ID (an index of the roster's normalised IDs is built once, then looked up per county).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..errors import AuditInputError
from ..frame import SOURCE_FILE, LoadedTable, LoadReport
from ..identity import normalised_ids
from ..normalise.tables import load_ledger
from ..track.previous import counties_in, previous_files

LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
# The last name in a file name that ends like a county: 县, 区, 市, 旗 (台账_麟游县_2022Q2.xlsx).
COUNTY_IN_NAME = re.compile(r"[一-鿿]{1,12}?(?:自治县|县|区|市|旗)")
COUNTY_COLUMNS = ("县", "县区", "区县", "县(市、区)")
NOT_COUNTY_WORDS = ("台账", "名单", "监测", "防止返贫")


@dataclass(frozen=True)
class CountyInput:
    """One county's ledger files; rows of `split_files` are kept only where 县 is this county."""

    county: str
    files: tuple[Path, ...]
    split_files: frozenset[str] = frozenset()   # file names holding several counties

    def load(self, catalog: Catalog) -> LoadedTable:
        table = load_ledger(list(self.files), catalog)
        if not self.split_files:
            return table
        frame = table.frame
        keep = ~frame[SOURCE_FILE].isin(self.split_files) | (frame["县"] == self.county)
        return LoadedTable(frame[keep.to_numpy()].reset_index(drop=True), _report(table.report, int(keep.sum())))


def _report(report: LoadReport, rows: int) -> LoadReport:
    return LoadReport(**{**report.__dict__, "rows": rows})


def ledger_files(paths: list[Path]) -> list[Path]:
    """The files given, with each folder replaced by the ledgers it holds (sorted, hidden and
    Excel lock files ~$… left out)."""
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in LEDGER_SUFFIXES
                           and not p.name.startswith((".", "~$")))
            if not found:
                raise AuditInputError("文件夹中没有台账文件（.xlsx/.xls/.ods/.csv）。", file=str(path),
                                      hint="把各县台账放在该文件夹中，或直接列出文件。")
            files.extend(found)
        else:
            files.append(path)
    return files


def county_in_name(path: Path) -> str | None:
    """The county a file name names (the last one), or None."""
    names = [n for n in COUNTY_IN_NAME.findall(path.stem) if not any(w in n for w in NOT_COUNTY_WORDS)]
    return names[-1] if names else None


def plan_counties(paths: list[Path], catalog: Catalog) -> list[CountyInput]:
    """Counties in name order, each with its files."""
    files: dict[str, list[Path]] = {}
    split: dict[str, set[str]] = {}
    for path in ledger_files(paths):
        named = county_in_name(path)
        counties = [named] if named else _counties_in_file(path, catalog)
        for county in counties:
            files.setdefault(county, []).append(path)
            if len(counties) > 1:
                split.setdefault(county, set()).add(path.name)
    return [CountyInput(c, tuple(files[c]), frozenset(split.get(c, ()))) for c in sorted(files)]


def plan_previous(paths: list[Path], counties: list[str]) -> dict[str, tuple[Path, ...]]:
    """--previous in a province run: each 整改台账 file (folders expanded) to the county it belongs
    to, by its 县 column, else by the county its file name or one of its two folders names
    (<县>/<季度>/三单一账_….xlsx). A file of no county of the run, of several counties, or whose 县
    column and name disagree stops the run (exit 3) before anything is audited."""
    known = set(counties)
    listed = "、".join(counties[:10]) + (" 等" if len(counties) > 10 else "")
    hint = (f"本次审核的县：{listed}。每个文件应是其中一个县上季度的三单一账工作簿（或其乡镇工作簿）；"
            "去掉不属于这些县的文件后重新运行，本次审核未写入任何文件。")
    routed: dict[str, list[Path]] = {}
    for path in previous_files(list(paths)):
        in_column = sorted(counties_in(path))
        named = [c for c in (county_in_name(p) for p in (path, path.parent, path.parent.parent)) if c in known]
        if len(in_column) > 1:
            raise AuditInputError(f"上期整改台账的县列有 {len(in_column)} 个县（{'、'.join(in_column[:5])}），"
                                  "无法确定它属于哪个县。", file=str(path),
                                  hint="每个县的整改台账单独一个文件（本工具为每个县各写一个三单一账工作簿）。")
        if in_column and in_column[0] not in known:
            raise AuditInputError(f"上期整改台账是「{in_column[0]}」的（见县列），不是本次审核的任何一个县的。",
                                  file=str(path), hint=hint)
        if in_column and named and named[0] != in_column[0]:
            raise AuditInputError(f"上期整改台账的县列是「{in_column[0]}」，文件名或所在文件夹却是「{named[0]}」，"
                                  "无法确定它属于哪个县。", file=str(path),
                                  hint="核对文件是哪个县的，改正文件名或所在文件夹后重新运行；本次审核未写入任何文件。")
        county = in_column[0] if in_column else named[0] if named else None
        if county is None:
            raise AuditInputError("上期整改台账的县列为空，文件名和所在文件夹也没有写明是本次审核的哪个县。",
                                  file=str(path), hint=hint + "也可把文件放进以县命名的文件夹，或在文件名中写上县名。")
        routed.setdefault(county, []).append(path)
    return {county: tuple(files) for county, files in routed.items()}


def plan_previous_ledgers(paths: list[Path], counties: list[str], catalog: Catalog) -> dict[str, CountyInput]:
    """--previous-ledger in a province run: last quarter's ledgers (files or a folder), each
    county's found as the ledgers are. A county the run does not audit stops the run (exit 3)."""
    units = plan_counties(paths, catalog)
    strangers = [u for u in units if u.county not in set(counties)]
    if strangers:
        raise AuditInputError(f"上季度台账中的「{strangers[0].county}」不是本次审核的县"
                              f"（本次审核的县：{'、'.join(counties[:10])}{' 等' if len(counties) > 10 else ''}）。",
                              file="、".join(p.name for p in strangers[0].files),
                              hint="--previous-ledger 只给出本次审核各县上季度的台账（文件或文件夹）；本次审核未写入任何文件。")
    return {unit.county: unit for unit in units}


def _counties_in_file(path: Path, catalog: Catalog) -> list[str]:
    frame = load_ledger([path], catalog).frame
    counties = sorted(set(frame["县"].unique()) - {""}) if "县" in frame else []
    return counties or [path.stem]


@dataclass
class ProvinceInput:
    """A province-wide input (a department roster or a national table) and how each county's share
    is taken from it: by its 县 column, else its 乡镇 column (the 乡镇 of the county's ledger), else
    by ID (an index of its normalised IDs, built once)."""

    table: LoadedTable
    by: str                                   # "县", "乡镇" or "证件号码"
    ids: pd.Index | None = None   # normalised IDs, when split by ID

    @classmethod
    def of(cls, table: LoadedTable, id_column: str | None) -> "ProvinceInput":
        """`id_column`: the column holding the ID a row is matched on (户主证件号码 for 住建), or None
        for an input without one (行政村, which always has its 乡镇)."""
        frame = table.frame
        county_column = next((c for c in COUNTY_COLUMNS if c in frame), None)
        if county_column:
            return cls(LoadedTable(frame.rename(columns={county_column: "县"}), table.report), "县")
        if "乡镇" in frame:
            return cls(table, "乡镇")
        if id_column is None or id_column not in frame:
            raise AuditInputError(f"{table.report.title or '该表'}没有县、乡镇或证件号码列，无法分到各县。",
                                  file="、".join(table.report.files) or None,
                                  hint="给出带“县”或“乡镇”列的全省文件，或每县单独审核。")
        ids, _ = normalised_ids(frame[id_column])
        return cls(table, "证件号码", pd.Index(ids.to_numpy()))

    def part_for(self, county: str, ledger: pd.DataFrame) -> LoadedTable:
        """The rows of this county: same 县, a 乡镇 of its ledger, or an ID of its ledger."""
        frame = self.table.frame
        if self.by == "县":
            keep = (frame["县"] == county).to_numpy()
        elif self.by == "乡镇":
            towns = ledger["乡镇"].unique() if "乡镇" in ledger else []
            keep = (frame["乡镇"].isin(towns) & (frame["乡镇"] != "")).to_numpy()
        else:
            county_ids, _ = normalised_ids(ledger["证件号码"])
            wanted = county_ids[county_ids != ""].drop_duplicates()
            positions, _ = self.ids.get_indexer_non_unique(pd.Index(wanted.to_numpy()))
            keep = np.zeros(len(frame), dtype=bool)
            keep[positions[positions >= 0]] = True
        return LoadedTable(frame[keep].reset_index(drop=True), _report(self.table.report, int(keep.sum())))
