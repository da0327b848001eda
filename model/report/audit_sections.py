"""The audit sections of the run report: emission permits and tradable surplus, audit
classes and priority tiers, cleaner-production level (tables from
model/results/appraisal_tables.py)."""

from __future__ import annotations

import math

import xarray as xr

from model.formatting import table_number
from model.report.html import capped, note, table_html
from model.results import appraisal_tables as appraisal


def _headroom(value: float) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return "unlimited" if math.isinf(value) else f"{100.0 * value:,.1f} %"


def permit_surplus_html(ds: xr.Dataset, figure: str) -> list[str]:
    out = ["<h2>Emission permits and tradable surplus</h2>"]
    table = appraisal.permit_surplus_table(ds)
    if table.empty:
        return [*out, "<p>No enterprise has an emission permit.</p>"]
    out.append(
        note(
            "Surplus = permit - emissions after (t/yr). Its value as emission rights "
            "(docs/audit.md): sold once at the transfer price (CNY) or leased out every year "
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
