"""Solving a park's model: the solver adapter for the options, and a solve whose portfolio
is checked against every hard limit.

The rest of `model` reaches the solver layer (solvers/) only through this module:
`make_solver` picks the adapter for `solver.name` (HiGHS embedded, or any Pyomo solver)
and `SolveResult` is what a solve returns. `solve_verified` solves, checks the
portfolio against every hard limit in the user's units
(`model.appraise.verify.limit_violations`), and when one is broken re-solves once with
tighter solver tolerances (`solver.tighten_tolerances()`) and checks again; a portfolio
that still breaks a limit gets the status "limit_violated" and is never reported as
solved (docs/math.md 13).
"""

from __future__ import annotations

import time
from dataclasses import replace

from model.appraise.verify import Violation, limit_violations
from model.compile.park import ParkData
from solvers.base import SolveResult
from solvers.factory import make_solver

__all__ = ["SolveResult", "make_solver", "solve_verified"]


def _violations_of(park: ParkData, result: SolveResult) -> list[Violation]:
    if result.x is None or not result.has_solution:
        return []
    return limit_violations(park, result.x, result.starts)


def solve_verified(
    park: ParkData, solver, timings: dict[str, float] | None = None
) -> tuple[SolveResult, list[Violation]]:
    """Solve, check the portfolio against every hard limit of `park`; if one is broken,
    re-solve once with tighter tolerances and check again. Returns the result (status
    "limit_violated" if a limit is still broken) and the violations left. With
    `timings`, the seconds spent checking are added to `timings["verify"]`."""

    def checked(result: SolveResult) -> list[Violation]:
        started = time.perf_counter()
        violations = _violations_of(park, result)
        if timings is not None:
            timings["verify"] = timings.get("verify", 0.0) + time.perf_counter() - started
        return violations

    result = solver.solve()
    violations = checked(result)
    if violations and solver.tighten_tolerances():
        result = solver.solve()
        violations = checked(result)
    if violations:
        result = replace(
            result,
            status="limit_violated",
            message=f"the portfolio breaks {len(violations)} hard limit(s) in the user's units",
        )
    return result, violations
