"""Project economics, public money, the audit view and CP levels of one solved run, as
variables of its results Dataset, and the tables the report reads back from it.

`appraisal_dataset(park, scenario, result, before, after)` gathers what the separate
modules compute into one Dataset on the run's axes; `add_appraisal` merges it into the
run's Dataset (attributes included). Every figure is documented in docs/results.md:

* per project (`model/appraise/finance.py`, DOMAIN.md 1.4): the annual net operating saving
  P = energy cost saved - opex change + EP tax avoided + surplus-rights value, and its
  parts; the feasibility figures without subsidy (depreciation D = I/Y, cash flow
  F = (P - D)(1 - tax) + D, payback N = I/F, NPV = F * sum_{j=1..Y} (1 + i)^-j - I,
  NPVR = NPV/I, IRR where NPV = 0); the cost class; the subsidy min(rate * capex, cap)
  and the NPV with it; the options done at once and those screened out
  (`model/appraise/economics.py`); whether a chosen project needs public money (NPV < 0 without
  subsidy) and what a public yuan buys (pollution equivalents or tce per year / subsidy);
* per (enterprise, pollutant) and enterprise (`model/appraise/audit.py`): permit surplus, its
  transfer and lease value, expansion headroom, the mandatory-audit criteria of the 2016
  Measures and the audit priority tiers;
* per enterprise (`model/appraise/cp_level.py`, DOMAIN.md 4): the cleaner-production level and
  composite scores before and after the chosen projects.

A project counts as chosen when its level exceeds `CHOSEN_THRESHOLD` (as in the results
tables); the economic figures are those of full adoption (capex, saving, NPV and subsidy
all scale with a divisible project's level, so payback, IRR, the verdicts and the
per-yuan ratios do not depend on it). A project changes CP indicators only when fully
adopted (an indicator value is not linear in the level).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model.appraise.audit import DEFAULT_TIER_CUTS, audit_dataset, permit_totals
from model.appraise.cp_level import cp_level_table
from model.appraise.evaluate import ParkState
from model.appraise.feasibility import feasibility
from model.appraise.finance import (
    additionality,
    annual_saving,
    benchmark_rate,
    break_even_subsidy,
    cost_class,
    privately_profitable,
    project_effects,
    right_prices,
)
from model.compile.park import ParkData
from model.input.cp_index import LEVELS
from model.input.schema import PARK_ID, Scenario
from model.report.text import summary_year
from model.results.dataset import CHOSEN_THRESHOLD, make_variable
from solvers.base import SolveResult

IRR_ALL_MAX_PROJECTS = 5000
"""Up to this many projects every project gets an IRR; above it only the chosen ones (an
IRR is a polynomial root, 0.1-0.5 ms a project)."""

FULLY_ADOPTED = 1.0 - 1e-6
"""A project's CP indicator values apply when its level is at least this."""

_PE_PER_YUAN = "pollution equivalents/yr per CNY"
_TCE_PER_YUAN = "tce/yr per CNY"


# --------------------------------------------------------------------------- dataset


def project_levels(park: ParkData, result: SolveResult) -> np.ndarray:
    """(N,) adoption level over the horizon, clipped to [0, 1]."""
    if result.x is None:
        raise ValueError(f"solve result has no selection (status {result.status})")
    level = np.clip(np.asarray(result.x, dtype=float), 0.0, 1.0)
    if level.shape != (park.n_projects,):
        raise ValueError(f"selection has shape {level.shape}, park has {park.n_projects}")
    return level


def _text(values: Any) -> np.ndarray:
    """A numpy str array (NetCDF-ready; '<U1' when empty or all '')."""
    array = np.asarray([str(v) for v in values], dtype=str)
    return array if array.size else array.astype("<U1")


