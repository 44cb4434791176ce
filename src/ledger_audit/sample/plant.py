"""Planting every rule's defects into a clean sample county: the planters of defects.py (the
ledger's own rules and the department rosters), of defects_rosters.py (养老保险, 人社 and 残联)
and of defects_tables.py (the national export's columns and tables), run in rule order on one
`Planting`."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..frame import TEXT
from . import defects_rosters, defects_tables  # noqa: F401  (their planters register themselves on import)
from .defects import PLANTERS, Planted, Planting, household_state


def plant_all(ledger: pd.DataFrame, rosters: dict[str, pd.DataFrame], seed: int,
              as_of: date) -> tuple[pd.DataFrame, dict, list[Planted]]:
    """Run every planter over the ledger and the rosters and tables (by name); the ground truth
    keeps only the plants still intact at the end."""
    planting = Planting(ledger.copy(), {k: v.copy() for k, v in rosters.items()}, np.random.default_rng(seed + 1), as_of)
    planted = []
    for rule_id in sorted(PLANTERS):
        planted += [(plant, household_state(planting.ledger, plant)) for plant in PLANTERS[rule_id](planting)]
    intact = [plant for plant, state in planted if household_state(planting.ledger, plant) == state]
    return planting.ledger.astype(TEXT), {k: v.astype(TEXT) for k, v in planting.rosters.items()}, intact
