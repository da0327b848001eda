"""Solver adapters: HiGHS embedded through highspy (default, `highs_bulk`) and any Pyomo
solver (`pyomo_solver`)."""
