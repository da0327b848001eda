"""The multi-year plan of a run, read from its results Dataset (never from Pyomo or
ParkData): the plan tables behind the report's plan section (model/report/
timeline_section.py) and its figures (model/report/figures/timeline_figures.py).

* `plan_table`: one entry per started project (start year, first year in effect, level
  and capex started, the steps by year);
* `plan_settings`: carry-over, horizon objective and discount rate of the run;
* `capex_by_year`, `available_by_year`: capex started each year and, with carry-over,
  the money available that year (this year's budget + every earlier year's budget -
  every earlier year's spending);
* `park_totals_by_year`: park pollution equivalents, tce, CO2 and permit excess by year.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from model.appraise.evaluate import is_chosen

EXCESS_THRESHOLD = 1e-9
"""t/yr above a permit from which an (enterprise, pollutant) pair counts as over it."""


def is_multi_year(ds: xr.Dataset) -> bool:
    """True when the Dataset covers more than one planning year."""
    return int(ds.sizes.get("year", 0)) > 1


def plan_years(ds: xr.Dataset) -> np.ndarray:
    """(Y,) the planning years of the Dataset, as integers."""
    return ds["year"].values.astype(int)


def _scenario_input(ds: xr.Dataset) -> dict:
    text = ds.attrs.get("scenario_input", "")
    try:
        return json.loads(text) if isinstance(text, str) and text else {}
    except json.JSONDecodeError:
        return {}


def plan_settings(ds: xr.Dataset) -> dict[str, Any]:
    """carry_over (bool), horizon_objective ('total'/'final') and discount_rate of the run:
    from Dataset attrs of those names when present, else from the stored scenario input."""
    merged = _scenario_input(ds)
    budget = merged.get("budget") if isinstance(merged.get("budget"), dict) else {}
    objective = merged.get("objective") if isinstance(merged.get("objective"), dict) else {}
    carry = ds.attrs.get("carry_over", budget.get("carry_over", False))
    horizon = ds.attrs.get("horizon_objective", objective.get("horizon", "total"))
    rate = ds.attrs.get("discount_rate", merged.get("discount_rate", float("nan")))
    return {
        "carry_over": bool(int(carry)) if isinstance(carry, (int, float, bool)) else False,
        "horizon_objective": str(horizon) if horizon else "total",
        "discount_rate": float(rate),
    }


def plan_table(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Per started project (start_year >= 0), sorted by start year, then capex spent
    (largest first), then id: id, name, owner, category, start year (the first year with
    a level started), first year in effect (-1 = not within the horizon), level started
    (sum over years of `started`), capex spent over the horizon (capex * level started,
    CNY) and the steps as text ("2021: 1"; a divisible project may be started in steps
    over several years, "2021: 0.25, 2022: 0.75")."""
    start_year = ds["start_year"].values.astype(int)
    started = np.flatnonzero(start_year >= 0)
    steps = ds["started"].transpose("year", "project").values[:, started]
    level = steps.sum(axis=0)
    capex = ds["capex"].values[started] * level
    in_effect = is_chosen(ds["selected"].transpose("year", "project").values[:, started])
    years = plan_years(ds)
    effect_from = np.where(in_effect.any(axis=0), years[in_effect.argmax(axis=0)], -1)
    step_text = np.array(
        [
            ", ".join(f"{y}: {v:.3g}" for y, v in zip(years, column, strict=True) if v > 0)
            for column in np.where(is_chosen(steps), steps, 0.0).T
        ],
        dtype=object,
    )
    ids = ds["project"].values.astype(str)[started]
    order = np.lexsort((ids, -capex, start_year[started]))
    return {
        "id": ids[order],
        "name": ds["project_name"].values.astype(str)[started][order],
        "owner": ds["owner"].values.astype(str)[started][order],
        "category": ds["category"].values.astype(str)[started][order],
        "start_year": start_year[started][order],
        "effect_from": effect_from[order],
        "level": level[order],
        "capex": capex[order],
        "steps": step_text[order],
    }


def capex_by_year(ds: xr.Dataset) -> np.ndarray:
    """(Y,) capex started each year, CNY: sum over projects of capex * `started`
    (equals `capex_used`)."""
    return (ds["started"] * ds["capex"]).sum("project").transpose("year").values


def available_by_year(ds: xr.Dataset) -> np.ndarray:
    """(Y,) money available in each year with carry-over: sum of the budgets up to and
    including the year minus the capex spent in earlier years (NaN without limits)."""
    budget = ds["budget_by_year"].values.astype(float)
    spent = ds["capex_used"].values.astype(float)
    spent_before = np.concatenate([[0.0], np.cumsum(spent)[:-1]])
    return np.cumsum(budget) - spent_before


def park_totals_by_year(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """(Y,) park totals by year: pollution equivalents/yr, tce/yr, tCO2/yr, the number of
    (enterprise, pollutant) pairs above their permit and the total excess (t/yr)."""
    excess = ds["permit_excess"].transpose("year", "enterprise", "pollutant").values
    return {
        "pollution_eq": ds["pollution_eq"].sum(["enterprise", "pollutant"]).values,
        "tce": ds["energy_tce"].sum(["enterprise", "carrier"]).values,
        "co2": ds["co2"].sum(["enterprise", "carrier"]).values,
        "pairs_over": (excess > EXCESS_THRESHOLD).sum(axis=(1, 2)),
        "excess_t": excess.sum(axis=(1, 2)),
    }
