"""What every solver adapter is handed and returns, and how solver outcomes map to exit
codes.

The solver layer never imports `model`: what an adapter reads of the model it solves and
of its settings is stated here as Protocols (`ModelToSolve`, `SolverSettings`), which
`model.optimise.park_model.ParkModel` and `model.input.run_options.SolverOptions` meet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_SOLVER_FAILURE = 4


class SolverSettings(Protocol):
    """The settings an adapter reads: the solver's name, time limit (s), relative MIP gap,
    threads, and options passed to the solver unchanged."""

    name: str
    time_limit: float | None
    mip_gap: float
    threads: int | None
    options: dict[str, float | int | str | bool]


class ModelToSolve(Protocol):
    """What an adapter reads of the model it solves: the Pyomo model, the variables whose
    values a solve reports, the variables whose bounds changed since the last solve
    (a persistent adapter pushes them), and the project levels made of the reported
    values (rounded for binary projects by the model layer)."""

    model: Any
    park: Any

    def reported_variables(self) -> list: ...

    def take_changed_bounds(self) -> list: ...

    def project_levels(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass
class SolveResult:
    """One solve. `status` is one of:

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
    objective: float | None = None  # in the model's objective units, as HiGHS saw it
    bound: float | None = None
    gap: float | None = None  # relative, as reported by the solver
    seconds: float = 0.0
    x: np.ndarray | None = None  # (N,) project levels in [0, 1] (done within the horizon)
    starts: np.ndarray | None = None  # (Y, N) level started in each planning year
    duals: dict[str, float] = field(default_factory=dict)
    message: str = ""

    @property
    def has_solution(self) -> bool:
        return self.x is not None and self.status in ("optimal", "time_limit")

    @property
    def exit_code(self) -> int:
        if self.has_solution:
            return EXIT_OK
        if self.status == "infeasible":
            return EXIT_INFEASIBLE
        return EXIT_SOLVER_FAILURE


class SolverOptionError(ValueError):
    """The solver refused an option value. `key` is the scenario key it came from
    (e.g. solver.options.time_limit): bad input, exit 2."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


class SolverModelError(RuntimeError):
    """The solver refused the model handed to it (e.g. a coefficient it cannot take):
    solver trouble, exit 4."""
