"""Writing result Datasets and the chosen-projects CSV, atomically.

`write_dataset` writes a Dataset as NetCDF-4 (h5netcdf). NetCDF attributes hold only
text, numbers and lists of numbers, and NetCDF-4 text cannot hold NUL or lone surrogates,
so on the way out (`netcdf_attr`, `netcdf_text`): None becomes "", True/False become 1/0,
a dict or a list of text becomes JSON text, NUL and lone surrogates are written as
escapes, and object or pandas-string arrays become numpy str arrays. Read a file back
with `xarray.open_dataset(path)` (or `load_dataset`). `write_selected_csv` writes the
chosen projects (`selected_projects_table`) as selected_projects.csv. Files are written
atomically (model/results/atomic.py): a killed run never leaves a half-written file.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from model.results.atomic import atomic_write, write_text_atomic
from model.results.summary_tables import selected_projects_table


def netcdf_text(text: str) -> str:
    """`text` as NetCDF-4 can store it: NUL and lone surrogates (the only characters UTF-8
    strings in HDF5 cannot hold) written as escapes (`\\x00`, `\\udcff`). Scenario text is
    checked when loading, so this only changes text from elsewhere, such as a file path
    with bytes that are not UTF-8."""
    if "\x00" not in text and not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return "".join(
        repr(char)[1:-1] if char == "\x00" or "\ud800" <= char <= "\udfff" else char
        for char in text
    )


def netcdf_attr(value: Any) -> str | int | float | list[float] | list[int]:
    """Convert a simple Python value into something NetCDF attributes can hold.

    None -> "" ; bool -> 0/1 ; numbers stay numbers ; a list/tuple of numbers stays a
    list ; dicts and any other list -> a JSON string ; anything else -> str(value). Text
    is made storable with `model.input.text_rules.netcdf_text` (NUL and lone surrogates escaped).
    """
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return netcdf_text(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else list(value)
        numeric = all(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_))
            for v in items
        )
        if items and numeric:
            if all(isinstance(v, (int, np.integer)) for v in items):
                return [int(v) for v in items]
            return [float(v) for v in items]
        return netcdf_text(json.dumps(items, default=str, ensure_ascii=False))
    if isinstance(value, dict):
        return netcdf_text(json.dumps(value, default=str, ensure_ascii=False, sort_keys=True))
    return netcdf_text(str(value))


def _serialisable(ds: xr.Dataset) -> xr.Dataset:
    """Copy of `ds` with object/pandas-string arrays turned into numpy str arrays and
    attributes made NetCDF-safe, so h5netcdf writes them as variable-length strings
    (text with NUL or lone surrogates escaped, `model.input.text_rules.netcdf_text`)."""
    coords: dict[str, tuple] = {}
    data_vars: dict[str, tuple] = {}
    for name, variable in ds.variables.items():
        attrs = {k: netcdf_attr(v) for k, v in variable.attrs.items()}
        data = variable.values
        if data.dtype.kind in "OTSU" or str(data.dtype) in ("string", "str"):
            text = [netcdf_text(str(v)) for v in np.ravel(data)]
            data = np.asarray(text, dtype=str).reshape(data.shape)
            if data.size == 0:
                data = data.astype("<U1")
        target = coords if name in ds.coords else data_vars
        target[name] = (variable.dims, data, attrs)
    out = xr.Dataset(data_vars, coords=coords)
    out.attrs = {k: netcdf_attr(v) for k, v in ds.attrs.items()}
    return out


def write_dataset(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write `ds` as NetCDF-4 (engine h5netcdf) to `path`, atomically. Read it back with
    `xarray.open_dataset(path)`."""
    ready = _serialisable(ds)
    return atomic_write(path, lambda temp: ready.to_netcdf(temp, engine="h5netcdf"))


def write_selected_csv(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write `selected_projects_table(ds)` as UTF-8 CSV, atomically."""
    return write_text_atomic(path, selected_projects_table(ds).to_csv(index=False))
