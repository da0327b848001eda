"""The Pyomo model of project selection, built once from `ParkData` arrays.

docs/math.md states every constraint family in words and symbols; the comments here name
the section. Everything a study varies later (budget, caps, targets, weights, epsilon
bounds) is a mutable Param, so a persistent solver re-solves without a rebuild.

Variables
* x[j]        level of project j: binary, or continuous in [0, 1] when divisible
* avoided[k]  t/yr of pollutant p_k removed at enterprise row e_k, k over the "emission
              pairs"; avoided[k] <= baseline[k] (saturation: nothing below zero) and
              avoided[k] <= sum of the row's projects' reductions (negative = increase),
              so at the optimum emissions after = baseline - avoided = max(0, b - R x)
* saved[l]    carrier units/yr saved at row e_l, l over the "energy pairs", likewise
* excess[k]   t/yr over the permit (soft permits only)

The objective is stated in *avoided* terms (no baseline constant), so the solver's
relative MIP gap refers to the reduction the planner is buying (DESIGN section 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.core.expr.numeric_expr import LinearExpression

from model.park import ParkData

OBJECTIVE_SENSE = {
    "weighted": pyo.maximize,
    "pollution": pyo.maximize,
    "energy": pyo.maximize,
    "cost": pyo.minimize,
}


@dataclass
class ParkModel:
    """A built model and the index maps that tie its rows/columns back to names."""

    park: ParkData
    model: pyo.ConcreteModel
    emission_pairs: np.ndarray  # (K, 2): enterprise row, pollutant column
    energy_pairs: np.ndarray  # (L, 2): enterprise row, carrier column
    relaxed: bool = False

    def x_values(self) -> np.ndarray:
        """Current project levels, clipped to [0, 1] (solver tolerances)."""
        values = np.array([v.value if v.value is not None else 0.0 for v in self.model.x.values()])
        values = np.clip(values, 0.0, 1.0) + 0.0  # + 0.0 turns -0.0 into 0.0
        binary = ~(self.park.divisible | self.relaxed)
        values[binary] = np.round(values[binary])
        return values


def pair_matrix(
    pairs: np.ndarray, effects: sp.csr_array, owner: np.ndarray, n_rows: int
) -> sp.csr_array:
    """(K, N) matrix: entry [k, j] = effect of project j on pair k = (its owner's row, column).

    `effects` is (N, P) or (N, C); `n_rows` the number of enterprise rows."""
    pair_index = np.full((n_rows, effects.shape[1]), -1)
    pair_index[pairs[:, 0], pairs[:, 1]] = np.arange(len(pairs))
    coo = effects.tocoo()
    rows = pair_index[owner[coo.row], coo.col]
    return sp.csr_array((coo.data, (rows, coo.row)), shape=(len(pairs), effects.shape[0]))


def _row_increases(matrix: sp.csr_array) -> np.ndarray:
    """Per row, the sum of the negative entries' sizes (every increase taken at once)."""
    coo = matrix.tocoo()
    return np.bincount(coo.row, weights=np.clip(-coo.data, 0, None), minlength=matrix.shape[0])


def _linear(coefs, variables, constant: float = 0.0) -> LinearExpression:
    return LinearExpression(
        constant=constant, linear_coefs=list(coefs), linear_vars=list(variables)
    )


def _add_link_rows(block, name: str, amount_var, matrix: sp.csr_array, x_vars: list) -> None:
    """amount[k] - sum_j matrix[k, j] x[j] <= 0 for every pair k (the "link" rows)."""
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data

    def rule(m, k):
        lo, hi = indptr[k], indptr[k + 1]
        coefs = [1.0, *(-data[lo:hi])]
        variables = [amount_var[k], *(x_vars[j] for j in indices[lo:hi])]
        return _linear(coefs, variables) <= 0

    setattr(block, name, pyo.Constraint(range(matrix.shape[0]), rule=rule))


def build_model(park: ParkData, relax: bool = False) -> ParkModel:
    """Build the Pyomo model of docs/math.md for `park`.

    With `relax=True` every project is continuous in [0, 1] (the LP relaxation, used for
    shadow prices and reduced-cost bounds).
    """
    m = pyo.ConcreteModel(name=park.name)
    n = park.n_projects
    emission_pairs = park.emission_pairs()
    energy_pairs = park.energy_pairs()
    b_em = park.baseline_emissions[emission_pairs[:, 0], emission_pairs[:, 1]]
    b_en = park.baseline_energy[energy_pairs[:, 0], energy_pairs[:, 1]]
    pe_k = park.pe_per_t[emission_pairs[:, 1]]
    tce_l = park.tce_per_unit[energy_pairs[:, 1]]

    # --- decisions (math.md "Decisions")
    continuous = park.divisible | relax
    m.x = pyo.Var(
        range(n),
        domain=lambda _m, j: pyo.UnitInterval if continuous[j] else pyo.Binary,
        bounds=(0, 1),
    )
    x_vars = list(m.x.values())

    # --- emissions after, with saturation and cross-media increases (math.md 1)
    permit_k = park.permit[emission_pairs[:, 0], emission_pairs[:, 1]]
    hard = park.permit_mode == "hard"
    lower = np.where(hard & ~np.isnan(permit_k), b_em - np.nan_to_num(permit_k), -np.inf)
    m.avoided = pyo.Var(
        range(len(emission_pairs)),
        bounds=lambda _m, k: (None if np.isinf(lower[k]) else float(lower[k]), float(b_em[k])),
    )
    n_rows = len(park.enterprise_ids)
    em_matrix = pair_matrix(emission_pairs, park.reduces, park.owner, n_rows)
    _add_link_rows(m, "emission_link", m.avoided, em_matrix, x_vars)

    # --- soft permits (math.md 4): avoided + excess >= baseline - permit
    soft_k = (
        np.flatnonzero(~np.isnan(permit_k)) if park.permit_mode == "soft" else np.array([], int)
    )
    m.excess = pyo.Var(range(len(soft_k)), domain=pyo.NonNegativeReals)
    m.soft_permit = pyo.Constraint(
        range(len(soft_k)),
        rule=lambda _m, i: (
            _linear([1.0, 1.0], [m.avoided[int(soft_k[i])], m.excess[i]])
            >= float(b_em[soft_k[i]] - permit_k[soft_k[i]])
        ),
    )

    # --- energy after by carrier (math.md 2)
    m.saved = pyo.Var(range(len(energy_pairs)), bounds=lambda _m, l_: (None, float(b_en[l_])))
    en_matrix = pair_matrix(energy_pairs, park.saves, park.owner, n_rows)
    _add_link_rows(m, "energy_link", m.saved, en_matrix, x_vars)

    # --- budget (math.md 3). No budget = the total capex of all projects: never binding,
    # and finite, because a mutable Param that starts at +inf is not updated later by the
    # persistent interface (the bound is taken as a constant).
    no_limit = float(park.capex.sum()) + 1.0
    m.budget = pyo.Param(
        mutable=True, initialize=min(park.budget_total, no_limit), within=pyo.Reals
    )
    m.budget_row = pyo.Constraint(expr=_linear(park.capex, x_vars) <= m.budget)

    # --- park caps and reduction targets by pollutant (math.md 5)
    pollutant_of_pair = emission_pairs[:, 1]
    park_baseline = park.baseline_emissions.sum(axis=0)
    capped = [p for p in range(len(park.pollutant_ids)) if not np.isnan(park.park_cap[p])]
    targeted = [p for p in range(len(park.pollutant_ids)) if not np.isnan(park.reduction_target[p])]
    m.park_cap = pyo.Param(capped, mutable=True, initialize={p: park.park_cap[p] for p in capped})
    m.reduction_target = pyo.Param(
        targeted, mutable=True, initialize={p: park.reduction_target[p] for p in targeted}
    )

    def avoided_of(p: int) -> LinearExpression:
        ks = np.flatnonzero(pollutant_of_pair == p)
        return _linear(np.ones(len(ks)), (m.avoided[int(k)] for k in ks))

    m.park_cap_row = pyo.Constraint(
        capped, rule=lambda _m, p: avoided_of(p) >= float(park_baseline[p]) - m.park_cap[p]
    )
    m.reduction_row = pyo.Constraint(
        targeted,
        rule=lambda _m, p: avoided_of(p) >= m.reduction_target[p] * float(park_baseline[p]),
    )

    # --- objective expressions (math.md 9)
    m.pollution_avoided = pyo.Expression(expr=_linear(pe_k, m.avoided.values()))
    m.tce_saved = pyo.Expression(expr=_linear(tce_l, m.saved.values()))
    m.capex_used = pyo.Expression(expr=_linear(park.capex, x_vars))
    m.excess_total = pyo.Expression(expr=_linear(np.ones(len(soft_k)), m.excess.values()))

    # --- energy cap and energy reduction target, in tce (math.md 6)
    baseline_tce = float(park.baseline_tce())
    has_cap = not np.isnan(park.energy_cap_tce)
    has_cut = not np.isnan(park.energy_reduction)
    m.energy_cap = pyo.Param(mutable=True, initialize=park.energy_cap_tce if has_cap else 0.0)
    m.energy_reduction = pyo.Param(
        mutable=True, initialize=park.energy_reduction if has_cut else 0.0
    )
    m.energy_cap_row = pyo.Constraint(
        [0] if has_cap else [], rule=lambda _m, _i: m.tce_saved >= baseline_tce - m.energy_cap
    )
    m.energy_reduction_row = pyo.Constraint(
        [0] if has_cut else [],
        rule=lambda _m, _i: m.tce_saved >= m.energy_reduction * baseline_tce,
    )

    # --- exclusive groups, prerequisites, shared facilities (math.md 7, 8)
    groups = list(park.exclusive_groups.values())
    m.exclusive = pyo.Constraint(
        range(len(groups)),
        rule=lambda _m, g: _linear(np.ones(len(groups[g])), (x_vars[j] for j in groups[g])) <= 1,
    )
    prereq = park.prerequisites
    m.prerequisite = pyo.Constraint(
        range(len(prereq)),
        rule=lambda _m, i: _linear([1.0, -1.0], [x_vars[prereq[i][0]], x_vars[prereq[i][1]]]) <= 0,
    )
    facilities = park.facilities
    m.facility_capacity = pyo.Constraint(
        range(len(facilities)),
        rule=lambda _m, s: (
            _linear(
                [*facilities[s].use, -facilities[s].capacity],
                [*(x_vars[j] for j in facilities[s].users), x_vars[facilities[s].index]],
            )
            <= 0
        ),
    )

    # --- epsilon floors for frontier studies (math.md 10). "Off" is a finite value no
    # selection can fall below (every increase taken, no reduction), for the same reason
    # as the budget: a mutable Param starting at -inf would never be updated.
    m.pollution_floor_off = -float(pe_k @ _row_increases(em_matrix)) - 1.0
    m.energy_floor_off = -float(tce_l @ _row_increases(en_matrix)) - 1.0
    m.pollution_floor = pyo.Param(mutable=True, initialize=m.pollution_floor_off)
    m.energy_floor = pyo.Param(mutable=True, initialize=m.energy_floor_off)
    m.pollution_floor_row = pyo.Constraint(expr=m.pollution_avoided >= m.pollution_floor)
    m.energy_floor_row = pyo.Constraint(expr=m.tce_saved >= m.energy_floor)

    # --- objective (math.md 9): weights are mutable for studies
    m.weight_pollution = pyo.Param(mutable=True, initialize=park.weight_pollution)
    m.weight_energy = pyo.Param(mutable=True, initialize=park.weight_energy)
    penalty = park.permit_penalty * m.excess_total
    if park.objective == "weighted":
        expr = m.weight_pollution * m.pollution_avoided + m.weight_energy * m.tce_saved - penalty
    elif park.objective == "pollution":
        expr = m.pollution_avoided - penalty
    elif park.objective == "energy":
        expr = m.tce_saved - penalty
    else:
        expr = m.capex_used + penalty
    m.objective = pyo.Objective(expr=expr, sense=OBJECTIVE_SENSE[park.objective])

    return ParkModel(
        park=park,
        model=m,
        emission_pairs=emission_pairs,
        energy_pairs=energy_pairs,
        relaxed=relax,
    )
