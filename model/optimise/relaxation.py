"""How far each hard limit of an infeasible scenario must move, found by re-solves.

A *limit* is one number the planner set: the total budget, a year's budget, the public
subsidy budget, an enterprise's permit for a pollutant, a park cap or a park reduction
target for a pollutant, the park energy cap or the energy reduction target; over several
planning years, a permit, cap or target set to one value for consecutive years is one
limit holding in each of them (`limits_of`). Exclusive groups, prerequisites,
shared-facility capacities, options done at once and the screening are the park's
structure, never relaxed here.

For a portfolio (or a plan: the levels started each year), `achieved` is the value of a
limit that the portfolio just meets: its net capex for the budget, the enterprise's
emissions after for a permit, the park's emissions after for a cap, the tonnes removed
for a reduction target (the tce saved for the energy target). `excess` is how far the
portfolio is on the wrong side of the limit (achieved - limit for a budget, permit or
cap; limit - achieved for a target), in the limit's own unit; negative = a margin.

One model serves every question (`RelaxationModel`): the scenario's model in which the
row (or, for a hard permit, the variable bound) of every limit i gets a relaxation
variable r_i, moving its right-hand side by s_i r_i, where s_i is the size of that row
(what it asks, in the model's own units), so r_i is a relative relaxation. The bounds of
r_i say what is asked of limit i: r_i = 0 keeps it, r_i >= 0 lets it move outwards
(without an upper bound: drops it), r_i free lets it move either way. The questions:

* `elastic(kept)`: every limit not in `kept` may move outwards; minimise sum r_i. The
  limits with r_i > 0 are a set whose joint relaxation makes the scenario feasible (the
  smallest total relative relaxation), and a proof of it (the portfolio found).
* `least(i, dropped)`: limit i free, the limits in `dropped` removed, every other limit
  kept; minimise r_i. The optimum's `excess` is the least relaxation of limit i alone:
  for the budget, min net capex subject to every other limit, minus the budget. An
  infeasible answer proves that relaxing limit i alone, however far, is not enough.

`conflict` combines them: elastic solves, each with the limits named by the earlier ones
kept, find candidate limits until the elastic model itself is infeasible (then every
limit that can restore feasibility alone is among the candidates: such a limit would
make that elastic model feasible); `least` then settles each candidate. `forcing` finds,
for one limit that must move, the other limits whose removal lowers its least relaxation
(a limit that no portfolio can violate is skipped: removing it changes nothing).

Every amount is recomputed from the portfolio with `model.appraise.evaluate` in the planner's
units, so it does not depend on how the solver scaled the model.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn

from model.appraise.evaluate import yearly_states
from model.compile.park import ParkData
from model.formatting import amount, money, percent
from model.input.run_options import SolverOptions
from model.optimise.formulation import ParkModel, build_model

UPPER_KINDS = ("budget", "budget_year", "public_budget", "permit", "park_cap", "energy_cap")
"""Limits on a quantity that must stay at or below the limit (the others: at or above)."""

MONEY_KINDS = ("budget", "budget_year", "public_budget")

SOLVE_SECONDS = 10.0
"""Time limit of each re-solve (or the scenario's own, if shorter)."""

TOTAL_SECONDS = 30.0
"""Time after which no further re-solve is started (the explanation says what is left)."""

MAX_SOLVES = 40
"""Most re-solves in all, so that the explanation is the same on a fast or a busy machine
(the demo park needs 25; a larger park's forcing checks stop here, and say so)."""

MAX_ROUNDS = 4
"""Most elastic solves made to find candidate limits."""

RELATIVE_TOLERANCE = 1e-6
"""Relaxations smaller than this share of a row's size count as none (solver noise)."""


@dataclass(frozen=True)
class Limit:
    """One hard limit. `value` in `unit` (CNY, t/yr, tce/yr); for a reduction target,
    the amount to remove or save, with the fraction set in `fraction`. `years`: the
    planning-year indices it holds in (a limit set to one value for several consecutive
    years is one number to the planner, so one limit; empty for the total and the public
    budget)."""

    kind: str
    label: str
    unit: str
    value: float
    years: tuple[int, ...] = ()
    row: int | None = None  # enterprise row (permits)
    item: int | None = None  # pollutant column (permits, caps, reduction targets)
    fraction: float | None = None  # reduction targets: fraction of the park baseline

    @property
    def year(self) -> int:
        """The (first) planning-year index, e.g. of a year's budget."""
        return self.years[0]

    @property
    def upper(self) -> bool:
        """True when the limited quantity must stay at or below `value`."""
        return self.kind in UPPER_KINDS

    def moved(self, relaxation: float) -> float:
        """The limit's value after relaxing it by `relaxation` (up for a budget, permit or
        cap; down for a target)."""
        return self.value + relaxation if self.upper else self.value - relaxation

    def show(self, value: float) -> str:
        """A value of this limit's quantity for people (money, or an amount)."""
        return money(value) if self.kind in MONEY_KINDS else amount(value, self.unit)


def year_runs(values: np.ndarray) -> list[tuple[int, ...]]:
    """Runs of consecutive year indices with the same value (NaN = no limit, no run):
    [5, 5, 4] -> [(0, 1), (2,)]; [nan, 3, 3] -> [(1, 2)]."""
    runs: list[list[int]] = []
    for t, value in enumerate(values):
        if np.isnan(value):
            continue
        if runs and runs[-1][-1] == t - 1 and values[t - 1] == value:
            runs[-1].append(t)
        else:
            runs.append([t])
    return [tuple(run) for run in runs]


def when(park: ParkData, years: tuple[int, ...]) -> str:
    """' in 2022', ' in 2021-2022', or '' (a single planning year, or every year)."""
    if not park.multi_year or len(years) == len(park.years):
        return ""
    first, last = park.years[years[0]], park.years[years[-1]]
    return f" in {first}" if first == last else f" in {first}-{last}"


def limits_of(park: ParkData) -> list[Limit]:
    """Every hard limit the scenario sets, in the order budgets, park caps, targets,
    energy limits, permits; a permit, cap or target with one value over consecutive
    years is one limit (`Limit.years`)."""
    limits: list[Limit] = []
    if np.isfinite(park.budget_total):
        limits.append(
            Limit("budget", f"budget {money(park.budget_total)}", "CNY", park.budget_total)
        )
    for t, value in enumerate(park.budget_per_year):
        if np.isfinite(value):
            label = f"budget for {park.years[t]} {money(value)}"
            limits.append(Limit("budget_year", label, "CNY", float(value), years=(t,)))
    if np.isfinite(park.public_budget) and (park.subsidy > 0).any():
        label = f"public subsidy budget {money(park.public_budget)}"
        limits.append(Limit("public_budget", label, "CNY", park.public_budget))
    baseline = park.baseline_emissions.sum(axis=0)
    for p, pollutant in enumerate(park.pollutant_ids):
        for run in year_runs(park.park_cap_by_year[:, p]):
            cap = float(park.park_cap_by_year[run[0], p])
            label = f"park {pollutant} cap {amount(cap, 't/yr')}{when(park, run)}"
            limits.append(Limit("park_cap", label, "t/yr", cap, years=run, item=p))
    for p, pollutant in enumerate(park.pollutant_ids):
        for run in year_runs(park.reduction_by_year[:, p]):
            share = float(park.reduction_by_year[run[0], p])
            label = f"park {pollutant} reduction target {percent(share)}{when(park, run)}"
            needed = share * float(baseline[p])
            limits.append(
                Limit("reduction", label, "t/yr", needed, years=run, item=p, fraction=share)
            )
    for run in year_runs(park.energy_cap_by_year):
        cap = float(park.energy_cap_by_year[run[0]])
        label = f"park energy cap {amount(cap, 'tce/yr')}{when(park, run)}"
        limits.append(Limit("energy_cap", label, "tce/yr", cap, years=run))
    for run in year_runs(park.energy_reduction_by_year):
        share = float(park.energy_reduction_by_year[run[0]])
        label = f"park energy reduction target {percent(share)}{when(park, run)}"
        needed = share * park.baseline_tce()
        limits.append(Limit("energy_reduction", label, "tce/yr", needed, years=run, fraction=share))
    if park.permit_mode == "hard":
        rows, cols = np.nonzero(~np.isnan(park.permit_by_year).all(axis=0))
        for e, p in zip(rows, cols, strict=True):
            for run in year_runs(park.permit_by_year[:, e, p]):
                value = float(park.permit_by_year[run[0], e, p])
                label = (
                    f"{park.enterprise_ids[e]} {park.pollutant_ids[p]} permit "
                    f"{amount(value, 't/yr')}{when(park, run)}"
                )
                limits.append(
                    Limit("permit", label, "t/yr", value, years=run, row=int(e), item=int(p))
                )
    return limits


# ---------------------------------------------------------------- the planner's units
def _spending(park: ParkData, starts: np.ndarray) -> np.ndarray:
    """(Y,) net capex counted in the budget in each start year."""
    return np.asarray(starts, dtype=float) @ park.budget_capex()


def _shortfalls(park: ParkData, starts: np.ndarray) -> np.ndarray:
    """(Y,) with carry-over: spending up to each year minus the budgets up to it (the
    cumulative rows of docs/math.md 10; > 0 = that row is broken)."""
    budgets = np.where(np.isfinite(park.budget_per_year), park.budget_per_year, 0.0)
    return np.cumsum(_spending(park, starts)) - np.cumsum(budgets)


def achieved(
    park: ParkData,
    limit: Limit,
    starts: np.ndarray,
    states: list | None = None,
    dropped_years: Iterable[int] = (),
) -> float:
    """The value of `limit` that the plan `starts` ((Y, N) levels started each year; a
    single year: the portfolio as one row) just meets, in the limit's unit.

    budget: net capex; a year's budget: that year's net capex, or with carry-over the
    least budget B'_t for year t that keeps its own and every later cumulative row met
    (raising B_t raises them all): B_t + max over s >= t of (spending up to s - budgets
    up to s), the later rows counted only up to the first later year whose budget is
    dropped (`dropped_years`: from there on the rows hold whatever B'_t is); public
    budget: the subsidies; permit: the enterprise's emissions after; park cap: the
    park's emissions after; reduction target: tonnes removed from the park baseline;
    energy cap: the park's tce after; energy target: tce saved; each in the limit's
    worst year (the largest quantity of an upper limit, the smallest of a target).
    `states`: the plan's `yearly_states`, when already computed."""
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    x = starts.sum(axis=0)
    if limit.kind == "budget":
        return float(park.budget_capex() @ x)
    if limit.kind == "public_budget":
        return float(park.subsidy @ x)
    if limit.kind == "budget_year":
        spent = _spending(park, starts)
        t = limit.year
        if not park.carry_over:
            return float(spent[t])
        free_from = min([u for u in dropped_years if u > t], default=len(park.years))
        return float(limit.value + _shortfalls(park, starts)[t:free_from].max())
    states = states or yearly_states(park, starts)
    by_year = [_year_quantity(park, limit, states[t]) for t in limit.years]
    return max(by_year) if limit.upper else min(by_year)


def _year_quantity(park: ParkData, limit: Limit, state) -> float:
    """A permit's, cap's or target's quantity in one year's state (see `achieved`)."""
    if limit.kind == "permit":
        return float(state.emissions[limit.row, limit.item])
    if limit.kind == "park_cap":
        return float(state.emissions[:, limit.item].sum())
    if limit.kind == "reduction":
        baseline = float(park.baseline_emissions[:, limit.item].sum())
        return baseline - float(state.emissions[:, limit.item].sum())
    tce_after = float(state.energy_tce.sum())
    if limit.kind == "energy_cap":
        return tce_after
    return park.baseline_tce() - tce_after  # energy_reduction


def excesses(
    park: ParkData, limits: Sequence[Limit], starts: np.ndarray, dropped: Iterable[int] = ()
) -> np.ndarray:
    """How far the plan `starts` is on the wrong side of each limit alone, every other
    limit as set except those in `dropped` (indices), in the limit's unit: achieved -
    limit for a budget, permit or cap; limit - achieved for a target; negative: a
    margin. Only a year's budget with carry-over depends on the others (`achieved`)."""
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    states = yearly_states(park, starts)
    dropped_years = [limits[k].year for k in dropped if limits[k].kind == "budget_year"]
    values = np.array([achieved(park, limit, starts, states, dropped_years) for limit in limits])
    limit_values = np.array([limit.value for limit in limits])
    upper = np.array([limit.upper for limit in limits], dtype=bool)
    return np.where(upper, values - limit_values, limit_values - values)


def joint_relaxations(
    park: ParkData, limits: Sequence[Limit], starts: np.ndarray, movable: Iterable[int]
) -> np.ndarray:
    """Relaxations of the `movable` limits (indices) that together let the plan
    `starts` meet every limit, in the limits' units (0 where none is needed).

    Each limit's own excess, except the years' budgets with carry-over, where raising
    year u's budget helps every cumulative row s >= u: the rows are taken in order and
    a row's remaining shortfall is put on the latest movable year up to it, which needs
    the least money in all (what a row needs must come from some year up to it, and
    any such year helps the later rows alike)."""
    movable = set(movable)
    values = np.clip(excesses(park, limits, starts), 0.0, None)
    values[[i for i in range(len(limits)) if i not in movable]] = 0.0
    years = {limits[i].year: i for i in movable if limits[i].kind == "budget_year"}
    if park.carry_over and years:
        for i in years.values():
            values[i] = 0.0
        given = 0.0
        for s, short in enumerate(_shortfalls(park, starts)):
            earlier = [u for u in years if u <= s]
            if short - given > 0 and earlier:
                values[years[max(earlier)]] += short - given
                given = short
    return values


def can_be_violated(park: ParkData, limit: Limit) -> bool:
    """False only when no portfolio can break `limit` (so removing it changes nothing):
    a permit or cap that the baseline plus every increase of the projects concerned
    still meets, a target of zero. Budgets always count."""
    if limit.kind in MONEY_KINDS:
        return True
    if limit.kind in ("reduction", "energy_reduction"):
        return limit.value > 0
    tolerance = 1e-9 * max(1.0, abs(limit.value))
    if limit.kind == "energy_cap":
        increases = np.clip(-park.saves.toarray(), 0.0, None)
        rows = np.zeros_like(park.baseline_energy)
        np.add.at(rows, park.owner, increases)
        worst = float(((park.baseline_energy + rows) @ park.tce_per_unit).sum())
        return worst > limit.value + tolerance
    increases = np.clip(-park.reduces[:, [limit.item]].toarray()[:, 0], 0.0, None)
    column = park.baseline_emissions[:, limit.item]
    if limit.kind == "permit":
        worst = column[limit.row] + increases[park.owner == limit.row].sum()
    else:  # park_cap
        worst = column.sum() + increases.sum()
    return bool(worst > limit.value + tolerance)


# ---------------------------------------------------------------- the model
@dataclass
class Answer:
    """One re-solve: its status and, with a portfolio, the plan and its excess per
    limit (in the limits' units)."""

    status: str
    starts: np.ndarray | None = None
    x: np.ndarray | None = None
    excesses: np.ndarray | None = None

    @property
    def found(self) -> bool:
        return self.starts is not None


def _row_size(row, relaxed_bound: float) -> float:
    """What a row asks, in the model's units: |right-hand side|, or a thousandth of its
    largest activity when the right-hand side is (near) zero (1 for an empty row)."""
    repn = generate_standard_repn(row.body, compute_values=True, quadratic=False)
    activity = 0.0
    for coef, var in zip(repn.linear_coefs, repn.linear_vars, strict=True):
        bounds = [abs(b) for b in (var.lb, var.ub) if b is not None]
        activity += abs(float(coef)) * (max(bounds) if bounds else 1.0)
    return max(abs(relaxed_bound), 1e-3 * activity) or 1.0


class RelaxationModel:
    """The scenario's model with a relaxation variable on every limit (module docstring),
    kept in one persistent solver for all the re-solves."""

    def __init__(
        self,
        park: ParkData,
        options: SolverOptions,
        total_seconds: float = TOTAL_SECONDS,
        max_solves: int = MAX_SOLVES,
    ) -> None:
        from solvers.factory import make_solver  # local import: solvers import the formulation

        self.park = park
        self.limits = limits_of(park)
        self.park_model: ParkModel = build_model(park)
        m = self.park_model.model
        m.objective.deactivate()
        n = len(self.limits)
        m.relax = pyo.Var(range(n), bounds=(0.0, 0.0))
        m.relax_weight = pyo.Param(range(n), mutable=True, initialize=0.0)
        m.relax_rows = pyo.ConstraintList()
        self.sizes = np.ones(n)
        self._attach(m)
        m.relax_objective = pyo.Objective(
            expr=sum(m.relax_weight[i] * m.relax[i] for i in range(n)), sense=pyo.minimize
        )
        gap = min(options.mip_gap, 1e-6)
        settings = {"mip_gap": gap}
        if options.name.lower() == "highs":
            settings["options"] = {**options.options, "mip_abs_gap": 1e-9}
        limit = min(options.time_limit or SOLVE_SECONDS, SOLVE_SECONDS)
        settings["time_limit"] = limit
        self.options = options.model_copy(update=settings)
        self.solver = make_solver(self.park_model, self.options)
        self.solves = 0
        self.max_solves = max_solves
        self.deadline = time.perf_counter() + total_seconds

    def can_solve(self) -> bool:
        """True while the effort allowed (re-solves, time) is not used up."""
        return self.solves < self.max_solves and time.perf_counter() < self.deadline

    def _attach(self, m: pyo.ConcreteModel) -> None:
        """Relax each limit's rows: body - s r <= upper, or body + s r >= lower; a hard
        permit (a lower bound on the tonnes avoided) becomes such a row."""
        pair_of = {(int(e), int(p)): k for k, (e, p) in enumerate(self.park_model.emission_pairs)}
        terms: dict[int, tuple[object, list]] = {}
        for i, limit in enumerate(self.limits):
            if limit.kind == "permit":
                k = pair_of[limit.row, limit.item]
                first = m.avoided[k, limit.year]
                needed, baseline = float(first.lb), float(first.ub)
                size = max(abs(needed), abs(baseline - needed)) or 1.0  # removal, permit
                self.sizes[i] = size
                for t in limit.years:
                    var = m.avoided[k, t]
                    bound = float(var.lb)
                    var.setlb(None)
                    m.relax_rows.add(var + size * m.relax[i] >= bound)
                continue
            rows = self._rows_of(m, limit)
            first = rows[0]
            bound = first.upper if first.has_ub() else first.lower
            self.sizes[i] = _row_size(first, float(pyo.value(bound)))
            for row in rows:
                terms.setdefault(id(row), (row, []))[1].append(i)
        for row, members in terms.values():
            row.deactivate()
            shift = sum(self.sizes[i] * m.relax[i] for i in members)
            if row.has_ub():
                m.relax_rows.add(row.body - shift <= row.upper)
            else:
                m.relax_rows.add(row.body + shift >= row.lower)

    def _rows_of(self, m: pyo.ConcreteModel, limit: Limit) -> list:
        """The model rows that hold `limit`: one per year it holds in (with carry-over, a
        year's budget is in its own cumulative row and every later one)."""
        kind = limit.kind
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

    def solve(
        self,
        bounds: Sequence[tuple[float | None, float | None]],
        weights: Sequence[float],
        start: np.ndarray | None = None,
        dropped: Iterable[int] = (),
        joint: Iterable[int] | None = None,
    ) -> Answer:
        """One re-solve with these bounds on the relaxation variables and this
        objective (sum of weights times relaxations); `start`: project levels offered
        as a first incumbent. The answer's `excesses` are each limit's alone with the
        limits in `dropped` removed (`excesses`), or, given the `joint` movable limits,
        their joint relaxations (`joint_relaxations`)."""
        m = self.park_model.model
        variables = list(m.relax.values())
        for var, (lower, upper), weight, i in zip(
            variables, bounds, weights, range(len(variables)), strict=True
        ):
            var.setlb(lower)
            var.setub(upper)
            m.relax_weight[i] = weight
        self.solver.update_bounds(variables)
        if start is not None:
            self.solver.set_mip_start(start)
        result = self.solver.solve()
        self.solves += 1
        if not result.has_solution:
            return Answer(status=result.status)
        starts = result.starts if result.starts is not None else result.x[None, :]
        return Answer(
            status=result.status,
            starts=starts,
            x=result.x,
            excesses=(
                excesses(self.park, self.limits, starts, dropped)
                if joint is None
                else joint_relaxations(self.park, self.limits, starts, joint)
            ),
        )

    def tolerance(self, i: int, value: float = 0.0) -> float:
        """Smallest relaxation of limit i (its unit) that counts as one."""
        limit = self.limits[i]
        return RELATIVE_TOLERANCE * max(abs(limit.value), abs(value), 1e-9)

    def elastic(self, kept: Iterable[int] = ()) -> Answer:
        """Every limit not in `kept` may move outwards; minimise the sum of relative
        relaxations."""
        kept = set(kept)
        n = len(self.limits)
        bounds = [(0.0, 0.0) if i in kept else (0.0, None) for i in range(n)]
        movable = [i for i in range(n) if i not in kept]
        weights = [0.0 if i in kept else 1.0 for i in range(n)]
        return self.solve(bounds, weights, joint=movable)

    def least(self, i: int, dropped: Iterable[int] = (), start: np.ndarray | None = None) -> Answer:
        """Limit i free, `dropped` removed, every other limit kept: minimise limit i's
        relaxation. The answer's `excesses[i]` is then limit i's least relaxation."""
        dropped = set(dropped)
        n = len(self.limits)
        bounds = [
            (None, None) if k == i else (0.0, None) if k in dropped else (0.0, 0.0)
            for k in range(n)
        ]
        weights = [1.0 if k == i else 0.0 for k in range(n)]
        return self.solve(bounds, weights, start, dropped=dropped)


# ---------------------------------------------------------------- the questions
@dataclass
class Forcing:
    """Other limits whose removal alone lowers a limit's least relaxation: `found` pairs
    (limit index, least relaxation without it), most forcing first; `checked` of
    `candidates` limits were re-solved (fewer when the effort ran out). For the limits
    in `unproven` the re-solve stopped at its time limit: the relaxation without them
    is at most the one given (they force at least that much)."""

    found: list[tuple[int, float]] = field(default_factory=list)
    checked: int = 0
    candidates: int = 0
    unproven: set[int] = field(default_factory=set)


@dataclass
class LeastRelaxation:
    """Limit `index` alone: `status` 'optimal' (proven least), 'time_limit' (the best
    found, not proven least), 'infeasible' (relaxing it alone is not enough) or
    'unknown' (no answer in the time allowed). `amount` in the limit's unit."""

    index: int
    status: str
    amount: float | None = None
    starts: np.ndarray | None = None
    x: np.ndarray | None = None
    forcing: Forcing | None = None

    @property
    def fixes(self) -> bool:
        return self.amount is not None


@dataclass
class Conflict:
    """What `conflict` found: the first elastic solve's relaxations (limit index ->
    amount), the least relaxation of every candidate limit, and whether the search was
    complete (every limit that alone restores feasibility is among the candidates)."""

    limits: list[Limit]
    joint: dict[int, float]
    candidates: list[LeastRelaxation]
    complete: bool
    structural: bool = False  # no relaxation of the limits helps at all
    unsettled: int = 0  # candidates left unsolved when time ran out


def conflict(
    park: ParkData,
    options: SolverOptions,
    total_seconds: float = TOTAL_SECONDS,
    max_rounds: int = MAX_ROUNDS,
    max_solves: int = MAX_SOLVES,
) -> Conflict:
    """Find the limits in conflict, the least relaxation of each alone and the limits
    that force it.

    1. An elastic solve names a set of limits whose joint relaxation is enough.
    2. `least` settles each: how far it must move alone, or that alone it cannot help.
    3. When none of them can help alone, further elastic solves, each keeping every
       limit named so far, look for others (at most `max_rounds` elastic solves in
       all); one that is infeasible proves that no limit outside those named can
       restore feasibility alone (`complete`).
    4. `forcing` for each limit that can: the other limits that push it that far.

    No re-solve is started after `total_seconds` or `max_solves` re-solves; what is left
    is counted."""
    model = RelaxationModel(park, options, total_seconds, max_solves)
    limits = model.limits

    first = model.elastic()
    if not first.found:
        return Conflict(limits, {}, [], complete=first.status == "infeasible", structural=True)
    joint = _positive(model, first)
    results: list[LeastRelaxation] = []
    unsettled = 0

    def settle(indices: list[int]) -> None:
        nonlocal unsettled
        for i in indices:
            if model.can_solve():
                results.append(_least(model, i))
            else:
                unsettled += 1

    settle(list(joint))
    named = list(joint)
    complete = False
    rounds = 1
    while not any(item.fixes for item in results) and rounds < max_rounds and model.can_solve():
        answer = model.elastic(kept=named)
        rounds += 1
        if not answer.found:
            complete = answer.status == "infeasible"
            break
        new = [i for i in _positive(model, answer) if i not in named]
        if not new:
            break
        named += new
        settle(new)
    for item in results:
        if item.fixes and model.can_solve():
            item.forcing = forcing(model, item)
    return Conflict(limits, joint, results, complete=complete, unsettled=unsettled)


def _positive(model: RelaxationModel, answer: Answer) -> dict[int, float]:
    """Limits the answer's plan breaks (beyond noise), with by how much."""
    return {
        i: float(value) for i, value in enumerate(answer.excesses) if value > model.tolerance(i)
    }


def _least(model: RelaxationModel, i: int) -> LeastRelaxation:
    answer = model.least(i)
    if not answer.found:
        status = "infeasible" if answer.status == "infeasible" else "unknown"
        return LeastRelaxation(i, status)
    return LeastRelaxation(i, answer.status, float(answer.excesses[i]), answer.starts, answer.x)


def forcing(model: RelaxationModel, item: LeastRelaxation) -> Forcing:
    """The other limits whose removal alone lowers limit `item.index`'s least relaxation,
    with its least relaxation without each, most forcing first. Each removal is a
    re-solve started from the portfolio found (still feasible without the limit). A
    limit no portfolio can violate is skipped (removing it changes nothing), and so is
    an earlier year's budget for a year's budget with carry-over (`_voids`). The limits
    the portfolio meets with the least margin (relative to their size) are tried first,
    so that a search cut short has tried the likeliest. A re-solve stopped by its time
    limit still proves a lower relaxation when its portfolio has one."""
    i = item.index
    limits = model.limits
    margins = -excesses(model.park, limits, item.starts)
    candidates = sorted(
        (
            k
            for k, other in enumerate(limits)
            if k != i
            and can_be_violated(model.park, other)
            and not _voids(other, limits[i], model.park)
        ),
        key=lambda k: margins[k] / max(abs(limits[k].value), 1e-12),
    )
    result = Forcing(candidates=len(candidates))
    for k in candidates:
        if not model.can_solve():
            break
        answer = model.least(i, dropped=[k], start=item.x)
        result.checked += 1
        if answer.found:
            without = float(answer.excesses[i])
            if without < item.amount - model.tolerance(i, item.amount):
                result.found.append((k, without))
                if answer.status != "optimal":
                    result.unproven.add(k)
    result.found.sort(key=lambda pair: pair[1])
    return result


def _voids(dropped: Limit, limit: Limit, park: ParkData) -> bool:
    """True when dropping `dropped` leaves nothing of `limit`, so it is not a limit that
    forces it but the same money: with carry-over, dropping an earlier year's budget
    frees every cumulative row a later year's budget is in."""
    return (
        park.carry_over
        and dropped.kind == limit.kind == "budget_year"
        and dropped.year < limit.year
    )
