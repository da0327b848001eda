"""`read_dataset` reverses `write_dataset` exactly (model/results/io.py).

* The demo park's run Dataset and the 2021-2023 plan's (three years) come back
  identical (xarray.testing.assert_identical: values, dims, coordinates, attributes), with
  the attributes' Python types as built, and their files carry no `parkcp_encoding`
  attribute (ParkCP's own Datasets need no recorded step, so the CLI's files are as before).
* A Dataset built here with every step `write_dataset` takes on the way out (None, bool,
  dict, list of text, one-item list, NUL and lone surrogates in attributes and in data,
  object text arrays, an empty one, bool data, NaN) comes back identical too; plain
  `xarray.load_dataset` shows each step still applied, so the test sees the reversal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from model.input.loading import load_scenario
from model.pipeline import run_scenario
from model.results.io import ENCODING_ATTR, read_dataset, write_dataset

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _attr_types(attrs: dict) -> dict[str, type]:
    return {key: type(value) for key, value in attrs.items()}


@pytest.mark.parametrize("name", ["demo_park.yaml", "demo_plan_2021_2023.yaml"])
def test_run_datasets_round_trip(name: str, tmp_path: Path) -> None:
    ds = run_scenario(load_scenario(SCENARIOS / name)).dataset
    path = write_dataset(ds, tmp_path / "results.nc")
    back = read_dataset(path)
    xr.testing.assert_identical(back, ds)
    assert _attr_types(back.attrs) == _attr_types(ds.attrs)
    for variable in ds.variables:
        assert back[variable].dtype == ds[variable].dtype, variable
        assert _attr_types(back[variable].attrs) == _attr_types(ds[variable].attrs)
    assert ENCODING_ATTR not in xr.load_dataset(path, engine="h5netcdf").attrs
    if name.startswith("demo_plan"):
        assert ds.sizes["year"] == 3


def _every_step() -> xr.Dataset:
    ds = xr.Dataset(
        {
            "note": (("p",), np.array(["a\x00b", "", "c\udcffd"], dtype=object)),
            "plain": (("p",), np.array(["x", "yy", "zzz"])),
            "flag": (("p",), np.array([True, False, True])),
            "amount": (("p",), np.array([np.nan, 1.5, -2.0]), {"units": "t", "ok": False}),
            "nothing": (("q",), np.array([], dtype=object)),
        },
        coords={"p": np.array(["P1", "P2", "P3"], dtype=object)},
    )
    ds.attrs = {
        "none": None,
        "true": True,
        "false": np.bool_(False),
        "mapping": {"k": [1, 2], "text": "v"},
        "words": ["a", "b"],
        "empty": [],
        "one": [0.5],
        "one_int": [3],
        "numbers": [1.0, 2.5],
        "ints": [1, 2, 3],
        "text": "path/\udcff.yaml",
        "nul": "a\x00b",
        "number": 2.5,
        "count": 7,
        "nan": float("nan"),
        "plain": "text",
    }
    return ds


def test_every_encoding_step_is_reversed(tmp_path: Path) -> None:
    ds = _every_step()
    path = write_dataset(ds, tmp_path / "steps.nc")
    raw = xr.load_dataset(path, engine="h5netcdf")
    assert raw.attrs["none"] == "" and raw.attrs["true"] == 1  # the steps are in the file
    assert raw.attrs["mapping"] == '{"k": [1, 2], "text": "v"}'
    assert raw.attrs["text"] == "path/\\udcff.yaml"
    assert raw["note"].values[0] == "a\\x00b"

    back = read_dataset(path)
    xr.testing.assert_identical(back, ds)
    for key, value in ds.attrs.items():
        if key == "nan":
            assert np.isnan(back.attrs[key])
            continue
        expected = bool(value) if isinstance(value, np.bool_) else value
        assert back.attrs[key] == expected, key
        assert type(back.attrs[key]) is type(expected), key
    assert back["amount"].attrs == {"units": "t", "ok": False}
    assert type(back["amount"].attrs["ok"]) is bool
    assert back["note"].dtype == object and list(back["note"].values) == list(ds["note"].values)
    assert back["p"].dtype == object
    assert back["nothing"].dtype == object and back["nothing"].size == 0
    assert back["flag"].dtype == bool
    assert back["plain"].dtype.kind == "U"
    assert ENCODING_ATTR not in back.attrs
