"""The multi-year plan read from a results Dataset, and its HTML report section.

Built only from the results Dataset (never from Pyomo or ParkData). The helpers pull the
plan apart for the report section here and for the figures of
`model.report.figures.timeline_figures`:

* `plan_table`: one entry per started project (start year, first year in effect, level
  and capex started, the steps by year);
* `plan_settings`: carry-over, horizon objective and discount rate of the run;
* `capex_by_year`, `available_by_year`: capex started each year and, with carry-over,
  the money available that year (this year's budget + every earlier year's budget -
  every earlier year's spending);
* `park_totals_by_year`: park pollution equivalents, tce, CO2 and permit excess by year.

`timeline_section_html(ds)` is the report section without figures: a heading, one row
per planning year (projects started, capex, budget, largest projects) and a note on how
to read the figures. It is "" for a one-year Dataset.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np
import xarray as xr

from model.appraise.evaluate import CHOSEN_THRESHOLD
from model.formatting import table_number

EXCESS_THRESHOLD = 1e-9
"""t/yr above a permit from which an (enterprise, pollutant) pair counts as over it."""


# --------------------------------------------------------------------------- helpers


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
    in_effect = ds["selected"].transpose("year", "project").values[:, started] > CHOSEN_THRESHOLD
    years = plan_years(ds)
    effect_from = np.where(in_effect.any(axis=0), years[in_effect.argmax(axis=0)], -1)
    step_text = np.array(
        [
            ", ".join(f"{y}: {v:.3g}" for y, v in zip(years, column, strict=True) if v > 0)
            for column in np.where(steps > CHOSEN_THRESHOLD, steps, 0.0).T
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


# --------------------------------------------------------------------------- HTML


def _cell(text: str, numeric: bool) -> str:
    return (
        f'<td class="num">{html.escape(text)}</td>' if numeric else f"<td>{html.escape(text)}</td>"
    )


def timeline_section_html(ds: xr.Dataset, largest: int = 5) -> str:
    """HTML fragment (no figures): heading, one row per planning year (projects first
    started that year, how many of them act only after a lead time, capex started, the
    year's budget, the park's pollution equivalents, tce and pairs over permit that year,
    the largest capex started), then a note. "" for a one-year Dataset."""
    if not is_multi_year(ds):
        return ""
    years = plan_years(ds)
    table = plan_table(ds)
    totals = park_totals_by_year(ds)
    budget = ds["budget_by_year"].values.astype(float)
    spent = capex_by_year(ds)
    settings = plan_settings(ds)
    headers = [
        "year",
        "projects started",
        "of which with lead time",
        "capex started CNY",
        "budget of the year CNY",
        "pollution eq/yr",
        "tce/yr",
        "pairs over permit",
        f"largest capex started in the year (up to {largest})",
    ]
    steps = ds["started"].transpose("year", "project").values
    step_capex = steps * ds["capex"].values
    project_ids = ds["project"].values.astype(str)
    body = []
    for t, year in enumerate(years):
        mine = table["start_year"] == year
        delayed = mine & (table["effect_from"] != year)
        now = np.flatnonzero(steps[t] > CHOSEN_THRESHOLD)
        now = now[np.lexsort((project_ids[now], -step_capex[t, now]))]
        names = [
            project_ids[j]
            if steps[t, j] > 1 - 1e-6
            else f"{project_ids[j]} (level {steps[t, j]:.3g})"
            for j in now[:largest]
        ]
        shown = ", ".join(names) + (f" and {len(now) - largest} more" if len(now) > largest else "")
        cells = [
            (str(int(year)), False),
            (str(int(mine.sum())), True),
            (str(int(delayed.sum())), True),
            (table_number(float(spent[t])), True),
            (table_number(float(budget[t])) if np.isfinite(budget[t]) else "no limit", True),
            (table_number(float(totals["pollution_eq"][t])), True),
            (table_number(float(totals["tce"][t])), True),
            (str(int(totals["pairs_over"][t])), True),
            (shown or "none", False),
        ]
        body.append("<tr>" + "".join(_cell(text, num) for text, num in cells) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    horizon = settings["horizon_objective"]
    rate = settings["discount_rate"]
    if horizon == "final":
        counted = f"only the final year, {int(years[-1])}, counts in the objective"
    else:
        shown_rate = f"{100 * rate:g} %" if math.isfinite(rate) else "the scenario's rate"
        counted = (
            "every year's reduction counts in the objective, discounted at "
            f"{shown_rate} a year from {int(years[0])}"
        )
    carry = (
        "unspent money of a year may be spent later (carry-over)"
        if settings["carry_over"]
        else "each year's money can only be spent within that year"
    )
    note = (
        f"<p>Plan over {int(years[0])}-{int(years[-1])}: {len(table['id'])} projects started, "
        f"{table_number(float(spent.sum()))} CNY capex. A project's capex falls in its start "
        "year; it acts from its start year plus its lead time on and stays in effect (a "
        "divisible project may be started in steps over several years; a step shows its "
        "level). "
        f"Per-year budgets: {carry}. Objective: {counted}. Emissions, energy and permits "
        "are checked in every year against that year's limits. In the timeline figure, the "
        "hatched part of a bar is the lead time (started, not yet in effect).</p>"
    )
    return (
        f"<h2>Implementation plan {int(years[0])}-{int(years[-1])}</h2>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>\n"
        f"{note}\n"
    )
