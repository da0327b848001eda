"""docs/math.md sections 10-13, one function each: what extends the single-year model of
sections 1-9 (model/optimise/families.py): several planning years, the money rules,
the epsilon floors of frontier studies, and the units the solver works in.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from model.optimise.families import Frame, _row_increases, linear
from model.optimise.park_model import FloorsOff
from model.optimise.scaling import choose_units, power_of_two_near


def planning_years(m: pyo.ConcreteModel, f: Frame) -> None:
    """10. Several years: x_j - sum_t start_jt = 0 (one start year or none), and the
    years' budgets on the capex spent in the start year, sum_j c_j start_jt <= B_t, or
    with carry-over sum_{s <= t} sum_j c_j start_js <= sum_{s <= t} B_s (B_t mutable).
    The families above already use the levels in effect z_jt (`Frame.in_effect`)."""
    park, years, n = f.park, f.years, f.park.n_projects
    if park.multi_year:
        m.start_link = pyo.Constraint(
            range(n),
            rule=lambda _m, j: (
                linear([1.0] + [-1.0] * len(years), [m.x[j], *(m.start[j, t] for t in years)]) == 0
            ),
        )
    limited = [t for t in years if np.isfinite(park.budget_per_year[t])]
    m.budget_year = pyo.Param(
        limited, mutable=True, initialize={t: park.budget_per_year[t] for t in limited}
    )

    def started(j: int, t: int):
        return m.start[j, t] if park.multi_year else m.x[j]

    def spending(t: int) -> LinearExpression:
        spent_in = range(t + 1) if park.carry_over else [t]
        return linear(
            [f.budget_capex[j] for s in spent_in for j in range(n)],
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


def money(m: pyo.ConcreteModel, f: Frame) -> None:
    """11. sum_j s_j x_j <= B_public (subsidies s_j from the public budget, a mutable
    parameter); options done at once fixed at x_j = 1, projects screened out at x_j = 0.
    (The budget row of section 3 already counts c_j = capex_j - s_j.)"""
    park = f.park
    subsidised = np.flatnonzero(park.subsidy > 0)
    has_public = np.isfinite(park.public_budget) and len(subsidised) > 0
    m.public_budget = pyo.Param(mutable=True, initialize=park.public_budget if has_public else 0)
    m.public_budget_row = pyo.Constraint(
        [0] if has_public else [],
        rule=lambda _m, _i: (
            linear(park.subsidy[subsidised], (m.x[j] for j in subsidised)) <= m.public_budget
        ),
    )
    for j in np.flatnonzero(park.forced):
        m.x[int(j)].setlb(1.0)
    for j in np.flatnonzero(park.excluded):
        m.x[int(j)].setub(0.0)


def epsilon_floors(m: pyo.ConcreteModel, f: Frame) -> None:
    """12. PE >= eps_PE and T >= eps_T (rows only when the model is built for a
    frontier). Off = a finite value no portfolio can fall below: minus (every increase
    taken, no reduction) minus 1; finite for the same reason as the budget's no-limit."""
    total_weight = sum(w for _, w in f.counted)
    f.floors_off = FloorsOff(
        pollution=-total_weight * float(f.pe_k @ _row_increases(f.em_matrix)) - 1.0,
        energy=-total_weight * float(f.tce_l @ _row_increases(f.en_matrix)) - 1.0,
    )
    m.pollution_floor = pyo.Param(mutable=True, initialize=f.floors_off.pollution)
    m.energy_floor = pyo.Param(mutable=True, initialize=f.floors_off.energy)
    m.pollution_floor_row = pyo.Constraint(
        [0] if f.floors else [], rule=lambda _m, _i: m.pollution_avoided >= m.pollution_floor
    )
    m.energy_floor_row = pyo.Constraint(
        [0] if f.floors else [], rule=lambda _m, _i: m.tce_saved >= m.energy_floor
    )


def solver_units(m: pyo.ConcreteModel, f: Frame) -> None:
    """13. The `scaling_factor` suffix (scaled = factor * original): a_ep and v in u_p,
    g_ec in v_c; the rows of sections 1, 4, 5 of p divided by u_p, of section 2 by v_c,
    budget rows (3, 10) by the money unit, the public-money row (11) by the subsidies'
    unit, tce rows (6), epsilon rows (12) and facility rows (8) by the power of two
    nearest the geometric mean of their coefficients' sizes; the objective likewise,
    with every weight taken as 1 (model/optimise/scaling.py)."""
    park, soft, counted = f.park, f.soft, f.counted
    units = f.units = choose_units(park)
    u_k = units.pollutant[f.emission_pairs[:, 1]]  # t/yr per model unit, per emission pair
    v_l = units.carrier[f.energy_pairs[:, 1]]  # carrier units/yr per model unit, per pair
    scale = m.scaling_factor = pyo.Suffix(direction=pyo.Suffix.LOCAL)

    def in_units(component, unit) -> None:
        """Count every member of `component` in `unit` (a number, or a function of the
        member's index)."""
        for index, member in component.items():
            scale[member] = 1.0 / (unit(index) if callable(unit) else unit)

    facilities = park.facilities
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
    energy_coefs = f.tce_l * v_l  # a tce row's coefficients once saved is in units v_l
    in_units(m.energy_cap_row, power_of_two_near(energy_coefs))
    in_units(m.energy_reduction_row, power_of_two_near(energy_coefs))
    in_units(
        m.facility_capacity,
        lambda st: power_of_two_near([*facilities[st[0]].use, facilities[st[0]].capacity]),
    )
    pollution_coefs = np.concatenate([w * f.pe_k * u_k for _, w in counted])
    tce_coefs = np.concatenate([w * energy_coefs for _, w in counted])
    in_units(m.pollution_floor_row, power_of_two_near(pollution_coefs))
    in_units(m.energy_floor_row, power_of_two_near(tce_coefs))
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
