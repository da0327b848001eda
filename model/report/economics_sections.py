"""The economics sections of the run report: project economics, public money and
additionality, why not selected (tables from model/results/appraisal_tables.py; the audit
sections are in model/report/audit_sections.py)."""

from __future__ import annotations

import math

import xarray as xr

from model.formatting import table_number
from model.report.html import capped, note, table_html
from model.results import appraisal_tables as appraisal


def _years(value: float) -> str:
    """Payback: 'never' when the cash flow never returns the investment."""
    if value is None or math.isnan(value):
        return "n/a"
    return "never" if math.isinf(value) else f"{value:,.2f}"


def _rate(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100.0 * value:.2f} %"


def economics_html(ds: xr.Dataset) -> list[str]:
    attrs = ds.attrs
    rate = float(attrs.get("finance_benchmark_rate", float("nan")))
    tax = float(attrs.get("finance_income_tax_rate", float("nan")))
    budget = float(attrs.get("budget_total", float("inf")))
    public = float(attrs.get("public_budget", float("inf")))
    out = [
        "<h2>Project economics</h2>",
        note(
            "Feasibility figures of the cleaner-production audit (docs/finance.md) for each "
            "project alone, without subsidy: annual saving P = energy cost saved - opex "
            "change + environmental tax avoided + surplus-rights value; D = capex / "
            "lifetime; cash flow F = (P - D)(1 - tax) + D; payback = capex / F; NPV over "
            f"the lifetime at the benchmark rate {_rate(rate)}, income tax {_rate(tax)}; "
            f"IRR: {attrs.get('irr_scope', '')}. Figures are at full adoption."
        ),
        note(
            f"Enterprises' budget charged {table_number(float(attrs.get('budget_charged', 0)))}"
            f" CNY of {table_number(budget)} CNY (capex net of subsidy); public subsidy "
            f"{table_number(float(attrs.get('subsidy_granted', 0)))} CNY of "
            f"{table_number(public)} CNY; options done at once "
            f"{table_number(float(attrs.get('forced_capex', 0)))} CNY outside the budget."
        ),
        *(note(f"Note: {text}.") for text in appraisal.finance_notes(ds)),
    ]
    chosen, cut = capped(appraisal.economics_table(ds), "chosen projects")
    headers = ["project", "name", "owner", "class", "capex CNY", "subsidy CNY"]
    headers += ["budget charge CNY", "saving P CNY/yr", "payback yr", "NPV CNY", "IRR"]
    out.append(
        table_html(
            headers,
            [
                [
                    r.project,
                    r.name,
                    r.owner,
                    r.cost_class,
                    table_number(r.capex),
                    table_number(r.subsidy),
                    table_number(r.budget_capex),
                    table_number(r.annual_saving_total),
                    _years(r.payback_years),
                    table_number(r.npv),
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
            table_html(
                ["project", "name", "owner", "capex CNY", "saving P CNY/yr", "payback yr"]
                + ["NPV CNY"],
                [
                    [
                        r.project,
                        r.name,
                        r.owner,
                        table_number(r.capex),
                        table_number(r.annual_saving_total),
                        _years(r.payback_years),
                        table_number(r.npv),
                    ]
                    for r in forced.itertuples()
                ],
                numeric_from=3,
            )
        )

    out.append("<h3>Projects screened out</h3>")
    rules = appraisal.finance_screening(ds)
    active = [name for name in ("payback", "npv", "irr") if rules.get(name)]
    screened, cut = capped(appraisal.screened_table(ds), "screened-out projects")
    if not active:
        out.append("<p>No screening rule is on (finance.screening).</p>")
    elif screened.empty:
        out.append(f"<p>Every project passes the {', '.join(active)} rule(s).</p>")
    else:
        out.append(note(f"Rules on: {', '.join(active)}."))
        out.append(
            table_html(
                ["project", "name", "owner", "class", "capex CNY", "payback yr", "NPV CNY"]
                + ["IRR", "reason"],
                [
                    [
                        r.project,
                        r.name,
                        r.owner,
                        r.cost_class,
                        table_number(r.capex),
                        _years(r.payback_years),
                        table_number(r.npv),
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


def public_money_html(ds: xr.Dataset) -> list[str]:
    out = ["<h2>Public money and additionality</h2>"]
    table = appraisal.public_money_table(ds)
    needing = table[table["needs_public_money"] == 1]
    if not (ds["subsidy"].values > 0).any():
        out.append(note("No subsidy rates are set (budget.subsidy.rates): no grants."))
    rate = _rate(float(ds.attrs.get("finance_benchmark_rate", float("nan"))))
    out.append(
        note(
            f"{len(needing)} chosen project(s) are not privately profitable (NPV < 0 without "
            f"subsidy at {rate}): they need public money, or are chosen for their permits and "
            "targets. A grant to a privately profitable project is not additional. Ranked by "
            "pollution equivalents avoided per year per public yuan (nominal)."
        )
    )
    if table.empty:
        out.append("<p>No chosen project receives or needs public money.</p>")
        return out
    shown, cut = capped(table, "projects")
    out.append(
        table_html(
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
                    table_number(r.subsidy),
                    table_number(r.npv),
                    table_number(r.npv_with_subsidy),
                    table_number(r.subsidy_for_npv_zero),
                    table_number(r.pe_avoided_per_yr),
                    table_number(r.pe_per_public_yuan),
                    table_number(r.tce_per_public_yuan),
                ]
                for r in shown.itertuples()
            ],
            numeric_from=4,
        )
    )
    out.append(cut)
    return out


def why_not_html(ds: xr.Dataset, figure: str = "") -> list[str]:
    out = ["<h2>Why not selected</h2>"]
    if "subsidy_needed_lp_estimate" not in ds:
        out.append(
            "<p>Not computed: ask for it with <code>analysis.why_not_max_projects</code> or "
            "<code>--why-not N</code> (optimal solves of the weighted, pollution or energy "
            "objectives).</p>"
        )
        return out
    out.append(
        note(
            "Left-out projects that passed screening, the least money needed first. "
            "'exact': by re-solves (analysis.why_not_max_projects or --why-not N), the extra "
            "budget (or subsidy) that brings the project into the optimal portfolio and the "
            "capex at which it would enter; 'unlimited': it would not enter even at zero "
            "capex. 'LP estimate': its reduced cost in the LP relaxation divided by the "
            "budget's shadow price. 'limit': the LP gives no money figure; the reason "
            "column says what keeps the project out."
        )
    )
    table = appraisal.why_not_table(ds)
    if table.empty:
        out.append("<p>Every project that passed screening was chosen.</p>")
        return out
    shown, cut = capped(table, "left-out projects")
    out.append(
        table_html(
            ["project", "name", "owner", "basis", "capex CNY", "budget charge CNY"]
            + ["break-even capex CNY", "money needed CNY", "note", "what keeps it out"],
            [
                [
                    r.project,
                    r.name,
                    r.owner,
                    r.basis,
                    table_number(r.capex),
                    table_number(r.budget_capex),
                    table_number(r.break_even_capex),
                    table_number(r.money_needed),
                    r.why_not_note,
                    r.reason,
                ]
                for r in shown.itertuples()
            ],
            numeric_from=4,
            text_columns=(8, 9),
            what="left-out projects",
        )
    )
    out.append(cut)
    out.append(figure)
    return out
