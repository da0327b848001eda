"""Attach the scenario's economics to `ParkData`: subsidies, the public budget, no/low-cost
options done at once, and projects screened out by the acceptance rules.

* subsidy_j = min(rate[category_j] x capex_j, cap[category_j]) (public money); the
  enterprises' budget then pays capex_j - subsidy_j, and sum of subsidies <= public budget
* with `finance.implement_no_low_cost`, no/low-cost options with NPV >= 0 (without
  subsidy) are fixed in the portfolio and take nothing from the budget
* with any `finance.screening` rule on, a project failing it cannot be chosen

The feasibility figures come from model/appraise/feasibility.py (DOMAIN.md 1.4), applied by
model/appraise/finance.py.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from model.appraise.feasibility import feasibility
from model.appraise.finance import (
    annual_saving,
    benchmark_rate,
    implement_at_once,
    right_prices,
    screen,
    subsidy_amounts,
)
from model.compile.park import ParkData
from model.input.schema import Scenario


def attach_economics(park: ParkData, scenario: Scenario) -> ParkData:
    """`park` with subsidy, public_budget, forced and excluded set from the scenario."""
    finance, grant = scenario.finance, scenario.budget.subsidy
    subsidy = subsidy_amounts(park.capex, park.project_categories, grant.rates, grant.caps)
    public = float("inf") if grant.public_total is None else float(grant.public_total)
    rules = finance.screening
    forced = np.zeros(park.n_projects, dtype=bool)
    excluded = np.zeros(park.n_projects, dtype=bool)
    reasons: list[str] = [""] * park.n_projects
    if finance.implement_no_low_cost or rules.payback or rules.npv or rules.irr:
        rate = benchmark_rate(scenario)
        saving = annual_saving(park, finance, right_prices(scenario.trading))
        table = feasibility(
            park.capex,
            saving.total,
            park.lifetime,
            finance.income_tax_rate,
            rate,
            with_irr=rules.irr,
        )
        if finance.implement_no_low_cost:
            forced = implement_at_once(table, finance.classes)
        if rules.payback or rules.npv or rules.irr:
            passed, reasons = screen(table, finance.classes, rules, rate)
            excluded = ~passed & ~forced
    extras = {**park.extras, "screening_reasons": reasons}
    return replace(
        park,
        subsidy=subsidy,
        public_budget=public,
        forced=forced,
        excluded=excluded,
        extras=extras,
    )
