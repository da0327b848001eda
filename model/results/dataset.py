"""A solved run as one `xarray.Dataset`, and the files written from it.

`build_dataset` turns the park's arrays (`ParkData`), the solver's answer (`SolveResult`)
and the park evaluated under that answer (`ParkState`, from `model.appraise.evaluate`) into one
Dataset with every input a planner needs to read or reproduce the result: the project
list and its effects, baselines, permits, factors, and the outcome after the projects.
Everything downstream (summary, CSV, plots, HTML report, studies) reads only this
Dataset. Variables and attributes are documented in docs/results.md.

The figures are those of docs/math.md, computed by `model.appraise.evaluate`:

* emissions after (e, p) = max(0, baseline (e, p) - sum over e's projects j of
  reduces (j, p) * level j); energy after by carrier likewise;
* pollution equivalents = tonnes * pe_per_t, where pe_per_t = 1000 / (kg per
  equivalent) from the Environmental Protection Tax Law (0 where none is defined);
* tce = carrier units * tce_per_unit (GB/T 2589), tCO2 = carrier units * co2_per_unit.

`write_dataset` writes the Dataset as results.nc; `write_selected_csv` writes the chosen
projects (`selected_projects_table`, from `project_metrics`) as selected_projects.csv.
Files are written atomically (`model.results.atomic`): a killed run never leaves a half-written
results.nc or selected_projects.csv. The park totals and the plain-text summary made
from the Dataset are in `model.report.text`.
"""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

import numpy as np
import xarray as xr

from model.appraise.evaluate import ParkState, is_chosen
from model.compile.park import ParkData
from model.optimise.solve import SolveResult
from model.results.io import netcdf_attr
from model.results.variables import PE_UNITS, make_variable, text_array

PACKAGES = ("pyomo", "highspy", "numpy", "scipy", "pandas", "xarray", "h5netcdf", "plotly")


# --------------------------------------------------------------------------- attrs


