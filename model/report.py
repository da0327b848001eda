"""One self-contained HTML report per run (summary.html), built from the results Dataset.

The page holds a header (scenario, status, gap, input hash, creation time), the park
summary table, the per-pollutant table, permit excesses if any, the figures of
`model.plots.figures` and the chosen-projects table. A run through
`model.pipeline.run_scenario` also carries the appraisal variables (`model.appraisal`);
the page then adds the sections "Project economics", "Public money and additionality",
"Why not selected", "Emission permits and tradable surplus", "Audit classes and priority
tiers" and, when an enterprise has CP index data, "Cleaner-production level".

plotly.js is embedded once, in the first figure (all figures go through one
`figure_blocks` call), so the file opens offline: it loads no script from any network
address. Long tables are cut at `ROW_LIMIT` rows with a note (results.nc holds them all).
It is written atomically, like every output of a run.
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection
from os import PathLike
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import xarray as xr

from model import appraisal
from model.atomic import write_text_atomic
from model.audit import audit_figures
from model.plots import figures
from model.results import (
    fmt_number,
    fmt_pct,
    permit_excess_table,
    pollutant_rows,
    selected_projects_table,
    status_line,
    summary_table,
)
from model.timeline import timeline_figures, timeline_section_html

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
p.note { color: #555; font-size: 0.9rem; }
"""

ROW_LIMIT = 200
"""Longest table shown in the report; the rest is in results.nc."""


