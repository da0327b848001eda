"""ParkCP from Python: the studies (docs/api.md, docs/studies.md), on a loaded scenario
or on a solved one (then its park is not compiled again)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from model.api import (
    SETTINGS,
    Result,
    Settings,
    frontier_spec,
    settings,
    with_values,
)
from model.errors import InputError
from model.input.loading import LoadedScenario
from model.input.run_options import BudgetSweepStudy, FrontierStudy

if TYPE_CHECKING:
    import xarray as xr

    from model.compile.park import ParkData
    from model.studies.runner import Notify


def _park_and_settings(
    source: LoadedScenario | Result, config: Settings | None
) -> tuple[LoadedScenario, ParkData, Settings]:
    if isinstance(source, Result):
        return source.scenario, source.park, config or source.settings
    from model.pipeline import compile_scenario

    return source, compile_scenario(source), config or settings(source)


def _study_meta(loaded: LoadedScenario) -> dict[str, Any]:
    return {"input_hash": loaded.input_hash, "merged": loaded.merged}


def frontier(
    source: LoadedScenario | Result,
    points: int | Literal["exact"] | None = None,
    budgets: Sequence[float] | None = None,
    *,
    config: Settings | None = None,
    notify: Notify | None = None,
    progress: bool = False,
) -> xr.Dataset:
    """The Pareto frontier of pollution equivalents avoided against tce saved
    (docs/studies.md): `points` grid points of an energy floor, each the best pollution
    reduction given it, or "exact" for every non-dominated portfolio; with `budgets`,
    one frontier per budget level (CNY). Defaults: the scenario's `study.frontier`, else
    11 grid points at the scenario's budget.

    Returns the study Dataset (dimension `point`: pollution_avoided, tce_saved, capex,
    selected per project, status; frontier.nc). Raises StudyFailed when no point has a
    portfolio. `notify(line)` hears the notes the command line prints; `progress`: a
    progress bar on a terminal."""
    loaded, park, config = _park_and_settings(source, config)
    spec = config.study.frontier or FrontierStudy()
    if points is not None:
        spec = frontier_spec(points).model_copy(update={"budgets": spec.budgets})
    if budgets is not None:
        spec = with_values(spec, None, budgets=list(budgets))
    from model.studies.runner import frontier_study

    return frontier_study(park, config.solver, spec, _study_meta(loaded), notify, progress)


def budget_sweep(
    source: LoadedScenario | Result,
    start: float | None = None,
    stop: float | None = None,
    steps: int | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    config: Settings | None = None,
    store: str | os.PathLike[str] | None = None,
    notify: Notify | None = None,
    progress: bool = False,
) -> xr.Dataset:
    """What each budget level buys (docs/studies.md): `steps` levels evenly spaced from
    `start` to `stop` CNY, each solved to optimality on one persistent model; the order
    in which projects enter the portfolio, marginal pollution and energy per 10,000 CNY,
    and the LP shadow price of the budget. Defaults: the scenario's `study.budget_sweep`
    (`steps` 20). `workers` processes (or a dask `scheduler`) share the levels (default:
    every core for more than 8 levels, else one); `progress`: a progress bar of levels.

    Returns the study Dataset (dimension `point`: budget, pollution_avoided, tce_saved,
    capex, n_selected, status; per project entry_budget; budget_sweep.nc). `store`: a
    folder where finished levels are kept so that an interrupted sweep resumes (the
    command line uses its `--out`). Raises StudyFailed when no level has a portfolio."""
    loaded, park, config = _park_and_settings(source, config)
    spec = config.study.budget_sweep
    given = {"start": start, "stop": stop, "steps": steps}
    if spec is None and (start is None or stop is None):
        raise InputError(SETTINGS, "budget_sweep", "give start and stop (CNY)")
    base = spec or BudgetSweepStudy(start=0.0, stop=1.0)
    spec = with_values(base, None, **given)
    study = with_values(config.study, None, workers=workers, scheduler=scheduler)
    from model.studies.runner import budget_sweep_study

    root = Path(store) if store is not None else None
    return budget_sweep_study(
        park,
        config.solver,
        spec,
        _study_meta(loaded),
        study.workers,
        study.scheduler,
        root,
        notify,
        progress,
    )


def run_studies(
    result: Result,
    notify: Notify | None = None,
    store: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> list[xr.Dataset]:
    """The studies `result.settings.study` asks for (frontier first, then budget sweep),
    as `frontier` and `budget_sweep` compute them; both are computed before either is
    returned, so a StudyFailed leaves nothing half done."""
    found = []
    if result.settings.study.frontier is not None:
        found.append(frontier(result, notify=notify, progress=progress))
    if result.settings.study.budget_sweep is not None:
        found.append(budget_sweep(result, store=store, notify=notify, progress=progress))
    return found
