"""ledger-audit: quarterly data-quality audit of 防止返贫动态监测台账."""

__version__ = "0.1.0"
