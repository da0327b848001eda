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
from model.formatting import money
from model.report.figures.style import mark_empty


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


def point_label(index: int) -> str:
    """The name a study point goes by on the page: 'P1', 'P2', ... (point 0 is 'P1')."""
    return f"P{index + 1}"


def _hover(ds: xr.Dataset) -> list[str]:
    feasible = _feasible(ds)
    return [
        f"<b>{point_label(i)}</b>: {int(ds['n_selected'].values[i])} projects, capex "
        f"{money(float(ds['capex'].values[i]))}<br>largest: {html.escape(_main_projects(ds, i))}"
        if feasible[i]
        else f"{point_label(i)}: no portfolio ({html.escape(str(ds['status'].values[i]))})"
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
                hovertemplate="%{text}<br>energy after %{x:,.0f} tce/yr"
                "<br>pollution after %{y:,.0f} eq/yr<extra></extra>",
            )
        )
    fig.update_layout(
        title="Trade-off frontier: pollution against energy (every point non-dominated;"
        " the table below names each point's portfolio)",
        xaxis_title="park energy after (tce/yr)",
        yaxis_title="park pollution after (eq/yr)",
    )
    _add_notes(fig, ds)
    return fig


def budget_curve(ds: xr.Dataset) -> go.Figure:
    """Top: pollution equivalents avoided (left axis) and tce saved (right axis) against
    the budget. Bottom, when the sweep has it: the LP shadow price of the budget, on its
    own axis (its units are the objective's, not tce)."""
    has_dual = "budget_dual" in ds and np.isfinite(ds["budget_dual"].values).any()
    rows = 2 if has_dual else 1
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.7, 0.3] if has_dual else [1.0],
        vertical_spacing=0.08,
        specs=[[{"secondary_y": True}]] + ([[{"secondary_y": False}]] if has_dual else []),
    )
    budget = ds["budget"].values / 1e4
    hover = _hover(ds)
    fig.add_trace(
        go.Scatter(
            x=budget,
            y=ds["pollution_avoided"].values,
            name="pollution equivalents avoided (eq/yr, left axis)",
            mode="lines+markers",
            text=hover,
            hovertemplate="budget %{x:,.0f} (10^4 CNY)<br>%{y:,.0f} eq/yr avoided"
            "<br>%{text}<extra></extra>",
        ),
        row=1,
        col=1,
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=budget,
            y=ds["tce_saved"].values,
            name="energy saved (tce/yr, right axis)",
            mode="lines+markers",
            hovertemplate="budget %{x:,.0f} (10^4 CNY)<br>%{y:,.0f} tce/yr saved<extra></extra>",
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    if has_dual:
        fig.add_trace(
            go.Scatter(
                x=budget,
                y=ds["budget_dual"].values,
                name="shadow price of the budget (LP)",
                mode="lines+markers",
                line={"dash": "dot"},
                hovertemplate="budget %{x:,.0f} (10^4 CNY)<br>%{y:,.4g} objective units "
                "per 10^4 CNY<extra></extra>",
            ),
            row=2,
            col=1,
        )
        fig.update_yaxes(title_text="objective per 10^4 CNY", rangemode="tozero", row=2, col=1)
    _mark_no_portfolio(fig, ds)
    fig.update_layout(title="What each budget level buys", height=620 if has_dual else 480)
    _add_notes(fig, ds)
    fig.update_xaxes(title_text="budget (10^4 CNY)", row=rows, col=1)
    fig.update_yaxes(
        title_text="pollution equivalents avoided (eq/yr)", row=1, col=1, secondary_y=False
    )
    fig.update_yaxes(
        title_text="energy saved (tce/yr)",
        tickmode="auto",  # round ticks of its own, not aligned to the left axis
        showgrid=False,
        row=1,
        col=1,
        secondary_y=True,
    )
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
        row=1,
        col=1,
        secondary_y=False,
    )


def macc_figure(ds: xr.Dataset) -> go.Figure:
    """The marginal abatement cost curve of the sweep: one bar per budget step that buys
    more pollution reduction, its width the extra pollution equivalents avoided per year,
    its height the extra capex per extra equivalent (CNY per eq/yr), bars sorted from the
    cheapest step up and laid side by side along the cumulative reduction. The label of
    each bar (its budget level) is written inside it only where it fits; the hover always
    has it."""
    gained = np.diff(ds["pollution_avoided"].values, prepend=0.0)
    cost = ds["macc_cny_per_pe"].values
    keep = np.flatnonzero(np.isfinite(cost) & (gained > 0))
    keep = keep[np.argsort(cost[keep], kind="stable")]
    widths = gained[keep]
    starts = np.cumsum(widths) - widths
    budgets = ds["budget"].values[keep]
    fig = go.Figure(
        go.Bar(
            x=starts + widths / 2,
            y=cost[keep],
            width=widths,
            text=[f"{b / 1e4:,.0f}" for b in budgets],
            textposition="inside",
            insidetextanchor="middle",
            customdata=np.column_stack([widths, budgets / 1e4]) if keep.size else None,
            hovertemplate="step to budget %{customdata[1]:,.0f} (10^4 CNY)<br>"
            "%{y:,.1f} CNY per eq/yr avoided<br>%{customdata[0]:,.0f} eq/yr more avoided"
            "<extra></extra>",
            marker_line={"width": 1, "color": "#ffffff"},
            name="budget step",
        )
    )
    fig.update_layout(
        title="Marginal abatement cost curve of the budget sweep (bar label: budget level, "
        "10^4 CNY)",
        xaxis_title="cumulative pollution equivalents avoided (eq/yr)",
        yaxis_title="extra capex per extra eq/yr avoided (CNY per eq/yr)",
        uniformtext={"minsize": 10, "mode": "hide"},
        showlegend=False,
    )
    if keep.size == 0:
        mark_empty(fig, "no budget step buys more pollution reduction")
    return fig


def entry_figure(ds: xr.Dataset) -> go.Figure:
    """One bar per project that enters at some level: the budget at which it first enters
    the optimal portfolio, earliest at the top; projects that leave again at a higher
    budget in their own colour. One label per bar (the figure grows with the count)."""
    entered = ds["entry_level"].values >= 0
    order = np.argsort(ds["entry_budget"].values[entered], kind="stable")
    projects = ds["project"].values[entered][order]
    budgets = ds["entry_budget"].values[entered][order] / 1e4
    dropped = ds["dropped_later"].values[entered][order] > 0
    fig = go.Figure()
    for mask, name, colour in (
        (~dropped, "stays in at higher budgets", "#1f77b4"),
        (dropped, "dropped again at a higher budget", "#d62728"),
    ):
        if mask.any():
            fig.add_trace(
                go.Bar(
                    y=projects[mask],
                    x=budgets[mask],
                    orientation="h",
                    name=name,
                    marker_color=colour,
                    hovertemplate="%{y}: enters at %{x:,.0f} (10^4 CNY)<extra></extra>",
                )
            )
    fig.update_layout(
        title="Funding priority: budget at which each project enters",
        xaxis_title="budget level (10^4 CNY)",
        height=max(400, 20 * len(projects) + 160),
        barmode="overlay",
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(projects[::-1]),
        tickmode="linear",
        dtick=1,
        tickfont={"size": 11},
    )
    if len(projects) == 0:
        mark_empty(fig, "no project enters at any budget level")
    _add_notes(fig, ds)
    return fig


def study_figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    if ds.attrs.get("study") == "frontier":
        return {"frontier": frontier_figure(ds)}
    return {"budget_curve": budget_curve(ds), "macc": macc_figure(ds), "entry": entry_figure(ds)}
