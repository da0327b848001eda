"""Every hard limit checked against the chosen portfolio, in the user's units.

A solver accepts a portfolio when every row holds within its absolute tolerances. The
model is scaled so that those tolerances are small next to every limit (docs/math.md
13), but nothing a solver says is taken on trust: after each solve the portfolio is
evaluated from the arrays alone (`model.appraise.evaluate`: emissions and energy after, year by
year, from the levels in effect) and compared with every hard limit of docs/math.md:

* hard permits, per enterprise, pollutant and planning year (section 4);
* park caps and reduction targets, per pollutant and year (section 5);
* the energy cap and the energy reduction target, per year (section 6);
* the total budget on capex net of subsidy, the per-year budgets (with carry-over: the
  spending up to a year against the money up to that year) and the public subsidy
  budget (sections 3, 10, 11);
* exclusive groups, and prerequisites on the levels in effect each year (section 7);
* shared-facility capacity, each year (section 8);
* options done at once (level 1) and options screened out (level 0) (section 11).

A limit counts as broken when the portfolio misses it by more than
`RELATIVE_TOLERANCE` (1e-9) times the size of the quantities in it (the larger of the
limit, the baseline it is taken from and the sum of the sizes of every effect that can
act on it) plus `ABSOLUTE_FLOOR` (1e-20 in the limit's unit, far below any real limit,
1e-10 t/yr included). Soft permits (an excess paid for in the objective) and permits in
mode `off` are not limits.

`model.optimise.solve.solve_verified(park, solver)` solves, checks with
`limit_violations`, and when a limit is broken re-solves once with tighter solver
tolerances and checks again. A portfolio that still breaks a limit gets the status
"limit_violated": it is never reported as solved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from model.appraise.evaluate import yearly_states
from model.compile.park import ParkData
from model.formatting import table_number

RELATIVE_TOLERANCE = 1e-9
"""Allowed miss, relative to the size of the quantities in the limit."""

ABSOLUTE_FLOOR = 1e-20
"""Allowed miss in the limit's own unit when every quantity in it is (close to) zero."""

SOLVER_HINT = "or try tighter solver tolerances / another solver (--solver)"


@dataclass(frozen=True)
class Violation:
    """One hard limit the portfolio breaks. Amounts are in `unit` (user units)."""

    limit: str  # the limit in words, e.g. "E1 Hg_air permit 1e-10 t/yr"
    value: float  # what the portfolio reaches
    bound: float  # the limit's value
    missed_by: float  # how far the portfolio is on the wrong side of it (> 0)
    unit: str
    hint: str

    def message(self) -> str:
        """One line for people: the limit, the amount it is missed by, and the hint."""
        share = f" ({100 * self.missed_by / abs(self.bound):.3g} % of it)" if self.bound else ""
        return (
            f"{self.limit} is broken by {table_number(self.missed_by)} {self.unit}{share}: "
            f"the solver's portfolio reaches {table_number(self.value)} {self.unit}; "
            f"hint: {self.hint}"
        )


def _allowed(*sizes: float) -> float:
    """The miss tolerated for a limit whose quantities have these sizes."""
    return RELATIVE_TOLERANCE * max(abs(float(s)) for s in sizes) + ABSOLUTE_FLOOR


Text = str | Callable[[], str]
"""A label or hint, or a function making it (only called for a broken limit)."""


def _text(text: Text) -> str:
    return text() if callable(text) else text


class _Checker:
    """Collects violations of `value <= bound` (or >=) with the tolerance above."""

    def __init__(self) -> None:
        self.found: list[Violation] = []

    def at_most(self, limit: Text, value, bound, unit, hint: Text, *sizes) -> None:
        if value - bound > _allowed(bound, *sizes):
            self.add(limit, value, bound, value - bound, unit, hint)

    def at_least(self, limit: Text, value, bound, unit, hint: Text, *sizes) -> None:
        if bound - value > _allowed(bound, *sizes):
            self.add(limit, value, bound, bound - value, unit, hint)

    def add(self, limit: Text, value, bound, missed_by, unit, hint: Text) -> None:
        self.found.append(
            Violation(_text(limit), float(value), float(bound), float(missed_by), unit, _text(hint))
        )


