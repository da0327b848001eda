"""ParkCP's Pareto frontier against published bi-objective knapsack fronts.

The expected answers are the published complete non-dominated sets Y_N of vOptLib UKP
set 1A (Gandibleux & Freville 2000) and of the Zitzler-Thiele (1999) knapsack.100.2
problem, read from byte-for-byte copies in scenarios/validation/fronts/. Each instance is
mapped to a park whose (pollution equivalents avoided, tce saved) equal (f1, f2) exactly
(tests/mokp.py). Independent cross-checks: the instance figures of FORMAT.md's table, the
front extremes re-solved on the raw knapsack with scipy.optimize.milp, the supported-point
counts recomputed from the published points, and every frontier portfolio re-evaluated on
the raw knapsack data.

The exact frontier (epsilon step 1 on integer data, solver gap 0) must reproduce Y_N
point for point; grid mode must return a subset of Y_N with both extremes.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from mokp import (
    CARRIER,
    ENTERPRISE,
    INSTANCES,
    LICENSE_MD5,
    LICENSE_PATH,
    POLLUTANT,
    REPO,
    STUDY,
    BiKnapsack,
    Instance,
    dominated_points,
    file_md5,
    lexicographic_optimum,
    load_park,
    load_problem,
    parse_front,
    parse_vopt_dat,
    parse_zt,
    project_ids,
    published_front,
    scenario_yaml,
    supported_points,
)

from model.compile.park import ParkData
from model.input.run_options import SolverOptions
from model.input.schema import Scenario
from model.optimise.formulation import build_model
from model.optimise.solve import make_solver
from model.studies.frontier import StudyPoint, pareto_frontier

VOPT_IDS = ["2KP50-11", "2KP50-50", "2KP50-92", "2KP100-50"]
ALL_IDS = [*VOPT_IDS, "knapsack.100.2"]
FAST_EXACT = ["2KP50-11", "2KP50-50", "2KP50-92"]

Pair = tuple[int, int]


def instance(ident: str) -> Instance:
    return INSTANCES[ident]


@cache
def problem(ident: str) -> BiKnapsack:
    return load_problem(instance(ident))


@cache
def front(ident: str) -> frozenset[Pair]:
    return frozenset(published_front(instance(ident)))


@cache
def park(ident: str) -> ParkData:
    return load_park(instance(ident).scenario_path)


def run_frontier(ident: str, **kwargs) -> tuple[list[StudyPoint], float]:
    """The park's frontier with HiGHS at gap 0 and the wall time it took."""
    park_model = build_model(park(ident), floors=True)
    solver = make_solver(park_model, SolverOptions(mip_gap=0.0))
    started = time.perf_counter()
    points = pareto_frontier(park_model, solver, **kwargs)
    return points, time.perf_counter() - started


def integer_pairs(values: list[tuple[float, float]]) -> list[Pair]:
    """Round each (PE, tce) pair, asserting it is integral to 1e-6 (the data are)."""
    pairs = []
    for pe, tce in values:
        for value in (pe, tce):
            assert math.isfinite(value) and abs(value - round(value)) <= 1e-6, (pe, tce)
        pairs.append((round(pe), round(tce)))
    return pairs


def check_frontier_points(ident: str, points: list[StudyPoint]) -> list[Pair]:
    """Checks shared by exact and grid mode; returns the points as integer pairs.

    Every point: integral, non-dominated among the reported points, no repeats, ordered
    from best pollution to best energy, and its portfolio x is a feasible selection of the
    raw knapsack that earns exactly (f1, f2) = the reported point. Both extremes (the
    lexicographic optima of FORMAT.md) are present.
    """
    p, inst = problem(ident), instance(ident)
    pairs = integer_pairs([(pt.pollution_avoided, pt.tce_saved) for pt in points])
    assert len(set(pairs)) == len(pairs), "a point repeats"
    assert dominated_points(pairs) == []
    assert pairs == sorted(pairs, reverse=True), "not ordered from best pollution"
    best_pollution = max(pairs)
    best_energy = max(pairs, key=lambda q: (q[1], q[0]))
    assert best_pollution[0] == inst.max_f1
    assert best_energy[1] == inst.max_f2
    assert best_pollution == max(front(ident))
    assert best_energy == max(front(ident), key=lambda q: (q[1], q[0]))
    for point, pair in zip(points, pairs, strict=True):
        x = np.round(np.asarray(point.x, dtype=float)).astype(np.int64)
        assert np.allclose(point.x, x, atol=1e-6)
        assert p.feasible(x)
        assert p.values(x) == pair
        assert point.capex == pytest.approx(float(p.weights[0] @ x), abs=1e-6)
    return pairs


