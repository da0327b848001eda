"""The HJ 274-2015 park indicators of a run (model/appraise/eco_indicators.py) as
variables of its results Dataset, on an `eco_indicator` axis, and back as a table.

Variables (eco_indicator): `eco_before`, `eco_after` (value per unit of industrial value
added, unit in `eco_unit`), `eco_change` (fraction), `eco_threshold` (NaN = threshold
unverified), `eco_threshold_status`, `eco_reference` (a verified related benchmark, NaN
if none) and `eco_reference_source`; `eco_name`, `eco_name_zh`. Attribute
`value_added_total` (10^4 CNY/yr, NaN when an enterprise lacks value added) and
`value_added_missing` (their ids, comma-separated). A run without value added has an
empty axis.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from model.appraise.eco_indicators import eco_indicators, park_value_added
from model.appraise.evaluate import ParkState
from model.compile.park import ParkData
from model.input.schema import Scenario
from model.results.variables import make_variable, text_array

TEXT_COLUMNS = ("name", "name_zh", "unit", "threshold_status", "reference_source")
NUMBER_COLUMNS = ("before", "after", "change", "threshold", "reference")


def eco_dataset(
    park: ParkData, scenario: Scenario, before: ParkState, after: ParkState
) -> xr.Dataset:
    """The indicators as a Dataset (see the module docstring)."""
    table = eco_indicators(park, scenario, before, after)
    value_added, missing = park_value_added(scenario)
    dims = ("eco_indicator",)
    units = {"change": "1", "threshold": "", "reference": ""}
    data: dict[str, xr.Variable] = {}
    for column in NUMBER_COLUMNS:
        data[f"eco_{column}"] = make_variable(
            dims,
            table[column].to_numpy(dtype=float),
            units.get(column, "see eco_unit"),
            f"HJ 274-2015 park indicator: {column}",
        )
    for column in TEXT_COLUMNS:
        name = "eco_unit" if column == "unit" else f"eco_{column}"
        data[name] = make_variable(dims, text_array(table[column]), "", f"indicator {column}")
    return xr.Dataset(
        data,
        coords={"eco_indicator": text_array(table.index)},
        attrs={
            "value_added_total": float(value_added) if not math.isnan(value_added) else np.nan,
            "value_added_missing": ",".join(missing),
        },
    )


def eco_table(ds: xr.Dataset) -> pd.DataFrame:
    """The indicators of a results Dataset as a table indexed by indicator id (empty for
    a Dataset without them)."""
    if "eco_indicator" not in ds.dims:
        return pd.DataFrame()
    columns = ("name", "name_zh", "unit", *NUMBER_COLUMNS, "threshold_status", "reference_source")
    return pd.DataFrame(
        {
            column: ds["eco_unit" if column == "unit" else f"eco_{column}"].values
            for column in columns
        },
        index=pd.Index(ds["eco_indicator"].values, name="indicator"),
    )
