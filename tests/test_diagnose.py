"""Infeasibility explanations (model/optimise/infeasibility.py) on parks small enough to work
by hand.

Each expected sentence below was worked out in the comments from the park's tables;
tests/test_relaxation.py checks the amounts on random parks against enumeration.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo
import pytest

from model.compile.compile import compile_park
from model.compile.park import ParkData
from model.input.registry import build_registry
from model.input.run_options import SolverOptions
from model.input.schema import Scenario
from model.optimise.conflict import Conflict, Forcing, LeastRelaxation
from model.optimise.infeasibility import conflict_messages, explain_infeasibility
from model.optimise.limits import Limit, limits_of, year_runs
from model.optimise.precheck import precheck
from model.optimise.relaxation import RelaxationModel

EXACT = SolverOptions(mip_gap=0.0)
DECLARED = {
    "pollutants": {
        "X": {"medium": "other", "pe_kg": 1000.0, "name": "test pollutant X"},
        "Y": {"medium": "other", "pe_kg": 1000.0, "name": "test pollutant Y"},
        "Hg": {"medium": "air", "pe_kg": 0.0001, "name": "trace pollutant"},
    },
}


def make_park(body: dict[str, Any], start: int = 2024, end: int = 2024) -> ParkData:
    data = {"name": "hand", "horizon": {"start": start, "end": end}, **DECLARED, **body}
    scenario = Scenario.model_validate(data)
    return compile_park(scenario, build_registry(scenario))


def project(pid: str, owner: str, capex: float, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "owner": owner, "capex": capex, **fields}


# ---------------------------------------------------------------------------------------
# Park H: the budget is too small, and two limits force the spending.
# E1 emits 10 t X (permit 8), E2 20 t X (permit 14), E3 5 t Y (permit 10: met by the
# baseline, and no project adds Y, so no portfolio can break it). Park X cap 20 t/yr,
# park Y reduction target 10 % (0.5 t). Projects: A (E1, 100, -4 X), B (E1, 30, -2 X),
# C (E2, 80, -9 X), D (E2, 50, -6 X), F (E3, 10, -1 Y). Budget 70.
#
# Cheapest portfolio meeting every permit, cap and target: E1 needs B or A, E2 needs D or
# C, Y needs F. B + D + F = 90 leaves X = 8 + 14 = 22 > 20; B + C + F = 120 leaves
# 8 + 11 = 19 <= 20; A + D + F = 160 leaves 6 + 14 = 20; everything else costs more.
# So 120 CNY, 50 CNY over the budget.
# Dropping one limit at a time: the X cap -> B + D + F = 90 (saves 30); the Y target ->
# B + C = 110 (saves 10); E1's permit -> still B + C + F (without B, E1 stays at 10 and
# the cap needs E2 at <= 10: C + D = 130 + F); E2's permit -> still B + C + F (B + D
# breaks the cap, A + D + F = 160). E3's permit is never re-solved (it cannot bind).
# ---------------------------------------------------------------------------------------
PARK_H = {
    "enterprises": [
        {"id": "E1", "baseline": {"emissions": {"X": 10.0}}, "permit": {"X": 8.0}},
        {"id": "E2", "baseline": {"emissions": {"X": 20.0}}, "permit": {"X": 14.0}},
        {"id": "E3", "baseline": {"emissions": {"Y": 5.0}}, "permit": {"Y": 10.0}},
    ],
    "projects": [
        project("A", "E1", 100, reduces={"X": 4.0}),
        project("B", "E1", 30, reduces={"X": 2.0}),
        project("C", "E2", 80, reduces={"X": 9.0}),
        project("D", "E2", 50, reduces={"X": 6.0}),
        project("F", "E3", 10, reduces={"Y": 1.0}),
    ],
    "budget": {"total": 70},
    "targets": {"park_caps": {"X": 20}, "reduction": {"Y": 0.1}},
    "objective": {"minimize": "pollution"},
}


@pytest.mark.parametrize("solver", ["highs", "appsi_highs"])
def test_budget_too_small_names_least_cost_and_forcing_limits(solver: str) -> None:
    """The persistent HiGHS adapter and the generic Pyomo one give the same answer."""
    if solver != "highs" and not pyo.SolverFactory(solver).available(exception_flag=False):
        pytest.skip(f"{solver} not installed")
    park = make_park(PARK_H)
    assert precheck(park) == []
    messages = explain_infeasibility(park, SolverOptions(name=solver, mip_gap=0.0))
    assert messages[0] == (
        "budget 70 CNY is too small: the cheapest portfolio that meets every permit, cap "
        "and target costs 120 CNY (50 CNY more). Limits that force this, with what dropping "
        "each one alone would save: park X cap 20 t/yr (30 CNY), park Y reduction target "
        "10.0% (10 CNY)"
    )
    # The elastic re-solve also moves the cap (budget +20 and cap +2: B + D + F = 90,
    # X = 22); the cap alone cannot help: E1 and E2's permits need B + D = 80 > 70.
    assert messages[1] == (
        "relaxing the park X cap 20 t/yr alone, however far, does not make the scenario feasible"
    )
    assert messages[2] == (
        "relaxing these limits together is enough: budget 70 CNY up by 20 CNY and park X "
        "cap 20 t/yr up by 2 t/yr"
    )
    assert len(messages) == 3


def test_forcing_checks_only_limits_that_can_bind() -> None:
    from model.optimise.conflict import conflict

    found = conflict(make_park(PARK_H), EXACT)
    budget = next(item for item in found.candidates if item.fixes)
    # 5 other limits; E3's Y permit (baseline 5 <= 10, no increase) is never re-solved
    assert budget.forcing.candidates == 4 and budget.forcing.checked == 4
    labels = [found.limits[k].label for k, _ in budget.forcing.found]
    assert labels == ["park X cap 20 t/yr", "park Y reduction target 10.0%"]


def test_each_limit_alone_by_hand() -> None:
    """Least relaxation of each limit of park H alone (the others kept).

    budget: 120 - 70 = 50. X cap: with 70 CNY, E1 and E2's permits need B + D = 80:
    cannot. Y target: B + D = 80 > 70: cannot. E1 permit: E2 needs D (50), Y needs F (10);
    E1 at 10 and E2 at 14 break the cap, and C (80) does not fit: cannot. E2's permit:
    B + F = 40 leaves 30, too little for C or D, so X = 8 + 20 = 28 > 20: cannot. E3's
    permit: whatever Y is allowed, the others need 120 CNY: cannot."""
    park = make_park(PARK_H)
    model = RelaxationModel(park, EXACT)
    expected = {
        "budget 70 CNY": 50.0,
        "park X cap 20 t/yr": None,
        "park Y reduction target 10.0%": None,
        "E1 X permit 8 t/yr": None,
        "E2 X permit 14 t/yr": None,
        "E3 Y permit 10 t/yr": None,
    }
    got = {}
    for i, limit in enumerate(model.limits):
        answer = model.least(i)
        got[limit.label] = float(answer.excesses[i]) if answer.found else None
    assert got == expected


# ---------------------------------------------------------------------------------------
# Plan M (2024-2025, carry-over): E1 emits 10 t X; permit 10 t/yr in 2024, 6 t/yr in
# 2025. A (50, -4 X) or B (30, -2 X), both acting in their start year. Budgets 10 CNY in
# 2024 and 30 CNY in 2025, carried over: spending up to 2025 <= 40.
# Meeting 6 t/yr in 2025 needs A (B leaves 8): 50 CNY by 2025, 10 more than the 40.
# Raising the 2025 budget by 10 is the smallest relative change (10/40; the 2024 budget
# would need 10/10, the permit 2/6 with B), so the elastic re-solve names it. Its forcing
# limits: the 2025 permit (without it nothing need be done: the 2025 budget could fall
# by 40 to 0, 50 less than needed); the 2024 permit is met by the baseline and cannot
# bind; the 2024 budget is the same money (dropping it frees every later row): skipped.
# ---------------------------------------------------------------------------------------
PLAN_M = {
    "enterprises": [
        {"id": "E1", "baseline": {"emissions": {"X": 10.0}}, "permit": {"X": {2024: 10, 2025: 6}}}
    ],
    "projects": [
        project("A", "E1", 50, reduces={"X": 4.0}),
        project("B", "E1", 30, reduces={"X": 2.0}),
    ],
    "budget": {"per_year": {2024: 10, 2025: 30}, "carry_over": True},
    "objective": {"minimize": "pollution"},
}


def test_multi_year_budget_by_hand() -> None:
    park = make_park(PLAN_M, 2024, 2025)
    assert precheck(park) == []
    messages = explain_infeasibility(park, EXACT)
    assert messages == [
        "budget for 2025 30 CNY is too small: to meet every other limit it must be at least "
        "40 CNY (10 CNY more). Limits that force this, with what dropping each one alone "
        "would save: E1 X permit 6 t/yr in 2025 (50 CNY)"
    ]


def test_multi_year_limits_alone_by_hand() -> None:
    """2024 budget: +10 (A started in 2025; the 2024 and 2025 rows both rise by 10).
    2025 budget: +10. 2025 permit: B (30 <= 40) leaves 8 t/yr: +2. 2024 permit: the rest
    still needs A (50 CNY) by 2025 with 40 CNY: relaxing it cannot help."""
    park = make_park(PLAN_M, 2024, 2025)
    model = RelaxationModel(park, EXACT)
    got = {}
    for i, limit in enumerate(model.limits):
        answer = model.least(i)
        got[limit.label] = round(float(answer.excesses[i]), 9) if answer.found else None
    assert got == {
        "budget for 2024 10 CNY": 10.0,
        "budget for 2025 30 CNY": 10.0,
        "E1 X permit 10 t/yr in 2024": None,
        "E1 X permit 6 t/yr in 2025": 2.0,
    }


def test_year_runs_and_labels() -> None:
    assert year_runs(np.array([5.0, 5.0, 4.0])) == [(0, 1), (2,)]
    assert year_runs(np.array([np.nan, 3.0, 3.0])) == [(1, 2)]
    assert year_runs(np.array([1.0, np.nan, 1.0])) == [(0,), (2,)]
    body = {
        "enterprises": [{"id": "E1", "baseline": {"emissions": {"X": 10.0}}, "permit": {"X": 9}}],
        "projects": [project("A", "E1", 50, reduces={"X": 4.0})],
        "targets": {"park_caps": {"X": {2024: 10, 2025: 8}}},
    }
    labels = [limit.label for limit in limits_of(make_park(body, 2024, 2026))]
    # one permit value for every year: one limit, no year named; the cap tightens in 2025
    assert labels == [
        "park X cap 10 t/yr in 2024",
        "park X cap 8 t/yr in 2025-2026",
        "E1 X permit 9 t/yr",
    ]


def test_precheck_formats_trace_amounts() -> None:
    # Hg: baseline 1e-8 t/yr, permit 2e-10, the only project removes half: 5e-9 left,
    # 4.8e-9 short.
    body = {
        "enterprises": [
            {"id": "E1", "baseline": {"emissions": {"Hg": 1.0e-8}}, "permit": {"Hg": 2.0e-10}}
        ],
        "projects": [project("A", "E1", 50, reduces={"Hg": 5.0e-9})],
    }
    assert precheck(make_park(body)) == [
        "E1 Hg permit 2.0e-10 t/yr cannot be met: all its projects together leave "
        "5.0e-09 t/yr (baseline 1.0e-08 t/yr, short by 4.8e-09 t/yr)"
    ]


def _limits() -> list[Limit]:
    return [
        Limit("budget", "budget 1.0 M CNY", "CNY", 1.0e6),
        Limit("park_cap", "park X cap 20 t/yr", "t/yr", 20.0, years=(0,), item=0),
    ]


def test_messages_when_effort_runs_out() -> None:
    park = make_park(PARK_H)
    forcing = Forcing(found=[(1, 1.0e5)], checked=1, candidates=3, unproven={1})
    found = Conflict(
        _limits(),
        joint={0: 2.5e5},
        candidates=[LeastRelaxation(0, "time_limit", 2.5e5, forcing=forcing)],
        complete=False,
        unsettled=2,
    )
    assert conflict_messages(park, found) == [
        "budget 1.0 M CNY is too small: the cheapest portfolio that meets every cap costs "
        "1.2 M CNY (250,000 CNY more) (the best found in the time allowed; the least may be "
        "smaller). Limits that force this, with what dropping each one alone would save: "
        "park X cap 20 t/yr (at least 150,000 CNY) (checked 1 of 3 other limits before the "
        "search's effort limit)",
        "2 more limits in conflict were not examined (the search's effort limit was reached)",
    ]


def test_messages_structural_and_numerical() -> None:
    park = make_park(PARK_H)
    structural = Conflict(_limits(), {}, [], complete=True, structural=True)
    assert conflict_messages(park, structural)[0].startswith(
        "no relaxation of the budgets, permits, caps and targets makes the scenario feasible"
    )
    nothing = Conflict(_limits(), {}, [], complete=False)
    assert "numerical trouble" in conflict_messages(park, nothing)[0]
    none_alone = Conflict(
        _limits(),
        joint={0: 10.0, 1: 2.0},
        candidates=[LeastRelaxation(0, "infeasible"), LeastRelaxation(1, "infeasible")],
        complete=True,
    )
    assert conflict_messages(park, none_alone)[-2:] == [
        "relaxing these limits together is enough: budget 1.0 M CNY up by 10 CNY and park X "
        "cap 20 t/yr up by 2 t/yr",
        "no single limit can make the scenario feasible by moving alone",
    ]


def test_structure_alone_infeasible() -> None:
    """A done at once (forced) requires B, which the screening excludes: no relaxation of
    any limit helps."""
    from dataclasses import replace

    park = make_park(PARK_H)
    forced = np.array([True, False, False, False, False])
    excluded = np.array([False, True, False, False, False])
    park = replace(park, forced=forced, excluded=excluded, prerequisites=[(0, 1)])
    assert explain_infeasibility(park, EXACT) == [
        "no relaxation of the budgets, permits, caps and targets makes the scenario "
        "feasible: check exclusive groups, prerequisites, shared-facility capacities, "
        "options done at once and the screening"
    ]
