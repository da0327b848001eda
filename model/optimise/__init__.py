"""Optimise stage: the Pyomo formulation, solving with verification, the pre-check, the
least relaxation of an infeasible scenario and the why-not analysis
(docs/architecture.md)."""
