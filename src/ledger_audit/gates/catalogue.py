"""Importing this module registers every rule, in gate order. Add a new rule module here."""

from . import g1_entry, g2_review  # noqa: F401