def economics_dataset(
    park: ParkData,
    scenario: Scenario,
    level: np.ndarray,
    irr_limit: int = IRR_ALL_MAX_PROJECTS,
) -> xr.Dataset:
    """The per-project economics (module docstring) on the `project` axis.

    `park` must carry the scenario's economics (`model.appraise.economics.attach_economics`):
    subsidy, forced, excluded and `extras['screening_reasons']`. `level` is the (N,)
    adoption level. IRR is computed for every project when the park has at most
    `irr_limit` projects, else for the chosen ones only (NaN elsewhere; the attribute
    `irr_scope` says which).
    """
    finance = scenario.finance
    rate = benchmark_rate(scenario)
    tax = finance.income_tax_rate
    n = park.n_projects
    chosen = level > CHOSEN_THRESHOLD
    saving = annual_saving(park, finance, right_prices(scenario.trading))
    all_irr = n <= irr_limit
    table = feasibility(park.capex, saving.total, park.lifetime, tax, rate, with_irr=all_irr)
    picked = np.flatnonzero(chosen)
    if all_irr:
        irr = table.irr
        irr_scope = f"all projects (the park has {n} <= {irr_limit})"
    else:
        irr = np.full(n, np.nan)
        if picked.size:
            irr[picked] = feasibility(
                park.capex[picked], saving.total[picked], park.lifetime[picked], tax, rate
            ).irr
        irr_scope = f"chosen projects only (the park has {n} > {irr_limit} projects); NaN elsewhere"

    subsidy = np.asarray(park.subsidy, dtype=float)
    profitable = privately_profitable(table)
    with_grant = feasibility(
        park.capex - subsidy, saving.total, park.lifetime, tax, rate, with_irr=False
    )
    pollution_eq, tce = project_effects(park)
    verdict = np.full(n, "", dtype=object)
    pe_per_yuan = np.full(n, np.nan)
    tce_per_yuan = np.full(n, np.nan)
    if picked.size:
        frame = additionality(
            [park.project_ids[j] for j in picked],
            np.ones(picked.size),
            feasibility(
                park.capex[picked],
                saving.total[picked],
                park.lifetime[picked],
                tax,
                rate,
                with_irr=False,
            ),
            subsidy[picked],
            pollution_eq[picked],
            tce[picked],
        ).reindex([park.project_ids[j] for j in picked])
        verdict[picked] = frame["verdict"].to_numpy()
        pe_per_yuan[picked] = frame["pe_per_public_yuan"].to_numpy(dtype=float)
        tce_per_yuan[picked] = frame["tce_per_public_yuan"].to_numpy(dtype=float)

    reasons = park.extras.get("screening_reasons") or [""] * n
    excluded = np.asarray(park.excluded, dtype=bool)
    forced = np.asarray(park.forced, dtype=bool)
    charge = park.budget_capex()
    p = ("project",)
    data_vars = {
        "energy_cost_saved": make_variable(
            p, saving.energy_cost_saved, "CNY/yr", "energy saved x carrier price (nominal)"
        ),
        "env_tax_saved": make_variable(
            p,
            saving.env_tax_saved,
            "CNY/yr",
            "environmental protection tax avoided (national formula, nominal upper bound)",
        ),
        "rights_value": make_variable(
            p,
            saving.rights_value,
            "CNY/yr",
            f"surplus emission rights counted in the saving ({finance.surplus_rights})",
        ),
        "annual_saving_total": make_variable(
            p,
            saving.total,
            "CNY/yr",
            "annual net operating saving P = energy cost saved - opex_change + env_tax_saved "
            "+ rights_value",
        ),
        "cash_flow": make_variable(
            p, table.cash_flow, "CNY/yr", "annual net cash flow F = (P - D)(1 - tax) + D"
        ),
        "payback_years": make_variable(
            p, table.payback, "yr", "simple payback N = I / F without subsidy (inf: F <= 0)"
        ),
        "npv": make_variable(
            p, table.npv, "CNY", f"net present value without subsidy at {rate:.4g}"
        ),
        "npvr": make_variable(p, table.npvr, "1", "NPV / capex (NaN: no capex)"),
        "irr": xr.Variable(
            p,
            irr,
            attrs={
                "units": "1",
                "long_name": "internal rate of return without subsidy (fraction; NaN: none)",
                "scope": irr_scope,
            },
        ),
        "cost_class": make_variable(
            p, _text(cost_class(park.capex, finance.classes)), "", "no_low, medium or high"
        ),
        "privately_profitable": make_variable(
            p, profitable.astype(np.int64), "1", "1 = NPV >= 0 without subsidy"
        ),
        "subsidy": make_variable(
            p, subsidy, "CNY", "public co-funding at full adoption: min(rate x capex, cap)"
        ),
        "budget_capex": make_variable(
            p,
            charge,
            "CNY",
            "what the project takes from the budget: capex - subsidy, 0 when done at once",
        ),
        "npv_with_subsidy": make_variable(
            p, with_grant.npv, "CNY", "NPV when the enterprise invests capex - subsidy"
        ),
        "subsidy_for_npv_zero": make_variable(
            p,
            break_even_subsidy(table),
            "CNY",
            "least grant bringing NPV to 0 (0: profitable; inf: not even with a full grant)",
        ),
        "forced": make_variable(
            p,
            forced.astype(np.int64),
            "1",
            "1 = no/low-cost option done at once, outside the budget",
        ),
        "excluded": make_variable(
            p, excluded.astype(np.int64), "1", "1 = screened out by the acceptance rules"
        ),
        "screening_reason": make_variable(
            p,
            _text(np.where(excluded, np.asarray(reasons, dtype=object), "")),
            "",
            "failed acceptance rules with their figures ('' = not screened out)",
        ),
        "needs_public_money": make_variable(
            p,
            (chosen & ~profitable).astype(np.int64),
            "1",
            "1 = chosen and not privately profitable (NPV < 0 without subsidy)",
        ),
        "additionality_verdict": make_variable(
            p, _text(verdict), "", "is the subsidy additional? (chosen projects; '' elsewhere)"
        ),
        "pe_per_public_yuan": make_variable(
            p,
            pe_per_yuan,
            _PE_PER_YUAN,
            "nominal pollution equivalents avoided / subsidy (chosen, subsidised projects)",
        ),
        "tce_per_public_yuan": make_variable(
            p,
            tce_per_yuan,
            _TCE_PER_YUAN,
            "nominal tce saved / subsidy (chosen, subsidised projects)",
        ),
    }
    rules = finance.screening
    attrs = {
        "finance_benchmark_rate": rate,
        "finance_income_tax_rate": tax,
        "finance_env_tax_saving": int(finance.env_tax_saving),
        "finance_surplus_rights": finance.surplus_rights,
        "finance_implement_no_low_cost": int(finance.implement_no_low_cost),
        "finance_screening": json.dumps(
            {
                "payback": rules.payback,
                "npv": rules.npv,
                "irr": rules.irr,
                "payback_ceiling": dict(rules.payback_ceiling),
            },
            sort_keys=True,
        ),
        "cost_class_low_max": float(finance.classes.low_max),
        "cost_class_medium_max": float(finance.classes.medium_max),
        "irr_scope": irr_scope,
        "appraisal_notes": json.dumps(saving.notes, ensure_ascii=False),
        "public_budget": float(park.public_budget),
        "subsidy_granted": float(subsidy @ level),
        "budget_charged": float(charge @ level),
        "forced_capex": float(park.capex[forced] @ level[forced]),
    }
    return xr.Dataset(data_vars, coords={"project": list(park.project_ids)}, attrs=attrs)


