"""The hard limits of a park, one number each as the planner set it, and how far a plan
is from each, in the planner's units.

A *limit* is one number the planner set: the total budget, a year's budget, the public
subsidy budget, an enterprise's permit for a pollutant, a park cap or a park reduction
target for a pollutant, the park energy cap or the energy reduction target; over several
planning years, a permit, cap or target set to one value for consecutive years is one
limit holding in each of them (`limits_of`). Exclusive groups, prerequisites,
shared-facility capacities, options done at once and the screening are the park's
structure, not limits.

For a portfolio (or a plan: the levels started each year), `achieved` is the value of a
limit that the portfolio just meets: its net capex for the budget, the enterprise's
emissions after for a permit, the park's emissions after for a cap, the tonnes removed
for a reduction target (the tce saved for the energy target). `excesses` is how far the
portfolio is on the wrong side of each limit (achieved - limit for a budget, permit or
cap; limit - achieved for a target), in the limit's own unit; negative = a margin.
Every amount is recomputed from the plan with `model.appraise.evaluate`, so it does not
depend on how a solver scaled the model. model/optimise/relaxation.py asks how far each
limit must move.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from model.appraise.evaluate import yearly_states
from model.compile.park import ParkData
from model.formatting import amount, money, percent

UPPER_KINDS = ("budget", "budget_year", "public_budget", "permit", "park_cap", "energy_cap")
"""Limits on a quantity that must stay at or below the limit (the others: at or above)."""

MONEY_KINDS = ("budget", "budget_year", "public_budget")


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
