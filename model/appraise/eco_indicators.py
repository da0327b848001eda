"""The park indicators of HJ 274-2015 《国家生态工业示范园区标准》 that the model can speak
to, before and after the chosen projects (docs/results.md, "Eco-industrial park
indicators").

HJ 274-2015 judges a park by 32 indicators in five groups; the ones a cleaner-production
plan changes are intensities per unit of industrial value added (VA). With VA the sum of
the enterprises' `value_added` (10^4 CNY/yr; the park's own row has none), and the park's
totals including its own row (shared facilities):

* energy per VA = park energy in tce (GB/T 2589 equivalent value) / VA, tce per 10^4 CNY;
* CO2 per VA = park CO2 from energy (carrier factors) / VA, t per 10^4 CNY;
* wastewater per VA = park `wastewater` / VA, t per 10^4 CNY (when the scenario tracks
  `wastewater`; fresh-water intake, the standard's water indicator, is not modelled);
* key pollutant per VA = park emission of COD, NH3N, SO2 or NOx x 1000 / VA, kg per
  10^4 CNY (when tracked);
* change = after / before - 1 (output and VA held at the baseline: the projects change
  loads, not production).

Thresholds: no public copy of the standard's table of values was retrieved, so every
HJ 274 threshold is "threshold unverified" (NaN) and a report says so. Two values are
verified for a related benchmark, the 2024 near-zero-carbon park reference values
(http://tanpaifang.com/tanguwen/2024/0716/107386.html): energy per VA <= 0.35 tce per
10^4 CNY (equivalent value) and CO2 per VA <= 0.6 t per 10^4 CNY; they are given as
`reference`, not as the standard's threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.appraise.evaluate import ParkState
from model.compile.park import ParkData
from model.input.schema import PARK_ID, Scenario

UNVERIFIED = "threshold unverified"
"""Status of an HJ 274-2015 threshold that no retrieved public source confirms."""

NEAR_ZERO_SOURCE = (
    "near-zero-carbon park reference values (2024), "
    "http://tanpaifang.com/tanguwen/2024/0716/107386.html"
)


@dataclass(frozen=True)
class EcoIndicator:
    """One indicator: what it divides by VA, its unit, the HJ 274 threshold (NaN when
    unverified) and a verified related reference value if any."""

    id: str
    name: str
    name_zh: str
    unit: str
    quantity: str
    """`energy_tce`, `co2` or `emissions.<pollutant>`."""
    scale: float = 1.0
    """Multiplier of the quantity (1000: t -> kg)."""
    threshold: float = math.nan
    threshold_status: str = UNVERIFIED
    reference: float = math.nan
    reference_source: str = ""


INDICATORS: tuple[EcoIndicator, ...] = (
    EcoIndicator(
        "energy_per_value_added",
        "comprehensive energy consumption per unit of industrial value added",
        "单位工业增加值综合能耗",
        "tce per 10^4 CNY",
        "energy_tce",
        reference=0.35,
        reference_source=NEAR_ZERO_SOURCE,
    ),
    EcoIndicator(
        "co2_per_value_added",
        "CO2 from energy per unit of industrial value added",
        "单位工业增加值二氧化碳排放量",
        "t per 10^4 CNY",
        "co2",
        reference=0.6,
        reference_source=NEAR_ZERO_SOURCE,
    ),
    EcoIndicator(
        "wastewater_per_value_added",
        "wastewater discharged per unit of industrial value added",
        "单位工业增加值废水排放量",
        "t per 10^4 CNY",
        "emissions.wastewater",
    ),
    *(
        EcoIndicator(
            f"{pollutant}_per_value_added",
            f"{pollutant} emitted per unit of industrial value added",
            f"单位工业增加值{zh}排放量",
            "kg per 10^4 CNY",
            f"emissions.{pollutant}",
            scale=1000.0,
        )
        for pollutant, zh in (
            ("COD", "化学需氧量"),
            ("NH3N", "氨氮"),
            ("SO2", "二氧化硫"),
            ("NOx", "氮氧化物"),
        )
    ),
)
"""The indicators, in report order."""


def park_value_added(scenario: Scenario) -> tuple[float, list[str]]:
    """(sum of the enterprises' value added in 10^4 CNY/yr, ids of enterprises without
    one). The sum is NaN when any enterprise lacks it."""
    missing = [e.id for e in scenario.enterprises if e.value_added is None]
    if missing:
        return math.nan, missing
    return float(sum(e.value_added for e in scenario.enterprises)), []


def _park_total(park: ParkData, state: ParkState, quantity: str) -> float | None:
    """The park's total of `quantity` under `state` (None when not tracked)."""
    if quantity == "energy_tce":
        return float((state.energy @ park.tce_equivalent_per_unit).sum())
    if quantity == "co2":
        return float(state.co2.sum())
    pollutant = quantity.removeprefix("emissions.")
    if pollutant not in park.pollutant_ids:
        return None
    return float(state.emissions[:, park.pollutant_ids.index(pollutant)].sum())


def eco_indicators(
    park: ParkData, scenario: Scenario, before: ParkState, after: ParkState
) -> pd.DataFrame:
    """The indicators of `INDICATORS` the park tracks, indexed by indicator id, with
    columns name, name_zh, unit, before, after, change (fraction), threshold,
    threshold_status, meets_threshold ("yes"/"no"/"" when unverified), reference,
    reference_source, meets_reference. Empty when an enterprise lacks `value_added`."""
    value_added, missing = park_value_added(scenario)
    columns = [
        "name",
        "name_zh",
        "unit",
        "before",
        "after",
        "change",
        "threshold",
        "threshold_status",
        "meets_threshold",
        "reference",
        "reference_source",
        "meets_reference",
    ]
    if missing or not any(eid != PARK_ID for eid in park.enterprise_ids):
        return pd.DataFrame(columns=columns, index=pd.Index([], name="indicator"))
    records = {}
    for indicator in INDICATORS:
        total_before = _park_total(park, before, indicator.quantity)
        total_after = _park_total(park, after, indicator.quantity)
        if total_before is None or total_after is None:
            continue
        value_before = indicator.scale * total_before / value_added
        value_after = indicator.scale * total_after / value_added
        change = value_after / value_before - 1.0 if value_before > 0 else math.nan
        records[indicator.id] = {
            "name": indicator.name,
            "name_zh": indicator.name_zh,
            "unit": indicator.unit,
            "before": value_before,
            "after": value_after,
            "change": change,
            "threshold": indicator.threshold,
            "threshold_status": indicator.threshold_status,
            "meets_threshold": _meets(value_after, indicator.threshold),
            "reference": indicator.reference,
            "reference_source": indicator.reference_source,
            "meets_reference": _meets(value_after, indicator.reference),
        }
    frame = pd.DataFrame.from_dict(records, orient="index", columns=columns)
    frame.index.name = "indicator"
    return frame


def _meets(value: float, ceiling: float) -> str:
    """ "yes" when value <= ceiling, "no" above it, "" without a ceiling."""
    if np.isnan(ceiling):
        return ""
    return "yes" if value <= ceiling * (1 + 1e-9) else "no"
