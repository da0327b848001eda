"""Plotly figures of a study Dataset (never from the Pyomo model) and its HTML page.

* frontier: pollution equivalents after against tce after, one line per budget level;
  hover shows the portfolio's size, cost and its three largest projects by capex
* budget curve: pollution equivalents avoided and tce saved against the budget, with the
  LP shadow price of the budget on a second axis
* MACC: the optimisation-consistent marginal abatement cost curve, one bar per budget
  step: width = pollution equivalents gained, height = capex spent per equivalent
* entry order: at which budget each project first enters the optimal portfolio
"""

from __future__ import annotations

import html
from os import PathLike
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from model.atomic import write_text_atomic
from model.html import figure_blocks, html_page


def _main_projects(ds: xr.Dataset, point: int, n: int = 3) -> str:
    chosen = ds["selected"].isel(point=point).values > 0.5
    if not chosen.any():
        return "none"
    capex = ds["project_capex"].values * chosen
    top = np.argsort(-capex)[: min(n, int(chosen.sum()))]
    return ", ".join(str(ds["project"].values[j]) for j in top)


def _hover(ds: xr.Dataset) -> list[str]:
    return [
        f"{int(ds['n_selected'].values[i])} projects, capex {ds['capex'].values[i] / 1e4:,.1f} "
        f"(10^4 CNY)<br>main: {html.escape(_main_projects(ds, i))}"
        for i in range(ds.sizes["point"])
    ]


def frontier_figure(ds: xr.Dataset) -> go.Figure:
    fig = go.Figure()
    hover = np.array(_hover(ds))
    budgets = ds["frontier_budget"].values
    for budget in np.unique(budgets[~np.isnan(budgets)]) if np.isfinite(budgets).any() else [None]:
        mask = np.ones(ds.sizes["point"], bool) if budget is None else budgets == budget
        order = np.argsort(ds["tce_after"].values[mask])
        name = "frontier" if budget is None else f"budget {budget / 1e4:,.0f} (10^4 CNY)"
        fig.add_trace(
            go.Scatter(
                x=ds["tce_after"].values[mask][order],
                y=ds["pollution_eq_after"].values[mask][order],
                mode="lines+markers",
                name=name,
                text=hover[mask][order],
                hovertemplate="tce after %{x:,.1f}<br>pollution eq after %{y:,.0f}"
                "<br>%{text}<extra></extra>",
            )
        )
    fig.update_layout(
        title="Trade-off frontier: pollution against energy (every point non-dominated)",
        xaxis_title="park energy after (tce/yr)",
        yaxis_title="park pollution after (pollution equivalents/yr)",
        template="plotly_white",
    )
    return fig


def budget_curve(ds: xr.Dataset) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    budget = ds["budget"].values / 1e4
    hover = _hover(ds)
    fig.add_trace(
        go.Scatter(
            x=budget,
            y=ds["pollution_avoided"].values,
            name="pollution eq avoided",
            mode="lines+markers",
            text=hover,
            hovertemplate="%{y:,.0f} eq/yr<br>%{text}<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(x=budget, y=ds["tce_saved"].values, name="tce saved", mode="lines+markers"),
        secondary_y=True,
    )
    if "budget_dual" in ds:
        fig.add_trace(
            go.Scatter(
                x=budget,
                y=ds["budget_dual"].values,
                name="shadow price of budget (objective units per 10^4 CNY, LP)",
                mode="lines",
                line={"dash": "dot"},
            ),
            secondary_y=True,
        )
    fig.update_layout(title="What each budget level buys", template="plotly_white")
    fig.update_xaxes(title_text="budget (10^4 CNY)")
    fig.update_yaxes(title_text="pollution equivalents avoided per year", secondary_y=False)
    fig.update_yaxes(title_text="tce saved per year / shadow price", secondary_y=True)
    return fig


def macc_figure(ds: xr.Dataset) -> go.Figure:
    gained = np.diff(ds["pollution_avoided"].values, prepend=0.0)
    cost = ds["macc_cny_per_pe"].values
    keep = np.isfinite(cost) & (gained > 0)
    widths = gained[keep]
    starts = np.cumsum(widths) - widths
    fig = go.Figure(
        go.Bar(
            x=starts + widths / 2,
            y=cost[keep],
            width=widths,
            text=[f"budget {b / 1e4:,.0f}" for b in ds["budget"].values[keep]],
            hovertemplate="%{y:,.2f} CNY per eq/yr<br>%{text} (10^4 CNY)<extra></extra>",
        )
    )
    fig.update_layout(
        title="Marginal abatement cost along the budget sweep (optimisation-consistent)",
        xaxis_title="cumulative pollution equivalents avoided per year",
        yaxis_title="capex per extra pollution equivalent avoided per year (CNY)",
        template="plotly_white",
    )
    return fig


def entry_figure(ds: xr.Dataset) -> go.Figure:
    entered = ds["entry_level"].values >= 0
    order = np.argsort(ds["entry_budget"].values[entered])
    projects = ds["project"].values[entered][order]
    dropped = ds["dropped_later"].values[entered][order] > 0
    fig = go.Figure(
        go.Bar(
            y=projects,
            x=ds["entry_budget"].values[entered][order] / 1e4,
            orientation="h",
            marker_color=np.where(dropped, "#d62728", "#1f77b4"),
            hovertemplate="%{y}: enters at %{x:,.0f} (10^4 CNY)<extra></extra>",
        )
    )
    fig.update_layout(
        title="Funding priority: budget at which each project enters (red = dropped again later)",
        xaxis_title="budget level (10^4 CNY)",
        template="plotly_white",
        height=max(400, 14 * len(projects)),
    )
    return fig


def study_figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    if ds.attrs.get("study") == "frontier":
        return {"frontier": frontier_figure(ds)}
    return {"budget_curve": budget_curve(ds), "macc": macc_figure(ds), "entry": entry_figure(ds)}


def write_study_report(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Self-contained HTML page of a study (plotly.js embedded once)."""
    kind = ds.attrs.get("study", "study")
    intro = (
        f"<p>Scenario {html.escape(str(ds.attrs.get('scenario', '')))}, "
        f"{ds.sizes['point']} points, input hash {html.escape(str(ds.attrs.get('input_hash', '')))}"
        "</p>"
    )
    page = html_page(f"ParkCP {kind.replace('_', ' ')}", [intro, *figure_blocks(study_figures(ds))])
    return write_text_atomic(path, page)
