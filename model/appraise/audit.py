"""Permit linkage, mandatory-audit classification and audit priority tiers.

Three tables a park's audit team asks for after a run, computed from the compiled park
(`ParkData`), the scenario (output values, energy quotas, toxic flags, right prices) and
the park evaluated before and after the chosen projects (`ParkState`,
`model.appraise.evaluate`):

* `permit_table`: per (enterprise row, pollutant) with a permit, the surplus rights the
  projects free up, what they are worth on the emission-rights market (docs/audit.md) and
  the capacity expansion they allow; `permit_totals` sums it per pollutant.
* `audit_classes`: which enterprises fall under a *mandatory* cleaner-production audit by
  the three criteria of the 2016 Measures (《清洁生产审核办法》, NDRC and MEP Order No.
  38), and why.
* `priority_tiers`: audit priority by pollution-equivalent intensity and energy intensity
  per 10^4 CNY of output value, in three tiers.

`model.results.audit_dataset` puts the three on the results Dataset's `enterprise` and
`pollutant` axes; `model.report.figures.appraisal_figures` draws them. The rules are
documented in docs/audit.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from model.appraise.evaluate import ParkState
from model.compile.park import ParkData
from model.input.reference import water_class_i
from model.input.schema import PARK_ID, Enterprise, Scenario

AIR_TOXIC_POLLUTANTS: tuple[str, ...] = (
    "Hg_air",
    "Pb_air",
    "Cd_air",
    "Be_air",
    "Ni_air",
    "Sn_air",
    "chromic_acid_mist",
    "benzo_a_pyrene_air",
)
"""Air pollutants counted as toxic/hazardous substances for audit criterion 3: the heavy
metals and their compounds, chromic acid mist and benzo(a)pyrene of the Environmental
Protection Tax Law, annex 2."""

SOLID_TOXIC_POLLUTANTS: tuple[str, ...] = ("hazardous_waste",)
"""Solid pollutants counted as toxic/hazardous substances for audit criterion 3."""

DEFAULT_TIER_CUTS: tuple[float, float] = (1.0 / 3.0, 2.0 / 3.0)
"""Percentile-rank cut points of the combined score: above the upper one is tier 1,
above the lower one tier 2, the rest tier 3 (top, middle and bottom third)."""

_TOL = 1e-9
_CUT_TOL = 1e-12


# --------------------------------------------------------------------------- reference


def toxic_pollutants() -> frozenset[str]:
    """Every pollutant id whose emission (baseline > 0) makes an enterprise without a
    `toxic` flag count as emitting toxic/hazardous substances (audit criterion 3)."""
    return water_class_i() | frozenset(AIR_TOXIC_POLLUTANTS) | frozenset(SOLID_TOXIC_POLLUTANTS)


# --------------------------------------------------------------------------- helpers


def _price(value: Any) -> float:
    """A price or NaN when none is known (None, NaN, missing)."""
    if value is None:
        return math.nan
    value = float(value)
    return value if math.isfinite(value) else math.nan


def permit_price_vectors(
    park: ParkData, prices: Mapping[str, Sequence[float | None]]
) -> tuple[np.ndarray, np.ndarray]:
    """(P,) transfer prices CNY/t and (P,) lease prices CNY/(t*yr); NaN = no price."""
    transfer = np.full(len(park.pollutant_ids), np.nan)
    lease = np.full(len(park.pollutant_ids), np.nan)
    for i, pollutant in enumerate(park.pollutant_ids):
        pair = prices.get(pollutant)
        if pair is not None:
            transfer[i], lease[i] = _price(pair[0]), _price(pair[1])
    return transfer, lease


def _enterprise_rows(park: ParkData, scenario: Scenario) -> list[tuple[int, Enterprise]]:
    """(row in the park arrays, scenario enterprise) for every enterprise; the park's own
    row is left out."""
    rows = {eid: r for r, eid in enumerate(park.enterprise_ids) if eid != PARK_ID}
    missing = [e.id for e in scenario.enterprises if e.id not in rows]
    if missing or len(rows) != len(scenario.enterprises):
        raise ValueError(
            f"park {park.name!r} and the scenario list different enterprises "
            f"(not in the park: {missing})"
        )
    return [(rows[e.id], e) for e in scenario.enterprises]


def _fmt(value: float) -> str:
    return f"{value:,.6g}"


def surplus_arrays(
    park: ParkData, after: ParkState
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(E, P) permit mask, surplus, excess and expansion headroom (NaN where no permit).

    surplus = max(0, permit - after); excess = max(0, after - permit);
    headroom = surplus / after, +inf when after = 0 and surplus > 0, 0 when surplus = 0.
    """
    has_permit = ~np.isnan(park.permit)
    permit = np.where(has_permit, park.permit, 0.0)
    emitted = after.emissions
    surplus = np.where(has_permit, np.maximum(0.0, permit - emitted), np.nan)
    excess = np.where(has_permit, np.maximum(0.0, emitted - permit), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(emitted > 0, surplus / np.where(emitted > 0, emitted, 1.0), np.inf)
    headroom = np.where(surplus > 0, ratio, 0.0)
    headroom = np.where(has_permit, headroom, np.nan)
    return has_permit, surplus, excess, headroom


# --------------------------------------------------------------------------- permits


def permit_table(
    park: ParkData,
    before: ParkState,
    after: ParkState,
    prices: Mapping[str, Sequence[float | None]],
) -> pd.DataFrame:
    """One row per (enterprise row, pollutant) that has an emission permit.

    With b = emissions before (t/yr, `before`), q = the permit (t/yr) and a = emissions
    after the chosen projects (t/yr, `after`):

    * surplus = max(0, q - a) t/yr: permitted tonnes the enterprise no longer emits;
    * excess = max(0, a - q) t/yr: tonnes still over the permit after the projects;
    * surplus as tradable emission rights (docs/audit.md): the one-off transfer value
      surplus * transfer price (CNY/t) in CNY, and the annual lease value surplus * lease
      price (CNY per t per yr) in CNY/yr. The two are alternatives, not a sum: a right is
      sold once or leased every year (the prices differ 10-50 times). NaN = no price.
    * expansion headroom = surplus / a: the fractional production increase the surplus
      allows at the new emission intensity, assuming emissions scale in proportion to
      output; +inf when a = 0 and surplus > 0, 0 when there is no surplus.

    `prices` maps pollutant -> (transfer CNY/t, lease CNY/(t*yr)), as returned by
    `model.appraise.finance.right_prices(scenario.trading)`; None or NaN = no price. The park's
    own row is included when it has a permit.
    """
    has_permit, surplus, excess, headroom = surplus_arrays(park, after)
    transfer, lease = permit_price_vectors(park, prices)
    rows, cols = np.nonzero(has_permit)
    return pd.DataFrame(
        {
            "enterprise": [park.enterprise_ids[r] for r in rows],
            "enterprise_name": [park.enterprise_names[r] for r in rows],
            "pollutant": [park.pollutant_ids[c] for c in cols],
            "medium": [park.pollutant_media[c] for c in cols],
            "baseline_t_per_yr": before.emissions[rows, cols],
            "permit_t_per_yr": park.permit[rows, cols],
            "after_t_per_yr": after.emissions[rows, cols],
            "surplus_t_per_yr": surplus[rows, cols],
            "excess_t_per_yr": excess[rows, cols],
            "transfer_price_CNY_per_t": transfer[cols],
            "lease_price_CNY_per_t_yr": lease[cols],
            "rights_transfer_value_CNY": surplus[rows, cols] * transfer[cols],
            "rights_lease_value_CNY_per_yr": surplus[rows, cols] * lease[cols],
            "expansion_headroom_fraction": headroom[rows, cols],
        }
    )


def permit_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Park-level totals per pollutant of a `permit_table` (permitted pairs only).

    Tonnes and values are summed over the permitted (enterprise, pollutant) pairs (a
    value is NaN when the pollutant has no price). `net_headroom_fraction` =
    max(0, total permit - total after) / total after: the uniform production increase
    the permitted enterprises could make together if surplus rights were traded within
    the park to cover any excess (emissions proportional to output); +inf when nothing
    is emitted after and some permit remains.
    """
    sums = [
        "baseline_t_per_yr",
        "permit_t_per_yr",
        "after_t_per_yr",
        "surplus_t_per_yr",
        "excess_t_per_yr",
        "rights_transfer_value_CNY",
        "rights_lease_value_CNY_per_yr",
    ]
    if table.empty:
        return pd.DataFrame(columns=["pollutant", "n_permits", *sums, "net_headroom_fraction"])
    grouped = table.groupby("pollutant", sort=False)
    totals = grouped[sums].sum(min_count=1)
    totals.insert(0, "n_permits", grouped.size())
    net = (totals["permit_t_per_yr"] - totals["after_t_per_yr"]).clip(lower=0.0)
    after_total = totals["after_t_per_yr"]
    with np.errstate(divide="ignore", invalid="ignore"):
        headroom = np.where(after_total > 0, net / after_total.where(after_total > 0, 1.0), np.inf)
    totals["net_headroom_fraction"] = np.where(net > 0, headroom, 0.0)
    return totals.reset_index()


# --------------------------------------------------------------------------- audit criteria


def audit_classes(park: ParkData, scenario: Scenario, before: ParkState) -> pd.DataFrame:
    """Mandatory cleaner-production audit by the 2016 Measures (《清洁生产审核办法》), per
    enterprise (the park's own row is left out), from the emissions and energy *before*
    any project:

    1. emissions: baseline > permit for at least one pollutant. The emission permit
       stands in for both the national/local discharge standard and the total-load
       control quota, the two tests of the Measures' criterion (1);
    2. energy: baseline energy use (tce/yr on the scenario's energy basis) > the
       enterprise's `energy_quota_tce` (tested only where a quota is given);
    3. toxic: the enterprise's `toxic` flag where given (True or False decides), else
       it emits (baseline > 0) a class I water pollutant, hazardous waste or a toxic air
       pollutant (`AIR_TOXIC_POLLUTANTS`).

    `mandatory` = any criterion; `reasons` names the pollutants and figures that trigger
    each criterion ("" when none does). Indexed by enterprise id, in scenario order.
    """
    toxic_ids = toxic_pollutants()
    tce = before.energy_tce.sum(axis=1)
    records = []
    for row, enterprise in _enterprise_rows(park, scenario):
        baseline = before.emissions[row]
        permit = park.permit[row]
        over = [
            c
            for c in range(len(park.pollutant_ids))
            if not np.isnan(permit[c]) and baseline[c] > permit[c] + _TOL * max(1.0, permit[c])
        ]
        quota = enterprise.energy_quota_tce
        energy_over = quota is not None and tce[row] > quota + _TOL * max(1.0, quota)
        emitted_toxic = [
            p for c, p in enumerate(park.pollutant_ids) if p in toxic_ids and baseline[c] > 0
        ]
        if enterprise.toxic is not None:
            toxic, toxic_basis = bool(enterprise.toxic), "flag"
        else:
            toxic, toxic_basis = bool(emitted_toxic), "emissions"

        reasons = []
        if over:
            listed = ", ".join(
                f"{park.pollutant_ids[c]} {_fmt(baseline[c])} > {_fmt(permit[c])}" for c in over
            )
            reasons.append(f"(1) emissions over permit (standard/total-load proxy): {listed} t/yr")
        if energy_over:
            reasons.append(f"(2) energy {_fmt(tce[row])} tce/yr > quota {_fmt(quota)} tce/yr")
        if toxic:
            if toxic_basis == "flag":
                reasons.append("(3) uses or emits toxic/hazardous substances (toxic flag)")
            else:
                reasons.append(f"(3) emits toxic/hazardous substances: {', '.join(emitted_toxic)}")
        records.append(
            {
                "enterprise": enterprise.id,
                "name": park.enterprise_names[row],
                "sector": park.enterprise_sectors[row],
                "over_permit": bool(over),
                "over_permit_pollutants": ", ".join(park.pollutant_ids[c] for c in over),
                "energy_tce_per_yr": float(tce[row]),
                "energy_quota_tce_per_yr": math.nan if quota is None else float(quota),
                "over_energy_quota": bool(energy_over),
                "toxic": toxic,
                "toxic_basis": toxic_basis,
                "toxic_pollutants_emitted": ", ".join(emitted_toxic),
                "mandatory": bool(over) or bool(energy_over) or toxic,
                "reasons": "; ".join(reasons),
            }
        )
    return pd.DataFrame.from_records(records).set_index("enterprise")


# --------------------------------------------------------------------------- priority tiers


def _percentile_rank(values: pd.Series) -> pd.Series:
    """Percentile rank in (0, 1]: rank (1 = smallest, ties share the average rank) / n."""
    return values.rank(method="average", pct=True)


def _tier(score_rank: pd.Series, cuts: tuple[float, float]) -> pd.Series:
    low, high = cuts
    tier = np.where(score_rank > high + _CUT_TOL, 1, np.where(score_rank > low + _CUT_TOL, 2, 3))
    return pd.Series(tier, index=score_rank.index, dtype=int)


def priority_tiers(
    park: ParkData,
    scenario: Scenario,
    before: ParkState,
    cuts: tuple[float, float] = DEFAULT_TIER_CUTS,
) -> pd.DataFrame:
    """Audit priority tiers by intensity, per enterprise (the park's own row left out).

    * pollution-equivalent intensity = baseline pollution equivalents / output value
      (equivalents per 10^4 CNY); energy intensity = baseline tce / output value (tce per
      10^4 CNY, on the scenario's energy basis).
    * each measure gets a percentile rank in (0, 1]: rank (1 = smallest, ties share the
      average) divided by the number of enterprises compared; the combined score is the
      mean of the two ranks, and the score's own percentile rank sets the tier: above
      cuts[1] tier 1, above cuts[0] tier 2, otherwise tier 3 (default thirds: tier 1 =
      the most intensive third). Tied scores share a tier.
    * enterprises without `output_value` cannot have an intensity: they are compared
      among themselves by absolute load (pollution equivalents/yr and tce/yr) with the
      same rule and flagged `no_output_value`, `basis` = "absolute load".

    Tiers are by intensity only; `mandatory_audit` (from `audit_classes`) is shown
    beside them and does not change them. Sorted by basis, tier and score (highest
    first); indexed by enterprise id.
    """
    low, high = cuts
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"tier cuts must satisfy 0 <= low <= high <= 1, got {cuts}")
    mandatory = audit_classes(park, scenario, before)["mandatory"]
    pe = before.pollution_eq.sum(axis=1)
    tce = before.energy_tce.sum(axis=1)
    records = []
    for row, enterprise in _enterprise_rows(park, scenario):
        value = enterprise.output_value
        records.append(
            {
                "enterprise": enterprise.id,
                "name": park.enterprise_names[row],
                "sector": park.enterprise_sectors[row],
                "output_value_1e4CNY_per_yr": math.nan if value is None else float(value),
                "pollution_eq_per_yr": float(pe[row]),
                "energy_tce_per_yr": float(tce[row]),
                "pe_intensity_eq_per_1e4CNY": math.nan if value is None else pe[row] / value,
                "energy_intensity_tce_per_1e4CNY": math.nan if value is None else tce[row] / value,
                "no_output_value": value is None,
            }
        )
    frame = pd.DataFrame.from_records(records).set_index("enterprise")
    frame["basis"] = np.where(frame["no_output_value"], "absolute load", "intensity")
    for column in ("pe_rank", "energy_rank", "score", "score_rank"):
        frame[column] = np.nan
    frame["tier"] = 0
    for no_value, group in frame.groupby("no_output_value"):
        if no_value:
            pe_measure, en_measure = group["pollution_eq_per_yr"], group["energy_tce_per_yr"]
        else:
            pe_measure = group["pe_intensity_eq_per_1e4CNY"]
            en_measure = group["energy_intensity_tce_per_1e4CNY"]
        pe_rank, en_rank = _percentile_rank(pe_measure), _percentile_rank(en_measure)
        score = (pe_rank + en_rank) / 2.0
        score_rank = _percentile_rank(score)
        frame.loc[group.index, "pe_rank"] = pe_rank
        frame.loc[group.index, "energy_rank"] = en_rank
        frame.loc[group.index, "score"] = score
        frame.loc[group.index, "score_rank"] = score_rank
        frame.loc[group.index, "tier"] = _tier(score_rank, cuts)
    frame["tier"] = frame["tier"].astype(int)
    frame["mandatory_audit"] = mandatory.reindex(frame.index).astype(bool)
    return frame.sort_values(
        ["no_output_value", "tier", "score"], ascending=[True, True, False], kind="stable"
    )
