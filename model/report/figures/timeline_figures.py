"""Plotly figures for multi-year plans, built only from the results Dataset (never from
Pyomo or ParkData).

`timeline_figures(ds)` returns nothing for a one-year Dataset; for a horizon of several
years it returns, in report order:

* ``implementation_timeline``: a Gantt-like chart with one bar per started project,
  from its start year to the end of the horizon. The hatched, lighter part is the lead
  time (started and paid for, not yet in effect: `started` > 0 but `selected` = 0); the
  solid part is the time in effect (`selected` > 0). Sorted by start year, then capex.
* ``spending_by_year``: capex started each year (capex * level started, CNY), stacked by
  project category, against the per-year budget (`budget_by_year`) and, with
  carry-over, the money available that year (this year's budget + every earlier year's
  budget - every earlier year's spending).
* ``emissions_vs_caps``: for each pollutant with a park cap, the park's emissions by year
  (sum over enterprise rows of `emissions`, t/yr) against the cap of that year as a
  dashed step, with the baseline as a dotted reference.
* ``pollution_by_year``: park pollution equivalents by year (sum of `pollution_eq`),
  stacked by medium, with the baseline total as a dashed reference.
* ``energy_co2_by_year``: park energy (sum of `energy_tce`, tce/yr) and CO2 from energy
  (sum of `co2`, tCO2/yr) by year, each with its baseline.
* ``compliance_by_year``: per year, the number of (enterprise, pollutant) pairs above
  their permit (`permit_excess` > 1e-9 t/yr) and the total excess in t/yr.

The last three are drawn by model/report/figures/yearly_totals_figures.py. The plan
tables behind them (`plan_table`, `park_totals_by_year`, ...) are in
model/results/plan_tables.py, the matching HTML report section in
model/report/timeline_section.py.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from model.appraise.evaluate import is_chosen
from model.formatting import money
from model.report.figures.year_axis_style import (
    CATEGORY_COLOURS,
    COLOURS,
    no_data,
    year_axis,
    year_layout,
)
from model.report.figures.yearly_totals_figures import (
    compliance_by_year,
    energy_co2_by_year,
    pollution_by_year,
)
from model.results.plan_tables import (
    available_by_year,
    is_multi_year,
    plan_settings,
    plan_table,
    plan_years,
)

# --------------------------------------------------------------------------- (a) plan


def implementation_timeline(ds: xr.Dataset) -> go.Figure:
    """Gantt-like bars: one per started project from its start year to the end of the
    horizon; the lead time (started, not yet in effect) hatched in a lighter colour."""
    years = plan_years(ds)
    end = float(years[-1]) + 0.5
    table = plan_table(ds)
    n = len(table["id"])
    begin = table["start_year"].astype(float) - 0.5
    effect = np.where(table["effect_from"] >= 0, table["effect_from"] - 0.5, end)
    effect_text = np.array(
        [str(y) if y >= 0 else f"after {int(years[-1])}" for y in table["effect_from"]],
        dtype=object,
    )
    custom = (
        np.stack(
            [
                table["name"].astype(object),
                table["owner"].astype(object),
                table["capex"].astype(float),
                table["start_year"].astype(int),
                effect_text,
                table["level"].astype(float),
                table["steps"],
            ],
            axis=-1,
        )
        if n
        else np.zeros((0, 7))
    )
    hover = (
        "%{y}: %{customdata[0]}<br>owner %{customdata[1]}"
        "<br>capex spent %{customdata[2]:,.0f} CNY<br>start year %{customdata[3]}"
        "<br>in effect from %{customdata[4]}<br>level %{customdata[5]:.3g}"
        "<br>started (year: level) %{customdata[6]}"
    )
    fig = go.Figure()
    lead = effect > begin + 1e-9
    if lead.any():
        fig.add_trace(
            go.Bar(
                name="started, not yet in effect (lead time)",
                orientation="h",
                y=table["id"][lead],
                x=(effect - begin)[lead],
                base=begin[lead],
                customdata=custom[lead],
                marker={
                    "color": COLOURS["lead"],
                    "pattern": {"shape": "/", "fgcolor": "#A0522D", "solidity": 0.3},
                },
                hovertemplate=hover + "<br>lead time<extra></extra>",
            )
        )
    acting = end > effect + 1e-9
    if acting.any():
        fig.add_trace(
            go.Bar(
                name="in effect",
                orientation="h",
                y=table["id"][acting],
                x=(end - effect)[acting],
                base=effect[acting],
                customdata=custom[acting],
                marker={"color": COLOURS["effect"]},
                hovertemplate=hover + "<br>in effect<extra></extra>",
            )
        )
    if n == 0:
        no_data(fig, "no project started within the horizon")
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(table["id"]),
        autorange="reversed",
        tickfont={"size": 10},
    )
    year_axis(fig, years)
    spent = float(table["capex"].sum()) if n else 0.0
    return year_layout(
        fig,
        f"Implementation timeline {int(years[0])}-{int(years[-1])}: {n} projects started, "
        f"{money(spent)} capex (bar from the start year; hatched = lead time)",
        "planning year",
        "project (by start year, then capex)",
        height=max(420, 150 + 16 * n),
    )


def spending_by_year(ds: xr.Dataset) -> go.Figure:
    """Stacked bars of capex started each year by project category (CNY), with the
    per-year budget and, with carry-over, the money available in each year."""
    years = plan_years(ds)
    spent = (ds["started"] * ds["capex"]).transpose("year", "project").values
    categories = np.array(
        [c if c else "(no category)" for c in ds["category"].values.astype(str)], dtype=object
    )
    names = sorted(set(categories[spent.sum(axis=0) > 0]))
    totals = {name: spent[:, categories == name].sum(axis=1) for name in names}
    fig = go.Figure()
    for i, name in enumerate(sorted(names, key=lambda c: -totals[c].sum())):
        counts = is_chosen(ds["started"].values[:, categories == name]).sum(axis=1)
        fig.add_trace(
            go.Bar(
                name=name,
                x=years,
                y=totals[name],
                customdata=counts,
                marker_color=CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)],
                hovertemplate=(
                    f"{html.escape(name)} %{{x}}: %{{y:,.0f}} CNY"
                    "<br>%{customdata} projects started<extra></extra>"
                ),
            )
        )
    budget = ds["budget_by_year"].values.astype(float)
    if np.isfinite(budget).any():
        fig.add_trace(
            go.Scatter(
                name="budget of the year",
                x=years,
                y=budget,
                mode="lines+markers",
                line={"color": COLOURS["budget"], "width": 2},
                hovertemplate="budget %{x}: %{y:,.0f} CNY<extra></extra>",
            )
        )
        if plan_settings(ds)["carry_over"]:
            fig.add_trace(
                go.Scatter(
                    name="available with carry-over",
                    x=years,
                    y=available_by_year(ds),
                    mode="lines+markers",
                    line={"color": COLOURS["available"], "dash": "dot"},
                    hovertemplate="available %{x}: %{y:,.0f} CNY<extra></extra>",
                )
            )
    if not names:
        no_data(fig, "no capex spent")
    fig.update_layout(barmode="stack", legend_title_text="category")
    fig.update_yaxes(tickformat=",~r")
    year_axis(fig, years)
    total = float(ds["capex_used"].sum())
    return year_layout(
        fig,
        f"Capex started per year by category against the budget (CNY; {total:,.0f} in all)",
        "planning year",
        "capex (CNY)",
    )


# --------------------------------------------------------------------------- (b) paths


def _capped(ds: xr.Dataset) -> list[str]:
    caps = ds["park_cap_by_year"].transpose("year", "pollutant").values
    return [
        str(p)
        for p, has in zip(ds["pollutant"].values, ~np.isnan(caps).all(axis=0), strict=True)
        if has
    ]


def emissions_vs_caps(ds: xr.Dataset) -> go.Figure:
    """One panel per capped pollutant: park emissions by year (t/yr) against the cap
    (dashed step, each year's cap held across that year) and the baseline (dotted)."""
    years = plan_years(ds)
    capped = _capped(ds)
    if not capped:
        fig = no_data(go.Figure(), "no park caps in this scenario")
        year_axis(fig, years)
        return year_layout(fig, "Park emissions against park caps (t/yr)", "planning year", "t/yr")
    cols = min(3, len(capped))
    rows = math.ceil(len(capped) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[f"{p} (t/yr)" for p in capped],
        horizontal_spacing=0.08,
        vertical_spacing=0.18 if rows > 1 else 0.1,
    )
    step_x = [float(y) - 0.5 for y in years] + [float(years[-1]) + 0.5]
    for i, pollutant in enumerate(capped):
        row, col = i // cols + 1, i % cols + 1
        after = ds["emissions"].sel(pollutant=pollutant).sum("enterprise").values
        cap = ds["park_cap_by_year"].sel(pollutant=pollutant).values.astype(float)
        base = float(ds["emissions_baseline"].sel(pollutant=pollutant).sum())
        first = i == 0
        fig.add_trace(
            go.Scatter(
                name="park emissions",
                legendgroup="after",
                showlegend=first,
                x=years,
                y=after,
                mode="lines+markers",
                line={"color": COLOURS["after"], "width": 2},
                hovertemplate=f"{pollutant} %{{x}}: %{{y:,.4g}} t/yr<extra></extra>",
            ),
            row=row,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                name="park cap",
                legendgroup="cap",
                showlegend=first,
                x=step_x,
                y=[*cap, cap[-1]],
                mode="lines",
                line={"color": COLOURS["cap"], "dash": "dash", "shape": "hv"},
                hovertemplate=f"{pollutant} cap: %{{y:,.4g}} t/yr<extra></extra>",
            ),
            row=row,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                name="baseline",
                legendgroup="baseline",
                showlegend=first,
                x=[step_x[0], step_x[-1]],
                y=[base, base],
                mode="lines",
                line={"color": COLOURS["baseline"], "dash": "dot"},
                hovertemplate=f"{pollutant} baseline: %{{y:,.4g}} t/yr<extra></extra>",
            ),
            row=row,
            col=col,
        )
    year_axis(fig, years)
    fig.update_yaxes(rangemode="tozero", tickformat=",~r")
    return year_layout(
        fig,
        "Park emissions by year against the park caps (t/yr)",
        "",
        "",
        height=max(420, 330 * rows + 60),
    )


def timeline_figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    """The multi-year figures, in report order; {} for a one-year Dataset."""
    if not is_multi_year(ds):
        return {}
    return {
        "implementation_timeline": implementation_timeline(ds),
        "spending_by_year": spending_by_year(ds),
        "emissions_vs_caps": emissions_vs_caps(ds),
        "pollution_by_year": pollution_by_year(ds),
        "energy_co2_by_year": energy_co2_by_year(ds),
        "compliance_by_year": compliance_by_year(ds),
    }
