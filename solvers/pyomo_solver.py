"""Any solver Pyomo knows by name (cbc, glpk, gurobi, cplex, scip, appsi_highs, ...).

Called with `load_solutions=False`; the termination condition is checked before a
solution is loaded, so an infeasible or failed solve never raises (Pyomo raises when
asked to load a solution a solve did not produce).
Each re-solve writes the model again: this path is for portability, not for sweeps.

The solver gets the model in the units of its `scaling_factor` suffix (docs/math.md 13):
each solve hands over a scaled copy made by Pyomo's `core.scale_model` and copies the
solution back to the model in the user's units (`propagate_solution`).
"""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
from pyomo.opt import SolverStatus
from pyomo.opt import TerminationCondition as TC

from solvers.base import (
    Capabilities,
    ModelToSolve,
    Solver,
    SolveResult,
    SolverSettings,
    SolverUnavailable,
    SolveStatus,
)

TIME_LIMIT_OPTION = {
    "cbc": "seconds",
    "glpk": "tmlim",
    "gurobi": "TimeLimit",
    "gurobi_direct": "TimeLimit",
    "cplex": "timelimit",
    "cplex_direct": "timelimit",
    "scip": "limits/time",
    "appsi_highs": "time_limit",
}
GAP_OPTION = {
    "cbc": "ratioGap",
    "glpk": "mipgap",
    "gurobi": "MIPGap",
    "gurobi_direct": "MIPGap",
    "cplex": "mipgap",
    "cplex_direct": "mipgap",
    "scip": "limits/gap",
    "appsi_highs": "mip_rel_gap",
}
_STATUS = {
    TC.optimal: SolveStatus.OPTIMAL,
    TC.locallyOptimal: SolveStatus.OPTIMAL,
    TC.globallyOptimal: SolveStatus.OPTIMAL,
    TC.maxTimeLimit: SolveStatus.TIME_LIMIT,
    TC.infeasible: SolveStatus.INFEASIBLE,
    TC.infeasibleOrUnbounded: SolveStatus.INFEASIBLE,
    TC.unbounded: SolveStatus.UNBOUNDED,
}


class PyomoSolver(Solver):
    """Solve a `ModelToSolve` with `pyo.SolverFactory(name)`. No duals, no MIP start,
    not persistent: each solve writes the whole model."""

    capabilities = Capabilities()

    def __init__(self, problem: ModelToSolve, settings: SolverSettings) -> None:
        super().__init__(problem, settings)
        options = settings
        self.name = options.name
        try:
            self._solver = pyo.SolverFactory(options.name)
            available = self._solver is not None and self._solver.available(exception_flag=False)
        except Exception:  # noqa: BLE001 - Pyomo raises many kinds for unknown solvers
            available = False
        if not available:
            raise SolverUnavailable(f"solver '{options.name}' is not available on this machine")
        if options.time_limit and options.name in TIME_LIMIT_OPTION:
            self._solver.options[TIME_LIMIT_OPTION[options.name]] = options.time_limit
        if options.name in GAP_OPTION:
            self._solver.options[GAP_OPTION[options.name]] = options.mip_gap
        for key, value in options.options.items():
            self._solver.options[key] = value

    def tighten_tolerances(self) -> bool:
        """Tighter feasibility tolerances where the option names are known (the HiGHS
        family); False for other solvers, whose option names differ."""
        if self.settings.name != "appsi_highs":
            return False
        tight = {"primal_feasibility_tolerance": 1e-10, "mip_feasibility_tolerance": 1e-10}
        changed = any(self._solver.options.get(k) != v for k, v in tight.items())
        self._solver.options.update(tight)
        return changed

    def solve(self) -> SolveResult:
        model = self.problem.model
        self.problem.take_changed_bounds()  # each solve writes the model's bounds anyway
        started = time.perf_counter()
        scaling = pyo.TransformationFactory("core.scale_model")
        scaled = scaling.create_using(model, rename=False)
        try:
            results = self._solver.solve(scaled, load_solutions=False, tee=False)
        except Exception as error:  # noqa: BLE001 - report any solver crash as a failure
            return SolveResult(
                status=SolveStatus.ERROR,
                termination="exception",
                solver=self.name,
                seconds=time.perf_counter() - started,
                message=str(error).splitlines()[0] if str(error) else type(error).__name__,
            )
        seconds = time.perf_counter() - started
        condition = results.solver.termination_condition
        status = _STATUS.get(condition, SolveStatus.ERROR)
        has_solution = len(results.solution) > 0 and results.solver.status in (
            SolverStatus.ok,
            SolverStatus.warning,
            SolverStatus.aborted,
        )
        if status == SolveStatus.TIME_LIMIT and not has_solution:
            status = SolveStatus.NO_SOLUTION
        result = SolveResult(
            status=status, termination=str(condition), solver=self.name, seconds=seconds
        )
        if status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT) and has_solution:
            scaled.solutions.load_from(results)
            scaling.propagate_solution(scaled, model)
            values = [v.value for v in self.problem.reported_variables()]
            result.values = np.array([0.0 if v is None else float(v) for v in values])
            objective = next(model.component_data_objects(pyo.Objective, active=True))
            result.objective = float(pyo.value(objective))
            result.gap = 0.0 if status == SolveStatus.OPTIMAL else None
        return result
