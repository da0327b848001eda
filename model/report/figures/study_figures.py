"""Plotly figures of a study Dataset (never from the Pyomo model) and its HTML page.

* frontier: pollution equivalents after against tce after, one line per budget level;
  hover shows the portfolio's size, cost and its three largest projects by capex
* budget curve: pollution equivalents avoided and tce saved against the budget, with the
  LP shadow price of the budget on a second axis
* MACC: the optimisation-consistent marginal abatement cost curve, one bar per budget
  step: width = pollution equivalents gained, height = capex spent per equivalent
* entry order: at which budget each project first enters the optimal portfolio

Points without a portfolio (`feasible` = 0, model/studies/validity.py) are never drawn as
portfolios: the budget curve shades their budget levels and marks them with a cross, and
every figure and the page repeat the Dataset's `no_portfolio_notes`.
"""

from __future__ import annotations

import html
import json

import numpy as np
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from model.appraise.evaluate import is_chosen


def no_portfolio_notes(ds: xr.Dataset) -> list[str]:
    """The Dataset's sentences about points without a portfolio ([] when none)."""
    return json.loads(ds.attrs.get("no_portfolio_notes", "[]") or "[]")


def _feasible(ds: xr.Dataset) -> np.ndarray:
    if "feasible" in ds:
        return ds["feasible"].values.astype(bool)
    return np.isfinite(ds["pollution_avoided"].values)


def _add_notes(fig: go.Figure, ds: xr.Dataset) -> None:
    """The no-portfolio notes as text above the plot (a line per clause)."""
    lines = [part for note in no_portfolio_notes(ds) for part in note.split("; ")]
    if not lines:
        return
    fig.add_annotation(
        text="<br>".join(html.escape(line, quote=False) for line in lines),
        xref="paper",
        yref="paper",
        x=0,
        y=1.0,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        align="left",
        font={"color": "#b22222", "size": 12},
    )
    fig.update_layout(margin={"t": 100 + 16 * len(lines)})


def _main_projects(ds: xr.Dataset, point: int, n: int = 3) -> str:
    chosen = is_chosen(ds["selected"].isel(point=point).values)
    if not chosen.any():
        return "none"
    capex = ds["project_capex"].values * chosen
    top = np.argsort(-capex)[: min(n, int(chosen.sum()))]
    return ", ".join(str(ds["project"].values[j]) for j in top)


def _hover(ds: xr.Dataset) -> list[str]:
    feasible = _feasible(ds)
    return [
        f"{int(ds['n_selected'].values[i])} projects, capex {ds['capex'].values[i] / 1e4:,.1f} "
        f"(10^4 CNY)<br>main: {html.escape(_main_projects(ds, i))}"
        if feasible[i]
        else f"no portfolio ({html.escape(str(ds['status'].values[i]))})"
        for i in range(ds.sizes["point"])
    ]


def frontier_figure(ds: xr.Dataset) -> go.Figure:
    fig = go.Figure()
    hover = np.array(_hover(ds))
    budgets = ds["frontier_budget"].values
    feasible = _feasible(ds)
    for budget in np.unique(budgets[~np.isnan(budgets)]) if np.isfinite(budgets).any() else [None]:
        mask = feasible.copy() if budget is None else (budgets == budget) & feasible
        if not mask.any():
            continue  # a budget level without a frontier: told in the notes
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
    _add_notes(fig, ds)
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
    _mark_no_portfolio(fig, ds)
    fig.update_layout(title="What each budget level buys", template="plotly_white")
    _add_notes(fig, ds)
    fig.update_xaxes(title_text="budget (10^4 CNY)")
    fig.update_yaxes(title_text="pollution equivalents avoided per year", secondary_y=False)
    fig.update_yaxes(title_text="tce saved per year / shadow price", secondary_y=True)
    return fig


def _mark_no_portfolio(fig: go.Figure, ds: xr.Dataset) -> None:
    """Shade each run of consecutive budget levels without a portfolio and put a cross
    on the axis at each such level."""
    missing = ~_feasible(ds)
    if not missing.any():
        return
    budget = ds["budget"].values / 1e4
    steps = np.diff(budget)
    pad = float(steps.min()) / 4 if len(steps) else 1.0
    start = None
    for i, gap in enumerate([*missing, False]):
        if gap and start is None:
            start = i
        elif not gap and start is not None:
            fig.add_vrect(
                x0=budget[start] - pad,
                x1=budget[i - 1] + pad,
                fillcolor="#b22222",
                opacity=0.12,
                line_width=0,
            )
            start = None
    fig.add_trace(
        go.Scatter(
            x=budget[missing],
            y=np.zeros(int(missing.sum())),
            mode="markers",
            marker={"symbol": "x", "size": 11, "color": "#b22222"},
            name="no portfolio at this budget",
            text=[str(s) for s in ds["status"].values[missing]],
            hovertemplate="budget %{x:,.0f} (10^4 CNY): no portfolio (%{text})<extra></extra>",
        ),
        secondary_y=False,
    )


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
    _add_notes(fig, ds)
    return fig


def study_figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    if ds.attrs.get("study") == "frontier":
        return {"frontier": frontier_figure(ds)}
    return {"budget_curve": budget_curve(ds), "macc": macc_figure(ds), "entry": entry_figure(ds)}
