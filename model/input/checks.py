"""The rules a scenario must meet beyond its schema, one named function per rule.

The schema (model/input/schema.py) checks each value alone; these rules check values
against each other and against the registry: every name is known (pollutants, carriers,
owners, projects, facilities), ids are unique, years lie in the horizon, fractions in
(0, 1], a facility that is served has a capacity, and so on. `check_scenario` runs them
in a fixed order and the first broken one is raised as an `InputError` naming the file
and key path where the bad value was written (`MergedInput.error`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from model.errors import CPIndexError, Loc, RegistryError
from model.formatting import suggest
from model.input.cp_index import check_indicators
from model.input.origins import MergedInput
from model.input.reference import builtin_carriers, builtin_pollutants
from model.input.registry import Registry, build_registry
from model.input.schema import PARK_ID, Horizon, Scenario


def check_scenario(
    scenario: Scenario, ctx: MergedInput, solver_name: str | None = None
) -> Registry:
    """Every rule below, in this order; raises the first broken one. Returns the registry
    (built-in pollutants and carriers with the scenario's declarations applied).
    `solver_name`: the solver the run will use when not the scenario's (`--solver`)."""
    registry = check_registry(scenario, ctx)
    check_solver_options(scenario, ctx, solver_name)
    rules = _Rules(ctx, scenario.horizon, registry)
    enterprise_ids = check_enterprise_ids(scenario, ctx)
    check_baselines_and_permits(scenario, rules)
    project_ids = check_project_ids(scenario, ctx, enterprise_ids)
    check_project_references(scenario, rules, enterprise_ids, project_ids)
    check_budget_years(scenario, ctx)
    check_targets(scenario, rules)
    check_weights(scenario, ctx)
    check_cp_indicators(scenario, ctx)
    check_cost_classes(scenario, ctx)
    check_cost_objective_has_target(scenario, ctx)
    return registry


class _Rules:
    """The checks shared by several rules: a value by year, a known name, amounts by name."""

    def __init__(self, ctx: MergedInput, horizon: Horizon, registry: Registry) -> None:
        self.ctx = ctx
        self.horizon = horizon
        self.pollutants = list(registry.pollutants)
        self.carriers = list(registry.carriers)

    def by_year(self, loc: Loc, value, low: float | None, high: float | None = None) -> None:
        """A number, or {year: number} with every year inside the horizon; each number
        >= `low`, or with `high` a fraction in (low, high]."""
        horizon = self.horizon
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for year, number in items:
            where = loc if year is None else (*loc, str(year))
            if year is not None and year not in horizon.years:
                raise self.ctx.error(
                    where, f"year {year} is outside the horizon {horizon.start}-{horizon.end}"
                )
            if low is not None and number < low:
                raise self.ctx.error(where, f"must be >= {low:g}")
            if high is not None and not low < number <= high:
                raise self.ctx.error(where, "must be a fraction in (0, 1], e.g. 0.1 for 10 %")

    def known(self, loc: Loc, name: str, names: Collection[str], what: str, hint: str = "") -> None:
        """`name` is one of `names` (else: unknown WHAT, with a did-you-mean or `hint`).
        Give a set or dict for long collections: membership is then one lookup."""
        if name not in names:
            shown = list(names)
            raise self.ctx.error(loc, f"unknown {what} '{name}'{suggest(name, shown) or hint}")

    def amounts(
        self, loc: Loc, values: dict, names: Sequence[str], what: str, low: float | None
    ) -> None:
        """{name: number or {year: number}}: every name known, every number by `by_year`."""
        for name, value in values.items():
            self.known((*loc, name), name, names, what, f" (declare it under {what}s:)")
            self.by_year((*loc, name), value, low)


def check_registry(scenario: Scenario, ctx: MergedInput) -> Registry:
    """A new pollutant needs `medium`, a new carrier `unit` and `tce_per_unit`; the
    declarations must make valid registry entries."""
    builtin = builtin_pollutants()
    for name, entry in scenario.pollutants.items():
        if name not in builtin and entry.medium is None:
            raise ctx.error(
                ("pollutants", name),
                f"'{name}' is not a built-in pollutant{suggest(name, builtin) or '.'} "
                "A new pollutant needs 'medium' (air, water, solid or other)",
            )
    carriers = builtin_carriers()
    for name, entry in scenario.carriers.items():
        missing = [key for key in ("unit", "tce_per_unit") if getattr(entry, key) is None]
        if name not in carriers and missing:
            raise ctx.error(
                ("carriers", name),
                f"'{name}' is not a built-in carrier{suggest(name, carriers) or '.'} "
                f"A new carrier needs {' and '.join(missing)}",
            )
    try:
        return build_registry(scenario)
    except RegistryError as error:
        raise ctx.error(tuple(error.path.split(".")), error.message) from None


def check_solver_options(scenario: Scenario, ctx: MergedInput, solver_name: str | None) -> None:
    """`solver.options` against HiGHS's own option list when HiGHS will solve (the
    scenario's solver, or `solver_name` from the command line). Other solvers' options
    cannot be checked: Pyomo hands them to the solver unread."""
    name = solver_name or scenario.solver.name
    if name.lower() != "highs" or not scenario.solver.options:
        return
    from model.input.highs_options import highs_option_problem  # imports highspy

    for key, value in scenario.solver.options.items():
        problem = highs_option_problem(key, value)
        if problem:
            given = f" (with --solver {solver_name})" if solver_name else ""
            raise ctx.error(("solver", "options", key), problem + given)


def check_enterprise_ids(scenario: Scenario, ctx: MergedInput) -> dict[str, int]:
    """Enterprise ids are unique and not the park's own id; returns id -> list index."""
    enterprise_ids: dict[str, int] = {}
    for i, enterprise in enumerate(scenario.enterprises):
        loc = ("enterprises", i, "id")
        if enterprise.id == PARK_ID:
            raise ctx.error(loc, f"'{PARK_ID}' is reserved for the park's shared facilities")
        if enterprise.id in enterprise_ids:
            other = ctx.where(("enterprises", enterprise_ids[enterprise.id]))[1]
            raise ctx.error(loc, f"duplicate enterprise id '{enterprise.id}' (also {other})")
        enterprise_ids[enterprise.id] = i
    return enterprise_ids


def check_baselines_and_permits(scenario: Scenario, rules: _Rules) -> None:
    """Baselines and permits of every enterprise and of the park's own row name known
    pollutants and carriers, with amounts >= 0 and years inside the horizon."""
    rows = [(("enterprises", i), e.baseline, e.permit) for i, e in enumerate(scenario.enterprises)]
    rows.append((("park",), scenario.park.baseline, scenario.park.permit))
    for loc, baseline, permit in rows:
        emissions, energy = (*loc, "baseline", "emissions"), (*loc, "baseline", "energy")
        rules.amounts(emissions, baseline.emissions, rules.pollutants, "pollutant", 0)
        rules.amounts(energy, baseline.energy, rules.carriers, "carrier", 0)
        rules.amounts((*loc, "permit"), permit, rules.pollutants, "pollutant", 0)


def check_project_ids(
    scenario: Scenario, ctx: MergedInput, enterprise_ids: dict[str, int]
) -> dict[str, int]:
    """Project ids are unique and differ from enterprise ids and 'park'; only shared
    facilities (owner: park) have a capacity. Returns id -> list index."""
    project_ids: dict[str, int] = {}
    for j, project in enumerate(scenario.projects):
        loc = ("projects", j)
        if project.id == PARK_ID or project.id in enterprise_ids:
            raise ctx.error(
                (*loc, "id"),
                f"'{project.id}' is already an enterprise id: project "
                "ids must differ from enterprise ids and 'park'",
            )
        if project.id in project_ids:
            other = ctx.where(("projects", project_ids[project.id]))[1]
            raise ctx.error((*loc, "id"), f"duplicate project id '{project.id}' (also {other})")
        project_ids[project.id] = j
        if project.capacity is not None and project.owner != PARK_ID:
            raise ctx.error(
                (*loc, "capacity"), "only shared facilities (owner: park) have a capacity"
            )
    return project_ids


def check_project_references(
    scenario: Scenario,
    rules: _Rules,
    enterprise_ids: dict[str, int],
    project_ids: dict[str, int],
) -> None:
    """Each project's owner is an enterprise or 'park'; `reduces` and `saves` name known
    pollutants and carriers; `requires` names other projects; `serves` names shared
    facilities with a capacity, other than the project itself, with a use >= 0."""
    ctx, projects = rules.ctx, scenario.projects
    owners = dict.fromkeys([*enterprise_ids, PARK_ID])  # dicts: membership in O(1)
    for j, project in enumerate(projects):
        loc = ("projects", j)
        rules.known(
            (*loc, "owner"), project.owner, owners, "owner", " (an enterprise id or 'park')"
        )
        rules.amounts((*loc, "reduces"), project.reduces, rules.pollutants, "pollutant", None)
        rules.amounts((*loc, "saves"), project.saves, rules.carriers, "carrier", None)
        for k, required in enumerate(project.requires):
            if required == project.id:
                raise ctx.error((*loc, "requires", k), "a project cannot require itself")
            rules.known((*loc, "requires", k), required, project_ids, "project")
        for facility, use in project.serves.items():
            where = (*loc, "serves", facility)
            rules.known(where, facility, project_ids, "facility")
            if facility == project.id:
                raise ctx.error(where, "a facility cannot serve itself")
            if projects[project_ids[facility]].capacity is None:
                raise ctx.error(
                    where,
                    f"'{facility}' has no capacity: only a shared facility "
                    "(owner: park, with capacity) can be served",
                )
            if use < 0:
                raise ctx.error(where, "must be >= 0")


def check_budget_years(scenario: Scenario, ctx: MergedInput) -> None:
    """`budget.per_year`: years inside the horizon, amounts >= 0."""
    horizon = scenario.horizon
    for year, amount in scenario.budget.per_year.items():
        if year not in horizon.years:
            raise ctx.error(
                ("budget", "per_year", str(year)),
                f"year {year} is outside the horizon {horizon.start}-{horizon.end}",
            )
        if amount < 0:
            raise ctx.error(("budget", "per_year", str(year)), "must be >= 0")


def check_targets(scenario: Scenario, rules: _Rules) -> None:
    """Park caps name known pollutants with amounts >= 0; reduction targets (pollutants
    and energy) are fractions in (0, 1]; the energy cap is >= 0; years in the horizon."""
    targets = scenario.targets
    rules.amounts(("targets", "park_caps"), targets.park_caps, rules.pollutants, "pollutant", 0)
    rules.amounts(("targets", "reduction"), targets.reduction, rules.pollutants, "pollutant", None)
    for name, fraction in targets.reduction.items():
        rules.by_year(("targets", "reduction", name), fraction, 0, 1)
    if targets.energy_cap_tce is not None:
        rules.by_year(("targets", "energy_cap_tce"), targets.energy_cap_tce, 0)
    if targets.energy_reduction is not None:
        rules.by_year(("targets", "energy_reduction"), targets.energy_reduction, 0, 1)


def check_weights(scenario: Scenario, ctx: MergedInput) -> None:
    """Objective weights are >= 0."""
    for name, weight in scenario.objective.weights.items():
        if weight < 0:
            raise ctx.error(("objective", "weights", name), "must be >= 0")


def check_cp_indicators(scenario: Scenario, ctx: MergedInput) -> None:
    """CP indicator data can be scored (model/input/cp_index.py `check_indicators`)."""
    try:
        check_indicators(scenario.enterprises, scenario.projects)
    except CPIndexError as error:
        raise ctx.error(error.loc, error.message) from None


def check_cost_classes(scenario: Scenario, ctx: MergedInput) -> None:
    """`finance.classes.low_max` <= `medium_max`."""
    classes = scenario.finance.classes
    if classes.low_max > classes.medium_max:
        raise ctx.error(
            ("finance", "classes", "low_max"),
            f"{classes.low_max:g} is above medium_max {classes.medium_max:g}",
        )


def check_cost_objective_has_target(scenario: Scenario, ctx: MergedInput) -> None:
    """The cost objective needs a target to meet (else choosing nothing is cheapest)."""
    targets = scenario.targets
    has_target = bool(targets.park_caps or targets.reduction) or (
        targets.energy_cap_tce is not None or targets.energy_reduction is not None
    )
    if scenario.objective.minimize == "cost" and not has_target:
        raise ctx.error(
            ("objective", "minimize"),
            "cost objective needs at least one target "
            "(targets.park_caps, targets.reduction, targets.energy_cap_tce or "
            "targets.energy_reduction)",
        )


__all__ = [
    "check_baselines_and_permits",
    "check_budget_years",
    "check_cost_classes",
    "check_cost_objective_has_target",
    "check_cp_indicators",
    "check_enterprise_ids",
    "check_project_ids",
    "check_project_references",
    "check_registry",
    "check_scenario",
    "check_solver_options",
    "check_targets",
    "check_weights",
]