def cp_dataset(park: ParkData, scenario: Scenario, level: np.ndarray) -> xr.Dataset:
    """CP level and scores before/after on the `enterprise` axis ('' and NaN for rows
    without index data, the park's own row included). A project's indicator values
    apply when it is fully adopted (level >= `FULLY_ADOPTED`)."""
    done = [pid for pid, v in zip(park.project_ids, level, strict=True) if v >= FULLY_ADOPTED]
    table = cp_level_table(scenario, done)
    rows = {eid: r for r, eid in enumerate(park.enterprise_ids)}
    n = len(park.enterprise_ids)
    text_columns = {
        "cp_index": ("index", "CP evaluation index system ('' = no indicator data)"),
        "cp_level_before": ("level_before", "CP level before: I, II, III or below III"),
        "cp_level_after": ("level_after", "CP level after the chosen projects"),
        "cp_restrictive_failing_before": (
            "restrictive_failing_before",
            "failing restrictive indicators (levels) before",
        ),
        "cp_restrictive_failing_after": (
            "restrictive_failing_after",
            "failing restrictive indicators (levels) after",
        ),
        "cp_changed_indicators": ("changed_indicators", "indicator: old -> new (project)"),
        "cp_coverage": ("coverage", "groups scored and weight renormalisation"),
    }
    text = {name: np.full(n, "", dtype=object) for name in text_columns}
    scores = {
        f"cp_score_{g}_{when}": np.full(n, np.nan) for when in ("before", "after") for g in LEVELS
    }
    for record in table.to_dict("records"):
        r = rows[record["enterprise"]]
        for name, (column, _) in text_columns.items():
            text[name][r] = record[column]
        for when in ("before", "after"):
            for g in LEVELS:
                scores[f"cp_score_{g}_{when}"][r] = record[f"Y_{g}_{when}"]
    e = ("enterprise",)
    data_vars = {
        name: make_variable(e, _text(text[name]), "", long_name)
        for name, (_, long_name) in text_columns.items()
    }
    for name, values in scores.items():
        g, when = name.split("_")[2:]
        data_vars[name] = make_variable(
            e, values, "points (0-100)", f"composite CP score Y_{g} {when} the chosen projects"
        )
    return xr.Dataset(
        data_vars,
        coords={"enterprise": list(park.enterprise_ids)},
        attrs={"cp_level_note": table.attrs.get("note", "")},
    )


