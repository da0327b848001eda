"""The solver layer's contract (solvers/base.py), and the generic Pyomo path against the
embedded HiGHS adapter on the demo park.

The two paths share no hand-over code: the bulk adapter (solvers/highs_bulk.py) reads
the Pyomo rows itself and passes one CSR matrix to highspy, while the generic adapter
(solvers/pyomo_solver.py) lets Pyomo write the scaled model for the named solver. Both
solved to a zero gap, they must reach the same optimum and the same portfolio.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model.appraise.economics import attach_economics
from model.compile.compile import compile_park
from model.input.loading import load_scenario
from model.input.run_options import SolverOptions
from model.optimise.formulation import build_model
from model.optimise.solve import ParkSolver, make_solver
from model.optimise.whynot import lp_estimates
from solvers.base import Capabilities, SolverUnavailable, SolveStatus
from solvers.highs_bulk import HighsBulkSolver
from solvers.pyomo_solver import PyomoSolver

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
DEMO = SCENARIOS / "demo_park.yaml"
GENERIC = ("appsi_highs", "glpk", "cbc")


@pytest.fixture(scope="module")
def demo_park():
    loaded = load_scenario(DEMO)
    park = compile_park(loaded.scenario, loaded.registry)
    return attach_economics(park, loaded.scenario)


def test_generic_pyomo_path_matches_bulk_highs_on_the_demo_plan() -> None:
    """Several years: start variables reported and rounded the same way on both paths."""
    loaded = load_scenario(SCENARIOS / "demo_plan_2021_2023.yaml")
    park = attach_economics(compile_park(loaded.scenario, loaded.registry), loaded.scenario)
    assert park.multi_year
    bulk = make_solver(build_model(park), SolverOptions(mip_gap=0.0))
    generic = _generic_solver(build_model(park), "appsi_highs")
    ours, theirs = bulk.solve(), generic.solve()
    assert ours.status == theirs.status == SolveStatus.OPTIMAL
    assert theirs.objective == pytest.approx(ours.objective, rel=1e-7)
    assert ours.starts.shape == (len(park.years), park.n_projects)
    np.testing.assert_array_equal(theirs.starts, ours.starts)
    np.testing.assert_array_equal(theirs.x, ours.x)


def _generic_solver(park_model, name: str) -> ParkSolver:
    try:
        return make_solver(park_model, SolverOptions(name=name, mip_gap=0.0))
    except SolverUnavailable as error:
        pytest.skip(str(error))


@pytest.mark.parametrize("name", GENERIC)
@pytest.mark.parametrize("relax", [False, True], ids=["MILP", "LP relaxation"])
def test_generic_pyomo_path_matches_bulk_highs_on_demo_park(demo_park, name, relax) -> None:
    bulk = make_solver(build_model(demo_park, relax=relax), SolverOptions(mip_gap=0.0))
    generic = _generic_solver(build_model(demo_park, relax=relax), name)
    assert isinstance(bulk.adapter, HighsBulkSolver)
    assert isinstance(generic.adapter, PyomoSolver)
    ours, theirs = bulk.solve(), generic.solve()
    assert ours.status == theirs.status == SolveStatus.OPTIMAL
    assert theirs.objective == pytest.approx(ours.objective, rel=1e-7)
    if relax:  # an LP optimum need not be unique; its value is
        return
    np.testing.assert_array_equal(theirs.x, ours.x)
    np.testing.assert_array_equal(theirs.starts, ours.starts)


@pytest.mark.parametrize("name", GENERIC[:1])
def test_named_changes_reach_both_paths_alike(demo_park, name) -> None:
    """A budget cut, a project forced out and one forced in, on one persistent HiGHS and
    on the generic path (which writes the model again every solve)."""
    models = [build_model(demo_park), build_model(demo_park)]
    solvers = [make_solver(models[0], SolverOptions(mip_gap=0.0)), _generic_solver(models[1], name)]
    first = solvers[0].solve()
    chosen, left_out = np.flatnonzero(first.x > 0.5), np.flatnonzero(first.x < 0.5)
    for park_model in models:
        park_model.set_budget(0.6 * demo_park.budget_total)
        park_model.force_out(int(chosen[0]))
        park_model.force_in(int(left_out[-1]))
    ours, theirs = (solver.solve() for solver in solvers)
    assert ours.status == theirs.status == SolveStatus.OPTIMAL
    assert theirs.objective == pytest.approx(ours.objective, rel=1e-7)
    assert ours.x[chosen[0]] == 0.0 and ours.x[left_out[-1]] == 1.0
    np.testing.assert_array_equal(theirs.x, ours.x)


def test_capabilities_are_stated_not_guessed(demo_park) -> None:
    assert HighsBulkSolver.capabilities == Capabilities(duals=True, mip_start=True, persistent=True)
    assert PyomoSolver.capabilities == Capabilities()
    generic = _generic_solver(build_model(demo_park), "appsi_highs")
    assert not generic.capabilities.duals
    # why-not's LP estimate needs duals: NaN through a solver without them, not an error
    options = SolverOptions(name="appsi_highs")
    assert np.isnan(lp_estimates(build_model(demo_park), options)).all()
    generic.set_mip_start(np.zeros(demo_park.n_projects))  # no MIP start: nothing happens


def test_levels_are_rounded_once_by_the_park_model(demo_park) -> None:
    """The adapter reports values as the solver found them; ParkModel.project_levels
    clips to [0, 1] and rounds binary projects (divisible ones keep their fraction)."""
    park = replace(demo_park, divisible=np.arange(demo_park.n_projects) % 2 == 1)
    park_model = build_model(park)
    n = park.n_projects
    raw = np.tile([1.0 - 1e-7, 0.3, 2e-7, -1e-12], n // 4 + 1)[:n]
    x, starts = park_model.project_levels(raw)
    expected = raw.copy()
    expected[0::2] = np.round(raw[0::2])  # binary projects: 0 or 1 exactly
    expected = np.clip(expected, 0.0, 1.0) + 0.0
    np.testing.assert_array_equal(x, expected)
    np.testing.assert_array_equal(starts, x[None, :])
    assert not np.signbit(x).any()
    solver = make_solver(park_model, SolverOptions())
    result = solver.adapter.solve()
    assert result.values is not None and len(result.values) == n  # x only: one year
