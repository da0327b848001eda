"""One self-contained HTML report per run (summary.html), built from the results Dataset.

The page holds a header (scenario, status, gap, input hash, creation time), the park
summary table, the per-pollutant table, permit excesses if any, the figures of
`model.report.figures.run_figures.figures` and the chosen-projects table. A run through
`model.pipeline.run_scenario` also carries the appraisal variables
(`model.results.appraisal_dataset`); the page then adds the sections "Project economics",
"Public money and additionality", "Why not selected", "Emission permits and tradable
surplus", "Audit classes and priority tiers" and, when an enterprise has CP index data,
"Cleaner-production level".

plotly.js is embedded once, in the first figure (all figures go through one
`figure_blocks` call), so the file opens offline: it loads no script from any network
address. Long tables are cut at `model.report.html.ROW_LIMIT` rows with a note (results.nc
holds them all). The appraisal sections live in model/report/economics_sections.py and
audit_sections.py, the plan section in timeline_section.py. It is written atomically,
like every output of a run.
"""

from __future__ import annotations

import html
from os import PathLike
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import xarray as xr

from model.formatting import amount, money, table_number
from model.report.audit_sections import audit_html, cp_html, permit_surplus_html
from model.report.briefing import headline_html
from model.report.eco_section import eco_indicators_html
from model.report.economics_sections import economics_html, public_money_html, why_not_html
from model.report.figures.appraisal_figures import audit_figures, why_not_figure
from model.report.figures.run_figures import figures
from model.report.figures.timeline_figures import timeline_figures
from model.report.html import figure_blocks, html_page, note, table_html
from model.report.text import permit_excess_rows, pollutant_rows, status_line, summary_rows
from model.report.timeline_section import timeline_section_html
from model.results import appraisal_tables as appraisal
from model.results.atomic import write_text_atomic
from model.results.limit_status import limit_status_table
from model.results.summary_tables import (
    permit_excess_table,
    pollutant_table,
    selected_projects_table,
)


def _summary_html(ds: xr.Dataset) -> str:
    headers, rows = summary_rows(ds)
    return table_html(headers, rows, numeric_from=2)


def _pollutants_html(ds: xr.Dataset) -> str:
    headers, rows = pollutant_rows(ds)
    return table_html(headers, rows, numeric_from=2)


def _permits_html(ds: xr.Dataset) -> str:
    table = permit_excess_table(ds)
    if table.empty:
        return "<p>No enterprise is above its permit.</p>"
    headers, rows = permit_excess_rows(table)
    return table_html(headers, rows, numeric_from=2)


def _projects_html(table: pd.DataFrame) -> str:
    if table.empty:
        return "<p>No project chosen.</p>"
    return table_html(
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
                table_number(r.capex_CNY),
                table_number(r.capex_spent_CNY),
                table_number(r.pe_avoided_per_yr),
                table_number(r.tce_saved_per_yr),
                table_number(r.co2_avoided_t_per_yr),
                table_number(r.CNY_per_pe),
            ]
            for r in table.itertuples()
        ],
        numeric_from=4,
    )


def _header(ds: xr.Dataset) -> str:
    attrs = ds.attrs
    items = {
        "scenario": str(attrs.get("scenario", "")),
        "created": str(attrs.get("created", "")),
        "objective": str(attrs.get("objective_kind", "")),
    }
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in items.items())
    return f'<dl class="meta">{rows}</dl>'


def _appraisal_figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    """The audit figures and the why-not figure, when `ds` has them."""
    if not appraisal.has_appraisal(ds):
        return {}
    figs = audit_figures(ds)
    if "subsidy_needed_lp_estimate" in ds and not appraisal.why_not_table(ds).empty:
        figs["why_not"] = why_not_figure(ds)
    return figs


def report_figures(ds: xr.Dataset) -> dict[str, go.Figure]:
    """Every figure of the report of run Dataset `ds`, by name, in the report's order: the
    run figures, the plan figures (multi-year), and, when `ds` has them, the audit
    figures and the why-not figure."""
    return {**figures(ds), **timeline_figures(ds), **_appraisal_figures(ds)}