def appraisal_dataset(
    park: ParkData,
    scenario: Scenario,
    result: SolveResult,
    before: ParkState,
    after: ParkState,
    *,
    irr_limit: int = IRR_ALL_MAX_PROJECTS,
    cuts: tuple[float, float] = DEFAULT_TIER_CUTS,
) -> xr.Dataset:
    """Economics (`economics_dataset`), the audit view (`model.appraise.audit.audit_dataset`) and
    CP levels (`cp_dataset`) of one run, on the axes of its results Dataset.

    `before` is `evaluate(park, zeros)`, `after` the park after the chosen projects (the
    final planning year's state); `park` carries the economics (`attach_economics`).
    """
    level = project_levels(park, result)
    parts = [
        economics_dataset(park, scenario, level, irr_limit),
        audit_dataset(park, scenario, before, after, right_prices(scenario.trading), cuts),
        cp_dataset(park, scenario, level),
    ]
    merged = xr.merge(parts, combine_attrs="override")
    for part in parts:
        merged.attrs.update(part.attrs)
    return merged


def add_appraisal(dataset: xr.Dataset, extra: xr.Dataset) -> xr.Dataset:
    """`dataset` with the variables and attributes of `extra` (`appraisal_dataset`)."""
    out = dataset.merge(extra)
    out.attrs = {**dataset.attrs, **extra.attrs}
    return out


# --------------------------------------------------------------------------- tables


def has_appraisal(ds: xr.Dataset) -> bool:
    """True when `ds` holds the appraisal variables (a run through `run_scenario`)."""
    return "npv" in ds and "mandatory_audit" in ds


def _level(ds: xr.Dataset) -> np.ndarray:
    return (ds["selected"].max("year") if ds.sizes["year"] else ds["selected"].sum("year")).values


def _project_frame(ds: xr.Dataset, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "project": ds["project"].values.astype(str),
            "name": ds["project_name"].values.astype(str),
            "owner": ds["owner"].values.astype(str),
            "category": ds["category"].values.astype(str),
            "level": _level(ds),
            "capex": ds["capex"].values,
        }
    )
    for column in columns:
        if column in ds:
            values = ds[column].values
            frame[column] = values.astype(str) if values.dtype.kind in "OUS" else values
    return frame


_ECONOMICS = [
    "cost_class",
    "subsidy",
    "budget_capex",
    "energy_cost_saved",
    "env_tax_saved",
    "rights_value",
    "opex_change",
    "annual_saving_total",
    "cash_flow",
    "payback_years",
    "npv",
    "npvr",
    "irr",
    "privately_profitable",
    "forced",
    "excluded",
    "screening_reason",
]


