"""`audit sample --quarters 2`: a second quarter for the sample county, to show and test the whole
整改 cycle. In the first quarter's 整改台账 people have filled in their cells; by the second quarter
some planted problems are fixed, some are not, and some were marked 已销号 by hand but are still
there (they come back as 反弹). `transitions.csv` says what the second run must conclude (each item's 整改状态 and
its G4-011/G4-012 finding)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from ..audit import audit_county
from ..catalog import load_catalog
from ..config import AuditConfig, quarter_end, quarter_of
from ..normalise.tables import load_ledger
from ..report.writers import write_reports
from .county import County, generate_county
from .plant import plant_all
from .write import MessyForms, write_csv, write_sample

OUTCOMES = ("fixed", "not_fixed", "closed_by_hand")
EXPECTED_STATUS = {"fixed": "已销号", "not_fixed": "整改中", "closed_by_hand": "整改中"}


def next_quarter_end(as_of: date) -> date:
    year, q = as_of.year, (as_of.month - 1) // 3 + 1
    return quarter_end(f"{year + q // 4}Q{q % 4 + 1}")


def build_two_quarters(out: Path, households: int, seed: int, as_of: date, messy: MessyForms) -> dict[str, Path]:
    clean = generate_county(households, seed, as_of)
    ledger, rosters, planted = plant_all(clean.ledger, clean.rosters, seed, as_of)
    first, second = out / quarter_of(as_of), out / quarter_of(next_quarter_end(as_of))
    paths = write_sample(County(ledger, rosters), planted, first, as_of.isoformat(), messy)
    catalog, config = load_catalog(), AuditConfig(as_of=as_of, county="示例县")
    result = audit_county(load_ledger([paths["ledger"]], catalog), {}, config, catalog)
    workbook = write_reports(result, first / "审核结果", ("xlsx",))["xlsx"]

    outcome = _assign_outcomes(result.findings, seed)
    filled = first / f"三单一账_示例县_{config.quarter}_已填写.xlsx"
    _fill_in(workbook, outcome, filled)
    fixed = set(outcome.loc[outcome["outcome"] == "fixed", "household_id"])
    # A column a planter added (G1-014's 失学或辍学原因) is empty on the clean rows, as is their
    # 义务教育阶段未上学原因.
    next_ledger = pd.concat([ledger[~ledger["户编号"].isin(fixed)], clean.ledger[clean.ledger["户编号"].isin(fixed)]]).fillna("")
    next_paths = write_sample(County(next_ledger.sort_index(kind="stable"), rosters), [], second,
                              next_quarter_end(as_of).isoformat(), messy)
    write_csv(_expected(outcome), second / "transitions.csv", guard=True)
    return {"ledger": paths["ledger"], "filled_rectification": filled, "next_ledger": next_paths["ledger"],
            "transitions": second / "transitions.csv"}


def _assign_outcomes(findings: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Whole households get one outcome, so that fixing a household fixes all its problems. A phone
    shared across households (G3-002) depends on the other households too, so it is left out."""
    per_household = findings[(findings["household_id"] != "") & (findings["rule_id"] != "G3-002")]
    households = per_household["household_id"].drop_duplicates().sort_values().to_numpy()
    rng = np.random.default_rng(seed + 2)
    chosen = pd.Series(rng.choice(OUTCOMES, len(households), p=[0.4, 0.4, 0.2]), index=households)
    return per_household[["problem_id", "rule_id", "household_id", "deadline"]] \
        .assign(outcome=per_household["household_id"].map(chosen))


def _expected(outcome: pd.DataFrame) -> pd.DataFrame:
    """What the second run must conclude per item: its 整改状态, and the tracking finding it raises.
    An item not fixed is 整改逾期 (G4-011) only if it had a 整改时限 (a 提示 has none); one closed
    by hand comes back as 问题反弹 (G4-012)."""
    overdue = (outcome["outcome"] == "not_fixed") & (outcome["deadline"] != "")
    tracking = np.select([overdue, outcome["outcome"] == "closed_by_hand"], ["G4-011", "G4-012"], "")
    return outcome.drop(columns=["deadline"]).assign(expected_status=outcome["outcome"].map(EXPECTED_STATUS),
                                                     expected_tracking_rule=tracking)


def _fill_in(workbook: Path, outcome: pd.DataFrame, target: Path) -> None:
    """What the towns type into the 整改台账 during the quarter."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["整改台账"]
    header = [c.value for c in sheet[1]]
    column = {name: header.index(name) + 1 for name in header}
    by_problem = outcome.set_index("problem_id")["outcome"]
    for row in range(2, sheet.max_row + 1):
        problem = sheet.cell(row=row, column=column["问题编号"]).value
        state = by_problem.get(problem)
        if state is None:
            continue
        sheet.cell(row=row, column=column["责任人"], value=f"乡镇干部{row}")
        sheet.cell(row=row, column=column["整改措施"], value="入户核实，按实际更正台账")
        if state == "fixed":
            sheet.cell(row=row, column=column["整改状态"], value="已整改")
            sheet.cell(row=row, column=column["整改完成时间"], value="2022/8/15")
        elif state == "closed_by_hand":
            sheet.cell(row=row, column=column["整改状态"], value="已销号 ")
            sheet.cell(row=row, column=column["备注"], value="村里说已改好")
        else:
            sheet.cell(row=row, column=column["整改状态"], value="整改中")
    book.save(target)
