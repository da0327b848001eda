"""Pareto frontier of pollution against energy on one persistent model.

Both objectives are maximised in the model's avoided terms: PE = pollution equivalents
avoided per year, T = tce saved per year (docs/math.md section 9). A point is found by a
lexicographic epsilon-constraint solve: first the most PE with T >= eps, then the most T
with PE >= that optimum. Such a point is non-dominated (for a solve to gap 0), so every
reported point is on the frontier. Two ways to place the epsilons:

* `grid` (AUGMECON2-style, Mavrotas & Florios 2013): `points` values of eps evenly from
  the T of the best-pollution extreme to the best-energy extreme. When a point's T
  already exceeds the next grid values, those are skipped (the bypass), since they
  would give the same point again. Both extremes are included; no point repeats.
* `exact`: eps = previous T + step, from the best-pollution extreme until no portfolio
  reaches eps. With integer objective data and step = 1 this enumerates every
  non-dominated point (the bi-objective epsilon-constraint method of Chankong & Haimes);
  with real data it finds every point whose T differs from its neighbour by >= step.

Only mutable parameters change between solves (weights and the two floor rows), so the
persistent solver re-solves without a rebuild; the previous point's portfolio is offered
as a MIP start.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from model.appraise.evaluate import avoided_totals
from model.errors import FrontierSolverFailure, InfeasibleStudy
from model.optimise.park_model import ParkModel
from model.optimise.solve import SolveResult, solve_verified


@dataclass
class StudyPoint:
    """One solved point of a study: PE avoided, T saved, capex used and the portfolio."""

    pollution_avoided: float  # pollution equivalents per year
    tce_saved: float  # tce per year
    capex: float  # CNY
    x: np.ndarray
    status: str
    gap: float | None = None
    budget: float | None = None
    budget_dual: float | None = None  # objective units per CNY (LP relaxation)
    extra: dict = field(default_factory=dict)


def _tolerance(value: float) -> float:
    return max(1e-7, 1e-7 * abs(value))


class LexicographicSolver:
    """Lexicographic (PE, T) or (T, PE) solves on a persistent solver."""

    def __init__(self, park_model: ParkModel, solver) -> None:
        self.park_model = park_model
        self.solver = solver
        self.solves = 0
        self._last_x: np.ndarray | None = None

    def _solve(self, w_pollution: float, w_energy: float) -> SolveResult:
        self.park_model.set_weights(w_pollution, w_energy)
        if self._last_x is not None:
            self.solver.set_mip_start(self._last_x)
        park = replace(self.park_model.park, budget_total=self.park_model.budget)
        result, _ = solve_verified(park, self.solver)  # "limit_violated" if a limit breaks
        self.solves += 1
        return result

    def point(self, first: str, energy_floor: float | None = None) -> StudyPoint | None:
        """Best `first` objective ('pollution' or 'energy') with T >= energy_floor, then
        the best other objective keeping the first at its optimum. None if infeasible."""
        self.park_model.set_floors(pollution=None, energy=energy_floor)
        weights = (1.0, 0.0) if first == "pollution" else (0.0, 1.0)
        result = self._solve(*weights)
        if result.x is None:  # a "limit_violated" point keeps its portfolio and status
            if result.status in ("infeasible", "no_solution"):
                return None
            raise FrontierSolverFailure(result.status, result.termination)
        park = self.park_model.park
        pe_first, tce_first, _ = avoided_totals(park, result.x, result.starts)
        best = pe_first if first == "pollution" else tce_first
        if first == "pollution":
            self.park_model.set_floors(pollution=best - _tolerance(best), energy=energy_floor)
        else:
            energy = max(best - _tolerance(best), self.park_model.floors[1])
            self.park_model.set_floors(pollution=None, energy=energy)
        second = self._solve(*reversed(weights))
        if not second.has_solution:  # numerically the first point always stays feasible
            second = result
        self._last_x = second.x
        pe_avoided, tce_saved, capex = avoided_totals(park, second.x, second.starts)
        return StudyPoint(
            pollution_avoided=pe_avoided,
            tce_saved=tce_saved,
            capex=capex,
            x=second.x,
            status=second.status,
            gap=max(result.gap or 0.0, second.gap or 0.0),
        )

    def reset(self) -> None:
        self.park_model.set_floors(pollution=None, energy=None)


def _is_new(points: list[StudyPoint], candidate: StudyPoint) -> bool:
    return all(
        abs(p.pollution_avoided - candidate.pollution_avoided) > _tolerance(p.pollution_avoided)
        or abs(p.tce_saved - candidate.tce_saved) > _tolerance(p.tce_saved)
        for p in points
    )


def pareto_frontier(
    park_model: ParkModel,
    solver,
    points: int = 11,
    method: str = "grid",
    step: float | None = None,
    max_points: int = 10_000,
    time_limit: float | None = None,
    on_point: Callable[[int], None] | None = None,
) -> list[StudyPoint]:
    """Non-dominated (PE, T) points ordered from best pollution to best energy.

    `method` is 'grid' (`points` epsilon values with the AUGMECON2 bypass) or 'exact'
    (epsilon = previous T + `step`, default 1, until infeasible; at most `max_points`
    points and `time_limit` seconds: stopped early, it keeps the points found and the
    best-energy extreme, each non-dominated, and sets `extra['stopped']` on the last).
    `on_point(n)` is called with the number of points found after each one.
    """
    started = time.monotonic()
    if not park_model.has_floors:
        raise ValueError("the frontier needs the epsilon rows: build_model(park, floors=True)")
    if park_model.park.objective != "weighted":
        raise ValueError(
            "the frontier re-weights the objective: build the model with the "
            "'weighted' objective (model.studies.runner.frontier_points does)"
        )
    lex = LexicographicSolver(park_model, solver)
    try:
        best_pollution = lex.point("pollution")
        if best_pollution is None:
            raise InfeasibleStudy("no portfolio meets the scenario's limits")
        best_energy = lex.point("energy")
        frontier = [best_pollution]
        stopped = ""
        if method == "exact":
            delta = 1.0 if step is None else float(step)
            current = best_pollution
            while True:
                if current.tce_saved >= best_energy.tce_saved - _tolerance(best_energy.tce_saved):
                    break
                if len(frontier) + 1 >= max_points:
                    stopped = f"stopped at the limit of {max_points} points"
                    break
                if time_limit is not None and time.monotonic() - started > time_limit:
                    stopped = f"stopped at the time limit of {time_limit:g} s"
                    break
                found = lex.point("pollution", energy_floor=current.tce_saved + delta)
                if found is None:
                    break
                if _is_new(frontier, found):
                    frontier.append(found)
                    if on_point:
                        on_point(len(frontier))
                current = found
            if _is_new(frontier, best_energy):
                frontier.append(best_energy)
            if stopped:
                frontier[-1].extra["stopped"] = stopped
        else:
            low, high = best_pollution.tce_saved, best_energy.tce_saved
            grid = np.linspace(low, high, max(points, 2))[1:-1]
            reached = low
            for k, eps in enumerate(grid, start=3):  # the two extremes are solved
                if on_point:
                    on_point(k - 1)
                if eps <= reached + _tolerance(reached):
                    continue  # bypass: this epsilon would repeat the last point
                found = lex.point("pollution", energy_floor=float(eps))
                if found is None:
                    break
                reached = found.tce_saved
                if _is_new(frontier, found):
                    frontier.append(found)
            if _is_new(frontier, best_energy):
                frontier.append(best_energy)
    finally:
        lex.reset()
    for point in frontier:
        point.extra["solves"] = lex.solves
    return frontier
