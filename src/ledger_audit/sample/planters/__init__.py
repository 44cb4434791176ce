"""The planters of `audit sample`, one module per module of rules (gates/g1_entry.py →
planters/g1_entry.py …); sample/plant.py lists them."""
