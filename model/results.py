"""A solved run as one `xarray.Dataset`, and the files and tables made from it.

`build_dataset` turns the park's arrays (`ParkData`), the solver's answer (`SolveResult`)
and the park evaluated under that answer (`ParkState`, from `model.evaluate`) into one
Dataset with every input a planner needs to read or reproduce the result: the project
list and its effects, baselines, permits, factors, and the outcome after the projects.
Everything downstream (summary, CSV, plots, HTML report, studies) reads only this
Dataset. Variables and attributes are documented in docs/results.md.

The figures are those of docs/math.md, computed by `model.evaluate`:

* emissions after (e, p) = max(0, baseline (e, p) - sum over e's projects j of
  reduces (j, p) * level j); energy after by carrier likewise;
* pollution equivalents = tonnes * pe_per_t, where pe_per_t = 1000 / (kg per
  equivalent) from the Environmental Protection Tax Law (0 where none is defined);
* tce = carrier units * tce_per_unit (GB/T 2589), tCO2 = carrier units * co2_per_unit.

Files are written atomically (`model.atomic`): a killed run never leaves a half-written
results.nc or selected_projects.csv.
"""

from __future__ import annotations

import json
import math
import platform
from datetime import datetime, timezone
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.atomic import atomic_write, write_text_atomic
from model.evaluate import ParkState
from model.park import ParkData
from solvers.base import SolveResult

MEDIA = ("air", "water", "solid", "other")
"""Pollutant media, in report order."""

CHOSEN_THRESHOLD = 1e-6
"""A project counts as chosen when its level exceeds this."""

PACKAGES = ("pyomo", "highspy", "numpy", "scipy", "pandas", "xarray", "h5netcdf", "plotly")

_PE_UNITS = "pollution equivalents/yr"


# --------------------------------------------------------------------------- attrs


