"""Park totals, tables and the plain-text summary read from a results Dataset.

Everything here reads only the Dataset of `model.results.dataset.build_dataset`; park totals are
those of the last planning year (`summary_year`), when every chosen project is in effect:

* `summary_table`: park totals before and after per quantity (pollution equivalents per
  medium, solid waste, other tracked pollutants, energy in tce, CO2 from energy);
* `pollutant_table` (and `pollutant_rows`, its formatted rows): park totals per pollutant;
* `permit_excess_table`: the (enterprise, pollutant) pairs above their permit;
* `top_projects`: the chosen projects that avoid the most pollution equivalents;
* `summary_text`: the plain-text summary printed after a run, built from the above.

`fmt_number`, `fmt_pct` and `status_line` format numbers and the solver status the same
way for the text summary and the HTML report.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.results.dataset import PE_UNITS, selected_projects_table

MEDIA = ("air", "water", "solid", "other")
"""Pollutant media, in report order."""


def summary_year(ds: xr.Dataset) -> Any:
    """The year the summary describes: the last planning year (everything in effect)."""
    return ds["year"].values[-1]


def _medium_total(ds: xr.Dataset, variable: str, medium: str, year: Any = None) -> float:
    data = ds[variable] if year is None else ds[variable].sel(year=year)
    mask = ds["pollutant_medium"] == medium
    return float(data.where(mask, 0.0).sum())


def pe_media(ds: xr.Dataset) -> list[str]:
    """Media to report in pollution equivalents: air and water always, solid/other only
    when the scenario gives one of their pollutants an equivalent value."""
    media = ds["pollutant_medium"].values.astype(str)
    has_pe = ds["pe_per_t"].values > 0
    return [m for m in MEDIA if m in ("air", "water") or (has_pe & (media == m)).any()]


def summary_table(ds: xr.Dataset) -> pd.DataFrame:
    """Park totals before and after (last planning year), one row per quantity:
    columns quantity, unit, baseline, after, change (= after - baseline), change_pct
    (NaN when the baseline is 0). Rows: pollution equivalents per medium (`pe_media`),
    solid waste (t), other tracked pollutants (t, only if any), energy (tce), CO2 (t)."""
    year = summary_year(ds)
    rows = [
        (
            f"{medium.capitalize()} pollution",
            PE_UNITS,
            _medium_total(ds, "pollution_eq_baseline", medium),
            _medium_total(ds, "pollution_eq", medium, year),
        )
        for medium in pe_media(ds)
    ]
    rows.append(
        (
            "Solid waste",
            "t/yr",
            _medium_total(ds, "emissions_baseline", "solid"),
            _medium_total(ds, "emissions", "solid", year),
        )
    )
    if "other" in set(ds["pollutant_medium"].values.astype(str)):
        rows.append(
            (
                "Other tracked pollutants",
                "t/yr",
                _medium_total(ds, "emissions_baseline", "other"),
                _medium_total(ds, "emissions", "other", year),
            )
        )
    rows += [
        (
            "Energy",
            "tce/yr",
            float(ds["energy_tce_baseline"].sum()),
            float(ds["energy_tce"].sel(year=year).sum()),
        ),
        (
            "CO2 from energy",
            "tCO2/yr",
            float(ds["co2_baseline"].sum()),
            float(ds["co2"].sel(year=year).sum()),
        ),
    ]
    frame = pd.DataFrame(rows, columns=["quantity", "unit", "baseline", "after"])
    frame["change"] = frame["after"] - frame["baseline"]
    base = frame["baseline"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["change_pct"] = np.where(base != 0, 100.0 * frame["change"] / base, np.nan)
    return frame


def summary_rows(ds: xr.Dataset) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted rows of `summary_table`, for the text and HTML summaries."""
    headers = ["Park total", "unit", "baseline", "after", "change", "change %"]
    rows = [
        [
            r.quantity,
            r.unit,
            fmt_number(r.baseline),
            fmt_number(r.after),
            fmt_number(r.change),
            fmt_pct(r.change_pct),
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
            fmt_number(r.baseline_t),
            fmt_number(r.after_t),
            fmt_pct(r.change_pct),
            fmt_number(r.baseline_pe),
            fmt_number(r.after_pe),
        ]
        for r in pollutant_table(ds).itertuples()
    ]
    return headers, rows


