"""Public money: subsidies, the least grant that makes a project pay, and whether grants
are additional.

Pure functions on numpy arrays (no Pyomo), on the feasibility figures of
model/appraise/feasibility.py computed without subsidy (docs/finance.md):

* `subsidy_amounts`: public co-funding min(rate[category] * capex, cap[category]);
* `npv_with_subsidy`, `break_even_subsidy`: the NPV when the enterprise invests capex -
  subsidy, and the least grant that brings NPV to 0;
* `additionality_verdicts`, `per_public_yuan` and `additionality`: whether a grant
  makes the difference, and what a public yuan buys (pollution equivalents or tce per
  year per CNY of subsidy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from model.appraise.evaluate import is_chosen
from model.appraise.feasibility import FeasibilityTable, annuity_factor, feasibility
from model.appraise.finance import privately_profitable


def subsidy_amounts(
    capex: np.ndarray | Sequence[float],
    categories: Sequence[str | None],
    rates: Mapping[str, float],
    caps: Mapping[str, float],
) -> np.ndarray:
    """Public co-funding per project, CNY: min(rate[category] * capex, cap[category]);
    0 for a category without a rate, no limit for a category without a cap."""
    capex = np.asarray(capex, dtype=float)
    rate = np.array([rates.get(c or "", 0.0) for c in categories], dtype=float)
    cap = np.array([caps.get(c or "", np.inf) for c in categories], dtype=float)
    return np.minimum(rate * capex, cap)


def break_even_subsidy(table: FeasibilityTable) -> np.ndarray:
    """The least public money that brings a project's NPV to 0, CNY (0 when already >= 0;
    inf when even a full grant of the investment leaves NPV < 0).

    With a grant S the enterprise invests I' = I - S and depreciates I' (the grant is
    netted off the asset). Then F = P (1 - tax) + tax * I'/Y and NPV(I') = P (1 - tax) A
    - I' (1 - tax A / Y), A = the annuity factor at the table's rate. 1 - tax A / Y > 0, so
    NPV falls with I' and is 0 at I'* = P (1 - tax) A / (1 - tax A / Y); the grant needed
    is I - I'*, clipped at 0.
    """
    factor = annuity_factor(table.rate, table.life_years)
    tax = table.income_tax_rate
    own = table.annual_saving * (1 - tax) * factor / (1 - tax * factor / table.life_years)
    need = np.maximum(table.capex - own, 0.0)
    return np.where(own < 0, np.inf, need)


def npv_with_subsidy(table: FeasibilityTable, subsidy: np.ndarray) -> np.ndarray:
    """NPV when the enterprise invests I - S (and depreciates I - S), S = the grant; the
    other figures of `table` (computed without subsidy) are kept."""
    return feasibility(
        table.capex - subsidy,
        table.annual_saving,
        table.life_years,
        table.income_tax_rate,
        table.rate,
        with_irr=False,  # only NPV is used here
    ).npv


def additionality_verdicts(
    profitable: np.ndarray, subsidy: np.ndarray, npv_with_grant: np.ndarray
) -> np.ndarray:
    """Per project: 'profitable anyway' (NPV >= 0 without subsidy: a grant is a windfall,
    not additional), else 'needs public money, none granted' (no grant), 'profitable with
    subsidy' (the grant makes the difference) or 'needs more public money' (still NPV < 0
    with the grant)."""
    return np.where(
        profitable,
        "profitable anyway",
        np.where(
            subsidy <= 0,
            "needs public money, none granted",
            np.where(npv_with_grant >= 0, "profitable with subsidy", "needs more public money"),
        ),
    )


def per_public_yuan(effect: np.ndarray, subsidy: np.ndarray) -> np.ndarray:
    """What a public yuan buys: effect per year / subsidy, for a subsidy > 0 (NaN else)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(subsidy > 0, np.asarray(effect) / subsidy, np.nan)


def additionality(
    project_ids: Sequence[str],
    selected: np.ndarray,
    table: FeasibilityTable,
    subsidy: np.ndarray,
    pollution_eq: np.ndarray,
    tce: np.ndarray,
) -> pd.DataFrame:
    """Is public money additional for the selected projects, and what does it buy?

    `table` is the feasibility table without subsidy; `subsidy` the grant per project
    (`subsidy_amounts`); `pollution_eq` and `tce` the annual effects (`project_effects`).
    For each selected project (chosen by `model.appraise.evaluate.is_chosen`):

    * privately_profitable: NPV >= 0 without subsidy (the project pays anyway: a grant to
      it is a windfall, not additional);
    * npv_with_subsidy: NPV when the enterprise invests I - S (depreciating I - S);
    * verdict: 'profitable anyway', 'profitable with subsidy' (the grant makes the
      difference), 'needs more public money' (still NPV < 0 with the grant) or 'needs
      public money, none granted';
    * subsidy_for_npv_zero: `break_even_subsidy`, the least grant for NPV >= 0;
    * pe_per_public_yuan = pollution equivalents avoided per year / S and
      tce_per_public_yuan = tce saved per year / S, for S > 0 only (NaN otherwise), with
      ranks (1 = most per yuan) among the subsidised selected projects.

    Rows are the selected projects, sorted by pe_per_public_yuan (largest first,
    unsubsidised last, then in input order).
    """
    keep = is_chosen(selected)
    subsidy = np.asarray(subsidy, dtype=float)
    with_grant = npv_with_subsidy(table, subsidy)
    profitable = privately_profitable(table)
    verdict = additionality_verdicts(profitable, subsidy, with_grant)
    pe_per_yuan = per_public_yuan(pollution_eq, subsidy)
    tce_per_yuan = per_public_yuan(tce, subsidy)
    frame = pd.DataFrame(
        {
            "capex": table.capex,
            "subsidy": subsidy,
            "own_capex": table.capex - subsidy,
            "npv_without_subsidy": table.npv,
            "npv_with_subsidy": with_grant,
            "privately_profitable": profitable,
            "verdict": verdict,
            "subsidy_for_npv_zero": break_even_subsidy(table),
            "pollution_eq_avoided": pollution_eq,
            "tce_saved": tce,
            "pe_per_public_yuan": pe_per_yuan,
            "tce_per_public_yuan": tce_per_yuan,
        },
        index=pd.Index(list(project_ids), name="project"),
    )[keep]
    frame["rank_pe_per_yuan"] = (
        frame["pe_per_public_yuan"].rank(ascending=False, method="min").astype("Int64")
    )
    frame["rank_tce_per_yuan"] = (
        frame["tce_per_public_yuan"].rank(ascending=False, method="min").astype("Int64")
    )
    return frame.sort_values(
        "pe_per_public_yuan", ascending=False, na_position="last", kind="stable"
    )
