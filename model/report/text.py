"""The plain-text summary printed after a run, and the formatted rows it shares with the
HTML report.

Built from the tables of model/results/summary_tables.py (read from the results Dataset
only): `summary_rows`, `pollutant_rows` and `permit_excess_rows` are their rows as text
(numbers by `model.formatting.table_number`), `status_line` the solver status in words,
and `summary_text` the whole summary: park totals, totals per pollutant, capex against
budget, projects chosen, permit excesses and the largest chosen projects.
"""

from __future__ import annotations

import math

import pandas as pd
import xarray as xr

from model.formatting import change_percent, table_number
from model.results.summary_tables import (
    permit_excess_table,
    pollutant_table,
    selected_projects_table,
    summary_table,
    top_projects,
)


def summary_rows(ds: xr.Dataset) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted rows of `summary_table`, for the text and HTML summaries."""
    headers = ["Park total", "unit", "baseline", "after", "change", "change %"]
    rows = [
        [
            r.quantity,
            r.unit,
            table_number(r.baseline),
            table_number(r.after),
            table_number(r.change),
            change_percent(r.change_pct),
        ]
        for r in summary_table(ds).itertuples()
    ]
    return headers, rows


def pollutant_rows(
    ds: xr.Dataset, first_header: str = "pollutant"
) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted rows of `pollutant_table`, for the text and HTML summaries."""
    headers = [first_header, "medium", "baseline t/yr", "after t/yr", "change %"]
    headers += ["baseline eq/yr", "after eq/yr"]
    rows = [
        [
            r.pollutant,
            r.medium,
            table_number(r.baseline_t),
            table_number(r.after_t),
            change_percent(r.change_pct),
            table_number(r.baseline_pe),
            table_number(r.after_pe),
        ]
        for r in pollutant_table(ds).itertuples()
    ]
    return headers, rows


def permit_excess_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted rows of a `permit_excess_table`, for text and HTML."""
    headers = ["enterprise", "pollutant", "after t/yr", "permit t/yr", "excess t/yr"]
    rows = [
        [
            r.enterprise,
            r.pollutant,
            table_number(r.after_t),
            table_number(r.permit_t),
            table_number(r.excess_t),
        ]
        for r in table.itertuples()
    ]
    return headers, rows


def status_line(ds: xr.Dataset) -> str:
    """'status optimal (optimal), relative gap 0.0100% = 1.5 pollution equivalents/yr'."""
    attrs = ds.attrs
    gap = attrs.get("gap", float("nan"))
    text = f"status {attrs.get('status', '?')} ({attrs.get('termination', '?')})"
    if isinstance(gap, (int, float)) and not math.isnan(gap):
        text += f", relative gap {100.0 * gap:.4g}%"
        gap_abs = attrs.get("gap_abs")
        if isinstance(gap_abs, (int, float)) and not math.isnan(gap_abs):
            text += f" = {table_number(gap_abs)} {attrs.get('gap_units', '')}".rstrip()
    else:
        text += ", gap n/a"
    return text


def _render(headers: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Aligned plain-text table; the first `left` columns are left-aligned."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


def summary_text(ds: xr.Dataset) -> str:
    """The plain-text summary printed after a run (aligned columns, units in headers)."""
    attrs = ds.attrs
    out = [f"Scenario {attrs.get('scenario', '?')}: {status_line(ds)}"]
    if attrs.get("input_hash"):
        out.append(f"input sha256 {attrs['input_hash']}")
    out.append("")
    out += _render(*summary_rows(ds), left=2)
    out.append("")
    out += _render(
        *pollutant_rows(ds, first_header="Pollutant"),
        left=2,
    )
    out.append("")
    spent = float(ds["capex_used"].sum())
    budget = float(attrs.get("budget_total", float("inf")))
    share = f" ({100.0 * spent / budget:.1f}%)" if math.isfinite(budget) and budget > 0 else ""
    out.append(f"Capex used: {table_number(spent)} CNY of budget {table_number(budget)} CNY{share}")
    table = selected_projects_table(ds)
    out.append(f"Projects chosen: {len(table)} of {ds.sizes['project']}")
    excess = permit_excess_table(ds)
    if len(excess):
        out += ["", f"Permit excess (permits: {attrs.get('permit_mode', '?')})"]
        out += _render(*permit_excess_rows(excess), left=2)
    top = top_projects(ds)
    if len(top):
        out += [
            "",
            "Largest chosen projects by pollution equivalents avoided (nominal, before saturation)",
        ]
        out += _render(
            [
                "project",
                "owner",
                "level",
                "capex spent CNY",
                "eq avoided/yr",
                "tce saved/yr",
                "CNY per eq",
            ],
            [
                [
                    r.id,
                    r.owner,
                    f"{r.level:.3g}",
                    table_number(r.capex_spent_CNY),
                    table_number(r.pe_avoided_per_yr),
                    table_number(r.tce_saved_per_yr),
                    table_number(r.CNY_per_pe),
                ]
                for r in top.itertuples()
            ],
            left=2,
        )
    return "\n".join(out) + "\n"