def _solver_html(ds: xr.Dataset) -> list[str]:
    """The solver details, last on the page."""
    attrs = ds.attrs
    items = {
        "result": status_line(ds),
        "solver": f"{attrs.get('solver', '')} {attrs.get('solver_version', '')}".strip(),
        "input sha256": str(attrs.get("input_hash", "")) or "n/a",
    }
    rows = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in items.items())
    return ["<h2>Solver details</h2>", f'<dl class="meta">{rows}</dl>']


def _limits_html(limits: pd.DataFrame) -> str:
    if limits.empty:
        return "<p>The scenario sets no budget, permit, cap or target.</p>"
    order = limits.assign(rank=limits["status"].map({"not met": 0, "binding": 1, "met": 2}))
    share = order["slack"] / order["bound"].abs().where(order["bound"] != 0, 1.0)
    order = order.assign(share=share).sort_values(["rank", "share"], kind="stable")
    units = {
        "CNY": money,
        "t/yr": lambda v: amount(v, "t/yr"),
        "tce/yr": lambda v: amount(v, "tce/yr"),
    }
    return table_html(
        ["limit", "subject", "tightest year", "value", "bound", "room left", "status"],
        [
            [
                r.limit,
                r.subject,
                str(r.year),
                units.get(r.unit, table_number)(r.value),
                units.get(r.unit, table_number)(r.bound),
                units.get(r.unit, table_number)(r.slack),
                r.status,
            ]
            for r in order.itertuples()
        ],
        numeric_from=2,
        what="limits",
    )


def report_tables(ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """The full tables of the report, written as CSV beside summary.html (name -> table,
    numbers unrounded, units in the column names or a unit column)."""
    tables = {"limits": limit_status_table(ds), "pollutants": pollutant_table(ds)}
    if appraisal.has_appraisal(ds):
        tables["economics"] = appraisal.economics_table(ds)
        if "subsidy_needed_lp_estimate" in ds:
            tables["why_not"] = appraisal.why_not_table(ds)
        tables["audit"] = appraisal.audit_table(ds)
    return tables


def render_report(ds: xr.Dataset) -> str:
    """The report as one HTML string. All figures go through one `figure_blocks` call, so
    plotly.js is embedded in the first one only."""
    projects = selected_projects_table(ds)
    standard = {**figures(ds), **timeline_figures(ds)}
    extra = appraisal.has_appraisal(ds)
    figs = {**standard, **_appraisal_figures(ds)}
    blocks = dict(zip(figs, figure_blocks(figs), strict=True))
    parts = [
        _header(ds) + headline_html(ds),
        "<h2>Limits: met, binding or not met</h2>",
        note(
            "A limit binds when the portfolio reaches it (room left at most a millionth of "
            "the bound): more room there would buy more. Full table: summary_limits.csv."
        ),
        _limits_html(limit_status_table(ds)),
        "<h2>Park totals (baseline and after the chosen projects)</h2>",
        _summary_html(ds),
        "<h2>By pollutant</h2>",
        _pollutants_html(ds),
        "<h2>Permits</h2>",
        _permits_html(ds),
        timeline_section_html(ds),
        "<h2>Figures</h2>",
        *(blocks[name] for name in standard),
        f"<h2>Chosen projects ({len(projects)} of {ds.sizes['project']})</h2>",
        "<p>Pollution equivalents and tce are each project's nominal effect at its level; "
        "when projects of one owner together remove more than it emits, the realised "
        "reduction in the totals above is smaller.</p>",
        _projects_html(projects),
        note("All chosen projects: selected_projects.csv beside this page."),
    ]
    if extra:
        parts += [
            *economics_html(ds),
            *public_money_html(ds),
            *why_not_html(ds, blocks.get("why_not", "")),
            *permit_surplus_html(ds, blocks["rights_value"]),
            *audit_html(ds, blocks["intensity_tiers"]),
            *eco_indicators_html(ds),
            *cp_html(ds),
        ]
    parts += _solver_html(ds)
    return html_page(f"ParkCP: {ds.attrs.get('scenario', '')}", parts)


def write_report(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write the self-contained HTML report of `ds` to `path` and its full tables beside
    it (`summary_<name>.csv`, `report_tables`), each atomically."""
    folder = Path(path).parent
    for name, table in report_tables(ds).items():
        write_text_atomic(folder / f"summary_{name}.csv", table.to_csv(index=False))
    return write_text_atomic(path, render_report(ds))
