"""OR-Library mknap1 knapsacks (published optima) as park scenarios.

Expected values come from the published optima z of mknap1.txt (Petersen 1967, via
OR-Library), re-derived independently by (i) exhaustive enumeration in tests/bruteforce.py
for the small problems and (ii) scipy.optimize.milp on the raw knapsack for all seven.
The park objective at the optimum must be sum(p) - z (see tests/orlib.py for the mapping).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml
from bruteforce import enumerate_optimum, is_feasible, objective_after, violated_constraints
from orlib import (
    BENEFIT,
    EXPECTED_CSV,
    MKNAP1_MD5,
    MKNAP1_PATH,
    PUBLISHED_Z,
    REPO,
    MknapProblem,
    expected_after,
    expected_rows,
    file_md5,
    knapsack_feasible,
    milp_optimum,
    parse_mknap,
    profit_total,
    project_ids,
    resource_ids,
    scenario_path,
    scenario_yaml,
)

from model.compile.compile import compile_park
from model.compile.park import ParkData
from model.input.registry import build_registry
from model.input.schema import Scenario

PROBLEMS = parse_mknap()
KS = list(range(1, 8))
SHAPES = {1: (6, 10), 2: (10, 10), 3: (15, 10), 4: (20, 10), 5: (28, 10), 6: (39, 5), 7: (50, 5)}
"""(n, m) per problem, from the table in shared/validation/orlib/FORMAT.md."""


def problem(k: int) -> MknapProblem:
    return PROBLEMS[k - 1]


def compiled(k: int) -> ParkData:
    data = yaml.safe_load(scenario_path(k).read_text(encoding="utf-8"))
    scenario = Scenario.model_validate(data)
    return compile_park(scenario, build_registry(scenario))


def assert_close(actual: float, expected: float, rel: float = 1e-9) -> None:
    assert actual == pytest.approx(expected, rel=rel, abs=rel)


# (a) the parser --------------------------------------------------------------------------


def test_copy_is_the_orlib_file() -> None:
    assert file_md5(MKNAP1_PATH) == MKNAP1_MD5


def test_parser_reads_seven_problems_with_published_optima() -> None:
    assert len(PROBLEMS) == 7
    for k in KS:
        p = problem(k)
        assert (p.n, p.m) == SHAPES[k]
        assert p.z == PUBLISHED_Z[k]
        assert p.profits.shape == (p.n,)
        assert p.A.shape == (p.m, p.n)
        assert p.b.shape == (p.m,)
    # Spot values read off the file: problem 1's first row and capacities, problem 2's
    # decimal profit, problem 7's last capacity.
    np.testing.assert_array_equal(problem(1).profits, [100, 600, 1200, 2400, 500, 2000])
    np.testing.assert_array_equal(problem(1).A[0], [8, 12, 13, 64, 22, 41])
    np.testing.assert_array_equal(problem(1).b, [80, 96, 20, 36, 44, 48, 10, 18, 22, 24])
    assert problem(2).profits[0] == 600.1
    assert problem(7).b[-1] == 650


def test_parser_rejects_truncated_or_padded_files(tmp_path: Path) -> None:
    tokens = MKNAP1_PATH.read_text(encoding="ascii").split()
    short = tmp_path / "short.txt"
    short.write_text(" ".join(tokens[:-1]))
    with pytest.raises(ValueError, match="ends"):
        parse_mknap(short)
    long = tmp_path / "long.txt"
    long.write_text(" ".join([*tokens, "7"]))
    with pytest.raises(ValueError, match="left"):
        parse_mknap(long)


@pytest.mark.parametrize("k", KS)
def test_published_optimum_matches_independent_milp(k: int) -> None:
    value, x = milp_optimum(problem(k))
    assert_close(value, problem(k).z)
    assert knapsack_feasible(problem(k), x)


# (b) the generated scenarios -------------------------------------------------------------


@pytest.mark.parametrize("k", KS)
def test_scenario_file_is_up_to_date(k: int) -> None:
    """The committed YAML is exactly what tests/orlib.py generates from the data."""
    text = scenario_path(k).read_text(encoding="utf-8")
    assert text == scenario_yaml(k, problem(k))
    assert f"z = {problem(k).z:g}" in text


def test_expected_csv_is_up_to_date() -> None:
    lines = EXPECTED_CSV.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "k,n,m,z,sum_p,expected_pollution_eq_after"
    rows = expected_rows(PROBLEMS)
    assert len(lines) == 1 + len(rows)
    for line, row in zip(lines[1:], rows, strict=True):
        assert line == ",".join(str(v) for v in row.values())
    # Hand check of problem 1: profits 100+600+1200+2400+500+2000 = 6800; 6800 - 3800.
    assert lines[1] == "1,6,10,3800,6800,3000"
    # Problem 2 is the decimal one: 12589.4 - 8706.1 = 3883.3 exactly (no float noise).
    assert lines[2] == "2,10,10,8706.1,12589.4,3883.3"


@pytest.mark.parametrize("k", KS)
def test_scenario_validates_and_compiles(k: int) -> None:
    p = problem(k)
    park = compiled(k)
    assert park.name == f"mknap1_{k}"
    assert park.years == [2024]
    assert park.project_ids == project_ids(p)
    assert park.enterprise_ids == ["E1", "park"]
    assert park.pollutant_ids == [BENEFIT, *resource_ids(p)]
    assert park.carrier_ids == []
    assert park.reduces.shape == (p.n, p.m)
    assert park.baseline_emissions.shape == (2, p.m)
    assert np.all(park.owner == 0)
    assert not park.divisible.any()
    # Profits, budget row and the resource rows (as increases) land where they should.
    reduces = park.reduces.toarray()
    np.testing.assert_array_equal(reduces[:, 0], p.profits)
    np.testing.assert_array_equal(reduces[:, 1:], -p.A[1:].T)
    np.testing.assert_array_equal(park.capex, p.A[0])
    assert park.budget_total == p.b[0]
    np.testing.assert_array_equal(park.park_cap[1:], p.b[1:])
    assert np.isnan(park.park_cap[0])
    assert park.baseline_emissions[0, 0] == pytest.approx(profit_total(p), rel=1e-15)
    assert np.all(park.baseline_emissions[0, 1:] == 0)
    assert np.all(park.baseline_emissions[1] == 0)
    # Only BENEFIT counts: 1 t = 1 pollution equivalent; resources count nothing.
    assert park.pe_per_t[0] == pytest.approx(1.0)
    assert np.all(park.pe_per_t[1:] == 0)
    assert np.isnan(park.permit).all()
    assert np.isnan(park.reduction_target).all()
    assert park.objective == "pollution"


# (c) the park's optimum is the knapsack's ------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3])
def test_bruteforce_on_park_gives_published_optimum(k: int) -> None:
    p = problem(k)
    answer = enumerate_optimum(compiled(k))
    assert answer.feasible
    assert_close(answer.best_value, expected_after(p))
    for x in answer.optimal.astype(float):
        assert knapsack_feasible(p, x)
        assert_close(float(p.profits @ x), p.z)
    # The feasible sets coincide selection by selection, as do the objective values.
    bits = ((np.arange(answer.n_selections)[:, None] >> np.arange(p.n)) & 1).astype(float)
    knapsack_ok = np.all(bits @ p.A.T <= p.b + 1e-9, axis=1)
    np.testing.assert_array_equal(answer.feasible_mask, knapsack_ok)
    total = profit_total(p)
    np.testing.assert_allclose(
        answer.values[knapsack_ok], total - bits[knapsack_ok] @ p.profits, rtol=1e-12
    )


@pytest.mark.parametrize("k", KS)
def test_mapping_is_exact_around_the_milp_optimum(k: int) -> None:
    """For every problem (also those too big to enumerate): at the independent MILP
    optimum the park objective is sum p - z, and on many other selections (all single
    and double flips of the optimum, plus random ones) park feasibility equals knapsack
    feasibility and the park objective equals sum p - profit."""
    p = problem(k)
    park = compiled(k)
    _, best = milp_optimum(p)
    assert is_feasible(park, best)
    assert_close(objective_after(park, best), expected_after(p))

    flips = [best]
    for j in range(p.n):
        for i in range(j, p.n):
            x = best.copy()
            x[[j, i]] = 1 - x[[j, i]]
            flips.append(x)
    rng = np.random.default_rng(k)
    samples = np.vstack([np.array(flips), rng.integers(0, 2, size=(500, p.n)).astype(float)])
    park_ok = is_feasible(park, samples)
    knapsack_ok = np.all(samples @ p.A.T <= p.b + 1e-9, axis=1)
    np.testing.assert_array_equal(park_ok, knapsack_ok)
    assert park_ok.any() and not park_ok.all()
    np.testing.assert_allclose(
        objective_after(park, samples), profit_total(p) - samples @ p.profits, rtol=1e-12
    )
    # No feasible selection among the samples beats the published optimum.
    assert objective_after(park, samples)[park_ok].min() >= expected_after(p) - 1e-9
    # Which constraint family a violation lands in: budget <=> knapsack row 1.
    for x in samples[~park_ok][:50]:
        violated = violated_constraints(park, x)
        assert ("budget" in violated) == bool(p.A[0] @ x > p.b[0])
        assert ("park_caps" in violated) == bool(np.any(p.A[1:] @ x > p.b[1:]))


# (d) the command line reproduces the published optimum -----------------------------------


@pytest.mark.parametrize("k", KS)
def test_cli_reproduces_mknap1(k: int, tmp_path: Path) -> None:
    p = problem(k)
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "model.run", str(scenario_path(k)), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    results = out / f"mknap1_{k}" / "results.nc"
    assert results.is_file()
    with xr.open_dataset(results) as dataset:
        pollution = dataset["pollution_eq"].sel(pollutant=BENEFIT)
        if "year" in pollution.dims:
            pollution = pollution.isel(year=0)
        selected = dataset["selected"].sel(project=project_ids(p))
        if "year" in selected.dims:
            selected = selected.isel(year=0)
        after = float(pollution.sum())
        x = (selected.values > 0.5).astype(float)

    assert after == pytest.approx(expected_after(p), rel=1e-6)
    # The selection itself, checked against the published data: every knapsack
    # constraint holds and it earns the published optimum.
    assert x.shape == (p.n,)
    lhs = p.A @ x
    assert np.all(lhs <= p.b + 1e-9), [
        (i + 1, lhs[i], p.b[i]) for i in np.flatnonzero(lhs > p.b + 1e-9)
    ]
    assert float(p.profits @ x) == pytest.approx(p.z, rel=1e-9)
