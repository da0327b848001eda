"""The multi-year plan's section of the run report (HTML, no figures).

`timeline_section_html(ds)` is a heading, one row per planning year (projects started,
capex, budget, largest projects) and a note on how to read the plan's figures; "" for a
one-year Dataset. The plan tables come from model/results/plan_tables.py.
"""

from __future__ import annotations

import html
import math

import numpy as np
import xarray as xr

from model.appraise.evaluate import FULLY_ADOPTED, is_chosen
from model.formatting import table_number
from model.results.plan_tables import (
    capex_by_year,
    is_multi_year,
    park_totals_by_year,
    plan_settings,
    plan_table,
    plan_years,
)


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
        now = np.flatnonzero(is_chosen(steps[t]))
        now = now[np.lexsort((project_ids[now], -step_capex[t, now]))]
        names = [
            project_ids[j]
            if steps[t, j] >= FULLY_ADOPTED
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
