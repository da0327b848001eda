"""Every constraint family and objective of docs/math.md against brute-force enumeration.

Small random parks (10-12 projects, 3 enterprises + the park row) are built with one
constraint family switched on at a time (plus all of them together); the optimum found
by ParkCP (Pyomo + HiGHS, gap 0) must be feasible by the independent checks of
tests/bruteforce.py and reach the best value found by enumerating all 2^N selections.
A second test makes sure each family actually binds for some seed, so a formulation
that ignored the family would fail.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bruteforce import enumerate_optimum, is_feasible, objective_after

from model.compile.compile import compile_park
from model.input.registry import build_registry
from model.input.run_options import SolverOptions
from model.input.schema import Scenario
from model.optimise.formulation import build_model
from model.optimise.solve import make_solver

FAMILIES = (
    "budget",
    "permits",
    "soft_permits",
    "park_caps",
    "reduction",
    "energy_cap",
    "energy_reduction",
    "exclusive",
    "prerequisites",
    "facility",
    "cross_media",
    "all",
)
OBJECTIVES = ("weighted", "pollution", "energy", "cost")
POLLUTANTS = ("COD", "NH3N", "SO2")
SEEDS = range(5)


def default_objective(family: str) -> str:
    """Energy limits are tested under the pollution objective, which does not already
    push energy down; everything else under the weighted objective."""
    return "pollution" if family in ("energy_cap", "energy_reduction") else "weighted"


def random_park_dict(seed: int, family: str, objective: str) -> dict:
    """A small park; `family` decides which limits are set (see module docstring)."""
    rng = np.random.default_rng(seed)
    loose = 0.25 if family == "all" else 0.0  # all families at once: looser limits
    enterprises = []
    for e in range(3):
        enterprises.append(
            {
                "id": f"E{e}",
                "baseline": {
                    "emissions": {p: float(rng.integers(5, 20)) for p in POLLUTANTS},
                    "energy": {
                        "electricity": float(rng.integers(500, 3000)),
                        "coal": float(rng.integers(100, 900)),
                    },
                },
            }
        )
    projects = []
    n = 11
    for j in range(n):
        owner = f"E{j % 3}"
        reduces = {p: float(rng.integers(0, 9)) for p in rng.choice(POLLUTANTS, 2, replace=False)}
        saves = {"electricity": float(rng.integers(-200, 700)), "coal": float(rng.integers(0, 200))}
        if family in ("cross_media", "all") and j % 4 == 0:
            reduces["SO2"] = -float(rng.integers(1, 6))
            saves["coal"] = -float(rng.integers(10, 80))
        projects.append(
            {
                "id": f"P{j}",
                "owner": owner,
                "capex": float(rng.integers(10, 100)),
                "reduces": reduces,
                "saves": saves,
            }
        )
    total_capex = sum(p["capex"] for p in projects)
    scenario: dict = {
        "name": f"rand-{family}-{seed}",
        "horizon": {"start": 2021, "end": 2021},
        "enterprises": enterprises,
        "projects": projects,
        "objective": {"minimize": objective, "weights": {"pollution": 1.0, "energy": 2.0}},
        "solver": {"mip_gap": 0.0},
        "targets": {},
    }
    targets = scenario["targets"]
    if family in ("budget", "all") or objective != "cost":
        scenario["budget"] = {"total": round(0.45 * total_capex, 1)}
    if family in ("permits", "soft_permits", "all"):
        for ent in enterprises[:2]:
            base = ent["baseline"]["emissions"]["COD"]
            ent["permit"] = {
                "COD": round(base * min(1.0, float(rng.uniform(0.55, 0.9)) + loose), 2)
            }
        if family == "soft_permits":
            targets["permits"] = "soft"
            targets["permit_penalty"] = 300.0
    if family in ("park_caps", "all"):
        base = sum(e["baseline"]["emissions"]["NH3N"] for e in enterprises)
        targets["park_caps"] = {"NH3N": round(base * (float(rng.uniform(0.35, 0.6)) + loose), 2)}
    if family in ("reduction", "all") or objective == "cost":
        targets["reduction"] = {"SO2": round(float(rng.uniform(0.15, 0.4)) - loose / 2, 3)}
    if family in ("energy_cap", "all"):
        targets["energy_cap_tce"] = None  # set after compiling (needs tce factors)
    if family == "energy_reduction":
        targets["energy_reduction"] = round(float(rng.uniform(0.15, 0.3)), 3)
    if family in ("exclusive", "all"):
        for j in (0, 3, 6):
            projects[j]["exclusive_group"] = "g1"
        for j in (1, 4):
            projects[j]["exclusive_group"] = "g2"
    if family in ("prerequisites", "all"):
        projects[2]["requires"] = ["P5"]
        projects[7]["requires"] = ["P8", "P9"]
    if family in ("facility", "all"):
        projects.append(
            {
                "id": "HUB",
                "owner": "park",
                "capex": float(rng.integers(20, 60)),
                "capacity": 10.0,
                "saves": {"coal": -float(rng.integers(50, 150))},
                "reduces": {"SO2": -float(rng.integers(1, 4))},
            }
        )
        for j in (0, 5, 8):
            projects[j]["requires"] = ["HUB"]
            projects[j]["serves"] = {"HUB": float(rng.integers(3, 7))}
            projects[j]["saves"]["coal"] = float(rng.integers(150, 400))
    return scenario


def compiled(seed: int, family: str, objective: str | None = None):
    data = random_park_dict(seed, family, objective or default_objective(family))
    scenario_targets = data["targets"]
    if "energy_cap_tce" in scenario_targets:
        del scenario_targets["energy_cap_tce"]
        probe = Scenario.model_validate(data)
        park = compile_park(probe, build_registry(probe))
        share = 0.97 if family == "all" else 0.66
        scenario_targets["energy_cap_tce"] = round(share * park.baseline_tce(), 3)
    scenario = Scenario.model_validate(data)
    return compile_park(scenario, build_registry(scenario))


def solve(park):
    park_model = build_model(park)
    return make_solver(park_model, SolverOptions(mip_gap=0.0)).solve()


def check_against_bruteforce(park) -> None:
    answer = enumerate_optimum(park)
    result = solve(park)
    if not answer.feasible:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal", result
    assert is_feasible(park, result.x), "ParkCP chose a selection the brute force rejects"
    value = objective_after(park, result.x)
    assert value == pytest.approx(answer.best_value, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("seed", SEEDS)
def test_family_matches_bruteforce(family: str, seed: int) -> None:
    check_against_bruteforce(compiled(seed, family))


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("seed", SEEDS)
def test_objectives_match_bruteforce(objective: str, seed: int) -> None:
    check_against_bruteforce(compiled(seed, "all" if objective != "cost" else "budget", objective))


@pytest.mark.parametrize("family", [f for f in FAMILIES if f not in ("budget", "cross_media")])
def test_each_family_binds_for_some_seed(family: str) -> None:
    """Without the family the brute-force optimum is different for at least one seed."""
    changed = 0
    for seed in SEEDS:
        with_family = enumerate_optimum(compiled(seed, family))
        without = enumerate_optimum(compiled(seed, "budget", default_objective(family)))
        if with_family.feasible and with_family.optimal_sets != without.optimal_sets:
            changed += 1
    assert changed > 0, "the family never changed a feasible optimum: the test is too weak"


def test_model_objective_is_reduction_of_after_value() -> None:
    """The solver's objective (avoided terms) + the after value = the baseline value."""
    park = compiled(0, "all")
    result = solve(park)
    baseline_value = objective_after(park, np.zeros(park.n_projects))
    assert result.objective + objective_after(park, result.x) == pytest.approx(
        baseline_value + park.permit_penalty * 0.0, rel=1e-9
    )


