"""Explain an infeasible scenario in the planner's words.

Two steps (DESIGN section 4):

1. `precheck(park)`: can each hard permit, park cap, reduction target and energy limit be
   met at all, ignoring the budget? The best any portfolio can do for one enterprise row
   and one pollutant is to take every project that reduces it (only the best one of each
   exclusive group) and none that increases it: what is left then is
   max(0, baseline - best reduction). If that is above the permit, no portfolio meets it.
   Park caps and targets use the same best case summed over rows; energy likewise in tce.
   These are necessary conditions only (budget, prerequisites and capacities are ignored).
2. `elastic_explanation(park, ...)`: when the pre-check passes but the solver proves the
   model infeasible, re-solve with every hard limit made elastic (a non-negative slack on
   each permit, cap, target, energy limit and the budget), minimising the sum of relative
   violations. The slacks that stay positive name the smallest set of limits that must
   move, and by how much.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyomo.environ as pyo

from model.formulation import ParkModel, build_model
from model.park import ParkData
from model.schema import SolverOptions


def _fmt(value: float) -> str:
    return f"{value:,.6g}"


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
                f"{names[e]} {park.pollutant_ids[p]} permit {_fmt(permit[e, p])} t/yr{when} "
                f"cannot be met: all its projects {by} leave {_fmt(best_em[e, p])} t/yr "
                f"(baseline {_fmt(park.baseline_emissions[e, p])} t/yr, short by "
                f"{_fmt(best_em[e, p] - permit[e, p])} t/yr)"
            )
    park_best = best_em.sum(axis=0)
    park_baseline = park.baseline_emissions.sum(axis=0)
    for p, pollutant in enumerate(park.pollutant_ids):
        cap = park.park_cap_by_year[t, p]
        if not np.isnan(cap) and park_best[p] > cap + 1e-9 * max(abs(cap), park_baseline[p]):
            problems.append(
                f"park {pollutant} cap {_fmt(cap)} t/yr{when} cannot be met: all projects "
                f"{by} leave {_fmt(park_best[p])} t/yr (short by {_fmt(park_best[p] - cap)} t/yr)"
            )
        target = park.reduction_by_year[t, p]
        if not np.isnan(target):
            needed = target * park_baseline[p]
            possible = park_baseline[p] - park_best[p]
            if possible + 1e-9 * park_baseline[p] < needed:
                problems.append(
                    f"park {pollutant} reduction target {target:.1%} ({_fmt(needed)} t/yr){when} "
                    f"cannot be met: all projects {by} remove {_fmt(possible)} t/yr"
                )
    best_energy = np.maximum(0.0, park.baseline_energy - best_case_removal(park, saves, usable))
    best_tce = float((best_energy @ park.tce_per_unit).sum())
    baseline_tce = park.baseline_tce()
    cap = park.energy_cap_by_year[t]
    if not np.isnan(cap) and best_tce > cap + 1e-9 * max(abs(cap), baseline_tce):
        problems.append(
            f"park energy cap {_fmt(cap)} tce/yr{when} cannot be met: all projects {by} "
            f"leave {_fmt(best_tce)} tce/yr"
        )
    cut = park.energy_reduction_by_year[t]
    if not np.isnan(cut):
        needed = cut * baseline_tce
        if baseline_tce - best_tce + 1e-9 * baseline_tce < needed:
            problems.append(
                f"park energy reduction target {cut:.1%} ({_fmt(needed)} tce/yr){when} cannot "
                f"be met: all projects {by} save {_fmt(baseline_tce - best_tce)} tce/yr"
            )
    return problems


def _elastic_rows(park: ParkData, m: pyo.ConcreteModel) -> list[tuple[object, str, float, str]]:
    """(row, label, size of the limit, unit) for every hard limit row except permits."""
    rows: list[tuple[object, str, float, str]] = []
    if np.isfinite(park.budget_total):
        rows.append(
            (m.budget_row, f"budget {_fmt(park.budget_total)} CNY", park.budget_total, "CNY")
        )

    def when(t: int) -> str:
        return f" in {park.years[t]}" if park.multi_year else ""

    for (p, t), row in m.park_cap_row.items():
        cap = park.park_cap_by_year[t, p]
        label = f"park {park.pollutant_ids[p]} cap {_fmt(cap)} t/yr{when(t)}"
        rows.append((row, label, cap, "t/yr"))
    for (p, t), row in m.reduction_row.items():
        target = park.reduction_by_year[t, p]
        needed = target * park.baseline_emissions[:, p].sum()
        label = f"park {park.pollutant_ids[p]} reduction target {target:.1%}{when(t)}"
        rows.append((row, label, needed, "t/yr"))
    for t, row in m.energy_cap_row.items():
        cap = park.energy_cap_by_year[t]
        rows.append((row, f"park energy cap {_fmt(cap)} tce/yr{when(t)}", cap, "tce/yr"))
    for t, row in m.energy_reduction_row.items():
        cut = park.energy_reduction_by_year[t]
        label = f"park energy reduction target {cut:.1%}{when(t)}"
        rows.append((row, label, cut * park.baseline_tce(), "tce/yr"))
    for t, row in m.budget_year_row.items():
        amount = park.budget_per_year[t]
        label = f"budget for {park.years[t]} {_fmt(amount)} CNY"
        rows.append((row, label, amount, "CNY"))
    for row in m.public_budget_row.values():
        label = f"public subsidy budget {_fmt(park.public_budget)} CNY"
        rows.append((row, label, park.public_budget, "CNY"))
    return rows


def elastic_explanation(park: ParkData, options: SolverOptions) -> list[str]:
    """Smallest relative relaxation of the hard limits that makes the scenario feasible.

    Built on a fresh model with soft permits (their `excess` is the permit's slack); every
    other hard limit row is replaced by a copy with a non-negative slack. Minimises
    sum(slack / size of the limit), so a 10 % overshoot of a small permit weighs the same
    as a 10 % overshoot of the budget.
    """
    from solvers.factory import make_solver  # local import: solvers import the formulation

    park_model: ParkModel = build_model(replace(park, permit_mode="soft"))
    m = park_model.model
    m.objective.deactivate()
    limits: list[tuple[str, object, float, str]] = []  # label, slack variable, size, unit

    pairs = park_model.emission_pairs
    for i, (k, t) in enumerate(m.soft_pairs):
        e, p = pairs[k]
        permit = park.permit_by_year[t, e, p]
        when = f" in {park.years[t]}" if park.multi_year else ""
        label = f"{park.enterprise_ids[e]} {park.pollutant_ids[p]} permit {_fmt(permit)} t/yr{when}"
        limits.append((label, m.excess[i], permit, "t/yr"))

    rows = _elastic_rows(park, m)
    m.elastic_slack = pyo.Var(range(len(rows)), domain=pyo.NonNegativeReals)
    m.elastic_rows = pyo.ConstraintList()
    for i, (row, label, size, unit) in enumerate(rows):
        row.deactivate()
        slack = m.elastic_slack[i]
        if row.has_ub():
            elastic = m.elastic_rows.add(row.body - slack <= row.upper)
        else:
            elastic = m.elastic_rows.add(row.body + slack >= row.lower)
        # the copy, and its slack, in the units of the row (math.md 13)
        m.scaling_factor[elastic] = m.scaling_factor[slack] = m.scaling_factor.get(row, 1.0)
        limits.append((label, slack, size, unit))

    def unit_of(var) -> float:  # what one unit of the slack is worth to the solver
        return 1.0 / m.scaling_factor.get(var, 1.0)

    m.elastic_objective = pyo.Objective(
        expr=sum(var / max(abs(size), 1e-6 * unit_of(var)) for _, var, size, _ in limits),
        sense=pyo.minimize,
    )
    solver = make_solver(park_model, options)
    result = solver.solve()
    if not result.has_solution:
        return [
            "no relaxation of the permits, caps, targets and budget makes the scenario "
            "feasible: check exclusive groups, prerequisites and facility capacities"
        ]
    solver.load_values([var for _, var, _, _ in limits])
    messages = []
    for label, var, size, unit in limits:
        amount = float(var.value or 0.0)
        if amount > 1e-6 * max(unit_of(var), abs(size)):
            messages.append(
                f"{label} cannot be met together with the other limits: "
                f"the closest portfolio misses it by {_fmt(amount)} {unit}"
            )
    return messages or [
        "the solver reported the scenario infeasible, but the elastic re-solve found no "
        "violated limit (numerical trouble: try a tighter solver tolerance)"
    ]
