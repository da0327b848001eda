"""Multi-year plans against an independent enumeration of start years.

Each project gets a start year or none (so (Y + 1)^N plans); a project started in year s
acts from year s + lead time on. Every year is checked with the single-year brute-force
functions of tests/bruteforce.py on that year's permits, caps and targets, and the plan
is scored as the discounted sum over the years (or the final year) of the single-year
"after" objective. The optimiser must reach the best plan's value, and a one-year
horizon through the multi-year code path must equal the single-year model.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from bruteforce import is_feasible, objective_after
from test_formulation import random_park_dict

from model.compile.compile import compile_park
from model.input.registry import build_registry
from model.input.run_options import SolverOptions
from model.input.schema import Scenario
from model.optimise.formulation import build_model
from model.optimise.solve import make_solver

EXACT = SolverOptions(mip_gap=0.0)
YEARS = [2021, 2022, 2023]


def multi_year_park(seed: int, carry_over: bool = False, horizon: str = "total", n: int = 7):
    rng = np.random.default_rng(100 + seed)
    data = random_park_dict(seed, "all", "weighted")
    data["projects"] = data["projects"][:n]
    keep = {p["id"] for p in data["projects"]}
    for project in data["projects"]:
        project["lead_time"] = int(rng.integers(0, 2))
        project["requires"] = [r for r in project.get("requires", []) if r in keep]
        project.pop("serves", None)
    data["horizon"] = {"start": YEARS[0], "end": YEARS[-1]}
    data["discount_rate"] = 0.08
    total = sum(p["capex"] for p in data["projects"])
    data["budget"] = {
        "total": round(0.7 * total, 1),
        "per_year": {
            YEARS[0]: round(0.25 * total, 1),
            YEARS[1]: round(0.25 * total, 1),
            YEARS[2]: round(0.3 * total, 1),
        },
        "carry_over": carry_over,
    }
    # limits that tighten: the NH3N cap applies from 2022, a COD permit tightens in 2023
    base = sum(e["baseline"]["emissions"]["NH3N"] for e in data["enterprises"])
    data["targets"] = {"park_caps": {"NH3N": {2021: base, 2022: round(0.85 * base, 2)}}}
    cod = data["enterprises"][0]["baseline"]["emissions"]["COD"]
    data["enterprises"][0]["permit"] = {"COD": {2021: cod, 2023: round(0.8 * cod, 2)}}
    data["objective"]["horizon"] = horizon
    scenario = Scenario.model_validate(data)
    return compile_park(scenario, build_registry(scenario))


def year_park(park, t: int):
    """The single-year park of planning year t (its limits; no budget: checked apart)."""
    year = slice(t, t + 1)
    return replace(
        park,
        years=[park.years[t]],
        budget_total=float("inf"),
        permit_by_year=park.permit_by_year[year],
        park_cap_by_year=park.park_cap_by_year[year],
        reduction_by_year=park.reduction_by_year[year],
        energy_cap_by_year=park.energy_cap_by_year[year],
        energy_reduction_by_year=park.energy_reduction_by_year[year],
        budget_per_year=np.full(1, np.inf),
    )


def best_plan(park):
    """(best objective to minimise, best plan) by enumerating start years."""
    years = len(park.years)
    lead = park.lead_time.astype(int)
    singles = [year_park(park, t) for t in range(years)]
    discount = 1.0 / (1.0 + park.discount_rate) ** np.arange(years)
    weights = discount if park.horizon_objective == "total" else np.eye(years)[-1]
    best, best_plan_ = np.inf, None
    for plan in itertools.product(range(-1, years), repeat=park.n_projects):
        plan = np.array(plan)
        done = (plan >= 0).astype(float)
        spend = np.array([park.capex[plan == t].sum() for t in range(years)])
        if spend.sum() > park.budget_total + 1e-9:
            continue
        limits = park.budget_per_year
        spent = np.cumsum(spend) if park.carry_over else spend
        allowed = np.cumsum(limits) if park.carry_over else limits
        if np.any(spent > allowed + 1e-9):
            continue
        if any(done[g].sum() > 1 for g in park.exclusive_groups.values()):
            continue
        value, ok = 0.0, True
        for t in range(years):
            active = ((plan >= 0) & (plan + lead <= t)).astype(float)
            if not is_feasible(replace(singles[t], exclusive_groups={}), active):
                ok = False
                break
            value += weights[t] * objective_after(singles[t], active)
        if ok and value < best - 1e-9:
            best, best_plan_ = value, plan
    return best, best_plan_


def plan_value(park, starts: np.ndarray) -> float:
    years = len(park.years)
    levels = park.in_effect(starts)
    discount = 1.0 / (1.0 + park.discount_rate) ** np.arange(years)
    weights = discount if park.horizon_objective == "total" else np.eye(years)[-1]
    return sum(weights[t] * objective_after(year_park(park, t), levels[t]) for t in range(years))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("carry_over", [False, True])
def test_multi_year_matches_enumeration(seed: int, carry_over: bool) -> None:
    park = multi_year_park(seed, carry_over)
    best, _ = best_plan(park)
    result = make_solver(build_model(park), EXACT).solve()
    if not np.isfinite(best):
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert plan_value(park, result.starts) == pytest.approx(best, rel=1e-7)


def test_final_year_objective_matches_enumeration() -> None:
    park = multi_year_park(1, horizon="final")
    best, _ = best_plan(park)
    result = make_solver(build_model(park), EXACT).solve()
    assert plan_value(park, result.starts) == pytest.approx(best, rel=1e-7)


def test_earlier_is_worth_more() -> None:
    """With the discounted total, an affordable project starts in the first year."""
    scenario = Scenario.model_validate(
        {
            "name": "early",
            "horizon": {"start": 2021, "end": 2023},
            "enterprises": [{"id": "E1", "baseline": {"emissions": {"COD": 10.0}}}],
            "projects": [{"id": "A", "owner": "E1", "capex": 5, "reduces": {"COD": 4.0}}],
            "budget": {"total": 5},
            "objective": {"minimize": "pollution"},
        }
    )
    park = compile_park(scenario, build_registry(scenario))
    result = make_solver(build_model(park), EXACT).solve()
    assert result.starts[:, 0].tolist() == [1.0, 0.0, 0.0]
    # 4 t = 4,000 eq in each of 3 years, discounted at 8 %: 4000 (1 + 1/1.08 + 1/1.08^2)
    assert result.objective == pytest.approx(4000 * (1 + 1 / 1.08 + 1 / 1.08**2))


def test_lead_time_delays_the_effect() -> None:
    scenario = Scenario.model_validate(
        {
            "name": "lead",
            "horizon": {"start": 2021, "end": 2023},
            "enterprises": [{"id": "E1", "baseline": {"emissions": {"COD": 10.0}}}],
            "projects": [
                {"id": "A", "owner": "E1", "capex": 5, "lead_time": 2, "reduces": {"COD": 4.0}}
            ],
            "objective": {"minimize": "pollution"},
        }
    )
    park = compile_park(scenario, build_registry(scenario))
    result = make_solver(build_model(park), EXACT).solve()
    levels = park.in_effect(result.starts)
    assert levels[:, 0].tolist() == [0.0, 0.0, 1.0]  # started 2021, in effect from 2023
    assert result.objective == pytest.approx(4000 / 1.08**2)


@pytest.mark.parametrize("seed", range(5))
def test_one_year_horizon_equals_single_year_model(seed: int) -> None:
    """The multi-year model restricted to one year gives exactly the single-year result:
    a three-year park whose later years cannot matter (final-year objective over one
    year) is compared with the plain single-year park, objective and portfolio."""
    single = compile_park(*_scenario_and_registry(random_park_dict(seed, "all", "weighted")))
    data = random_park_dict(seed, "all", "weighted")
    data["horizon"] = {"start": 2021, "end": 2021}
    data["budget"]["per_year"] = {2021: data["budget"]["total"]}
    data["objective"]["horizon"] = "final"
    one_year = compile_park(*_scenario_and_registry(data))
    a = make_solver(build_model(single), EXACT).solve()
    b = make_solver(build_model(one_year), EXACT).solve()
    assert a.status == b.status
    if a.has_solution:
        assert b.objective == pytest.approx(a.objective, rel=1e-12)
        assert objective_after(single, b.x) == pytest.approx(objective_after(single, a.x))


def _scenario_and_registry(data: dict):
    scenario = Scenario.model_validate(data)
    return scenario, build_registry(scenario)


@pytest.mark.parametrize("seed", range(5))
def test_multi_year_code_path_on_one_year_equals_single_year(seed: int, monkeypatch) -> None:
    """The multi-year formulation itself (start variables, per-year rows), forced onto a
    one-year park, gives the single-year model's optimum."""
    from model.compile.park import ParkData

    park = compile_park(*_scenario_and_registry(random_park_dict(seed, "all", "weighted")))
    a = make_solver(build_model(park), EXACT).solve()
    monkeypatch.setattr(ParkData, "multi_year", property(lambda self: True))
    forced = build_model(park)
    assert hasattr(forced.model, "start")
    b = make_solver(forced, EXACT).solve()
    assert a.status == b.status
    if a.has_solution:  # same optimum up to the solver's feasibility tolerance (1e-7)
        assert b.objective == pytest.approx(a.objective, rel=1e-6)
        assert objective_after(park, b.x) == pytest.approx(objective_after(park, a.x), rel=1e-9)
        assert b.starts.shape == (1, park.n_projects)
