"""Before solving: can every hard limit be met at all? (`precheck`)

The best any portfolio can do for one enterprise row and one pollutant is to take every
project that reduces it (only the best one of each exclusive group) and none that
increases it: what is left then is max(0, baseline - best reduction). If that is above
the permit, no portfolio meets it. Park caps and targets use the same best case summed
over rows; energy likewise in tce. These are necessary conditions only (budget,
prerequisites and capacities are ignored); a scenario that passes may still be
infeasible, which model/optimise/infeasibility.py then explains by re-solves. Amounts are
formatted by `model.formatting`.
"""

from __future__ import annotations

import numpy as np

from model.compile.park import ParkData
from model.formatting import amount, percent


def _t(value: float) -> str:
    return amount(value, "t/yr")


def _tce(value: float) -> str:
    return amount(value, "tce/yr")


def best_case_removal(park: ParkData, effects: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """(E, M) most that each enterprise row can remove of each pollutant/carrier.

    `effects` is the dense (N, M) matrix of reductions or savings; `usable` marks the
    projects that can act (in effect in the year considered). Only positive effects
    count; within an exclusive group only the largest member counts.
    """
    positive = np.clip(effects, 0.0, None) * usable[:, None]
    grouped = np.zeros(park.n_projects, dtype=bool)
    best = np.zeros((len(park.enterprise_ids), effects.shape[1]))
    for members in park.exclusive_groups.values():
        grouped[members] = True
        for row in np.unique(park.owner[members]):
            same_row = members[park.owner[members] == row]
            best[row] += positive[same_row].max(axis=0)
    np.add.at(best, park.owner[~grouped], positive[~grouped])
    return best


def precheck(park: ParkData) -> list[str]:
    """Limits no portfolio can meet, one planner-readable sentence each (empty = passed).

    Multi-year: in year t only projects whose lead time fits (start year + lead <= t)
    can act, so early-year limits are checked against those alone."""
    problems: list[str] = []
    reduces, saves = park.reduces.toarray(), park.saves.toarray()
    for t, year in enumerate(park.years):
        usable = park.effective_from() <= t
        when = f" in {year}" if park.multi_year else ""
        by = f"that can act by {year}" if park.multi_year else "together"
        problems += _year_problems(park, t, when, by, reduces, saves, usable)
    return problems


def _year_problems(park, t, when, by, reduces, saves, usable) -> list[str]:
    problems: list[str] = []
    best_em = np.maximum(0.0, park.baseline_emissions - best_case_removal(park, reduces, usable))
    names = park.enterprise_ids
    permit = park.permit_by_year[t]
    if park.permit_mode == "hard":
        slack = 1e-9 * np.maximum(np.abs(permit), park.baseline_emissions)  # relative: 1e-10 t/yr
        rows, cols = np.nonzero(~np.isnan(permit) & (best_em > permit + slack))
        for e, p in zip(rows, cols, strict=True):
            problems.append(
                f"{names[e]} {park.pollutant_ids[p]} permit {_t(permit[e, p])}{when} "
                f"cannot be met: all its projects {by} leave {_t(best_em[e, p])} "
                f"(baseline {_t(park.baseline_emissions[e, p])}, short by "
                f"{_t(best_em[e, p] - permit[e, p])})"
            )
    park_best = best_em.sum(axis=0)
    park_baseline = park.baseline_emissions.sum(axis=0)
    for p, pollutant in enumerate(park.pollutant_ids):
        cap = park.park_cap_by_year[t, p]
        if not np.isnan(cap) and park_best[p] > cap + 1e-9 * max(abs(cap), park_baseline[p]):
            problems.append(
                f"park {pollutant} cap {_t(cap)}{when} cannot be met: all projects "
                f"{by} leave {_t(park_best[p])} (short by {_t(park_best[p] - cap)})"
            )
        target = park.reduction_by_year[t, p]
        if not np.isnan(target):
            needed = target * park_baseline[p]
            possible = park_baseline[p] - park_best[p]
            if possible + 1e-9 * park_baseline[p] < needed:
                problems.append(
                    f"park {pollutant} reduction target {percent(target)} ({_t(needed)}){when} "
                    f"cannot be met: all projects {by} remove {_t(possible)}"
                )
    best_energy = np.maximum(0.0, park.baseline_energy - best_case_removal(park, saves, usable))
    best_tce = float((best_energy @ park.tce_per_unit).sum())
    baseline_tce = park.baseline_tce()
    cap = park.energy_cap_by_year[t]
    if not np.isnan(cap) and best_tce > cap + 1e-9 * max(abs(cap), baseline_tce):
        problems.append(
            f"park energy cap {_tce(cap)}{when} cannot be met: all projects {by} "
            f"leave {_tce(best_tce)} (short by {_tce(best_tce - cap)})"
        )
    cut = park.energy_reduction_by_year[t]
    if not np.isnan(cut):
        needed = cut * baseline_tce
        if baseline_tce - best_tce + 1e-9 * baseline_tce < needed:
            problems.append(
                f"park energy reduction target {percent(cut)} ({_tce(needed)}){when} cannot "
                f"be met: all projects {by} save {_tce(baseline_tce - best_tce)}"
            )
    return problems
