"""Exact optimum of a small park by enumerating every selection (test helper, not a test).

This module re-implements the math of docs/math.md on its own, deliberately WITHOUT
importing `model.appraise.evaluate` or the formulation, so the optimiser can be checked against an
independent code path. It only reads the plain arrays of a compiled `ParkData`.

The math, in words (single-year model, binary projects):

* A selection is a 0/1 vector x over the N projects. All 2^N selections are written as the
  rows of a (2^N, N) 0/1 matrix; row s has x_j = bit j of s.
* Emissions after, per (enterprise row e, pollutant p): the baseline b_ep minus the
  reductions r_jp of the selected projects j OWNED BY e, floored at zero:
  max(0, b_ep - sum_{j owned by e} r_jp x_j). A negative r_jp is an increase and is
  real. A project's reductions act only on its owner's row (park-owned on the park row).
* Energy after, per (row, carrier): likewise max(0, baseline - sum of savings), then
  tonnes of standard coal equivalent with `park.tce_per_unit`.
* Pollution equivalents: tonnes after times `park.pe_per_t` (0 for pollutants without a
  pollution-equivalent value).
* Feasibility (every check allows a tolerance of 1e-9 relative to the larger of the
  limit and the baseline it is taken from, plus 1e-20 absolute, so that limits on trace
  pollutants of 1e-10 t/yr are judged as strictly as any other):
  budget (sum capex x <= budget_total); hard permits (after <= permit where a permit is
  set, only when permit_mode is 'hard'); park caps (sum over rows of after <= cap);
  reduction targets (sum over rows of (baseline - after) >= fraction * park baseline);
  energy cap (park tce after <= cap); energy reduction (baseline tce - tce after >=
  fraction * baseline tce); exclusive groups (at most one project of a group);
  prerequisites (x_j <= x_k for each pair (j, k)); shared facilities (sum of the users'
  capacity use <= capacity * x_facility).
* Objective values (to be minimised):
  'weighted' = w_pol * pollution equivalents after + w_en * tce after (+ penalty),
  'pollution' = pollution equivalents after (+ penalty), 'energy' = tce after (+ penalty),
  'cost' = capex. The penalty exists only with soft permits: permit_penalty times the
  total tonnes over permits, summed over every (row, pollutant) with a permit.

Divisible projects and multi-year horizons are not handled: the enumeration over {0, 1}
is then not the exact optimum of the model, so `enumerate_optimum` raises instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from model.compile.park import ParkData

TOLERANCE = 1e-9
"""Relative feasibility and tie tolerance."""

ABSOLUTE_FLOOR = 1e-20
"""Absolute feasibility slack on top, for limits of 0 (far below 1e-10 t/yr)."""

DEFAULT_MAX_PROJECTS = 16
"""Largest park enumerated unless the caller raises the limit (2^16 = 65,536 rows)."""

CHUNK = 8192
"""Selections evaluated at once, so memory stays bounded (CHUNK x rows x pollutants)."""

OBJECTIVES = ("weighted", "pollution", "energy", "cost")

CONSTRAINT_FAMILIES = (
    "budget",
    "permits",
    "park_caps",
    "reduction_targets",
    "energy_cap",
    "energy_reduction",
    "exclusive_groups",
    "prerequisites",
    "facilities",
)


@dataclass(frozen=True)
class BruteForceAnswer:
    """What the enumeration found.

    `values[s]` is the objective of selection s (row s of `all_selections(N)`), +inf if
    it is infeasible. `optimal` holds every feasible selection whose value is within
    1e-9 relative of the best (ties are kept), as a (K, N) boolean array; K = 0 when no
    selection is feasible, and then `best_value` is None.
    """

    objective: str
    project_ids: list[str]
    best_value: float | None
    optimal: np.ndarray  # (K, N) bool
    n_selections: int
    n_feasible: int
    values: np.ndarray  # (2^N,) float, +inf where infeasible
    feasible_mask: np.ndarray  # (2^N,) bool

    @property
    def feasible(self) -> bool:
        """True when at least one selection meets every constraint."""
        return self.n_feasible > 0

    @property
    def optimal_sets(self) -> list[frozenset[str]]:
        """The optimal selections as sets of project ids."""
        ids = np.asarray(self.project_ids, dtype=object)
        return [frozenset(ids[row].tolist()) for row in self.optimal]

    @property
    def unique_optimum(self) -> np.ndarray | None:
        """The optimal selection as a 0/1 float vector if it is unique, else None."""
        if self.optimal.shape[0] != 1:
            return None
        return self.optimal[0].astype(float)


def all_selections(n: int) -> np.ndarray:
    """(2^n, n) 0/1 float matrix of every selection; row s has x_j = bit j of s."""
    rows = np.arange(2**n, dtype=np.int64)
    return ((rows[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(float)


def _tol(rhs: np.ndarray | float) -> np.ndarray | float:
    """Tie tolerance of objective values: 1e-9 relative, at least 1e-9 absolute."""
    return TOLERANCE * np.maximum(1.0, np.abs(rhs))


def _slack(limit: np.ndarray | float, reference: np.ndarray | float) -> np.ndarray | float:
    """Feasibility tolerance of a limit: 1e-9 times the larger of the limit and the
    `reference` quantity it is taken from (a baseline, the total capex), + 1e-20."""
    return TOLERANCE * np.maximum(np.abs(limit), np.abs(reference)) + ABSOLUTE_FLOOR


def _by_owner(park: ParkData, coefficients: np.ndarray) -> np.ndarray:
    """(N, E*K) matrix M with M[j, owner_j * K + k] = coefficients[j, k]: X @ M gives, per
    selection, the amount removed from each (row, k) pair by that row's own projects."""
    n, k = coefficients.shape
    rows = len(park.enterprise_ids)
    onehot = np.zeros((n, rows))
    onehot[np.arange(n), park.owner] = 1.0
    return (onehot[:, :, None] * coefficients[:, None, :]).reshape(n, rows * k)