def _pollutant_hint(park: ParkData, p: int) -> str:
    """Hint for a broken pollutant limit: the spread of the pollutant's sizes."""
    values = np.concatenate(
        [park.baseline_emissions[:, p], park.reduces.tocsc()[:, [p]].data, park.permit[:, p]]
    )
    values = np.abs(values[np.isfinite(values) & (values != 0)])
    spread = ""
    if values.size:
        low, high = table_number(values.min()), table_number(values.max())
        spread = f" (its values here run from {low} to {high} t/yr)"
    return f"check the units of {park.pollutant_ids[p]} in the scenario{spread}, {SOLVER_HINT}"


def limit_violations(
    park: ParkData, x: np.ndarray, starts: np.ndarray | None = None
) -> list[Violation]:
    """Every hard limit of `park` that the portfolio breaks (module docstring): `x` (N,)
    levels over the horizon, `starts` (Y, N) levels started each year (default: x in
    the single year)."""
    x = np.asarray(x, dtype=float)
    starts = x[None, :] if starts is None else np.asarray(starts, dtype=float)
    check = _Checker()
    multi = park.multi_year
    years = park.years
    states = yearly_states(park, starts)
    levels = park.in_effect(starts)
    reduces = park.reduces.toarray()
    effect_sizes = np.zeros_like(park.baseline_emissions)
    np.add.at(effect_sizes, park.owner, np.abs(reduces))
    park_baseline = park.baseline_emissions.sum(axis=0)
    baseline_tce = park.baseline_tce()
    saves_tce = float(np.abs(park.saves.toarray() @ park.tce_per_unit).sum())

    def when(t: int) -> str:
        return f" in {years[t]}" if multi else ""

    for t, state in enumerate(states):
        if park.permit_mode == "hard":  # math.md 4, all pairs at once
            permit = park.permit_by_year[t]
            sizes = np.maximum.reduce([np.abs(permit), park.baseline_emissions, effect_sizes])
            over = state.emissions - permit  # NaN where there is no permit
            broken = over > RELATIVE_TOLERANCE * sizes + ABSOLUTE_FLOOR
            for e, p in np.argwhere(broken):
                check.add(
                    f"{park.enterprise_ids[e]} {park.pollutant_ids[p]} permit "
                    f"{table_number(permit[e, p])} t/yr{when(t)}",
                    state.emissions[e, p],
                    permit[e, p],
                    over[e, p],
                    "t/yr",
                    _pollutant_hint(park, p),
                )
        after = state.emissions.sum(axis=0)
        sizes = effect_sizes.sum(axis=0)
        for p in np.flatnonzero(~np.isnan(park.park_cap_by_year[t])):  # math.md 5
            cap = park.park_cap_by_year[t, p]
            check.at_most(
                f"park {park.pollutant_ids[p]} cap {table_number(cap)} t/yr{when(t)}",
                after[p],
                cap,
                "t/yr",
                lambda p=p: _pollutant_hint(park, p),
                park_baseline[p],
                sizes[p],
            )
        for p in np.flatnonzero(~np.isnan(park.reduction_by_year[t])):
            target = park.reduction_by_year[t, p]
            check.at_least(
                f"park {park.pollutant_ids[p]} reduction target {target:.1%} "
                f"({table_number(target * park_baseline[p])} t/yr removed){when(t)}",
                park_baseline[p] - after[p],
                target * park_baseline[p],
                "t/yr",
                lambda p=p: _pollutant_hint(park, p),
                park_baseline[p],
                sizes[p],
            )
        tce_after = float(state.energy_tce.sum())  # math.md 6
        energy_hint = f"check the energy baselines and savings (carrier units), {SOLVER_HINT}"
        cap = park.energy_cap_by_year[t]
        if not np.isnan(cap):
            check.at_most(
                f"park energy cap {table_number(cap)} tce/yr{when(t)}",
                tce_after,
                cap,
                "tce/yr",
                energy_hint,
                baseline_tce,
                saves_tce,
            )
        cut = park.energy_reduction_by_year[t]
        if not np.isnan(cut):
            check.at_least(
                f"park energy reduction target {cut:.1%} "
                f"({table_number(cut * baseline_tce)} tce/yr saved){when(t)}",
                baseline_tce - tce_after,
                cut * baseline_tce,
                "tce/yr",
                energy_hint,
                baseline_tce,
                saves_tce,
            )
        _structure_by_year(park, check, levels[t], when(t))

    _money(park, check, x, starts)
    _structure(park, check, x)
    return check.found