def _table(
    headers: list[str],
    rows: list[list[str]],
    numeric_from: int,
    text_columns: Collection[int] = (),
) -> str:
    """HTML table; columns from index `numeric_from` on are right-aligned numbers, except
    those listed in `text_columns`."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(c)}</td>'
            if i >= numeric_from and i not in text_columns
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
    headers, rows = pollutant_rows(ds)
    return _table(headers, rows, numeric_from=2)


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


# --------------------------------------------------------------------------- appraisal


def _years(value: float) -> str:
    """Payback: 'never' when the cash flow never returns the investment."""
    if value is None or math.isnan(value):
        return "n/a"
    return "never" if math.isinf(value) else f"{value:,.2f}"


def _rate(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100.0 * value:.2f} %"


def _headroom(value: float) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return "unlimited" if math.isinf(value) else f"{100.0 * value:,.1f} %"


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _capped(frame: pd.DataFrame, what: str) -> tuple[pd.DataFrame, str]:
    """The first `ROW_LIMIT` rows, and a note when rows were left out."""
    if len(frame) <= ROW_LIMIT:
        return frame, ""
    return frame.head(ROW_LIMIT), _note(
        f"Showing the first {ROW_LIMIT} of {len(frame)} {what}; results.nc holds all of them."
    )


def _economics_html(ds: xr.Dataset) -> list[str]:
    attrs = ds.attrs
    rate = float(attrs.get("finance_benchmark_rate", float("nan")))
    tax = float(attrs.get("finance_income_tax_rate", float("nan")))
    budget = float(attrs.get("budget_total", float("inf")))
    public = float(attrs.get("public_budget", float("inf")))
    out = [
        "<h2>Project economics</h2>",
        _note(
            "Feasibility figures of the cleaner-production audit (DOMAIN.md 1.4) for each "
            "project alone, without subsidy: annual saving P = energy cost saved - opex "
            "change + environmental tax avoided + surplus-rights value; D = capex / "
            "lifetime; cash flow F = (P - D)(1 - tax) + D; payback = capex / F; NPV over "
            f"the lifetime at the benchmark rate {_rate(rate)}, income tax {_rate(tax)}; "
            f"IRR: {attrs.get('irr_scope', '')}. Figures are at full adoption."
        ),
        _note(
            f"Enterprises' budget charged {fmt_number(float(attrs.get('budget_charged', 0)))}"
            f" CNY of {fmt_number(budget)} CNY (capex net of subsidy); public subsidy "
            f"{fmt_number(float(attrs.get('subsidy_granted', 0)))} CNY of "
            f"{fmt_number(public)} CNY; options done at once "
            f"{fmt_number(float(attrs.get('forced_capex', 0)))} CNY outside the budget."
        ),
        *(_note(f"Note: {text}.") for text in appraisal.finance_notes(ds)),
    ]
    chosen, cut = _capped(appraisal.economics_table(ds), "chosen projects")
    headers = ["project", "name", "owner", "class", "capex CNY", "subsidy CNY"]
    headers += ["budget charge CNY", "saving P CNY/yr", "payback yr", "NPV CNY", "IRR"]
    out.append(
        _table(
            headers,
            [
                [
                    r.project,
                    r.name,
                    r.owner,
                    r.cost_class,
                    fmt_number(r.capex),
                    fmt_number(r.subsidy),
                    fmt_number(r.budget_capex),
                    fmt_number(r.annual_saving_total),
                    _years(r.payback_years),
                    fmt_number(r.npv),
                    _rate(r.irr),
                ]
                for r in chosen.itertuples()
            ],
            numeric_from=4,
        )
        if len(chosen)
        else "<p>No project chosen.</p>"
    )
    out.append(cut)

    out.append("<h3>Options done at once (outside the budget)</h3>")
    forced = appraisal.forced_table(ds)
    if not int(attrs.get("finance_implement_no_low_cost", 0)):
        out.append("<p>Off (finance.implement_no_low_cost is false).</p>")
    elif forced.empty:
        out.append("<p>No no/low-cost option pays for itself (NPV &gt;= 0).</p>")
    else:
        out.append(
            _table(
                ["project", "name", "owner", "capex CNY", "saving P CNY/yr", "payback yr"]
                + ["NPV CNY"],
                [
                    [
                        r.project,
                        r.name,
                        r.owner,
                        fmt_number(r.capex),
                        fmt_number(r.annual_saving_total),
                        _years(r.payback_years),
                        fmt_number(r.npv),
                    ]
                    for r in forced.itertuples()
                ],
                numeric_from=3,
            )
        )

    out.append("<h3>Projects screened out</h3>")
    rules = appraisal.finance_screening(ds)
    active = [name for name in ("payback", "npv", "irr") if rules.get(name)]
    screened, cut = _capped(appraisal.screened_table(ds), "screened-out projects")
    if not active:
        out.append("<p>No screening rule is on (finance.screening).</p>")
    elif screened.empty:
        out.append(f"<p>Every project passes the {', '.join(active)} rule(s).</p>")
    else:
        out.append(_note(f"Rules on: {', '.join(active)}."))
        out.append(
            _table(
                ["project", "name", "owner", "class", "capex CNY", "payback yr", "NPV CNY"]
                + ["IRR", "reason"],
                [
                    [
                        r.project,
                        r.name,
                        r.owner,
                        r.cost_class,
                        fmt_number(r.capex),
                        _years(r.payback_years),
                        fmt_number(r.npv),
                        _rate(r.irr),
                        r.screening_reason,
                    ]
                    for r in screened.itertuples()
                ],
                numeric_from=4,
                text_columns=(8,),
            )
        )
        out.append(cut)
    return out


def _public_money_html(ds: xr.Dataset) -> list[str]:
    out = ["<h2>Public money and additionality</h2>"]
    table = appraisal.public_money_table(ds)
    needing = table[table["needs_public_money"] == 1]
    if not (ds["subsidy"].values > 0).any():
        out.append(_note("No subsidy rates are set (budget.subsidy.rates): no grants."))
    rate = _rate(float(ds.attrs.get("finance_benchmark_rate", float("nan"))))
    out.append(
        _note(
            f"{len(needing)} chosen project(s) are not privately profitable (NPV < 0 without "
            f"subsidy at {rate}): they need public money, or are chosen for their permits and "
            "targets. A grant to a privately profitable project is not additional. Ranked by "
            "pollution equivalents avoided per year per public yuan (nominal)."
        )
    )
    if table.empty:
        out.append("<p>No chosen project receives or needs public money.</p>")
        return out
    shown, cut = _capped(table, "projects")
    out.append(
        _table(
            ["project", "owner", "category", "verdict", "rank", "subsidy CNY", "NPV CNY"]
            + ["NPV with subsidy CNY", "grant for NPV 0 CNY", "eq avoided/yr"]
            + ["eq/yr per public CNY", "tce/yr per public CNY"],
            [
                [
                    r.project,
                    r.owner,
                    r.category,
                    r.additionality_verdict,
                    "" if math.isnan(r.rank) else f"{r.rank:.0f}",
                    fmt_number(r.subsidy),
                    fmt_number(r.npv),
                    fmt_number(r.npv_with_subsidy),
                    fmt_number(r.subsidy_for_npv_zero),
                    fmt_number(r.pe_avoided_per_yr),
                    fmt_number(r.pe_per_public_yuan),
                    fmt_number(r.tce_per_public_yuan),
                ]
                for r in shown.itertuples()
            ],
            numeric_from=4,
        )
    )
    out.append(cut)
    return out


def why_not_figure(ds: xr.Dataset, limit: int = 30) -> go.Figure:
    """Left-out projects (the `limit` needing least money): what they cost against the
    capex at which they would enter (exact, by re-solves) or the money the LP estimate
    says they need."""
    table = appraisal.why_not_table(ds).head(limit)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=table["project"],
            x=table["budget_capex"] / 1e4,
            orientation="h",
            name="budget charge now (10^4 CNY)",
            marker_color="#bbbbbb",
        )
    )
    fig.add_trace(
        go.Bar(
            y=table["project"],
            x=table["money_needed"] / 1e4,
            orientation="h",
            name="money needed to enter (10^4 CNY)",
            marker_color="#d62728",
            text=table["basis"],
            hovertemplate="%{y}: %{x:,.1f} (%{text})<extra></extra>",
        )
    )
    fig.update_layout(
        title="Why not selected: money a left-out project needs to enter the optimal portfolio",
        xaxis_title="10^4 CNY",
        barmode="overlay",
        template="plotly_white",
        height=max(400, 18 * len(table)),
        yaxis={"autorange": "reversed"},
    )
    return fig


def _why_not_html(ds: xr.Dataset, figure: str = "") -> list[str]:
    out = ["<h2>Why not selected</h2>"]
    if "subsidy_needed_lp_estimate" not in ds:
        out.append(
            "<p>Not computed: the why-not analysis runs after optimal solves of the "
            "weighted, pollution or energy objectives.</p>"
        )
        return out
    out.append(
        _note(
            "Left-out projects that passed screening, the least money needed first. "
            "'exact': by re-solves (analysis.why_not_max_projects or --why-not N), the extra "
            "budget (or subsidy) that brings the project into the optimal portfolio and the "
            "capex at which it would enter; 'unlimited': it would not enter even at zero "
            "capex. 'LP estimate': its reduced cost in the LP relaxation divided by the "
            "budget's shadow price."
        )
    )
    table = appraisal.why_not_table(ds)
    if table.empty:
        out.append("<p>Every project that passed screening was chosen.</p>")
        return out
    shown, cut = _capped(table, "left-out projects")
    out.append(
        _table(
            ["project", "name", "owner", "basis", "capex CNY", "budget charge CNY"]
            + ["break-even capex CNY", "money needed CNY", "note"],
            [
                [
                    r.project,
                    r.name,
                    r.owner,
                    r.basis,
                    fmt_number(r.capex),
                    fmt_number(r.budget_capex),
                    fmt_number(r.break_even_capex),
                    fmt_number(r.money_needed),
                    r.why_not_note,
                ]
                for r in shown.itertuples()
            ],
            numeric_from=4,
            text_columns=(8,),
        )
    )
    out.append(cut)
    out.append(figure)
    return out


def _permit_surplus_html(ds: xr.Dataset, figure: str) -> list[str]:
    out = ["<h2>Emission permits and tradable surplus</h2>"]
    table = appraisal.permit_surplus_table(ds)
    if table.empty:
        return [*out, "<p>No enterprise has an emission permit.</p>"]
    out.append(
        _note(
            "Surplus = permit - emissions after (t/yr). Its value as emission rights "
            "(DOMAIN.md 6.1): sold once at the transfer price (CNY) or leased out every year "
            "(CNY/yr): alternatives, not a sum; n/a = no price for the pollutant. Headroom = "
            "surplus / emissions after: the output growth the surplus allows if emissions "
            "scale with output."
        )
    )
    shown, cut = _capped(table, "permits")
    out.append(
        _table(
            ["enterprise", "pollutant", "before t/yr", "permit t/yr", "after t/yr"]
            + ["surplus t/yr", "excess t/yr", "transfer value CNY", "lease value CNY/yr"]
            + ["headroom"],
            [
                [
                    r.enterprise,
                    r.pollutant,
                    fmt_number(r.baseline_t_per_yr),
                    fmt_number(r.permit_t_per_yr),
                    fmt_number(r.after_t_per_yr),
                    fmt_number(r.surplus_t_per_yr),
                    fmt_number(r.excess_t_per_yr),
                    fmt_number(r.rights_transfer_value_CNY),
                    fmt_number(r.rights_lease_value_CNY_per_yr),
                    _headroom(r.expansion_headroom_fraction),
                ]
                for r in shown.itertuples()
            ],
            numeric_from=2,
        )
    )
    out.append(cut)
    totals = appraisal.permit_surplus_totals(ds)
    out.append("<h3>Park totals per pollutant (permitted enterprises)</h3>")
    out.append(
        _table(
            ["pollutant", "permits", "permit t/yr", "after t/yr", "surplus t/yr"]
            + ["excess t/yr", "transfer value CNY", "lease value CNY/yr", "net headroom"],
            [
                [
                    r.pollutant,
                    f"{r.n_permits:d}",
                    fmt_number(r.permit_t_per_yr),
                    fmt_number(r.after_t_per_yr),
                    fmt_number(r.surplus_t_per_yr),
                    fmt_number(r.excess_t_per_yr),
                    fmt_number(r.rights_transfer_value_CNY),
                    fmt_number(r.rights_lease_value_CNY_per_yr),
                    _headroom(r.net_headroom_fraction),
                ]
                for r in totals.itertuples()
            ],
            numeric_from=1,
        )
    )
    out.append(figure)
    return out


def _audit_html(ds: xr.Dataset, figure: str) -> list[str]:
    full = appraisal.audit_table(ds)
    mandatory = int(full["mandatory_audit"].sum())
    table, cut = _capped(full, "enterprises (highest priority first)")
    out = [
        "<h2>Audit classes and priority tiers</h2>",
        _note(
            f"{mandatory} of {len(full)} enterprises fall under a mandatory cleaner-production "
            "audit (2016 Measures: (1) emissions over the permit, standing in for the "
            "discharge standard and total-load quota; (2) energy over its quota; (3) toxic or "
            "hazardous substances), judged before any project. Priority tiers rank pollution "
            "and energy intensity per 10^4 CNY of output value (tier 1 = most intensive "
            "third); enterprises without output value are tiered among themselves by absolute "
            "load."
        ),
        _table(
            ["enterprise", "name", "sector", "mandatory", "tier", "basis", "eq per 10^4 CNY"]
            + ["tce per 10^4 CNY", "score", "criteria met"],
            [
                [
                    r.enterprise,
                    r.name,
                    r.sector,
                    "yes" if r.mandatory_audit else "no",
                    f"{r.priority_tier:d}",
                    r.priority_basis,
                    fmt_number(r.pe_intensity),
                    fmt_number(r.energy_intensity),
                    fmt_number(r.priority_score),
                    r.audit_criteria,
                ]
                for r in table.itertuples()
            ],
            numeric_from=3,
            text_columns=(3, 5, 9),
        ),
        cut,
        figure,
    ]
    return out


def _cp_html(ds: xr.Dataset) -> list[str]:
    table, cut = _capped(appraisal.cp_table(ds), "enterprises with CP index data")
    if table.empty:
        return []
    return [
        "<h2>Cleaner-production level</h2>",
        _note(str(ds.attrs.get("cp_level_note", ""))),
        _table(
            ["enterprise", "index", "level before", "Y_I", "Y_II", "Y_III", "level after"]
            + ["Y_I", "Y_II", "Y_III", "changed indicators", "restrictive failing after"]
            + ["coverage"],
            [
                [
                    r.enterprise,
                    r.cp_index,
                    r.cp_level_before,
                    f"{r.cp_score_I_before:.1f}",
                    f"{r.cp_score_II_before:.1f}",
                    f"{r.cp_score_III_before:.1f}",
                    r.cp_level_after,
                    f"{r.cp_score_I_after:.1f}",
                    f"{r.cp_score_II_after:.1f}",
                    f"{r.cp_score_III_after:.1f}",
                    r.cp_changed_indicators,
                    r.cp_restrictive_failing_after,
                    r.cp_coverage,
                ]
                for r in table.itertuples()
            ],
            numeric_from=2,
            text_columns=(2, 6, 10, 11, 12),
        ),
        cut,
    ]


def render_report(ds: xr.Dataset) -> str:
    """The report as one HTML string. All figures go through one `figure_blocks` call, so
    plotly.js is embedded in the first one only."""
    projects = selected_projects_table(ds)
    standard = {**figures(ds), **timeline_figures(ds)}
    extra = appraisal.has_appraisal(ds)
    figs = {**standard, **(audit_figures(ds) if extra else {})}
    has_why_not = extra and "subsidy_needed_lp_estimate" in ds
    if has_why_not and not appraisal.why_not_table(ds).empty:
        figs["why_not"] = why_not_figure(ds)
    blocks = dict(zip(figs, figure_blocks(figs), strict=True))
    parts = [
        _header(ds),
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
    ]
    if extra:
        parts += [
            *_economics_html(ds),
            *_public_money_html(ds),
            *_why_not_html(ds, blocks.get("why_not", "")),
            *_permit_surplus_html(ds, blocks["rights_value"]),
            *_audit_html(ds, blocks["intensity_tiers"]),
            *_cp_html(ds),
        ]
    return html_page(f"ParkCP: {ds.attrs.get('scenario', '')}", parts)


def write_report(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write the self-contained HTML report of `ds` to `path`, atomically."""
    return write_text_atomic(path, render_report(ds))
