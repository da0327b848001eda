"""The appraisal sections of the run report: project economics, public money and
additionality, why not selected, emission permits and tradable surplus, audit classes and
priority tiers, cleaner-production level (variables from `model.results.appraisal_dataset`)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
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


def _headroom(value: float) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return "unlimited" if math.isinf(value) else f"{100.0 * value:,.1f} %"


def economics_html(ds: xr.Dataset) -> list[str]:
    attrs = ds.attrs
    rate = float(attrs.get("finance_benchmark_rate", float("nan")))
    tax = float(attrs.get("finance_income_tax_rate", float("nan")))
    budget = float(attrs.get("budget_total", float("inf")))
    public = float(attrs.get("public_budget", float("inf")))
    out = [
        "<h2>Project economics</h2>",
        note(
            "Feasibility figures of the cleaner-production audit (DOMAIN.md 1.4) for each "
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
            "budget's shadow price."
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
            + ["break-even capex CNY", "money needed CNY", "note"],
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


def permit_surplus_html(ds: xr.Dataset, figure: str) -> list[str]:
    out = ["<h2>Emission permits and tradable surplus</h2>"]
    table = appraisal.permit_surplus_table(ds)
    if table.empty:
        return [*out, "<p>No enterprise has an emission permit.</p>"]
    out.append(
        note(
            "Surplus = permit - emissions after (t/yr). Its value as emission rights "
            "(DOMAIN.md 6.1): sold once at the transfer price (CNY) or leased out every year "
            "(CNY/yr): alternatives, not a sum; n/a = no price for the pollutant. Headroom = "
            "surplus / emissions after: the output growth the surplus allows if emissions "
            "scale with output."
        )
    )
    shown, cut = capped(table, "permits")
    out.append(
        table_html(
            ["enterprise", "pollutant", "before t/yr", "permit t/yr", "after t/yr"]
            + ["surplus t/yr", "excess t/yr", "transfer value CNY", "lease value CNY/yr"]
            + ["headroom"],
            [
                [
                    r.enterprise,
                    r.pollutant,
                    table_number(r.baseline_t_per_yr),
                    table_number(r.permit_t_per_yr),
                    table_number(r.after_t_per_yr),
                    table_number(r.surplus_t_per_yr),
                    table_number(r.excess_t_per_yr),
                    table_number(r.rights_transfer_value_CNY),
                    table_number(r.rights_lease_value_CNY_per_yr),
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
        table_html(
            ["pollutant", "permits", "permit t/yr", "after t/yr", "surplus t/yr"]
            + ["excess t/yr", "transfer value CNY", "lease value CNY/yr", "net headroom"],
            [
                [
                    r.pollutant,
                    f"{r.n_permits:d}",
                    table_number(r.permit_t_per_yr),
                    table_number(r.after_t_per_yr),
                    table_number(r.surplus_t_per_yr),
                    table_number(r.excess_t_per_yr),
                    table_number(r.rights_transfer_value_CNY),
                    table_number(r.rights_lease_value_CNY_per_yr),
                    _headroom(r.net_headroom_fraction),
                ]
                for r in totals.itertuples()
            ],
            numeric_from=1,
        )
    )
    out.append(figure)
    return out


def audit_html(ds: xr.Dataset, figure: str) -> list[str]:
    full = appraisal.audit_table(ds)
    mandatory = int(full["mandatory_audit"].sum())
    table, cut = capped(full, "enterprises (highest priority first)")
    out = [
        "<h2>Audit classes and priority tiers</h2>",
        note(
            f"{mandatory} of {len(full)} enterprises fall under a mandatory cleaner-production "
            "audit (2016 Measures: (1) emissions over the permit, standing in for the "
            "discharge standard and total-load quota; (2) energy over its quota; (3) toxic or "
            "hazardous substances), judged before any project. Priority tiers rank pollution "
            "and energy intensity per 10^4 CNY of output value (tier 1 = most intensive "
            "third); enterprises without output value are tiered among themselves by absolute "
            "load."
        ),
        table_html(
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
                    table_number(r.pe_intensity),
                    table_number(r.energy_intensity),
                    table_number(r.priority_score),
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


def cp_html(ds: xr.Dataset) -> list[str]:
    table, cut = capped(appraisal.cp_table(ds), "enterprises with CP index data")
    if table.empty:
        return []
    return [
        "<h2>Cleaner-production level</h2>",
        note(str(ds.attrs.get("cp_level_note", ""))),
        table_html(
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
