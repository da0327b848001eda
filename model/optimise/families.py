"""One function per section of docs/math.md: the variables and rows of one constraint
family each, with its inequality in the docstring. `model.optimise.formulation` calls
them in the order of math.md (its `MATH_SECTIONS` is the table of contents).

Each function takes the Pyomo model under construction and the `Frame` (the park's
arrays every family reads, computed once) and adds its components. Rows are written in
*avoided* terms (a_ept tonnes avoided, g_ect carrier units saved), so that no constant
sits in the objective (math.md 9). Everything a study varies later (budget, caps,
targets, weights, epsilon floors) is a mutable Param.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.core.expr.numeric_expr import LinearExpression

from model.compile.park import ParkData
from model.optimise.park_model import FloorsOff
from model.optimise.scaling import ModelUnits

OBJECTIVE_SENSE = {
    "weighted": pyo.maximize,
    "pollution": pyo.maximize,
    "energy": pyo.maximize,
    "cost": pyo.minimize,
}


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


def linear(coefs, variables, constant: float = 0.0) -> LinearExpression:
    """sum_i coefs[i] * variables[i] + constant, as a Pyomo LinearExpression."""
    return LinearExpression(
        constant=constant, linear_coefs=list(coefs), linear_vars=list(variables)
    )


@dataclass
class Frame:
    """The park's arrays every family reads, computed once (K emission pairs, L energy
    pairs: the row/pollutant and row/carrier pairs that can be non-zero)."""

    park: ParkData
    relax: bool
    floors: bool
    years: range
    emission_pairs: np.ndarray  # (K, 2)
    energy_pairs: np.ndarray  # (L, 2)
    b_em: np.ndarray  # (K,) baseline t/yr
    b_en: np.ndarray  # (L,) baseline carrier units/yr
    pe_k: np.ndarray  # (K,) pollution equivalents per t
    tce_l: np.ndarray  # (L,) tce per carrier unit
    permit_kt: np.ndarray  # (Y, K) permit t/yr, NaN = none
    em_matrix: sp.csr_array  # (K, N) reductions r
    en_matrix: sp.csr_array  # (L, N) savings s
    budget_capex: np.ndarray  # (N,) c_j, what a project takes from the budget
    soft: list[tuple[int, int]] = field(default_factory=list)  # (k, t) of each excess v
    counted: list[tuple[int, float]] = field(default_factory=list)  # (t, d_t) in PE and T
    no_budget_limit: float = np.inf
    floors_off: FloorsOff | None = None
    units: ModelUnits | None = None
    lead: np.ndarray | None = None  # (N,) lead times L_j, read once (section 10)
    x_vars: list = field(default_factory=list)  # x_j in project order, read once

    @classmethod
    def of(cls, park: ParkData, relax: bool, floors: bool) -> Frame:
        years = range(len(park.years))
        emission_pairs, energy_pairs = park.emission_pairs(), park.energy_pairs()
        n_rows = len(park.enterprise_ids)
        permit_kt = park.permit_by_year[:, emission_pairs[:, 0], emission_pairs[:, 1]]
        soft = [(int(k), t) for t in years for k in np.flatnonzero(~np.isnan(permit_kt[t]))]
        weight = park.discount_factors() if park.horizon_objective == "total" else None
        last = len(park.years) - 1
        return cls(
            park=park,
            relax=relax,
            floors=floors,
            years=years,
            emission_pairs=emission_pairs,
            energy_pairs=energy_pairs,
            b_em=park.baseline_emissions[emission_pairs[:, 0], emission_pairs[:, 1]],
            b_en=park.baseline_energy[energy_pairs[:, 0], energy_pairs[:, 1]],
            pe_k=park.pe_per_t[emission_pairs[:, 1]],
            tce_l=park.tce_per_unit[energy_pairs[:, 1]],
            permit_kt=permit_kt,
            em_matrix=pair_matrix(emission_pairs, park.reduces, park.owner, n_rows),
            en_matrix=pair_matrix(energy_pairs, park.saves, park.owner, n_rows),
            budget_capex=park.budget_capex(),
            soft=soft if park.permit_mode == "soft" else [],
            counted=[
                (t, 1.0 if weight is None else float(weight[t]))
                for t in years
                if weight is not None or t == last
            ],
        )

    def in_effect(self, m: pyo.ConcreteModel, coefs, projects, t: int) -> tuple[list, list]:
        """sum_j coefs[j] z_jt as (coefficients, variables): z_jt = x_j in one year, else
        the starts s with s + L_j <= t (math.md 10)."""
        if self.lead is None:  # read once: this runs for every row
            self.lead = self.park.effective_from()
            self.x_vars = list(m.x.values())
        out_coefs, out_vars = [], []
        for coef, j in zip(coefs, projects, strict=True):
            j = int(j)
            if self.park.multi_year:
                terms = [m.start[j, s] for s in range(t - int(self.lead[j]) + 1)]
            else:
                terms = [self.x_vars[j]]
            for var in terms:
                out_coefs.append(float(coef))
                out_vars.append(var)
        return out_coefs, out_vars


def _link_rows(m, f: Frame, amount_var, matrix: sp.csr_array) -> pyo.Constraint:
    """amount[k, t] - sum_j matrix[k, j] z_jt <= 0 for every pair k and year t."""
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data

    def rule(_m, k, t):
        lo, hi = indptr[k], indptr[k + 1]
        coefs, variables = f.in_effect(m, -data[lo:hi], indices[lo:hi], t)
        return linear([1.0, *coefs], [amount_var[k, t], *variables]) <= 0

    return pyo.Constraint(range(matrix.shape[0]), f.years, rule=rule)


def decisions(m: pyo.ConcreteModel, f: Frame) -> None:
    """Decisions: x_j in {0, 1}, or in [0, 1] when project j is divisible (or the model
    is the LP relaxation); over several years also start_jt, of the same kind, in [0, 1]
    (section 10)."""
    park, n = f.park, f.park.n_projects
    continuous = park.divisible | f.relax
    m.x = pyo.Var(
        range(n),
        domain=lambda _m, j: pyo.UnitInterval if continuous[j] else pyo.Binary,
        bounds=(0.0, 1.0),
    )
    if park.multi_year:
        m.start = pyo.Var(
            range(n),
            f.years,
            domain=lambda _m, j, _t: pyo.UnitInterval if continuous[j] else pyo.Binary,
            bounds=(0, 1),
        )


def emissions_after(m: pyo.ConcreteModel, f: Frame) -> None:
    """1. Tonnes avoided a_ept per row/pollutant pair and year:
    a_ept <= b_ep (nothing removed below zero) and a_ept <= sum_{j: o(j) = e} r_jp z_jt,
    so emissions after e_ep = b_ep - a_ep = max(0, b_ep - sum r x) at an optimum."""
    m.avoided = pyo.Var(
        range(len(f.emission_pairs)), f.years, bounds=lambda _m, k, _t: (None, float(f.b_em[k]))
    )
    m.emission_link = _link_rows(m, f, m.avoided, f.em_matrix)


def energy_after(m: pyo.ConcreteModel, f: Frame) -> None:
    """2. Carrier units saved g_ect per row/carrier pair and year: g_ect <= q_ec and
    g_ect <= sum_{j: o(j) = e} s_jc z_jt (energy after = q - g never below zero)."""
    m.saved = pyo.Var(
        range(len(f.energy_pairs)), f.years, bounds=lambda _m, l_, _t: (None, float(f.b_en[l_]))
    )
    m.energy_link = _link_rows(m, f, m.saved, f.en_matrix)


def budget(m: pyo.ConcreteModel, f: Frame) -> None:
    """3. sum_j c_j x_j <= B, with c_j the capex counted in the budget (section 11) and B
    a mutable parameter. No budget = sum_j c_j + 1: never binding, and finite, because a
    bound that starts at +inf counts as no bound and some persistent interfaces
    (pyomo.contrib.solver's HiGHS) never update it afterwards."""
    f.no_budget_limit = float(f.budget_capex.sum()) + 1.0
    m.budget = pyo.Param(
        mutable=True, initialize=min(f.park.budget_total, f.no_budget_limit), within=pyo.Reals
    )
    m.budget_row = pyo.Constraint(expr=linear(f.budget_capex, m.x.values()) <= m.budget)


def permits(m: pyo.ConcreteModel, f: Frame) -> None:
    """4. Hard permits: e_ept <= permit_ept, the bound a_ept >= b_ep - permit_ept. Soft:
    a_ept + v_i >= b_ep - permit_ept with v_i >= 0 the excess (t/yr), charged in the
    objective (section 9). Off: nothing."""
    if f.park.permit_mode == "hard":
        for t in f.years:
            for k in np.flatnonzero(~np.isnan(f.permit_kt[t])):
                m.avoided[int(k), t].setlb(float(f.b_em[k] - f.permit_kt[t, k]))
    soft = f.soft
    m.excess = pyo.Var(range(len(soft)), domain=pyo.NonNegativeReals)
    m.soft_permit = pyo.Constraint(
        range(len(soft)),
        rule=lambda _m, i: (
            linear([1.0, 1.0], [m.avoided[soft[i]], m.excess[i]])
            >= float(f.b_em[soft[i][0]] - f.permit_kt[soft[i][1], soft[i][0]])
        ),
    )


def park_caps_and_reductions(m: pyo.ConcreteModel, f: Frame) -> None:
    """5. Per pollutant p and year t with a limit: sum_e a_ept >= sum_e b_ep - cap_pt
    (park cap) and sum_e a_ept >= rho_pt sum_e b_ep (reduction target); cap and rho are
    mutable parameters."""
    park, years = f.park, f.years
    pollutant_of_pair = f.emission_pairs[:, 1]
    park_baseline = park.baseline_emissions.sum(axis=0)
    pollutants = range(len(park.pollutant_ids))
    capped = [
        (p, t) for t in years for p in pollutants if not np.isnan(park.park_cap_by_year[t, p])
    ]
    targeted = [
        (p, t) for t in years for p in pollutants if not np.isnan(park.reduction_by_year[t, p])
    ]
    m.park_cap = pyo.Param(
        capped, mutable=True, initialize={pt: park.park_cap_by_year[pt[1], pt[0]] for pt in capped}
    )
    m.reduction_target = pyo.Param(
        targeted,
        mutable=True,
        initialize={pt: park.reduction_by_year[pt[1], pt[0]] for pt in targeted},
    )

    def avoided_of(p: int, t: int) -> LinearExpression:
        ks = np.flatnonzero(pollutant_of_pair == p)
        return linear(np.ones(len(ks)), (m.avoided[int(k), t] for k in ks))

    m.park_cap_row = pyo.Constraint(
        capped, rule=lambda _m, p, t: avoided_of(p, t) >= float(park_baseline[p]) - m.park_cap[p, t]
    )
    m.reduction_row = pyo.Constraint(
        targeted,
        rule=lambda _m, p, t: (
            avoided_of(p, t) >= m.reduction_target[p, t] * float(park_baseline[p])
        ),
    )


def energy_limits(m: pyo.ConcreteModel, f: Frame) -> None:
    """6. Per year t with a limit, in tce: sum_ec f_c g_ect >= baseline tce - cap_t
    (energy cap) and sum_ec f_c g_ect >= rho_t * baseline tce (energy reduction target)."""
    park, years = f.park, f.years
    baseline_tce = float(park.baseline_tce())
    cap_years = [t for t in years if not np.isnan(park.energy_cap_by_year[t])]
    cut_years = [t for t in years if not np.isnan(park.energy_reduction_by_year[t])]
    m.energy_cap = pyo.Param(
        cap_years, mutable=True, initialize={t: park.energy_cap_by_year[t] for t in cap_years}
    )
    m.energy_reduction = pyo.Param(
        cut_years, mutable=True, initialize={t: park.energy_reduction_by_year[t] for t in cut_years}
    )

    def tce_in(t: int) -> LinearExpression:
        return linear(f.tce_l, (m.saved[l_, t] for l_ in range(len(f.tce_l))))

    m.energy_cap_row = pyo.Constraint(
        cap_years, rule=lambda _m, t: tce_in(t) >= baseline_tce - m.energy_cap[t]
    )
    m.energy_reduction_row = pyo.Constraint(
        cut_years, rule=lambda _m, t: tce_in(t) >= m.energy_reduction[t] * baseline_tce
    )


def exclusive_groups_and_prerequisites(m: pyo.ConcreteModel, f: Frame) -> None:
    """7. sum_{j in g} x_j <= 1 for each exclusive group g; z_jt <= z_kt (i.e.
    z_jt - z_kt <= 0) for each k that j requires, in every year."""
    groups = list(f.park.exclusive_groups.values())
    m.exclusive = pyo.Constraint(
        range(len(groups)),
        rule=lambda _m, g: linear(np.ones(len(groups[g])), (m.x[j] for j in groups[g])) <= 1,
    )
    prereq = f.park.prerequisites
    m.prerequisite = pyo.Constraint(
        range(len(prereq)),
        f.years,
        rule=lambda _m, i, t: linear(*f.in_effect(m, [1.0, -1.0], prereq[i], t)) <= 0,
    )


def shared_facilities(m: pyo.ConcreteModel, f: Frame) -> None:
    """8. sum_j u_js z_jt - C_s z_st <= 0 for each park facility s and year t: no
    connection without the facility, and the connections fit its capacity."""
    facilities = f.park.facilities
    m.facility_capacity = pyo.Constraint(
        range(len(facilities)),
        f.years,
        rule=lambda _m, s, t: (
            linear(
                *f.in_effect(
                    m,
                    [*facilities[s].use, -facilities[s].capacity],
                    [*facilities[s].users, facilities[s].index],
                    t,
                )
            )
            <= 0
        ),
    )


def objectives(m: pyo.ConcreteModel, f: Frame) -> None:
    """9. PE = sum_t d_t sum_ep k_p a_ept, T = sum_t d_t sum_ec f_c g_ect, V = sum_i v_i:
    weighted max w_pol PE + w_en T - penalty V; pollution max PE - penalty V; energy
    max T - penalty V; cost min sum capex_j x_j (one year) or sum_jt d_t capex_j start_jt
    (several) + penalty V. d_t: section 10; the weights are mutable parameters."""
    park, pe_k, tce_l, counted = f.park, f.pe_k, f.tce_l, f.counted
    m.pollution_avoided = pyo.Expression(
        expr=linear(
            [w * pe for t, w in counted for pe in pe_k],
            [m.avoided[k, t] for t, _ in counted for k in range(len(pe_k))],
        )
    )
    m.tce_saved = pyo.Expression(
        expr=linear(
            [w * c for t, w in counted for c in tce_l],
            [m.saved[l_, t] for t, _ in counted for l_ in range(len(tce_l))],
        )
    )
    excess_total = linear(np.ones(len(f.soft)), m.excess.values())
    m.weight_pollution = pyo.Param(mutable=True, initialize=park.weight_pollution)
    m.weight_energy = pyo.Param(mutable=True, initialize=park.weight_energy)
    penalty = park.permit_penalty * excess_total
    if park.objective == "weighted":
        expr = m.weight_pollution * m.pollution_avoided + m.weight_energy * m.tce_saved - penalty
    elif park.objective == "pollution":
        expr = m.pollution_avoided - penalty
    elif park.objective == "energy":
        expr = m.tce_saved - penalty
    elif park.multi_year:  # capex discounted to the first year, spent in the start year
        discount = park.discount_factors()
        years, n = f.years, park.n_projects
        expr = (
            linear(
                [park.capex[j] * discount[t] for t in years for j in range(n)],
                [m.start[j, t] for t in years for j in range(n)],
            )
            + penalty
        )
    else:
        expr = linear(park.capex, m.x.values()) + penalty
    m.objective = pyo.Objective(expr=expr, sense=OBJECTIVE_SENSE[park.objective])