def economics_table(ds: xr.Dataset) -> pd.DataFrame:
    """Chosen projects (level > 1e-6) with their economics, in project order."""
    frame = _project_frame(ds, _ECONOMICS)
    return frame[frame["level"] > CHOSEN_THRESHOLD].reset_index(drop=True)


def forced_table(ds: xr.Dataset) -> pd.DataFrame:
    """Options done at once, outside the budget (no/low-cost, NPV >= 0)."""
    frame = _project_frame(ds, _ECONOMICS)
    return frame[frame["forced"] == 1].reset_index(drop=True)


def screened_table(ds: xr.Dataset) -> pd.DataFrame:
    """Projects screened out by the acceptance rules, with the reason."""
    frame = _project_frame(ds, _ECONOMICS)
    return frame[frame["excluded"] == 1].reset_index(drop=True)


def public_money_table(ds: xr.Dataset) -> pd.DataFrame:
    """Chosen projects that receive a subsidy or need public money (NPV < 0 without
    subsidy), ranked by pollution equivalents per public yuan (largest first, projects
    without a subsidy last), then tce per public yuan; `rank` 1 = the most per yuan."""
    frame = _project_frame(
        ds,
        [
            "subsidy",
            "npv",
            "npv_with_subsidy",
            "subsidy_for_npv_zero",
            "additionality_verdict",
            "needs_public_money",
            "pe_per_public_yuan",
            "tce_per_public_yuan",
        ],
    )
    pe = (ds["reduces"] * ds["pe_per_t"]).sum("pollutant").values
    tce = (ds["saves"] * ds["tce_per_unit"]).sum("carrier").values
    frame["pe_avoided_per_yr"] = pe
    frame["tce_saved_per_yr"] = tce
    keep = (frame["level"] > CHOSEN_THRESHOLD) & (
        (frame["subsidy"] > 0) | (frame["needs_public_money"] == 1)
    )
    frame = frame[keep].sort_values(
        ["pe_per_public_yuan", "tce_per_public_yuan"],
        ascending=False,
        na_position="last",
        kind="stable",
    )
    frame["rank"] = frame["pe_per_public_yuan"].rank(ascending=False, method="min")
    return frame.reset_index(drop=True)


def why_not_table(ds: xr.Dataset) -> pd.DataFrame:
    """Left-out projects that were not screened out, with the exact break-even capex
    where computed, else the LP estimate of the budget they would need. Sorted by the
    money needed (exact subsidy needed, else the LP estimate; 'would not enter even for
    free' last), closest to entering first. Empty without the why-not variables."""
    if "subsidy_needed_lp_estimate" not in ds:
        return pd.DataFrame()
    frame = _project_frame(
        ds,
        [
            "budget_capex",
            "excluded",
            "break_even_capex",
            "subsidy_needed",
            "subsidy_needed_lp_estimate",
            "why_not_note",
        ],
    )
    if "budget_capex" not in frame:
        frame["budget_capex"] = frame["capex"]
    if "excluded" not in frame:
        frame["excluded"] = 0
    frame = frame[(frame["level"] <= CHOSEN_THRESHOLD) & (frame["excluded"] != 1)].copy()
    exact = (frame["why_not_note"] != "").to_numpy()
    frame["basis"] = np.where(exact, "exact", "LP estimate")
    needed = np.where(exact, frame["subsidy_needed"], frame["subsidy_needed_lp_estimate"])
    # exact but NaN: would not enter even at zero capex (inf); no LP estimate: NaN, last
    frame["money_needed"] = np.where(exact & np.isnan(needed), np.inf, needed)
    frame = frame.sort_values("money_needed", kind="stable", na_position="last")
    return frame.reset_index(drop=True)


_PERMIT_COLUMNS = {
    "permit_surplus": "surplus_t_per_yr",
    "permit_excess_after": "excess_t_per_yr",
    "rights_transfer_value": "rights_transfer_value_CNY",
    "rights_lease_value": "rights_lease_value_CNY_per_yr",
    "expansion_headroom": "expansion_headroom_fraction",
}


