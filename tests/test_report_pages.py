"""Pages and figures of the report, on data small enough to check by hand: the frontier
tables (which portfolio each point is, what changes between neighbours), the MACC (bars
sorted by cost, width = amount avoided), the house style (legend beside the plot, not on
the title; round ticks), and figures without data left out with a note."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from model.report.figures.study_figures import macc_figure
from model.report.figures.style import PALETTE, house_style, mark_empty
from model.report.frontier_tables import changes_table_html, points_table_html
from model.report.html import figure_blocks


def frontier_ds() -> xr.Dataset:
    """Three points over projects A, B, C: P1 = {A} (capex 100), P2 = {A, B} (250),
    P3 = {B, C} (300); energy after 30, 20, 10 tce/yr; pollution after 5, 8, 12 eq/yr."""
    selected = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1]], dtype=float)
    return xr.Dataset(
        {
            "selected": (("point", "project"), selected),
            "capex": ("point", [100.0, 250.0, 300.0]),
            "tce_after": ("point", [30.0, 20.0, 10.0]),
            "pollution_eq_after": ("point", [5.0, 8.0, 12.0]),
            "budget": ("point", [np.nan] * 3),
            "feasible": ("point", [True, True, True]),
        },
        coords={"point": [0, 1, 2], "project": ["A", "B", "C"]},
    )


def test_points_table_names_each_portfolio_and_its_cost() -> None:
    page = points_table_html(frontier_ds())
    # sorted by energy after (as drawn): P3 (10), P2 (20), P1 (30)
    assert page.index("<td>P3</td>") < page.index("<td>P2</td>") < page.index("<td>P1</td>")
    assert '<td class="num">300 CNY</td>' in page and '<td class="num">10 tce/yr</td>' in page


def test_changes_between_neighbours_by_hand() -> None:
    page = changes_table_html(frontier_ds())
    # P3 -> P2: A in, C out, capex -50, pollution -4, energy +10
    assert "<td>P3 -&gt; P2</td><td>A</td><td>C</td>" in page
    assert '<td class="num">-50 CNY</td><td class="num">-4 eq/yr</td>' in page
    # P2 -> P1: nothing in, B out, capex -150
    assert "<td>P2 -&gt; P1</td><td>-</td><td>B</td>" in page
    assert '<td class="num">-150 CNY</td>' in page


def test_macc_bars_sorted_by_cost_with_widths_of_what_they_avoid() -> None:
    # levels 100, 200, 300: avoided 10, 14, 30 -> steps 10 (at cost 10), 4 (25), 16 (6.25)
    ds = xr.Dataset(
        {
            "budget": ("point", [100.0, 200.0, 300.0]),
            "pollution_avoided": ("point", [10.0, 14.0, 30.0]),
            "macc_cny_per_pe": ("point", [10.0, 25.0, 6.25]),
        }
    )
    bar = macc_figure(ds).data[0]
    assert list(bar.y) == [6.25, 10.0, 25.0]  # cheapest first
    assert list(bar.width) == [16.0, 10.0, 4.0]
    assert list(bar.x) == [8.0, 21.0, 28.0]  # bar centres along the cumulative amount
    assert list(bar.text) == ["0", "0", "0"]  # budget levels in 10^4 CNY, rounded


def test_house_style_keeps_the_legend_beside_the_plot() -> None:
    fig = go.Figure([go.Bar(y=[1, 2], name="a"), go.Bar(y=[2, 1], name="b")])
    fig.update_layout(title="t", legend={"orientation": "h", "y": 1.0, "yanchor": "bottom"})
    fig.update_yaxes(tickformat=",~r")
    house_style(fig)
    legend = fig.layout.legend
    assert (legend.orientation, legend.x, legend.y, legend.yanchor) == ("v", 1.02, 1.0, "top")
    assert fig.layout.yaxis.tickformat is None and fig.layout.yaxis.separatethousands
    assert len(set(PALETTE)) == 48 and list(fig.layout.colorway) == list(PALETTE)


def test_an_empty_figure_is_a_note_not_a_drawing() -> None:
    empty = mark_empty(go.Figure(layout={"title": "Audit priority"}), "no output value")
    drawn = go.Figure(go.Scatter(x=[1], y=[1]))
    blocks = figure_blocks({"audit": empty, "other": drawn})
    assert blocks[0] == '<p class="note">Audit priority: not drawn, no output value.</p>'
    assert "plotly.js" in blocks[1]  # plotly.js goes with the first figure drawn
