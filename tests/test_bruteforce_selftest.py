"""Self-test of the brute-force enumerator (tests/bruteforce.py) on tiny parks.

Every expected number below is worked out by hand in the comments, so that the
enumerator can be trusted as an independent reference for the optimiser. The parks use
a declared pollutant 'X' with pe_kg = 1000 (1 t = 1000 kg = 1 pollution equivalent) and a
declared carrier 'K' with 0.01 tce per unit, so the arithmetic stays readable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from bruteforce import (
    all_selections,
    emissions_after,
    enumerate_optimum,
    is_feasible,
    objective_after,
    tce_after,
    violated_constraints,
)

from model.compile.compile import compile_park
from model.compile.park import ParkData
from model.input.registry import build_registry
from model.input.schema import Scenario

DECLARED = {
    "pollutants": {"X": {"medium": "other", "pe_kg": 1000.0, "name": "test pollutant"}},
    "carriers": {"K": {"unit": "unit", "tce_per_unit": 0.01}},
}


def make_park(body: dict[str, Any]) -> ParkData:
    """Validate a scenario dict (single year 2024, declared X and K) and compile it."""
    data = {"name": "selftest", "horizon": {"start": 2024, "end": 2024}, **DECLARED, **body}
    scenario = Scenario.model_validate(data)
    return compile_park(scenario, build_registry(scenario))


def project(pid: str, owner: str, capex: float, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "owner": owner, "capex": capex, **fields}


def test_all_selections_enumerates_bits() -> None:
    # 2 projects -> rows 0..3 = 00, 10, 01, 11 (x_j = bit j of the row number).
    expected = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    np.testing.assert_array_equal(all_selections(2), expected)
    assert all_selections(5).shape == (32, 5)
    assert len({tuple(row) for row in all_selections(5)}) == 32


# ---------------------------------------------------------------------------------------
# Park A: budget only.
# E1 emits 10 t X. P1 removes 4 t, P2 3 t, P3 2 t; each costs 100; budget 200, so at most
# two projects. Feasible: {}, three singles, three pairs = 7 of 8 (only {P1,P2,P3} costs
# 300 > 200). Best pair is {P1, P2}: 10 - 4 - 3 = 3 t = 3 equivalents. Unique.
# ---------------------------------------------------------------------------------------
PARK_A = {
    "enterprises": [{"id": "E1", "baseline": {"emissions": {"X": 10.0}}}],
    "projects": [
        project("P1", "E1", 100, reduces={"X": 4.0}),
        project("P2", "E1", 100, reduces={"X": 3.0}),
        project("P3", "E1", 100, reduces={"X": 2.0}),
    ],
    "budget": {"total": 200},
    "objective": {"minimize": "pollution"},
}


def test_park_a_budget() -> None:
    park = make_park(PARK_A)
    answer = enumerate_optimum(park)
    assert answer.n_selections == 8
    assert answer.n_feasible == 7
    assert answer.best_value == pytest.approx(3.0)
    assert answer.optimal_sets == [frozenset({"P1", "P2"})]
    np.testing.assert_array_equal(answer.unique_optimum, [1.0, 1.0, 0.0])
    # All three together would leave 1 t but breaks the budget.
    assert violated_constraints(park, np.ones(3)) == ["budget"]
    assert objective_after(park, np.ones(3)) == pytest.approx(1.0)
    # Cost objective on the same park: nothing is required, so the empty selection (0 CNY).
    cost = enumerate_optimum(park, objective="cost")
    assert cost.best_value == 0.0
    assert cost.optimal_sets == [frozenset()]


# ---------------------------------------------------------------------------------------
# Park B: saturation at zero, an exclusive group and ties.
# E1 emits 5 t X. P1 and P2 are identical alternatives (each removes 4 t, same exclusive
# group 'g'); P3 removes 3 t. No budget. Feasible: every selection without both P1 and
# P2 = 8 - 2 = 6. {P1,P3} leaves max(0, 5 - 7) = 0, and so does {P2,P3}: two optima at 0
# (not -2: reductions saturate). {P1} alone leaves 1, {P3} alone 2.
# Without the floor, a wrong implementation would rank the triple (-6) below them.
# ---------------------------------------------------------------------------------------
PARK_B = {
    "enterprises": [{"id": "E1", "baseline": {"emissions": {"X": 5.0}}}],
    "projects": [
        project("P1", "E1", 1, reduces={"X": 4.0}, exclusive_group="g"),
        project("P2", "E1", 1, reduces={"X": 4.0}, exclusive_group="g"),
        project("P3", "E1", 1, reduces={"X": 3.0}),
    ],
    "objective": {"minimize": "pollution"},
}


def test_park_b_saturation_exclusive_and_ties() -> None:
    park = make_park(PARK_B)
    answer = enumerate_optimum(park)
    assert answer.n_feasible == 6
    assert answer.best_value == 0.0
    assert sorted(answer.optimal_sets, key=sorted) == [
        frozenset({"P1", "P3"}),
        frozenset({"P2", "P3"}),
    ]
    assert answer.unique_optimum is None
    assert objective_after(park, np.array([1.0, 0.0, 0.0])) == pytest.approx(1.0)
    assert objective_after(park, np.array([0.0, 0.0, 1.0])) == pytest.approx(2.0)
    assert violated_constraints(park, np.array([1.0, 1.0, 0.0])) == ["exclusive_groups"]


# ---------------------------------------------------------------------------------------
# Park C: a park-owned shared facility, prerequisites, weighted pollution + energy.
# E1 emits 6 t X. F is the park's facility (owner park, capex 10, capacity 100) and uses
# 200 units of K more on the park row (saves K = -200): park row K after = 0 + 200 = 200
# units = 2 tce. U1 (capex 1) uses 60 of F and removes 3 t; U2 (capex 1) uses 60 of F and
# removes 2.5 t; U3 (capex 1) removes 0.5 t and requires U2.
# Constraints: U1 or U2 need F (facility), U1 + U2 = 120 > 100 (capacity), U3 needs U2.
# Feasible selections (5 of 16) and weighted value (1 * eq + 1 * tce):
#   {}           6 + 0 = 6
#   {F}          6 + 2 = 8
#   {F,U1}       3 + 2 = 5
#   {F,U2}     3.5 + 2 = 5.5
#   {F,U2,U3}    3 + 2 = 5
# Best 5, tied between {F,U1} and {F,U2,U3}.
# 'energy' objective: {} is the only selection with 0 tce -> unique optimum {} at 0.
# 'cost' with a 50 % reduction target on X (remove >= 3 t): {F,U1} removes 3 (11 CNY),
# {F,U2,U3} removes 3 (12 CNY), {F,U2} only 2.5 -> optimum {F,U1} at 11, 2 feasible.
# Energy cap 1 tce: F is excluded, so {} is the only feasible selection (value 6).
# ---------------------------------------------------------------------------------------
PARK_C = {
    "enterprises": [{"id": "E1", "baseline": {"emissions": {"X": 6.0}}}],
    "projects": [
        project("F", "park", 10, saves={"K": -200.0}, capacity=100.0),
        project("U1", "E1", 1, reduces={"X": 3.0}, serves={"F": 60.0}),
        project("U2", "E1", 1, reduces={"X": 2.5}, serves={"F": 60.0}),
        project("U3", "E1", 1, reduces={"X": 0.5}, requires=["U2"]),
    ],
    "objective": {"minimize": "weighted", "weights": {"pollution": 1.0, "energy": 1.0}},
}


def test_park_c_facility_prerequisite_weighted() -> None:
    park = make_park(PARK_C)
    assert park.enterprise_ids == ["E1", "park"]
    answer = enumerate_optimum(park)
    assert answer.n_feasible == 5
    assert answer.best_value == pytest.approx(5.0)
    assert sorted(answer.optimal_sets, key=len) == [
        frozenset({"F", "U1"}),
        frozenset({"F", "U2", "U3"}),
    ]
    f_u2 = np.array([1.0, 0.0, 1.0, 0.0])
    assert objective_after(park, f_u2) == pytest.approx(5.5)
    assert tce_after(park, f_u2) == pytest.approx(2.0)
    # The facility's extra energy sits on the park row, not on E1's.
    energy_rows = emissions_after(park, f_u2)
    assert energy_rows[0, park.pollutant_ids.index("X")] == pytest.approx(3.5)
    assert violated_constraints(park, np.array([0.0, 1.0, 0.0, 0.0])) == ["facilities"]
    assert violated_constraints(park, np.array([1.0, 1.0, 1.0, 0.0])) == ["facilities"]
    assert violated_constraints(park, np.array([1.0, 1.0, 0.0, 1.0])) == ["prerequisites"]


def test_park_c_other_objectives_and_targets() -> None:
    energy = enumerate_optimum(make_park(PARK_C), objective="energy")
    assert energy.best_value == 0.0
    assert energy.optimal_sets == [frozenset()]

    with_target = {**PARK_C, "targets": {"reduction": {"X": 0.5}}}
    cost = enumerate_optimum(make_park(with_target), objective="cost")
    assert cost.n_feasible == 2
    assert cost.best_value == pytest.approx(11.0)
    assert cost.optimal_sets == [frozenset({"F", "U1"})]

    capped = {**PARK_C, "targets": {"energy_cap_tce": 1.0}}
    answer = enumerate_optimum(make_park(capped))
    assert answer.n_feasible == 1
    assert answer.best_value == pytest.approx(6.0)
    assert answer.optimal_sets == [frozenset()]


# ---------------------------------------------------------------------------------------
# Park D: permits (hard, soft, off), infeasibility.
# E1 emits 10 t X with a permit of 4 t. P1 removes 5 t, P2 removes 4 t, each capex 1.
# Hard permits, no budget: after <= 4 needs >= 6 t removed -> only {P1,P2} (after 1).
# Hard permits, budget 1: nothing meets the permit -> infeasible.
# Soft permits, penalty 100 per t over, budget 1 (so {P1,P2} is out; 3 feasible):
#   {}   10 + 100 * 6 = 610;  {P1}  5 + 100 * 1 = 105;  {P2}  6 + 100 * 2 = 206
#   -> optimum {P1} at 105.
# Permits off, budget 1: {P1} at 5 (the permit is ignored).
# ---------------------------------------------------------------------------------------
PARK_D = {
    "enterprises": [{"id": "E1", "baseline": {"emissions": {"X": 10.0}}, "permit": {"X": 4.0}}],
    "projects": [
        project("P1", "E1", 1, reduces={"X": 5.0}),
        project("P2", "E1", 1, reduces={"X": 4.0}),
    ],
    "objective": {"minimize": "pollution"},
}


def test_park_d_permits() -> None:
    hard = enumerate_optimum(make_park(PARK_D))
    assert hard.n_feasible == 1
    assert hard.best_value == pytest.approx(1.0)
    assert hard.optimal_sets == [frozenset({"P1", "P2"})]

    infeasible = enumerate_optimum(make_park({**PARK_D, "budget": {"total": 1}}))
    assert not infeasible.feasible
    assert infeasible.best_value is None
    assert infeasible.optimal.shape == (0, 2)
    assert np.isinf(infeasible.values).all()

    soft_body = {**PARK_D, "budget": {"total": 1}}
    soft_body["targets"] = {"permits": "soft", "permit_penalty": 100.0}
    soft_park = make_park(soft_body)
    soft = enumerate_optimum(soft_park)
    assert soft.n_feasible == 3
    assert soft.best_value == pytest.approx(105.0)
    assert soft.optimal_sets == [frozenset({"P1"})]
    assert objective_after(soft_park, np.zeros(2)) == pytest.approx(610.0)
    assert objective_after(soft_park, np.array([0.0, 1.0])) == pytest.approx(206.0)

    off_body = {**PARK_D, "budget": {"total": 1}, "targets": {"permits": "off"}}
    off = enumerate_optimum(make_park(off_body))
    assert off.best_value == pytest.approx(5.0)
    assert off.optimal_sets == [frozenset({"P1"})]


# ---------------------------------------------------------------------------------------
# Park E: two enterprises (reductions act only on the owner's row) and a park cap.
# E1 emits 2 t X, E2 emits 8 t. P1 (owner E1) removes 5 t but E1 only has 2, so it
# leaves E1 at 0 and the park at 8. P2 (owner E2) removes 3 t: park 2 + 5 = 7. Budget 1.
# Best: {P2} at 7 (pooling the rows wrongly would give {P1} at 5).
# With a park cap of 7.5 t: {} = 10, {P1} = 8 fail; {P2} = 7 passes -> 1 feasible.
# ---------------------------------------------------------------------------------------
PARK_E = {
    "enterprises": [
        {"id": "E1", "baseline": {"emissions": {"X": 2.0}}},
        {"id": "E2", "baseline": {"emissions": {"X": 8.0}}},
    ],
    "projects": [
        project("P1", "E1", 1, reduces={"X": 5.0}),
        project("P2", "E2", 1, reduces={"X": 3.0}),
    ],
    "budget": {"total": 1},
    "objective": {"minimize": "pollution"},
}


def test_park_e_rows_and_park_cap() -> None:
    park = make_park(PARK_E)
    answer = enumerate_optimum(park)
    assert answer.n_feasible == 3
    assert answer.best_value == pytest.approx(7.0)
    assert answer.optimal_sets == [frozenset({"P2"})]
    assert objective_after(park, np.array([1.0, 0.0])) == pytest.approx(8.0)

    capped = enumerate_optimum(make_park({**PARK_E, "targets": {"park_caps": {"X": 7.5}}}))
    assert capped.n_feasible == 1
    assert capped.optimal_sets == [frozenset({"P2"})]


def test_vectorised_helpers_match_single_selection() -> None:
    park = make_park(PARK_C)
    selections = all_selections(park.n_projects)
    many = objective_after(park, selections)
    feasible = is_feasible(park, selections)
    for row, x in enumerate(selections):
        assert many[row] == pytest.approx(objective_after(park, x))
        assert feasible[row] == is_feasible(park, x)


def test_refuses_what_it_cannot_enumerate_exactly() -> None:
    divisible = {
        **PARK_A,
        "projects": [*PARK_A["projects"][:2], {**PARK_A["projects"][2], "divisible": True}],
    }
    with pytest.raises(ValueError, match="divisible"):
        enumerate_optimum(make_park(divisible))
    with pytest.raises(ValueError, match="single-year"):
        enumerate_optimum(make_park({**PARK_A, "horizon": {"start": 2024, "end": 2025}}))
    with pytest.raises(ValueError, match="limit"):
        enumerate_optimum(make_park(PARK_A), max_projects=2)
    with pytest.raises(ValueError, match="objective"):
        enumerate_optimum(make_park(PARK_A), objective="profit")


# ---------------------------------------------------------------------------------------
# PlanEnumeration (least relaxation of one limit) on the hand-worked parks of
# tests/test_diagnose.py, whose comments derive every number below.
# ---------------------------------------------------------------------------------------
def test_plan_enumeration_by_hand() -> None:
    from bruteforce import PlanEnumeration
    from test_diagnose import PARK_H, PLAN_M
    from test_diagnose import make_park as make_hand_park

    park_h = PlanEnumeration(make_hand_park(PARK_H))
    assert park_h.plans.shape == (32, 1, 5)
    assert park_h.least(("budget",)) == pytest.approx(50.0)  # 120 - 70
    assert park_h.least(("park_cap", (0,), 0)) is None  # the permits need 80 > 70
    cap = ("park_cap", (0,), 0)
    assert park_h.least(("budget",), dropped=(cap,)) == pytest.approx(20.0)  # 90 - 70
    target = ("reduction", (0,), 1)
    assert park_h.least(("budget",), dropped=(target,)) == pytest.approx(40.0)  # 110 - 70
    e1_permit = ("permit", (0,), 0, 0)
    assert park_h.least(("budget",), dropped=(e1_permit,)) == pytest.approx(50.0)

    plan_m = PlanEnumeration(make_hand_park(PLAN_M, 2024, 2025))
    assert plan_m.plans.shape == (9, 2, 2)  # 3^2 plans: each project none, 2024 or 2025
    assert plan_m.least(("budget_year", 1)) == pytest.approx(10.0)
    assert plan_m.least(("budget_year", 0)) == pytest.approx(10.0)
    assert plan_m.least(("permit", (1,), 0, 0)) == pytest.approx(2.0)  # B: 8 t/yr
    assert plan_m.least(("permit", (0,), 0, 0)) is None
    # dropping the 2024 budget frees both cumulative rows the 2025 budget is in
    assert plan_m.least(("budget_year", 1), dropped=(("budget_year", 0),)) == -np.inf
    # dropping the 2025 permit: nothing need be done, the 2025 row has 40 to spare
    assert plan_m.least(("budget_year", 1), dropped=(("permit", (1,), 0, 0),)) == (
        pytest.approx(-40.0)
    )