# --- the copies, the parsers and the published answers -------------------------------------


@pytest.mark.parametrize("ident", ALL_IDS)
def test_copies_are_the_published_files(ident: str) -> None:
    inst = instance(ident)
    assert file_md5(inst.data_path) == inst.data_md5
    assert file_md5(inst.front_path) == inst.front_md5


def test_vopt_license_is_kept_beside_the_copies() -> None:
    assert file_md5(LICENSE_PATH) == LICENSE_MD5
    text = LICENSE_PATH.read_text(encoding="utf-8")
    assert "MIT License" in text and "Xavier Gandibleux" in text


@pytest.mark.parametrize("ident", ALL_IDS)
def test_parser_reads_instance_as_in_format_table(ident: str) -> None:
    inst, p = instance(ident), problem(ident)
    assert p.n == inst.n
    assert p.m == len(inst.capacities)
    assert tuple(int(c) for c in p.capacities) == inst.capacities
    assert p.profits.shape == (2, inst.n)
    assert p.weights.shape == (p.m, inst.n)
    assert p.profits.dtype.kind == "i" and p.weights.dtype.kind == "i"
    assert (p.profits > 0).all() and (p.weights > 0).all()
    points = published_front(inst)
    assert len(points) == inst.n_points
    assert len(set(points)) == len(points)


def test_parser_spot_values() -> None:
    """Values read by eye from the files: first and last numbers of each section."""
    p = problem("2KP50-11")
    assert (p.profits[0, 0], p.profits[0, 9], p.profits[0, -1]) == (80, 40, 82)
    assert (p.profits[1, 0], p.profits[1, 9], p.profits[1, -1]) == (62, 52, 47)
    assert (p.weights[0, 0], p.weights[0, 9], p.weights[0, -1]) == (25, 22, 29)
    assert published_front(instance("2KP50-11"))[:3] == [(389, 592), (398, 589), (415, 581)]
    zt = problem("knapsack.100.2")
    assert (zt.weights[0, 0], zt.profits[0, 0]) == (94, 57)
    assert (zt.weights[0, 1], zt.profits[0, 1]) == (74, 94)
    assert (zt.weights[0, -1], zt.profits[0, -1]) == (49, 59)
    assert (zt.weights[1, 0], zt.profits[1, 0], zt.weights[1, 1]) == (55, 20, 10)
    assert (zt.weights[1, -1], zt.profits[1, -1]) == (14, 90)
    assert published_front(instance("knapsack.100.2"))[-2:] == [(4262, 3274), (4266, 3215)]


@pytest.mark.parametrize("ident", ALL_IDS)
def test_published_front_is_nondominated_with_the_stated_extremes(ident: str) -> None:
    """The published set is mutually non-dominated, f1 rises as f2 falls, and its extremes
    are the FORMAT.md maxima AND the lexicographic optima re-solved with scipy's milp."""
    inst, p = instance(ident), problem(ident)
    points = published_front(inst)
    assert dominated_points(points) == []
    assert points == sorted(points)
    assert [q[1] for q in points] == sorted((q[1] for q in points), reverse=True)
    assert max(q[0] for q in points) == inst.max_f1
    assert max(q[1] for q in points) == inst.max_f2
    assert lexicographic_optimum(p, first=0) == points[-1]
    assert lexicographic_optimum(p, first=1) == points[0]


@pytest.mark.parametrize("ident", VOPT_IDS)
def test_supported_point_count_matches_vopt(ident: str) -> None:
    """The convex-hull points of the published set number as vOptLib's .info says."""
    assert len(supported_points(published_front(instance(ident)))) == instance(ident).n_supported