def _as_matrix(x: np.ndarray, n: int) -> np.ndarray:
    selections = np.atleast_2d(np.asarray(x, dtype=float))
    if selections.shape[1] != n:
        raise ValueError(f"selection has {selections.shape[1]} entries, park has {n} projects")
    return selections


def emissions_after(park: ParkData, x: np.ndarray) -> np.ndarray:
    """Tonnes per year after the selection(s): (E, P) for one x, (S, E, P) for a matrix.

    max(0, baseline[e, p] - sum over e's own projects j of reduces[j, p] * x[j]).
    """
    selections = _as_matrix(x, park.n_projects)
    rows, pollutants = park.baseline_emissions.shape
    removed = selections @ _by_owner(park, park.reduces.toarray())
    removed = removed.reshape(len(selections), rows, pollutants)
    after = np.maximum(0.0, park.baseline_emissions[None] - removed)
    return after[0] if np.ndim(x) == 1 else after


def energy_after(park: ParkData, x: np.ndarray) -> np.ndarray:
    """Carrier units per year after the selection(s): (E, C) or (S, E, C), floored at 0."""
    selections = _as_matrix(x, park.n_projects)
    rows, carriers = park.baseline_energy.shape
    saved = selections @ _by_owner(park, park.saves.toarray())
    saved = saved.reshape(len(selections), rows, carriers)
    after = np.maximum(0.0, park.baseline_energy[None] - saved)
    return after[0] if np.ndim(x) == 1 else after


def pollution_eq_after(park: ParkData, x: np.ndarray) -> np.ndarray | float:
    """Park total pollution equivalents per year after: tonnes after times pe_per_t."""
    total = np.einsum("sep,p->s", _emissions3(park, x), park.pe_per_t)
    return float(total[0]) if np.ndim(x) == 1 else total


def tce_after(park: ParkData, x: np.ndarray) -> np.ndarray | float:
    """Park total energy after, tonnes of standard coal equivalent per year."""
    total = np.einsum("sec,c->s", _energy3(park, x), park.tce_per_unit)
    return float(total[0]) if np.ndim(x) == 1 else total


