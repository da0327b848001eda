"""The park totals and project tables of a run, read from its results Dataset.

Everything here reads only the Dataset of `model.results.dataset.build_dataset`; park
totals are those of the last planning year (`summary_year`), when every chosen project is
in effect:

* `project_metrics`, `selected_projects_table`: every project, and the chosen ones (the
  rows of selected_projects.csv), with their nominal effects and cost per equivalent;
* `summary_table`: park totals before and after per quantity (pollution equivalents per
  medium, solid waste, other tracked pollutants, energy in tce, CO2 from energy);
* `pollutant_table`: park totals per pollutant;
* `permit_excess_table`: the (enterprise, pollutant) pairs above their permit;
* `top_projects`: the chosen projects that avoid the most pollution equivalents.

The terminal summary and the HTML report format them (model/report/text.py, page.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.appraise.evaluate import is_chosen
from model.results.variables import PE_UNITS


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
    """The chosen projects (`is_chosen`: level > 1e-6), in project order, with columns:

    id, name, owner, category, level, capex_CNY (full-adoption cost), capex_spent_CNY
    (capex * level), pe_avoided_per_yr (nominal pollution equivalents avoided, see
    `project_metrics`), tce_saved_per_yr, co2_avoided_t_per_yr, CNY_per_pe (capex spent
    per pollution equivalent avoided per year; empty when the project avoids none).
    """
    frame = project_metrics(ds)
    return frame[is_chosen(frame["level"])].reset_index()


MEDIA = ("air", "water", "solid", "other")
"""Pollutant media, in report order."""


def summary_year(ds: xr.Dataset) -> Any:
    """The year the summary describes: the last planning year (everything in effect)."""
    return ds["year"].values[-1]


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
            PE_UNITS,
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


def top_projects(ds: xr.Dataset, n: int = 10) -> pd.DataFrame:
    """The `n` chosen projects with the most (nominal) pollution equivalents avoided."""
    table = selected_projects_table(ds)
    return table.sort_values(["pe_avoided_per_yr", "id"], ascending=[False, True]).head(n)
