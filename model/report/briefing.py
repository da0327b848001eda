"""The briefing at the top of summary.html and of the terminal summary: what the budget
buys and whether every limit is met, in plain words.

`headline_facts(ds)` gives the facts once (both pages use them): money spent against the
budget, projects chosen, pollution equivalents avoided, tce saved and CO2 avoided per
year (baseline minus after, the last planning year, as in the park totals), and the limit
counts of `model.results.limit_status`. Money is in M CNY throughout (`model.formatting.
money`), amounts by `model.formatting.amount`.
"""

from __future__ import annotations

import html

import pandas as pd
import xarray as xr

from model.formatting import amount, money, percent
from model.results.limit_status import limit_status_table
from model.results.summary_tables import selected_projects_table, summary_table


def _avoided(ds: xr.Dataset) -> dict[str, tuple[float, float]]:
    """Quantity -> (avoided per year, share of the baseline) from the park totals."""
    table = summary_table(ds)
    pe = table[table["unit"].str.contains("equivalent")]
    out = {
        "pollution": (float(-pe["change"].sum()), float(-pe["change"].sum() / pe["baseline"].sum()))
    }
    for name, quantity in (("energy", "Energy"), ("co2", "CO2 from energy")):
        row = table[table["quantity"] == quantity]
        if len(row):
            base = float(row["baseline"].iloc[0])
            change = float(row["change"].iloc[0])
            out[name] = (-change, -change / base if base else float("nan"))
    return out


def headline_facts(ds: xr.Dataset) -> list[tuple[str, str, str]]:
    """(label, value, detail) of the headline, in reading order."""
    spent = float(ds["capex_used"].sum())
    budget = float(ds.attrs.get("budget_total", float("inf")))
    chosen = len(selected_projects_table(ds))
    avoided = _avoided(ds)
    facts = [
        (
            "Capex spent",
            money(spent),
            f"of a {money(budget)} budget ({percent(spent / budget)})"
            if budget and budget != float("inf")
            else "no total budget",
        ),
        ("Projects chosen", f"{chosen} of {ds.sizes['project']}", "candidate projects"),
    ]
    value, share = avoided["pollution"]
    facts.append(
        (
            "Pollution avoided",
            amount(value, "eq/yr"),
            f"pollution equivalents, {percent(share)} of the baseline",
        )
    )
    if "energy" in avoided:
        value, share = avoided["energy"]
        facts.append(("Energy saved", amount(value, "tce/yr"), f"{percent(share)} of the baseline"))
    if "co2" in avoided:
        value, share = avoided["co2"]
        facts.append(("CO2 avoided", amount(value, "tCO2/yr"), f"{percent(share)} of the baseline"))
    return facts


def limits_sentence(limits: pd.DataFrame) -> tuple[bool, str]:
    """(every limit met, one sentence on the limits and which bind)."""
    if limits.empty:
        return True, "The scenario sets no budget, permit, cap or target."
    missed = limits[limits["status"] == "not met"]
    binding = limits[limits["status"] == "binding"]
    text = (
        f"All {len(limits)} limits are met"
        if missed.empty
        else f"{len(missed)} of {len(limits)} limits are not met ("
        + ", ".join(f"{r.limit} ({r.subject})" for r in missed.head(5).itertuples())
        + (", ..." if len(missed) > 5 else "")
        + ")"
    )
    if binding.empty:
        text += "; none binds (each has room to spare)."
    else:
        names = [f"{r.limit} ({r.subject})" for r in binding.head(8).itertuples()]
        more = f" and {len(binding) - 8} more" if len(binding) > 8 else ""
        verb = "binds" if len(binding) == 1 else "bind"
        text += f"; {len(binding)} {verb} (hold the portfolio back): {', '.join(names)}{more}."
    return missed.empty, text


def headline_html(ds: xr.Dataset) -> str:
    """The headline block of summary.html: the facts as tiles, then the limits sentence."""
    tiles = "".join(
        f"<div>{html.escape(label)}<b>{html.escape(value)}</b>"
        f"<small>{html.escape(detail)}</small></div>"
        for label, value, detail in headline_facts(ds)
    )
    ok, sentence = limits_sentence(limit_status_table(ds))
    css = "ok" if ok else "bad"
    return (
        f'<div class="headline">{tiles}</div>'
        f'<p class="{css}">{html.escape(sentence)} Money is in CNY; M CNY = 10^6 CNY.</p>'
    )
