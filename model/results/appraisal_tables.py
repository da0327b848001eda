"""The appraisal tables of a run, read back from its results Dataset (never from ParkData
or Pyomo): chosen projects with their economics, options done at once, projects screened
out, public money and additionality, why not selected, permit surplus, audit classes and
priority tiers, CP levels, and the finance notes and rules stored with the run. The
variables behind them are built by model/results/appraisal_dataset.py (docs/results.md);
the report's appraisal sections show these tables.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.appraise.audit import permit_totals
from model.appraise.evaluate import is_chosen
from model.input.schema import PARK_ID
from model.results.summary_tables import summary_year


def has_appraisal(ds: xr.Dataset) -> bool:
    """True when `ds` holds the appraisal variables (a run through `run_scenario`)."""
    return "npv" in ds and "mandatory_audit" in ds


def _level(ds: xr.Dataset) -> np.ndarray:
    return (ds["selected"].max("year") if ds.sizes["year"] else ds["selected"].sum("year")).values


def _project_frame(ds: xr.Dataset, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "project": ds["project"].values.astype(str),
            "name": ds["project_name"].values.astype(str),
            "owner": ds["owner"].values.astype(str),
            "category": ds["category"].values.astype(str),
            "level": _level(ds),
            "capex": ds["capex"].values,
        }
    )
    for column in columns:
        if column in ds:
            values = ds[column].values
            frame[column] = values.astype(str) if values.dtype.kind in "OUS" else values
    return frame


_ECONOMICS = [
    "cost_class",
    "subsidy",
    "budget_capex",
    "energy_cost_saved",
    "env_tax_saved",
    "rights_value",
    "opex_change",
    "annual_saving_total",
    "cash_flow",
    "payback_years",
    "npv",
    "npvr",
    "irr",
    "privately_profitable",
    "forced",
    "excluded",
    "screening_reason",
]


def economics_table(ds: xr.Dataset) -> pd.DataFrame:
    """Chosen projects (`is_chosen`) with their economics, in project order."""
    frame = _project_frame(ds, _ECONOMICS)
    return frame[is_chosen(frame["level"])].reset_index(drop=True)


def forced_table(ds: xr.Dataset) -> pd.DataFrame:
    """Options done at once, outside the budget (no/low-cost, NPV >= 0)."""
    frame = _project_frame(ds, _ECONOMICS)
    return frame[frame["forced"] == 1].reset_index(drop=True)


def screened_table(ds: xr.Dataset) -> pd.DataFrame:
    """Projects screened out by the acceptance rules, with the reason."""
    frame = _project_frame(ds, _ECONOMICS)
    return frame[frame["excluded"] == 1].reset_index(drop=True)


def public_money_table(ds: xr.Dataset) -> pd.DataFrame:
    """Chosen projects that receive a subsidy or need public money (NPV < 0 without
    subsidy), ranked by pollution equivalents per public yuan (largest first, projects
    without a subsidy last), then tce per public yuan; `rank` 1 = the most per yuan."""
    frame = _project_frame(
        ds,
        [
            "subsidy",
            "npv",
            "npv_with_subsidy",
            "subsidy_for_npv_zero",
            "additionality_verdict",
            "needs_public_money",
            "pe_per_public_yuan",
            "tce_per_public_yuan",
        ],
    )
    pe = (ds["reduces"] * ds["pe_per_t"]).sum("pollutant").values
    tce = (ds["saves"] * ds["tce_per_unit"]).sum("carrier").values
    frame["pe_avoided_per_yr"] = pe
    frame["tce_saved_per_yr"] = tce
    keep = is_chosen(frame["level"]) & ((frame["subsidy"] > 0) | (frame["needs_public_money"] == 1))
    frame = frame[keep].sort_values(
        ["pe_per_public_yuan", "tce_per_public_yuan"],
        ascending=False,
        na_position="last",
        kind="stable",
    )
    frame["rank"] = frame["pe_per_public_yuan"].rank(ascending=False, method="min")
    return frame.reset_index(drop=True)


def why_not_table(ds: xr.Dataset) -> pd.DataFrame:
    """Left-out projects that were not screened out, with the exact break-even capex
    where computed, else the LP estimate of the budget they would need. Sorted by the
    money needed (exact subsidy needed, else the LP estimate; 'would not enter even for
    free' last), closest to entering first. A project whose LP estimate is under 1 CNY
    (no answer) has basis 'limit', no money figure, and in `reason` what keeps it out
    (`why_not_reason`: an exclusive alternative, a missing prerequisite, no gain; else an
    LP tie). Empty without the why-not variables."""
    if "subsidy_needed_lp_estimate" not in ds:
        return pd.DataFrame()
    frame = _project_frame(
        ds,
        [
            "budget_capex",
            "excluded",
            "break_even_capex",
            "subsidy_needed",
            "subsidy_needed_lp_estimate",
            "why_not_note",
            "why_not_reason",
        ],
    )
    if "budget_capex" not in frame:
        frame["budget_capex"] = frame["capex"]
    if "excluded" not in frame:
        frame["excluded"] = 0
    frame = frame[~is_chosen(frame["level"]) & (frame["excluded"] != 1)].copy()
    exact = (frame["why_not_note"] != "").to_numpy()
    reason = (
        frame["why_not_reason"].to_numpy(dtype=str)
        if "why_not_reason" in frame
        else np.full(len(frame), "")
    )
    # An LP estimate of (about) nothing is no answer: say what else keeps the project out.
    estimate = frame["subsidy_needed_lp_estimate"].to_numpy(dtype=float)
    no_estimate = ~exact & (np.nan_to_num(estimate, nan=np.inf) < 1.0)
    frame["reason"] = np.where(
        no_estimate & (reason == ""),
        "an LP tie: as good per CNY as the last project in, but whole projects fit the "
        "budget better without it (exact money needed: --why-not N)",
        reason,
    )
    frame["basis"] = np.where(exact, "exact", np.where(no_estimate, "limit", "LP estimate"))
    needed = np.where(exact, frame["subsidy_needed"], frame["subsidy_needed_lp_estimate"])
    needed = np.where(no_estimate, np.nan, needed)
    # exact but NaN: would not enter even at zero capex (inf); no LP estimate: NaN, last
    frame["money_needed"] = np.where(exact & np.isnan(needed), np.inf, needed)
    frame = frame.sort_values("money_needed", kind="stable", na_position="last")
    return frame.reset_index(drop=True)


_PERMIT_COLUMNS = {
    "permit_surplus": "surplus_t_per_yr",
    "permit_excess_after": "excess_t_per_yr",
    "rights_transfer_value": "rights_transfer_value_CNY",
    "rights_lease_value": "rights_lease_value_CNY_per_yr",
    "expansion_headroom": "expansion_headroom_fraction",
}


def permit_surplus_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per (enterprise row, pollutant) with a permit, in the columns of
    `model.appraise.audit.permit_table`, read back from the Dataset (last planning year)."""
    pair = ("enterprise", "pollutant")
    permit = ds["permit"].transpose(*pair).values
    rows, cols = np.nonzero(~np.isnan(permit))
    after = ds["emissions"].sel(year=summary_year(ds)).transpose(*pair).values
    frame = pd.DataFrame(
        {
            "enterprise": ds["enterprise"].values.astype(str)[rows],
            "enterprise_name": ds["enterprise_name"].values.astype(str)[rows],
            "pollutant": ds["pollutant"].values.astype(str)[cols],
            "medium": ds["pollutant_medium"].values.astype(str)[cols],
            "baseline_t_per_yr": ds["emissions_baseline"].transpose(*pair).values[rows, cols],
            "permit_t_per_yr": permit[rows, cols],
            "after_t_per_yr": after[rows, cols],
            "transfer_price_CNY_per_t": ds["right_transfer_price"].values[cols],
            "lease_price_CNY_per_t_yr": ds["right_lease_price"].values[cols],
        }
    )
    for variable, column in _PERMIT_COLUMNS.items():
        frame[column] = ds[variable].transpose(*pair).values[rows, cols]
    return frame


def permit_surplus_totals(ds: xr.Dataset) -> pd.DataFrame:
    """`model.appraise.audit.permit_totals` of `permit_surplus_table(ds)`: one row per pollutant."""
    return permit_totals(permit_surplus_table(ds))


def audit_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per enterprise (the park's own row left out): mandatory audit and its
    criteria, priority tier, basis, intensities and score; sorted like
    `model.appraise.audit.priority_tiers` (intensity basis first, tier, score highest first)."""
    frame = pd.DataFrame(
        {
            "enterprise": ds["enterprise"].values.astype(str),
            "name": ds["enterprise_name"].values.astype(str),
            "sector": ds["sector"].values.astype(str),
            "mandatory_audit": ds["mandatory_audit"].values.astype(int),
            "audit_criteria": ds["audit_criteria"].values.astype(str),
            "priority_tier": ds["priority_tier"].values.astype(int),
            "priority_basis": ds["priority_basis"].values.astype(str),
            "pe_intensity": ds["pe_intensity"].values,
            "energy_intensity": ds["energy_intensity"].values,
            "priority_score": ds["priority_score"].values,
        }
    )
    frame = frame[frame["enterprise"] != PARK_ID]
    frame = frame.assign(_absolute=frame["priority_basis"] != "intensity")
    frame = frame.sort_values(
        ["_absolute", "priority_tier", "priority_score"],
        ascending=[True, True, False],
        kind="stable",
    )
    return frame.drop(columns="_absolute").reset_index(drop=True)


def cp_table(ds: xr.Dataset) -> pd.DataFrame:
    """Enterprises with CP index data: level and scores before and after (empty when no
    enterprise has any, or the Dataset has no CP variables)."""
    if "cp_level_before" not in ds:
        return pd.DataFrame()
    frame = pd.DataFrame({"enterprise": ds["enterprise"].values.astype(str)})
    for name in ds.data_vars:
        if str(name).startswith("cp_") and ds[name].dims == ("enterprise",):
            values = ds[name].values
            frame[str(name)] = values.astype(str) if values.dtype.kind in "OUS" else values
    return frame[frame["cp_level_before"] != ""].reset_index(drop=True)


def finance_notes(ds: xr.Dataset) -> list[str]:
    """The saving notes stored with the run (carriers without a price, untaxed
    pollutants)."""
    text = ds.attrs.get("appraisal_notes", "")
    try:
        notes = json.loads(text) if text else []
    except (TypeError, ValueError):
        return [str(text)]
    return [str(n) for n in notes] if isinstance(notes, list) else [str(notes)]


def finance_screening(ds: xr.Dataset) -> dict[str, Any]:
    """The screening rules stored with the run ({} when absent)."""
    try:
        return dict(json.loads(ds.attrs.get("finance_screening", "") or "{}"))
    except (TypeError, ValueError):
        return {}