def _number_or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def package_versions() -> dict[str, str]:
    """Versions of the packages a result depends on (attr names `version_<package>`)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


def _timing_attrs(timings: dict[str, Any]) -> dict[str, float]:
    """{'load': 0.1, 'solve_s': 2} -> {'time_load_s': 0.1, 'time_solve_s': 2.0}."""
    out = {}
    for key, seconds in timings.items():
        stem = key[:-2] if key.endswith("_s") else key
        out[f"time_{stem}_s"] = float(seconds)
    return out


# --------------------------------------------------------------------------- dataset


def build_dataset(
    park: ParkData,
    result: SolveResult,
    state: ParkState,
    meta: dict[str, Any] | None = None,
    yearly: list[ParkState] | None = None,
) -> xr.Dataset:
    """Collect inputs, the selection and its consequences into one Dataset.

    `state` must be `model.appraise.evaluate.evaluate(park, result.x)`; `yearly` the states of
    each planning year (`model.appraise.evaluate.yearly_states`), whose `capex` is the money
    spent that year. Without `yearly` every year holds `state` and all investment falls
    in the first planning year.

    `meta` (simple values) goes into the attributes as given and takes precedence over
    computed ones; `meta["merged"]` (the merged scenario input) is stored as the JSON
    attribute `scenario_input`, and `meta["timings"]` ({step: seconds}) is flattened
    into `time_<step>_s` attributes.
    """
    meta = dict(meta or {})
    if result.x is None:
        raise ValueError(f"solve result has no selection (status {result.status})")
    x = np.clip(np.asarray(result.x, dtype=float), 0.0, 1.0)
    if x.shape != (park.n_projects,):
        raise ValueError(f"selection has shape {x.shape}, park has {park.n_projects} projects")
    n_years = len(park.years)
    year, project, ent = ("year",), ("project",), ("enterprise",)
    ep, ec = ("enterprise", "pollutant"), ("enterprise", "carrier")
    yep, yec = ("year", *ep), ("year", *ec)

    baseline_pe = park.baseline_emissions * park.pe_per_t
    if yearly is None:
        yearly = [state] * n_years
        capex_used = np.zeros(n_years)
        capex_used[0] = state.capex
    else:
        capex_used = np.array([s.capex for s in yearly])

    def by_year(name: str) -> np.ndarray:
        return np.stack([getattr(s, name) for s in yearly])

    reduces = park.reduces.toarray() if park.n_projects else np.zeros((0, len(park.pollutant_ids)))
    saves = park.saves.toarray() if park.n_projects else np.zeros((0, len(park.carrier_ids)))

    if result.starts is not None:
        starts = np.asarray(result.starts, dtype=float)
    else:  # no start years known: everything starts in the first planning year
        starts = np.zeros((n_years, park.n_projects))
        starts[0] = x
    started_any = is_chosen(starts)
    start_year = np.where(
        started_any.any(axis=0), np.asarray(park.years)[started_any.argmax(axis=0)], -1
    )
    data_vars = {
        "started": make_variable(
            ("year", "project"),
            np.asarray(starts, dtype=float),
            "1",
            "level of the project started (invested in) in the year",
        ),
        "start_year": make_variable(
            project, start_year.astype(int), "year", "year the project starts (-1 = not chosen)"
        ),
        "permit_by_year": make_variable(
            ("year", *ep), park.permit_by_year, "t/yr", "emission-permit cap in each year"
        ),
        "park_cap_by_year": make_variable(
            ("year", "pollutant"), park.park_cap_by_year, "t/yr", "park cap in each year"
        ),
        "budget_by_year": make_variable(
            year,
            np.where(np.isfinite(park.budget_per_year), park.budget_per_year, np.nan),
            "CNY",
            "money for capex started in the year (NaN = no per-year limit)",
        ),
        "selected": make_variable(
            ("year", "project"),
            by_year("x"),
            "1",
            "level of the project in effect in the year (1 = fully adopted, 0 = not)",
        ),
        "capex": make_variable(project, park.capex, "CNY", "investment cost at full adoption"),
        "opex_change": make_variable(
            project,
            park.opex_change,
            "CNY/yr",
            "change in operating cost excluding energy (negative = saving)",
        ),
        "lifetime": make_variable(project, park.lifetime, "yr", "economic lifetime"),
        "lead_time": make_variable(project, park.lead_time, "yr", "years from decision to effect"),
        "divisible": make_variable(
            project, park.divisible.astype(bool), "1", "project may be adopted partially"
        ),
        "reduces": make_variable(
            ("project", "pollutant"),
            reduces,
            "t/yr",
            "emission removed from the owner's row at full adoption (negative = increase)",
        ),
        "saves": make_variable(
            ("project", "carrier"),
            saves,
            "carrier units/yr (see carrier_unit)",
            "energy saved by the owner at full adoption (negative = more use)",
        ),
        "emissions_baseline": make_variable(
            ep, park.baseline_emissions, "t/yr", "emissions before"
        ),
        "emissions": make_variable(
            yep, by_year("emissions"), "t/yr", "emissions after the chosen projects"
        ),
        "permit": make_variable(ep, park.permit, "t/yr", "emission-permit cap (NaN = no permit)"),
        "permit_excess": make_variable(
            yep,
            by_year("permit_excess"),
            "t/yr",
            "emissions after above the permit (0 where within or no permit)",
        ),
        "pollution_eq_baseline": make_variable(
            ep, baseline_pe, PE_UNITS, "pollution equivalents before"
        ),
        "pollution_eq": make_variable(
            yep,
            by_year("pollution_eq"),
            PE_UNITS,
            "pollution equivalents after the chosen projects",
        ),
        "energy_baseline": make_variable(
            ec, park.baseline_energy, "carrier units/yr (see carrier_unit)", "energy use before"
        ),
        "energy": make_variable(
            yec,
            by_year("energy"),
            "carrier units/yr (see carrier_unit)",
            "energy use after",
        ),
        "energy_tce_baseline": make_variable(
            ec,
            park.baseline_energy * park.tce_per_unit,
            "tce/yr",
            "energy use before, tonnes of standard coal equivalent",
        ),
        "energy_tce": make_variable(
            yec,
            by_year("energy_tce"),
            "tce/yr",
            "energy use after, tonnes of standard coal equivalent",
        ),
        "co2_baseline": make_variable(
            ec, park.baseline_energy * park.co2_per_unit, "tCO2/yr", "CO2 from energy use before"
        ),
        "co2": make_variable(yec, by_year("co2"), "tCO2/yr", "CO2 from energy use after"),
        "park_cap": make_variable(
            ("pollutant",), park.park_cap, "t/yr", "park-wide cap on emissions after (NaN = none)"
        ),
        "reduction_target": make_variable(
            ("pollutant",),
            park.reduction_target,
            "1",
            "minimum fraction of the park baseline to remove (NaN = none)",
        ),
        "pe_per_t": make_variable(
            ("pollutant",),
            park.pe_per_t,
            "pollution equivalents/t",
            "1000 / (kg per pollution equivalent); 0 = none defined",
        ),
        "tax_rate": make_variable(
            ("pollutant",),
            park.tax_rate,
            "CNY per pollution equivalent (CNY/t for solid waste)",
            "environmental protection tax rate (NaN = none)",
        ),
        "tce_per_unit": make_variable(
            ("carrier",),
            park.tce_per_unit,
            "tce per carrier unit",
            f"standard-coal factor on the {park.energy_basis} basis",
        ),
        "tce_equivalent_per_unit": make_variable(
            ("carrier",),
            park.tce_equivalent_per_unit,
            "tce per carrier unit",
            "GB/T 2589 equivalent-value standard-coal factor",
        ),
        "co2_per_unit": make_variable(
            ("carrier",), park.co2_per_unit, "tCO2 per carrier unit", "CO2 emission factor"
        ),
        "carrier_price": make_variable(
            ("carrier",), park.carrier_price, "CNY per carrier unit", "energy price (NaN = none)"
        ),
        "capex_used": make_variable(year, capex_used, "CNY", "investment spent in the year"),
        "budget_spent": make_variable(
            year,
            starts @ park.budget_capex(),
            "CNY",
            "what the year's starts take from the budget: capex net of subsidy, options done "
            "at once excluded (compare with budget_by_year)",
        ),
    }
    coords = {
        "year": ("year", np.asarray(park.years, dtype=int)),
        "project": ("project", np.asarray(park.project_ids, dtype=str)),
        "enterprise": ("enterprise", np.asarray(park.enterprise_ids, dtype=str)),
        "pollutant": ("pollutant", np.asarray(park.pollutant_ids, dtype=str)),
        "carrier": ("carrier", np.asarray(park.carrier_ids, dtype=str)),
        "owner": make_variable(
            project,
            text_array([park.enterprise_ids[i] for i in park.owner]),
            "",
            "enterprise id of the project's owner ('park' = shared facility)",
        ),
        "project_name": make_variable(project, text_array(park.project_names), "", "project name"),
        "category": make_variable(
            project, text_array(park.project_categories), "", "project category"
        ),
        "enterprise_name": make_variable(
            ent, text_array(park.enterprise_names), "", "enterprise name"
        ),
        "sector": make_variable(ent, text_array(park.enterprise_sectors), "", "industry sector"),
        "pollutant_medium": make_variable(
            ("pollutant",),
            text_array(park.pollutant_media),
            "",
            "medium: air, water, solid or other",
        ),
        "carrier_unit": make_variable(
            ("carrier",), text_array(park.carrier_units), "", "physical unit of the carrier"
        ),
    }
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs = _attrs(park, result, meta)
    return ds


def _attrs(park: ParkData, result: SolveResult, meta: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "title": f"ParkCP results: {park.name}",
        "scenario": park.name,
        "input_hash": "",
        "solver": result.solver,
        "solver_version": result.solver_version,
        "status": str(result.status),
        "termination": result.termination,
        "objective": _number_or_nan(result.objective),
        "bound": _number_or_nan(result.bound),
        "gap": _number_or_nan(result.gap),
        "solver_seconds": float(result.seconds),
        "solver_message": result.message,
        "objective_kind": park.objective,
        "weight_pollution": park.weight_pollution,
        "weight_energy": park.weight_energy,
        "weights": json.dumps({"pollution": park.weight_pollution, "energy": park.weight_energy}),
        "energy_basis": park.energy_basis,
        "budget_total": float(park.budget_total),
        "energy_cap_tce": float(park.energy_cap_tce),
        "energy_reduction": float(park.energy_reduction),
        "permit_mode": park.permit_mode,
        "carry_over": int(park.carry_over),
        "horizon_objective": park.horizon_objective,
        "discount_rate_years": float(park.discount_rate),
        "permit_penalty": float(park.permit_penalty),
        "discount_rate": float(park.discount_rate),
    }
    attrs.update({f"version_{k}": v for k, v in package_versions().items()})
    for key, value in meta.items():
        if key == "merged":
            attrs["scenario_input"] = json.dumps(
                value, default=str, ensure_ascii=False, sort_keys=True
            )
        elif key == "timings":
            attrs.update(_timing_attrs(value or {}))
        else:
            attrs[key] = value
    attrs.setdefault("scenario_input", "")
    attrs["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {key: netcdf_attr(value) for key, value in attrs.items()}
