"""Least relaxations of the hard limits (model/optimise/relaxation.py) against enumeration.

For every hard limit of small random parks (single-year 2^12 selections, three-year
4^7 plans), the least relaxation of that limit alone with every other limit kept, as
the relaxation model's re-solve finds it, must equal the one found by enumerating every
plan (tests/bruteforce.py `PlanEnumeration`, which checks the limits one by one on the
plans and treats the years' budgets as rows), or both must agree that relaxing the
limit alone cannot help. The parks are taken loose (most least relaxations negative:
the margin) and tight (positive: the scenario is infeasible), so that both directions
and every kind of limit (budget, a year's budget with and without carry-over, public
subsidy budget, permit, park cap, reduction target, energy cap, energy target) are
covered; `test_every_kind_is_tested_infeasible` makes sure of it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from bruteforce import PlanEnumeration
from test_formulation import compiled
from test_multiyear import multi_year_park

from model.compile.park import ParkData
from model.input.run_options import SolverOptions
from model.optimise.conflict import conflict
from model.optimise.limits import Limit
from model.optimise.relaxation import RelaxationModel

EXACT = SolverOptions(mip_gap=0.0)


def key_of(limit: Limit) -> tuple:
    """The enumeration's key of a limit (tests/bruteforce.py, section comment)."""
    years = limit.years
    return {
        "budget": ("budget",),
        "public_budget": ("public_budget",),
        "budget_year": ("budget_year", years[0] if years else None),
        "permit": ("permit", years, limit.row, limit.item),
        "park_cap": ("park_cap", years, limit.item),
        "reduction": ("reduction", years, limit.item),
        "energy_cap": ("energy_cap", years),
        "energy_reduction": ("energy_reduction", years),
    }[limit.kind]


def with_subsidy(park: ParkData, public_share: float) -> ParkData:
    """30 % of every capex (rounded) from public money, whose budget is `public_share`
    of the total capex."""
    subsidy = np.round(0.3 * park.capex, 1)
    return replace(park, subsidy=subsidy, public_budget=round(public_share * park.capex.sum(), 1))


def single_year_parks() -> dict[str, ParkData]:
    parks = {}
    for seed in range(3):
        park = compiled(seed, "all")
        parks[f"all-{seed}"] = park
        parks[f"all-tight-{seed}"] = replace(park, budget_total=0.15 * park.capex.sum())
        energy = compiled(seed, "energy_reduction")
        parks[f"energy-target-{seed}"] = energy
        parks[f"energy-target-tight-{seed}"] = replace(
            energy, budget_total=0.1 * energy.capex.sum()
        )
        capped = compiled(seed, "energy_cap")
        parks[f"energy-cap-tight-{seed}"] = replace(capped, budget_total=0.1 * capped.capex.sum())
        parks[f"subsidy-{seed}"] = with_subsidy(
            replace(park, budget_total=0.25 * park.capex.sum()), 0.05
        )
    return parks


def multi_year_parks() -> dict[str, ParkData]:
    parks = {}
    for seed in range(2):
        for carry_over in (False, True):
            park = multi_year_park(seed, carry_over)
            name = f"plan-{seed}-{'carry' if carry_over else 'no-carry'}"
            parks[name] = park
            parks[f"{name}-tight"] = replace(park, budget_per_year=0.4 * park.budget_per_year)
    return parks


PARKS = {**single_year_parks(), **multi_year_parks()}


def least_relaxations(park: ParkData) -> list[tuple[Limit, float | None, float | None]]:
    """(limit, the model's least relaxation, the enumeration's) for every limit; None
    where relaxing the limit alone cannot make the scenario feasible."""
    model = RelaxationModel(park, EXACT, max_solves=10_000)
    enumeration = PlanEnumeration(park)
    assert sorted(map(key_of, model.limits)) == sorted(enumeration.keys())
    rows = []
    for i, limit in enumerate(model.limits):
        answer = model.least(i)
        assert answer.status in ("optimal", "infeasible"), (limit.label, answer.status)
        found = float(answer.excesses[i]) if answer.found else None
        rows.append((limit, found, enumeration.least(key_of(limit))))
    return rows


@pytest.fixture(scope="module")
def results() -> dict[str, list]:
    return {name: least_relaxations(park) for name, park in PARKS.items()}


@pytest.mark.parametrize("name", list(PARKS))
def test_least_relaxation_of_every_limit_matches_enumeration(results, name: str) -> None:
    for limit, found, expected in results[name]:
        if expected is None:
            assert found is None, f"{limit.label}: model {found}, enumeration: cannot help"
        else:
            assert found == pytest.approx(expected, rel=1e-6, abs=1e-6), limit.label


def test_every_kind_is_tested_infeasible(results) -> None:
    """Each kind of limit has a case where it must move (least relaxation > 0) and one
    where relaxing it alone cannot help, so that neither answer goes untested."""
    kinds = {"budget", "budget_year", "public_budget", "permit", "park_cap", "reduction"}
    kinds |= {"energy_cap", "energy_reduction"}
    positive = {limit.kind for rows in results.values() for limit, _, e in rows if e and e > 0}
    assert positive == kinds
    carry = [
        e
        for name, rows in results.items()
        if "-carry" in name
        for lim, _, e in rows
        if lim.kind == "budget_year" and e and e > 0
    ]
    assert carry, "a year's budget with carry-over must be tested in the infeasible direction"
    helpless = {limit.kind for rows in results.values() for limit, _, e in rows if e is None}
    assert helpless >= {"budget", "budget_year", "permit"}


@pytest.mark.parametrize("name", ["all-tight-0", "plan-1-carry-tight", "energy-cap-tight-0"])
def test_forcing_limits_match_enumeration(name: str) -> None:
    """For each limit that must move, the limits whose removal alone lowers its least
    relaxation, and the relaxation without each, are those of the enumeration."""
    park = PARKS[name]
    found = conflict(park, EXACT, max_solves=10_000)
    enumeration = PlanEnumeration(park)
    keys = [key_of(limit) for limit in found.limits]
    checked = 0
    for item in found.candidates:
        if not item.fixes:
            continue
        key = keys[item.index]
        assert item.amount == pytest.approx(enumeration.least(key), rel=1e-6, abs=1e-6)
        assert item.forcing.checked == item.forcing.candidates
        got = dict(item.forcing.found)
        for k, other in enumerate(keys):
            if k == item.index:
                continue
            without = enumeration.least(key, dropped=(other,))
            if without == -np.inf:  # an earlier year's budget, with carry-over: skipped
                assert k not in got
                continue
            forces = without is not None and without < item.amount - 1e-6 * max(
                1.0, abs(item.amount)
            )
            assert (k in got) == forces, (found.limits[k].label, without, item.amount)
            if forces:
                assert got[k] == pytest.approx(without, rel=1e-6, abs=1e-6)
            checked += 1
    assert checked > 0
