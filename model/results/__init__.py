"""Results stage: the run's xarray Dataset, every table derived from it, and the files
written from it (docs/architecture.md)."""
