"""The audit view of a run as variables of its results Dataset: permit surplus and its
value as emission rights, expansion headroom, the mandatory-audit criteria and the audit
priority tiers, on the results' `enterprise` and `pollutant` axes. The rules are those of
model/appraise/audit.py (docs/audit.md); model/report/figures/appraisal_figures.py draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from model.appraise.audit import (
    DEFAULT_TIER_CUTS,
    audit_classes,
    permit_price_vectors,
    priority_tiers,
    surplus_arrays,
)
from model.appraise.evaluate import ParkState
from model.appraise.finance import right_prices
from model.compile.park import ParkData
from model.input.schema import Scenario
from model.results.variables import make_variable


def audit_dataset(
    park: ParkData,
    scenario: Scenario,
    before: ParkState,
    after: ParkState,
    prices: Mapping[str, Sequence[float | None]] | None = None,
    cuts: tuple[float, float] = DEFAULT_TIER_CUTS,
) -> xr.Dataset:
    """The permit, audit and priority tables as one Dataset on the results Dataset's axes
    (`enterprise` = every row of the park arrays including the park's own row, then
    `pollutant`), so `xr.merge([results_ds, audit_ds])` adds them to a run.

    (enterprise, pollutant), NaN where the row has no permit: `permit_surplus`,
    `permit_excess_after` (t/yr), `rights_transfer_value` (CNY, one-off),
    `rights_lease_value` (CNY/yr), `expansion_headroom` (fraction, may be +inf).
    (enterprise): `mandatory_audit` (1/0), `audit_criteria` (the reasons text),
    `pe_intensity`, `energy_intensity` (NaN without output value), `priority_score`,
    `priority_tier` (1-3), `priority_basis`. The park's own row is not an enterprise:
    mandatory_audit 0, audit_criteria "", priority_tier 0, intensities NaN.

    `prices` defaults to `model.appraise.finance.right_prices(scenario.trading)`.
    """
    if prices is None:
        prices = right_prices(scenario.trading)
    _, surplus, excess, headroom = surplus_arrays(park, after)
    transfer, lease = permit_price_vectors(park, prices)
    classes = audit_classes(park, scenario, before)
    tiers = priority_tiers(park, scenario, before, cuts)

    ids = list(park.enterprise_ids)
    mandatory = np.zeros(len(ids), dtype=np.int64)
    criteria = np.array([""] * len(ids), dtype=object)
    pe_int = np.full(len(ids), np.nan)
    en_int = np.full(len(ids), np.nan)
    score = np.full(len(ids), np.nan)
    tier = np.zeros(len(ids), dtype=np.int64)
    basis = np.array([""] * len(ids), dtype=object)
    for r, eid in enumerate(ids):
        if eid in classes.index:
            mandatory[r] = int(classes.at[eid, "mandatory"])
            criteria[r] = classes.at[eid, "reasons"]
        if eid in tiers.index:
            pe_int[r] = tiers.at[eid, "pe_intensity_eq_per_1e4CNY"]
            en_int[r] = tiers.at[eid, "energy_intensity_tce_per_1e4CNY"]
            score[r] = tiers.at[eid, "score"]
            tier[r] = tiers.at[eid, "tier"]
            basis[r] = tiers.at[eid, "basis"]

    ep, ent = ("enterprise", "pollutant"), ("enterprise",)
    low, high = cuts
    data_vars = {
        "permit_surplus": make_variable(
            ep, surplus, "t/yr", "permit minus emissions after, floored at 0 (NaN = no permit)"
        ),
        "permit_excess_after": make_variable(
            ep, excess, "t/yr", "emissions after minus permit, floored at 0 (NaN = no permit)"
        ),
        "rights_transfer_value": make_variable(
            ep,
            surplus * transfer,
            "CNY",
            "one-off transfer value of the surplus emission rights (surplus * transfer price)",
        ),
        "rights_lease_value": make_variable(
            ep,
            surplus * lease,
            "CNY/yr",
            "annual lease value of the surplus emission rights (surplus * lease price)",
        ),
        "expansion_headroom": make_variable(
            ep,
            headroom,
            "1",
            "production increase the surplus allows at the new intensity (surplus / after; "
            "emissions assumed proportional to output; inf = nothing emitted after)",
        ),
        "right_transfer_price": make_variable(
            ("pollutant",), transfer, "CNY/t", "emission-right transfer price (NaN = none)"
        ),
        "right_lease_price": make_variable(
            ("pollutant",), lease, "CNY/(t*yr)", "emission-right annual lease price (NaN = none)"
        ),
        "mandatory_audit": make_variable(
            ent,
            mandatory,
            "1",
            "1 = mandatory cleaner-production audit under the 2016 Measures (any criterion)",
        ),
        "audit_criteria": make_variable(
            ent, criteria.astype(str), "", "mandatory-audit criteria met, with figures"
        ),
        "pe_intensity": make_variable(
            ent,
            pe_int,
            "pollution equivalents per 10^4 CNY",
            "baseline pollution equivalents / output value (NaN = no output value)",
        ),
        "energy_intensity": make_variable(
            ent,
            en_int,
            "tce per 10^4 CNY",
            "baseline energy use / output value (NaN = no output value)",
        ),
        "priority_score": make_variable(
            ent, score, "1", "mean of the two percentile ranks (intensity or absolute load)"
        ),
        "priority_tier": make_variable(
            ent,
            tier,
            "1",
            f"audit priority tier: 1 = score percentile rank > {high:.4g}, 2 = > {low:.4g}, "
            "3 = rest; 0 = not tiered (park row)",
        ),
        "priority_basis": make_variable(
            ent, basis.astype(str), "", "'intensity', or 'absolute load' without output value"
        ),
    }
    coords = {
        "enterprise": ("enterprise", np.asarray(ids, dtype=str)),
        "pollutant": ("pollutant", np.asarray(park.pollutant_ids, dtype=str)),
    }
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs = {"audit_tier_cuts": [float(low), float(high)]}
    return ds
