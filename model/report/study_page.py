"""The HTML page of a study (frontier.html, budget_sweep.html): its figures
(model/report/figures/study_figures.py) and the notes on points without a portfolio, in
one self-contained page written atomically."""

from __future__ import annotations

import html
from os import PathLike
from pathlib import Path

import xarray as xr

from model.report.figures.study_figures import no_portfolio_notes, study_figures
from model.report.frontier_tables import frontier_section_html
from model.report.html import figure_blocks, html_page
from model.results.atomic import write_text_atomic


def write_study_report(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Self-contained HTML page of a study (plotly.js embedded once)."""
    kind = ds.attrs.get("study", "study")
    intro = (
        f"<p>Scenario {html.escape(str(ds.attrs.get('scenario', '')))}, "
        f"{ds.sizes['point']} points, input hash {html.escape(str(ds.attrs.get('input_hash', '')))}"
        "</p>"
    )
    notes = "".join(
        f'<p class="note"><strong>No portfolio:</strong> {html.escape(note)}</p>'
        for note in no_portfolio_notes(ds)
    )
    tables = frontier_section_html(ds) if kind == "frontier" else []
    page = html_page(
        f"ParkCP {kind.replace('_', ' ')}",
        [intro + notes, *figure_blocks(study_figures(ds)), *tables],
    )
    return write_text_atomic(path, page)
