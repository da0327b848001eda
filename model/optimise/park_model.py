"""A built Pyomo model of a park, and the only door through which the rest of `model`
changes it (`ParkModel`).

`model.optimise.formulation.build_model` builds it. Studies, the why-not analysis and the
explanation of infeasibility change the model only through the named methods below
(`set_budget`, `set_weights`, `set_floors`, `force_in`, `force_out`, `release`,
`minimise_budget_use`, `add_elastic_limits`, `set_elastic`), never through Pyomo
component names, so the formulation can change without them.

What can change between solves is a mutable parameter (budget, weights, floors: a
persistent solver re-reads it before every solve) or a variable bound (forcing a
project, the elastic variables): the methods that change bounds record the variables,
and a persistent solver takes them (`take_changed_bounds`) before its next solve.

The solver layer (solvers/) reports the values of `reported_variables()` as it found
them; `project_levels` turns them into project levels, rounding binary projects to
exactly 0 or 1 (so "chosen" never depends on solver noise, model/appraise/evaluate.py).
This is the one place where levels are rounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn

from model.compile.park import ParkData
from model.optimise.limits import Limit
from model.optimise.scaling import ModelUnits


@dataclass(frozen=True)
class FloorsOff:
    """The values at which the epsilon floors of math.md 12 are inactive: finite values no
    portfolio can fall below (every increase taken, no reduction)."""

    pollution: float
    energy: float


@dataclass
class ParkModel:
    """A built model, the index maps that tie its rows/columns back to the park, and the
    named changes studies make to it (module docstring)."""

    park: ParkData
    model: pyo.ConcreteModel
    emission_pairs: np.ndarray  # (K, 2): enterprise row, pollutant column
    energy_pairs: np.ndarray  # (L, 2): enterprise row, carrier column
    relaxed: bool = False
    units: ModelUnits | None = None  # the units the solver works in (math.md 13)
    no_budget_limit: float = np.inf  # the budget value meaning "no limit" (math.md 3)
    floors_off: FloorsOff = field(default_factory=lambda: FloorsOff(-np.inf, -np.inf))
    _changed_bounds: list = field(default_factory=list, repr=False)

    # ------------------------------------------------------------ what solvers read
    def reported_variables(self) -> list:
        """The variables whose values a solve reports: x[j] for every project, then
        (several years) start[j, t] year by year."""
        variables = list(self.model.x.values())
        if self.park.multi_year:
            n, years = self.park.n_projects, len(self.park.years)
            variables += [self.model.start[j, t] for t in range(years) for j in range(n)]
        return variables

    def take_changed_bounds(self) -> list:
        """The variables whose bounds the named methods changed since the last call, each
        once (a solver reads their bounds as they are now)."""
        changed = list({id(var): var for var in self._changed_bounds}.values())
        self._changed_bounds = []
        return changed

    def project_levels(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x (N,) the levels done within the horizon and the (Y, N) levels started each
        year (one year: x itself), from the values of `reported_variables()`: clipped to
        [0, 1] and, for binary projects, rounded to 0 or 1."""
        n = self.park.n_projects
        binary = ~(self.park.divisible | self.relaxed)

        def clean(levels: np.ndarray) -> np.ndarray:
            levels = np.clip(levels, 0.0, 1.0) + 0.0  # + 0.0 turns -0.0 into 0.0
            levels[..., binary] = np.round(levels[..., binary])
            return levels

        values = np.asarray(values, dtype=float)
        x = clean(values[:n].copy())
        if not self.park.multi_year:
            return x, x[None, :]
        return x, clean(values[n:].reshape(len(self.park.years), n).copy())

    @property
    def project_variables(self) -> list:
        """x[j] for every project (e.g. for their reduced costs)."""
        return list(self.model.x.values())

    @property
    def budget_constraint(self):
        """The budget row (math.md 3), e.g. for its dual."""
        return self.model.budget_row

    # ------------------------------------------------------------ named changes
    @property
    def budget(self) -> float:
        """The budget the model holds now (CNY counted in the budget)."""
        return float(self.model.budget.value)

    def set_budget(self, amount: float | None) -> None:
        """Budget B of math.md 3; None (or infinity) means no limit (`no_budget_limit`)."""
        no_limit = amount is None or not np.isfinite(amount)
        self.model.budget.set_value(self.no_budget_limit if no_limit else float(amount))

    def set_weights(self, pollution: float, energy: float) -> None:
        """Objective weights w_pol and w_en of the weighted objective (math.md 9)."""
        self.model.weight_pollution.set_value(float(pollution))
        self.model.weight_energy.set_value(float(energy))

    @property
    def has_floors(self) -> bool:
        """True when the model holds the epsilon rows of math.md 12."""
        return len(self.model.pollution_floor_row) > 0

    @property
    def floors(self) -> tuple[float, float]:
        """The epsilon floors (eps_PE, eps_T) as set now."""
        return float(self.model.pollution_floor.value), float(self.model.energy_floor.value)

    def set_floors(self, pollution: float | None = None, energy: float | None = None) -> None:
        """Epsilon floors PE >= eps_PE and T >= eps_T (math.md 12); None turns one off."""
        off = self.floors_off
        self.model.pollution_floor.set_value(off.pollution if pollution is None else pollution)
        self.model.energy_floor.set_value(off.energy if energy is None else energy)

    def _set_project_bounds(self, j: int, lower: float, upper: float) -> None:
        var = self.model.x[j]
        var.setlb(lower)
        var.setub(upper)
        self._changed_bounds.append(var)

    def force_in(self, j: int) -> None:
        """Project j must be done: x_j = 1 (over several years: started in some year)."""
        self._set_project_bounds(j, 1.0, 1.0)

    def force_out(self, j: int) -> None:
        """Project j must not be done: x_j = 0."""
        self._set_project_bounds(j, 0.0, 0.0)

    def release(self, j: int) -> None:
        """Project j back to its bounds at build time (math.md 11: 1 for an option done at
        once, 0 for one screened out, else free in [0, 1])."""
        park = self.park
        lower = 1.0 if park.forced[j] else 0.0
        self._set_project_bounds(j, lower, 0.0 if park.excluded[j] else 1.0)

    def minimise_budget_use(self) -> None:
        """Make the objective min sum_j c_j x_j, what the portfolio takes from the budget
        (the body of the budget row, math.md 3 and 11), in place of math.md 9's."""
        self.model.objective.set_value(self.model.budget_row.body)
        self.model.objective.sense = pyo.minimize

    # ------------------------------------------------------------ elastic limits
    def add_elastic_limits(self, limits: Sequence[Limit]) -> np.ndarray:
        """Give every limit i a relaxation variable r_i (fixed at 0 until `set_elastic`)
        that moves its rows' right-hand side outwards by s_i r_i, with s_i the size of the
        row (what it asks, in the model's units), and replace the objective by
        sum_i w_i r_i (the weights w_i are set by `set_elastic`). A hard permit, a lower
        bound a_ept >= b - permit on the tonnes avoided, becomes the row
        a_ept + s_i r_i >= b - permit. Returns the sizes s_i."""
        m = self.model
        m.objective.deactivate()
        n = len(limits)
        m.relax = pyo.Var(range(n), bounds=(0.0, 0.0))
        m.relax_weight = pyo.Param(range(n), mutable=True, initialize=0.0)
        m.relax_rows = pyo.ConstraintList()
        sizes = np.ones(n)
        pair_of = {(int(e), int(p)): k for k, (e, p) in enumerate(self.emission_pairs)}
        terms: dict[int, tuple[object, list[int]]] = {}
        for i, limit in enumerate(limits):
            if limit.kind == "permit":
                k = pair_of[limit.row, limit.item]
                first = m.avoided[k, limit.year]
                needed, baseline = float(first.lb), float(first.ub)
                sizes[i] = max(abs(needed), abs(baseline - needed)) or 1.0  # removal, permit
                for t in limit.years:
                    var = m.avoided[k, t]
                    bound = float(var.lb)
                    var.setlb(None)
                    m.relax_rows.add(var + sizes[i] * m.relax[i] >= bound)
                continue
            rows = self._rows_of(limit)
            bound = rows[0].upper if rows[0].has_ub() else rows[0].lower
            sizes[i] = _row_size(rows[0], float(pyo.value(bound)))
            for row in rows:
                terms.setdefault(id(row), (row, []))[1].append(i)
        for row, members in terms.values():
            row.deactivate()
            shift = sum(sizes[i] * m.relax[i] for i in members)
            if row.has_ub():
                m.relax_rows.add(row.body - shift <= row.upper)
            else:
                m.relax_rows.add(row.body + shift >= row.lower)
        m.relax_objective = pyo.Objective(
            expr=sum(m.relax_weight[i] * m.relax[i] for i in range(n)), sense=pyo.minimize
        )
        return sizes

    def set_elastic(
        self, bounds: Sequence[tuple[float | None, float | None]], weights: Sequence[float]
    ) -> None:
        """Bounds of each relaxation variable r_i (0, 0: limit kept; 0, None: may move
        outwards; None, None: free) and its weight w_i in the objective."""
        m = self.model
        for i, ((lower, upper), weight) in enumerate(zip(bounds, weights, strict=True)):
            m.relax[i].setlb(lower)
            m.relax[i].setub(upper)
            m.relax_weight[i] = weight
            self._changed_bounds.append(m.relax[i])

    def _rows_of(self, limit: Limit) -> list:
        """The model rows that hold `limit`: one per year it holds in (with carry-over, a
        year's budget is in its own cumulative row and every later one)."""
        m, kind = self.model, limit.kind
        if kind == "budget":
            return [m.budget_row]
        if kind == "public_budget":
            return [m.public_budget_row[0]]
        if kind == "budget_year":
            if not self.park.carry_over:
                return [m.budget_year_row[limit.year]]
            return [m.budget_year_row[s] for s in m.budget_year_row if s >= limit.year]
        if kind == "park_cap":
            return [m.park_cap_row[limit.item, t] for t in limit.years]
        if kind == "reduction":
            return [m.reduction_row[limit.item, t] for t in limit.years]
        if kind == "energy_cap":
            return [m.energy_cap_row[t] for t in limit.years]
        return [m.energy_reduction_row[t] for t in limit.years]


def _row_size(row, relaxed_bound: float) -> float:
    """What a row asks, in the model's units: |right-hand side|, or a thousandth of its
    largest activity when the right-hand side is (near) zero (1 for an empty row)."""
    repn = generate_standard_repn(row.body, compute_values=True, quadratic=False)
    activity = 0.0
    for coef, var in zip(repn.linear_coefs, repn.linear_vars, strict=True):
        bounds = [abs(b) for b in (var.lb, var.ub) if b is not None]
        activity += abs(float(coef)) * (max(bounds) if bounds else 1.0)
    return max(abs(relaxed_bound), 1e-3 * activity) or 1.0