def capex(park: ParkData, x: np.ndarray) -> np.ndarray | float:
    """Total capital cost of the selection(s), CNY."""
    total = _as_matrix(x, park.n_projects) @ park.capex
    return float(total[0]) if np.ndim(x) == 1 else total


def permit_excess_t(park: ParkData, x: np.ndarray) -> np.ndarray | float:
    """Total tonnes over permits (sum over rows and pollutants with a permit of
    max(0, after - permit)), whatever the permit mode."""
    emissions = _emissions3(park, x)
    has_permit = ~np.isnan(park.permit)
    over = np.maximum(0.0, emissions - np.nan_to_num(park.permit)[None]) * has_permit[None]
    total = over.sum(axis=(1, 2))
    return float(total[0]) if np.ndim(x) == 1 else total


def _emissions3(park: ParkData, x: np.ndarray) -> np.ndarray:
    after = emissions_after(park, x)
    return after[None] if np.ndim(x) == 1 else after


def _energy3(park: ParkData, x: np.ndarray) -> np.ndarray:
    after = energy_after(park, x)
    return after[None] if np.ndim(x) == 1 else after


def objective_after(
    park: ParkData, x: np.ndarray, objective: str | None = None
) -> np.ndarray | float:
    """The objective value (to be minimised) of selection(s) x.

    `objective` defaults to the park's own ('weighted', 'pollution', 'energy' or 'cost');
    see the module docstring for the formulas and the soft-permit penalty.
    """
    kind = park.objective if objective is None else objective
    if kind not in OBJECTIVES:
        raise ValueError(f"unknown objective {kind!r}; expected one of {OBJECTIVES}")
    single = np.ndim(x) == 1
    selections = _as_matrix(x, park.n_projects)
    if kind == "cost":
        value = selections @ park.capex
    else:
        emissions = emissions_after(park, selections)
        pollution = np.einsum("sep,p->s", emissions, park.pe_per_t)
        energy = np.einsum("sec,c->s", energy_after(park, selections), park.tce_per_unit)
        if kind == "weighted":
            value = park.weight_pollution * pollution + park.weight_energy * energy
        elif kind == "pollution":
            value = pollution
        else:
            value = energy
        if park.permit_mode == "soft":
            value = value + park.permit_penalty * permit_excess_t(park, selections)
    return float(value[0]) if single else value


