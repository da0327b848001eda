"""Input stage: the scenario schema, reading YAML and CSV/Excel files, loading a scenario
(extends, overrides, --set) with its named checks, the pollutant and carrier registry,
and the reference data shipped in model/reference/ (docs/architecture.md)."""
