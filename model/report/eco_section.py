"""The report section "Eco-industrial park indicators (HJ 274-2015)": a self-contained
block of the run page, read from the results Dataset only (model/results/eco_dataset.py).

The indicators are intensities per unit of industrial value added before and after the
chosen projects (value added held at the baseline). The standard's thresholds could not
be verified from a public copy, so the threshold column says "threshold unverified"; a
verified related benchmark (near-zero-carbon park reference values) is shown beside.
"""

from __future__ import annotations

import html
import math

import xarray as xr

from model.formatting import table_number
from model.report.html import note, table_html
from model.results.eco_dataset import eco_table

HEADING = "<h2>Eco-industrial park indicators (HJ 274-2015)</h2>"


def _change(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100.0 * value:+.1f}%"


def _threshold(value: float, status: str) -> str:
    return status if math.isnan(value) else table_number(value)


def eco_indicators_html(ds: xr.Dataset) -> list[str]:
    """The section as HTML parts (heading, note, table), or a one-line explanation when
    the inventory has no value added."""
    table = eco_table(ds)
    if table.empty:
        missing = str(ds.attrs.get("value_added_missing", ""))
        count = len([m for m in missing.split(",") if m])
        reason = (
            f"{count} enterprise{'s lack' if count != 1 else ' lacks'} value_added"
            if count
            else "the run has no indicator data"
        )
        return [
            HEADING,
            f"<p>Not computed: {html.escape(reason)} (industrial value added, 10^4 CNY/yr, "
            "per enterprise in the inventory).</p>",
        ]
    total = float(ds.attrs.get("value_added_total", math.nan))
    sources = sorted({s for s in table["reference_source"] if s})
    parts = [
        HEADING,
        note(
            f"Park industrial value added {table_number(total)} x 10^4 CNY/yr (the sum of "
            "the enterprises'), held at the baseline: the projects change loads, not "
            "production. Energy in tce on the GB/T 2589 equivalent-value basis; CO2 from "
            "energy. No public copy of the standard's threshold table was retrieved, so "
            "its thresholds are shown as 'threshold unverified'. Reference: "
            + "; ".join(sources)
            + "."
        ),
        table_html(
            ["indicator", "unit", "before", "after", "change", "HJ 274 threshold"]
            + ["reference", "after meets reference"],
            [
                [
                    f"{r.name} ({r.name_zh})",
                    r.unit,
                    table_number(r.before),
                    table_number(r.after),
                    _change(r.change),
                    _threshold(r.threshold, r.threshold_status),
                    table_number(r.reference) if not math.isnan(r.reference) else "",
                    ("yes" if r.after <= r.reference else "no")
                    if not math.isnan(r.reference)
                    else "",
                ]
                for r in table.itertuples()
            ],
            numeric_from=2,
            text_columns=(5, 7),
        ),
    ]
    return parts