def netcdf_attr(value: Any) -> str | int | float | list[float] | list[int]:
    """Convert a simple Python value into something NetCDF attributes can hold.

    None -> "" ; bool -> 0/1 ; numbers stay numbers ; a list/tuple of numbers stays a
    list ; dicts and any other list -> a JSON string ; anything else -> str(value).
    """
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else list(value)
        numeric = all(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_))
            for v in items
        )
        if items and numeric:
            if all(isinstance(v, (int, np.integer)) for v in items):
                return [int(v) for v in items]
            return [float(v) for v in items]
        return json.dumps(items, default=str, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return str(value)


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


def make_variable(dims: tuple[str, ...], data: Any, units: str, long_name: str) -> xr.Variable:
    """An xarray Variable with `units` and `long_name` attrs."""
    return xr.Variable(dims, data, attrs={"units": units, "long_name": long_name})


def build_dataset(
    park: ParkData,
    result: SolveResult,
    state: ParkState,
    meta: dict[str, Any] | None = None,
    yearly: list[ParkState] | None = None,
) -> xr.Dataset:
    """Collect inputs, the selection and its consequences into one Dataset.

    `state` must be `model.evaluate.evaluate(park, result.x)`; `yearly` the states of
    each planning year (`model.evaluate.yearly_states`), whose `capex` is the money
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
    started_any = starts > CHOSEN_THRESHOLD
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
            ep, baseline_pe, _PE_UNITS, "pollution equivalents before"
        ),
        "pollution_eq": make_variable(
            yep,
            by_year("pollution_eq"),
            _PE_UNITS,
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
            _str_array([park.enterprise_ids[i] for i in park.owner]),
            "",
            "enterprise id of the project's owner ('park' = shared facility)",
        ),
        "project_name": make_variable(project, _str_array(park.project_names), "", "project name"),
        "category": make_variable(
            project, _str_array(park.project_categories), "", "project category"
        ),
        "enterprise_name": make_variable(
            ent, _str_array(park.enterprise_names), "", "enterprise name"
        ),
        "sector": make_variable(ent, _str_array(park.enterprise_sectors), "", "industry sector"),
        "pollutant_medium": make_variable(
            ("pollutant",),
            _str_array(park.pollutant_media),
            "",
            "medium: air, water, solid or other",
        ),
        "carrier_unit": make_variable(
            ("carrier",), _str_array(park.carrier_units), "", "physical unit of the carrier"
        ),
    }
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs = _attrs(park, result, meta)
    return ds


def _str_array(values: list[str]) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=str) if values else np.zeros(0, dtype="<U1")


def _attrs(park: ParkData, result: SolveResult, meta: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "title": f"ParkCP results: {park.name}",
        "scenario": park.name,
        "input_hash": "",
        "solver": result.solver,
        "solver_version": result.solver_version,
        "status": result.status,
        "termination": result.termination,
        "objective": _number_or_nan(result.objective),
        "bound": _number_or_nan(result.bound),
        "gap": _number_or_nan(result.gap),
        "solver_seconds": float(result.seconds),
        "solver_message": result.message,
        "duals": json.dumps(result.duals, sort_keys=True),
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


# --------------------------------------------------------------------------- files


def _serialisable(ds: xr.Dataset) -> xr.Dataset:
    """Copy of `ds` with object/pandas-string arrays turned into numpy str arrays and
    attributes made NetCDF-safe, so h5netcdf writes them as variable-length strings."""
    coords: dict[str, tuple] = {}
    data_vars: dict[str, tuple] = {}
    for name, variable in ds.variables.items():
        attrs = {k: netcdf_attr(v) for k, v in variable.attrs.items()}
        data = variable.values
        if data.dtype.kind in "OTSU" or str(data.dtype) in ("string", "str"):
            data = np.asarray([str(v) for v in np.ravel(data)], dtype=str).reshape(data.shape)
            if data.size == 0:
                data = data.astype("<U1")
        target = coords if name in ds.coords else data_vars
        target[name] = (variable.dims, data, attrs)
    out = xr.Dataset(data_vars, coords=coords)
    out.attrs = {k: netcdf_attr(v) for k, v in ds.attrs.items()}
    return out


def write_dataset(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write `ds` as NetCDF-4 (engine h5netcdf) to `path`, atomically. Read it back with
    `xarray.open_dataset(path)`."""
    ready = _serialisable(ds)
    return atomic_write(path, lambda temp: ready.to_netcdf(temp, engine="h5netcdf"))


def summary_year(ds: xr.Dataset) -> Any:
    """The year the summary describes: the last planning year (everything in effect)."""
    return ds["year"].values[-1]


def project_metrics(ds: xr.Dataset) -> pd.DataFrame:
    """One row per project (all of them), indexed by project id.

    level = highest adoption level over the years; pe_avoided_per_yr and
    tce_saved_per_yr are the project's *nominal* effect at that level,
    level * sum over pollutants of reduces * pe_per_t (carriers: saves * tce_per_unit).
    Nominal means before saturation: when several projects of one owner together remove
    more than the owner emits, the realised reduction (baseline - after) is smaller
    than the sum of the nominal figures. Cross-media increases count negatively.
    """
    level = ds["selected"].max("year") if ds.sizes["year"] else ds["selected"].sum("year")
    pe_full = (ds["reduces"] * ds["pe_per_t"]).sum("pollutant")
    tce_full = (ds["saves"] * ds["tce_per_unit"]).sum("carrier")
    co2_full = (ds["saves"] * ds["co2_per_unit"]).sum("carrier")
    frame = pd.DataFrame(
        {
            "name": ds["project_name"].values.astype(str),
            "owner": ds["owner"].values.astype(str),
            "category": ds["category"].values.astype(str),
            "level": level.values,
            "capex_CNY": ds["capex"].values,
            "capex_spent_CNY": ds["capex"].values * level.values,
            "pe_avoided_per_yr": pe_full.values * level.values,
            "tce_saved_per_yr": tce_full.values * level.values,
            "co2_avoided_t_per_yr": co2_full.values * level.values,
        },
        index=pd.Index(ds["project"].values.astype(str), name="id"),
    )
    pe = frame["pe_avoided_per_yr"].to_numpy()
    spent = frame["capex_spent_CNY"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["CNY_per_pe"] = np.where(pe > 0, spent / np.where(pe > 0, pe, 1.0), np.nan)
    return frame


def selected_projects_table(ds: xr.Dataset) -> pd.DataFrame:
    """The chosen projects (level > 1e-6), in project order, with columns:

    id, name, owner, category, level, capex_CNY (full-adoption cost), capex_spent_CNY
    (capex * level), pe_avoided_per_yr (nominal pollution equivalents avoided, see
    `project_metrics`), tce_saved_per_yr, co2_avoided_t_per_yr, CNY_per_pe (capex spent
    per pollution equivalent avoided per year; empty when the project avoids none).
    """
    frame = project_metrics(ds)
    return frame[frame["level"] > CHOSEN_THRESHOLD].reset_index()


def write_selected_csv(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write `selected_projects_table(ds)` as UTF-8 CSV, atomically."""
    return write_text_atomic(path, selected_projects_table(ds).to_csv(index=False))


# --------------------------------------------------------------------------- summary


def _medium_total(ds: xr.Dataset, variable: str, medium: str, year: Any = None) -> float:
    data = ds[variable] if year is None else ds[variable].sel(year=year)
    mask = ds["pollutant_medium"] == medium
    return float(data.where(mask, 0.0).sum())


def pe_media(ds: xr.Dataset) -> list[str]:
    """Media to report in pollution equivalents: air and water always, solid/other only
    when the scenario gives one of their pollutants an equivalent value."""
    media = ds["pollutant_medium"].values.astype(str)
    has_pe = ds["pe_per_t"].values > 0
    return [m for m in MEDIA if m in ("air", "water") or (has_pe & (media == m)).any()]


def summary_table(ds: xr.Dataset) -> pd.DataFrame:
    """Park totals before and after (last planning year), one row per quantity:
    columns quantity, unit, baseline, after, change (= after - baseline), change_pct
    (NaN when the baseline is 0). Rows: pollution equivalents per medium (`pe_media`),
    solid waste (t), other tracked pollutants (t, only if any), energy (tce), CO2 (t)."""
    year = summary_year(ds)
    rows = [
        (
            f"{medium.capitalize()} pollution",
            _PE_UNITS,
            _medium_total(ds, "pollution_eq_baseline", medium),
            _medium_total(ds, "pollution_eq", medium, year),
        )
        for medium in pe_media(ds)
    ]
    rows.append(
        (
            "Solid waste",
            "t/yr",
            _medium_total(ds, "emissions_baseline", "solid"),
            _medium_total(ds, "emissions", "solid", year),
        )
    )
    if "other" in set(ds["pollutant_medium"].values.astype(str)):
        rows.append(
            (
                "Other tracked pollutants",
                "t/yr",
                _medium_total(ds, "emissions_baseline", "other"),
                _medium_total(ds, "emissions", "other", year),
            )
        )
    rows += [
        (
            "Energy",
            "tce/yr",
            float(ds["energy_tce_baseline"].sum()),
            float(ds["energy_tce"].sel(year=year).sum()),
        ),
        (
            "CO2 from energy",
            "tCO2/yr",
            float(ds["co2_baseline"].sum()),
            float(ds["co2"].sel(year=year).sum()),
        ),
    ]
    frame = pd.DataFrame(rows, columns=["quantity", "unit", "baseline", "after"])
    frame["change"] = frame["after"] - frame["baseline"]
    base = frame["baseline"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["change_pct"] = np.where(base != 0, 100.0 * frame["change"] / base, np.nan)
    return frame


def pollutant_rows(
    ds: xr.Dataset, first_header: str = "pollutant"
) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted rows of `pollutant_table`, for the text and HTML summaries."""
    headers = [first_header, "medium", "baseline t/yr", "after t/yr", "change %"]
    headers += ["baseline eq/yr", "after eq/yr"]
    rows = [
        [
            r.pollutant,
            r.medium,
            fmt_number(r.baseline_t),
            fmt_number(r.after_t),
            fmt_pct(r.change_pct),
            fmt_number(r.baseline_pe),
            fmt_number(r.after_pe),
        ]
        for r in pollutant_table(ds).itertuples()
    ]
    return headers, rows


def pollutant_table(ds: xr.Dataset) -> pd.DataFrame:
    """Park totals per pollutant (last planning year): pollutant, medium, baseline_t,
    after_t, change_pct, baseline_pe, after_pe (pollution equivalents/yr)."""
    year = summary_year(ds)
    base_t = ds["emissions_baseline"].sum("enterprise").values
    after_t = ds["emissions"].sel(year=year).sum("enterprise").values
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base_t != 0, 100.0 * (after_t - base_t) / base_t, np.nan)
    return pd.DataFrame(
        {
            "pollutant": ds["pollutant"].values.astype(str),
            "medium": ds["pollutant_medium"].values.astype(str),
            "baseline_t": base_t,
            "after_t": after_t,
            "change_pct": pct,
            "baseline_pe": ds["pollution_eq_baseline"].sum("enterprise").values,
            "after_pe": ds["pollution_eq"].sel(year=year).sum("enterprise").values,
        }
    )


def permit_excess_table(ds: xr.Dataset) -> pd.DataFrame:
    """(enterprise, pollutant) pairs above their permit in the last planning year:
    enterprise, pollutant, after_t, permit_t, excess_t."""
    year = summary_year(ds)
    pair = ("enterprise", "pollutant")
    excess = ds["permit_excess"].sel(year=year).transpose(*pair).values
    after = ds["emissions"].sel(year=year).transpose(*pair).values
    permit = ds["permit"].transpose(*pair).values
    enterprises = ds["enterprise"].values.astype(str)
    pollutants = ds["pollutant"].values.astype(str)
    rows = [
        (
            enterprises[e],
            pollutants[p],
            float(after[e, p]),
            float(permit[e, p]),
            float(excess[e, p]),
        )
        for e, p in zip(*np.nonzero(excess > 1e-9), strict=True)
    ]
    return pd.DataFrame(
        rows, columns=["enterprise", "pollutant", "after_t", "permit_t", "excess_t"]
    )


def fmt_number(value: float) -> str:
    """Readable number: thousands separators; no decimals from 100,000 up, 2 decimals from 1
    up, 3 significant digits below 1."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "unlimited" if value > 0 else "-inf"
    if value == 0:
        return "0"
    if abs(value) >= 1e5:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def fmt_pct(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:+.1f}%"


def status_line(ds: xr.Dataset) -> str:
    """'status optimal (optimal), relative gap 0.0100% = 1.5 pollution equivalents/yr'."""
    attrs = ds.attrs
    gap = attrs.get("gap", float("nan"))
    text = f"status {attrs.get('status', '?')} ({attrs.get('termination', '?')})"
    if isinstance(gap, (int, float)) and not math.isnan(gap):
        text += f", relative gap {100.0 * gap:.4g}%"
        gap_abs = attrs.get("gap_abs")
        if isinstance(gap_abs, (int, float)) and not math.isnan(gap_abs):
            text += f" = {fmt_number(gap_abs)} {attrs.get('gap_units', '')}".rstrip()
    else:
        text += ", gap n/a"
    return text


def _render(headers: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Aligned plain-text table; the first `left` columns are left-aligned."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


def top_projects(ds: xr.Dataset, n: int = 10) -> pd.DataFrame:
    """The `n` chosen projects with the most (nominal) pollution equivalents avoided."""
    table = selected_projects_table(ds)
    return table.sort_values(["pe_avoided_per_yr", "id"], ascending=[False, True]).head(n)


def summary_text(ds: xr.Dataset) -> str:
    """The plain-text summary printed after a run (aligned columns, units in headers)."""
    attrs = ds.attrs
    out = [f"Scenario {attrs.get('scenario', '?')}: {status_line(ds)}"]
    if attrs.get("input_hash"):
        out.append(f"input sha256 {attrs['input_hash']}")
    out.append("")
    summary = summary_table(ds)
    out += _render(
        ["Park total", "unit", "baseline", "after", "change", "change %"],
        [
            [
                r.quantity,
                r.unit,
                fmt_number(r.baseline),
                fmt_number(r.after),
                fmt_number(r.change),
                fmt_pct(r.change_pct),
            ]
            for r in summary.itertuples()
        ],
        left=2,
    )
    out.append("")
    out += _render(
        *pollutant_rows(ds, first_header="Pollutant"),
        left=2,
    )
    out.append("")
    spent = float(ds["capex_used"].sum())
    budget = float(attrs.get("budget_total", float("inf")))
    share = f" ({100.0 * spent / budget:.1f}%)" if math.isfinite(budget) and budget > 0 else ""
    out.append(f"Capex used: {fmt_number(spent)} CNY of budget {fmt_number(budget)} CNY{share}")
    table = selected_projects_table(ds)
    out.append(f"Projects chosen: {len(table)} of {ds.sizes['project']}")
    excess = permit_excess_table(ds)
    if len(excess):
        out += ["", f"Permit excess (permits: {attrs.get('permit_mode', '?')})"]
        out += _render(
            ["enterprise", "pollutant", "after t/yr", "permit t/yr", "excess t/yr"],
            [
                [
                    r.enterprise,
                    r.pollutant,
                    fmt_number(r.after_t),
                    fmt_number(r.permit_t),
                    fmt_number(r.excess_t),
                ]
                for r in excess.itertuples()
            ],
            left=2,
        )
    top = top_projects(ds)
    if len(top):
        out += [
            "",
            "Largest chosen projects by pollution equivalents avoided (nominal, before saturation)",
        ]
        out += _render(
            [
                "project",
                "owner",
                "level",
                "capex spent CNY",
                "eq avoided/yr",
                "tce saved/yr",
                "CNY per eq",
            ],
            [
                [
                    r.id,
                    r.owner,
                    f"{r.level:.3g}",
                    fmt_number(r.capex_spent_CNY),
                    fmt_number(r.pe_avoided_per_yr),
                    fmt_number(r.tce_saved_per_yr),
                    fmt_number(r.CNY_per_pe),
                ]
                for r in top.itertuples()
            ],
            left=2,
        )
    return "\n".join(out) + "\n"
