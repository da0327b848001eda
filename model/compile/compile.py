"""Compile a validated scenario into plain arrays and index maps (`ParkData`).

Everything downstream (formulation, results, studies, benchmarks) works on `ParkData`
(model/compile/park.py), never on the YAML or the pydantic objects. Rows of the
enterprise axis are the scenario's enterprises in file order followed by the park's own
row (`PARK_ID`), on which park-owned (shared) projects act. Pollutants and carriers are
those the scenario mentions anywhere, in registry order. Limits that may change by year
(permits, park caps, reduction targets, energy limits) are compiled for every planning
year; a year without a value of its own takes the latest earlier one (`value_in_year`).

The project economics (subsidies, options done at once, screening and the appraisal
figures) are not compiled here: the appraise stage computes them once, right after
compiling (model/appraise/economics.py), and stores them in the `ParkData`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.compile.park import Facility, ParkData
from model.input.registry import Registry
from model.input.schema import PARK_ID, Scenario, value_in_year


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
