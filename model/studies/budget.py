"""Budget sweep: the funding-priority study, on one persistent model.

For budget levels B_1 < ... < B_S the model is re-solved with only the budget parameter
changed (the LP keeps its basis; a MILP gets the previous level's portfolio as a MIP
start, which stays feasible when the budget grows). Each level gives the optimal
portfolio, its pollution equivalents avoided (PE), tce saved (T) and capex used.

Derived per level (see `sweep_tables`):

* marginal PE and T per 10,000 CNY between consecutive levels:
  (PE_i - PE_{i-1}) / ((B_i - B_{i-1}) / 10,000), likewise T
* shadow price of the budget: the dual of the budget row in the LP relaxation at B_i,
  in objective units per 10,000 CNY (what one more 10,000 CNY buys at the margin when
  projects may be taken partially)
* marginal abatement cost along the sweep (the optimisation-consistent MACC): the capex
  actually spent between levels per pollution equivalent (or tce) gained,
  (C_i - C_{i-1}) / (PE_i - PE_{i-1}); not the greedy one-project-at-a-time curve
* entry order: the first level at which each project is chosen; projects chosen at a
  level and dropped at a later one are marked, because optimal portfolios are not
  nested in general
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from model.appraise.evaluate import avoided_totals, is_chosen
from model.compile.park import ParkData
from model.input.run_options import SolverOptions
from model.optimise.formulation import build_model
from model.optimise.park_model import ParkModel
from model.optimise.solve import make_solver, solve_verified
from model.studies.distributed import run_chunks, split_contiguous
from model.studies.frontier import StudyPoint
from model.studies.store import PointStore
from model.studies.validity import is_valid

PER = 10_000.0
"""Marginal figures are per 10,000 CNY (万元), the unit of Chinese audit reports."""


def budget_levels(start: float, stop: float, steps: int) -> np.ndarray:
    """`steps` evenly spaced budget levels from start to stop (inclusive), CNY."""
    if steps < 2 or not 0 <= start < stop:
        raise ValueError("a budget sweep needs 0 <= FROM < TO and at least 2 steps")
    return np.linspace(start, stop, steps)


def solve_levels(
    park_model: ParkModel,
    solver,
    budgets: np.ndarray,
    mip_starts: bool = True,
    on_point: Callable[[StudyPoint], object] | None = None,
) -> list[StudyPoint]:
    """Re-solve at each budget level in order; returns one point per level.

    When the model is an LP (every project divisible) and the solver gives duals, each
    point carries the dual of its own budget row (`budget_dual`), so no relaxed model is
    solved again for it. `on_point(point)` is called as soon as each level is solved
    (the study store saves it there, so a killed sweep keeps every finished level)."""
    lp_duals = bool(park_model.park.divisible.all()) and solver.capabilities.duals
    points: list[StudyPoint] = []
    previous: np.ndarray | None = None
    try:
        for budget in budgets:
            park_model.set_budget(float(budget))
            if mip_starts and previous is not None:
                solver.set_mip_start(previous)
            level_park = replace(park_model.park, budget_total=float(budget))
            result, _ = solve_verified(level_park, solver)  # "limit_violated" if broken
            if not result.has_solution:
                points.append(
                    StudyPoint(
                        np.nan,
                        np.nan,
                        np.nan,
                        np.full(park_model.park.n_projects, np.nan),
                        result.status,
                        budget=float(budget),
                    )
                )
                if on_point is not None:
                    on_point(points[-1])
                continue
            previous = result.x
            pe, tce, capex = avoided_totals(park_model.park, result.x, result.starts)
            points.append(
                StudyPoint(pe, tce, capex, result.x, result.status, result.gap, float(budget))
            )
            if lp_duals:
                points[-1].budget_dual = abs(solver.budget_dual())
            if on_point is not None:
                on_point(points[-1])
    finally:
        park_model.set_budget(park_model.park.budget_total)
    return points


def budget_duals(park: ParkData, budgets: np.ndarray, options: SolverOptions) -> np.ndarray:
    """Dual of the budget row of the LP relaxation at each level (objective units/CNY).

    One relaxed model, re-solved persistently (warm-started from the previous basis).
    """
    relaxed = build_model(park, relax=True)
    solver = make_solver(relaxed, options)
    duals = np.full(len(budgets), np.nan)
    for i, budget in enumerate(budgets):
        relaxed.set_budget(float(budget))
        result = solver.solve()
        if result.has_solution and solver.capabilities.duals:
            duals[i] = abs(solver.budget_dual())
    return duals


def level_key(budget: float) -> str:
    """Name of a budget level in the study store."""
    return f"budget-{float(budget)!r}"


def _sweep_chunk(task: tuple) -> list[StudyPoint]:
    """One worker's share: build the model once, solve its levels in order, and save
    each level in `store` (when given) as soon as it is solved."""
    park, options, budgets, store, *hook = task  # hook: a per-level callback, optional
    level_done = hook[0] if hook else None
    park_model = build_model(park)
    solver = make_solver(park_model, options)

    def save(point: StudyPoint) -> None:
        if store is not None:
            store.save(level_key(point.budget), point)
        if level_done is not None:
            level_done()

    return solve_levels(
        park_model,
        solver,
        np.asarray(budgets, dtype=float),
        on_point=save if store is not None or level_done is not None else None,
    )


def run_budget_sweep(
    park: ParkData,
    options: SolverOptions,
    budgets: np.ndarray,
    workers: int = 1,
    scheduler: str | None = None,
    store: PointStore | None = None,
    progress=None,
) -> list[StudyPoint]:
    """Sweep the budget levels and add the LP shadow price of the budget to each point
    (an LP sweep reads it from its own solves; a MILP sweep solves the LP relaxation at
    each level once more, on one warm-started model).

    A MILP sweep is split into `workers` contiguous runs of levels solved in parallel
    processes (each on its own persistent model, MIP-started from its previous level);
    an LP sweep (every project divisible) runs here on one warm-started model. Levels
    already in `store` (a killed earlier run) are not solved again. `progress(done, total)`
    counts levels: each level as it is solved when the sweep runs here; in worker
    processes, the levels of the chunks finished (chunks differ by at most one level, so
    the count is within one level per chunk until the end). The objective is the
    scenario's; 'cost' is replaced by 'weighted', since a budget sweep of the cheapest
    portfolio would be flat.
    """
    if park.objective == "cost":
        park = replace(park, objective="weighted")
    budgets = np.asarray(budgets, dtype=float)
    done = {b: store.load(level_key(b)) if store else None for b in budgets}
    todo = [float(b) for b in budgets if done[b] is None]
    parallel = workers if not park.divisible.all() else 1
    total, levels_done = len(budgets), len(budgets) - len(todo)
    runs = split_contiguous(todo, parallel)
    serial = (parallel <= 1 and scheduler is None) or len(runs) <= 1

    def level_done() -> None:  # in this process: one level solved
        nonlocal levels_done
        levels_done += 1
        progress(levels_done, total)

    def chunk_done(done: int, count: int) -> None:  # worker processes: levels of the chunks
        progress(len(budgets) - len(todo) + sum(len(r) for r in runs[:done]), total)

    hook = level_done if (serial and progress) else None
    chunks = [(park, options, run, store, hook) for run in runs]
    if progress:
        progress(levels_done, total)
    chunk_progress = chunk_done if (progress and not serial) else None
    for chunk_points in run_chunks(_sweep_chunk, chunks, parallel, scheduler, chunk_progress):
        for point in chunk_points:
            done[point.budget] = point
    points = [done[b] for b in budgets]
    missing = [i for i, point in enumerate(points) if point.budget_dual is None]
    if missing:  # a MILP sweep (or an LP solver without duals): the LP relaxation's
        duals = budget_duals(park, budgets[missing], options)
        for i, dual in zip(missing, duals, strict=True):
            points[i].budget_dual = float(dual)
    return points


def _previous_valid(points: list[StudyPoint]) -> np.ndarray:
    """Per level, the index of the closest lower level with a portfolio (-1 none); a
    level without a portfolio (model/studies/validity.py) has -1 too."""
    valid = [is_valid(p) and np.isfinite(p.pollution_avoided) for p in points]
    previous = np.full(len(points), -1)
    last = -1
    for i, ok in enumerate(valid):
        if ok:
            previous[i] = last
            last = i
    return previous


def entry_order(points: list[StudyPoint]) -> tuple[np.ndarray, np.ndarray]:
    """Per project: index of the first level where it is chosen (-1 never), and whether it
    is dropped again at a later level (portfolios are not nested in general). Levels
    without a portfolio (NaN) are skipped: a project is 'dropped' only when a later level
    with a portfolio leaves it out."""
    chosen = np.array([is_chosen(np.nan_to_num(p.x)) for p in points])  # (S, N)
    first = np.where(chosen.any(axis=0), chosen.argmax(axis=0), -1)
    dropped = np.zeros(chosen.shape[1], dtype=bool)
    for i, j in enumerate(_previous_valid(points)):
        if j >= 0:
            dropped |= chosen[j] & ~chosen[i]
    return first, dropped


def marginal_rates(points: list[StudyPoint]) -> dict[str, np.ndarray]:
    """Marginal PE and T per 10,000 CNY of budget, and capex per PE / per tce gained,
    between each level and the closest lower level with a portfolio (NaN for the first
    level with one, for levels without one, and where nothing was gained)."""
    budget = np.array([p.budget for p in points], dtype=float)
    pe = np.array([p.pollution_avoided for p in points], dtype=float)
    tce = np.array([p.tce_saved for p in points], dtype=float)
    capex = np.array([p.capex for p in points], dtype=float)
    previous = _previous_valid(points)
    has_previous = previous >= 0
    before = np.where(has_previous, previous, 0)

    def step(values: np.ndarray) -> np.ndarray:
        return np.where(has_previous, values - values[before], np.nan)

    d_budget, d_pe, d_tce, d_capex = step(budget), step(pe), step(tce), step(capex)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "marginal_pe_per_10k": d_pe / (d_budget / PER),
            "marginal_tce_per_10k": d_tce / (d_budget / PER),
            "macc_cny_per_pe": np.where(d_pe > 1e-9, d_capex / d_pe, np.nan),
            "macc_cny_per_tce": np.where(d_tce > 1e-9, d_capex / d_tce, np.nan),
        }


def least_budget(park: ParkData, options: SolverOptions) -> float | None:
    """The least budget with which some portfolio meets every other hard limit.

    Minimises what the portfolio takes from the budget, sum_j budget_capex_j * x_j,
    subject to every constraint of the scenario except the budget itself (its row is
    loosened to the sum of all projects). Within the MIP gap of `options`; the portfolio
    is checked against every hard limit (`model.appraise.verify.solve_verified`). None when no
    portfolio meets the other limits or the solver stops without a checked optimum.
    """
    unlimited = replace(park, objective="cost", budget_total=float("inf"))
    park_model = build_model(unlimited)
    park_model.minimise_budget_use()
    result, _ = solve_verified(unlimited, make_solver(park_model, options))
    if result.status != "optimal" or result.x is None:
        return None
    return float(park.budget_capex() @ result.x)
