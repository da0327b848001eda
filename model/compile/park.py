"""Compile a validated scenario into plain arrays and index maps (`ParkData`).

Everything downstream (formulation, results, studies, benchmarks) works on `ParkData`,
never on the YAML or the pydantic objects. Rows of the enterprise axis are the
scenario's enterprises in file order followed by the park's own row (`PARK_ID`), on
which park-owned (shared) projects act. Pollutants and carriers are those the scenario
mentions anywhere, in registry order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from model.input.registry import Registry
from model.input.schema import PARK_ID, Scenario, value_in_year


@dataclass(frozen=True)
class Facility:
    """A park-shared facility: project `index` offers `capacity`; `users[i]` needs `use[i]`."""

    index: int
    capacity: float
    users: np.ndarray
    use: np.ndarray


@dataclass
class ParkData:
    """A park as arrays. Shapes: N projects, E enterprises (+ park row), P pollutants,
    C carriers. Missing permits/caps/targets are NaN."""

    name: str
    years: list[int]
    project_ids: list[str]
    project_names: list[str]
    project_categories: list[str]
    enterprise_ids: list[str]
    enterprise_names: list[str]
    enterprise_sectors: list[str]
    pollutant_ids: list[str]
    pollutant_media: list[str]
    carrier_ids: list[str]
    carrier_units: list[str]
    owner: np.ndarray  # (N,) int: row of the owning enterprise
    capex: np.ndarray  # (N,) CNY
    opex_change: np.ndarray  # (N,) CNY/yr
    lifetime: np.ndarray  # (N,) yr
    lead_time: np.ndarray  # (N,) yr
    divisible: np.ndarray  # (N,) bool
    reduces: sp.csr_array  # (N, P) t/yr removed from the owner's row
    saves: sp.csr_array  # (N, C) carrier units/yr saved by the owner
    baseline_emissions: np.ndarray  # (E, P) t/yr
    baseline_energy: np.ndarray  # (E, C) carrier units/yr
    permit: np.ndarray  # (E, P) t/yr, NaN = no permit
    pe_per_t: np.ndarray  # (P,) pollution equivalents per tonne (0 = none defined)
    tax_rate: np.ndarray  # (P,) CNY per equivalent (per t for solid waste), NaN = none
    tce_per_unit: np.ndarray  # (C,) on the scenario's energy basis
    tce_equivalent_per_unit: np.ndarray  # (C,) equivalent-value basis
    co2_per_unit: np.ndarray  # (C,) tCO2 per unit
    carrier_price: np.ndarray  # (C,) CNY per unit, NaN = none
    exclusive_groups: dict[str, np.ndarray]
    prerequisites: list[tuple[int, int]]  # (j, k): j may only be chosen with k
    facilities: list[Facility]
    budget_total: float  # CNY, inf = no budget limit
    park_cap: np.ndarray  # (P,) t/yr in the final year
    reduction_target: np.ndarray  # (P,) fraction of the park baseline to remove, final year
    energy_cap_tce: float  # tce/yr in the final year, NaN = none
    energy_reduction: float  # fraction of baseline tce to save in the final year, NaN = none
    permit_mode: str
    permit_penalty: float
    objective: str
    weight_pollution: float
    weight_energy: float
    energy_basis: str
    discount_rate: float
    # --- by year (Y = len(years)); the single-year arrays above are the final year's
    permit_by_year: np.ndarray | None = None  # (Y, E, P)
    park_cap_by_year: np.ndarray | None = None  # (Y, P)
    reduction_by_year: np.ndarray | None = None  # (Y, P)
    energy_cap_by_year: np.ndarray | None = None  # (Y,)
    energy_reduction_by_year: np.ndarray | None = None  # (Y,)
    budget_per_year: np.ndarray | None = None  # (Y,) CNY, inf = no limit that year
    carry_over: bool = False
    horizon_objective: str = "total"
    # --- economics (issue 4): subsidies, no/low-cost options done at once, screening
    subsidy: np.ndarray | None = None  # (N,) CNY of public money per project
    public_budget: float = float("inf")
    forced: np.ndarray | None = None  # (N,) bool: done at once, outside the budget
    excluded: np.ndarray | None = None  # (N,) bool: failed the acceptance screening
    extras: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n, years = len(self.project_ids), len(self.years)
        if self.permit_by_year is None:
            self.permit_by_year = np.repeat(self.permit[None], years, axis=0)
        if self.park_cap_by_year is None:
            self.park_cap_by_year = np.repeat(self.park_cap[None], years, axis=0)
        if self.reduction_by_year is None:
            self.reduction_by_year = np.repeat(self.reduction_target[None], years, axis=0)
        if self.energy_cap_by_year is None:
            self.energy_cap_by_year = np.full(years, self.energy_cap_tce, dtype=float)
        if self.energy_reduction_by_year is None:
            self.energy_reduction_by_year = np.full(years, self.energy_reduction, dtype=float)
        if self.budget_per_year is None:
            self.budget_per_year = np.full(years, np.inf)
        if self.subsidy is None:
            self.subsidy = np.zeros(n)
        if self.forced is None:
            self.forced = np.zeros(n, dtype=bool)
        if self.excluded is None:
            self.excluded = np.zeros(n, dtype=bool)

    @property
    def multi_year(self) -> bool:
        return len(self.years) > 1

    def discount_factors(self) -> np.ndarray:
        """(Y,) 1 / (1 + r)^(t - start): what a year's reduction is worth today."""
        offsets = np.arange(len(self.years), dtype=float)
        return 1.0 / (1.0 + self.discount_rate) ** offsets

    def budget_capex(self) -> np.ndarray:
        """(N,) what each project takes from the budget: capex net of subsidy; nothing
        for options done at once outside the budget."""
        return np.where(self.forced, 0.0, self.capex - self.subsidy)

    def effective_from(self) -> np.ndarray:
        """(N,) years after its start year at which a project takes effect. A single
        planning year is a steady-state snapshot: lead times do not apply there."""
        return (
            self.lead_time.astype(int) if self.multi_year else np.zeros(len(self.project_ids), int)
        )

    @property
    def n_projects(self) -> int:
        return len(self.project_ids)

    @property
    def park_row(self) -> int:
        return len(self.enterprise_ids) - 1

    def in_effect(self, starts: np.ndarray) -> np.ndarray:
        """(Y, N) level in effect each year from the (Y, N) levels started each year: a
        project started in year s acts from year s + lead time on (math.md 10)."""
        lead = self.effective_from()
        levels = np.zeros_like(np.asarray(starts, dtype=float))
        for t in range(len(self.years)):
            for s in range(t + 1):
                levels[t] += np.where(s + lead <= t, starts[s], 0.0)
        return levels

    def emission_pairs(self) -> np.ndarray:
        """(K, 2) array of (enterprise row, pollutant) pairs that can be non-zero:
        a baseline, a permit, or a project of that enterprise acting on that pollutant."""
        active = (self.baseline_emissions > 0) | ~np.isnan(self.permit_by_year).all(axis=0)
        coo = self.reduces.tocoo()
        active[self.owner[coo.row], coo.col] = True
        return np.argwhere(active)

    def energy_pairs(self) -> np.ndarray:
        """(K, 2) array of (enterprise row, carrier) pairs with a baseline or a project."""
        active = self.baseline_energy > 0
        coo = self.saves.tocoo()
        active[self.owner[coo.row], coo.col] = True
        return np.argwhere(active)

    def baseline_pollution_eq(self) -> float:
        return float((self.baseline_emissions @ self.pe_per_t).sum())

    def baseline_tce(self) -> float:
        return float((self.baseline_energy @ self.tce_per_unit).sum())


