"""Frontier and budget-sweep studies against independent answers.

* The frontier of a small park equals the non-dominated set of (pollution avoided, tce
  saved) computed by enumerating all 2^N portfolios (tests/bruteforce.py), for the
  exact method; grid points are a subset with both extremes.
* Each budget-sweep level equals the brute-force optimum at that budget; the LP shadow
  price of the budget equals the finite-difference slope of the LP optimum.
* Re-solving through mutable parameters gives the same answer as a fresh build.
* A killed sweep resumes from its store without re-solving finished levels, and never
  from a store made under other settings; levels without a portfolio are marked and
  skipped; the least budget that meets the other limits equals enumeration.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from bruteforce import all_selections, enumerate_optimum, is_feasible, pollution_eq_after, tce_after
from test_formulation import compiled

import model.studies.budget as budget_module
from model.input.run_options import SolverOptions
from model.optimise.formulation import build_model
from model.optimise.solve import make_solver
from model.studies.budget import (
    budget_duals,
    entry_order,
    least_budget,
    level_key,
    marginal_rates,
    run_budget_sweep,
    solve_levels,
)
from model.studies.dataset import study_dataset
from model.studies.frontier import StudyPoint, pareto_frontier
from model.studies.store import PointStore, store_key
from model.studies.validity import blank_invalid

EXACT = SolverOptions(mip_gap=0.0)


def nondominated_bruteforce(park) -> set[tuple[float, float]]:
    """Non-dominated (pollution avoided, tce saved) pairs over every feasible portfolio."""
    selections = all_selections(park.n_projects)
    feasible = selections[is_feasible(park, selections)]
    pe = park.baseline_pollution_eq() - pollution_eq_after(park, feasible)
    tce = park.baseline_tce() - tce_after(park, feasible)
    pairs = np.unique(np.round(np.column_stack([pe, tce]), 6), axis=0)
    keep = set()
    for a, b in pairs:
        dominated = np.any(
            (pairs[:, 0] >= a) & (pairs[:, 1] >= b) & ((pairs[:, 0] > a) | (pairs[:, 1] > b))
        )
        if not dominated:
            keep.add((a, b))
    return keep


def frontier_of(park, **kwargs) -> list[StudyPoint]:
    park = replace(park, objective="weighted")
    park_model = build_model(park, floors=True)
    return pareto_frontier(park_model, make_solver(park_model, EXACT), **kwargs)


@pytest.mark.parametrize("seed", range(4))
def test_exact_frontier_equals_enumeration(seed: int) -> None:
    park = compiled(seed, "budget")
    expected = nondominated_bruteforce(park)
    points = frontier_of(park, method="exact", step=1e-3)
    got = {(round(p.pollution_avoided, 6), round(p.tce_saved, 6)) for p in points}
    assert got == expected
    assert len(points) == len(got), "a point repeats"


@pytest.mark.parametrize("seed", [0, 2, 3])  # seed 1 of "all" is infeasible
def test_grid_frontier_points_are_nondominated_with_extremes(seed: int) -> None:
    park = compiled(seed, "all")
    expected = nondominated_bruteforce(park)
    points = frontier_of(park, points=6)
    got = [(round(p.pollution_avoided, 6), round(p.tce_saved, 6)) for p in points]
    assert set(got) <= expected
    assert len(set(got)) == len(got)
    assert max(expected) in got  # best pollution extreme (ties broken by energy)
    assert max(expected, key=lambda pair: (pair[1], pair[0])) in got  # best energy extreme


def test_lp_frontier_is_concave_and_covers_extremes() -> None:
    """All divisible: the LP frontier is a concave curve; its grid points must lie on it,
    i.e. no grid point is beaten by a mix of its neighbours."""
    park = compiled(0, "budget")
    park = replace(park, divisible=np.ones(park.n_projects, dtype=bool))
    points = frontier_of(park, points=7)
    pe = np.array([p.pollution_avoided for p in points])
    tce = np.array([p.tce_saved for p in points])
    assert np.all(np.diff(pe) < 0) and np.all(np.diff(tce) > 0)
    slopes = np.diff(pe) / np.diff(tce)
    assert np.all(np.diff(slopes) <= 1e-6 * np.abs(slopes[:-1]).max())  # concave


@pytest.mark.parametrize("seed", range(3))
def test_budget_sweep_levels_match_bruteforce(seed: int) -> None:
    park = compiled(seed, "permits")
    budgets = np.linspace(0.2, 1.0, 5) * park.capex.sum()
    points = run_budget_sweep(park, EXACT, budgets)
    for budget, point in zip(budgets, points, strict=True):
        answer = enumerate_optimum(replace(park, budget_total=float(budget)))
        if not answer.feasible:
            assert point.status == "infeasible"
            continue
        after = park.weight_pollution * (park.baseline_pollution_eq() - point.pollution_avoided)
        after += park.weight_energy * (park.baseline_tce() - point.tce_saved)
        assert after == pytest.approx(answer.best_value, rel=1e-7)
        assert point.capex <= budget + 1e-9


def test_budget_dual_equals_finite_difference_of_lp() -> None:
    park = compiled(1, "budget")
    lp = replace(park, divisible=np.ones(park.n_projects, dtype=bool))
    budget = 0.4 * park.capex.sum()
    dual = budget_duals(lp, np.array([budget]), EXACT)[0]
    # independent: solve the LP at budget +- 0.5 CNY with fresh models and difference
    values = []
    for b in (budget - 0.5, budget + 0.5):
        pm = build_model(replace(lp, budget_total=b))
        values.append(make_solver(pm, EXACT).solve().objective)
    assert dual == pytest.approx((values[1] - values[0]) / 1.0, rel=1e-6)


def test_lp_sweep_reads_its_duals_from_its_own_solves(monkeypatch) -> None:
    """An all-divisible sweep solves no relaxed model for its duals (the relaxed pass is
    made to fail), and each level's dual is the finite-difference slope of the LP
    optimum there, from fresh models (the independent answer)."""
    park = compiled(1, "budget")
    lp = replace(park, divisible=np.ones(park.n_projects, dtype=bool))
    budgets = np.array([0.25, 0.4, 0.55]) * park.capex.sum()

    def no_relaxed_pass(*_args, **_kwargs):
        raise AssertionError("an LP sweep re-solved a relaxed model for its duals")

    monkeypatch.setattr(budget_module, "budget_duals", no_relaxed_pass)
    points = run_budget_sweep(lp, EXACT, budgets)
    for budget, point in zip(budgets, points, strict=True):
        values = []
        for b in (budget - 0.5, budget + 0.5):
            pm = build_model(replace(lp, budget_total=b))
            values.append(make_solver(pm, EXACT).solve().objective)
        assert point.budget_dual == pytest.approx((values[1] - values[0]) / 1.0, rel=1e-6)


def test_persistent_resolve_equals_fresh_build() -> None:
    park = compiled(2, "all")
    park_model = build_model(park)
    solver = make_solver(park_model, EXACT)
    budgets = [0.3 * park.capex.sum(), 0.6 * park.capex.sum(), 0.45 * park.capex.sum()]
    resolved = solve_levels(park_model, solver, np.array(budgets))
    for budget, point in zip(budgets, resolved, strict=True):
        fresh = make_solver(build_model(replace(park, budget_total=budget)), EXACT).solve()
        assert point.status == fresh.status
        if fresh.has_solution:  # same optimum value (portfolios may tie)
            value = park.weight_pollution * point.pollution_avoided
            value += park.weight_energy * point.tce_saved
            assert value == pytest.approx(fresh.objective, rel=1e-9)


def test_entry_order_and_dropped_projects_by_hand() -> None:
    def point(x, budget):
        return StudyPoint(0.0, 0.0, 0.0, np.array(x, float), "optimal", budget=budget)

    # project 0 enters at level 1, project 1 at level 0 and leaves at level 2, 2 never
    points = [point([0, 1, 0], 10), point([1, 1, 0], 20), point([1, 0, 0], 30)]
    first, dropped = entry_order(points)
    assert first.tolist() == [1, 0, -1]
    assert dropped.tolist() == [False, True, False]


def test_marginal_rates_by_hand() -> None:
    points = [
        StudyPoint(100.0, 10.0, 40_000.0, np.zeros(1), "optimal", budget=50_000.0),
        StudyPoint(160.0, 14.0, 100_000.0, np.zeros(1), "optimal", budget=100_000.0),
    ]
    rates = marginal_rates(points)
    # 60 eq more for 50,000 CNY more budget = 12 eq per 10,000 CNY; 4 tce -> 0.8
    assert rates["marginal_pe_per_10k"][1] == pytest.approx(12.0)
    assert rates["marginal_tce_per_10k"][1] == pytest.approx(0.8)
    # 60,000 CNY more actually spent per 60 eq gained = 1,000 CNY per eq; per tce 15,000
    assert rates["macc_cny_per_pe"][1] == pytest.approx(1000.0)
    assert rates["macc_cny_per_tce"][1] == pytest.approx(15000.0)
    assert np.isnan(rates["marginal_pe_per_10k"][0])


class _Killed(Exception):
    """Stands for the process being killed in the middle of a sweep."""


def _count_levels(monkeypatch) -> list[float]:
    """Record every budget level the sweep solves (patching the sweep's solve_levels)."""
    solved: list[float] = []
    original = budget_module.solve_levels

    def counting(park_model, solver, levels, *args, **kwargs):
        solved.extend(levels.tolist())
        return original(park_model, solver, levels, *args, **kwargs)

    monkeypatch.setattr(budget_module, "solve_levels", counting)
    return solved


def _die_at_solve(monkeypatch, count: int) -> None:
    """The sweep 'dies' when its `count`-th solve starts (the solvers the sweep makes)."""
    original = budget_module.make_solver
    calls = [0]

    def dying_solver(park_model, options):
        solver = original(park_model, options)
        solve = solver.solve

        def solve_or_die():
            calls[0] += 1
            if calls[0] == count:
                raise _Killed
            return solve()

        solver.solve = solve_or_die
        return solver

    monkeypatch.setattr(budget_module, "make_solver", dying_solver)


def _store(root, options: SolverOptions, spec: dict | None = None) -> PointStore:
    return PointStore(root, "park", store_key("hash", "budget_sweep", spec or {"s": 1}, options))


def test_killed_sweep_resumes_without_resolving_finished_levels(tmp_path, monkeypatch) -> None:
    """With one worker a sweep killed during its third solve keeps the 2 finished levels
    (saved as each finishes), and the resumed sweep solves only the other 2 and gives the
    numbers of an uninterrupted sweep."""
    park = compiled(0, "budget")
    budgets = np.array([0.3, 0.5, 0.7, 0.9]) * park.capex.sum()
    uninterrupted = run_budget_sweep(park, EXACT, budgets)
    with monkeypatch.context() as patch:
        _die_at_solve(patch, 3)
        with pytest.raises(_Killed):
            run_budget_sweep(park, EXACT, budgets, store=_store(tmp_path, EXACT))
    assert _store(tmp_path, EXACT).count() == 2
    solved = _count_levels(monkeypatch)
    resumed = run_budget_sweep(park, EXACT, budgets, store=_store(tmp_path, EXACT))
    assert solved == budgets[2:].tolist()
    for fresh, again in zip(uninterrupted, resumed, strict=True):
        assert again.status == fresh.status
        assert again.x.tolist() == fresh.x.tolist()
        assert again.pollution_avoided == pytest.approx(fresh.pollution_avoided, rel=1e-12)
        assert again.tce_saved == pytest.approx(fresh.tce_saved, rel=1e-12, abs=1e-12)
        assert again.budget_dual == pytest.approx(fresh.budget_dual, rel=1e-9)


def test_sweep_task_saves_each_level_before_the_next_solve(tmp_path, monkeypatch) -> None:
    """The task a dask worker runs (`_sweep_chunk`) saves every level as soon as it is
    solved: when the third solve dies, the first two levels are on disk."""
    park = compiled(1, "budget")
    budgets = (np.array([0.3, 0.5, 0.7]) * park.capex.sum()).tolist()
    store = _store(tmp_path, EXACT)
    _die_at_solve(monkeypatch, 3)
    with pytest.raises(_Killed):
        budget_module._sweep_chunk((park, EXACT, budgets, store))
    assert store.count() == 2
    assert store.load(level_key(budgets[0])) is not None
    assert store.load(level_key(budgets[1])) is not None


@pytest.mark.parametrize(
    "changed",
    [
        {"mip_gap": 0.3},
        {"time_limit": 5.0},
        {"threads": 2},
        {"name": "appsi_highs"},
        {"options": {"presolve": "off"}},
    ],
    ids=["mip-gap", "time-limit", "threads", "solver", "option"],
)
def test_store_is_not_reused_under_other_solver_settings(tmp_path, monkeypatch, changed) -> None:
    park = compiled(0, "budget")
    budgets = np.array([0.4, 0.8]) * park.capex.sum()
    run_budget_sweep(park, EXACT, budgets, store=_store(tmp_path, EXACT))
    other = EXACT.model_copy(update=changed)
    assert _store(tmp_path, other).folder != _store(tmp_path, EXACT).folder
    assert _store(tmp_path, other).load(level_key(budgets[0])) is None
    if "name" in changed:  # the sweep itself would need that solver installed
        return
    solved = _count_levels(monkeypatch)
    run_budget_sweep(park, other, budgets, store=_store(tmp_path, other))
    assert solved == budgets.tolist()


def test_store_is_not_reused_by_another_version_input_or_study(tmp_path, monkeypatch) -> None:
    park = compiled(0, "budget")
    budgets = np.array([0.4, 0.8]) * park.capex.sum()
    first = _store(tmp_path, EXACT)
    run_budget_sweep(park, EXACT, budgets, store=first)
    assert _store(tmp_path, EXACT).load(level_key(budgets[0])) is not None  # same setting
    assert _store(tmp_path, EXACT, {"s": 2}).load(level_key(budgets[0])) is None
    other_input = PointStore(tmp_path, "park", store_key("other", "budget_sweep", {"s": 1}, EXACT))
    assert other_input.load(level_key(budgets[0])) is None
    import model.studies.store as store_module

    monkeypatch.setattr(store_module, "parkcp_version", lambda: "99.0")
    assert _store(tmp_path, EXACT).load(level_key(budgets[0])) is None
    monkeypatch.undo()
    monkeypatch.setattr(store_module, "code_digest", lambda: "0" * 64)
    assert _store(tmp_path, EXACT).load(level_key(budgets[0])) is None


def test_least_budget_equals_enumeration() -> None:
    """The least budget that meets every other limit = min over all 2^N portfolios that
    meet them (budget lifted) of what they take from the budget."""
    for seed, family in [(0, "permits"), (1, "permits"), (2, "all"), (3, "all")]:
        park = compiled(seed, family)
        selections = all_selections(park.n_projects)
        unlimited = replace(park, budget_total=float("inf"))
        feasible = selections[is_feasible(unlimited, selections)]
        least = least_budget(park, EXACT)
        if len(feasible) == 0:
            assert least is None
            continue
        assert least == pytest.approx((feasible @ park.budget_capex()).min(), rel=1e-9)


def test_levels_without_portfolio_are_skipped_by_hand() -> None:
    """Level 0 infeasible, level 2 a portfolio that breaks a limit: neither enters the
    entry order, the marginal rates or 'dropped later'."""

    def point(x, status, budget, pe):
        return StudyPoint(pe, pe / 10, budget / 2, np.array(x, float), status, budget=budget)

    points = blank_invalid(
        [
            point([np.nan, np.nan], "infeasible", 10.0, np.nan),
            point([1, 0], "optimal", 20.0, 100.0),
            point([0, 1], "limit_violated", 30.0, 999.0),
            point([1, 1], "optimal", 40.0, 160.0),
        ]
    )
    first, dropped = entry_order(points)
    assert first.tolist() == [1, 3] and dropped.tolist() == [False, False]
    rates = marginal_rates(points)
    # level 3 against level 1: 60 eq more for 20 CNY more budget = 30,000 eq per 10,000 CNY
    assert rates["marginal_pe_per_10k"][3] == pytest.approx(30_000.0)
    assert rates["macc_cny_per_pe"][3] == pytest.approx((20.0 - 10.0) / 60.0)
    assert np.isnan(rates["marginal_pe_per_10k"][:3]).all()


def test_study_dataset_marks_points_without_portfolio() -> None:
    park = compiled(0, "budget")
    n = park.n_projects
    points = [
        StudyPoint(np.nan, np.nan, np.nan, np.full(n, np.nan), "infeasible", budget=1e6),
        StudyPoint(5.0, 1.0, 3.0, np.ones(n), "limit_violated", 0.0, budget=2e6),
        StudyPoint(4.0, 1.0, 2.0, np.ones(n), "optimal", 0.0, budget=3e6, budget_dual=0.5),
    ]
    ds = study_dataset(park, points, "budget_sweep", {"least_budget": 1.5e6})
    assert ds["feasible"].values.tolist() == [False, False, True]
    assert ds["status"].values.tolist() == ["infeasible", "limit_violated", "optimal"]
    for name in ("pollution_avoided", "tce_saved", "capex", "n_selected", "budget_dual"):
        assert np.isnan(ds[name].values[:2]).all(), name
        assert np.isfinite(ds[name].values[2]), name
    assert np.isnan(ds["selected"].values[:2]).all()
    notes = ds.attrs["no_portfolio_notes"]
    assert "1 of 3 levels (at 1.0 M CNY): no portfolio meets the scenario's limits" in notes
    assert "the least budget that meets them is 1.5 M CNY" in notes
    assert "1 of 3 levels (at 2.0 M CNY): the solver's portfolio breaks a hard limit" in notes


def test_parallel_sweep_equals_serial() -> None:
    park = compiled(3, "all")
    budgets = np.linspace(0.3, 1.0, 4) * park.capex.sum()
    serial = run_budget_sweep(park, EXACT, budgets, workers=1)
    parallel = run_budget_sweep(park, EXACT, budgets, workers=2)
    for a, b in zip(serial, parallel, strict=True):
        assert a.pollution_avoided == pytest.approx(b.pollution_avoided, nan_ok=True)
        assert a.tce_saved == pytest.approx(b.tce_saved, nan_ok=True)


def test_sweep_workers_default_to_the_cores_for_long_sweeps(monkeypatch) -> None:
    """Given workers are kept; without them, a sweep of more than 8 levels uses every
    core and a shorter one runs in this process."""
    from model.studies import runner

    monkeypatch.setattr(runner.os, "cpu_count", lambda: 6)
    assert runner.sweep_workers(3, 20) == 3
    assert runner.sweep_workers(1, 20) == 1
    assert runner.sweep_workers(None, 20) == 6
    assert runner.sweep_workers(None, 9) == 6
    assert runner.sweep_workers(None, 8) == 1
    monkeypatch.setattr(runner.os, "cpu_count", lambda: None)
    assert runner.sweep_workers(None, 20) == 1