def test_parsers_reject_malformed_files(tmp_path: Path) -> None:
    text = instance("2KP50-11").data_path.read_text(encoding="ascii")
    short = tmp_path / "short.dat"
    short.write_text(text.rstrip().rsplit("\n", 1)[0] + "\n")
    with pytest.raises(ValueError, match="expected"):
        parse_vopt_dat(short)
    three = tmp_path / "three.dat"
    three.write_text(text.replace("# P\n2", "# P\n3", 1))
    with pytest.raises(ValueError, match="p = 3"):
        parse_vopt_dat(three)
    zt_text = instance("knapsack.100.2").data_path.read_text(encoding="ascii")
    swapped = tmp_path / "swapped"
    swapped.write_text(zt_text.replace(" item 2:", " item 3:", 1))
    with pytest.raises(ValueError, match="out of order"):
        parse_zt(swapped)
    bad_front = tmp_path / "front"
    bad_front.write_text("1 2\n3 4 5\n")
    with pytest.raises(ValueError, match=":2:"):
        parse_front(bad_front)


def test_supported_points_by_hand() -> None:
    # Collinear points all maximise f1 + f2 = 10: all supported.
    assert supported_points([(0, 10), (5, 5), (10, 0)]) == [(0, 10), (5, 5), (10, 0)]
    # (4, 5) lies under the segment (0, 10)-(10, 0) (which has f2 = 6 at f1 = 4).
    assert supported_points([(0, 10), (4, 5), (10, 0)]) == [(0, 10), (10, 0)]
    # (2, 9) is above that segment (f2 = 8 there): a hull vertex; then (5, 5) is under
    # the segment (2, 9)-(10, 0), which has f2 = 9 - 9 * 3/8 = 5.625 at f1 = 5.
    points = [(0, 10), (2, 9), (5, 5), (10, 0)]
    assert supported_points(points) == [(0, 10), (2, 9), (10, 0)]
    # (6, 5) is above the segment (2, 9)-(10, 0) (f2 = 4.5 at f1 = 6): supported.
    assert supported_points([*points, (6, 5)]) == [(0, 10), (2, 9), (6, 5), (10, 0)]


# --- the scenario files ----------------------------------------------------------------------


@pytest.mark.parametrize("ident", ALL_IDS)
def test_scenario_file_is_up_to_date(ident: str) -> None:
    """The committed YAML is exactly what tests/mokp.py generates from the copies."""
    inst = instance(ident)
    text = inst.scenario_path.read_text(encoding="utf-8")
    assert text == scenario_yaml(inst)
    data = yaml.safe_load(text)
    assert data["name"] == inst.scenario_name
    assert data["study"] == STUDY == {"frontier": {"method": "exact", "step": 1}}
    assert data["solver"]["mip_gap"] == 0.0
    header = text.split("\nname:", 1)[0]
    assert "License:" in header and "MIT" in header and "Source:" in header
    assert f"{inst.n_points} non-dominated points" in header


@pytest.mark.parametrize("ident", ALL_IDS)
def test_scenario_loads_with_exact_frontier_study(ident: str) -> None:
    """Through the real loader, the study asks for the exact frontier with step 1 and the
    solver for gap 0 (skipped while the schema has no `study:` section)."""
    if "study" not in Scenario.model_fields:
        pytest.skip("model/input/schema.py has no `study:` section yet")
    from model.input.loading import load_scenario

    loaded = load_scenario(instance(ident).scenario_path)
    frontier = loaded.scenario.study.frontier
    assert frontier is not None
    assert (frontier.method, frontier.step) == ("exact", 1)
    assert loaded.scenario.solver.mip_gap == 0.0
    assert loaded.scenario.objective.minimize == "weighted"


