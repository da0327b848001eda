"""How far each hard limit of an infeasible scenario must move, found by re-solves.

The limits (one number each as the planner set it: budgets, permits, park caps, targets)
and how far a plan is from each (`achieved`, `excesses`, in the planner's units) are in
model/optimise/limits.py. The park's structure (exclusive groups, prerequisites,
shared-facility capacities, options done at once, the screening) is never relaxed here.

One model serves every question (`RelaxationModel`): the scenario's model in which the
row (or, for a hard permit, the variable bound) of every limit i gets a relaxation
variable r_i, moving its right-hand side by s_i r_i, where s_i is the size of that row
(what it asks, in the model's own units), so r_i is a relative relaxation. The bounds of
r_i say what is asked of limit i: r_i = 0 keeps it, r_i >= 0 lets it move outwards
(without an upper bound: drops it), r_i free lets it move either way. The questions:

* `elastic(kept)`: every limit not in `kept` may move outwards; minimise sum r_i. The
  limits with r_i > 0 are a set whose joint relaxation makes the scenario feasible (the
  smallest total relative relaxation), and a proof of it (the portfolio found).
* `least(i, dropped)`: limit i free, the limits in `dropped` removed, every other limit
  kept; minimise r_i. The optimum's `excess` is the least relaxation of limit i alone:
  for the budget, min net capex subject to every other limit, minus the budget. An
  infeasible answer proves that relaxing limit i alone, however far, is not enough.

model/optimise/conflict.py asks the questions in turn. Every amount is recomputed from the
portfolio with `model.appraise.evaluate` in the planner's units, so it does not depend on
how the solver scaled the model.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from model.compile.park import ParkData
from model.input.run_options import SolverOptions
from model.optimise.formulation import build_model
from model.optimise.limits import (
    excesses,
    joint_relaxations,
    limits_of,
)
from model.optimise.park_model import ParkModel
from model.optimise.solve import make_solver

SOLVE_SECONDS = 10.0
"""Time limit of each re-solve (or the scenario's own, if shorter)."""

TOTAL_SECONDS = 30.0
"""Time after which no further re-solve is started (the explanation says what is left)."""

MAX_SOLVES = 40
"""Most re-solves in all, so that the explanation is the same on a fast or a busy machine
(the demo park needs 25; a larger park's forcing checks stop here, and say so)."""

MAX_ROUNDS = 4
"""Most elastic solves made to find candidate limits."""

RELATIVE_TOLERANCE = 1e-6
"""Relaxations smaller than this share of a row's size count as none (solver noise)."""


@dataclass
class Answer:
    """One re-solve: its status and, with a portfolio, the plan and its excess per
    limit (in the limits' units)."""

    status: str
    starts: np.ndarray | None = None
    x: np.ndarray | None = None
    excesses: np.ndarray | None = None

    @property
    def found(self) -> bool:
        return self.starts is not None


class RelaxationModel:
    """The scenario's model with a relaxation variable on every limit (module docstring),
    kept in one persistent solver for all the re-solves."""

    def __init__(
        self,
        park: ParkData,
        options: SolverOptions,
        total_seconds: float = TOTAL_SECONDS,
        max_solves: int = MAX_SOLVES,
    ) -> None:

        self.park = park
        self.limits = limits_of(park)
        self.park_model: ParkModel = build_model(park)
        self.sizes = self.park_model.add_elastic_limits(self.limits)
        gap = min(options.mip_gap, 1e-6)
        settings = {"mip_gap": gap}
        if options.name.lower() == "highs":
            settings["options"] = {**options.options, "mip_abs_gap": 1e-9}
        limit = min(options.time_limit or SOLVE_SECONDS, SOLVE_SECONDS)
        settings["time_limit"] = limit
        self.options = options.model_copy(update=settings)
        self.solver = make_solver(self.park_model, self.options)
        self.solves = 0
        self.max_solves = max_solves
        self.deadline = time.perf_counter() + total_seconds

    def can_solve(self) -> bool:
        """True while the effort allowed (re-solves, time) is not used up."""
        return self.solves < self.max_solves and time.perf_counter() < self.deadline

    def solve(
        self,
        bounds: Sequence[tuple[float | None, float | None]],
        weights: Sequence[float],
        start: np.ndarray | None = None,
        dropped: Iterable[int] = (),
        joint: Iterable[int] | None = None,
    ) -> Answer:
        """One re-solve with these bounds on the relaxation variables and this
        objective (sum of weights times relaxations); `start`: project levels offered
        as a first incumbent. The answer's `excesses` are each limit's alone with the
        limits in `dropped` removed (`excesses`), or, given the `joint` movable limits,
        their joint relaxations (`joint_relaxations`)."""
        self.park_model.set_elastic(bounds, weights)
        if start is not None:
            self.solver.set_mip_start(start)
        result = self.solver.solve()
        self.solves += 1
        if not result.has_solution:
            return Answer(status=result.status)
        starts = result.starts if result.starts is not None else result.x[None, :]
        return Answer(
            status=result.status,
            starts=starts,
            x=result.x,
            excesses=(
                excesses(self.park, self.limits, starts, dropped)
                if joint is None
                else joint_relaxations(self.park, self.limits, starts, joint)
            ),
        )

    def tolerance(self, i: int, value: float = 0.0) -> float:
        """Smallest relaxation of limit i (its unit) that counts as one."""
        limit = self.limits[i]
        return RELATIVE_TOLERANCE * max(abs(limit.value), abs(value), 1e-9)

    def elastic(self, kept: Iterable[int] = ()) -> Answer:
        """Every limit not in `kept` may move outwards; minimise the sum of relative
        relaxations."""
        kept = set(kept)
        n = len(self.limits)
        bounds = [(0.0, 0.0) if i in kept else (0.0, None) for i in range(n)]
        movable = [i for i in range(n) if i not in kept]
        weights = [0.0 if i in kept else 1.0 for i in range(n)]
        return self.solve(bounds, weights, joint=movable)

    def least(self, i: int, dropped: Iterable[int] = (), start: np.ndarray | None = None) -> Answer:
        """Limit i free, `dropped` removed, every other limit kept: minimise limit i's
        relaxation. The answer's `excesses[i]` is then limit i's least relaxation."""
        dropped = set(dropped)
        n = len(self.limits)
        bounds = [
            (None, None) if k == i else (0.0, None) if k in dropped else (0.0, 0.0)
            for k in range(n)
        ]
        weights = [1.0 if k == i else 0.0 for k in range(n)]
        return self.solve(bounds, weights, start, dropped=dropped)
