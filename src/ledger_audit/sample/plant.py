"""Planting every rule's defects into a clean sample county: the planters of the modules listed
here (planters/, named like the modules of the rules they plant for), run in rule order on one
`Planting`."""

from __future__ import annotations

from datetime import date
from types import ModuleType

import numpy as np
import pandas as pd

from ..frame import TEXT
from .planters import g1_entry, g2_review, g3_records, g4_supervision, g5_warning, national_tables, people_rosters
from .planters.base import Planted, Planter, Planting, household_state

PLANTER_MODULES: tuple[ModuleType, ...] = (g1_entry, g2_review, g3_records, g4_supervision, g5_warning,
                                           people_rosters, national_tables)


def planters(modules: tuple[ModuleType, ...] = PLANTER_MODULES) -> dict[str, Planter]:
    """Every function marked @planter in the given modules, by rule ID (in rule order)."""
    found: dict[str, Planter] = {}
    for module in modules:
        for value in vars(module).values():
            rule_id = getattr(value, "plants", None)
            if rule_id is None:
                continue
            if rule_id in found and found[rule_id] is not value:
                raise RuntimeError(f"rule {rule_id} has two planters")
            found[rule_id] = value
    return dict(sorted(found.items()))


def plant_all(ledger: pd.DataFrame, rosters: dict[str, pd.DataFrame], seed: int,
              as_of: date) -> tuple[pd.DataFrame, dict, list[Planted]]:
    """Run every planter over the ledger and the rosters and tables (by name); the ground truth
    keeps only the plants still intact at the end."""
    planting = Planting(ledger.copy(), {k: v.copy() for k, v in rosters.items()}, np.random.default_rng(seed + 1), as_of)
    planted = []
    for plant_defects in planters().values():
        planted += [(plant, household_state(planting.ledger, plant)) for plant in plant_defects(planting)]
    intact = [plant for plant, state in planted if household_state(planting.ledger, plant) == state]
    return planting.ledger.astype(TEXT), {k: v.astype(TEXT) for k, v in planting.rosters.items()}, intact
