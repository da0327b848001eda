"""Pick the solver adapter for a scenario's `solver.name`."""

from __future__ import annotations

from solvers.base import ModelToSolve, SolverSettings
from solvers.highs_bulk import HighsBulkSolver
from solvers.pyomo_solver import PyomoSolver, SolverUnavailable

__all__ = ["make_solver", "SolverUnavailable"]


def make_solver(park_model: ModelToSolve, options: SolverSettings):
    """HiGHS (embedded, persistent) for 'highs'; any other name through Pyomo."""
    if options.name.lower() == "highs":
        return HighsBulkSolver(park_model, options)
    return PyomoSolver(park_model, options)
