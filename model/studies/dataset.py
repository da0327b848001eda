"""Study points -> one xarray.Dataset with a `point` dimension (written like single runs).

Variables (units in attrs): budget, pollution_avoided / pollution_eq_after, tce_saved /
tce_after, capex, status, feasible, gap, budget_dual (objective units per 10,000 CNY), the
portfolio `selected` (point, project); for budget sweeps also the marginal rates, the
optimisation-consistent MACC, and per project the entry level, entry budget and whether
the project is dropped again at a higher budget.

A point without a portfolio (infeasible, no solution, or a portfolio that breaks a hard
limit: model/studies/validity.py) keeps its row with its `status`, `feasible` = 0 and NaN
in every figure; the attribute `no_portfolio_notes` says which points and why.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from model.appraise.evaluate import is_chosen
from model.compile.park import ParkData
from model.results.dataset import package_versions
from model.results.io import netcdf_attr
from model.results.variables import make_variable
from model.studies.budget import PER, entry_order, marginal_rates
from model.studies.frontier import StudyPoint
from model.studies.validity import blank_invalid, frontier_notes, is_valid, sweep_notes


def study_dataset(park: ParkData, points: list[StudyPoint], kind: str, meta: dict) -> xr.Dataset:
    """The Dataset of one study (`kind` = 'frontier' or 'budget_sweep')."""
    feasible = np.array([is_valid(p) for p in points], dtype=bool)
    points = blank_invalid(points)
    n_points = len(points)
    pe = np.array([p.pollution_avoided for p in points], dtype=float)
    tce = np.array([p.tce_saved for p in points], dtype=float)
    budget = np.array([np.nan if p.budget is None else p.budget for p in points], dtype=float)
    x = np.array([p.x for p in points], dtype=float).reshape(n_points, park.n_projects)
    # what the objective counts (docs/math.md 10): the baseline counts as often
    scale = 1.0
    if park.multi_year and park.horizon_objective == "total":
        per = " (discounted sum over the horizon's years)"
        scale = float(park.discount_factors().sum())
    elif park.multi_year:
        per = " (final year)"
    else:
        per = ""
    data = {
        "budget": make_variable(("point",), budget, "CNY", "budget level of the point"),
        "pollution_avoided": make_variable(
            ("point",), pe, "pollution equivalents/yr" + per, "pollution equivalents avoided"
        ),
        "pollution_eq_after": make_variable(
            ("point",),
            scale * park.baseline_pollution_eq() - pe,
            "pollution equivalents/yr" + per,
            "park pollution equivalents after the portfolio",
        ),
        "tce_saved": make_variable(("point",), tce, "tce/yr" + per, "energy saved"),
        "tce_after": make_variable(
            ("point",), park.baseline_tce() - tce, "tce/yr", "park energy after"
        ),
        "capex": make_variable(
            ("point",), [p.capex for p in points], "CNY", "capex of the portfolio"
        ),
        "n_selected": make_variable(
            ("point",),
            np.where(feasible, is_chosen(np.nan_to_num(x)).sum(axis=1), np.nan),
            "1",
            "projects chosen",
        ),
        "gap": make_variable(
            ("point",),
            [np.nan if p.gap is None else p.gap for p in points],
            "1",
            "relative MIP gap of the point's solves",
        ),
        "status": (("point",), np.array([p.status for p in points], dtype=str)),
        "feasible": make_variable(
            ("point",),
            feasible,
            "1 (bool)",
            "the point has a portfolio that meets every limit (status optimal or time_limit)",
        ),
        "selected": make_variable(("point", "project"), x, "1", "project level in the portfolio"),
        "project_capex": make_variable(("project",), park.capex, "CNY", "project capex"),
    }
    if kind == "budget_sweep":
        duals = np.array([np.nan if p.budget_dual is None else p.budget_dual for p in points])
        data["budget_dual"] = make_variable(
            ("point",),
            duals * PER,
            "objective units per 10,000 CNY",
            "shadow price of the budget (LP relaxation)",
        )
        rates = marginal_rates(points)
        data["marginal_pe_per_10k"] = make_variable(
            ("point",),
            rates["marginal_pe_per_10k"],
            "pollution equivalents/yr per 10,000 CNY",
            "extra pollution equivalents avoided per 10,000 CNY of budget since the last level",
        )
        data["marginal_tce_per_10k"] = make_variable(
            ("point",),
            rates["marginal_tce_per_10k"],
            "tce/yr per 10,000 CNY",
            "extra tce saved per 10,000 CNY of budget since the last level",
        )
        data["macc_cny_per_pe"] = make_variable(
            ("point",),
            rates["macc_cny_per_pe"],
            "CNY per (pollution equivalent/yr)",
            "capex spent since the last level per extra pollution equivalent avoided",
        )
        data["macc_cny_per_tce"] = make_variable(
            ("point",),
            rates["macc_cny_per_tce"],
            "CNY per (tce/yr)",
            "capex spent since the last level per extra tce saved",
        )
        first, dropped = entry_order(points)
        data["entry_level"] = make_variable(
            ("project",),
            first,
            "1",
            "first point (0-based) whose portfolio has the project, -1 never",
        )
        data["entry_budget"] = make_variable(
            ("project",),
            np.where(first >= 0, budget[np.clip(first, 0, None)], np.nan),
            "CNY",
            "lowest budget level at which the project is chosen",
        )
        data["dropped_later"] = make_variable(
            ("project",),
            dropped.astype(int),
            "1",
            "1 if the project is chosen at one level and left out at a higher one",
        )
    if kind == "frontier":
        data["frontier_budget"] = make_variable(
            ("point",), budget, "CNY", "budget of the frontier this point belongs to"
        )
    ds = xr.Dataset(
        data,
        coords={
            "point": np.arange(n_points),
            "project": np.array(park.project_ids, dtype=str),
            "owner": ("project", np.array([park.enterprise_ids[o] for o in park.owner], dtype=str)),
            "project_name": ("project", np.array(park.project_names, dtype=str)),
        },
    )
    statuses = [p.status for p in points]
    least = meta.get("least_budget")
    if kind == "budget_sweep":
        notes = sweep_notes(budget.tolist(), statuses, feasible.tolist(), least)
    else:
        notes = frontier_notes(budget.tolist(), statuses, feasible.tolist(), least)
    attrs = {
        "study": kind,
        "points_without_portfolio": int((~feasible).sum()),
        "no_portfolio_notes": json.dumps(notes),
        "scenario": park.name,
        "baseline_pollution_eq": park.baseline_pollution_eq(),
        "baseline_tce": park.baseline_tce(),
        "objective": park.objective,
        **{f"version_{k}": v for k, v in package_versions().items()},
    }
    for key, value in meta.items():
        if key == "merged":
            attrs["scenario_input"] = json.dumps(value, sort_keys=True, default=str)
        else:
            attrs[key] = value
    ds.attrs = {key: netcdf_attr(value) for key, value in attrs.items()}
    return ds
