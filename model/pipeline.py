"""One run, start to end, without any printing or file writing: scenario -> results Dataset.

Used by the CLI (`model/run.py`), the notebooks and the studies. The steps and what each
is timed as (`RunOutcome.timings`, seconds):

compile (scenario -> ParkData), appraise (subsidies, options done at once, screening and
every project's economics, `model.appraise.economics`), precheck (can every limit be met
at all?), build (Pyomo model), solve (hand-over to the solver and the solve itself, with
one re-solve at tighter tolerances when a limit is broken), verify (the check of the
portfolio against every hard limit in the user's units, `model.appraise.verify`),
diagnose (the limits in conflict and the least relaxation of each, by re-solves, only
when the solver proves the model infeasible), results (evaluation + Dataset), appraisal
(project economics, public money, audit view and CP levels from
`model.results.appraisal_dataset`), why_not (break-even capex of left-out projects).
The command line adds load, write_csv, report and total (results.nc holds these up to
its own writing; manifest.json also has write_results_nc and studies).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import xarray as xr

from model.appraise.economics import attach_economics
from model.appraise.evaluate import ParkState, evaluate, is_chosen, yearly_states
from model.appraise.verify import Violation
from model.compile.compile import compile_park
from model.compile.park import ParkData
from model.input.loading import LoadedScenario
from model.input.run_options import SolverOptions
from model.optimise.formulation import build_model
from model.optimise.infeasibility import explain_infeasibility
from model.optimise.park_model import ParkModel
from model.optimise.precheck import precheck
from model.optimise.solve import SolveResult, make_solver, solve_verified
from model.optimise.whynot import break_even, candidates, lp_estimates, structural_reason
from model.results.appraisal_dataset import add_appraisal, appraisal_dataset
from model.results.dataset import build_dataset
from model.results.variables import make_variable


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
    violations: list[Violation] = field(default_factory=list)  # limits the answer breaks


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


def compile_scenario(loaded: LoadedScenario) -> ParkData:
    """The park of a loaded scenario with its project economics: `compile_park`, then
    `attach_economics` (subsidies, options done at once, screening)."""
    park = compile_park(loaded.scenario, loaded.registry)
    return attach_economics(park, loaded.scenario)


def run_scenario(
    loaded: LoadedScenario,
    options: SolverOptions | None = None,
    timings: dict[str, float] | None = None,
    why_not: int | None = None,
) -> RunOutcome:
    """Compile, check, build, solve and evaluate one scenario; the Dataset carries the
    appraisal variables (docs/results.md) and, for an optimal non-cost run, the why-not
    variables."""
    timings = {} if timings is None else timings
    options = options or loaded.scenario.solver
    clock = _Clock(timings)
    park = compile_park(loaded.scenario, loaded.registry)
    clock.lap("compile")
    park = attach_economics(park, loaded.scenario)
    clock.lap("appraise")

    problems = precheck(park)
    clock.lap("precheck")
    if problems:
        result = SolveResult(status="infeasible", termination="precheck", solver="precheck")
        return RunOutcome(park, options, result, problems=problems, timings=timings)

    park_model = build_model(park)
    clock.lap("build")
    solver = make_solver(park_model, options)
    verify_before = timings.get("verify", 0.0)
    result, violations = solve_verified(park, solver, timings)
    clock.lap("solve")  # the hand-over and the solve; the check is timed as "verify"
    timings["solve"] -= timings["verify"] - verify_before
    outcome = RunOutcome(park, options, result, park_model, solver, timings=timings)
    outcome.violations = violations
    if result.status == "infeasible":
        outcome.problems = explain_infeasibility(park, options)
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
    yearly = yearly_states(park, result.starts) if result.starts is not None else None
    if yearly is not None and park.multi_year:  # the park at the end of the horizon
        outcome.state = replace(yearly[-1], capex=outcome.state.capex)
    outcome.dataset = build_dataset(park, result, outcome.state, meta, yearly)
    clock.lap("results")
    before = evaluate(park, np.zeros(park.n_projects))
    outcome.dataset = add_appraisal(
        outcome.dataset,
        appraisal_dataset(park, loaded.scenario, result, before, outcome.state),
    )
    clock.lap("appraisal")
    limit = loaded.scenario.analysis.why_not_max_projects if why_not is None else why_not
    if limit > 0 and park.objective != "cost" and result.status == "optimal":
        outcome.dataset = outcome.dataset.merge(
            why_not_variables(park_model, solver, result, options, limit)
        )
        clock.lap("why_not")
    return outcome


def why_not_variables(
    park_model: ParkModel, solver, result: SolveResult, options: SolverOptions, limit: int
) -> xr.Dataset:
    """LP estimate of the budget each left-out project would need, and the exact
    break-even capex of the `limit` largest left-out projects, as project variables."""
    park = park_model.park
    chosen = candidates(park_model, result.x, limit)
    estimates = lp_estimates(park_model, options)
    answers = break_even(park_model, solver, result.objective, chosen, options, estimates=estimates)
    estimate = np.where(is_chosen(result.x), np.nan, estimates)
    final_x = np.asarray(result.x, dtype=float)
    reasons = np.array(
        [
            structural_reason(park, final_x, j) if not is_chosen(final_x[j]) else ""
            for j in range(park.n_projects)
        ],
        dtype=object,
    )
    capex = np.full(park.n_projects, np.nan)
    subsidy = np.full(park.n_projects, np.nan)
    notes = np.full(park.n_projects, "", dtype=object)
    for answer in answers:
        capex[answer.project] = answer.break_even_capex
        subsidy[answer.project] = answer.subsidy_needed
        notes[answer.project] = answer.note
    return xr.Dataset(
        {
            "break_even_capex": make_variable(
                ("project",),
                capex,
                "CNY",
                "capex at which a left-out project would enter the optimal portfolio",
            ),
            "subsidy_needed": make_variable(
                ("project",), subsidy, "CNY", "subsidy that would bring the project in"
            ),
            "why_not_note": (("project",), notes.astype(str)),
            "why_not_reason": (("project",), reasons.astype(str)),
            "subsidy_needed_lp_estimate": make_variable(
                ("project",),
                estimate,
                "CNY",
                "LP estimate: reduced cost of the left-out project / shadow price of budget",
            ),
        },
        coords={"project": park.project_ids},
    )
