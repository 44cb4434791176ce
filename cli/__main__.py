"""`python -m ledger_audit_cli` runs the `audit` command (used where the script is not on PATH)."""

from .main import main

main()
