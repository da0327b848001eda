"""Run the studies a scenario (or the command line) asks for and write their files.

`study.frontier` -> `frontier.nc` + `frontier.html`; `study.budget_sweep` ->
`budget_sweep.nc` + `budget_sweep.html` + `budget_priority.csv` (entry order). Each is
computed on a model built once (docs/studies.md) and written atomically.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from model.atomic import atomic_write
from model.formulation import build_model
from model.park import ParkData
from model.results import write_dataset
from model.schema import FrontierStudy, SolverOptions, Study
from model.studies.budget import budget_levels, run_budget_sweep
from model.studies.dataset import study_dataset
from model.studies.figures import write_study_report
from model.studies.frontier import StudyPoint, pareto_frontier
from model.studies.store import PointStore
from solvers.factory import make_solver


def _progress(label: str):
    def report(done: int, total: int) -> None:
        print(f"{label}: {done}/{total} done", file=sys.stderr, flush=True)

    return report


def frontier_points(
    park: ParkData, options: SolverOptions, spec: FrontierStudy
) -> list[StudyPoint]:
    """All frontier points, one frontier per budget level when `spec.budgets` is set."""
    park = replace(park, objective="weighted")
    if spec.method == "exact":
        options = options.model_copy(update={"mip_gap": 0.0})
    park_model = build_model(park, floors=True)
    solver = make_solver(park_model, options)
    budgets = spec.budgets or [None]
    points: list[StudyPoint] = []
    for budget in budgets:
        if budget is not None:
            park_model.model.budget.set_value(float(budget))
        found = pareto_frontier(park_model, solver, spec.points, spec.method, spec.step)
        for point in found:
            point.budget = park.budget_total if budget is None else float(budget)
        points.extend(found)
    return points


def run_studies(
    park: ParkData,
    options: SolverOptions,
    study: Study,
    folder: Path,
    meta: dict,
) -> list[Path]:
    """Run the frontier and/or budget sweep of `study`; return the files written."""
    written: list[Path] = []
    if study.frontier is not None:
        started = time.perf_counter()
        points = frontier_points(park, options, study.frontier)
        elapsed = time.perf_counter() - started
        ds = study_dataset(
            park,
            points,
            "frontier",
            {
                **meta,
                "method": study.frontier.method,
                "time_study_s": elapsed,
                "solves": points[-1].extra.get("solves", 0) if points else 0,
            },
        )
        written += [
            write_dataset(ds, folder / "frontier.nc"),
            write_study_report(ds, folder / "frontier.html"),
        ]
        print(f"frontier: {len(points)} non-dominated points in {elapsed:.1f} s", file=sys.stderr)
    if study.budget_sweep is not None:
        spec = study.budget_sweep
        started = time.perf_counter()
        budgets = budget_levels(spec.start, spec.stop, spec.steps)
        store = PointStore(folder, meta.get("input_hash", ""), spec.model_dump())
        points = run_budget_sweep(
            park,
            options,
            budgets,
            study.workers,
            study.scheduler,
            store,
            _progress("budget sweep"),
        )
        elapsed = time.perf_counter() - started
        ds = study_dataset(
            park,
            points,
            "budget_sweep",
            {**meta, "workers": study.workers, "time_study_s": elapsed},
        )
        written += [
            write_dataset(ds, folder / "budget_sweep.nc"),
            write_study_report(ds, folder / "budget_sweep.html"),
        ]
        table = priority_table(ds)
        written.append(
            atomic_write(
                folder / "budget_priority.csv", lambda temp: table.to_csv(temp, index=False)
            )
        )
        store.clear()
        print(f"budget sweep: {len(points)} levels in {elapsed:.1f} s", file=sys.stderr)
    return written


def priority_table(ds) -> pd.DataFrame:
    """Projects in the order they enter the optimal portfolio as the budget grows."""
    entered = ds["entry_level"].values >= 0
    table = pd.DataFrame(
        {
            "project": ds["project"].values,
            "owner": ds["owner"].values,
            "capex_CNY": ds["project_capex"].values,
            "entry_budget_CNY": ds["entry_budget"].values,
            "dropped_at_higher_budget": ds["dropped_later"].values.astype(bool),
        }
    )[entered]
    return (
        table.sort_values(["entry_budget_CNY", "capex_CNY"], kind="stable")
        .reset_index(drop=True)
        .assign(priority=lambda t: np.arange(1, len(t) + 1))
    )
