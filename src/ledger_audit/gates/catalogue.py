"""Importing this module registers every rule, in gate order. Add a new rule module here."""

from . import g1_entry, g2_review, g3_records, g4_supervision, g5_warning  # noqa: F401
