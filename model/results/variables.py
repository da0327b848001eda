"""The building blocks of result Datasets: a variable with its units, text arrays ready
for NetCDF, and the units of pollution equivalents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

PE_UNITS = "pollution equivalents/yr"
"""Units of the pollution-equivalent variables."""


def make_variable(dims: tuple[str, ...], data: Any, units: str, long_name: str) -> xr.Variable:
    """An xarray Variable with `units` and `long_name` attrs."""
    return xr.Variable(dims, data, attrs={"units": units, "long_name": long_name})


def text_array(values: Iterable[Any]) -> np.ndarray:
    """The values as a numpy str array, NetCDF-ready ('<U1' when empty)."""
    array = np.asarray([str(v) for v in values], dtype=str)
    return array if array.size else array.astype("<U1")
