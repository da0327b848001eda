"""Solving a park's model: the model layer's handle on a solver (`ParkSolver`), and a
solve whose portfolio is checked against every hard limit (`solve_verified`).

The rest of `model` reaches the solver layer (solvers/) only through this module. The
solver layer knows nothing of parks: `ParkSolver` converts the scenario's
`SolverOptions` into the layer's `SolverSettings`, hands it the `ParkModel`, and turns
what a solve returns (the values of `ParkModel.reported_variables()`) into project
levels with `ParkModel.project_levels`, the one place where levels are rounded. What
the adapter can do (duals, MIP starts, persistence) is read from its capability flags.

`solve_verified` solves, checks the portfolio against every hard limit in the user's
units (`model.appraise.verify.limit_violations`), and when one is broken re-solves once
with tighter solver tolerances (`tighten_tolerances`) and checks again; a portfolio that
still breaks a limit gets the status "limit_violated" and is never reported as solved
(docs/math.md 13).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from model.appraise.verify import Violation, limit_violations
from model.compile.park import ParkData
from model.input.run_options import SolverOptions
from model.optimise.park_model import ParkModel
from solvers.base import SOLVED, Capabilities, SolverSettings, SolveStatus
from solvers.factory import make_adapter

__all__ = ["ParkSolver", "SolveResult", "SolveStatus", "make_solver", "solve_verified"]


@dataclass
class SolveResult:
    """One solve of a park's model. `status` is a `SolveStatus`:

    * "optimal": proven optimal within the MIP gap
    * "time_limit": stopped by the time limit with an incumbent (gap reported)
    * "infeasible": no selection meets every hard constraint
    * "unbounded", "no_solution" (stopped without an incumbent), "error"
    * "limit_violated": the solver's portfolio breaks a hard limit when checked in the
      user's units, even after a re-solve with tighter tolerances (model/appraise/verify.py);
      `x` and `starts` still hold that portfolio
    """

    status: str
    termination: str
    solver: str
    solver_version: str = ""
    objective: float | None = None  # in the model's objective units, as the solver saw it
    bound: float | None = None
    gap: float | None = None  # relative, as reported by the solver
    seconds: float = 0.0
    x: np.ndarray | None = None  # (N,) project levels in [0, 1] (done within the horizon)
    starts: np.ndarray | None = None  # (Y, N) level started in each planning year
    message: str = ""

    @property
    def has_solution(self) -> bool:
        return self.x is not None and self.status in SOLVED


def solver_settings(options: SolverOptions) -> SolverSettings:
    """The solver layer's settings for the scenario's `solver` options."""
    return SolverSettings(
        name=options.name,
        time_limit=options.time_limit,
        mip_gap=options.mip_gap,
        threads=options.threads,
        options=dict(options.options),
    )


class ParkSolver:
    """A solver adapter for one `ParkModel`, answering in project levels."""

    def __init__(self, park_model: ParkModel, options: SolverOptions) -> None:
        self.park_model = park_model
        self.adapter = make_adapter(park_model, solver_settings(options))

    @property
    def name(self) -> str:
        return self.adapter.name

    @property
    def capabilities(self) -> Capabilities:
        return self.adapter.capabilities

    def prepare(self) -> None:
        """Hand the model to the solver now (otherwise the first solve does)."""
        self.adapter.prepare()

    def solve(self) -> SolveResult:
        """Solve the model as it is now; project levels rounded by the park model."""
        raw = self.adapter.solve()
        x = starts = None
        if raw.values is not None:
            x, starts = self.park_model.project_levels(raw.values)
        return SolveResult(
            status=raw.status,
            termination=raw.termination,
            solver=raw.solver,
            solver_version=raw.solver_version,
            objective=raw.objective,
            bound=raw.bound,
            gap=raw.gap,
            seconds=raw.seconds,
            x=x,
            starts=starts,
            message=raw.message,
        )

    def tighten_tolerances(self) -> bool:
        return self.adapter.tighten_tolerances()

    def set_mip_start(self, x: np.ndarray) -> None:
        """Offer project levels x as a starting incumbent, when the solver takes one."""
        if self.capabilities.mip_start:
            self.adapter.set_start(self.park_model.project_variables, x)

    def budget_dual(self) -> float:
        """Dual of the budget row after an LP solve (objective units per CNY); the
        solver must have the `duals` capability."""
        return self.adapter.dual(self.park_model.budget_constraint)

    def project_reduced_costs(self) -> np.ndarray:
        """Reduced costs of the project levels x_j after an LP solve (objective units)."""
        return self.adapter.reduced_costs(self.park_model.project_variables)


def make_solver(park_model: ParkModel, options: SolverOptions) -> ParkSolver:
    """The solver of `options.name` for `park_model`: HiGHS embedded (persistent) for
    'highs', any other name through Pyomo (`solvers.base.SolverUnavailable` if absent)."""
    return ParkSolver(park_model, options)


def _violations_of(park: ParkData, result: SolveResult) -> list[Violation]:
    if result.x is None or not result.has_solution:
        return []
    return limit_violations(park, result.x, result.starts)


def solve_verified(
    park: ParkData, solver: ParkSolver, timings: dict[str, float] | None = None
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
            status=SolveStatus.LIMIT_VIOLATED,
            message=f"the portfolio breaks {len(violations)} hard limit(s) in the user's units",
        )
    return result, violations
