"""Break-even capex of left-out projects, against cases worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from model.compile.compile import compile_park
from model.input.registry import build_registry
from model.input.run_options import SolverOptions
from model.input.schema import Scenario
from model.optimise.formulation import build_model
from model.optimise.solve import make_solver
from model.optimise.whynot import break_even, candidates

EXACT = SolverOptions(mip_gap=0.0)


def park_of(projects: list[tuple[str, float, float, str | None]], budget: float):
    """Projects (id, capex, t COD removed, exclusive group); COD: 1 t = 1,000 eq."""
    scenario = Scenario.model_validate(
        {
            "name": "whynot",
            "horizon": {"start": 2021, "end": 2021},
            "enterprises": [{"id": "E1", "baseline": {"emissions": {"COD": 1000.0}}}],
            "projects": [
                {
                    "id": pid,
                    "owner": "E1",
                    "capex": capex,
                    "reduces": {"COD": cod},
                    "exclusive_group": group,
                }
                for pid, capex, cod, group in projects
            ],
            "budget": {"total": budget},
            "objective": {"minimize": "pollution"},
        }
    )
    return compile_park(scenario, build_registry(scenario))


def solve_and_explain(park, limit: int = 10):
    park_model = build_model(park)
    solver = make_solver(park_model, EXACT)
    result = solver.solve()
    chosen = candidates(park_model, result.x, limit)
    return result, break_even(park_model, solver, result.objective, chosen, EXACT)


def test_break_even_by_hand() -> None:
    # A (10 CNY, 100 t), B (6, 70), C (4, 50); budget 10: B + C = 120 t beats A = 100 t.
    # A enters when A + C fits: capex_A + 4 <= 10, so the break-even capex of A is 6 and
    # the subsidy it needs is 4 (bisection tolerance: 1 % of its capex = 0.1 CNY).
    park = park_of([("A", 10, 100, None), ("B", 6, 70, None), ("C", 4, 50, None)], 10)
    result, answers = solve_and_explain(park)
    assert result.x.tolist() == [0.0, 1.0, 1.0]
    (a,) = answers
    assert a.project == 0
    assert 5.9 <= a.break_even_capex <= 6.0 + 1e-9
    assert a.subsidy_needed == pytest.approx(10 - a.break_even_capex)


def test_never_enters_when_it_displaces_more() -> None:
    # A (1 CNY, 10 t) and B (1 CNY, 50 t) are alternatives; budget 5: B is taken. Forcing
    # A excludes B, so even at zero capex A loses 40 t.
    park = park_of([("A", 1, 10, "g"), ("B", 1, 50, "g")], 5)
    _, answers = solve_and_explain(park)
    (a,) = answers
    assert np.isnan(a.break_even_capex)
    assert "zero capex" in a.note


def test_free_project_only_break_even_zero() -> None:
    # A (10, 100 t) fills the budget; B (10, 60 t) enters only when free (A + B fits).
    park = park_of([("A", 10, 100, None), ("B", 10, 60, None)], 10)
    _, answers = solve_and_explain(park)
    (b,) = answers
    assert b.break_even_capex == pytest.approx(0.0, abs=0.1)
    assert b.subsidy_needed == pytest.approx(10.0, abs=0.1)


def test_persistent_model_restored_after_analysis() -> None:
    park = park_of([("A", 10, 100, None), ("B", 6, 70, None), ("C", 4, 50, None)], 10)
    park_model = build_model(park)
    solver = make_solver(park_model, EXACT)
    first = solver.solve()
    break_even(park_model, solver, first.objective, [0], EXACT)
    again = solver.solve()
    assert again.objective == pytest.approx(first.objective)
    assert again.x.tolist() == first.x.tolist()