def permit_surplus_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per (enterprise row, pollutant) with a permit, in the columns of
    `model.appraise.audit.permit_table`, read back from the Dataset (last planning year)."""
    pair = ("enterprise", "pollutant")
    permit = ds["permit"].transpose(*pair).values
    rows, cols = np.nonzero(~np.isnan(permit))
    after = ds["emissions"].sel(year=summary_year(ds)).transpose(*pair).values
    frame = pd.DataFrame(
        {
            "enterprise": ds["enterprise"].values.astype(str)[rows],
            "enterprise_name": ds["enterprise_name"].values.astype(str)[rows],
            "pollutant": ds["pollutant"].values.astype(str)[cols],
            "medium": ds["pollutant_medium"].values.astype(str)[cols],
            "baseline_t_per_yr": ds["emissions_baseline"].transpose(*pair).values[rows, cols],
            "permit_t_per_yr": permit[rows, cols],
            "after_t_per_yr": after[rows, cols],
            "transfer_price_CNY_per_t": ds["right_transfer_price"].values[cols],
            "lease_price_CNY_per_t_yr": ds["right_lease_price"].values[cols],
        }
    )
    for variable, column in _PERMIT_COLUMNS.items():
        frame[column] = ds[variable].transpose(*pair).values[rows, cols]
    return frame


def permit_surplus_totals(ds: xr.Dataset) -> pd.DataFrame:
    """`model.appraise.audit.permit_totals` of `permit_surplus_table(ds)`: one row per pollutant."""
    return permit_totals(permit_surplus_table(ds))


def audit_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per enterprise (the park's own row left out): mandatory audit and its
    criteria, priority tier, basis, intensities and score; sorted like
    `model.appraise.audit.priority_tiers` (intensity basis first, tier, score highest first)."""
    frame = pd.DataFrame(
        {
            "enterprise": ds["enterprise"].values.astype(str),
            "name": ds["enterprise_name"].values.astype(str),
            "sector": ds["sector"].values.astype(str),
            "mandatory_audit": ds["mandatory_audit"].values.astype(int),
            "audit_criteria": ds["audit_criteria"].values.astype(str),
            "priority_tier": ds["priority_tier"].values.astype(int),
            "priority_basis": ds["priority_basis"].values.astype(str),
            "pe_intensity": ds["pe_intensity"].values,
            "energy_intensity": ds["energy_intensity"].values,
            "priority_score": ds["priority_score"].values,
        }
    )
    frame = frame[frame["enterprise"] != PARK_ID]
    frame = frame.assign(_absolute=frame["priority_basis"] != "intensity")
    frame = frame.sort_values(
        ["_absolute", "priority_tier", "priority_score"],
        ascending=[True, True, False],
        kind="stable",
    )
    return frame.drop(columns="_absolute").reset_index(drop=True)


def cp_table(ds: xr.Dataset) -> pd.DataFrame:
    """Enterprises with CP index data: level and scores before and after (empty when no
    enterprise has any, or the Dataset has no CP variables)."""
    if "cp_level_before" not in ds:
        return pd.DataFrame()
    frame = pd.DataFrame({"enterprise": ds["enterprise"].values.astype(str)})
    for name in ds.data_vars:
        if str(name).startswith("cp_") and ds[name].dims == ("enterprise",):
            values = ds[name].values
            frame[str(name)] = values.astype(str) if values.dtype.kind in "OUS" else values
    return frame[frame["cp_level_before"] != ""].reset_index(drop=True)


def finance_notes(ds: xr.Dataset) -> list[str]:
    """The saving notes stored with the run (carriers without a price, untaxed
    pollutants)."""
    text = ds.attrs.get("appraisal_notes", "")
    try:
        notes = json.loads(text) if text else []
    except (TypeError, ValueError):
        return [str(text)]
    return [str(n) for n in notes] if isinstance(notes, list) else [str(notes)]


def finance_screening(ds: xr.Dataset) -> dict[str, Any]:
    """The screening rules stored with the run ({} when absent)."""
    try:
        return dict(json.loads(ds.attrs.get("finance_screening", "") or "{}"))
    except (TypeError, ValueError):
        return {}