def constraint_checks(park: ParkData, x: np.ndarray) -> dict[str, np.ndarray]:
    """For each constraint family, a (S,) boolean array: True where selection s meets it.

    Families: see `CONSTRAINT_FAMILIES`. Families the park does not use are all True.
    """
    selections = _as_matrix(x, park.n_projects)
    count = selections.shape[0]
    emissions = emissions_after(park, selections)
    energy_tce = np.einsum("sec,c->s", energy_after(park, selections), park.tce_per_unit)
    ok = {name: np.ones(count, dtype=bool) for name in CONSTRAINT_FAMILIES}

    if np.isfinite(park.budget_total):
        # enterprises pay capex net of subsidy; options done at once are outside the budget
        own = np.where(park.forced, 0.0, park.capex - park.subsidy)
        spent = selections @ own
        ok["budget"] = spent <= park.budget_total + _slack(park.budget_total, own.sum())
    if np.isfinite(park.public_budget):
        public = selections @ park.subsidy
        ok["budget"] &= public <= park.public_budget + _slack(
            park.public_budget, park.subsidy.sum()
        )
    ok["budget"] &= (selections[:, park.forced] >= 1.0 - TOLERANCE).all(axis=1)
    ok["budget"] &= (selections[:, park.excluded] <= TOLERANCE).all(axis=1)

    if park.permit_mode == "hard":
        has_permit = ~np.isnan(park.permit)
        limit = np.nan_to_num(park.permit)
        slack = _slack(limit, park.baseline_emissions)
        within = (emissions <= limit[None] + slack[None]) | ~has_permit[None]
        ok["permits"] = within.all(axis=(1, 2))

    park_total = emissions.sum(axis=1)  # (S, P)
    capped = ~np.isnan(park.park_cap)
    if capped.any():
        cap = park.park_cap[capped]
        slack = _slack(cap, park.baseline_emissions.sum(axis=0)[capped])
        ok["park_caps"] = (park_total[:, capped] <= cap + slack).all(axis=1)

    targeted = ~np.isnan(park.reduction_target)
    if targeted.any():
        baseline = park.baseline_emissions.sum(axis=0)[targeted]
        needed = park.reduction_target[targeted] * baseline
        removed = baseline[None] - park_total[:, targeted]
        ok["reduction_targets"] = (removed >= needed - _slack(needed, baseline)).all(axis=1)

    baseline_tce = float((park.baseline_energy @ park.tce_per_unit).sum())
    if not np.isnan(park.energy_cap_tce):
        slack = _slack(park.energy_cap_tce, baseline_tce)
        ok["energy_cap"] = energy_tce <= park.energy_cap_tce + slack
    if not np.isnan(park.energy_reduction):
        needed_tce = park.energy_reduction * baseline_tce
        slack = _slack(needed_tce, baseline_tce)
        ok["energy_reduction"] = baseline_tce - energy_tce >= needed_tce - slack

    for members in park.exclusive_groups.values():
        ok["exclusive_groups"] &= selections[:, members].sum(axis=1) <= 1.0 + TOLERANCE
    for j, k in park.prerequisites:
        ok["prerequisites"] &= selections[:, j] <= selections[:, k] + TOLERANCE
    for facility in park.facilities:
        used = selections[:, facility.users] @ facility.use if facility.users.size else 0.0
        offered = facility.capacity * selections[:, facility.index]
        ok["facilities"] &= used <= offered + _slack(offered, facility.capacity)
    return ok


def is_feasible(park: ParkData, x: np.ndarray) -> bool | np.ndarray:
    """True where the selection(s) meet every constraint of the park."""
    checks = constraint_checks(park, x)
    feasible = np.logical_and.reduce(list(checks.values()))
    return bool(feasible[0]) if np.ndim(x) == 1 else feasible


def violated_constraints(park: ParkData, x: np.ndarray) -> list[str]:
    """Names of the constraint families a single selection x violates (empty if none)."""
    if np.ndim(x) != 1:
        raise ValueError("violated_constraints takes one selection vector")
    return [name for name, ok in constraint_checks(park, x).items() if not ok[0]]


