"""ledger-audit: quarterly data-quality audit of 防止返贫动态监测台账."""

import logging

__version__ = "0.1.0"

# A library logs only where its user sends it (audit run --log, cron); without this, Python's
# last-resort handler would print every error to stderr a second time.
logging.getLogger(__name__).addHandler(logging.NullHandler())
