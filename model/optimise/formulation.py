"""The Pyomo model of project selection (`build_model`): a table of contents of
docs/math.md, one function per section, called in the order of math.md.

The functions are in model/optimise/families.py (the single-year model, sections 1-9)
and model/optimise/extensions.py (several years, money, epsilon floors, the solver's
units: sections 10-13); each states its inequality in its docstring. `MATH_SECTIONS`
pairs every section title of math.md with its function; tests/test_formulation.py
checks that every section has one and every function a section.

Variables (t runs over the planning years; one year = the single-year model)
* x[j]          project j is done within the horizon: binary, or in [0, 1] if divisible
* start[j, t]   multi-year only: project j starts in year t (sum over t = x[j]); it is in
                effect in year t from the start year + its lead time onwards
* avoided[k, t] t/yr of pollutant p_k removed at row e_k in year t: <= baseline and <= the
                row's in-effect reductions, so emissions after = max(0, b - R x)
* saved[l, t]   carrier units/yr saved at row e_l in year t, likewise
* excess[i]     t/yr over the permit (soft permits only)

Every variable, parameter and expression of the Pyomo model is in the user's units (t/yr,
carrier units/yr, CNY); the solver is handed the model in the units of its
`scaling_factor` suffix (math.md 13), and the adapters undo them on everything they read
back. The rest of `model` changes a built model only through `ParkModel`'s named methods.
"""

from __future__ import annotations

from collections.abc import Callable

import pyomo.environ as pyo

from model.compile.park import ParkData
from model.optimise import extensions, families
from model.optimise.families import Frame
from model.optimise.park_model import ParkModel

Section = Callable[[pyo.ConcreteModel, Frame], None]

MATH_SECTIONS: tuple[tuple[str, Section], ...] = (
    ("Decisions", families.decisions),
    (
        "1. Emissions after projects (saturation at zero, cross-media increases)",
        families.emissions_after,
    ),
    ("2. Energy after projects, tce and CO2", families.energy_after),
    ("3. Budget", families.budget),
    ("4. Permits", families.permits),
    ("5. Park caps and minimum reductions", families.park_caps_and_reductions),
    ("6. Energy cap and energy reduction target (tce)", families.energy_limits),
    ("7. Exclusive groups and prerequisites", families.exclusive_groups_and_prerequisites),
    ("8. Shared park facilities", families.shared_facilities),
    ("9. Objectives", families.objectives),
    ("10. Several planning years", extensions.planning_years),
    ("11. Money: subsidies, options done at once, screening", extensions.money),
    ("12. Epsilon floors (studies)", extensions.epsilon_floors),
    ("13. Units the solver works in (scaling)", extensions.solver_units),
)  # fmt: skip
"""(docs/math.md section title, the function that builds it), in the order of math.md."""

ROW_ORDER = (
    "start_link",
    "emission_link",
    "soft_permit",
    "energy_link",
    "budget_row",
    "public_budget_row",
    "budget_year_row",
    "park_cap_row",
    "reduction_row",
    "energy_cap_row",
    "energy_reduction_row",
    "exclusive",
    "prerequisite",
    "facility_capacity",
    "pollution_floor_row",
    "energy_floor_row",
)
"""The order in which the row families are handed to a solver. Solvers read rows (and
columns, in the order rows first mention them) in declaration order, and a MIP solver's
path, so an answer within the gap, can depend on it; this is the order of earlier
releases, kept so that results stay the same."""


def _rows_in_hand_over_order(m: pyo.ConcreteModel) -> None:
    """Re-declare the row families in `ROW_ORDER` (their rows are unchanged)."""
    for name in ROW_ORDER:
        component = m.component(name)
        if component is not None:
            m.del_component(component)
            m.add_component(name, component)


def build_model(park: ParkData, relax: bool = False, floors: bool = False) -> ParkModel:
    """Build the Pyomo model of docs/math.md for `park`: each section of math.md in turn.

    With `relax=True` every project is continuous in [0, 1] (the LP relaxation, used for
    shadow prices and reduced-cost bounds). With `floors=True` the two epsilon rows of
    frontier studies are added (math.md 12); they are dense, so other runs leave them out.
    """
    m = pyo.ConcreteModel(name=park.name)
    frame = Frame.of(park, relax, floors)
    for _title, section in MATH_SECTIONS:
        section(m, frame)
    _rows_in_hand_over_order(m)
    return ParkModel(
        park=park,
        model=m,
        emission_pairs=frame.emission_pairs,
        energy_pairs=frame.energy_pairs,
        relaxed=relax,
        units=frame.units,
        no_budget_limit=frame.no_budget_limit,
        floors_off=frame.floors_off,
    )
