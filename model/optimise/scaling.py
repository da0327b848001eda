"""The units the solver works in, chosen from the park's data (docs/math.md section 13).

A solver judges feasibility with absolute tolerances (HiGHS: 1e-7 on rows and bounds,
1e-6 for MIP feasibility) and drops matrix entries below 1e-9. Stated in t/yr and CNY,
a mercury permit of 1e-10 t/yr sits far below those tolerances while a capex of 1e9 CNY
sits far above them, so the solver would call a portfolio that breaks the permit by
100 % feasible. The model is therefore handed over in units of the data's own size:

* each pollutant p gets a unit u_p (t/yr): the power of two nearest the geometric mean
  of the sizes of every non-zero baseline, reduction, permit and park cap of p;
* each energy carrier c gets a unit v_c (carrier units/yr) likewise, from its non-zero
  baselines and savings;
* money in the budget rows is counted in the power of two nearest the geometric mean of
  the non-zero capex that counts in the budget (`money_unit`), the public subsidy row in
  that of the subsidies (`public_money_unit`);
* any other row is divided by the power of two nearest the geometric mean of its own
  coefficients' sizes once the columns are in their units (`power_of_two_near`).

Powers of two make the change of units exact in floating point: a coefficient divided
by 2^k is the same number with another exponent, so scaling and unscaling lose nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from model.compile.park import ParkData


def power_of_two_near(sizes: Iterable[float] | np.ndarray) -> float:
    """2^round(mean(log2 |s|)) over the non-zero finite sizes s: the power of two nearest
    their geometric mean. 1.0 when there is none."""
    values = np.abs(np.asarray(sizes if isinstance(sizes, np.ndarray) else list(sizes), float))
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 1.0
    return float(np.exp2(np.round(np.mean(np.log2(values)))))


@dataclass(frozen=True)
class ModelUnits:
    """How many user units one model unit of each kind is worth."""

    pollutant: np.ndarray  # (P,) t/yr
    carrier: np.ndarray  # (C,) carrier units/yr
    money: float  # CNY, in the budget rows
    public_money: float  # CNY, in the public subsidy row


def _non_nan(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float).ravel()
    return values[~np.isnan(values)]


def choose_units(park: ParkData) -> ModelUnits:
    """The units of `park` (module docstring): per pollutant from its baselines,
    reductions, permits (every year) and park caps (every year); per carrier from its
    baselines and savings; money from the capex that counts in the budget and from the
    subsidies."""
    reduces, saves = park.reduces.tocsc(), park.saves.tocsc()
    pollutant = np.array(
        [
            power_of_two_near(
                np.concatenate(
                    [
                        park.baseline_emissions[:, p],
                        reduces.data[reduces.indptr[p] : reduces.indptr[p + 1]],
                        _non_nan(park.permit_by_year[:, :, p]),
                        _non_nan(park.park_cap_by_year[:, p]),
                    ]
                )
            )
            for p in range(len(park.pollutant_ids))
        ]
    )
    carrier = np.array(
        [
            power_of_two_near(
                np.concatenate(
                    [park.baseline_energy[:, c], saves.data[saves.indptr[c] : saves.indptr[c + 1]]]
                )
            )
            for c in range(len(park.carrier_ids))
        ]
    )
    return ModelUnits(
        pollutant=pollutant,
        carrier=carrier,
        money=power_of_two_near(park.budget_capex()),
        public_money=power_of_two_near(park.subsidy),
    )
