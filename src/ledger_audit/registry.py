"""Importing this module registers every rule, gate by gate. Add a new rule module here."""

from .crosscheck import departments  # noqa: F401
from .gates import g1_entry, g2_review, g3_records, g4_supervision, g5_warning  # noqa: F401
from .track import income_drop  # noqa: F401
