"""One self-contained HTML report per run (summary.html), built from the results Dataset.

The page holds a header (scenario, status, gap, input hash, creation time), the park
summary table, the per-pollutant table, permit excesses if any, the figures of
`model.plots.figures` and the chosen-projects table. plotly.js is embedded once, in the
first figure, so the file opens offline: it loads no script from any network address.
It is written atomically, like every output of a run.
"""

from __future__ import annotations

import html
from os import PathLike
from pathlib import Path

import pandas as pd
import xarray as xr

from model.atomic import write_text_atomic
from model.plots import figures
from model.results import (
    fmt_number,
    fmt_pct,
    permit_excess_table,
    pollutant_table,
    selected_projects_table,
    status_line,
    summary_table,
)

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans SC", sans-serif;
       margin: 1.5rem auto; max-width: 1200px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; }
th { background: #f5f5f5; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; font-family: monospace; }
.figure { margin: 1rem 0; }
"""


def _table(headers: list[str], rows: list[list[str]], numeric_from: int) -> str:
    """HTML table; columns from index `numeric_from` on are right-aligned numbers."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(c)}</td>'
            if i >= numeric_from
            else f"<td>{html.escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary_html(ds: xr.Dataset) -> str:
    summary = summary_table(ds)
    return _table(
        ["Park total", "unit", "baseline", "after", "change", "change %"],
        [
            [
                r.quantity,
                r.unit,
                fmt_number(r.baseline),
                fmt_number(r.after),
                fmt_number(r.change),
                fmt_pct(r.change_pct),
            ]
            for r in summary.itertuples()
        ],
        numeric_from=2,
    )


def _pollutants_html(ds: xr.Dataset) -> str:
    table = pollutant_table(ds)
    return _table(
        [
            "pollutant",
            "medium",
            "baseline t/yr",
            "after t/yr",
            "change %",
            "baseline eq/yr",
            "after eq/yr",
        ],
        [
            [
                r.pollutant,
                r.medium,
                fmt_number(r.baseline_t),
                fmt_number(r.after_t),
                fmt_pct(r.change_pct),
                fmt_number(r.baseline_pe),
                fmt_number(r.after_pe),
            ]
            for r in table.itertuples()
        ],
        numeric_from=2,
    )


def _permits_html(ds: xr.Dataset) -> str:
    table = permit_excess_table(ds)
    if table.empty:
        return "<p>No enterprise is above its permit.</p>"
    return _table(
        ["enterprise", "pollutant", "after t/yr", "permit t/yr", "excess t/yr"],
        [
            [
                r.enterprise,
                r.pollutant,
                fmt_number(r.after_t),
                fmt_number(r.permit_t),
                fmt_number(r.excess_t),
            ]
            for r in table.itertuples()
        ],
        numeric_from=2,
    )


def _projects_html(table: pd.DataFrame) -> str:
    if table.empty:
        return "<p>No project chosen.</p>"
    return _table(
        [
            "project",
            "name",
            "owner",
            "category",
            "level",
            "capex CNY",
            "capex spent CNY",
            "eq avoided/yr (nominal)",
            "tce saved/yr",
            "tCO2 avoided/yr",
            "CNY per eq",
        ],
        [
            [
                r.id,
                r.name,
                r.owner,
                r.category,
                f"{r.level:.3g}",
                fmt_number(r.capex_CNY),
                fmt_number(r.capex_spent_CNY),
                fmt_number(r.pe_avoided_per_yr),
                fmt_number(r.tce_saved_per_yr),
                fmt_number(r.co2_avoided_t_per_yr),
                fmt_number(r.CNY_per_pe),
            ]
            for r in table.itertuples()
        ],
        numeric_from=4,
    )


def _header(ds: xr.Dataset) -> str:
    attrs = ds.attrs
    spent = float(ds["capex_used"].sum())
    budget = float(attrs.get("budget_total", float("inf")))
    items = {
        "scenario": str(attrs.get("scenario", "")),
        "result": status_line(ds),
        "solver": f"{attrs.get('solver', '')} {attrs.get('solver_version', '')}".strip(),
        "objective": str(attrs.get("objective_kind", "")),
        "capex used": f"{fmt_number(spent)} CNY of budget {fmt_number(budget)} CNY",
        "input sha256": str(attrs.get("input_hash", "")) or "n/a",
        "created": str(attrs.get("created", "")),
    }
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in items.items())
    return f'<dl class="meta">{rows}</dl>'


def figure_blocks(figs: dict) -> list[str]:
    """One <div> per Plotly figure; plotly.js is embedded in the first one only."""
    blocks = []
    for index, (name, fig) in enumerate(figs.items()):
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=index == 0,
            include_mathjax=False,
            default_height="480px",
            div_id=f"fig-{name}",
        )
        blocks.append(f'<div class="figure">{div}</div>')
    return blocks


def html_page(title: str, body_parts: list[str]) -> str:
    """A complete, self-contained HTML page with the report style."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        *body_parts,
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def render_report(ds: xr.Dataset) -> str:
    """The report as one HTML string (plotly.js embedded in the first figure only)."""
    projects = selected_projects_table(ds)
    parts = [
        _header(ds),
        "<h2>Park totals (baseline and after the chosen projects)</h2>",
        _summary_html(ds),
        "<h2>By pollutant</h2>",
        _pollutants_html(ds),
        "<h2>Permits</h2>",
        _permits_html(ds),
        "<h2>Figures</h2>",
        *figure_blocks(figures(ds)),
        f"<h2>Chosen projects ({len(projects)} of {ds.sizes['project']})</h2>",
        "<p>Pollution equivalents and tce are each project's nominal effect at its level; "
        "when projects of one owner together remove more than it emits, the realised "
        "reduction in the totals above is smaller.</p>",
        _projects_html(projects),
    ]
    return html_page(f"ParkCP: {ds.attrs.get('scenario', '')}", parts)


def write_report(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write the self-contained HTML report of `ds` to `path`, atomically."""
    return write_text_atomic(path, render_report(ds))
