"""Step 4 of the flow: the ledger against the department rosters."""
