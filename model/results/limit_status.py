"""Whether each limit of a run is met, and which bind, read from the results Dataset.

One row per limit (over all planning years): the budget (total and, in a plan, each
year's), every permit given, every park cap, every park reduction target, the energy cap
and the energy reduction target. For each: the value reached and the bound in the
tightest year, the slack (how far inside the limit, >= 0 when met) and the status:

* ``not met``: the value is on the wrong side of the bound by more than the tolerance
  (a soft permit paid for in the objective, or a permit in mode `off`);
* ``binding``: met with a slack of at most `BINDING_SHARE` (1e-6) of the bound's size,
  so that the limit holds the portfolio back;
* ``met``: met with room to spare.

The tolerance that decides "not met" is the same share of the bound's size. Budgets,
permits and park caps are checked in every planning year (the Dataset holds them by
year); reduction targets and the energy cap and target in the final year, the only one
whose values the Dataset holds (`reduction_target`, attributes `energy_cap_tce` and
`energy_reduction`; a plan's earlier-year targets are checked by the solve itself,
model/appraise/verify.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

BINDING_SHARE = 1e-6
"""Slack, as a share of the bound's size, at or below which a limit counts as binding."""

COLUMNS = ["limit", "subject", "year", "value", "bound", "unit", "slack", "status"]


def _status(slack: float, bound: float) -> str:
    tolerance = BINDING_SHARE * max(abs(bound), 1e-12)
    if slack < -tolerance:
        return "not met"
    return "binding" if slack <= tolerance else "met"


def _row(limit: str, subject: str, years, slacks, values, bounds, unit: str) -> list:
    """The row of one limit from its per-year value and bound: the tightest year."""
    slacks = np.asarray(slacks, dtype=float)
    finite = np.isfinite(slacks)
    t = int(np.flatnonzero(finite)[np.argmin(slacks[finite])])
    bound = float(np.asarray(bounds, dtype=float)[t])
    slack = float(slacks[t])
    return [
        limit,
        subject,
        int(years[t]),
        float(values[t]),
        bound,
        unit,
        slack,
        _status(slack, bound),
    ]


def limit_status_table(ds: xr.Dataset) -> pd.DataFrame:
    """The limit table described in the module docstring (columns `COLUMNS`)."""
    years = ds["year"].values
    rows: list[list] = []
    spent = ds["capex_used"].values
    total = float(ds.attrs.get("budget_total", np.inf))
    if np.isfinite(total):
        rows.append(
            _row(
                "budget",
                "total capex",
                [years[-1]],
                [total - spent.sum()],
                [spent.sum()],
                [total],
                "CNY",
            )
        )
    if "budget_by_year" in ds and len(years) > 1:
        per_year = ds["budget_by_year"].values
        for t, year in enumerate(years):
            if np.isfinite(per_year[t]):
                rows.append(
                    _row(
                        "budget",
                        f"capex started in {int(year)}",
                        [year],
                        [per_year[t] - spent[t]],
                        [spent[t]],
                        [per_year[t]],
                        "CNY",
                    )
                )
    emissions = ds["emissions"].transpose("year", "enterprise", "pollutant").values
    permits = ds["permit_by_year"].transpose("year", "enterprise", "pollutant").values
    enterprises = ds["enterprise"].values.astype(str)
    pollutants = ds["pollutant"].values.astype(str)
    for e, p in zip(*np.nonzero(np.isfinite(permits).any(axis=0)), strict=True):
        rows.append(
            _row(
                "permit",
                f"{enterprises[e]} {pollutants[p]}",
                years,
                permits[:, e, p] - emissions[:, e, p],
                emissions[:, e, p],
                permits[:, e, p],
                "t/yr",
            )
        )
    park = emissions.sum(axis=1)
    caps = ds["park_cap_by_year"].transpose("year", "pollutant").values
    for p in np.flatnonzero(np.isfinite(caps).any(axis=0)):
        rows.append(
            _row(
                "park cap",
                pollutants[p],
                years,
                caps[:, p] - park[:, p],
                park[:, p],
                caps[:, p],
                "t/yr",
            )
        )
    baseline = ds["emissions_baseline"].sum("enterprise").values
    targets = ds["reduction_target"].values
    final = years[-1:]
    for p in np.flatnonzero(np.isfinite(targets) & (targets > 0)):
        allowed = np.array([(1.0 - targets[p]) * baseline[p]])
        rows.append(
            _row(
                f"reduction target {100 * targets[p]:g}%",
                pollutants[p],
                final,
                allowed - park[-1:, p],
                park[-1:, p],
                allowed,
                "t/yr",
            )
        )
    tce = ds["energy_tce"].sum(("enterprise", "carrier")).values[-1:]
    tce_base = float(ds["energy_tce_baseline"].sum())
    years = final
    cap = float(ds.attrs.get("energy_cap_tce", np.nan))
    if np.isfinite(cap):
        bound = np.full(len(years), cap)
        rows.append(_row("energy cap", "park", years, bound - tce, tce, bound, "tce/yr"))
    cut = float(ds.attrs.get("energy_reduction", np.nan))
    if np.isfinite(cut) and cut > 0:
        bound = np.full(len(years), (1.0 - cut) * tce_base)
        rows.append(
            _row(
                f"energy reduction target {100 * cut:g}%",
                "park",
                years,
                bound - tce,
                tce,
                bound,
                "tce/yr",
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)
