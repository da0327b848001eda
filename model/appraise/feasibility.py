"""The feasibility figures of cleaner-production options, on arrays.

Pure functions on numpy arrays (no Pyomo, no park). The figures are those of the
cleaner-production audit training material (docs/finance.md, section 1), per project:

* I  investment (capex), CNY
* P  annual net operating saving, CNY/yr (`model.appraise.finance.annual_saving` says what counts)
* Y  depreciation life = appraisal period, years
* D = I / Y                       straight-line depreciation
* T = P - D                       taxable profit
* E = T * (1 - tax)               net profit
* F = E + D                       annual net cash flow
* N = I / F                       simple payback, years (infinite when F <= 0)
* NPV = sum_{j=1..Y} F / (1 + i)^j - I    at the benchmark rate i
* NPVR = NPV / I                  NPV ratio (undefined for I = 0)
* IRR: the rate at which NPV = 0

`feasibility` computes them all; `irr_brentq` finds the IRR independently, as a
cross-check. docs/finance.md explains the formulas with the two worked examples of the
training material.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy_financial as npf
import pandas as pd


@dataclass(frozen=True)
class FeasibilityTable:
    """The feasibility figures of N projects, one array entry per project.

    Money in the unit of the inputs (CNY in ParkCP; the worked examples use 10^4 CNY).
    """

    capex: np.ndarray  # I
    annual_saving: np.ndarray  # P, per year
    life_years: np.ndarray  # Y, int
    income_tax_rate: np.ndarray  # tax, fraction
    rate: np.ndarray  # i, fraction
    depreciation: np.ndarray  # D = I / Y
    taxable_profit: np.ndarray  # T = P - D
    net_profit: np.ndarray  # E = T (1 - tax)
    cash_flow: np.ndarray  # F = E + D
    payback: np.ndarray  # N = I / F, inf when F <= 0
    npv: np.ndarray  # sum_j F/(1+i)^j - I
    npvr: np.ndarray  # NPV / I, NaN when I = 0
    irr: np.ndarray  # NaN when it does not exist

    def __len__(self) -> int:
        return len(self.capex)

    def to_frame(self, index: Sequence[str] | None = None) -> pd.DataFrame:
        """The table as a DataFrame, one row per project (index: project ids if given)."""
        return pd.DataFrame(
            {
                "capex": self.capex,
                "annual_saving": self.annual_saving,
                "life_years": self.life_years,
                "income_tax_rate": self.income_tax_rate,
                "rate": self.rate,
                "depreciation": self.depreciation,
                "taxable_profit": self.taxable_profit,
                "net_profit": self.net_profit,
                "cash_flow": self.cash_flow,
                "payback": self.payback,
                "npv": self.npv,
                "npvr": self.npvr,
                "irr": self.irr,
            },
            index=pd.Index(index, name="project") if index is not None else None,
        )


def annuity_factor(rate: np.ndarray | float, years: np.ndarray | float) -> np.ndarray:
    """Present value of 1 per year for `years` years at `rate`:
    sum_{j=1..Y} 1/(1+i)^j = (1 - (1+i)^-Y) / i, and Y itself when i = 0."""
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = -np.expm1(-years * np.log1p(rate)) / rate
    return np.where(rate == 0, years, factor)


def _irr_one(capex: float, cash_flow: float, years: int) -> float:
    """numpy_financial.irr of [-I, F, ..., F] (Y times F); NaN unless I > 0 and F > 0."""
    if not (capex > 0 and cash_flow > 0):
        return float("nan")
    return float(npf.irr(np.concatenate(([-capex], np.full(years, cash_flow)))))


def feasibility(
    capex: np.ndarray | Sequence[float] | float,
    annual_saving: np.ndarray | Sequence[float] | float,
    life_years: np.ndarray | Sequence[int] | int,
    income_tax_rate: np.ndarray | float,
    rate: np.ndarray | float,
    *,
    with_irr: bool = True,
) -> FeasibilityTable:
    """The feasibility figures of every project (arguments broadcast to one length).

    With investment I, annual net operating saving P, depreciation life Y, income tax
    rate `tax` and benchmark rate i:

    * depreciation D = I / Y (straight line over the life, no salvage value);
    * taxable profit T = P - D; net profit E = T * (1 - tax); cash flow F = E + D;
    * payback N = I / F years, infinite when F <= 0 (the money never comes back);
    * NPV = F * sum_{j=1..Y} 1/(1+i)^j - I, the appraisal period being the life Y;
    * NPVR = NPV / I, NaN when I = 0;
    * IRR = the rate r at which NPV(r) = 0, from numpy_financial.irr on the cash-flow
      vector [-I, F, ..., F]; NaN when it does not exist (F <= 0 or I = 0). With
      F > 0 and I > 0 the root is unique; it is negative when Y * F < I. numpy_financial
      finds it as a polynomial root (0.1-0.5 ms a project); `with_irr=False` skips it
      (IRR all NaN) for very large parks that do not need it.

    A negative taxable profit (T < 0) is taxed as given, as in the training material:
    E = T * (1 - tax) is then a loss smaller than T, i.e. the project's loss earns a tax
    credit against the enterprise's other profits. This is what makes the worked
    examples of the training material come out (docs/finance.md); it assumes the
    enterprise has profits to offset.
    """
    capex_a, saving_a, life_a, tax_a, rate_a = np.broadcast_arrays(
        np.asarray(capex, dtype=float),
        np.asarray(annual_saving, dtype=float),
        np.asarray(life_years),
        np.asarray(income_tax_rate, dtype=float),
        np.asarray(rate, dtype=float),
    )
    capex_a, saving_a, tax_a, rate_a = (
        np.atleast_1d(a).astype(float) for a in (capex_a, saving_a, tax_a, rate_a)
    )
    life_f = np.atleast_1d(life_a).astype(float)
    if np.any(life_f < 1) or np.any(life_f != np.round(life_f)):
        raise ValueError("life_years must be whole years >= 1")
    if np.any(capex_a < 0):
        raise ValueError("capex must be >= 0")
    life_i = life_f.astype(int)

    depreciation = capex_a / life_f
    taxable = saving_a - depreciation
    net = taxable * (1.0 - tax_a)
    flow = net + depreciation
    with np.errstate(divide="ignore", invalid="ignore"):
        payback = np.where(flow > 0, capex_a / flow, np.inf)
        npv = flow * annuity_factor(rate_a, life_f) - capex_a
        npvr = np.where(capex_a > 0, npv / capex_a, np.nan)
    if with_irr:
        irr = np.array(
            [_irr_one(i, f, y) for i, f, y in zip(capex_a, flow, life_i, strict=True)],
            dtype=float,
        )
    else:
        irr = np.full(len(capex_a), np.nan)
    return FeasibilityTable(
        capex=capex_a,
        annual_saving=saving_a,
        life_years=life_i,
        income_tax_rate=tax_a,
        rate=rate_a,
        depreciation=depreciation,
        taxable_profit=taxable,
        net_profit=net,
        cash_flow=flow,
        payback=payback,
        npv=npv,
        npvr=npvr,
        irr=irr,
    )


def irr_brentq(capex: float, cash_flow: float, years: int) -> float:
    """IRR of investing `capex` for `cash_flow` a year over `years` years, found
    independently of numpy_financial: scipy's brentq on NPV(r) = sum_{j=1..Y} F/(1+r)^j
    - I, summed term by term. NaN unless I > 0 and F > 0.

    NPV falls strictly with r on (-1, inf), so the root is unique, and it is bracketed by
    lo = F/(2I) - 1 (there NPV > F/(1+lo) - I = I > 0) and hi = max(1, 2F/I) (there
    NPV < F/hi - I <= -I/2 < 0, since the annuity factor is below 1/r).
    """
    if not (capex > 0 and cash_flow > 0):
        return float("nan")
    terms = np.arange(1, int(years) + 1, dtype=float)

    def npv(r: float) -> float:
        return float(np.sum(cash_flow / (1.0 + r) ** terms) - capex)

    lo = cash_flow / (2.0 * capex) - 1.0
    hi = max(1.0, 2.0 * cash_flow / capex)
    from scipy.optimize import brentq  # here: scipy.optimize takes ~1 s to import

    return float(brentq(npv, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))


__all__ = [
    "FeasibilityTable",
    "annuity_factor",
    "feasibility",
    "irr_brentq",
]
