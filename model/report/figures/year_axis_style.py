"""The house style of the multi-year plan figures: colours, layout and integer year ticks
on the x axis (model/report/figures/timeline_figures.py, yearly_totals_figures.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from model.report.figures.style import PALETTE, mark_empty

COLOURS = {
    "lead": "#F2B880",
    "effect": "#4C78A8",
    "after": "#E45756",
    "cap": "#222222",
    "baseline": "#9E9E9E",
    "budget": "#222222",
    "available": "#7F7F7F",
    "air": "#4C78A8",
    "water": "#1F9E89",
    "solid": "#8C6D31",
    "other": "#B279A2",
    "tce": "#F58518",
    "co2": "#54A24B",
    "count": "#E45756",
    "excess": "#222222",
}
CATEGORY_COLOURS = PALETTE
"""Distinct colours for categories (48, model/report/figures/style.py)."""


def year_layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 480):
    """The house style of model/report/figures/run_figures.py, with integer year ticks on
    the x axis."""
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 30, "t": 90, "b": 70},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
        separators=".,",
    )
    if x_title:
        fig.update_xaxes(title_text=x_title)
    if y_title:
        fig.update_yaxes(title_text=y_title)
    return fig


def year_axis(fig: go.Figure, years: np.ndarray, **where: Any) -> None:
    fig.update_xaxes(
        tickmode="array",
        tickvals=[int(y) for y in years],
        ticktext=[str(int(y)) for y in years],
        range=[float(years[0]) - 0.5, float(years[-1]) + 0.5],
        **where,
    )


def no_data(fig: go.Figure, message: str) -> go.Figure:
    """Mark `fig` empty (a page notes `message` instead of drawing it); the message is
    also written on the figure for a notebook that shows it anyway."""
    mark_empty(fig, message)
    fig.add_annotation(
        text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16}
    )
    return fig
