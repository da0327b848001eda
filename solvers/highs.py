"""HiGHS embedded through highspy, used persistently via `pyomo.contrib.solver`.

The model is handed to HiGHS once; later solves only push changed mutable parameters
(budget, caps, targets, weights, epsilon bounds): every other automatic update scan is
off, which keeps a re-solve at 10,000 projects in tens of milliseconds and keeps the LP
basis for a warm start (DESIGN section 4). A MIP start is passed straight to the
underlying highspy object, because the Pyomo interface offers none.
"""

from __future__ import annotations

import time

import numpy as np
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from model.formulation import ParkModel
from model.schema import SolverOptions
from solvers.base import SolveResult

_STATUS = {
    TerminationCondition.convergenceCriteriaSatisfied: "optimal",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.iterationLimit: "time_limit",
    TerminationCondition.objectiveLimit: "time_limit",
    TerminationCondition.provenInfeasible: "infeasible",
    TerminationCondition.locallyInfeasible: "infeasible",
    TerminationCondition.infeasibleOrUnbounded: "infeasible",
    TerminationCondition.unbounded: "unbounded",
}


class HighsPersistentSolver:
    """Solve a `ParkModel` with HiGHS, keeping the instance for re-solves."""

    name = "highs"

    def __init__(self, park_model: ParkModel, options: SolverOptions) -> None:
        self.park_model = park_model
        self.options = options
        self._solver = Highs()
        config = self._solver.config
        config.load_solutions = False
        config.raise_exception_on_nonoptimal_result = False
        config.time_limit = options.time_limit
        config.rel_gap = options.mip_gap
        config.threads = options.threads
        for key, value in options.options.items():
            config.solver_options[key] = value
        self._instance_set = False
        self._last_results = None

    def _ensure_instance(self) -> None:
        if self._instance_set:
            return
        self._solver.set_instance(self.park_model.model)
        updates = self._solver.config.auto_updates
        updates.check_for_new_or_removed_constraints = False
        updates.check_for_new_or_removed_vars = False
        updates.check_for_new_or_removed_params = False
        updates.check_for_new_objective = False
        updates.update_constraints = False
        updates.update_vars = False
        updates.update_named_expressions = False
        updates.update_objective = False
        updates.update_parameters = True
        self._instance_set = True

    @property
    def highs(self):
        """The underlying highspy object (after the first solve or `prepare()`)."""
        self._ensure_instance()
        return self._solver._solver_model

    def prepare(self) -> None:
        """Hand the model to HiGHS now (otherwise the first `solve` does)."""
        self._ensure_instance()

    def column_of(self, var) -> int:
        return self._solver._pyomo_var_to_solver_var_map[id(var)]

    def update_bounds(self, variables: list) -> None:
        """Push changed bounds of these Pyomo variables to HiGHS (no rebuild)."""
        self._ensure_instance()
        self._solver.update_variables(list(variables))

    def set_mip_start(self, x: np.ndarray) -> None:
        """Offer project levels x as a starting incumbent (other columns left to HiGHS)."""
        self._ensure_instance()
        columns = np.array([self.column_of(v) for v in self.park_model.model.x.values()])
        self.highs.setSolution(len(columns), columns.astype(np.int32), np.asarray(x, float))

    def solve(self) -> SolveResult:
        self._ensure_instance()
        started = time.perf_counter()
        results = self._solver.solve(self.park_model.model)
        self._last_results = results
        seconds = time.perf_counter() - started
        status = _STATUS.get(results.termination_condition, "error")
        has_incumbent = results.solution_status in (
            SolutionStatus.optimal,
            SolutionStatus.feasible,
        )
        if status == "time_limit" and not has_incumbent:
            status = "no_solution"
        result = SolveResult(
            status=status,
            termination=str(results.termination_condition.name),
            solver="highs",
            solver_version=".".join(str(v) for v in self._solver.version()),
            seconds=seconds,
        )
        if has_incumbent and status in ("optimal", "time_limit"):
            results.solution_loader.load_vars()
            result.x = self.park_model.x_values()
            result.starts = self.park_model.start_values()
            result.objective = results.incumbent_objective
            result.bound = results.objective_bound
            info = self.highs.getInfo()
            result.gap = float(info.mip_gap) if info.mip_node_count >= 0 else 0.0
            if not np.isfinite(result.gap):
                result.gap = 0.0
        return result

    def reduced_costs(self, variables: list) -> np.ndarray:
        """Reduced costs of these variables after the last LP solve (objective units)."""
        if self._last_results is None:
            raise RuntimeError("no solve yet")
        values = self._last_results.solution_loader.get_reduced_costs(list(variables))
        return np.array([values[v] for v in variables], dtype=float)

    def dual(self, constraint) -> float:
        """Dual value (shadow price) of a scalar constraint after the last LP solve, in
        objective units per unit of the constraint's right-hand side."""
        if self._last_results is None:
            raise RuntimeError("no solve yet")
        return float(self._last_results.solution_loader.get_duals([constraint])[constraint])
