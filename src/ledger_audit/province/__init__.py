"""A province: many counties audited county by county, locally or on Dask (run.py)."""
