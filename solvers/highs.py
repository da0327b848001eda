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
from pyomo.common.timing import HierarchicalTimer
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.environ import value as pyo_value

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
        # No log at all: the interface would otherwise route every HiGHS log line
        # through a Python callback into a captured stream (measurably slower).
        config.solver_options["output_flag"] = False
        for key, value in options.options.items():
            config.solver_options[key] = value
        self._instance_set = False
        self._last_results = None
        self._x_columns: np.ndarray | None = None
        self._start_columns: np.ndarray | None = None

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
        # Parameters are pushed by `_push_parameters`: the interface's own update
        # re-evaluates every objective coefficient that holds a weight (one per pair and
        # year, tens of thousands) on every solve.
        updates.update_parameters = False
        self._instance_set = True
        self._objective_weights: tuple[float, ...] | None = self._weights()
        self._objective_parts: tuple[np.ndarray, ...] | None = None

    def _weights(self) -> tuple[float, ...]:
        m = self.park_model.model
        return (float(m.weight_pollution.value), float(m.weight_energy.value))

    def _objective_columns(self) -> tuple[np.ndarray, list]:
        helpers = self._solver._mutable_objective.linear_coefs
        columns = np.array(
            [self._solver._pyomo_var_to_solver_var_map[h.pyomo_var_id] for h in helpers],
            dtype=np.int32,
        )
        return columns, helpers

    def _costs_at(self, helpers: list, weights: tuple[float, float]) -> np.ndarray:
        m = self.park_model.model
        m.weight_pollution.set_value(weights[0])
        m.weight_energy.set_value(weights[1])
        return np.array([pyo_value(h.expr) for h in helpers], dtype=float)

    def _push_parameters(self) -> None:
        """Send changed mutable parameters to HiGHS: bounds of the few rows that hold one
        (budget, caps, targets, floors) every time; the objective only when a weight
        changed, as cost = w_pol a + w_en b + c with a, b, c found once by evaluating the
        coefficients at weights (1, 0), (0, 1) and (0, 0)."""
        for helpers in self._solver._mutable_helpers.values():
            for helper in helpers:
                helper.update()
        for _var, helper in self._solver._mutable_bounds.values():
            helper.update()
        weights = self._weights()
        if weights == self._objective_weights:
            return
        columns, helpers = self._objective_columns()
        if self._objective_parts is None:
            zero = self._costs_at(helpers, (0.0, 0.0))
            self._objective_parts = (
                self._costs_at(helpers, (1.0, 0.0)) - zero,
                self._costs_at(helpers, (0.0, 1.0)) - zero,
                zero,
            )
            self.park_model.model.weight_pollution.set_value(weights[0])
            self.park_model.model.weight_energy.set_value(weights[1])
        a, b, c = self._objective_parts
        costs = weights[0] * a + weights[1] * b + c
        self.highs.changeColsCost(len(columns), columns, costs)
        self._objective_weights = weights

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
        """Offer project levels x as a starting incumbent (other columns left to HiGHS).
        Nothing for an LP: a given solution would replace the kept basis (warm start)."""
        park = self.park_model.park
        if self.park_model.relaxed or park.divisible.all():
            return
        self._ensure_instance()
        columns = np.array([self.column_of(v) for v in self.park_model.model.x.values()])
        self.highs.setSolution(len(columns), columns.astype(np.int32), np.asarray(x, float))

    def _project_levels(self) -> tuple[np.ndarray, np.ndarray]:
        """x (N,) and the levels started each year (Y, N), read straight from HiGHS's
        solution (no Pyomo load: the arrays are what every caller uses), rounded for
        binary projects as `ParkModel.x_values` does."""
        if self._x_columns is None:
            m = self.park_model.model
            self._x_columns = np.array([self.column_of(v) for v in m.x.values()])
            if hasattr(m, "start"):
                n, years = self.park_model.park.n_projects, len(self.park_model.park.years)
                self._start_columns = np.array(
                    [[self.column_of(m.start[j, t]) for j in range(n)] for t in range(years)]
                )
        values = np.asarray(self.highs.getSolution().col_value)
        binary = ~(self.park_model.park.divisible | self.park_model.relaxed)

        def clean(levels: np.ndarray) -> np.ndarray:
            levels = np.clip(levels, 0.0, 1.0) + 0.0
            levels[..., binary] = np.round(levels[..., binary])
            return levels

        x = clean(values[self._x_columns])
        starts = x[None, :] if self._start_columns is None else clean(values[self._start_columns])
        return x, starts

    def _resolve(self):
        """`Highs.solve` without its `update()` scan: every automatic update is off and
        parameters were pushed by `_push_parameters`, so the scan would find nothing,
        yet it costs tens of milliseconds per call at 10,000 projects (it walks the
        constraint and variable maps). Same steps as PersistentSolverMixin.solve."""
        solver = self._solver
        solver._active_config = config = solver.config(value={}, preserve_implicit=True)
        if solver._last_results_object is not None:
            solver._last_results_object.solution_loader.invalidate()
        config.timer = HierarchicalTimer()
        try:
            results = solver._solve()
        finally:
            solver._active_config = solver.config
        solver._last_results_object = results
        return results

    def solve(self) -> SolveResult:
        self._ensure_instance()
        started = time.perf_counter()
        self._push_parameters()
        results = self._resolve()
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
            result.x, result.starts = self._project_levels()
            result.objective = results.incumbent_objective
            result.bound = results.objective_bound
            info = self.highs.getInfo()
            result.gap = float(info.mip_gap) if info.mip_node_count >= 0 else 0.0
            if not np.isfinite(result.gap):
                result.gap = 0.0
        return result

    def load_values(self, variables: list) -> None:
        """Put the last solution's values of these Pyomo variables into the model (the
        project levels are returned as arrays; other values only on request)."""
        self._last_results.solution_loader.load_vars(list(variables))

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