def _money(park: ParkData, check: _Checker, x: np.ndarray, starts: np.ndarray) -> None:
    """Total, per-year (with carry-over) and public budgets (math.md 3, 10, 11)."""
    hint = f"check the capex and budget units (CNY), {SOLVER_HINT}"
    capex = park.budget_capex()
    all_capex = float(np.abs(capex).sum())
    if np.isfinite(park.budget_total):
        check.at_most(
            f"budget {table_number(park.budget_total)} CNY",
            float(capex @ x),
            park.budget_total,
            "CNY",
            hint,
            all_capex,
        )
    spent = starts @ capex  # (Y,) money started each year
    limited = [t for t in range(len(park.years)) if np.isfinite(park.budget_per_year[t])]
    for t in limited:
        if park.carry_over:
            value = float(spent[: t + 1].sum())
            bound = float(sum(park.budget_per_year[s] for s in limited if s <= t))
            label = f"budget up to {park.years[t]} with carry-over {table_number(bound)} CNY"
        else:
            value, bound = float(spent[t]), float(park.budget_per_year[t])
            label = f"budget for {park.years[t]} {table_number(bound)} CNY"
        check.at_most(label, value, bound, "CNY", hint, all_capex)
    if np.isfinite(park.public_budget) and (park.subsidy > 0).any():
        check.at_most(
            f"public subsidy budget {table_number(park.public_budget)} CNY",
            float(park.subsidy @ x),
            park.public_budget,
            "CNY",
            hint,
            float(park.subsidy.sum()),
        )


def _structure(park: ParkData, check: _Checker, x: np.ndarray) -> None:
    """Exclusive groups, options done at once and options screened out (math.md 7, 11)."""
    hint = f"the solver returned an inconsistent portfolio, {SOLVER_HINT}"
    for name, members in park.exclusive_groups.items():
        check.at_most(
            lambda name=name: f"exclusive group '{name}' (at most one project)",
            float(x[members].sum()),
            1.0,
            "projects",
            hint,
        )
    ids = park.project_ids
    for j in np.flatnonzero(park.forced):
        check.at_least(f"option done at once {ids[j]} (level 1)", x[j], 1.0, "level", hint)
    for j in np.flatnonzero(park.excluded):
        check.at_most(f"screened-out option {ids[j]} (level 0)", x[j], 0.0, "level", hint)


def _structure_by_year(park: ParkData, check: _Checker, level: np.ndarray, when: str) -> None:
    """Prerequisites and shared-facility capacity on the levels in effect (math.md 7, 8)."""
    hint = f"the solver returned an inconsistent portfolio, {SOLVER_HINT}"
    ids = park.project_ids
    for j, k in park.prerequisites:
        check.at_most(
            lambda j=j, k=k: f"prerequisite: {ids[j]} requires {ids[k]}{when}",
            level[j],
            level[k],
            "level",
            hint,
            1.0,
        )
    for facility in park.facilities:
        used = float(facility.use @ level[facility.users]) if facility.users.size else 0.0
        offered = facility.capacity * level[facility.index]
        check.at_most(
            lambda facility=facility: (
                f"capacity of shared facility {ids[facility.index]} "
                f"{table_number(facility.capacity)}{when}"
            ),
            used,
            offered,
            "capacity units",
            hint,
            facility.capacity,
            float(np.abs(facility.use).sum()),
        )
