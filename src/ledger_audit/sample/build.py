"""`audit sample`: a synthetic county with planted defects, written as files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .county import County, generate_county
from .plant import plant_all
from .write import MessyForms, write_sample


def build_sample(out: Path, households: int, seed: int, as_of: date, with_defects: bool = True,
                 messy: MessyForms = MessyForms()) -> dict[str, Path]:
    county = generate_county(households, seed, as_of)
    planted = []
    if with_defects:
        # Planters change rosters and tables alike: they get both in one dict, by name.
        ledger, inputs, planted = plant_all(county.ledger, {**county.rosters, **county.tables}, seed, as_of)
        county = County(ledger, {k: v for k, v in inputs.items() if k in county.rosters},
                        {k: v for k, v in inputs.items() if k in county.tables})
    return write_sample(county, planted, out, as_of.isoformat(), messy)
