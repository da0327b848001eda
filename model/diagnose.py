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


def best_case_removal(park: ParkData, effects: np.ndarray) -> np.ndarray:
    """(E, M) most that each enterprise row can remove of each pollutant/carrier.

    `effects` is the dense (N, M) matrix of reductions or savings. Only positive effects
    count; within an exclusive group only the largest member counts.
    """
    positive = np.clip(effects, 0.0, None)
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
    """Limits no portfolio can meet, one planner-readable sentence each (empty = passed)."""
    problems: list[str] = []
    best_em = np.maximum(
        0.0, park.baseline_emissions - best_case_removal(park, park.reduces.toarray())
    )
    names = park.enterprise_ids
    if park.permit_mode == "hard":
        rows, cols = np.nonzero(~np.isnan(park.permit) & (best_em > park.permit + 1e-9))
        for e, p in zip(rows, cols, strict=True):
            problems.append(
                f"{names[e]} {park.pollutant_ids[p]} permit {_fmt(park.permit[e, p])} t/yr "
                f"cannot be met: all its projects together leave {_fmt(best_em[e, p])} t/yr "
                f"(baseline {_fmt(park.baseline_emissions[e, p])} t/yr, short by "
                f"{_fmt(best_em[e, p] - park.permit[e, p])} t/yr)"
            )
    park_best = best_em.sum(axis=0)
    park_baseline = park.baseline_emissions.sum(axis=0)
    for p, pollutant in enumerate(park.pollutant_ids):
        cap = park.park_cap[p]
        if not np.isnan(cap) and park_best[p] > cap + 1e-9:
            problems.append(
                f"park {pollutant} cap {_fmt(cap)} t/yr cannot be met: all projects together "
                f"leave {_fmt(park_best[p])} t/yr (short by {_fmt(park_best[p] - cap)} t/yr)"
            )
        target = park.reduction_target[p]
        if not np.isnan(target):
            needed = target * park_baseline[p]
            possible = park_baseline[p] - park_best[p]
            if possible + 1e-9 < needed:
                problems.append(
                    f"park {pollutant} reduction target {target:.1%} ({_fmt(needed)} t/yr) "
                    f"cannot be met: all projects together remove {_fmt(possible)} t/yr"
                )
    best_energy = np.maximum(
        0.0, park.baseline_energy - best_case_removal(park, park.saves.toarray())
    )
    best_tce = float((best_energy @ park.tce_per_unit).sum())
    baseline_tce = park.baseline_tce()
    if not np.isnan(park.energy_cap_tce) and best_tce > park.energy_cap_tce + 1e-9:
        problems.append(
            f"park energy cap {_fmt(park.energy_cap_tce)} tce/yr cannot be met: all projects "
            f"together leave {_fmt(best_tce)} tce/yr"
        )
    if not np.isnan(park.energy_reduction):
        needed = park.energy_reduction * baseline_tce
        if baseline_tce - best_tce + 1e-9 < needed:
            problems.append(
                f"park energy reduction target {park.energy_reduction:.1%} ({_fmt(needed)} "
                f"tce/yr) cannot be met: all projects together save "
                f"{_fmt(baseline_tce - best_tce)} tce/yr"
            )
    return problems


def _elastic_rows(park: ParkData, m: pyo.ConcreteModel) -> list[tuple[object, str, float, str]]:
    """(row, label, size of the limit, unit) for every hard limit row except permits."""
    rows: list[tuple[object, str, float, str]] = []
    if np.isfinite(park.budget_total):
        rows.append(
            (m.budget_row, f"budget {_fmt(park.budget_total)} CNY", park.budget_total, "CNY")
        )
    for p, row in m.park_cap_row.items():
        cap = park.park_cap[p]
        rows.append((row, f"park {park.pollutant_ids[p]} cap {_fmt(cap)} t/yr", cap, "t/yr"))
    for p, row in m.reduction_row.items():
        needed = park.reduction_target[p] * park.baseline_emissions[:, p].sum()
        label = f"park {park.pollutant_ids[p]} reduction target {park.reduction_target[p]:.1%}"
        rows.append((row, label, needed, "t/yr"))
    for row in m.energy_cap_row.values():
        label = f"park energy cap {_fmt(park.energy_cap_tce)} tce/yr"
        rows.append((row, label, park.energy_cap_tce, "tce/yr"))
    for row in m.energy_reduction_row.values():
        label = f"park energy reduction target {park.energy_reduction:.1%}"
        rows.append((row, label, park.energy_reduction * park.baseline_tce(), "tce/yr"))
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
    permit_k = park.permit[pairs[:, 0], pairs[:, 1]]
    for i, k in enumerate(np.flatnonzero(~np.isnan(permit_k))):
        e, p = pairs[k]
        label = f"{park.enterprise_ids[e]} {park.pollutant_ids[p]} permit {_fmt(permit_k[k])} t/yr"
        limits.append((label, m.excess[i], permit_k[k], "t/yr"))

    rows = _elastic_rows(park, m)
    m.elastic_slack = pyo.Var(range(len(rows)), domain=pyo.NonNegativeReals)
    m.elastic_rows = pyo.ConstraintList()
    for i, (row, label, size, unit) in enumerate(rows):
        row.deactivate()
        slack = m.elastic_slack[i]
        if row.has_ub():
            m.elastic_rows.add(row.body - slack <= row.upper)
        else:
            m.elastic_rows.add(row.body + slack >= row.lower)
        limits.append((label, slack, size, unit))

    m.elastic_objective = pyo.Objective(
        expr=sum(var / max(abs(size), 1e-6) for _, var, size, _ in limits), sense=pyo.minimize
    )
    result = make_solver(park_model, options).solve()
    if not result.has_solution:
        return [
            "no relaxation of the permits, caps, targets and budget makes the scenario "
            "feasible: check exclusive groups, prerequisites and facility capacities"
        ]
    messages = []
    for label, var, size, unit in limits:
        amount = float(var.value or 0.0)
        if amount > 1e-6 * max(1.0, abs(size)):
            messages.append(
                f"{label} cannot be met together with the other limits: "
                f"the closest portfolio misses it by {_fmt(amount)} {unit}"
            )
    return messages or [
        "the solver reported the scenario infeasible, but the elastic re-solve found no "
        "violated limit (numerical trouble: try a tighter solver tolerance)"
    ]
