"""Park totals by year of a multi-year plan, built only from the results Dataset:

* ``pollution_by_year``: park pollution equivalents by year (sum of `pollution_eq`),
  stacked by medium, with the baseline total as a dashed reference.
* ``energy_co2_by_year``: park energy (sum of `energy_tce`, tce/yr) and CO2 from energy
  (sum of `co2`, tCO2/yr) by year, each with its baseline.
* ``compliance_by_year``: per year, the number of (enterprise, pollutant) pairs above
  their permit (`permit_excess` > 1e-9 t/yr) and the total excess in t/yr.

`model.report.figures.timeline_figures.timeline_figures` puts them after the plan figures.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from model.report.figures.year_axis_style import COLOURS, year_axis, year_layout
from model.results.plan_tables import park_totals_by_year, plan_years
from model.results.summary_tables import pe_media


def pollution_by_year(ds: xr.Dataset) -> go.Figure:
    """Park pollution equivalents by year, stacked by medium, and the baseline total."""
    years = plan_years(ds)
    media = ds["pollutant_medium"].values.astype(str)
    has_pe = ds["pe_per_t"].values > 0
    by_pollutant = ds["pollution_eq"].sum("enterprise").transpose("year", "pollutant").values
    fig = go.Figure()
    for medium in pe_media(ds):
        columns = (media == medium) & has_pe
        if not columns.any():
            continue
        fig.add_trace(
            go.Bar(
                name=medium,
                x=years,
                y=by_pollutant[:, columns].sum(axis=1),
                marker_color=COLOURS[medium],
                hovertemplate=f"{medium} %{{x}}: %{{y:,.0f}} eq/yr<extra></extra>",
            )
        )
    base = float(ds["pollution_eq_baseline"].sum())
    fig.add_trace(
        go.Scatter(
            name="baseline (all media)",
            x=[float(years[0]) - 0.5, float(years[-1]) + 0.5],
            y=[base, base],
            mode="lines",
            line={"color": COLOURS["baseline"], "dash": "dash"},
            hovertemplate="baseline: %{y:,.0f} eq/yr<extra></extra>",
        )
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(rangemode="tozero", tickformat=",~r")
    year_axis(fig, years)
    return year_layout(
        fig,
        "Park pollution load by year and medium (pollution equivalents/yr)",
        "planning year",
        "pollution equivalents/yr",
    )


def energy_co2_by_year(ds: xr.Dataset) -> go.Figure:
    """Two panels: park energy use (tce/yr) and CO2 from energy (tCO2/yr) by year, each
    against its baseline (dashed)."""
    years = plan_years(ds)
    totals = park_totals_by_year(ds)
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=["Energy (tce/yr)", "CO2 from energy (tCO2/yr)"]
    )
    series = [
        ("tce", "energy", totals["tce"], float(ds["energy_tce_baseline"].sum()), "tce/yr"),
        ("co2", "CO2", totals["co2"], float(ds["co2_baseline"].sum()), "tCO2/yr"),
    ]
    for col, (key, label, values, base, unit) in enumerate(series, start=1):
        fig.add_trace(
            go.Scatter(
                name=f"park {label}",
                x=years,
                y=values,
                mode="lines+markers",
                line={"color": COLOURS[key], "width": 2},
                customdata=100.0 * (values - base) / base if base else np.zeros(len(values)),
                hovertemplate=(
                    f"{label} %{{x}}: %{{y:,.0f}} {unit}"
                    "<br>%{customdata:+.1f}% against the baseline<extra></extra>"
                ),
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                name="baseline",
                legendgroup="baseline",
                showlegend=col == 1,
                x=[float(years[0]) - 0.5, float(years[-1]) + 0.5],
                y=[base, base],
                mode="lines",
                line={"color": COLOURS["baseline"], "dash": "dash"},
                hovertemplate=f"{label} baseline: %{{y:,.0f}} {unit}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    year_axis(fig, years)
    fig.update_yaxes(tickformat=",~r")
    return year_layout(fig, "Park energy (tce/yr) and CO2 from energy (tCO2/yr) by year", "", "")


def compliance_by_year(ds: xr.Dataset) -> go.Figure:
    """Bars: (enterprise, pollutant) pairs above their permit each year; line: the sum of
    the excesses over all pairs (t/yr, right axis)."""
    years = plan_years(ds)
    totals = park_totals_by_year(ds)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            name="pairs over their permit",
            x=years,
            y=totals["pairs_over"],
            marker_color=COLOURS["count"],
            hovertemplate="%{x}: %{y} enterprise-pollutant pairs over their permit<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            name="total excess (t/yr)",
            x=years,
            y=totals["excess_t"],
            mode="lines+markers",
            line={"color": COLOURS["excess"]},
            hovertemplate="%{x}: %{y:,.4g} t/yr above permits in all<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="pairs over permit (count)", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="excess (t/yr)", rangemode="tozero", secondary_y=True)
    year_axis(fig, years)
    mode = ds.attrs.get("permit_mode", "?")
    return year_layout(
        fig,
        f"Permit compliance by year (permits: {mode}): pairs over permit (count) and "
        "total excess (t/yr)",
        "planning year",
        "",
    )
