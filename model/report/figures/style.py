"""The house style every figure of a page gets just before it is written (`house_style`),
and the rule for figures without data (`mark_empty`, `empty_reason`).

* Colours: `PALETTE`, 48 distinct qualitative colours (Plotly's Dark24 then Light24), so
  categories, owners and media each get their own colour where a figure does not set one.
* Legend: vertical, to the right of the plot area, its top level with the plot's top
  (paper y = 1): the title sits in the top margin above the plot and subplot titles above
  their subplots, so a legend never covers a title or the data. A figure with a y axis on
  the right gets its legend further right, clear of that axis's ticks and title.
* Ticks: plotly's own round tick values (1, 2 or 5 times a power of ten), written in full
  with thousands separators (`400,000`, never `4e+5` or `46,982.2`).
* A figure without data is not drawn: its builder calls `mark_empty(fig, reason)`, and the
  page writes the reason as a one-line note in its place (model/report/html.py).
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.colors import qualitative

PALETTE: tuple[str, ...] = tuple(qualitative.Dark24) + tuple(qualitative.Light24)
"""48 distinct qualitative colours."""

_EMPTY_KEY = "parkcp_empty"


def mark_empty(fig: go.Figure, reason: str) -> go.Figure:
    """Mark `fig` as having no data, with the reason a page shows instead of it."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, _EMPTY_KEY: reason})
    return fig


def empty_reason(fig: go.Figure) -> str | None:
    """The reason `fig` has no data, or None for a figure to draw."""
    meta = fig.layout.meta
    return meta.get(_EMPTY_KEY) if isinstance(meta, dict) else None


def _has_right_axis(fig: go.Figure) -> bool:
    return any(
        getattr(fig.layout[name], "side", None) == "right"
        for name in fig.layout
        if name.startswith("yaxis") and fig.layout[name] is not None
    )


def house_style(fig: go.Figure) -> go.Figure:
    """Apply the house style (module docstring) to `fig` in place and return it."""
    fig.update_layout(
        template="plotly_white",
        colorway=list(PALETTE),
        separators=".,",
        legend={
            "orientation": "v",
            "x": 1.12 if _has_right_axis(fig) else 1.02,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "top",
            "xref": "paper",
            "yref": "paper",
        },
    )
    margin_top = fig.layout.margin.t if fig.layout.margin.t is not None else 0
    if fig.layout.title.text:
        fig.update_layout(
            title={"x": 0.0, "xanchor": "left", "xref": "container", "pad": {"l": 20}},
            margin={"t": max(margin_top, 90)},
        )
    fig.update_xaxes(exponentformat="none", separatethousands=True)
    fig.update_yaxes(exponentformat="none", separatethousands=True)
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        if axis.tickformat in (",~r", "~r"):
            axis.tickformat = None  # plotly's round ticks, written in full
    return fig
