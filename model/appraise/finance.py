"""Project economics of a park: annual saving, cost classes and screening.

Pure functions on numpy arrays (no Pyomo). The feasibility figures themselves (D, T, E,
F, payback N, NPV, NPVR, IRR of the CP-audit feasibility analysis, docs/finance.md) come
from `model.appraise.feasibility`;
this module supplies their input and applies them to the park's projects:

* `annual_saving`: the annual net operating saving P of every project (energy cost
  saved, opex change, environmental protection tax avoided, surplus emission rights at
  the prices of `right_prices`);
* `cost_class` and `screen`: the audit's option classes by investment and its acceptance
  rules (payback ceiling per class, NPV >= 0, IRR >= the benchmark rate);
* `privately_profitable`, `implement_at_once`: the options that pay without public money,
  and the no/low-cost ones among them done at once.

Subsidies and additionality are in model/appraise/public_money.py; all of it, computed
once per park, in model/appraise/economics.py.

docs/finance.md explains the formulas with the two worked examples of the training
material, the option classes, the screening rules, subsidies and additionality.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.appraise.feasibility import FeasibilityTable
from model.compile.park import ParkData
from model.input.reference import RightPrices, default_right_prices
from model.input.schema import (
    CostClasses,
    Finance,
    RightPrice,
    Scenario,
    Screening,
    Trading,
)

COST_CLASSES: tuple[str, ...] = ("no_low", "medium", "high")
CLASS_LABELS = {"no_low": "no/low-cost", "medium": "medium-cost", "high": "high-cost"}

# --------------------------------------------------------------------------- annual saving


@dataclass(frozen=True)
class SavingBreakdown:
    """The annual saving P of every project and its parts, CNY/yr, (N,) arrays:
    total = energy_cost_saved - opex_change + env_tax_saved + rights_value."""

    energy_cost_saved: np.ndarray
    opex_change: np.ndarray  # positive = more cost (subtracted)
    env_tax_saved: np.ndarray
    rights_value: np.ndarray
    total: np.ndarray
    notes: list[str] = field(default_factory=list)

    def to_frame(self, index: Sequence[str] | None = None) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "energy_cost_saved": self.energy_cost_saved,
                "opex_change": self.opex_change,
                "env_tax_saved": self.env_tax_saved,
                "rights_value": self.rights_value,
                "annual_saving": self.total,
            },
            index=pd.Index(index, name="project") if index is not None else None,
        )


def right_prices(
    scenario_trading: Trading | Mapping[str, RightPrice] | None = None,
) -> RightPrices:
    """The built-in prices with the scenario's `trading.prices` laid over them.

    A field the scenario gives (`transfer` or `lease`) replaces the built-in one, also
    when it is given as null (= no price); a field it leaves out keeps the built-in one.
    A pollutant without built-in prices takes the scenario's (NaN where not given).
    """
    prices = dict(default_right_prices())
    if scenario_trading is None:
        return prices
    given = scenario_trading.prices if isinstance(scenario_trading, Trading) else scenario_trading
    for pollutant, price in given.items():
        transfer, lease = prices.get(pollutant, (np.nan, np.nan))
        if "transfer" in price.model_fields_set:
            transfer = np.nan if price.transfer is None else float(price.transfer)
        if "lease" in price.model_fields_set:
            lease = np.nan if price.lease is None else float(price.lease)
        prices[pollutant] = (transfer, lease)
    return prices


def tax_per_tonne(park: ParkData) -> np.ndarray:
    """(P,) environmental protection tax per tonne of each pollutant, CNY/t.

    Air and water pollutants (and 'other' ones with an equivalent value) are taxed per
    pollution equivalent: tax per t = equivalents per t (1000 / pe_kg) * rate (CNY per
    equivalent). Solid waste is taxed per tonne: tax per t = rate (CNY per t), see
    model/reference/pollutants.csv `tax_unit`. A pollutant without a rate, or an
    air/water pollutant without an equivalent value, is taxed 0.
    """
    rate = np.nan_to_num(park.tax_rate, nan=0.0)
    solid = np.array([m == "solid" for m in park.pollutant_media], dtype=bool)
    return np.where(solid, rate, park.pe_per_t * rate)


def annual_saving(
    park: ParkData, finance: Finance | None = None, prices: RightPrices | None = None
) -> SavingBreakdown:
    """The annual net operating saving P of every project, CNY/yr, by part.

    * energy cost saved = sum over carriers c of saves[j, c] * price[c] (a carrier
      without a price counts 0, with a note);
    * minus opex_change[j] (positive = more operating cost);
    * plus, when `finance.env_tax_saving`, environmental protection tax avoided = sum over
      pollutants of reduces[j, p] * tax per t (`tax_per_tonne`: equivalents x CNY per
      equivalent for air/water, CNY per t for solid waste); a negative `reduces`
      (cross-media increase) adds tax;
    * plus, when `finance.surplus_rights` is 'lease', the surplus emission rights leased
      out = sum over pollutants of max(reduces[j, p], 0) * lease price (CNY/t/yr); when
      'transfer', their one-off sale spread over the life = sum max(reduces, 0) *
      transfer price / lifetime[j]. Only reductions create surplus rights; an increase
      is assumed to fit within rights the enterprise already holds. Pollutants without a
      price count 0. `prices` default to `right_prices()` (built-in:
      model/reference/emission_rights.csv).

    These are nominal, project-alone figures: each project is valued as if it were the
    only one, before saturation (two projects removing the same tonnes, or a reduction
    larger than the emission, are counted in full). The tax figure is the national
    formula without the per-outlet top-3/top-5 rule or the concentration discounts
    (Environmental Protection Tax Law, Articles 9 and 13), so it is an upper bound of the
    tax actually avoided.
    """
    finance = finance or Finance()
    notes: list[str] = []
    price = park.carrier_price
    energy = park.saves @ np.nan_to_num(price, nan=0.0)
    used = np.asarray(abs(park.saves).sum(axis=0)).ravel() > 0
    missing = [
        c for c, u, p in zip(park.carrier_ids, used, price, strict=True) if u and np.isnan(p)
    ]
    if missing:
        notes.append(f"no price for carrier(s) {', '.join(missing)}: their savings count 0 CNY")

    n = park.n_projects
    env_tax = np.zeros(n)
    reduced = np.asarray(abs(park.reduces).sum(axis=0)).ravel() > 0
    if finance.env_tax_saving:
        per_t = tax_per_tonne(park)
        env_tax = park.reduces @ per_t
        untaxed = [
            p for p, r, t in zip(park.pollutant_ids, reduced, per_t, strict=True) if r and t == 0
        ]
        if untaxed:
            notes.append(
                f"no environmental tax counted for {', '.join(untaxed)} "
                "(no tax rate or no pollution-equivalent value)"
            )

    rights = np.zeros(n)
    if finance.surplus_rights != "none":
        table = right_prices() if prices is None else prices
        column = 1 if finance.surplus_rights == "lease" else 0
        value_per_t = np.array(
            [table.get(p, (np.nan, np.nan))[column] for p in park.pollutant_ids], dtype=float
        )
        surplus = park.reduces.maximum(0)
        rights = surplus @ np.nan_to_num(value_per_t, nan=0.0)
        if finance.surplus_rights == "transfer":
            rights = rights / park.lifetime

    opex = np.asarray(park.opex_change, dtype=float)
    total = energy - opex + env_tax + rights
    return SavingBreakdown(
        energy_cost_saved=np.asarray(energy, dtype=float),
        opex_change=opex,
        env_tax_saved=np.asarray(env_tax, dtype=float),
        rights_value=np.asarray(rights, dtype=float),
        total=np.asarray(total, dtype=float),
        notes=notes,
    )


def project_effects(park: ParkData) -> tuple[np.ndarray, np.ndarray]:
    """(pollution equivalents avoided, tce saved) per project, per year, nominal:
    sum_p reduces[j, p] * 1000 / pe_kg[p] and sum_c saves[j, c] * tce factor[c]
    (each project alone, before saturation)."""
    return (
        np.asarray(park.reduces @ park.pe_per_t, dtype=float),
        np.asarray(park.saves @ park.tce_per_unit, dtype=float),
    )


# --------------------------------------------------------------------------- classes, screening


def cost_class(capex: np.ndarray | Sequence[float], classes: CostClasses) -> np.ndarray:
    """Option class by investment: 'no_low' when capex <= low_max, else 'medium' when
    capex <= medium_max, else 'high' (no national thresholds exist: they are the user's)."""
    capex = np.asarray(capex, dtype=float)
    return np.where(
        capex <= classes.low_max, "no_low", np.where(capex <= classes.medium_max, "medium", "high")
    ).astype(object)


def _percent(value: float) -> str:
    return f"{100 * value:.4g} %"


def screen(
    table: FeasibilityTable, classes: CostClasses, screening: Screening, rate: float
) -> tuple[np.ndarray, list[str]]:
    """Which projects pass the acceptance rules that are switched on (docs/finance.md,
    section 4).

    * payback: N <= the payback ceiling of the project's cost class (a class without a
      ceiling always passes);
    * npv: NPV >= 0 (at the table's rate);
    * irr: IRR >= `rate` (the benchmark rate); a project without investment and with a
      positive cash flow passes (its IRR is unbounded), one without an IRR otherwise fails.

    Returns (passed, reasons): reasons[j] is '' for a project that passes, else the
    failed rules with their numbers, joined by '; '.
    """
    kind = cost_class(table.capex, classes)
    n = len(table)
    passed = np.ones(n, dtype=bool)
    reasons: list[list[str]] = [[] for _ in range(n)]
    for j in range(n):
        flow = table.cash_flow[j]
        if screening.payback:
            ceiling = screening.payback_ceiling.get(kind[j])
            if ceiling is not None and not table.payback[j] <= ceiling:
                shown = (
                    f"{table.payback[j]:.1f} yr"
                    if np.isfinite(table.payback[j])
                    else f"never (annual cash flow {flow:,.0f} <= 0)"
                )
                reasons[j].append(
                    f"payback {shown} > {ceiling:g} yr ceiling for {CLASS_LABELS[kind[j]]} options"
                )
        if screening.npv and not table.npv[j] >= 0:
            reasons[j].append(f"NPV {table.npv[j]:,.0f} < 0 at {_percent(table.rate[j])}")
        if screening.irr:
            irr = table.irr[j]
            free = table.capex[j] == 0 and flow > 0
            if not free and np.isnan(irr):
                reasons[j].append(
                    f"no IRR (annual cash flow {flow:,.0f} <= 0 or no investment), "
                    f"benchmark {_percent(rate)}"
                )
            elif not free and irr < rate:
                reasons[j].append(f"IRR {100 * irr:.2f} % < {_percent(rate)} benchmark")
        passed[j] = not reasons[j]
    return passed, ["; ".join(r) for r in reasons]


def privately_profitable(table: FeasibilityTable) -> np.ndarray:
    """NPV >= 0 at the benchmark rate, the enterprise paying the whole investment (the
    table must be computed without subsidy)."""
    return table.npv >= 0


def implement_at_once(table: FeasibilityTable, classes: CostClasses) -> np.ndarray:
    """No/low-cost options that pay for themselves (NPV >= 0 without subsidy): the ones
    done during the audit, outside the budget, under `finance.implement_no_low_cost`."""
    return (cost_class(table.capex, classes) == "no_low") & privately_profitable(table)


# --------------------------------------------------------------------------- benchmark


def benchmark_rate(scenario: Scenario) -> float:
    """`finance.benchmark_rate`, or the scenario's `discount_rate` when not set."""
    rate = scenario.finance.benchmark_rate
    return scenario.discount_rate if rate is None else float(rate)


__all__ = [
    "CLASS_LABELS",
    "COST_CLASSES",
    "SavingBreakdown",
    "annual_saving",
    "benchmark_rate",
    "cost_class",
    "implement_at_once",
    "privately_profitable",
    "project_effects",
    "right_prices",
    "screen",
    "tax_per_tonne",
]