@pytest.mark.parametrize("ident", ALL_IDS)
def test_scenario_compiles_to_the_knapsack(ident: str) -> None:
    """The compiled arrays are the knapsack data: c1 as F1 reductions (1 PE per t), c2 as
    F2 savings (1 tce per unit), weights of knapsack 1 as capex with the budget W, weights
    of knapsack 2 as R2 increases with the park cap c_2; baselines are the cost totals."""
    p, compiled = problem(ident), park(ident)
    assert compiled.name == instance(ident).scenario_name
    assert compiled.project_ids == project_ids(p)
    assert compiled.enterprise_ids == [ENTERPRISE, "park"]
    assert np.all(compiled.owner == 0)
    assert not compiled.divisible.any()
    assert compiled.carrier_ids == [CARRIER]
    f1 = compiled.pollutant_ids.index(POLLUTANT)
    assert compiled.pe_per_t[f1] == pytest.approx(1.0, rel=1e-15)
    assert compiled.tce_per_unit[0] == 1.0
    reduces = compiled.reduces.toarray()
    np.testing.assert_array_equal(reduces[:, f1], p.profits[0])
    np.testing.assert_array_equal(compiled.saves.toarray()[:, 0], p.profits[1])
    np.testing.assert_array_equal(compiled.capex, p.weights[0])
    assert compiled.budget_total == p.capacities[0]
    assert compiled.baseline_emissions[0, f1] == p.profits[0].sum()
    assert compiled.baseline_energy[0, 0] == p.profits[1].sum()
    assert compiled.objective == "weighted"
    others = [k for k in range(len(compiled.pollutant_ids)) if k != f1]
    if p.m == 2:
        r2 = compiled.pollutant_ids.index("R2")
        assert others == [r2]
        np.testing.assert_array_equal(reduces[:, r2], -p.weights[1])
        assert compiled.park_cap[r2] == p.capacities[1]
        assert compiled.pe_per_t[r2] == 0
        assert np.all(compiled.baseline_emissions[:, r2] == 0)
    else:
        assert others == []
    assert np.isnan(compiled.park_cap[f1])


# --- the frontier reproduces the published fronts ------------------------------------------


@cache
def exact_frontier(ident: str) -> tuple[list[StudyPoint], float]:
    return run_frontier(ident, method="exact", step=1)


def assert_exact_frontier_is_published_front(ident: str) -> None:
    points, seconds = exact_frontier(ident)
    pairs = check_frontier_points(ident, points)
    missing = sorted(front(ident) - set(pairs))
    extra = sorted(set(pairs) - front(ident))
    assert not missing and not extra, f"missing {missing}, not published {extra}"
    assert len(pairs) == instance(ident).n_points
    print(f"{ident}: {len(pairs)} points in {seconds:.1f} s")


@pytest.mark.parametrize("ident", FAST_EXACT)
def test_exact_frontier_reproduces_published_front(ident: str) -> None:
    assert_exact_frontier_is_published_front(ident)


@pytest.mark.slow
def test_exact_frontier_reproduces_2kp100_50() -> None:
    assert_exact_frontier_is_published_front("2KP100-50")


@pytest.mark.slow
def test_exact_frontier_reproduces_zitzler_thiele_100_2() -> None:
    assert_exact_frontier_is_published_front("knapsack.100.2")


def test_grid_frontier_points_are_published_points() -> None:
    ident = "2KP50-50"
    points, _ = run_frontier(ident, method="grid", points=10)
    pairs = check_frontier_points(ident, points)
    assert set(pairs) <= front(ident), sorted(set(pairs) - front(ident))
    assert 2 <= len(pairs) <= 10


def test_plain_weighted_run_reaches_best_sum_on_front() -> None:
    """Without a study the scenario maximises f1 + f2; the optimum is the largest f1 + f2
    over the published front (stated in the YAML header)."""
    ident = "2KP50-50"
    park_model = build_model(park(ident), floors=True)
    result = make_solver(park_model, SolverOptions(mip_gap=0.0)).solve()
    assert result.has_solution
    x = np.round(np.asarray(result.x, dtype=float)).astype(np.int64)
    assert problem(ident).feasible(x)
    f1, f2 = problem(ident).values(x)
    assert f1 + f2 == max(a + b for a, b in front(ident))
    assert (f1, f2) in front(ident)


# --- the command line ------------------------------------------------------------------------


def test_cli_frontier(tmp_path: Path) -> None:
    inst = instance("2KP50-11")
    out = tmp_path / "out"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "model.run",
            str(inst.scenario_path),
            "--frontier",
            "exact",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    path = out / inst.scenario_name / "frontier.nc"
    assert path.is_file()
    with xr.open_dataset(path) as dataset:
        assert "point" in dataset.dims
        pe = dataset["pollution_avoided"]
        tce = dataset["tce_saved"]
        assert pe.dims == ("point",) and tce.dims == ("point",)
        values = list(zip(pe.values.tolist(), tce.values.tolist(), strict=True))
    pairs = integer_pairs(values)
    assert len(set(pairs)) == len(pairs)
    assert set(pairs) == front("2KP50-11")