def _ordered_names(registry_order: list[str], mentioned: set[str]) -> list[str]:
    return [name for name in registry_order if name in mentioned]


def _dict_matrix(rows: list[dict[str, float]], columns: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(columns)}
    matrix = np.zeros((len(rows), len(columns)))
    for r, values in enumerate(rows):
        for name, value in values.items():
            matrix[r, index[name]] = value
    return matrix


def _sparse_rows(rows: list[dict[str, float]], columns: list[str]) -> sp.csr_array:
    index = {name: i for i, name in enumerate(columns)}
    indptr, indices, data = [0], [], []
    for values in rows:
        for name, value in values.items():
            if value != 0:
                indices.append(index[name])
                data.append(float(value))
        indptr.append(len(indices))
    return sp.csr_array((data, indices, indptr), shape=(len(rows), len(columns)))


def compile_park(scenario: Scenario, registry: Registry) -> ParkData:
    """Turn a validated scenario (references already checked) into `ParkData`."""
    enterprises = list(scenario.enterprises)
    projects = scenario.projects
    rows_baseline = [e.baseline for e in enterprises] + [scenario.park.baseline]
    rows_permit = [e.permit for e in enterprises] + [scenario.park.permit]
    targets = scenario.targets

    pollutant_names: set[str] = set(targets.park_caps) | set(targets.reduction)
    carrier_names: set[str] = set()
    for baseline, permit in zip(rows_baseline, rows_permit, strict=True):
        pollutant_names |= set(baseline.emissions) | set(permit)
        carrier_names |= set(baseline.energy)
    for project in projects:
        pollutant_names |= set(project.reduces)
        carrier_names |= set(project.saves)
    pollutant_ids = _ordered_names(list(registry.pollutants), pollutant_names)
    carrier_ids = _ordered_names(list(registry.carriers), carrier_names)
    pollutants = [registry.pollutants[p] for p in pollutant_ids]
    carriers = [registry.carriers[c] for c in carrier_ids]

    enterprise_ids = [e.id for e in enterprises] + [PARK_ID]
    row_of = {eid: i for i, eid in enumerate(enterprise_ids)}
    project_index = {p.id: j for j, p in enumerate(projects)}

    years = scenario.horizon.years
    permit = np.full((len(years), len(enterprise_ids), len(pollutant_ids)), np.nan)
    pollutant_col = {p: i for i, p in enumerate(pollutant_ids)}
    for r, caps in enumerate(rows_permit):
        for name, value in caps.items():
            for t, year in enumerate(years):
                permit[t, r, pollutant_col[name]] = value_in_year(value, year)

    groups: dict[str, list[int]] = {}
    prerequisites: list[tuple[int, int]] = []
    facility_users: dict[int, tuple[list[int], list[float]]] = {}
    for j, project in enumerate(projects):
        if project.exclusive_group:
            groups.setdefault(project.exclusive_group, []).append(j)
        prerequisites.extend((j, project_index[k]) for k in project.requires)
        for facility_id, use in project.serves.items():
            users, uses = facility_users.setdefault(project_index[facility_id], ([], []))
            users.append(j)
            uses.append(use)
    facilities = [
        Facility(
            index=j,
            capacity=float(projects[j].capacity or 0.0),
            users=np.array(facility_users.get(j, ([], []))[0], dtype=int),
            use=np.array(facility_users.get(j, ([], []))[1], dtype=float),
        )
        for j, project in enumerate(projects)
        if project.capacity is not None
    ]

    tce_equivalent = np.array([c.tce_per_unit for c in carriers])
    if scenario.objective.energy_basis == "equal_value":
        tce_basis = np.array(
            [c.tce_per_unit_equal_value or c.tce_per_unit for c in carriers], dtype=float
        )
    else:
        tce_basis = tce_equivalent.copy()

    def per_pollutant(values: dict) -> np.ndarray:
        """(Y, P) values by year, NaN where none."""
        out = np.full((len(years), len(pollutant_ids)), np.nan)
        for name, value in values.items():
            for t, year in enumerate(years):
                out[t, pollutant_col[name]] = value_in_year(value, year)
        return out

    def per_year(value) -> np.ndarray:
        return np.array(
            [np.nan if value is None else value_in_year(value, year) for year in years], float
        )

    park_caps, reductions = per_pollutant(targets.park_caps), per_pollutant(targets.reduction)
    energy_caps, energy_cuts = per_year(targets.energy_cap_tce), per_year(targets.energy_reduction)
    budget_years = np.array([scenario.budget.per_year.get(y, np.inf) for y in years], float)
    if scenario.budget.carry_over:  # unlisted years bring no new money
        budget_years = np.where(np.isinf(budget_years), 0.0, budget_years)

    budget_total = scenario.budget.total
    return ParkData(
        name=scenario.name,
        years=years,
        project_ids=[p.id for p in projects],
        project_names=[p.name or p.id for p in projects],
        project_categories=[p.category or "" for p in projects],
        enterprise_ids=enterprise_ids,
        enterprise_names=[e.name or e.id for e in enterprises] + ["park-shared facilities"],
        enterprise_sectors=[e.sector for e in enterprises] + ["park"],
        pollutant_ids=pollutant_ids,
        pollutant_media=[p.medium for p in pollutants],
        carrier_ids=carrier_ids,
        carrier_units=[c.unit for c in carriers],
        owner=np.array([row_of[p.owner] for p in projects], dtype=int),
        capex=np.array([p.capex for p in projects], dtype=float),
        opex_change=np.array([p.opex_change for p in projects], dtype=float),
        lifetime=np.array([p.lifetime for p in projects], dtype=float),
        lead_time=np.array([p.lead_time for p in projects], dtype=float),
        divisible=np.array([p.divisible for p in projects], dtype=bool),
        reduces=_sparse_rows([p.reduces for p in projects], pollutant_ids),
        saves=_sparse_rows([p.saves for p in projects], carrier_ids),
        baseline_emissions=_dict_matrix([b.emissions for b in rows_baseline], pollutant_ids),
        baseline_energy=_dict_matrix([b.energy for b in rows_baseline], carrier_ids),
        permit=permit[-1],
        pe_per_t=np.array([1000.0 / p.pe_kg if p.pe_kg else 0.0 for p in pollutants]),
        tax_rate=np.array([np.nan if p.tax_rate is None else p.tax_rate for p in pollutants]),
        tce_per_unit=tce_basis,
        tce_equivalent_per_unit=tce_equivalent,
        co2_per_unit=np.array([c.co2_t_per_unit for c in carriers]),
        carrier_price=np.array([np.nan if c.price is None else c.price for c in carriers]),
        exclusive_groups={g: np.array(js, dtype=int) for g, js in groups.items()},
        prerequisites=prerequisites,
        facilities=facilities,
        budget_total=float("inf") if budget_total is None else float(budget_total),
        park_cap=park_caps[-1],
        reduction_target=reductions[-1],
        energy_cap_tce=float(energy_caps[-1]),
        energy_reduction=float(energy_cuts[-1]),
        permit_mode=targets.permits,
        permit_penalty=targets.permit_penalty,
        objective=scenario.objective.minimize,
        weight_pollution=float(scenario.objective.weights.get("pollution", 0.0)),
        weight_energy=float(scenario.objective.weights.get("energy", 0.0)),
        energy_basis=scenario.objective.energy_basis,
        discount_rate=scenario.discount_rate,
        permit_by_year=permit,
        park_cap_by_year=park_caps,
        reduction_by_year=reductions,
        energy_cap_by_year=energy_caps,
        energy_reduction_by_year=energy_cuts,
        budget_per_year=budget_years
        if scenario.budget.per_year or scenario.budget.carry_over
        else np.full(len(years), np.inf),
        carry_over=scenario.budget.carry_over,
        horizon_objective=scenario.objective.horizon,
    )
