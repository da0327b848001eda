"""The least net capex of a single-year park, built straight from its arrays with
scipy.optimize.milp (test helper, not a test).

An independent route to the number the budget's infeasibility message must name: it
does not use model/optimise/formulation.py, Pyomo or the relaxation model, only the plain arrays
of a compiled `ParkData`. The math (docs/math.md sections 1-8 and 11, in its own
variables):

* x_j in {0, 1} (in [0, 1] if divisible), fixed at 1 for options done at once and at 0
  for screened-out projects;
* a_ep <= b_ep and a_ep <= sum over e's projects j of r_jp x_j (tonnes avoided; the
  limits below ask for a_ep large, so any portfolio meeting them has a feasible a);
* g_ec <= q_ec and g_ec <= sum over e's projects of s_jc x_j (carrier units saved);
* hard permits a_ep >= b_ep - permit_ep; park caps sum_e a_ep >= sum_e b_ep - cap_p;
  reduction targets sum_e a_ep >= rho_p sum_e b_ep; energy cap and target in tce;
* at most one project of each exclusive group; x_j <= x_k for each prerequisite;
  shared-facility capacity sum_users use x_user <= capacity x_facility;
* the public subsidy budget sum_j subsidy_j x_j <= public budget when set;
* minimise sum_j (capex_j - subsidy_j) x_j over the projects inside the budget, with no
  budget limit.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_array

from model.compile.park import ParkData


def least_net_capex(park: ParkData) -> float | None:
    """min net capex over the portfolios that meet every limit but the budget; None when
    none does."""
    if park.multi_year:
        raise ValueError("single-year parks only")
    n = park.n_projects
    rows, pollutants = park.baseline_emissions.shape
    carriers = park.baseline_energy.shape[1]
    n_a, n_g = rows * pollutants, rows * carriers
    a0, g0 = n, n + n_a  # first column of a and of g
    total = n + n_a + n_g

    def a_col(e: int, p: int) -> int:
        return a0 + e * pollutants + p

    def g_col(e: int, c: int) -> int:
        return g0 + e * carriers + c

    reduces, saves = park.reduces.toarray(), park.saves.toarray()
    matrix_rows, lower, upper = [], [], []

    def add(coefs: dict[int, float], lo: float, hi: float) -> None:
        matrix_rows.append(coefs)
        lower.append(lo)
        upper.append(hi)

    for e in range(rows):
        own = np.flatnonzero(park.owner == e)
        for p in range(pollutants):
            coefs = {a_col(e, p): 1.0}
            for j in own:
                if reduces[j, p]:
                    coefs[int(j)] = -reduces[j, p]
            add(coefs, -np.inf, 0.0)
        for c in range(carriers):
            coefs = {g_col(e, c): 1.0}
            for j in own:
                if saves[j, c]:
                    coefs[int(j)] = -saves[j, c]
            add(coefs, -np.inf, 0.0)
    park_baseline = park.baseline_emissions.sum(axis=0)
    for p in range(pollutants):
        column = {a_col(e, p): 1.0 for e in range(rows)}
        if not np.isnan(park.park_cap[p]):
            add(column, park_baseline[p] - park.park_cap[p], np.inf)
        if not np.isnan(park.reduction_target[p]):
            add(column, park.reduction_target[p] * park_baseline[p], np.inf)
    baseline_tce = float((park.baseline_energy @ park.tce_per_unit).sum())
    tce_saved = {g_col(e, c): park.tce_per_unit[c] for e in range(rows) for c in range(carriers)}
    if not np.isnan(park.energy_cap_tce):
        add(tce_saved, baseline_tce - park.energy_cap_tce, np.inf)
    if not np.isnan(park.energy_reduction):
        add(tce_saved, park.energy_reduction * baseline_tce, np.inf)
    for members in park.exclusive_groups.values():
        add({int(j): 1.0 for j in members}, -np.inf, 1.0)
    for j, k in park.prerequisites:
        add({j: 1.0, k: -1.0}, -np.inf, 0.0)
    for facility in park.facilities:
        coefs = {int(j): float(u) for j, u in zip(facility.users, facility.use, strict=True)}
        coefs[facility.index] = coefs.get(facility.index, 0.0) - facility.capacity
        add(coefs, -np.inf, 0.0)
    if np.isfinite(park.public_budget):
        add({j: park.subsidy[j] for j in range(n)}, -np.inf, park.public_budget)

    matrix = lil_array((len(matrix_rows), total))
    for r, coefs in enumerate(matrix_rows):
        for col, value in coefs.items():
            matrix[r, col] = value

    col_lower = np.full(total, -np.inf)
    col_upper = np.full(total, np.inf)
    col_lower[:n] = park.forced.astype(float)
    col_upper[:n] = np.where(park.excluded, 0.0, 1.0)
    col_upper[a0:g0] = park.baseline_emissions.ravel()
    col_upper[g0:] = park.baseline_energy.ravel()
    if park.permit_mode == "hard":
        permit = park.permit.ravel()
        has = ~np.isnan(permit)
        col_lower[a0:g0][has] = (park.baseline_emissions.ravel() - permit)[has]
    cost = np.zeros(total)
    cost[:n] = np.where(park.forced, 0.0, park.capex - park.subsidy)
    integrality = np.zeros(total)
    integrality[:n] = ~park.divisible
    result = milp(
        cost,
        constraints=LinearConstraint(matrix.tocsr(), lower, upper),
        bounds=Bounds(col_lower, col_upper),
        integrality=integrality,
        options={"mip_rel_gap": 0.0},
    )
    if result.status != 0:
        return None
    x = np.round(result.x[:n]) if not park.divisible.any() else result.x[:n]
    return float(cost[:n] @ x)
