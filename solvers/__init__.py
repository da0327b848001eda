"""Solver adapters: HiGHS embedded through highspy (default) and any Pyomo solver."""
