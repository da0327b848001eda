"""One run, start to end, without any printing or file writing: scenario -> results Dataset.

Used by the CLI (`model/run.py`), the notebooks and the studies. The steps and what each
is timed as (`RunOutcome.timings`, seconds):

compile (scenario -> ParkData), precheck (can every limit be met at all?), build (Pyomo
model), solve (hand-over to the solver and the solve itself), diagnose (elastic re-solve,
only when the solver proves the model infeasible), results (evaluation + Dataset).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import xarray as xr

from model.diagnose import elastic_explanation, precheck
from model.evaluate import ParkState, evaluate
from model.formulation import ParkModel, build_model
from model.park import ParkData, compile_park
from model.results import build_dataset
from model.scenario import LoadedScenario
from model.schema import SolverOptions
from solvers.base import SolveResult
from solvers.factory import make_solver


@dataclass
class RunOutcome:
    """Everything a run produced. `dataset` is None when there is no solution."""

    park: ParkData
    options: SolverOptions
    result: SolveResult
    park_model: ParkModel | None = None
    solver: object | None = None
    state: ParkState | None = None
    dataset: xr.Dataset | None = None
    problems: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return self.result.exit_code


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def objective_gap_in_units(park: ParkData, result: SolveResult) -> tuple[float | None, str]:
    """Absolute gap |incumbent - bound| and the unit it is measured in."""
    units = {
        "weighted": "weighted pollution equivalents + tce per year",
        "pollution": "pollution equivalents per year",
        "energy": "tce per year",
        "cost": "CNY",
    }[park.objective]
    if result.objective is None or result.bound is None:
        return None, units
    return abs(result.objective - result.bound), units


def run_scenario(
    loaded: LoadedScenario,
    options: SolverOptions | None = None,
    timings: dict[str, float] | None = None,
) -> RunOutcome:
    """Compile, check, build, solve and evaluate one scenario."""
    timings = {} if timings is None else timings
    options = options or loaded.scenario.solver
    clock = _Clock(timings)
    park = compile_park(loaded.scenario, loaded.registry)
    clock.lap("compile")

    problems = precheck(park)
    clock.lap("precheck")
    if problems:
        result = SolveResult(status="infeasible", termination="precheck", solver="precheck")
        return RunOutcome(park, options, result, problems=problems, timings=timings)

    park_model = build_model(park)
    clock.lap("build")
    solver = make_solver(park_model, options)
    result = solver.solve()
    clock.lap("solve")
    outcome = RunOutcome(park, options, result, park_model, solver, timings=timings)
    if result.status == "infeasible":
        outcome.problems = elastic_explanation(park, options)
        clock.lap("diagnose")
        return outcome
    if not result.has_solution:
        return outcome

    outcome.state = evaluate(park, result.x)
    gap_abs, gap_units = objective_gap_in_units(park, result)
    meta = {
        "merged": loaded.merged,
        "input_hash": loaded.input_hash,
        "scenario_file": str(loaded.path),
        "gap_abs": gap_abs,
        "gap_units": gap_units,
        "timings": dict(timings),
    }
    outcome.dataset = build_dataset(park, result, outcome.state, meta)
    clock.lap("results")
    return outcome
