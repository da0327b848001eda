"""Plotly figures of one run, built only from its results Dataset (never from Pyomo).

`figures(ds)` returns the standard set used by the HTML report and notebooks:

* ``reductions_by_enterprise``: pollution equivalents removed per enterprise row
  (baseline - after, summed over the medium's pollutants), stacked by medium (air,
  water; solid/other only if the scenario gives them equivalent values). A cross-media
  increase counts as negative removal.
* ``baseline_vs_after``: park total per pollutant with an equivalent value, before and
  after, in pollution equivalents (tonnes * 1000 / kg per equivalent).
* ``portfolio``: the chosen projects grouped by owner, bar height = nominal pollution
  equivalents avoided per year (level * sum of reduces * pe_per_t), capex in the hover.
* ``energy_by_carrier``: park energy use per carrier before and after, in tce
  (carrier units * GB/T 2589 factor).

Figures use the last planning year (every project in effect), as does the summary.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from model.formatting import money
from model.report.figures.style import mark_empty
from model.results.summary_tables import pe_media, selected_projects_table, summary_year

_COLOURS = {
    "air": "#4C78A8",
    "water": "#1F9E89",
    "solid": "#8C6D31",
    "other": "#B279A2",
    "baseline": "#9E9E9E",
    "after": "#E45756",
}


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        height=480,
        margin={"l": 70, "r": 30, "t": 70, "b": 90},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0},
        separators=".,",
    )
    fig.update_yaxes(tickformat=",~r")
    return fig


def _no_data(fig: go.Figure, message: str) -> go.Figure:
    """Mark `fig` empty (a page notes `message` instead of drawing it); the message is
    also written on the figure for a notebook that shows it anyway."""
    mark_empty(fig, message)
    fig.add_annotation(
        text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16}
    )
    return fig


def reductions_by_enterprise(ds: xr.Dataset) -> go.Figure:
    """Stacked bars: pollution equivalents removed per enterprise row, one trace per
    medium; the hover lists each pollutant's share."""
    year = summary_year(ds)
    removed = (ds["pollution_eq_baseline"] - ds["pollution_eq"].sel(year=year)).transpose(
        "enterprise", "pollutant"
    )
    media = ds["pollutant_medium"].values.astype(str)
    pollutants = ds["pollutant"].values.astype(str)
    enterprises = ds["enterprise"].values.astype(str)
    names = ds["enterprise_name"].values.astype(str)
    fig = go.Figure()
    for medium in pe_media(ds):
        columns = np.flatnonzero((media == medium) & (ds["pe_per_t"].values > 0))
        if columns.size == 0:
            continue
        values = removed.values[:, columns]
        details = [
            "<br>".join(
                f"{pollutants[c]}: {v:,.1f}"
                for c, v in zip(columns, row, strict=True)
                if abs(v) > 1e-9
            )
            or "none"
            for row in values
        ]
        fig.add_trace(
            go.Bar(
                name=medium,
                x=enterprises,
                y=values.sum(axis=1),
                marker_color=_COLOURS[medium],
                customdata=np.stack([names, details], axis=-1),
                hovertemplate=(
                    f"%{{x}} (%{{customdata[0]}})<br>{medium}: %{{y:,.1f}} eq/yr"
                    "<br>%{customdata[1]}<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode="relative", legend_title_text="medium")
    if not fig.data:
        _no_data(fig, "no pollutants with pollution-equivalent values")
    return _layout(
        fig,
        "Pollution equivalents removed per enterprise, by medium (pollution equivalents/yr)",
        "enterprise",
        "removed (pollution equivalents/yr)",
    )


def baseline_vs_after(ds: xr.Dataset) -> go.Figure:
    """Grouped bars per pollutant with an equivalent value: park total before and after,
    in pollution equivalents; the hover adds tonnes."""
    year = summary_year(ds)
    media = ds["pollutant_medium"].values.astype(str)
    keep = np.isin(media, pe_media(ds)) & (ds["pe_per_t"].values > 0)
    pollutants = ds["pollutant"].values.astype(str)[keep]
    labels = [f"{p} ({m})" for p, m in zip(pollutants, media[keep], strict=True)]
    fig = go.Figure()
    series = {
        "baseline": (
            ds["pollution_eq_baseline"].sum("enterprise").values[keep],
            ds["emissions_baseline"].sum("enterprise").values[keep],
        ),
        "after": (
            ds["pollution_eq"].sel(year=year).sum("enterprise").values[keep],
            ds["emissions"].sel(year=year).sum("enterprise").values[keep],
        ),
    }
    if keep.any():
        for label, (equivalents, tonnes) in series.items():
            fig.add_trace(
                go.Bar(
                    name=label,
                    x=labels,
                    y=equivalents,
                    marker_color=_COLOURS[label],
                    customdata=tonnes,
                    hovertemplate=(
                        f"%{{x}} {label}: %{{y:,.1f}} eq/yr"
                        "<br>%{customdata:,.4g} t/yr<extra></extra>"
                    ),
                )
            )
    else:
        _no_data(fig, "no pollutants with pollution-equivalent values")
    fig.update_layout(barmode="group")
    return _layout(
        fig,
        f"Park pollution load before and after, {year} (pollution equivalents/yr)",
        "pollutant (medium)",
        "pollution equivalents/yr",
    )


PORTFOLIO_BARS = 60
"""Most projects drawn in the portfolio figure (the largest by pollution equivalents): a
park of 10,000 projects would otherwise draw thousands of bars (seconds to render)."""


def portfolio(ds: xr.Dataset) -> go.Figure:
    """Bars of the chosen projects with the largest nominal pollution equivalents avoided
    per year (at most `PORTFOLIO_BARS`), one colour per owner; hover shows level, capex
    spent, tce saved and CNY per equivalent."""
    chosen = selected_projects_table(ds)
    largest = chosen.sort_values(["pe_avoided_per_yr", "id"], ascending=[False, True])
    table = largest.head(PORTFOLIO_BARS).sort_values(
        ["owner", "pe_avoided_per_yr", "id"], ascending=[True, False, True]
    )
    fig = go.Figure()
    for owner, group in table.groupby("owner", sort=True):
        custom = np.stack(
            [
                group["name"].to_numpy(dtype=object),
                group["level"].to_numpy(dtype=float),
                group["capex_spent_CNY"].to_numpy(dtype=float),
                group["tce_saved_per_yr"].to_numpy(dtype=float),
                group["CNY_per_pe"].to_numpy(dtype=float),
            ],
            axis=-1,
        )
        fig.add_trace(
            go.Bar(
                name=str(owner),
                x=group["id"].to_numpy(dtype=object),
                y=group["pe_avoided_per_yr"].to_numpy(dtype=float),
                customdata=custom,
                hovertemplate=(
                    "%{x}: %{customdata[0]}<br>owner "
                    + str(owner)
                    + "<br>level %{customdata[1]:.3g}"
                    + "<br>capex %{customdata[2]:,.0f} CNY"
                    + "<br>%{y:,.1f} pollution equivalents/yr avoided (nominal)"
                    + "<br>%{customdata[3]:,.2f} tce/yr saved"
                    + "<br>%{customdata[4]:,.1f} CNY per equivalent<extra></extra>"
                ),
            )
        )
    if table.empty:
        _no_data(fig, "no projects chosen")
    fig.update_layout(legend_title_text="owner", barmode="relative")
    spent = float(chosen["capex_spent_CNY"].sum()) if not chosen.empty else 0.0
    shown = f" (the largest {len(table)} drawn)" if len(table) < len(chosen) else ""
    return _layout(
        fig,
        "Chosen projects by owner (pollution equivalents/yr avoided, "
        f"nominal): {len(chosen)} projects{shown}, {money(spent)} capex",
        "project",
        "avoided (pollution equivalents/yr, nominal)",
    )


def energy_by_carrier(ds: xr.Dataset) -> go.Figure:
    """Grouped bars per carrier: park energy use before and after in tce; the hover adds
    the physical amount in the carrier's own unit."""
    year = summary_year(ds)
    carriers = ds["carrier"].values.astype(str)
    units = ds["carrier_unit"].values.astype(str)
    labels = [f"{c} ({u})" for c, u in zip(carriers, units, strict=True)]
    series = {
        "baseline": (
            ds["energy_tce_baseline"].sum("enterprise").values,
            ds["energy_baseline"].sum("enterprise").values,
        ),
        "after": (
            ds["energy_tce"].sel(year=year).sum("enterprise").values,
            ds["energy"].sel(year=year).sum("enterprise").values,
        ),
    }
    fig = go.Figure()
    if carriers.size:
        for label, (tce, amount) in series.items():
            fig.add_trace(
                go.Bar(
                    name=label,
                    x=labels,
                    y=tce,
                    marker_color=_COLOURS[label],
                    customdata=amount,
                    hovertemplate=(
                        f"%{{x}} {label}: %{{y:,.2f}} tce/yr"
                        "<br>%{customdata:,.4g} units/yr<extra></extra>"
                    ),
                )
            )
    else:
        _no_data(fig, "no energy carriers in this scenario")
    fig.update_layout(barmode="group")
    return _layout(
        fig,
        f"Park energy use by carrier before and after, {year} (tce/yr)",
        "carrier (unit)",
        "energy (tce/yr)",
    )


def figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    """The standard figures of a run, in report order."""
    return {
        "reductions_by_enterprise": reductions_by_enterprise(ds),
        "baseline_vs_after": baseline_vs_after(ds),
        "portfolio": portfolio(ds),
        "energy_by_carrier": energy_by_carrier(ds),
    }
