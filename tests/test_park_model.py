"""The named changes of `ParkModel` (budget, weights, floors, forcing a project in or out,
releasing it, the least budget use), each checked on one persistent solver against
brute-force enumeration of every selection of a small park (tests/bruteforce.py, which
shares no code with the formulation).

Every test changes the model through the named method only, then re-solves the same
solver, so it also proves that the change reaches a persistent solver.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from bruteforce import (
    all_selections,
    enumerate_optimum,
    is_feasible,
    objective_after,
    pollution_eq_after,
    tce_after,
)
from test_formulation import compiled

from model.input.run_options import SolverOptions
from model.optimise.formulation import build_model
from model.optimise.solve import make_solver

EXACT = SolverOptions(mip_gap=0.0)
SEEDS = range(3)


def _best(park, mask: np.ndarray) -> float | None:
    """Best objective value (to minimise, bruteforce's sign) over the feasible selections
    that `mask` (over all 2^N selections) keeps; None if there is none."""
    answer = enumerate_optimum(park)
    keep = answer.feasible_mask & mask
    return float(answer.values[keep].min()) if keep.any() else None


def _value(park, x: np.ndarray) -> float:
    return objective_after(park, x)


@pytest.mark.parametrize("seed", SEEDS)
def test_set_budget_equals_a_model_built_with_that_budget(seed: int) -> None:
    park = compiled(seed, "all")
    park_model = build_model(park)
    solver = make_solver(park_model, EXACT)
    solver.solve()
    for share in (0.2, 0.7, 0.35):
        budget = round(share * float(park.capex.sum()), 1)
        park_model.set_budget(budget)
        assert park_model.budget == budget
        result = solver.solve()
        answer = enumerate_optimum(replace(park, budget_total=budget))
        if not answer.feasible:
            assert result.status == "infeasible"
            continue
        level = replace(park, budget_total=budget)
        assert result.status == "optimal" and is_feasible(level, result.x)
        assert _value(level, result.x) == pytest.approx(answer.best_value, rel=1e-7, abs=1e-6)


def test_no_budget_limit_is_computed_once() -> None:
    """set_budget(None), set_budget(inf) and a model built without a budget all hold the
    same finite value: the budget capex of every project plus 1 CNY (math.md 12)."""
    park = compiled(0, "budget")
    unlimited = build_model(replace(park, budget_total=float("inf")))
    expected = float(park.budget_capex().sum()) + 1.0
    assert unlimited.no_budget_limit == expected and unlimited.budget == expected
    park_model = build_model(park)
    assert park_model.no_budget_limit == expected
    park_model.set_budget(None)
    assert park_model.budget == expected
    park_model.set_budget(float("inf"))
    assert park_model.budget == expected
    solver = make_solver(park_model, EXACT)
    answer = enumerate_optimum(replace(park, budget_total=float("inf")))
    result = solver.solve()
    value = _value(park, result.x)
    assert value == pytest.approx(answer.best_value, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_force_out_and_force_in_equal_enumeration_with_the_project_fixed(seed: int) -> None:
    park = compiled(seed, "all")
    n = park.n_projects
    selections = all_selections(n).astype(bool)
    park_model = build_model(park)
    solver = make_solver(park_model, EXACT)
    optimum = solver.solve()
    for j in (0, 2, n - 1):
        for force, taken in ((park_model.force_out, False), (park_model.force_in, True)):
            force(j)
            result = solver.solve()
            best = _best(park, selections[:, j] == taken)
            if best is None:
                assert result.status == "infeasible"
            else:
                assert result.status == "optimal" and bool(result.x[j]) == taken
                assert _value(park, result.x) == pytest.approx(best, rel=1e-7, abs=1e-6)
            park_model.release(j)
        again = solver.solve()
        assert again.status == optimum.status
        if optimum.has_solution:
            assert _value(park, again.x) == pytest.approx(_value(park, optimum.x), rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_set_weights_equals_enumeration_with_those_weights(seed: int) -> None:
    park = compiled(seed, "all")
    park_model = build_model(park)
    solver = make_solver(park_model, EXACT)
    for w_pollution, w_energy in ((1.0, 0.0), (0.0, 1.0), (3.0, 0.5)):
        park_model.set_weights(w_pollution, w_energy)
        result = solver.solve()
        weighted = replace(park, weight_pollution=w_pollution, weight_energy=w_energy)
        answer = enumerate_optimum(weighted)
        if not answer.feasible:
            assert result.status == "infeasible"
            continue
        assert result.status == "optimal"
        assert _value(weighted, result.x) == pytest.approx(answer.best_value, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_set_floors_equal_enumeration_of_the_epsilon_problem(seed: int) -> None:
    """Maximise PE avoided subject to T saved >= eps: by enumeration, the least
    pollution equivalents after among feasible selections whose tce after is at most
    baseline - eps. Floors off again gives the plain optimum."""
    park = replace(compiled(seed, "budget"), weight_pollution=1.0, weight_energy=0.0)
    park_model = build_model(park, floors=True)
    assert park_model.has_floors
    solver = make_solver(park_model, EXACT)
    plain = solver.solve()
    selections = all_selections(park.n_projects)
    feasible = is_feasible(park, selections)
    tce_saved = float(park.baseline_tce()) - tce_after(park, selections)
    pe_after = pollution_eq_after(park, selections)
    for share in (0.3, 0.6, 0.9):
        eps = share * float(tce_saved[feasible].max())
        park_model.set_floors(energy=eps)
        assert park_model.floors[1] == eps
        result = solver.solve()
        keep = feasible & (tce_saved >= eps - 1e-9)
        assert result.status == "optimal"
        assert pollution_eq_after(park, result.x) == pytest.approx(
            float(pe_after[keep].min()), rel=1e-7
        )
    park_model.set_floors()
    assert park_model.floors == (park_model.floors_off.pollution, park_model.floors_off.energy)
    again = solver.solve()
    assert pollution_eq_after(park, again.x) == pytest.approx(
        pollution_eq_after(park, plain.x), rel=1e-9
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_minimise_budget_use_equals_the_cheapest_feasible_selection(seed: int) -> None:
    park = replace(compiled(seed, "all"), budget_total=float("inf"))
    park_model = build_model(park)
    park_model.minimise_budget_use()
    result = make_solver(park_model, EXACT).solve()
    selections = all_selections(park.n_projects)
    feasible = is_feasible(park, selections)
    if not feasible.any():
        assert result.status == "infeasible"
        return
    cheapest = float((selections[feasible] @ park.budget_capex()).min())
    assert result.status == "optimal"
    assert float(park.budget_capex() @ result.x) == pytest.approx(cheapest, rel=1e-9)
