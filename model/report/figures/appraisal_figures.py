"""Plotly figures of a run's appraisal, from a Dataset holding the variables of
`model.results.audit_dataset.audit_dataset` (alone or merged into a run's results) and,
for the why-not figure, those of the why-not analysis (never from ParkData or Pyomo).

* ``rights_value``: per enterprise row with a permit surplus after the projects, the
  one-off transfer value (CNY) of the surplus emission rights beside their annual lease
  value (CNY/yr), largest transfer value first;
* ``intensity_tiers``: pollution-equivalent intensity against energy intensity per
  enterprise (per 10^4 CNY of output value), coloured by audit priority tier, with the
  enterprises under a mandatory audit drawn as diamonds.

* ``why_not`` (`why_not_figure`): left-out projects, their budget charge now against the
  money they would need to enter the optimal portfolio.

The rules behind the audit variables are documented in docs/audit.md, the why-not
analysis in docs/finance.md.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from model.report.figures.style import mark_empty
from model.results.appraisal_tables import why_not_table


def _names(ds: xr.Dataset) -> np.ndarray:
    if "enterprise_name" in ds:
        return ds["enterprise_name"].values.astype(str)
    return ds["enterprise"].values.astype(str)


def rights_value_figure(ds: xr.Dataset) -> go.Figure:
    """Bars per enterprise row with a permit surplus: one-off transfer value (CNY, left
    axis) beside the annual lease value (CNY/yr, right axis); hover splits by pollutant."""
    transfer = ds["rights_transfer_value"].transpose("enterprise", "pollutant").values
    lease = ds["rights_lease_value"].transpose("enterprise", "pollutant").values
    surplus = ds["permit_surplus"].transpose("enterprise", "pollutant").values
    enterprises = ds["enterprise"].values.astype(str)
    pollutants = ds["pollutant"].values.astype(str)
    names = _names(ds)
    total_transfer = np.nansum(transfer, axis=1)
    total_lease = np.nansum(lease, axis=1)
    has = np.flatnonzero(np.nansum(np.nan_to_num(surplus), axis=1) > 0)
    order = has[np.argsort(-total_transfer[has], kind="stable")]
    hover = [
        f"{names[r]}<br>"
        + "<br>".join(
            f"{pollutants[c]}: {surplus[r, c]:,.4g} t/yr, transfer {transfer[r, c]:,.0f} CNY, "
            f"lease {lease[r, c]:,.0f} CNY/yr"
            for c in range(len(pollutants))
            if surplus[r, c] > 0
        )
        for r in order
    ]
    fig = go.Figure()
    fig.add_bar(
        x=enterprises[order],
        y=total_transfer[order],
        name="transfer value (one-off, CNY)",
        offsetgroup="transfer",
        marker_color="#4C78A8",
        hovertext=hover,
        hoverinfo="text+y",
    )
    fig.add_bar(
        x=enterprises[order],
        y=total_lease[order],
        name="lease value (CNY/yr)",
        offsetgroup="lease",
        yaxis="y2",
        marker_color="#F58518",
        hovertext=hover,
        hoverinfo="text+y",
    )
    fig.update_layout(
        title={"text": "Surplus emission rights after the projects: transfer vs annual lease"},
        xaxis_title="enterprise",
        yaxis={"title": {"text": "transfer value, CNY (one-off)"}, "tickformat": ",~r"},
        yaxis2={
            "title": {"text": "lease value, CNY/yr"},
            "overlaying": "y",
            "side": "right",
            "tickformat": ",~r",
            "rangemode": "tozero",
        },
        barmode="group",
        template="plotly_white",
        height=480,
        margin={"l": 80, "r": 80, "t": 70, "b": 90},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0},
    )
    if order.size == 0:
        mark_empty(fig, "no enterprise has a permit surplus after the projects")
        fig.add_annotation(
            text="no permit surplus after the projects",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            font={"size": 16},
        )
    return fig


_TIER_COLOURS = {1: "#E45756", 2: "#F2A93B", 3: "#54A24B"}


def intensity_figure(ds: xr.Dataset) -> go.Figure:
    """Scatter: pollution-equivalent intensity against energy intensity per enterprise
    (per 10^4 CNY of output value), coloured by priority tier; mandatory-audit
    enterprises drawn as diamonds, the others as circles. Enterprises without output
    value have no intensity and are not drawn (noted on the figure)."""
    pe = ds["pe_intensity"].values
    energy = ds["energy_intensity"].values
    tier = ds["priority_tier"].values.astype(int)
    mandatory = ds["mandatory_audit"].values.astype(int) == 1
    enterprises = ds["enterprise"].values.astype(str)
    names = _names(ds)
    criteria = ds["audit_criteria"].values.astype(str)
    drawn = np.isfinite(pe) & np.isfinite(energy)
    fig = go.Figure()
    for level in (1, 2, 3):
        rows = np.flatnonzero(drawn & (tier == level))
        if rows.size == 0:
            continue
        fig.add_scatter(
            x=energy[rows],
            y=pe[rows],
            mode="markers+text",
            text=enterprises[rows],
            textposition="top center",
            name=f"tier {level}",
            marker={
                "color": _TIER_COLOURS[level],
                "size": 12,
                "symbol": ["diamond" if mandatory[r] else "circle" for r in rows],
                "line": {"width": 1, "color": "#333333"},
            },
            hovertext=[
                f"{names[r]} (tier {level})<br>"
                + ("mandatory audit: " + criteria[r] if mandatory[r] else "no mandatory audit")
                for r in rows
            ],
            hoverinfo="text+x+y",
        )
    if mandatory[drawn].any():
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name="diamond = mandatory audit",
            marker={"symbol": "diamond", "size": 12, "color": "#FFFFFF", "line": {"width": 1}},
        )
    fig.update_layout(
        title={"text": "Audit priority: pollution vs energy intensity (per 10^4 CNY output)"},
        xaxis_title="energy intensity, tce per 10^4 CNY",
        yaxis_title="pollution-equivalent intensity, equivalents per 10^4 CNY",
        template="plotly_white",
        height=520,
        margin={"l": 80, "r": 30, "t": 70, "b": 90},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0},
    )
    fig.update_xaxes(tickformat=",~r", rangemode="tozero")
    fig.update_yaxes(tickformat=",~r", rangemode="tozero")
    if not drawn.any():
        mark_empty(fig, "no enterprise has an output value, so no intensity per 10^4 CNY")
    hidden = int((~drawn & (tier > 0)).sum())
    if hidden or not drawn.any():
        text = (
            f"{hidden} enterprise(s) without output value not shown (tiered by absolute load)"
            if hidden
            else "no enterprise has an output value"
        )
        fig.add_annotation(
            text=text, showarrow=False, xref="paper", yref="paper", x=0.0, y=-0.2, xanchor="left"
        )
    return fig


def audit_figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    """The audit figures of a Dataset holding `audit_dataset`'s variables (alone or
    merged into a run's results): ``rights_value`` and ``intensity_tiers``."""
    return {"rights_value": rights_value_figure(ds), "intensity_tiers": intensity_figure(ds)}


def why_not_figure(ds: xr.Dataset, limit: int = 30) -> go.Figure:
    """Left-out projects (the `limit` needing least money): what they cost against the
    capex at which they would enter (exact, by re-solves) or the money the LP estimate
    says they need."""
    table = why_not_table(ds).head(limit)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=table["project"],
            x=table["budget_capex"] / 1e4,
            orientation="h",
            name="budget charge now (10^4 CNY)",
            marker_color="#bbbbbb",
        )
    )
    fig.add_trace(
        go.Bar(
            y=table["project"],
            x=table["money_needed"] / 1e4,
            orientation="h",
            name="money needed to enter (10^4 CNY)",
            marker_color="#d62728",
            text=table["basis"],
            hovertemplate="%{y}: %{x:,.1f} (%{text})<extra></extra>",
        )
    )
    fig.update_layout(
        title="Why not selected: money a left-out project needs to enter the optimal portfolio",
        xaxis_title="10^4 CNY",
        barmode="overlay",
        template="plotly_white",
        height=max(400, 18 * len(table)),
        yaxis={"autorange": "reversed"},
    )
    return fig
