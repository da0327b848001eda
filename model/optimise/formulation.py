"""The Pyomo model of project selection, built once from `ParkData` arrays.

docs/math.md states every constraint family in words and symbols; the comments here name
the section. Everything a study varies later (budget, caps, targets, weights, epsilon
bounds) is a mutable Param, so a persistent solver re-solves without a rebuild.

Variables (t runs over the planning years; one year = the single-year model)
* x[j]          project j is done within the horizon: binary, or in [0, 1] if divisible
* start[j, t]   multi-year only: project j starts in year t (sum over t = x[j]); it is in
                effect in year t from the start year + its lead time onwards
* avoided[k, t] t/yr of pollutant p_k removed at row e_k in year t: <= baseline and <= the
                row's in-effect reductions, so emissions after = max(0, b - R x)
* saved[l, t]   carrier units/yr saved at row e_l in year t, likewise
* excess[i, t]  t/yr over the permit (soft permits only)

The objective is stated in *avoided* terms (no baseline constant), so the solver's
relative MIP gap refers to the reduction the planner is buying (a baseline constant in
the objective would loosen a relative gap several times over).

Every variable, parameter and expression of the Pyomo model is in the user's units (t/yr,
carrier units/yr, CNY). What the solver is handed is scaled (math.md 13): the model's
`scaling_factor` suffix (Pyomo's convention: scaled = factor * original) holds, for each
column, row and the objective, 1 / its unit from `model.optimise.scaling`, e.g. avoided[k, t] is
counted in units u_p of its pollutant and its link row is divided by u_p. The solver
adapters apply the factors when they hand the model over and undo them on everything they
read back, so values, duals, reduced costs, objective and bound stay in the user's units.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.core.expr.numeric_expr import LinearExpression

from model.compile.park import ParkData
from model.optimise.park_model import FloorsOff, ParkModel
from model.optimise.scaling import choose_units, power_of_two_near

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


def _linear(coefs, variables, constant: float = 0.0) -> LinearExpression:
    return LinearExpression(
        constant=constant, linear_coefs=list(coefs), linear_vars=list(variables)
    )


class _Effects:
    """Which decision variables make project j act in year t, with which coefficient."""

    def __init__(self, park: ParkData, m: pyo.ConcreteModel) -> None:
        self.multi = park.multi_year
        self.lead = park.effective_from()
        self.m = m
        self.x_vars = list(m.x.values())

    def terms(self, j: int, t: int) -> list:
        if not self.multi:
            return [self.x_vars[j]]
        return [self.m.start[j, s] for s in range(t - int(self.lead[j]) + 1)]

    def combine(self, coefs, projects, t: int) -> tuple[list[float], list]:
        """sum_j coefs[j] * (level of project j in effect in year t) as coefs/vars."""
        out_coefs, out_vars = [], []
        for coef, j in zip(coefs, projects, strict=True):
            for var in self.terms(int(j), t):
                out_coefs.append(float(coef))
                out_vars.append(var)
        return out_coefs, out_vars


def _add_link_rows(m, name: str, amount_var, matrix: sp.csr_array, effects: _Effects, years):
    """amount[k, t] - sum_j matrix[k, j] (level of j in effect in t) <= 0 (math.md 1, 2)."""
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data

    def rule(_m, k, t):
        lo, hi = indptr[k], indptr[k + 1]
        coefs, variables = effects.combine(-data[lo:hi], indices[lo:hi], t)
        return _linear([1.0, *coefs], [amount_var[k, t], *variables]) <= 0

    setattr(m, name, pyo.Constraint(range(matrix.shape[0]), years, rule=rule))


def build_model(park: ParkData, relax: bool = False, floors: bool = False) -> ParkModel:
    """Build the Pyomo model of docs/math.md for `park`.

    With `relax=True` every project is continuous in [0, 1] (the LP relaxation, used for
    shadow prices and reduced-cost bounds). With `floors=True` the two epsilon rows of
    frontier studies are added (math.md 12); they are dense, so other runs leave them out.
    """
    m = pyo.ConcreteModel(name=park.name)
    n = park.n_projects
    years = range(len(park.years))
    last = len(park.years) - 1
    emission_pairs = park.emission_pairs()
    energy_pairs = park.energy_pairs()
    b_em = park.baseline_emissions[emission_pairs[:, 0], emission_pairs[:, 1]]
    b_en = park.baseline_energy[energy_pairs[:, 0], energy_pairs[:, 1]]
    pe_k = park.pe_per_t[emission_pairs[:, 1]]
    tce_l = park.tce_per_unit[energy_pairs[:, 1]]

    # --- decisions (math.md "Decisions"); forced options and screened-out ones (math.md 11)
    continuous = park.divisible | relax
    bounds = [(1.0 if park.forced[j] else 0.0, 0.0 if park.excluded[j] else 1.0) for j in range(n)]
    m.x = pyo.Var(
        range(n),
        domain=lambda _m, j: pyo.UnitInterval if continuous[j] else pyo.Binary,
        bounds=lambda _m, j: bounds[j],
    )
    x_vars = list(m.x.values())
    if park.multi_year:  # math.md 10: one start year per project (or none)
        m.start = pyo.Var(
            range(n),
            years,
            domain=lambda _m, j, _t: pyo.UnitInterval if continuous[j] else pyo.Binary,
            bounds=(0, 1),
        )
        m.start_link = pyo.Constraint(
            range(n),
            rule=lambda _m, j: (
                _linear([1.0] + [-1.0] * len(years), [m.x[j], *(m.start[j, t] for t in years)]) == 0
            ),
        )
    effects = _Effects(park, m)

    # --- emissions after, with saturation and cross-media increases (math.md 1);
    # hard permits (math.md 4) are lower bounds: avoided >= baseline - permit
    permit_kt = park.permit_by_year[:, emission_pairs[:, 0], emission_pairs[:, 1]]  # (Y, K)
    hard = park.permit_mode == "hard"
    lower = np.where(hard & ~np.isnan(permit_kt), b_em - np.nan_to_num(permit_kt), -np.inf)
    m.avoided = pyo.Var(
        range(len(emission_pairs)),
        years,
        bounds=lambda _m, k, t: (
            None if np.isinf(lower[t, k]) else float(lower[t, k]),
            float(b_em[k]),
        ),
    )
    n_rows = len(park.enterprise_ids)
    em_matrix = pair_matrix(emission_pairs, park.reduces, park.owner, n_rows)
    _add_link_rows(m, "emission_link", m.avoided, em_matrix, effects, years)

    # --- soft permits (math.md 4): avoided + excess >= baseline - permit
    soft = [(int(k), t) for t in years for k in np.flatnonzero(~np.isnan(permit_kt[t]))]
    soft = soft if park.permit_mode == "soft" else []
    m.excess = pyo.Var(range(len(soft)), domain=pyo.NonNegativeReals)
    m.soft_permit = pyo.Constraint(
        range(len(soft)),
        rule=lambda _m, i: (
            _linear([1.0, 1.0], [m.avoided[soft[i]], m.excess[i]])
            >= float(b_em[soft[i][0]] - permit_kt[soft[i][1], soft[i][0]])
        ),
    )
    m.soft_pairs = soft  # (pair k, year t) of each excess variable, for reporting

    # --- energy after by carrier (math.md 2)
    m.saved = pyo.Var(
        range(len(energy_pairs)), years, bounds=lambda _m, l_, _t: (None, float(b_en[l_]))
    )
    en_matrix = pair_matrix(energy_pairs, park.saves, park.owner, n_rows)
    _add_link_rows(m, "energy_link", m.saved, en_matrix, effects, years)

    # --- budget (math.md 3): capex net of subsidy; options done at once are outside it.
    # No budget = the total capex of all projects: never binding, and finite, because a
    # bound that starts at +inf counts as no bound, and some persistent interfaces
    # (pyomo.contrib.solver's HiGHS) never update it afterwards.
    budget_capex = park.budget_capex()
    no_limit = float(budget_capex.sum()) + 1.0
    m.budget = pyo.Param(
        mutable=True, initialize=min(park.budget_total, no_limit), within=pyo.Reals
    )
    m.budget_row = pyo.Constraint(expr=_linear(budget_capex, x_vars) <= m.budget)
    # public money for subsidies (math.md 3)
    subsidised = np.flatnonzero(park.subsidy > 0)
    has_public = np.isfinite(park.public_budget) and len(subsidised) > 0
    m.public_budget = pyo.Param(mutable=True, initialize=park.public_budget if has_public else 0)
    m.public_budget_row = pyo.Constraint(
        [0] if has_public else [],
        rule=lambda _m, _i: (
            _linear(park.subsidy[subsidised], (x_vars[j] for j in subsidised)) <= m.public_budget
        ),
    )
    # per-year budgets, with carry-over as cumulative sums (math.md 10)
    limited = [t for t in years if np.isfinite(park.budget_per_year[t])]
    m.budget_year = pyo.Param(
        limited, mutable=True, initialize={t: park.budget_per_year[t] for t in limited}
    )

    def started(j: int, t: int):
        return m.start[j, t] if park.multi_year else x_vars[j]

    def spending(t: int) -> LinearExpression:
        spent_in = range(t + 1) if park.carry_over else [t]
        return _linear(
            [budget_capex[j] for s in spent_in for j in range(n)],
            [started(j, s) for s in spent_in for j in range(n)],
        )

    m.budget_year_row = pyo.Constraint(
        limited,
        rule=lambda _m, t: (
            spending(t)
            <= (
                sum(m.budget_year[s] for s in limited if s <= t)
                if park.carry_over
                else m.budget_year[t]
            )
        ),
    )

    # --- park caps and reduction targets by pollutant and year (math.md 5)
    pollutant_of_pair = emission_pairs[:, 1]
    park_baseline = park.baseline_emissions.sum(axis=0)
    capped = [
        (p, t)
        for t in years
        for p in range(len(park.pollutant_ids))
        if not np.isnan(park.park_cap_by_year[t, p])
    ]
    targeted = [
        (p, t)
        for t in years
        for p in range(len(park.pollutant_ids))
        if not np.isnan(park.reduction_by_year[t, p])
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
        return _linear(np.ones(len(ks)), (m.avoided[int(k), t] for k in ks))

    m.park_cap_row = pyo.Constraint(
        capped, rule=lambda _m, p, t: avoided_of(p, t) >= float(park_baseline[p]) - m.park_cap[p, t]
    )
    m.reduction_row = pyo.Constraint(
        targeted,
        rule=lambda _m, p, t: (
            avoided_of(p, t) >= m.reduction_target[p, t] * float(park_baseline[p])
        ),
    )

    # --- what each year avoids, and the objective measures (math.md 9, 10)
    def pollution_in(t: int) -> LinearExpression:
        return _linear(pe_k, (m.avoided[k, t] for k in range(len(pe_k))))

    def tce_in(t: int) -> LinearExpression:
        return _linear(tce_l, (m.saved[l_, t] for l_ in range(len(tce_l))))

    weight = park.discount_factors() if park.horizon_objective == "total" else None
    counted = [
        (t, 1.0 if weight is None else float(weight[t]))
        for t in years
        if weight is not None or t == last
    ]
    m.pollution_avoided = pyo.Expression(
        expr=_linear(
            [w * pe for t, w in counted for pe in pe_k],
            [m.avoided[k, t] for t, _ in counted for k in range(len(pe_k))],
        )
    )
    m.tce_saved = pyo.Expression(
        expr=_linear(
            [w * f for t, w in counted for f in tce_l],
            [m.saved[l_, t] for t, _ in counted for l_ in range(len(tce_l))],
        )
    )
    m.capex_used = pyo.Expression(expr=_linear(park.capex, x_vars))
    m.excess_total = pyo.Expression(expr=_linear(np.ones(len(soft)), m.excess.values()))
    if park.multi_year:  # discounted capex in the start year (math.md 10)
        discount = park.discount_factors()
        cost_expr = _linear(
            [park.capex[j] * discount[t] for t in years for j in range(n)],
            [m.start[j, t] for t in years for j in range(n)],
        )
    else:
        cost_expr = m.capex_used

    # --- energy cap and energy reduction target, in tce, by year (math.md 6)
    baseline_tce = float(park.baseline_tce())
    cap_years = [t for t in years if not np.isnan(park.energy_cap_by_year[t])]
    cut_years = [t for t in years if not np.isnan(park.energy_reduction_by_year[t])]
    m.energy_cap = pyo.Param(
        cap_years, mutable=True, initialize={t: park.energy_cap_by_year[t] for t in cap_years}
    )
    m.energy_reduction = pyo.Param(
        cut_years,
        mutable=True,
        initialize={t: park.energy_reduction_by_year[t] for t in cut_years},
    )
    m.energy_cap_row = pyo.Constraint(
        cap_years, rule=lambda _m, t: tce_in(t) >= baseline_tce - m.energy_cap[t]
    )
    m.energy_reduction_row = pyo.Constraint(
        cut_years, rule=lambda _m, t: tce_in(t) >= m.energy_reduction[t] * baseline_tce
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
        years,
        rule=lambda _m, i, t: _linear(*effects.combine([1.0, -1.0], prereq[i], t)) <= 0,
    )
    facilities = park.facilities
    m.facility_capacity = pyo.Constraint(
        range(len(facilities)),
        years,
        rule=lambda _m, s, t: (
            _linear(
                *effects.combine(
                    [*facilities[s].use, -facilities[s].capacity],
                    [*facilities[s].users, facilities[s].index],
                    t,
                )
            )
            <= 0
        ),
    )

    # --- epsilon floors for frontier studies (math.md 12). "Off" is a finite value no
    # selection can fall below (every increase taken, no reduction), for the same reason
    # as the budget: a bound starting at -inf counts as no bound.
    total_weight = sum(w for _, w in counted)
    floors_off = FloorsOff(
        pollution=-total_weight * float(pe_k @ _row_increases(em_matrix)) - 1.0,
        energy=-total_weight * float(tce_l @ _row_increases(en_matrix)) - 1.0,
    )
    m.pollution_floor = pyo.Param(mutable=True, initialize=floors_off.pollution)
    m.energy_floor = pyo.Param(mutable=True, initialize=floors_off.energy)
    m.pollution_floor_row = pyo.Constraint(
        [0] if floors else [], rule=lambda _m, _i: m.pollution_avoided >= m.pollution_floor
    )
    m.energy_floor_row = pyo.Constraint(
        [0] if floors else [], rule=lambda _m, _i: m.tce_saved >= m.energy_floor
    )

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
        expr = cost_expr + penalty
    m.objective = pyo.Objective(expr=expr, sense=OBJECTIVE_SENSE[park.objective])

    # --- the units the solver works in (math.md 13)
    units = choose_units(park)
    u_k = units.pollutant[emission_pairs[:, 1]]  # t/yr per model unit, per emission pair
    v_l = units.carrier[energy_pairs[:, 1]]  # carrier units/yr per model unit, per pair
    scale = m.scaling_factor = pyo.Suffix(direction=pyo.Suffix.LOCAL)

    def in_units(component, unit) -> None:
        """Count every member of `component` in `unit` (a number, or a function of the
        member's index)."""
        for index, member in component.items():
            scale[member] = 1.0 / (unit(index) if callable(unit) else unit)

    in_units(m.avoided, lambda kt: u_k[kt[0]])
    in_units(m.excess, lambda i: u_k[soft[i][0]])
    in_units(m.saved, lambda lt: v_l[lt[0]])
    in_units(m.emission_link, lambda kt: u_k[kt[0]])
    in_units(m.soft_permit, lambda i: u_k[soft[i][0]])
    in_units(m.energy_link, lambda lt: v_l[lt[0]])
    in_units(m.budget_row, units.money)
    in_units(m.budget_year_row, units.money)
    in_units(m.public_budget_row, units.public_money)
    in_units(m.park_cap_row, lambda pt: units.pollutant[pt[0]])
    in_units(m.reduction_row, lambda pt: units.pollutant[pt[0]])
    energy_coefs = tce_l * v_l  # a tce row's coefficients once saved is in units v_l
    in_units(m.energy_cap_row, power_of_two_near(energy_coefs))
    in_units(m.energy_reduction_row, power_of_two_near(energy_coefs))
    in_units(
        m.facility_capacity,
        lambda st: power_of_two_near([*facilities[st[0]].use, facilities[st[0]].capacity]),
    )
    pollution_coefs = np.concatenate([w * pe_k * u_k for _, w in counted])
    tce_coefs = np.concatenate([w * energy_coefs for _, w in counted])
    in_units(m.pollution_floor_row, power_of_two_near(pollution_coefs))
    in_units(m.energy_floor_row, power_of_two_near(tce_coefs))
    # the objective: its coefficients' sizes with every weight taken as 1, so the unit
    # does not depend on the weights a study changes later
    penalty_coefs = park.permit_penalty * np.array([u_k[k] for k, _ in soft])
    if park.multi_year:
        cost_coefs = np.concatenate([park.capex * d for d in park.discount_factors()])
    else:
        cost_coefs = park.capex
    objective_coefs = {
        "weighted": [pollution_coefs, tce_coefs],
        "pollution": [pollution_coefs],
        "energy": [tce_coefs],
        "cost": [cost_coefs],
    }[park.objective]
    scale[m.objective] = 1.0 / power_of_two_near(np.concatenate([*objective_coefs, penalty_coefs]))

    return ParkModel(
        park=park,
        model=m,
        emission_pairs=emission_pairs,
        energy_pairs=energy_pairs,
        relaxed=relax,
        units=units,
        no_budget_limit=no_limit,
        floors_off=floors_off,
    )