def pollutant_table(ds: xr.Dataset) -> pd.DataFrame:
    """Park totals per pollutant (last planning year): pollutant, medium, baseline_t,
    after_t, change_pct, baseline_pe, after_pe (pollution equivalents/yr)."""
    year = summary_year(ds)
    base_t = ds["emissions_baseline"].sum("enterprise").values
    after_t = ds["emissions"].sel(year=year).sum("enterprise").values
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(base_t != 0, 100.0 * (after_t - base_t) / base_t, np.nan)
    return pd.DataFrame(
        {
            "pollutant": ds["pollutant"].values.astype(str),
            "medium": ds["pollutant_medium"].values.astype(str),
            "baseline_t": base_t,
            "after_t": after_t,
            "change_pct": pct,
            "baseline_pe": ds["pollution_eq_baseline"].sum("enterprise").values,
            "after_pe": ds["pollution_eq"].sel(year=year).sum("enterprise").values,
        }
    )


def permit_excess_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted rows of a `permit_excess_table`, for text and HTML."""
    headers = ["enterprise", "pollutant", "after t/yr", "permit t/yr", "excess t/yr"]
    rows = [
        [
            r.enterprise,
            r.pollutant,
            fmt_number(r.after_t),
            fmt_number(r.permit_t),
            fmt_number(r.excess_t),
        ]
        for r in table.itertuples()
    ]
    return headers, rows


def permit_excess_table(ds: xr.Dataset) -> pd.DataFrame:
    """(enterprise, pollutant) pairs above their permit in the last planning year:
    enterprise, pollutant, after_t, permit_t, excess_t."""
    year = summary_year(ds)
    pair = ("enterprise", "pollutant")
    excess = ds["permit_excess"].sel(year=year).transpose(*pair).values
    after = ds["emissions"].sel(year=year).transpose(*pair).values
    permit = ds["permit"].transpose(*pair).values
    enterprises = ds["enterprise"].values.astype(str)
    pollutants = ds["pollutant"].values.astype(str)
    rows = [
        (
            enterprises[e],
            pollutants[p],
            float(after[e, p]),
            float(permit[e, p]),
            float(excess[e, p]),
        )
        for e, p in zip(*np.nonzero(excess > 1e-9), strict=True)
    ]
    return pd.DataFrame(
        rows, columns=["enterprise", "pollutant", "after_t", "permit_t", "excess_t"]
    )


def fmt_number(value: float) -> str:
    """Readable number: thousands separators; no decimals from 100,000 up, 2 decimals from 1
    up, 3 significant digits below 1."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "unlimited" if value > 0 else "-inf"
    if value == 0:
        return "0"
    if abs(value) >= 1e5:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def fmt_pct(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:+.1f}%"


def status_line(ds: xr.Dataset) -> str:
    """'status optimal (optimal), relative gap 0.0100% = 1.5 pollution equivalents/yr'."""
    attrs = ds.attrs
    gap = attrs.get("gap", float("nan"))
    text = f"status {attrs.get('status', '?')} ({attrs.get('termination', '?')})"
    if isinstance(gap, (int, float)) and not math.isnan(gap):
        text += f", relative gap {100.0 * gap:.4g}%"
        gap_abs = attrs.get("gap_abs")
        if isinstance(gap_abs, (int, float)) and not math.isnan(gap_abs):
            text += f" = {fmt_number(gap_abs)} {attrs.get('gap_units', '')}".rstrip()
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


def top_projects(ds: xr.Dataset, n: int = 10) -> pd.DataFrame:
    """The `n` chosen projects with the most (nominal) pollution equivalents avoided."""
    table = selected_projects_table(ds)
    return table.sort_values(["pe_avoided_per_yr", "id"], ascending=[False, True]).head(n)


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
    out.append(f"Capex used: {fmt_number(spent)} CNY of budget {fmt_number(budget)} CNY{share}")
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
                    fmt_number(r.capex_spent_CNY),
                    fmt_number(r.pe_avoided_per_yr),
                    fmt_number(r.tce_saved_per_yr),
                    fmt_number(r.CNY_per_pe),
                ]
                for r in top.itertuples()
            ],
            left=2,
        )
    return "\n".join(out) + "\n"
