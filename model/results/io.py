"""Writing result Datasets and the chosen-projects CSV, atomically.

`write_dataset` writes a Dataset as NetCDF-4 (h5netcdf). NetCDF attributes hold only
text, numbers and lists of numbers, and NetCDF-4 text cannot hold NUL or lone surrogates,
so on the way out (`netcdf_attr`, `netcdf_text`): None becomes "", True/False become 1/0,
a dict or a list of text becomes JSON text, NUL and lone surrogates are written as
escapes, and object or pandas-string arrays become numpy str arrays.

`read_dataset` reverses this exactly. Every step that a reader could not undo by itself
(an attribute that was None, a bool, a dict or list turned into JSON, a one-item list,
which NetCDF reads back as a single number, escaped text, an object array) is recorded
by `write_dataset` in the file attribute `parkcp_encoding` (JSON), written only when
such a step happened: the Datasets ParkCP builds hold only text, numbers and lists of
two or more numbers, so their files carry no such attribute. So
`read_dataset(write_dataset(ds, path))` is identical to `ds` (values, dtypes, attributes
and their Python types). `write_selected_csv` writes the chosen projects
(`selected_projects_table`) as selected_projects.csv. Files are written atomically
(model/results/atomic.py): a killed run never leaves a half-written file.
"""

from __future__ import annotations

import json
import re
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


ENCODING_ATTR = "parkcp_encoding"
"""File attribute recording the steps of `write_dataset` that `read_dataset` must undo
(JSON; absent when there are none)."""

_ESCAPE = re.compile(r"\\x00|\\ud[89a-f][0-9a-f]{2}")
"""The escapes `netcdf_text` writes: NUL and lone surrogates (U+D800 to U+DFFF)."""


def _attr_step(value: Any) -> str | None:
    """The step `netcdf_attr` takes on `value` that a reader could not undo by itself:
    'none', 'bool', 'json' (a dict or a list that is not all numbers), 'list' (a one-item
    list of numbers, read back as a single number), 'text' (escaped text), else None."""
    if value is None:
        return "none"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, dict):
        return "json"
    encoded = netcdf_attr(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        if isinstance(encoded, str):
            return "json"
        return "list" if len(encoded) == 1 else None
    if isinstance(value, str) and encoded != value:
        return "text"
    return None


def _attr_steps(attrs: dict) -> dict[str, str]:
    return {key: step for key, value in attrs.items() if (step := _attr_step(value))}


def _serialisable(ds: xr.Dataset) -> xr.Dataset:
    """Copy of `ds` with object/pandas-string arrays turned into numpy str arrays and
    attributes made NetCDF-safe, so h5netcdf writes them as variable-length strings
    (text with NUL or lone surrogates escaped, `netcdf_text`); the steps `read_dataset`
    must undo are recorded in the attribute ENCODING_ATTR."""
    coords: dict[str, tuple] = {}
    data_vars: dict[str, tuple] = {}
    variables: dict[str, dict] = {}
    for name, variable in ds.variables.items():
        steps: dict[str, Any] = {}
        if attr_steps := _attr_steps(variable.attrs):
            steps["attrs"] = attr_steps
        attrs = {k: netcdf_attr(v) for k, v in variable.attrs.items()}
        data = variable.values
        if data.dtype.kind in "OTSU" or str(data.dtype) in ("string", "str"):
            if data.dtype.kind != "U":
                steps["dtype"] = "object"
            text = [netcdf_text(str(v)) for v in np.ravel(data)]
            if any(t != str(v) for t, v in zip(text, np.ravel(data), strict=True)):
                steps["text"] = "escaped"
            data = np.asarray(text, dtype=str).reshape(data.shape)
            if data.size == 0:
                data = data.astype("<U1")
        if steps:
            variables[str(name)] = steps
        target = coords if name in ds.coords else data_vars
        target[name] = (variable.dims, data, attrs)
    out = xr.Dataset(data_vars, coords=coords)
    out.attrs = {k: netcdf_attr(v) for k, v in ds.attrs.items()}
    encoding = {"attrs": _attr_steps(ds.attrs), "variables": variables}
    encoding = {key: value for key, value in encoding.items() if value}
    if encoding:
        out.attrs[ENCODING_ATTR] = json.dumps(encoding, sort_keys=True)
    return out


def write_dataset(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write `ds` as NetCDF-4 (engine h5netcdf) to `path`, atomically. Read it back with
    `read_dataset(path)` (or `xarray.open_dataset(path)`, which leaves the encoding steps
    of the module docstring in place)."""
    ready = _serialisable(ds)
    return atomic_write(path, lambda temp: ready.to_netcdf(temp, engine="h5netcdf"))


def write_selected_csv(ds: xr.Dataset, path: str | PathLike[str]) -> Path:
    """Write `selected_projects_table(ds)` as UTF-8 CSV, atomically."""
    return write_text_atomic(path, selected_projects_table(ds).to_csv(index=False))


def _unescape(text: str) -> str:
    """Reverse `netcdf_text`: the escapes of NUL and lone surrogates back to characters."""
    return _ESCAPE.sub(lambda match: match.group(0).encode().decode("unicode_escape"), text)


def _python_value(value: Any) -> Any:
    """An attribute as NetCDF returns it (numpy number or array) as the Python value
    `netcdf_attr` wrote (int, float, list)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _undo_attr(value: Any, step: str | None) -> Any:
    """Reverse one `_attr_step`."""
    if step == "none":
        return None
    if step == "bool":
        return bool(value)
    if step == "json":
        return json.loads(value)
    if step == "list":
        return [value]
    if step == "text":
        return _unescape(value)
    return value


def _undo_attrs(attrs: dict, steps: dict[str, str]) -> dict:
    return {key: _undo_attr(_python_value(v), steps.get(key)) for key, v in attrs.items()}


def read_dataset(path: str | PathLike[str]) -> xr.Dataset:
    """Read a Dataset written by `write_dataset`, into memory (the file is closed on
    return), undoing every step of the way out (module docstring): attributes come back
    as the Python values written (None, bool, dict, list, int, float, text with NUL and
    lone surrogates), object text arrays as object arrays. Bool variables and NaN come
    back by xarray's own NetCDF decoding."""
    ds = xr.load_dataset(path, engine="h5netcdf")
    encoding = json.loads(ds.attrs.pop(ENCODING_ATTR, "{}"))
    ds.attrs = _undo_attrs(ds.attrs, encoding.get("attrs", {}))
    steps_by_variable = encoding.get("variables", {})
    for name, variable in ds.variables.items():
        steps = steps_by_variable.get(str(name), {})
        variable.attrs = _undo_attrs(variable.attrs, steps.get("attrs", {}))
        if steps.get("text") or steps.get("dtype"):
            values = variable.values
            if steps.get("text"):
                values = np.vectorize(_unescape, otypes=[str])(values) if values.size else values
            if steps.get("dtype") == "object":
                values = values.astype(object)
            if name in ds.indexes:
                ds = ds.assign_coords({name: (variable.dims, values, variable.attrs)})
            else:
                variable.values = values
    return ds
