"""HiGHS embedded through highspy, fed the Pyomo model in bulk and kept for re-solves.

The Pyomo model stays the model: this adapter reads its variables, constraints and
objective once and hands HiGHS the whole matrix in one `passModel` call. The rows of
model/optimise/formulation.py are `LinearExpression`s, so their coefficients are read directly
(other bodies go through Pyomo's standard representation). That is several times
faster than the generic persistent interface, which walks every expression to collect
its variables (measured at 10,000 projects: 1-2.4 s against about 0.3 s).

Re-solves push only what can change without a rebuild:
* rows whose bounds hold a mutable parameter (budget, caps, targets, epsilon floors):
  re-evaluated before every solve (a few dozen rows);
* the objective, when a parameter in it changed (the weights): cost = sum over the
  objective's parameters' values times their coefficient vectors, found once;
* the bounds of the variables the model says changed (`take_changed_bounds`), e.g. a
  project forced in.
HiGHS keeps its basis between LP solves (warm start); a MIP start goes to `setSolution`.

Scaling: HiGHS is handed the model in the units of the model's `scaling_factor` suffix
(Pyomo's convention, as `core.scale_model` reads it: scaled = factor * original, for
columns, rows and the objective; a missing factor is 1). A row the suffix does not name
(e.g. one added after the build) is divided by the power of two nearest the geometric
mean of its coefficients' sizes in the scaled columns. Everything read back is unscaled:
column values, row duals, reduced costs, objective and bound are in the Pyomo model's
units. HiGHS's statuses are checked: an option it refuses raises `SolverOptionError`,
a model it refuses `SolverModelError` (solvers/base.py). Capabilities: duals, MIP
starts, persistent.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.param import ParamData
from pyomo.core.expr.numeric_expr import LinearExpression, ProductExpression
from pyomo.core.expr.visitor import identify_mutable_parameters
from pyomo.repn import generate_standard_repn

from solvers.base import (
    Capabilities,
    ModelToSolve,
    Solver,
    SolveResult,
    SolverModelError,
    SolverSettings,
    SolveStatus,
)
from solvers.highs_session import (
    INF,
    STATUS,
    TIGHT_TOLERANCES,
    out_of_range,
    quiet_highs,
    set_option,
)


def _has_parameter(expression) -> bool:
    """True when `expression` (a bound) holds a mutable parameter."""
    if expression is None or isinstance(expression, (int, float)):
        return False
    return next(iter(identify_mutable_parameters(expression)), None) is not None


def _param_times_number(coef) -> list[tuple[object, float]] | None:
    """[(param, number)] when `coef` is `param * number` or `number * param` (how the
    objective weights appear), else None."""
    if isinstance(coef, ProductExpression) and coef.nargs() == 2:
        a, b = coef.args
        if isinstance(a, ParamData) and isinstance(b, (int, float)):
            return [(a, float(b))]
        if isinstance(b, ParamData) and isinstance(a, (int, float)):
            return [(b, float(a))]
    return None


def _constant_part(coef, found: list[tuple[object, float]]) -> float:
    """What a coefficient is worth with every parameter at 0 (0 for param * number)."""
    if _param_times_number(coef) is not None:
        return 0.0
    saved = [p.value for p, _ in found]
    for param, _ in found:
        param.set_value(0.0)
    value = float(pyo.value(coef))
    for (param, _), old in zip(found, saved, strict=True):
        param.set_value(old)
    return value


def _bound(value, default: float) -> float:
    return default if value is None else float(value)


def _power_of_two_near_mean(sizes: np.ndarray) -> float:
    """2^round(mean(log2 s)) over the positive sizes (1 when none): the power of two
    nearest their geometric mean."""
    sizes = sizes[sizes > 0]
    return float(np.exp2(np.round(np.mean(np.log2(sizes))))) if sizes.size else 1.0


class HighsBulkSolver(Solver):
    """Solve a `ModelToSolve` with HiGHS; the instance is kept for re-solves."""

    name = "highs"
    capabilities = Capabilities(duals=True, mip_start=True, persistent=True)

    def __init__(self, problem: ModelToSolve, settings: SolverSettings) -> None:
        super().__init__(problem, settings)
        self.highs: highspy.Highs | None = None
        self._last_values: np.ndarray | None = None
        self._last_duals: tuple[np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------------ hand-over
    def prepare(self) -> None:
        """Hand the model to HiGHS now (otherwise the first `solve` does)."""
        if self.highs is not None:
            return
        m = self.problem.model
        # Columns in the order the rows first mention them, then the objective's, then
        # any other variable: the order the generic Pyomo interface produces, so that
        # benchmarks/raw_highs.py (which builds the same LP from arrays) matches it.
        rows = []
        self._col: dict[int, int] = {}
        self._vars: list = []

        def column(var) -> int:
            key = id(var)
            if key not in self._col:
                self._col[key] = len(self._vars)
                self._vars.append(var)
            return self._col[key]

        for con in m.component_data_objects(pyo.Constraint, active=True, descend_into=True):
            body = con.body
            if isinstance(body, LinearExpression) and all(
                isinstance(c, (float, int)) for c in body.linear_coefs
            ):
                coefs, variables, constant = body.linear_coefs, body.linear_vars, body.constant
            else:
                repn = generate_standard_repn(body, compute_values=True, quadratic=False)
                if repn.nonlinear_expr is not None:
                    raise ValueError(f"constraint {con.name} is not linear")
                coefs, variables, constant = repn.linear_coefs, repn.linear_vars, repn.constant
            merged: dict[int, float] = {}
            for coef, var in zip(coefs, variables, strict=True):
                col = column(var)
                merged[col] = merged.get(col, 0.0) + float(coef)
            rows.append((con, merged, float(pyo.value(constant))))
        objective = next(m.component_data_objects(pyo.Objective, active=True))
        objective_repn = generate_standard_repn(
            objective.expr, compute_values=False, quadratic=False
        )
        for var in objective_repn.linear_vars:
            column(var)
        for var in m.component_data_objects(pyo.Var, active=True, descend_into=True):
            column(var)

        starts, indices, values, row_lower, row_upper = [0], [], [], [], []
        self._rows: dict[int, int] = {}
        self._mutable_rows: list[tuple[int, object, float]] = []
        for row, (con, merged, constant) in enumerate(rows):
            indices.extend(merged)
            values.extend(merged.values())
            starts.append(len(indices))
            self._rows[id(con)] = row
            row_lower.append(_bound(pyo.value(con.lower), -INF + constant) - constant)
            row_upper.append(_bound(pyo.value(con.upper), INF + constant) - constant)
            if _has_parameter(con.lower) or _has_parameter(con.upper):
                self._mutable_rows.append((row, con, constant))
        lower = np.array([_bound(v.lb, -INF) for v in self._vars])
        upper = np.array([_bound(v.ub, INF) for v in self._vars])
        integrality = np.array([1 if v.is_integer() else 0 for v in self._vars], dtype=np.int32)

        self._prepare_objective(objective_repn)
        cost = self._objective_costs()
        n_cols, n_rows = len(self._vars), len(row_lower)
        csr = (
            np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(values, dtype=float),
        )
        # the model's units (module docstring): scaled = factor * original
        factors = m.component("scaling_factor")

        def factor(component) -> float:
            return 1.0 if factors is None else float(factors.get(component, 1.0))

        self._col_scale = np.array([factor(v) for v in self._vars])
        self._obj_scale = factor(objective)
        entry_row = np.repeat(np.arange(n_rows), np.diff(csr[0]))
        in_scaled_columns = np.abs(csr[2]) / self._col_scale[csr[1]]
        self._row_scale = np.ones(n_rows)
        for row, (con, _, _) in enumerate(rows):
            given = None if factors is None else factors.get(con)
            if given is None:  # a row the model does not scale: equilibrate it
                sizes = in_scaled_columns[csr[0][row] : csr[0][row + 1]]
                given = 1.0 / _power_of_two_near_mean(sizes)
            self._row_scale[row] = float(given)
        values = csr[2] * self._row_scale[entry_row] / self._col_scale[csr[1]]

        h = quiet_highs()
        if self.settings.time_limit is not None:
            set_option(h, "time_limit", float(self.settings.time_limit), "solver.time_limit")
        if self.settings.threads is not None:
            set_option(h, "threads", int(self.settings.threads), "solver.threads")
        set_option(h, "mip_rel_gap", float(self.settings.mip_gap), "solver.mip_gap")
        for key, value in self.settings.options.items():
            set_option(h, key, value, f"solver.options.{key}")
        sense = (
            highspy.ObjSense.kMaximize
            if objective.sense == pyo.maximize
            else (highspy.ObjSense.kMinimize)
        )
        problem = out_of_range(h, values, self._scaled_costs(cost))
        if problem:
            raise SolverModelError(problem)
        status = h.passModel(
            n_cols,
            n_rows,
            len(indices),
            int(highspy.MatrixFormat.kRowwise),
            int(sense),
            self._objective_offset * self._obj_scale,
            self._scaled_costs(cost),
            lower * self._col_scale,
            upper * self._col_scale,
            np.array(row_lower) * self._row_scale,
            np.array(row_upper) * self._row_scale,
            csr[0],
            csr[1],
            values,
            integrality,
        )
        if status == highspy.HighsStatus.kError:
            raise SolverModelError("HiGHS refused the model (passModel returned an error)")
        self.highs = h
        reported = self.problem.reported_variables()
        self._reported_columns = np.array([self._col[id(v)] for v in reported], dtype=int)
        self._is_mip = bool(integrality.any())

    def _prepare_objective(self, repn) -> None:
        """Split the objective into cost vectors per mutable parameter: cost = c0 +
        sum_p value(p) * c_p (the parameters enter linearly, as the weights do)."""
        if repn.nonlinear_expr is not None:
            raise ValueError("the objective is not linear")
        self._objective_offset = float(pyo.value(repn.constant))
        self._cost_columns = np.array([self._col[id(v)] for v in repn.linear_vars], dtype=int)
        coefs = list(repn.linear_coefs)
        base = np.zeros(len(coefs))
        parts: dict[int, np.ndarray] = {}
        params: dict[int, object] = {}
        for i, coef in enumerate(coefs):
            if isinstance(coef, (int, float)):
                base[i] = coef
                continue
            found = _param_times_number(coef)
            if found is None:  # any other form: by evaluation at unit parameter values
                found = self._split_by_evaluation(coef)
            for param, number in found:
                params[id(param)] = param
                parts.setdefault(id(param), np.zeros(len(coefs)))[i] += number
            base[i] += _constant_part(coef, found)
        self._cost_params = list(params.values())
        self._cost_base = base
        self._cost_parts = [parts[id(p)] for p in self._cost_params]
        self._cost_values = None

    @staticmethod
    def _split_by_evaluation(coef) -> list[tuple[object, float]]:
        """(parameter, coefficient) pairs of a coefficient linear in its parameters."""
        found = list(identify_mutable_parameters(coef))
        saved = [p.value for p in found]
        for param in found:
            param.set_value(0.0)
        zero = float(pyo.value(coef))
        pairs = []
        for param in found:
            param.set_value(1.0)
            pairs.append((param, float(pyo.value(coef)) - zero))
            param.set_value(0.0)
        for param, value in zip(found, saved, strict=True):
            param.set_value(value)
        return pairs

    def _scaled_costs(self, cost: np.ndarray) -> np.ndarray:
        """Column costs in the scaled model: objective factor * cost / column factor."""
        return cost * self._obj_scale / self._col_scale

    def _objective_costs(self) -> np.ndarray:
        cost = np.zeros(len(self._vars))
        values = [float(p.value) for p in self._cost_params]
        per_term = self._cost_base + sum(
            v * part for v, part in zip(values, self._cost_parts, strict=True)
        )
        np.add.at(cost, self._cost_columns, per_term)
        self._cost_values = values
        return cost

    # ------------------------------------------------------------------ re-solves
    def _push_parameters(self) -> None:
        h = self.highs
        for row, con, constant in self._mutable_rows:
            lower = _bound(pyo.value(con.lower), -INF + constant) - constant
            upper = _bound(pyo.value(con.upper), INF + constant) - constant
            scale = self._row_scale[row]
            h.changeRowBounds(row, lower * scale, upper * scale)
        if [float(p.value) for p in self._cost_params] != self._cost_values:
            cost = self._scaled_costs(self._objective_costs())
            columns = np.arange(len(cost), dtype=np.int32)
            h.changeColsCost(len(cost), columns, cost)

    def column_of(self, var) -> int:
        """HiGHS column of a Pyomo variable."""
        self.prepare()
        return self._col[id(var)]

    def _push_bounds(self, variables: list) -> None:
        """Push the bounds of these Pyomo variables (each once) to HiGHS (no rebuild)."""
        columns = np.array([self._col[id(v)] for v in variables], dtype=np.int32)
        lower = np.array([_bound(v.lb, -INF) for v in variables]) * self._col_scale[columns]
        upper = np.array([_bound(v.ub, INF) for v in variables]) * self._col_scale[columns]
        self.highs.changeColsBounds(len(columns), columns, lower, upper)

    def tighten_tolerances(self) -> bool:
        """Set HiGHS's primal and MIP feasibility tolerances to `TIGHT_TOLERANCES` where
        they are looser. True when something changed (a re-solve may then differ)."""
        self.prepare()
        changed = False
        for name, value in TIGHT_TOLERANCES.items():
            if self.highs.getOptionValue(name)[1] > value:
                set_option(self.highs, name, value, name)
                changed = True
        return changed

    def set_start(self, variables, values: np.ndarray) -> None:
        """Offer these variables' values as a starting incumbent (other columns left to
        HiGHS). Nothing for an LP: a given solution would replace the kept basis (warm
        start)."""
        self.prepare()
        if not self._is_mip:
            return
        columns = np.array([self._col[id(v)] for v in variables], dtype=np.int32)
        scaled = np.asarray(values, dtype=float) * self._col_scale[columns]
        self.highs.setSolution(len(columns), columns, scaled)

    def solve(self) -> SolveResult:
        self.prepare()
        changed = self.problem.take_changed_bounds()
        if changed:
            self._push_bounds(changed)
        self._push_parameters()
        h = self.highs
        started = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - started
        info = h.getInfo()
        status = STATUS.get(h.getModelStatus(), SolveStatus.ERROR)
        has_incumbent = info.primal_solution_status == 2  # kSolutionStatusFeasible
        termination = h.modelStatusToString(h.getModelStatus())
        if h.getModelStatus() == highspy.HighsModelStatus.kModelEmpty:
            status, has_incumbent = SolveStatus.OPTIMAL, True  # no column at all: nothing to decide
            termination = "nothing to decide"
        if status == SolveStatus.TIME_LIMIT and not has_incumbent:
            status = SolveStatus.NO_SOLUTION
        result = SolveResult(
            status=status,
            termination=termination,
            solver="highs",
            solver_version=f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}",
            seconds=seconds,
        )
        self._last_values = None
        if has_incumbent and status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT):
            solution = h.getSolution()  # in the scaled model's units: unscale
            self._last_values = np.asarray(solution.col_value) / self._col_scale
            self._last_duals = (
                np.asarray(solution.row_dual) * self._row_scale / self._obj_scale,
                np.asarray(solution.col_dual) * self._col_scale / self._obj_scale,
            )
            result.values = self._last_values[self._reported_columns]
            result.objective = float(info.objective_function_value) / self._obj_scale
            is_mip = info.mip_node_count >= 0
            bound = float(info.mip_dual_bound) / self._obj_scale
            result.bound = bound if is_mip else result.objective
            gap = float(info.mip_gap) if is_mip else 0.0
            result.gap = gap if np.isfinite(gap) else 0.0
        return result

    # ------------------------------------------------------------------ read back
    def load_values(self, variables: list) -> None:
        """Put the last solution's values of these Pyomo variables into the model."""
        for var in variables:
            var.set_value(float(self._last_values[self._col[id(var)]]), skip_validation=True)

    def dual(self, constraint) -> float:
        """Shadow price of a constraint after the last LP solve (objective units per unit
        of its right-hand side)."""
        if self._last_duals is None:
            raise RuntimeError("no solve yet")
        return float(self._last_duals[0][self._rows[id(constraint)]])

    def reduced_costs(self, variables: list) -> np.ndarray:
        """Reduced costs of these variables after the last LP solve (objective units)."""
        if self._last_duals is None:
            raise RuntimeError("no solve yet")
        return np.array([self._last_duals[1][self._col[id(v)]] for v in variables])
