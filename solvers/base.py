"""The contract of the solver layer: what an adapter is handed, what it can do, and what
it returns.

The solver layer knows nothing of parks or scenarios. An adapter (`Solver`) is handed

* a `ModelToSolve`: a Pyomo model with one active objective, the variables whose values
  a solve reports (`reported_variables`, in a fixed order) and the variables whose
  bounds changed since the last solve (`take_changed_bounds`, which a persistent
  adapter pushes before it solves again);
* its `SolverSettings` (this layer's own dataclass; the model layer converts the
  scenario's options into it).

It returns a `SolveResult`: a `SolveStatus`, the objective and bound in the Pyomo
model's units, and the values of the reported variables as the solver found them (not
rounded: what they mean, e.g. that a binary project is 0 or 1, is the model layer's
business). What an adapter can do beyond solving is stated by its `Capabilities`;
callers test the flag, never the presence of a method.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol

import numpy as np


class SolveStatus(StrEnum):
    """How a solve ended (a str: compares equal to its value, e.g. "optimal")."""

    OPTIMAL = "optimal"  # proven optimal within the MIP gap
    TIME_LIMIT = "time_limit"  # stopped by a limit with an incumbent (gap reported)
    INFEASIBLE = "infeasible"  # no point meets every constraint
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"  # stopped by a limit without an incumbent
    ERROR = "error"  # the solver failed
    LIMIT_VIOLATED = "limit_violated"  # set by the model layer: the answer breaks a limit


SOLVED = (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT)
"""Statuses that come with a solution."""


@dataclass(frozen=True)
class Capabilities:
    """What an adapter can do besides solving.

    * `duals`: row duals and reduced costs after an LP solve (`dual`, `reduced_costs`);
    * `mip_start`: takes a starting incumbent (`set_start`);
    * `persistent`: keeps the model between solves and pushes only what changed (mutable
      parameters, changed bounds); otherwise every solve hands the whole model over.
    """

    duals: bool = False
    mip_start: bool = False
    persistent: bool = False


@dataclass(frozen=True)
class SolverSettings:
    """How to solve: the solver's name, time limit (s, None = none), relative MIP gap,
    threads (None = the solver's default), and options handed to the solver unchanged
    (reported by their key `solver.options.NAME` when the solver refuses one)."""

    name: str = "highs"
    time_limit: float | None = None
    mip_gap: float = 1e-4
    threads: int | None = None
    options: Mapping[str, float | int | str | bool] = field(default_factory=dict)


class ModelToSolve(Protocol):
    """What an adapter reads of the model it solves (module docstring)."""

    model: Any  # a pyomo ConcreteModel with one active Objective

    def reported_variables(self) -> list: ...

    def take_changed_bounds(self) -> list: ...


@dataclass
class SolveResult:
    """One solve. `values` holds the reported variables' values (None without a
    solution); `objective` and `bound` are in the Pyomo model's units; `gap` is relative,
    as the solver reports it."""

    status: SolveStatus
    termination: str
    solver: str
    solver_version: str = ""
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    values: np.ndarray | None = None
    message: str = ""

    @property
    def has_solution(self) -> bool:
        return self.values is not None and self.status in SOLVED


class Solver(ABC):
    """An adapter: solves one `ModelToSolve` with `SolverSettings`, as often as asked."""

    name: str
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(self, problem: ModelToSolve, settings: SolverSettings) -> None:
        self.problem = problem
        self.settings = settings

    def prepare(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Hand the model over now (a persistent adapter); otherwise the first solve does."""

    @abstractmethod
    def solve(self) -> SolveResult:
        """Solve the model as it is now (parameters, bounds)."""

    @abstractmethod
    def tighten_tolerances(self) -> bool:
        """Set the solver's primal and MIP feasibility tolerances to the tightest it
        takes; True when something changed (a re-solve may then differ)."""

    def set_start(self, variables: Sequence, values: np.ndarray) -> None:
        """Offer these variables' values as a starting incumbent (`mip_start`)."""
        raise NotImplementedError(f"{self.name} takes no MIP start")

    def dual(self, constraint) -> float:
        """Dual of a row after the last LP solve, in objective units per unit of its
        right-hand side (`duals`)."""
        raise NotImplementedError(f"{self.name} reports no duals")

    def reduced_costs(self, variables: Sequence) -> np.ndarray:
        """Reduced costs of these variables after the last LP solve (`duals`)."""
        raise NotImplementedError(f"{self.name} reports no reduced costs")


class SolverUnavailable(RuntimeError):
    """The named solver is not installed or not licensed on this machine."""


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
