"""The project economics of a park, computed once, right after compiling.

`attach_economics(park, scenario)` computes every project's economics and returns the
park with them stored (model/compile/park.py):

* the funding the optimiser uses, as `ParkData` fields:
  - subsidy_j = min(rate[category_j] x capex_j, cap[category_j]) (public money); the
    enterprises' budget then pays capex_j - subsidy_j, and sum of subsidies <= public
    budget;
  - with `finance.implement_no_low_cost`, no/low-cost options with NPV >= 0 (without
    subsidy) are fixed in the portfolio and take nothing from the budget (`forced`);
  - with any `finance.screening` rule on, a project failing it cannot be chosen
    (`excluded`, with the failed rules and their figures in `screening_reasons`);
* the appraisal figures the results report, as a `ProjectEconomics`: the annual saving
  and its parts, the feasibility figures without subsidy, the cost class, whether the
  project pays without public money, the NPV with its subsidy, the least grant for NPV 0,
  the additionality verdict and what a public yuan buys.

The IRR (a polynomial root, 0.1-0.5 ms a project) is computed for every project when the
park has at most `irr_limit` projects, or when an IRR screening rule needs it; otherwise
the results compute it for the chosen projects only, after solving.

The formulas are in model/appraise/feasibility.py (docs/finance.md), finance.py and
public_money.py; `appraise` gives them as one table, one row per project.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from model.appraise.feasibility import feasibility
from model.appraise.finance import (
    annual_saving,
    benchmark_rate,
    cost_class,
    implement_at_once,
    privately_profitable,
    project_effects,
    right_prices,
    screen,
)
from model.appraise.public_money import (
    additionality_verdicts,
    break_even_subsidy,
    npv_with_subsidy,
    per_public_yuan,
    subsidy_amounts,
)
from model.compile.park import ParkData, ProjectEconomics
from model.input.reference import RightPrices
from model.input.schema import Finance, Scenario, Subsidy

IRR_ALL_MAX_PROJECTS = 5000
"""Up to this many projects every project gets an IRR; above it only the chosen ones (an
IRR is a polynomial root, 0.1-0.5 ms a project)."""


def attach_economics(
    park: ParkData, scenario: Scenario, irr_limit: int = IRR_ALL_MAX_PROJECTS
) -> ParkData:
    """`park` with its funding (subsidy, public_budget, forced, excluded,
    screening_reasons) and its `economics` computed from the scenario (module
    docstring)."""
    finance, grant = scenario.finance, scenario.budget.subsidy
    rules = finance.screening
    n = park.n_projects
    rate = benchmark_rate(scenario)
    tax = finance.income_tax_rate
    prices = right_prices(scenario.trading)
    saving = annual_saving(park, finance, prices)
    irr_for_all = n <= irr_limit or rules.irr
    table = feasibility(park.capex, saving.total, park.lifetime, tax, rate, with_irr=irr_for_all)

    subsidy = subsidy_amounts(park.capex, park.project_categories, grant.rates, grant.caps)
    public = float("inf") if grant.public_total is None else float(grant.public_total)
    forced = np.zeros(n, dtype=bool)
    excluded = np.zeros(n, dtype=bool)
    reasons: list[str] = [""] * n
    if finance.implement_no_low_cost:
        forced = implement_at_once(table, finance.classes)
    if rules.payback or rules.npv or rules.irr:
        passed, reasons = screen(table, finance.classes, rules, rate)
        excluded = ~passed & ~forced

    profitable = privately_profitable(table)
    with_grant = npv_with_subsidy(table, subsidy)
    pollution_eq, tce = project_effects(park)
    economics = ProjectEconomics(
        benchmark_rate=rate,
        income_tax_rate=tax,
        right_prices=prices,
        energy_cost_saved=saving.energy_cost_saved,
        env_tax_saved=saving.env_tax_saved,
        rights_value=saving.rights_value,
        annual_saving=saving.total,
        saving_notes=tuple(saving.notes),
        cash_flow=table.cash_flow,
        payback=table.payback,
        npv=table.npv,
        npvr=table.npvr,
        irr=table.irr,
        irr_for_all=irr_for_all,
        irr_limit=irr_limit,
        cost_class=cost_class(park.capex, finance.classes),
        privately_profitable=profitable,
        npv_with_subsidy=with_grant,
        subsidy_for_npv_zero=break_even_subsidy(table),
        additionality_verdict=additionality_verdicts(profitable, subsidy, with_grant),
        pe_per_public_yuan=per_public_yuan(pollution_eq, subsidy),
        tce_per_public_yuan=per_public_yuan(tce, subsidy),
    )
    return replace(
        park,
        subsidy=subsidy,
        public_budget=public,
        forced=forced,
        excluded=excluded,
        screening_reasons=list(reasons),
        economics=economics,
    )


def appraise(
    park: ParkData,
    finance: Finance,
    rate: float,
    prices: RightPrices | None = None,
    subsidy: Subsidy | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Every project's saving parts, feasibility figures (without subsidy), cost class,
    screening verdict and subsidy, one row per project; plus the saving notes.

    `rate` is the benchmark rate (`benchmark_rate(scenario)`), used for NPV and the IRR
    hurdle; `prices` the emission-right prices (`right_prices(scenario.trading)`).
    """
    saving = annual_saving(park, finance, prices)
    table = feasibility(park.capex, saving.total, park.lifetime, finance.income_tax_rate, rate)
    passed, reasons = screen(table, finance.classes, finance.screening, rate)
    frame = saving.to_frame(park.project_ids).join(
        table.to_frame(park.project_ids).drop(columns=["annual_saving"])
    )
    frame["cost_class"] = cost_class(park.capex, finance.classes)
    frame["privately_profitable"] = privately_profitable(table)
    frame["implement_at_once"] = implement_at_once(table, finance.classes)
    frame["passes_screening"] = passed
    frame["screening_reasons"] = reasons
    grant = subsidy or Subsidy()
    frame["subsidy"] = subsidy_amounts(park.capex, park.project_categories, grant.rates, grant.caps)
    return frame, saving.notes


__all__ = ["IRR_ALL_MAX_PROJECTS", "appraise", "attach_economics"]
