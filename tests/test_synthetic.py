"""The synthetic park generator and the raw highspy baseline (benchmarks/).

Two independent builds of the same math must agree: the ParkCP model (Pyomo, handed to
HiGHS by the persistent contrib interface) and the raw highspy model built straight from
the arrays. They must reach the same optimal objective; and, since the scale benchmark's
fairness rests on HiGHS seeing the identical LP, the two LPs must be identical column by
column and row by row. The optimum is also checked against the objective re-evaluated
from the selection alone (avoided = min(baseline, reductions x)), and on a tiny park
against enumeration of every selection.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

import highspy
import numpy as np
import pytest
import scipy.sparse as sp

from model.compile.compile import compile_park
from model.compile.park import ParkData
from model.input.registry import build_registry
from model.input.run_options import SolverOptions
from model.input.schema import Scenario
from model.optimise.formulation import build_model
from model.optimise.solve import make_solver

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from raw_highs import (  # noqa: E402
    build_raw_highs,
    objective_value,
    raw_from_files,
    raw_from_park,
    solve_raw_highs,
)
from synthetic import make_park_scenario, write_scenario  # noqa: E402

N = 60


def compiled(data: dict) -> tuple[Scenario, ParkData]:
    scenario = Scenario.model_validate(data)
    return scenario, compile_park(scenario, build_registry(scenario))


@pytest.fixture(scope="module")
def small() -> tuple[Scenario, ParkData]:
    return compiled(make_park_scenario(N))


def _matrix(lp: highspy.HighsLp) -> sp.csr_array:
    a = lp.a_matrix_
    parts = (np.array(a.value_), np.array(a.index_), np.array(a.start_))
    shape = (lp.num_row_, lp.num_col_)
    if a.format_ == highspy.MatrixFormat.kRowwise:
        return sp.csr_array(parts, shape=shape)
    return sp.csc_array(parts, shape=shape).tocsr()


def test_generator_is_deterministic_and_seeded() -> None:
    assert make_park_scenario(N, seed=3) == make_park_scenario(N, seed=3)
    assert make_park_scenario(N, seed=3) != make_park_scenario(N, seed=4)


def test_scenario_validates_with_the_asked_structure(small) -> None:
    scenario, park = small
    assert park.n_projects == N
    assert len(scenario.enterprises) == N // 5
    assert len(park.facilities) == 1 and len(park.facilities[0].users) >= 3
    assert park.exclusive_groups and park.prerequisites
    assert all(2 <= len(g) <= 3 for g in park.exclusive_groups.values())
    assert (park.reduces.data < 0).any(), "some cross-media increases"
    assert park.budget_total == pytest.approx(0.3 * park.capex.sum(), rel=1e-5)
    assert np.count_nonzero(~np.isnan(park.park_cap)) == 3
    for enterprise in scenario.enterprises:
        assert 3 <= len(enterprise.baseline.emissions) <= 6
        assert "electricity" in enterprise.baseline.energy


def test_every_hard_permit_is_met_by_one_own_project(small) -> None:
    """A binding permit (below the baseline) has a witness: a project of the same
    enterprise that alone removes enough, with no exclusive group or prerequisite."""
    scenario, _ = small
    binding = 0
    for e in scenario.enterprises:
        for pollutant, permit in e.permit.items():
            need = e.baseline.emissions[pollutant] - permit
            if need <= 0:
                continue
            binding += 1
            assert any(
                p.owner == e.id
                and not p.exclusive_group
                and not p.requires
                and p.reduces.get(pollutant, 0.0) >= need
                for p in scenario.projects
            )
    assert binding > 0


def test_written_files_load_like_the_dict(tmp_path) -> None:
    """YAML + CSV tables read back (by the raw reader) to the same arrays as the dict."""
    path = write_scenario(N, tmp_path)
    from_files, solver = raw_from_files(path)
    _, park = compiled(make_park_scenario(N))
    from_dict = raw_from_park(park)
    assert solver["mip_gap"] == 1.0e-4
    assert from_files.project_ids == from_dict.project_ids
    assert np.array_equal(from_files.owner, from_dict.owner)
    assert np.array_equal(from_files.capex, from_dict.capex)
    assert (from_files.reduces != from_dict.reduces).nnz == 0
    assert (from_files.saves != from_dict.saves).nnz == 0
    assert np.array_equal(from_files.baseline_emissions, from_dict.baseline_emissions)
    assert np.array_equal(from_files.permit, from_dict.permit, equal_nan=True)
    assert from_files.budget_total == from_dict.budget_total
    assert [list(g) for g in from_files.exclusive_groups] == [
        list(g) for g in from_dict.exclusive_groups
    ]
    assert from_files.prerequisites == from_dict.prerequisites


def test_raw_highspy_and_parkcp_reach_the_same_optimum(small) -> None:
    scenario, park = small
    options = SolverOptions(mip_gap=1.0e-9)
    park_model = build_model(park)
    result = make_solver(park_model, options).solve()
    assert result.status == "optimal"

    raw = solve_raw_highs(build_raw_highs(park, mip_gap=1.0e-9))
    assert raw.status == "optimal"
    assert raw.objective == pytest.approx(result.objective, rel=1e-6)
    # the objective is what the selection itself delivers
    arrays = raw_from_park(park)
    assert objective_value(arrays, raw.x) == pytest.approx(raw.objective, rel=1e-6)
    assert objective_value(arrays, result.x) == pytest.approx(result.objective, rel=1e-6)


def _with_economics(park: ParkData) -> ParkData:
    """`park` with options done at once, screened-out options, subsidies from a finite
    public budget and a budget for its year: every row family of the single-year model."""
    n = park.n_projects
    forced = np.zeros(n, bool)
    forced[[1, 7]] = True
    excluded = np.zeros(n, bool)
    excluded[[2, 11]] = True
    subsidy = np.where(np.arange(n) % 4 == 0, 0.3 * park.capex, 0.0)
    return replace(
        park,
        forced=forced,
        excluded=excluded,
        subsidy=subsidy,
        public_budget=0.5 * float(subsidy.sum()),
        budget_per_year=np.array([0.9 * park.budget_total]),
    )


@pytest.mark.parametrize(("floors", "economics"), [(False, False), (True, False), (False, True)])
def test_raw_lp_is_identical_to_the_one_pyomo_hands_to_highs(small, floors, economics) -> None:
    """Same columns in the same order, same rows in the same order, same numbers: HiGHS
    then takes the same path on both sides of the scale benchmark (also with the epsilon
    rows of frontier models, and with subsidies, forced and screened-out options)."""
    scenario, park = small
    if economics:
        park = _with_economics(park)
    park_model = build_model(park, floors=floors)
    solver = make_solver(park_model, scenario.solver)
    solver.prepare()
    pyomo_lp = solver.adapter.highs.getLp()
    raw_model = build_raw_highs(park, floors=floors, column_order="parkcp")
    raw_lp = raw_model.getLp()
    assert (pyomo_lp.num_col_, pyomo_lp.num_row_) == (raw_lp.num_col_, raw_lp.num_row_)
    for name in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(getattr(pyomo_lp, name), getattr(raw_lp, name)), name
    assert [int(v) for v in pyomo_lp.integrality_] == [int(v) for v in raw_lp.integrality_]
    assert pyomo_lp.sense_ == raw_lp.sense_
    assert (_matrix(pyomo_lp) != _matrix(raw_lp)).nnz == 0
    x_columns = [solver.adapter.column_of(v) for v in park_model.project_variables]
    assert list(raw_model.x_columns) == x_columns


def test_tiny_park_optimum_matches_enumeration() -> None:
    """12 projects: the raw model's optimum equals the best of all 2^12 selections that
    meet every constraint (checked from the arrays, not by a solver)."""
    _, park = compiled(make_park_scenario(12, seed=1, budget_share=0.4))
    assert not park.divisible.any()
    arrays = raw_from_park(park)
    best = -np.inf
    baseline_total = park.baseline_emissions.sum(axis=0)
    for bits in itertools.product((0.0, 1.0), repeat=park.n_projects):
        x = np.array(bits)
        if park.capex @ x > park.budget_total:
            continue
        if any(x[list(g)].sum() > 1 for g in park.exclusive_groups.values()):
            continue
        if any(x[j] > x[k] for j, k in park.prerequisites):
            continue
        if any(f.use @ x[f.users] > f.capacity * x[f.index] for f in park.facilities):
            continue
        owners = np.zeros((len(park.enterprise_ids), park.n_projects))
        owners[park.owner, np.arange(park.n_projects)] = 1.0
        after = np.maximum(
            0.0, park.baseline_emissions - owners @ (park.reduces.toarray() * x[:, None])
        )
        permit = np.nan_to_num(park.permit, nan=np.inf)
        if (after > permit + 1e-9).any():
            continue
        caps = np.nan_to_num(park.park_cap, nan=np.inf)
        if (after.sum(axis=0) > caps + 1e-9).any():
            continue
        removed = baseline_total - after.sum(axis=0)
        target = np.nan_to_num(park.reduction_target * baseline_total, nan=-np.inf)
        if (removed < target - 1e-9).any():
            continue
        best = max(best, objective_value(arrays, x))
    raw = solve_raw_highs(build_raw_highs(park, mip_gap=0.0))
    assert raw.objective == pytest.approx(best, rel=1e-9)


def test_natural_column_order_is_the_same_lp_permuted(small) -> None:
    """The baseline's own (natural) order puts the project columns first and is the
    ParkCP-ordered LP with its columns permuted: same rows, same numbers per column."""
    _, park = small
    natural = build_raw_highs(park)
    parkcp = build_raw_highs(park, column_order="parkcp")
    assert list(natural.x_columns) == list(range(park.n_projects))
    a, b = natural.getLp(), parkcp.getLp()
    assert (a.num_col_, a.num_row_) == (b.num_col_, b.num_row_)

    # the permutation from the x columns alone cannot be read off; match every column by
    # its cost, bounds and matrix column (sorted) as a multiset
    def columns(lp) -> list[tuple]:
        matrix = _matrix(lp).tocsc()
        return sorted(
            (
                lp.col_cost_[j],
                lp.col_lower_[j],
                lp.col_upper_[j],
                tuple(matrix.indices[matrix.indptr[j] : matrix.indptr[j + 1]]),
                tuple(matrix.data[matrix.indptr[j] : matrix.indptr[j + 1]]),
            )
            for j in range(lp.num_col_)
        )

    assert columns(a) == columns(b)
    assert list(a.row_lower_) == list(b.row_lower_) and list(a.row_upper_) == list(b.row_upper_)
    assert [int(v) for v in a.integrality_] != [] and sorted(
        int(v) for v in a.integrality_
    ) == sorted(int(v) for v in b.integrality_)