def test_saturation_at_zero() -> None:
    """Reductions larger than the baseline do not count beyond zero (by hand)."""
    scenario = Scenario.model_validate(
        {
            "name": "sat",
            "horizon": {"start": 2021, "end": 2021},
            "enterprises": [{"id": "E1", "baseline": {"emissions": {"COD": 2.0}}}],
            "projects": [
                {"id": "BIG", "owner": "E1", "capex": 10, "reduces": {"COD": 5.0}},
                {"id": "SMALL", "owner": "E1", "capex": 1, "reduces": {"COD": 1.5}},
            ],
            "budget": {"total": 10},
            "objective": {"minimize": "pollution"},
        }
    )
    park = compile_park(scenario, build_registry(scenario))
    result = solve(park)
    # BIG alone removes all 2 t (2000 equivalents, COD 1 kg/eq); SMALL alone only 1.5 t.
    assert result.x.tolist() == [1.0, 0.0]
    assert result.objective == pytest.approx(2000.0)


def test_divisible_project_takes_fraction() -> None:
    """A divisible project fills the budget left over (by hand: 6 of 10 CNY -> 0.6)."""
    scenario = Scenario.model_validate(
        {
            "name": "div",
            "horizon": {"start": 2021, "end": 2021},
            "enterprises": [{"id": "E1", "baseline": {"emissions": {"COD": 100.0}}}],
            "projects": [
                {"id": "A", "owner": "E1", "capex": 4, "reduces": {"COD": 10.0}},
                {
                    "id": "M",
                    "owner": "E1",
                    "capex": 10,
                    "reduces": {"COD": 20.0},
                    "divisible": True,
                },
            ],
            "budget": {"total": 10},
            "objective": {"minimize": "pollution"},
        }
    )
    park = compile_park(scenario, build_registry(scenario))
    result = solve(park)
    # A: 2.5 t per CNY, M: 2.0 t per CNY -> A fully, then M at 6/10.
    assert result.x == pytest.approx([1.0, 0.6])
    assert result.objective == pytest.approx((10.0 + 0.6 * 20.0) * 1000.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_subsidies_public_budget_forced_and_excluded_match_bruteforce(seed: int) -> None:
    """Subsidies move capex from the enterprises' budget to a public budget; options done
    at once are fixed in and outside the budget; screened-out projects are fixed out."""
    from dataclasses import replace

    park = compiled(seed, "budget")
    rng = np.random.default_rng(seed)
    subsidy = np.where(rng.random(park.n_projects) < 0.5, 0.4 * park.capex, 0.0)
    forced = np.zeros(park.n_projects, dtype=bool)
    forced[int(rng.integers(park.n_projects))] = True
    excluded = np.zeros(park.n_projects, dtype=bool)
    excluded[int(np.flatnonzero(~forced)[0])] = True
    park = replace(
        park,
        subsidy=subsidy,
        public_budget=float(0.3 * subsidy.sum()),
        budget_total=float(0.3 * park.capex.sum()),
        forced=forced,
        excluded=excluded,
    )
    answer = enumerate_optimum(park)
    without = enumerate_optimum(replace(park, public_budget=float("inf")))
    check_against_bruteforce(park)
    result = solve(park)
    if result.has_solution:
        assert result.x[forced].tolist() == [1.0] and result.x[excluded].tolist() == [0.0]
        assert float(subsidy @ result.x) <= park.public_budget + 1e-6
    assert answer.best_value is None or without.best_value <= answer.best_value + 1e-9
    if seed == 2:  # enumerated by hand once: the public budget binds (69,004 vs 55,507)
        assert without.best_value < answer.best_value - 1.0


# --------------------------------------------------------------------------- table of contents
def _math_headings() -> list[str]:
    """The '## ' headings of docs/math.md that state the model (not the notation, not
    the explanation of infeasibility, which re-solves the model rather than defining it)."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "math.md").read_text()
    headings = [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]
    return [h for h in headings if h not in ("Notation", "Infeasibility")]


def test_every_math_section_has_its_function_in_order_and_vice_versa() -> None:
    import inspect

    from model.optimise import extensions, families
    from model.optimise.formulation import MATH_SECTIONS

    assert [title for title, _ in MATH_SECTIONS] == _math_headings()
    section_functions = {
        function
        for module in (families, extensions)
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and list(inspect.signature(function).parameters) == ["m", "f"]
    }
    assert section_functions == {function for _, function in MATH_SECTIONS}
    for title, function in MATH_SECTIONS:
        number = title.split(" ")[0]
        doc = inspect.getdoc(function) or ""
        assert doc.startswith(number if number.endswith(".") else title), (title, doc[:40])
