"""Why was a project left out? Its break-even capex, by re-solves on the persistent model.

For a project j that the optimal portfolio leaves out (objective value V*), force it in
(x_j = 1) and give the budget back an amount d: V_j(d) is the best objective with j in
the portfolio and d more money. V_j grows with d. Project j would enter the optimal
portfolio at a capex of (its capex - d*), where d* is the smallest d with V_j(d) >= V*:
d* is also the subsidy it would need. If even d = its whole (net) capex does not reach
V*, the project would not enter for free: what it displaces (through exclusive groups,
shared capacity, saturation or limits) is worth more than what it brings.

d* is found by bisection on the persistent solver (only the budget parameter and the
bounds of x_j change). The first trial is the LP estimate: the reduced cost of x_j in
the LP relaxation divided by the budget's shadow price (objective units per CNY), which
is how much budget would pay for forcing the project in if everything were divisible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.appraise.evaluate import evaluate, is_chosen
from model.input.run_options import SolverOptions
from model.optimise.formulation import build_model
from model.optimise.park_model import ParkModel
from model.optimise.solve import make_solver


@dataclass
class BreakEven:
    project: int
    capex: float  # CNY, net of subsidy (what counts in the budget)
    break_even_capex: float  # CNY; NaN when it would not enter even for free
    subsidy_needed: float  # CNY; NaN likewise
    lp_estimate: float  # CNY of budget, from the LP relaxation (NaN if unavailable)
    solves: int
    note: str


def lp_estimates(park_model: ParkModel, options: SolverOptions) -> np.ndarray:
    """Budget (CNY) each project's LP reduced cost is worth at the budget's shadow price."""
    relaxed = build_model(park_model.park, relax=True)
    solver = make_solver(relaxed, options)
    result = solver.solve()
    if not result.has_solution or not solver.capabilities.duals:
        return np.full(park_model.park.n_projects, np.nan)
    price = abs(solver.budget_dual())
    costs = np.abs(solver.project_reduced_costs())
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(price > 1e-12, costs / price, np.nan)


def break_even(
    park_model: ParkModel,
    solver,
    optimum: float,
    projects: list[int],
    options: SolverOptions,
    relative_tolerance: float = 0.01,
    estimates: np.ndarray | None = None,
) -> list[BreakEven]:
    """Break-even capex of each project in `projects` (indices of left-out projects).
    `estimates`: the LP estimates (`lp_estimates`), computed here when not given."""
    park = park_model.park
    budget_coefficient = park.budget_capex()
    base_budget = park_model.budget
    if not projects:
        return []
    if estimates is None:
        estimates = lp_estimates(park_model, options)
    tolerance = 1e-7 * max(1.0, abs(optimum))
    answers = []
    for j in projects:
        net = float(budget_coefficient[j])
        solves = 0

        def value_with(extra: float) -> float:
            nonlocal solves
            park_model.set_budget(base_budget + extra)
            result = solver.solve()
            solves += 1
            return result.objective if result.has_solution else -np.inf

        park_model.force_in(j)
        try:
            if value_with(0.0) >= optimum - tolerance:
                answers.append(
                    BreakEven(
                        j,
                        net,
                        net,
                        0.0,
                        estimates[j],
                        solves,
                        "ties with the optimum: an alternative optimal portfolio",
                    )
                )
                continue
            if value_with(net) < optimum - tolerance:
                answers.append(
                    BreakEven(
                        j,
                        net,
                        np.nan,
                        np.nan,
                        estimates[j],
                        solves,
                        "would not enter even at zero capex",
                    )
                )
                continue
            low, high = 0.0, net
            guess = estimates[j]
            if np.isfinite(guess) and 0.0 < guess < net:
                if value_with(guess) >= optimum - tolerance:
                    high = guess
                else:
                    low = guess
            while high - low > max(relative_tolerance * net, 1e-9):
                middle = 0.5 * (low + high)
                if value_with(middle) >= optimum - tolerance:
                    high = middle
                else:
                    low = middle
            answers.append(
                BreakEven(
                    j,
                    net,
                    net - high,
                    high,
                    estimates[j],
                    solves,
                    "enters if its capex falls to the break-even value",
                )
            )
        finally:
            park_model.release(j)
            park_model.set_budget(base_budget)
    return answers


def candidates(park_model: ParkModel, x: np.ndarray, limit: int) -> list[int]:
    """The `limit` left-out projects with the largest nominal effect (pollution
    equivalents plus tce, weighted as in the objective); projects screened out by the
    acceptance rules are not candidates (no capex would bring them in)."""
    park = park_model.park
    nominal = park.weight_pollution * (park.reduces @ park.pe_per_t)
    nominal = nominal + park.weight_energy * (park.saves @ park.tce_per_unit)
    left_out = np.flatnonzero(~is_chosen(x) & ~park.excluded & ~park.forced)
    order = left_out[np.argsort(-nominal[left_out], kind="stable")]
    return [int(j) for j in order[:limit]]


def structural_reason(park, x: np.ndarray, j: int) -> str:
    """What keeps left-out project j out apart from money, computed from the portfolio
    x (final-year levels): an exclusive alternative that is chosen, a prerequisite that
    is not, or no gain at all (adding j at full level on top of x changes the objective's
    pollution equivalents and tce by nothing, e.g. its owner's pollutants are already
    removed by chosen projects). '' when none of these holds (then it is money: the
    budget buys more elsewhere)."""
    x = np.asarray(x, dtype=float)
    chosen = is_chosen(x)
    ids = park.project_ids
    reasons = []
    for group, members in park.exclusive_groups.items():
        if j in members:
            rivals = [str(ids[k]) for k in members if k != j and chosen[k]]
            if rivals:
                reasons.append(f"exclusive with {', '.join(rivals)} (group {group}, chosen)")
    missing = [str(ids[k]) for a, k in park.prerequisites if a == j and not chosen[k]]
    if missing:
        reasons.append(f"needs {', '.join(missing)} first, which is not chosen")
    if not reasons:
        with_j = x.copy()
        with_j[j] = 1.0
        before, after = evaluate(park, x), evaluate(park, with_j)
        gain = park.weight_pollution * float(
            before.pollution_eq.sum() - after.pollution_eq.sum()
        ) + park.weight_energy * float(before.energy_tce.sum() - after.energy_tce.sum())
        if gain <= 1e-9 * max(1.0, float(before.pollution_eq.sum())):
            reasons.append(
                "adds nothing on top of the chosen projects (what it reduces is already "
                "removed, or it brings no pollution or energy gain)"
            )
    return "; ".join(reasons)
