"""Project economics, public money, the audit view and CP levels of one solved run, as
variables of its results Dataset, and the tables the report reads back from it.

`appraisal_dataset(park, scenario, result, before, after)` gathers what the separate
modules compute into one Dataset on the run's axes; `add_appraisal` merges it into the
run's Dataset (attributes included). Every figure is documented in docs/results.md:

* per project (`model/appraise/finance.py`, docs/finance.md): the annual net operating saving
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
* per enterprise (`model/appraise/cp_level.py`, docs/cp-level.md): the cleaner-production level and
  composite scores before and after the chosen projects.

A project counts as chosen by the one rule of `model.appraise.evaluate.is_chosen` (as in
the results tables); the economic figures are those of full adoption (capex, saving, NPV and subsidy
all scale with a divisible project's level, so payback, IRR, the verdicts and the
per-yuan ratios do not depend on it). A project changes CP indicators only when fully
adopted (an indicator value is not linear in the level).
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from model.appraise.audit import DEFAULT_TIER_CUTS
from model.appraise.cp_level import cp_level_table
from model.appraise.evaluate import FULLY_ADOPTED, ParkState, is_chosen
from model.appraise.feasibility import feasibility
from model.compile.park import ParkData
from model.input.cp_index import LEVELS
from model.input.schema import Scenario
from model.optimise.solve import SolveResult
from model.results.audit_dataset import audit_dataset
from model.results.eco_dataset import eco_dataset
from model.results.variables import make_variable, text_array

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


def economics_dataset(park: ParkData, scenario: Scenario, level: np.ndarray) -> xr.Dataset:
    """The per-project economics (module docstring) on the `project` axis, read from the
    economics computed once after compiling (`park.economics`,
    model/appraise/economics.py); `level` is the (N,) adoption level. Where the IRR was
    not computed for every project (a park above `irr_limit` projects), it is computed
    here for the chosen ones (NaN elsewhere; the attribute `irr_scope` says which).
    """
    economics = park.economics
    if economics is None:
        raise ValueError(
            "the park carries no economics: call "
            "model.appraise.economics.attach_economics(park, scenario) after compiling"
        )
    finance = scenario.finance
    rate, tax = economics.benchmark_rate, economics.income_tax_rate
    n = park.n_projects
    chosen = is_chosen(level)
    picked = np.flatnonzero(chosen)
    limit = economics.irr_limit
    if economics.irr_for_all:
        irr = economics.irr
        irr_scope = (
            f"all projects (the park has {n} <= {limit})"
            if n <= limit
            else "all projects (the IRR screening rule needs them)"
        )
    else:
        irr = np.full(n, np.nan)
        if picked.size:
            irr[picked] = feasibility(
                park.capex[picked],
                economics.annual_saving[picked],
                park.lifetime[picked],
                tax,
                rate,
            ).irr
        irr_scope = f"chosen projects only (the park has {n} > {limit} projects); NaN elsewhere"

    subsidy = np.asarray(park.subsidy, dtype=float)
    profitable = economics.privately_profitable
    verdict = np.where(chosen, economics.additionality_verdict, "")
    pe_per_yuan = np.where(chosen, economics.pe_per_public_yuan, np.nan)
    tce_per_yuan = np.where(chosen, economics.tce_per_public_yuan, np.nan)
    reasons = park.screening_reasons
    excluded = np.asarray(park.excluded, dtype=bool)
    forced = np.asarray(park.forced, dtype=bool)
    charge = park.budget_capex()
    p = ("project",)
    data_vars = {
        "energy_cost_saved": make_variable(
            p, economics.energy_cost_saved, "CNY/yr", "energy saved x carrier price (nominal)"
        ),
        "env_tax_saved": make_variable(
            p,
            economics.env_tax_saved,
            "CNY/yr",
            "environmental protection tax avoided (national formula, nominal upper bound)",
        ),
        "rights_value": make_variable(
            p,
            economics.rights_value,
            "CNY/yr",
            f"surplus emission rights counted in the saving ({finance.surplus_rights})",
        ),
        "annual_saving_total": make_variable(
            p,
            economics.annual_saving,
            "CNY/yr",
            "annual net operating saving P = energy cost saved - opex_change + env_tax_saved "
            "+ rights_value",
        ),
        "cash_flow": make_variable(
            p, economics.cash_flow, "CNY/yr", "annual net cash flow F = (P - D)(1 - tax) + D"
        ),
        "payback_years": make_variable(
            p, economics.payback, "yr", "simple payback N = I / F without subsidy (inf: F <= 0)"
        ),
        "npv": make_variable(
            p, economics.npv, "CNY", f"net present value without subsidy at {rate:.4g}"
        ),
        "npvr": make_variable(p, economics.npvr, "1", "NPV / capex (NaN: no capex)"),
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
            p, text_array(economics.cost_class), "", "no_low, medium or high"
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
            p, economics.npv_with_subsidy, "CNY", "NPV when the enterprise invests capex - subsidy"
        ),
        "subsidy_for_npv_zero": make_variable(
            p,
            economics.subsidy_for_npv_zero,
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
            text_array(np.where(excluded, np.asarray(reasons, dtype=object), "")),
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
            p, text_array(verdict), "", "is the subsidy additional? (chosen projects; '' elsewhere)"
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
        "appraisal_notes": json.dumps(economics.saving_notes, ensure_ascii=False),
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
        name: make_variable(e, text_array(text[name]), "", long_name)
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
    cuts: tuple[float, float] = DEFAULT_TIER_CUTS,
) -> xr.Dataset:
    """Economics (`economics_dataset`), the audit view (`audit_dataset`,
    model/results/audit_dataset.py), CP levels (`cp_dataset`) and the HJ 274-2015 park
    indicators (`eco_dataset`, model/results/eco_dataset.py) of one run, on the axes
    of its results Dataset.

    `before` is `evaluate(park, zeros)`, `after` the park after the chosen projects (the
    final planning year's state); `park` carries the economics (`attach_economics`).
    """
    level = project_levels(park, result)
    parts = [
        economics_dataset(park, scenario, level),
        audit_dataset(park, scenario, before, after, park.economics.right_prices, cuts),
        cp_dataset(park, scenario, level),
        eco_dataset(park, scenario, before, after),
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