def _chunks(n: int) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, block of selections) covering all 2^n selections in order."""
    total = 2**n
    bits = np.arange(n, dtype=np.int64)
    for start in range(0, total, CHUNK):
        rows = np.arange(start, min(total, start + CHUNK), dtype=np.int64)
        yield start, ((rows[:, None] >> bits) & 1).astype(float)


def enumerate_optimum(
    park: ParkData,
    objective: str | None = None,
    max_projects: int = DEFAULT_MAX_PROJECTS,
) -> BruteForceAnswer:
    """Exact optimum of a small single-year park with binary projects, by enumeration.

    Every one of the 2^N selections is checked against every constraint and scored with
    `objective_after`; the answer keeps all feasible selections within 1e-9 relative of
    the best value. Raises ValueError for divisible projects, a multi-year horizon, more
    than `max_projects` projects or an unknown objective.
    """
    kind = park.objective if objective is None else objective
    if kind not in OBJECTIVES:
        raise ValueError(f"unknown objective {kind!r}; expected one of {OBJECTIVES}")
    n = park.n_projects
    if np.any(park.divisible):
        names = [p for p, d in zip(park.project_ids, park.divisible, strict=True) if d]
        raise ValueError(f"divisible projects cannot be enumerated exactly: {names}")
    if len(park.years) != 1:
        raise ValueError(f"only single-year parks can be enumerated; years = {park.years}")
    if n > max_projects:
        raise ValueError(f"{n} projects exceed the enumeration limit of {max_projects}")

    total = 2**n
    values = np.full(total, np.inf)
    feasible_mask = np.zeros(total, dtype=bool)
    for start, block in _chunks(n):
        stop = start + block.shape[0]
        feasible_mask[start:stop] = is_feasible(park, block)
        values[start:stop] = np.where(
            feasible_mask[start:stop], objective_after(park, block, kind), np.inf
        )

    n_feasible = int(feasible_mask.sum())
    if n_feasible == 0:
        return BruteForceAnswer(
            objective=kind,
            project_ids=list(park.project_ids),
            best_value=None,
            optimal=np.zeros((0, n), dtype=bool),
            n_selections=total,
            n_feasible=0,
            values=values,
            feasible_mask=feasible_mask,
        )
    best = float(values.min())
    winners = np.flatnonzero(feasible_mask & (values <= best + _tol(best)))
    optimal = ((winners[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(bool)
    return BruteForceAnswer(
        objective=kind,
        project_ids=list(park.project_ids),
        best_value=best,
        optimal=optimal,
        n_selections=total,
        n_feasible=n_feasible,
        values=values,
        feasible_mask=feasible_mask,
    )


# ---------------------------------------------------------------------------------------
# Least relaxation of one hard limit, by enumerating every plan
# ---------------------------------------------------------------------------------------
# A plan gives each project a start year or none, (Y + 1)^N plans (a single year: the 2^N
# selections). A project started in year s is in effect in year t when s + lead time <= t;
# lead times count only over several years (a single year is a steady-state snapshot).
# A plan meets the park's *structure* when: at most one project of each exclusive group is
# done within the horizon; every prerequisite and shared-facility capacity holds on the
# levels in effect in every year; projects done at once (`forced`) are done and screened-
# out ones (`excluded`) are not.
#
# The hard limits are named by keys: ("budget",), ("public_budget",), ("budget_year", t),
# ("permit", years, e, p), ("park_cap", years, p), ("reduction", years, p),
# ("energy_cap", years), ("energy_reduction", years), where `years` is a run of
# consecutive years with one value of the limit (one number to the planner): the plan
# needs the largest of its needs in those years. Except for the years' budgets, the
# relaxation a plan needs of a limit in a year (> 0: the plan breaks it by that much) is
#   budget: net capex - B; public budget: subsidies - public budget;
#   permit: e's emissions after in year t - permit; park cap: park emissions after - cap;
#   reduction target: fraction * park baseline - (park baseline - park emissions after);
#   energy cap: park tce after - cap; energy target: fraction * baseline tce - tce saved.
# The years' budgets are rows: without carry-over, row t is "capex started in t <= B_t"
# and belongs to year t alone; with carry-over, row s is "capex started up to s <= the
# budgets up to s", and raising year u's budget raises every row s >= u. Dropping year
# u's budget therefore frees row u (without carry-over) or every row s >= u (with).
#
# PlanEnumeration(park).least(key, dropped) = the least relaxation of limit `key` over the
# plans that meet the structure and every other limit not in `dropped`; for a year's
# budget, the least raise of B_t after which every row holds (rows s >= t with
# carry-over, row t without, each unless freed by a dropped year). None when no plan
# meets the rest; -inf when the dropped limits free every row of the year's budget.


def all_plans(n: int, years: int) -> np.ndarray:
    """(S, Y, N) 0/1: levels started each year of every plan, S = (Y + 1)^N; plan s gives
    project j the start year (digit j of s in base Y + 1) - 1, -1 meaning none."""
    codes = np.arange((years + 1) ** n, dtype=np.int64)
    digits = (codes[:, None] // (years + 1) ** np.arange(n, dtype=np.int64)) % (years + 1)
    return np.stack([(digits == t + 1).astype(float) for t in range(years)], axis=1)


def _in_effect(park: ParkData, plans: np.ndarray) -> np.ndarray:
    """(S, Y, N) levels in effect each year (started at s, in effect from s + lead)."""
    years = plans.shape[1]
    lead = park.lead_time.astype(int) if years > 1 else np.zeros(park.n_projects, int)
    levels = np.zeros_like(plans)
    for t in range(years):
        for s in range(t + 1):
            levels[:, t, :] += plans[:, s, :] * (s + lead <= t)[None, :]
    return levels


def _structure_ok(park: ParkData, plans: np.ndarray, levels: np.ndarray) -> np.ndarray:
    done = plans.sum(axis=1)
    ok = np.ones(len(plans), dtype=bool)
    for members in park.exclusive_groups.values():
        ok &= done[:, members].sum(axis=1) <= 1.0 + TOLERANCE
    ok &= (done[:, park.forced] >= 1.0 - TOLERANCE).all(axis=1)
    ok &= (done[:, park.excluded] <= TOLERANCE).all(axis=1)
    for t in range(plans.shape[1]):
        level = levels[:, t, :]
        for j, k in park.prerequisites:
            ok &= level[:, j] <= level[:, k] + TOLERANCE
        for facility in park.facilities:
            used = level[:, facility.users] @ facility.use if facility.users.size else 0.0
            offered = facility.capacity * level[:, facility.index]
            ok &= used <= offered + _tol(offered)
    return ok


def _equal_runs(values: np.ndarray) -> list[tuple[int, ...]]:
    """Consecutive year indices with one value (NaN: no limit that year)."""
    runs: list[tuple[int, ...]] = []
    for t, value in enumerate(values):
        if np.isnan(value):
            continue
        if runs and runs[-1][-1] == t - 1 and values[t - 1] == value:
            runs[-1] = (*runs[-1], t)
        else:
            runs.append((t,))
    return runs


def limit_needs(park: ParkData, plans: np.ndarray) -> dict[tuple, np.ndarray]:
    """For every hard limit except the years' budgets, the (S,) relaxation each plan
    needs of it (see the section comment). A permit, cap or target with one value over
    consecutive years is one limit (its key holds the tuple of those years): the plan
    needs the largest of its years' needs."""
    levels = _in_effect(park, plans)
    done = plans.sum(axis=1)
    years = plans.shape[1]
    needs: dict[tuple, np.ndarray] = {}
    net = np.where(park.forced, 0.0, park.capex - park.subsidy)
    if np.isfinite(park.budget_total):
        needs[("budget",)] = done @ net - park.budget_total
    if np.isfinite(park.public_budget) and (park.subsidy > 0).any():
        needs[("public_budget",)] = done @ park.subsidy - park.public_budget
    park_baseline = park.baseline_emissions.sum(axis=0)
    baseline_tce = float((park.baseline_energy @ park.tce_per_unit).sum())
    emissions = [emissions_after(park, levels[:, t, :]) for t in range(years)]  # (S, E, P)
    tce = [
        np.einsum("sec,c->s", energy_after(park, levels[:, t, :]), park.tce_per_unit)
        for t in range(years)
    ]

    def worst(run: tuple[int, ...], need_in) -> np.ndarray:
        return np.max([need_in(t) for t in run], axis=0)

    if park.permit_mode == "hard":
        permits = park.permit_by_year
        for e, p in zip(*np.nonzero(~np.isnan(permits).all(axis=0)), strict=True):
            for run in _equal_runs(permits[:, e, p]):
                needs[("permit", run, int(e), int(p))] = worst(
                    run, lambda t, e=e, p=p: emissions[t][:, e, p] - permits[t, e, p]
                )
    for p in range(len(park.pollutant_ids)):
        caps, shares = park.park_cap_by_year[:, p], park.reduction_by_year[:, p]
        for run in _equal_runs(caps):
            needs[("park_cap", run, p)] = worst(
                run, lambda t, p=p, caps=caps: emissions[t][:, :, p].sum(axis=1) - caps[t]
            )
        for run in _equal_runs(shares):
            needs[("reduction", run, p)] = worst(
                run,
                lambda t, p=p, shares=shares: (
                    shares[t] * park_baseline[p]
                    - (park_baseline[p] - emissions[t][:, :, p].sum(axis=1))
                ),
            )
    caps, shares = park.energy_cap_by_year, park.energy_reduction_by_year
    for run in _equal_runs(caps):
        needs[("energy_cap", run)] = worst(run, lambda t: tce[t] - caps[t])
    for run in _equal_runs(shares):
        needs[("energy_reduction", run)] = worst(
            run, lambda t: shares[t] * baseline_tce - (baseline_tce - tce[t])
        )
    return needs


