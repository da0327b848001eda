"""ParkCP from Python: the functions `import model` gives (docs/api.md).

A session reads a scenario, solves it, runs studies and writes the files the command
line writes::

    import model

    demo = model.load("scenarios/demo_park.yaml", set={"budget.total": 3e8})
    result = model.solve(demo)                  # Result: dataset, status, portfolio
    sweep = model.budget_sweep(result, 1e8, 4e8, 4)
    model.write(result, "results", studies=[sweep])

This module loads, sets up and solves; model/api_studies.py runs the studies and
model/api_results.py looks at results and writes and reads the files. The command line
(model/run.py) is these functions plus argument parsing, printing and exit codes.
Names are imported on first use, so this module loads only the input stage when
imported; the optimiser, xarray and Plotly load when a function needs them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from model.errors import InputError, SolverFailure
from model.input.loading import LoadedScenario, load_scenario
from model.input.messages import command_line_error, pydantic_message
from model.input.run_options import BudgetSweepStudy, FrontierStudy, SolverOptions, Study

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from model.compile.park import ParkData
    from model.pipeline import RunOutcome

SETTINGS = "settings"
"""How an error names a bad value given to `settings` (or to `solve` and the studies)."""


# --- loading and settings ---------------------------------------------------------------------


def load(
    source: str | os.PathLike[str] | Mapping[str, Any],
    scenario: str | None = None,
    set: Sequence[str] | Mapping[str, Any] = (),
    solver: str | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> LoadedScenario:
    """Read and check a scenario, as `python -m model.run` does.

    `source`: a scenario YAML file, or the scenario as a mapping (what the file would
    hold; its `extends:` and table files are then found in `folder`, default the current
    folder). `scenario`: a named override set of the file's `scenarios:` (`--scenario`).
    `set`: overrides applied last, as {"budget.total": 3e8} or as the CLI's texts
    ["budget.total=3e8"] (`--set`). `solver`: the solver the run will use, when not the
    scenario's (`--solver`), so that `solver.options` are checked against it.

    Returns a LoadedScenario: `.scenario` (the validated schema object), `.merged` (the
    merged input), `.input_hash`. Raises InputError "FILE: key.path: message" for any
    bad input (docs/scenario-format.md)."""
    return load_scenario(source, scenario, set, solver, folder)


@dataclass(frozen=True)
class Settings:
    """How a loaded scenario is run: its `solver:`, `study:` and `analysis:` sections with
    the values given to `settings` on top. `why_not`: break-even capex of this many
    largest left-out projects (None: the scenario's `analysis.why_not_max_projects`)."""

    solver: SolverOptions
    study: Study
    why_not: int | None = None


def with_values(section: Any, names: Mapping[str, str] | None, **values: Any) -> Any:
    """`section` with the values that are not None on top, validated again; a bad value is
    an InputError naming the option (`names[field]`, e.g. "command line: --mip-gap: ...")
    or, without `names`, the field ("settings: mip_gap: ...")."""
    updates = {key: value for key, value in values.items() if value is not None}
    try:
        return type(section).model_validate({**section.model_dump(), **updates})
    except ValidationError as error:
        if names is not None:
            raise command_line_error(error, dict(names)) from None
        loc, message = pydantic_message(error.errors(include_url=False)[0])
        raise InputError(SETTINGS, ".".join(str(part) for part in loc), message) from None


def frontier_spec(points: int | str | FrontierStudy | None) -> FrontierStudy | None:
    if points is None or isinstance(points, FrontierStudy):
        return points
    from model.studies.args import parse_frontier

    return parse_frontier(str(points))


def sweep_spec(
    levels: str | tuple[float, float, int] | BudgetSweepStudy | None,
) -> BudgetSweepStudy | None:
    if levels is None or isinstance(levels, BudgetSweepStudy):
        return levels
    from model.studies.args import parse_budget_sweep

    text = levels if isinstance(levels, str) else ":".join(str(v) for v in levels)
    return parse_budget_sweep(text)


def settings(
    loaded: LoadedScenario,
    *,
    solver: str | None = None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    frontier: int | Literal["exact"] | FrontierStudy | None = None,
    budget_sweep: str | tuple[float, float, int] | BudgetSweepStudy | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    why_not: int | None = None,
    names: Mapping[str, str] | None = None,
) -> Settings:
    """The scenario's run settings with these values on top (None keeps the scenario's),
    each checked as the scenario's own value would be.

    `solver`, `time_limit` (s), `mip_gap` (relative), `threads`: the solver's.
    `frontier`: grid points or "exact"; `budget_sweep`: "FROM:TO:STEPS" or (from, to,
    steps) in CNY; `workers`, `scheduler`: processes or a dask scheduler for sweeps;
    `why_not`: see Settings. `names`: field -> option name for error messages (the
    command line passes its flags). Raises InputError for a bad value."""
    solver_options = with_values(
        loaded.scenario.solver,
        names,
        name=solver,
        time_limit=time_limit,
        mip_gap=mip_gap,
        threads=threads,
    )
    study = with_values(
        loaded.scenario.study,
        names,
        frontier=frontier_spec(frontier),
        budget_sweep=sweep_spec(budget_sweep),
        workers=workers,
        scheduler=scheduler,
    )
    if why_not is not None:  # checked as the scenario's analysis.why_not_max_projects
        with_values(loaded.scenario.analysis, names, why_not_max_projects=why_not)
    return Settings(solver_options, study, why_not)


# --- solving ----------------------------------------------------------------------------------


@dataclass
class Result:
    """One solve of a scenario: `solve` returns it, whatever the outcome.

    `status` is the solver's ('optimal', 'feasible', 'time_limit', 'infeasible', ...);
    `ok` is True when there is a portfolio that meets every hard limit, and then
    `dataset` holds the results (docs/results.md) and `portfolio` the chosen projects.
    An infeasible scenario has `problems` (the limits in conflict and the least
    relaxation of each, in words); a portfolio the solver returned that breaks a hard
    limit even after a re-solve at tighter tolerances has `violations`."""

    scenario: LoadedScenario
    settings: Settings
    outcome: RunOutcome
    """Everything the run produced (model/pipeline.py): the park, the solver's result."""

    @property
    def status(self) -> str:
        return self.outcome.result.status

    @property
    def ok(self) -> bool:
        return not self.problems and not self.violations and self.dataset is not None

    @property
    def dataset(self) -> xr.Dataset | None:
        """The results Dataset (None without a portfolio)."""
        return self.outcome.dataset

    @property
    def portfolio(self) -> pd.DataFrame:
        """The chosen projects (level > 1e-6), one row each: the selected_projects.csv
        table. Empty without a portfolio."""
        import pandas as pd

        from model.results.summary_tables import selected_projects_table

        return pd.DataFrame() if self.dataset is None else selected_projects_table(self.dataset)

    @property
    def timings(self) -> dict[str, float]:
        """Seconds per stage: compile, precheck, build, solve, results, ... (and write)."""
        return self.outcome.timings

    @property
    def problems(self) -> list[str]:
        return self.outcome.problems

    @property
    def violations(self) -> list[str]:
        return [violation.message() for violation in self.outcome.violations]

    @property
    def solver(self) -> str:
        """The solver that ran."""
        return self.outcome.result.solver

    @property
    def message(self) -> str:
        """Why the solver stopped without a portfolio ('' when it has one), e.g.
        "time_limit (no feasible point found)"."""
        if self.outcome.dataset is not None or self.problems:
            return ""
        result = self.outcome.result
        detail = f" ({result.message})" if result.message else ""
        return f"{result.termination}{detail}"

    def __repr__(self) -> str:
        chosen = f", {len(self.portfolio)} projects chosen" if self.dataset is not None else ""
        return f"Result({self.scenario.scenario.name!r}, status={self.status!r}{chosen})"

    @property
    def park(self) -> ParkData:
        """The compiled park (arrays the optimiser works on)."""
        return self.outcome.park


def solve(
    loaded: LoadedScenario,
    config: Settings | None = None,
    timings: dict[str, float] | None = None,
    **values: Any,
) -> Result:
    """Compile the scenario's park, check it can meet its limits at all, build and solve
    the optimisation model (docs/math.md), check the portfolio against every hard limit,
    and build the results Dataset with the project economics, the audit view, the CP
    levels and, for an optimal non-cost run, the why-not figures. A multi-year scenario
    (`horizon.end` after `horizon.start`) is solved as one plan: the Dataset then has a
    `year` dimension and `plan(result)` gives each project's start year.

    `config`: from `settings(loaded, ...)`; or give its keyword values here, e.g.
    `solve(loaded, time_limit=60)`. `timings`: a dict to add the stage timings to.
    Raises InputError when the solver refuses an option and SolverFailure when the
    solver is unavailable or refuses the model; an infeasible scenario is not an error
    (see Result)."""
    lap = time.perf_counter()
    from model.pipeline import run_scenario  # Pyomo, xarray: "imports" in the timings
    from solvers.base import SolverModelError, SolverOptionError, SolverUnavailable

    if timings is not None:
        timings["imports"] = timings.get("imports", 0.0) + time.perf_counter() - lap

    config = config if config is not None else settings(loaded, **values)
    try:
        outcome = run_scenario(loaded, config.solver, timings, why_not=config.why_not)
    except SolverOptionError as error:
        raise InputError(loaded.shown or str(loaded.path), "", str(error)) from None
    except (SolverUnavailable, SolverModelError) as error:
        raise SolverFailure(str(error)) from None
    return Result(loaded, config, outcome)
