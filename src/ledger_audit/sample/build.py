"""`audit sample`: a synthetic county with planted defects, written as files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .county import County, generate_county
from .defects import plant_all
from .write import MessyForms, write_sample


def build_sample(out: Path, households: int, seed: int, as_of: date, with_defects: bool = True,
                 messy: MessyForms = MessyForms()) -> dict[str, Path]:
    county = generate_county(households, seed, as_of)
    planted = []
    if with_defects:
        ledger, rosters, planted = plant_all(county.ledger, county.rosters, seed, as_of)
        county = County(ledger, rosters)
    return write_sample(county, planted, out, as_of.isoformat(), messy)