def _budget_rows(park: ParkData, plans: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """(S, R) spending minus budget of each year-budget row, and the years of the rows."""
    spent = plans @ np.where(park.forced, 0.0, park.capex - park.subsidy)  # (S, Y)
    limits = park.budget_per_year
    years = [t for t in range(plans.shape[1]) if np.isfinite(limits[t])]
    if park.carry_over:
        rows = np.cumsum(spent, axis=1) - np.cumsum(limits)[None, :]
    else:
        rows = spent - np.where(np.isfinite(limits), limits, 0.0)[None, :]
    return rows[:, years], years


class PlanEnumeration:
    """Every plan of a small park with the relaxation each needs of each limit, for
    `least` (see the section comment)."""

    def __init__(self, park: ParkData, max_plans: int = 70_000) -> None:
        if np.any(park.divisible):
            raise ValueError("divisible projects cannot be enumerated exactly")
        n, years = park.n_projects, len(park.years)
        if (years + 1) ** n > max_plans:
            raise ValueError(f"{(years + 1) ** n} plans exceed the limit of {max_plans}")
        self.park = park
        self.plans = all_plans(n, years)
        self.structure = _structure_ok(park, self.plans, _in_effect(park, self.plans))
        self.needs = limit_needs(park, self.plans)
        self.rows, self.row_years = _budget_rows(park, self.plans)

    def keys(self) -> list[tuple]:
        """Every hard limit's key."""
        return list(self.needs) + [("budget_year", t) for t in self.row_years]

    def least(self, key: tuple, dropped: tuple = ()) -> float | None:
        """The least relaxation of limit `key` alone with the limits in `dropped` removed
        and every other limit kept (see the section comment)."""
        park = self.park
        ok = self.structure.copy()
        for other, need in self.needs.items():
            if other != key and other not in dropped:
                ok &= need <= _tol(_limit_size(park, other))
        dropped_years = [k[1] for k in dropped if k[0] == "budget_year"]
        own = key[1] if key[0] == "budget_year" else None

        def freed(s: int) -> bool:
            if park.carry_over:
                return any(u <= s and u != own for u in dropped_years)
            return s in dropped_years

        relaxed_rows = []
        for r, s in enumerate(self.row_years):
            if freed(s):
                continue
            if own is not None and (s >= own if park.carry_over else s == own):
                relaxed_rows.append(r)
            else:
                ok &= self.rows[:, r] <= _tol(park.budget_per_year[s])
        if own is None:
            need = self.needs[key]
        elif relaxed_rows:
            need = self.rows[:, relaxed_rows].max(axis=1)
        else:
            return -np.inf if ok.any() else None
        return float(need[ok].min()) if ok.any() else None


def _limit_size(park: ParkData, key: tuple) -> float:
    """The size of a limit, for the feasibility tolerance."""
    kind = key[0]
    if kind == "budget":
        return park.budget_total
    if kind == "public_budget":
        return park.public_budget
    if kind == "permit":
        return park.permit_by_year[key[1][0], key[2], key[3]]
    if kind == "park_cap":
        return park.park_cap_by_year[key[1][0], key[2]]
    if kind == "energy_cap":
        return park.energy_cap_by_year[key[1][0]]
    if kind == "reduction":
        return park.baseline_emissions[:, key[2]].sum()
    return float((park.baseline_energy @ park.tce_per_unit).sum())
