"""Where the county-editable data (schemas/) and the report templates are installed."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def schemas_dir() -> Path:
    """The shipped schemas/ folder (fields, aliases, code lists, rule metadata)."""
    return Path(str(files("ledger_audit.schemas")))


def templates_dir() -> Path:
    """The shipped report_templates/ folder (Jinja2)."""
    return Path(str(files("ledger_audit.report_templates")))
