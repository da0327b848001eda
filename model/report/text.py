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

from model.formatting import change_percent, money, number, percent, table_number
from model.report.briefing import headline_facts, limits_sentence
from model.results.limit_status import limit_status_table
from model.results.plan_tables import (
    available_by_year,
    capex_by_year,
    is_multi_year,
    plan_settings,
    plan_table,
    plan_years,
)
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


def status_line(ds: xr.Dataset, detail: bool = True) -> str:
    """The solver's result in words: 'solved to optimality (gap 0.0100% = 1.5 pollution
    equivalents/yr)'; a gap below 1e-9 is 'proven optimal'; any other status names the
    solver's termination and says the portfolio may not be the best."""
    attrs = ds.attrs
    status = str(attrs.get("status", "?"))
    gap = attrs.get("gap", float("nan"))
    if status == "optimal":
        text = "solved to optimality"
    else:
        text = (
            f"stopped early ({attrs.get('termination', status)}) with a portfolio that "
            "meets every limit; a better one may exist"
        )
    if detail and isinstance(gap, (int, float)) and not math.isnan(gap):
        if gap < 1e-9:
            text += " (gap 0: proven optimal)"
        else:
            text += f" (relative gap {percent(float(gap))}"
            gap_abs = attrs.get("gap_abs")
            if isinstance(gap_abs, (int, float)) and not math.isnan(gap_abs):
                units = str(attrs.get("gap_units", "")).strip()
                text += f" = {number(float(gap_abs))} {units}".rstrip()
            text += ")"
    return text


def _plan_lines(ds: xr.Dataset) -> list[str]:
    """A multi-year run's plan by year: projects started, capex started, the year's
    budget and (with carry-over) the money available, and the share spent."""
    if not is_multi_year(ds):
        return []
    plan = plan_table(ds)
    years = plan_years(ds)
    spent = capex_by_year(ds)
    budget = ds["budget_by_year"].values.astype(float)
    carry = bool(plan_settings(ds).get("carry_over"))
    available = available_by_year(ds) if carry else budget
    rows = []
    for t, year in enumerate(years):
        ids = [str(i) for i, y in zip(plan["id"], plan["start_year"], strict=True) if y == year]
        listed = ", ".join(ids[:6]) + (f" (+{len(ids) - 6} more)" if len(ids) > 6 else "")
        limit = available[t]
        share = percent(spent[t] / limit) if math.isfinite(limit) and limit > 0 else "n/a"
        rows.append([str(year), str(len(ids)), money(spent[t]), money(limit), share, listed or "-"])
    head = "available" if carry else "budget"
    out = ["", "Plan by year (projects started and capex spent against each year's money)"]
    out += _render(["year", "starts", "capex", head, "spent", "projects started"], rows, left=1)
    return out


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
    """The plain-text summary printed after a run: in words first (what was chosen, what
    it costs, what it achieves, which limits bind), then the plan by year of a multi-year
    run, the tables (units in headers), and the solver details last."""
    attrs = ds.attrs
    table = selected_projects_table(ds)
    spent = float(ds["capex_used"].sum())
    budget = float(attrs.get("budget_total", float("inf")))
    share = f" ({percent(spent / budget)})" if math.isfinite(budget) and budget > 0 else ""
    of_budget = f"of a {money(budget)} budget" if math.isfinite(budget) else "(no total budget)"
    out = [f"Scenario {attrs.get('scenario', '?')}: {status_line(ds, detail=False)}", ""]
    out.append(f"Projects chosen: {len(table)} of {ds.sizes['project']}")
    out.append(f"Capex used: {money(spent)} {of_budget}{share}")
    facts = {label: (value, detail) for label, value, detail in headline_facts(ds)}
    achieved = [
        f"{facts[label][0]} {word} ({facts[label][1]})"
        for label, word in (
            ("Pollution avoided", "pollution avoided"),
            ("Energy saved", "energy saved"),
            ("CO2 avoided", "CO2 avoided"),
        )
        if label in facts
    ]
    out.append("Achieves: " + "; ".join(achieved))
    out.append("Limits: " + limits_sentence(limit_status_table(ds))[1])
    out += _plan_lines(ds)
    out.append("")
    out += _render(*summary_rows(ds), left=2)
    out.append("")
    out += _render(
        *pollutant_rows(ds, first_header="Pollutant"),
        left=2,
    )
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
    solver = f"{attrs.get('solver', '')} {attrs.get('solver_version', '')}".strip()
    out += ["", f"Solver: {solver}, {status_line(ds)}"]
    if attrs.get("input_hash"):
        out.append(f"input sha256 {attrs['input_hash']}")
    return "\n".join(out) + "\n"


def why_not_text(ds: xr.Dataset, limit: int = 20) -> str:
    """The why-not table for the terminal: the `limit` left-out projects closest to
    entering (exact break-even first where computed), the money each needs or what else
    keeps it out."""
    from model.results.appraisal_tables import why_not_table

    table = why_not_table(ds)
    if table.empty:
        return "Why not selected: every project that passed screening was chosen.\n"
    rows = [
        [
            r.project,
            r.basis,
            money(r.budget_capex),
            "-" if math.isnan(r.money_needed) else money(r.money_needed),
            r.reason or r.why_not_note,
        ]
        for r in table.head(limit).itertuples()
    ]
    out = [
        f"Why not selected (the {len(rows)} of {len(table)} left-out projects closest to "
        "entering; full table in summary_why_not.csv)"
    ]
    out += _render(["project", "basis", "budget charge", "money needed", "note"], rows, left=2)
    return "\n".join(out) + "\n"
