"""Pick the solver adapter for a solver name."""

from __future__ import annotations

from solvers.base import ModelToSolve, Solver, SolverSettings, SolverUnavailable
from solvers.highs_bulk import HighsBulkSolver
from solvers.pyomo_solver import PyomoSolver

__all__ = ["make_adapter", "SolverUnavailable"]


def make_adapter(problem: ModelToSolve, settings: SolverSettings) -> Solver:
    """HiGHS (embedded, persistent) for 'highs'; any other name through Pyomo's
    `SolverFactory` (raises `SolverUnavailable` when it is not installed)."""
    if settings.name.lower() == "highs":
        return HighsBulkSolver(problem, settings)
    return PyomoSolver(problem, settings)
