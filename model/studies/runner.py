"""Run the studies a scenario (or the command line) asks for and write their files.

`study.frontier` -> `frontier.nc` + `frontier.html`; `study.budget_sweep` ->
`budget_sweep.nc` + `budget_sweep.html` + `budget_priority.csv` (entry order) +
`budget_levels.csv` (one row per level). Each is computed on a model built once
(docs/studies.md). The files go into the folder given (the CLI gives the staging folder
of the run, model/results/run_folder.py).

Points without a portfolio are kept and marked (model/studies/validity.py) and told on
stderr in one line per kind; when no point of a study has one, `StudyFailed` stops the
run (exit 3 when every point is proven infeasible, else 4) before any study file is
written.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from model.compile.park import ParkData
from model.errors import FrontierSolverFailure, InfeasibleStudy, StudyFailed
from model.formatting import money
from model.input.run_options import BudgetSweepStudy, FrontierStudy, SolverOptions
from model.optimise.formulation import build_model
from model.optimise.solve import make_solver
from model.report.study_page import write_study_report
from model.results.atomic import atomic_write
from model.results.io import write_dataset
from model.studies.budget import budget_levels, least_budget, run_budget_sweep
from model.studies.dataset import study_dataset
from model.studies.frontier import StudyPoint, pareto_frontier
from model.studies.progress import progress_bar
from model.studies.store import PointStore, store_key
from model.studies.validity import is_valid

Notify = Callable[[str], None]
"""Where a study tells its notes and progress, one line each (the command line prints them
on stderr)."""


def _no_portfolio(park: ParkData, status: str, budget: float | None) -> StudyPoint:
    """The row of a frontier budget level that has no frontier."""
    nan = float("nan")
    return StudyPoint(nan, nan, nan, np.full(park.n_projects, nan), status, budget=budget)


def frontier_points(
    park: ParkData, options: SolverOptions, spec: FrontierStudy, show_progress: bool = False
) -> list[StudyPoint]:
    """All frontier points, one frontier per budget level when `spec.budgets` is set. A
    budget level where no portfolio meets the limits gives one point without a portfolio
    (status 'infeasible', or the solver's status when it stopped without one). With
    `show_progress`, a progress bar on a terminal (model/studies/progress.py): grid
    points done of the total, or for the exact method the points found so far."""
    park = replace(park, objective="weighted")
    if spec.method == "exact":
        options = options.model_copy(update={"mip_gap": 0.0})
    park_model = build_model(park, floors=True)
    solver = make_solver(park_model, options)
    budgets = spec.budgets or [None]
    points: list[StudyPoint] = []
    exact = spec.method == "exact"
    for budget in budgets:
        if budget is not None:
            park_model.set_budget(float(budget))
        level = park.budget_total if budget is None else float(budget)
        label = "frontier (exact)" if exact else "frontier"
        if budget is not None:
            label += f" at {money(level)}"
        try:
            with progress_bar(
                label, None if exact else spec.points, "points", show_progress
            ) as bar:
                found = pareto_frontier(
                    park_model,
                    solver,
                    spec.points,
                    spec.method,
                    spec.step,
                    max_points=spec.max_points or 10_000,
                    time_limit=spec.time_limit,
                    on_point=bar.update_to,
                )
        except InfeasibleStudy:
            points.append(_no_portfolio(park, "infeasible", level))
            continue
        except FrontierSolverFailure as failure:
            points.append(_no_portfolio(park, failure.status, level))
            continue
        for point in found:
            point.budget = level
        points.extend(found)
    return points


def _budgets_text(budgets: list[float]) -> str:
    if len(budgets) == 1:
        return f"at {money(budgets[0])}"
    if len(budgets) <= 4:
        return "at " + ", ".join(money(b) for b in budgets)
    return f"from {money(min(budgets))} to {money(max(budgets))}"


def _least_budget_meta(park: ParkData, options: SolverOptions, points: list[StudyPoint]) -> dict:
    """{'least_budget': CNY} when some point is infeasible (and the least budget that
    meets the other limits could be found), else {}."""
    if not any(p.status == "infeasible" for p in points):
        return {}
    least = least_budget(park, options)
    return {} if least is None else {"least_budget": least}


def _check_some_valid(label: str, points: list[StudyPoint], notes: list[str], hint: str) -> None:
    """Raise StudyFailed when no point of the study has a portfolio: exit 3 with the
    budget levels when every one is proven infeasible, else exit 4 with the notes."""
    if any(is_valid(p) for p in points):
        return
    if {p.status for p in points} == {"infeasible"}:
        levels = sorted({float(p.budget) for p in points if p.budget is not None})
        count = f"any of the {len(levels)} budget levels" if len(levels) > 1 else "the budget"
        raise StudyFailed(
            f"{label}: no portfolio meets the scenario's limits at {count} "
            f"({_budgets_text(levels).removeprefix('at ')}){hint}",
            infeasible=True,
        )
    raise StudyFailed(f"{label}: no point has a portfolio: " + "; ".join(notes), infeasible=False)


def _hint(least: dict) -> str:
    if "least_budget" not in least:
        return ""
    return f"; the least budget that meets them is {money(least['least_budget'])}"


AUTO_PARALLEL_LEVELS = 8
"""A budget sweep of more levels than this uses every core when `workers` is not given;
below it, starting the worker processes (a few seconds) would cost more than it saves."""


def sweep_workers(workers: int | None, levels: int) -> int:
    """The processes a budget sweep uses: `workers` when given, else the machine's cores
    (os.cpu_count) for more than AUTO_PARALLEL_LEVELS levels, else 1. An LP sweep runs
    in one process whatever this says (model.studies.budget.run_budget_sweep)."""
    if workers is not None:
        return workers
    return max(1, os.cpu_count() or 1) if levels > AUTO_PARALLEL_LEVELS else 1


def _silent(line: str) -> None:
    """No one listens."""


def frontier_study(
    park: ParkData,
    options: SolverOptions,
    spec: FrontierStudy,
    meta: dict,
    notify: Notify | None = None,
    show_progress: bool = False,
) -> xr.Dataset:
    """The frontier of `spec` as a study Dataset (model/studies/dataset.py), `meta` added
    to its attributes. When a point is infeasible, the least budget that meets every
    other limit is computed once more (`least_budget`) and quoted. Raises StudyFailed
    when no point has a portfolio; `notify` hears the notes on points without one, the
    count of points and where an exact frontier was stopped; `show_progress`: a progress
    bar on a terminal (model/studies/progress.py)."""
    notify = notify or _silent
    started = time.perf_counter()
    points = frontier_points(park, options, spec, show_progress)
    least = _least_budget_meta(park, options, points)
    elapsed = time.perf_counter() - started
    ds = study_dataset(
        park,
        points,
        "frontier",
        {
            **meta,
            **least,
            "method": spec.method,
            "time_study_s": elapsed,
            "solves": max((p.extra.get("solves", 0) for p in points), default=0),
        },
    )
    notes = json.loads(ds.attrs["no_portfolio_notes"])
    _check_some_valid("frontier", points, notes, _hint(least))
    for note in notes:
        notify(f"frontier: {note}")
    valid = sum(is_valid(p) for p in points)
    notify(f"frontier: {valid} non-dominated points in {elapsed:.1f} s")
    for stopped in sorted({p.extra["stopped"] for p in points if "stopped" in p.extra}):
        notify(
            f"frontier: {stopped}; the {valid} points found are written (each "
            "non-dominated; the frontier between the last one and the best-energy "
            "extreme is not explored)"
        )
    return ds


def budget_sweep_study(
    park: ParkData,
    options: SolverOptions,
    spec: BudgetSweepStudy,
    meta: dict,
    workers: int | None = None,
    scheduler: str | None = None,
    store_root: Path | None = None,
    notify: Notify | None = None,
    show_progress: bool = False,
) -> xr.Dataset:
    """The budget sweep of `spec` as a study Dataset, `meta` added to its attributes.

    `workers` processes (or the dask `scheduler`) solve the levels (default:
    `sweep_workers`); `store_root`: where finished levels are kept so that an
    interrupted sweep resumes (model/studies/store.py; None = not kept). Raises
    StudyFailed when no level has a portfolio (and then clears the store: a definite
    answer leaves nothing to resume); `notify` hears the notes on levels without a
    portfolio and the count of levels; `show_progress`: a progress bar of levels."""
    notify = notify or _silent
    started = time.perf_counter()
    budgets = budget_levels(spec.start, spec.stop, spec.steps)
    store = None
    if store_root is not None:
        key = store_key(meta.get("input_hash", ""), "budget_sweep", spec.model_dump(), options)
        store = PointStore(store_root, park.name, key)
    workers = sweep_workers(workers, len(budgets))
    with progress_bar("budget sweep", len(budgets), "levels", show_progress) as bar:
        points = run_budget_sweep(park, options, budgets, workers, scheduler, store, bar.update_to)
    least = _least_budget_meta(park, options, points)
    elapsed = time.perf_counter() - started
    ds = study_dataset(
        park,
        points,
        "budget_sweep",
        {**meta, **least, "workers": workers, "time_study_s": elapsed},
    )
    notes = json.loads(ds.attrs["no_portfolio_notes"])
    try:
        _check_some_valid("budget sweep", points, notes, _hint(least))
    except StudyFailed:
        if store is not None:
            store.clear()  # a definite answer: nothing to resume
        raise
    for note in notes:
        notify(f"budget sweep: {note}")
    notify(f"budget sweep: {len(points)} levels in {elapsed:.1f} s")
    return ds


def write_study_files(ds, kind: str, folder: Path) -> list[Path]:
    """The files of one study Dataset (see the module docstring)."""
    written = [
        write_dataset(ds, folder / f"{kind}.nc"),
        write_study_report(ds, folder / f"{kind}.html"),
    ]
    if kind == "budget_sweep":
        for name, table in (
            ("budget_priority.csv", priority_table(ds)),
            ("budget_levels.csv", levels_table(ds)),
        ):
            written.append(
                atomic_write(folder / name, lambda temp, t=table: t.to_csv(temp, index=False))
            )
    return written


def levels_table(ds) -> pd.DataFrame:
    """One row per budget level: its status, whether it has a portfolio, and what that
    portfolio gives (empty where it has none)."""
    return pd.DataFrame(
        {
            "level": ds["point"].values,
            "budget_CNY": ds["budget"].values,
            "status": ds["status"].values.astype(str),
            "feasible": ds["feasible"].values.astype(bool),
            "pollution_avoided_eq_per_yr": ds["pollution_avoided"].values,
            "tce_saved_per_yr": ds["tce_saved"].values,
            "capex_CNY": ds["capex"].values,
            "n_selected": pd.array(ds["n_selected"].values, dtype="Int64"),
            "marginal_pe_per_10k_CNY": ds["marginal_pe_per_10k"].values,
            "marginal_tce_per_10k_CNY": ds["marginal_tce_per_10k"].values,
            "macc_CNY_per_pe": ds["macc_cny_per_pe"].values,
            "macc_CNY_per_tce": ds["macc_cny_per_tce"].values,
            "budget_dual_per_10k_CNY": ds["budget_dual"].values,
        }
    )


def priority_table(ds) -> pd.DataFrame:
    """Projects in the order they enter the optimal portfolio as the budget grows.

    `entry_note` marks the projects that are in the portfolio of the lowest level with
    one when lower levels have none: their entry budget is where a portfolio first
    exists, not where the project wins over others."""
    entered = ds["entry_level"].values >= 0
    feasible = ds["feasible"].values.astype(bool)
    notes = np.full(ds.sizes["project"], "", dtype=object)
    if feasible.any() and not feasible[0]:
        first = int(np.argmax(feasible))
        lower = "the lower level has" if first == 1 else f"the {first} lower levels have"
        notes[ds["entry_level"].values == first] = (
            "in the portfolio of the lowest level with one "
            f"({money(ds['budget'].values[first])}); {lower} none (budget_levels.csv)"
        )
    table = pd.DataFrame(
        {
            "project": ds["project"].values,
            "owner": ds["owner"].values,
            "capex_CNY": ds["project_capex"].values,
            "entry_budget_CNY": ds["entry_budget"].values,
            "dropped_at_higher_budget": ds["dropped_later"].values.astype(bool),
            "entry_note": notes,
        }
    )[entered]
    return (
        table.sort_values(["entry_budget_CNY", "capex_CNY"], kind="stable")
        .reset_index(drop=True)
        .assign(priority=lambda t: np.arange(1, len(t) + 1))
    )
