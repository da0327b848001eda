"""Evaluate a portfolio directly from the arrays: what the park looks like after it.

These are the formulas of docs/math.md applied to a chosen selection vector x (levels in
[0, 1] per project), without any solver: the results module, the summary and the tests
use them, so the reported figures never depend on how a solver scaled its variables.

* emissions after, per enterprise row e and pollutant p:
  max(0, baseline[e, p] - sum over e's projects j of reduces[j, p] * x[j])
* energy after, per row and carrier: max(0, baseline - sum of saves * x), likewise
* pollution equivalents = tonnes * 1000 / (kg per equivalent); tce = units * tce factor

It also holds the one rule for "chosen" (`CHOSEN_THRESHOLD`, `is_chosen`), used wherever a
portfolio is read: results, tables, why-not, studies and figures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from model.compile.park import ParkData

CHOSEN_THRESHOLD = 1e-6
"""A project is chosen when its level exceeds this (`is_chosen`).

Levels are in [0, 1]. A binary project's level is rounded to exactly 0 or 1 before anyone
reads it (`ParkModel.project_levels`), so for binary projects any threshold in (0, 1) gives the
same answer. A divisible project adopted at any level spends money (capex x level counts
in the budget) and has effects (reductions x level), so it must count as chosen wherever
money or effects are reported: a threshold of 0.5 would leave out a project adopted at
3 % whose capex the budget still pays. 1e-6 only filters solver noise on divisible levels
(HiGHS's primal feasibility tolerance is 1e-7 in the model's scaled units)."""

FULLY_ADOPTED = 1.0 - 1e-6
"""A project counts as fully adopted (its CP indicator values apply; a plan shows it
without a level) when its level is at least this."""


def is_chosen(levels: np.ndarray) -> np.ndarray:
    """(..., N) bool: which projects are chosen at these levels (level > CHOSEN_THRESHOLD)."""
    return np.asarray(levels, dtype=float) > CHOSEN_THRESHOLD


@dataclass(frozen=True)
class ParkState:
    """The park under one selection x. Arrays are (E, P) or (E, C) unless noted."""

    x: np.ndarray  # (N,)
    emissions: np.ndarray  # t/yr
    energy: np.ndarray  # carrier units/yr
    energy_tce: np.ndarray  # (E, C) tce/yr on the scenario's basis
    co2: np.ndarray  # (E, C) tCO2/yr
    pollution_eq: np.ndarray  # (E, P) equivalents/yr
    capex: float  # CNY
    permit_excess: np.ndarray  # (E, P) t/yr over the permit (0 where none or within)


def owner_matrix(park: ParkData) -> sp.csr_array:
    """(E, N) 0/1 matrix: row e has a 1 in the columns of e's projects."""
    n = park.n_projects
    return sp.csr_array(
        (np.ones(n), (park.owner, np.arange(n))), shape=(len(park.enterprise_ids), n)
    )


def evaluate(park: ParkData, x: np.ndarray, year_index: int = -1) -> ParkState:
    """The park's emissions, energy, CO2 and spending when project j is in effect at level
    x[j]; permits are those of planning year `year_index` (default: the final year)."""
    x = np.asarray(x, dtype=float)
    permit = park.permit_by_year[year_index]
    owners = owner_matrix(park)
    removed = owners @ (park.reduces.multiply(x[:, None]).tocsr())
    saved = owners @ (park.saves.multiply(x[:, None]).tocsr())
    emissions = np.maximum(0.0, park.baseline_emissions - removed.toarray())
    energy = np.maximum(0.0, park.baseline_energy - saved.toarray())
    excess = np.where(np.isnan(permit), 0.0, np.maximum(0.0, emissions - np.nan_to_num(permit)))
    return ParkState(
        x=x,
        emissions=emissions,
        energy=energy,
        energy_tce=energy * park.tce_per_unit,
        co2=energy * park.co2_per_unit,
        pollution_eq=emissions * park.pe_per_t,
        capex=float(park.capex @ x),
        permit_excess=excess,
    )


def avoided_totals(
    park: ParkData, x: np.ndarray, starts: np.ndarray | None = None
) -> tuple[float, float, float]:
    """(pollution equivalents avoided, tce saved, capex) park-wide, as the objective counts
    them (docs/math.md 9, 10): baseline minus after, from the arrays (no solver noise).

    Single year: of selection x. Several years: from the (Y, N) levels started each year,
    summed over the years with the discount factors (objective.horizon 'total') or in
    the final year ('final')."""
    if starts is None or not park.multi_year:
        state = evaluate(park, x)
        pe_avoided = park.baseline_pollution_eq() - float(state.pollution_eq.sum())
        tce_saved = park.baseline_tce() - float(state.energy_tce.sum())
        return pe_avoided, tce_saved, state.capex
    years = len(park.years)
    weights = park.discount_factors() if park.horizon_objective == "total" else np.eye(years)[-1]
    pe_avoided = tce_saved = 0.0
    for weight, state in zip(weights, yearly_states(park, starts), strict=True):
        pe_avoided += weight * (park.baseline_pollution_eq() - float(state.pollution_eq.sum()))
        tce_saved += weight * (park.baseline_tce() - float(state.energy_tce.sum()))
    return pe_avoided, tce_saved, float(park.capex @ np.asarray(x, dtype=float))


def yearly_states(park: ParkData, starts: np.ndarray) -> list[ParkState]:
    """One ParkState per planning year from the (Y, N) levels started each year: a project
    counts in year t when started at s with s + lead time <= t (a single year ignores
    lead times). `capex` of each state is the money spent in that year."""
    levels = park.in_effect(starts)
    states = []
    for t in range(len(park.years)):
        state = evaluate(park, levels[t], year_index=t)
        states.append(replace(state, capex=float(park.capex @ starts[t])))
    return states
