"""Limits and text rules of scenario loading, at their boundaries (without the CLI):
YAML depth and alias expansion, the extends chain, override key paths, the text rules of
model/text.py, the checks of solver options against HiGHS, and text written to NetCDF.

Every boundary is counted by hand in the test: the largest accepted input loads, one more
is refused with the limit's message.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from model.results import write_dataset
from model.scenario import ScenarioError, load_scenario
from model.text import folder_name_problem, netcdf_text, printable, text_problem

BASE = {
    "name": "limits",
    "horizon": {"start": 2024, "end": 2024},
    "enterprises": [{"id": "E1", "baseline": {"emissions": {"COD": 10.0}}}],
    "projects": [{"id": "P1", "owner": "E1", "capex": 5.0, "reduces": {"COD": 1.0}}],
}


def write(path: Path, data: dict | str) -> Path:
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, **kwargs) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, **kwargs)
    return str(caught.value)


# --- text rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "multiline", "problem"),
    [
        ("电镀厂 🏭 Zürich", False, None),
        ("逆流漂洗 👩\u200d🔬", False, None),  # emoji joined by U+200D (a format character)
        ("line one\nline two\tTab", True, None),
        ("line one\nline two", False, "contains a line break (U+000A)"),
        ("a\tb", False, "contains the control character U+0009"),
        ("a\u2028b", False, "contains a line break (U+2028)"),
        ("a\x00b", True, "contains the control character U+0000"),
        ("a\x07b", True, "contains the control character U+0007"),
        ("a\x7fb", False, "contains the control character U+007F"),
        ("a\x85b", True, "contains the control character U+0085"),
        ("a\ud800b", True, "contains U+D800, a lone surrogate"),
        ("a\udcffb", False, "contains U+DCFF, a lone surrogate"),
    ],
)
def test_text_problem(text, multiline, problem) -> None:
    found = text_problem(text, multiline)
    assert (found is None) if problem is None else found.startswith(problem), found


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("demo-park", None),
        ("demo_park.v2", None),
        ("2024-plan", None),
        ("p" * 100, None),
        ("p" * 101, "is 101 characters long; at most 100 are allowed"),
        (".", "'.' would name --out itself or its parent"),
        ("..", "'..' would name --out itself or its parent"),
        ("-rf", "must start with a letter or a digit"),
        (".hidden", "must start with a letter or a digit"),
        ("park.", "must not end with '.'"),
        ("nul", "'nul' is a device name on Windows"),
        ("com1.v2", "'com1.v2' is a device name on Windows"),
        ("console", None),
    ],
)
def test_folder_name_problem(name, problem) -> None:
    found = folder_name_problem(name)
    assert (found is None) if problem is None else found.startswith(problem), found


def test_printable_and_netcdf_text() -> None:
    assert printable("E\x07\x00\n\ud800 电镀") == "E\\x07\\x00\\n\\ud800 电镀"
    assert netcdf_text("a\x00b\udcffc\n电") == "a\\x00b\\udcffc\n电"
    assert netcdf_text("电镀厂 🏭") == "电镀厂 🏭"


def test_free_text_keeps_line_breaks_names_do_not(tmp_path) -> None:
    data = copy.deepcopy(BASE)
    data["description"] = "first line\nsecond\tline"
    data["projects"][0]["source"] = "audit report 2023,\nsection 4"
    loaded = load_scenario(write(tmp_path / "scenario.yaml", data))
    assert loaded.scenario.description == "first line\nsecond\tline"
    data["projects"][0]["name"] = "two\nlines"
    path = write(tmp_path / "scenario.yaml", data)
    assert error_of(path) == (
        f"{path}: projects[0] (id P1).name: contains a line break (U+000A); names, ids and "
        "keys must be one line"
    )


def test_message_with_bad_text_stays_one_printable_line(tmp_path) -> None:
    data = copy.deepcopy(BASE)
    data["enterprises"][0]["id"] = "E1\x1b[31m"
    path = write(tmp_path / "scenario.yaml", data)
    message = error_of(path)
    assert message == (
        f"{path}: enterprises[0] (id E1\\x1b[31m).id: contains the control character U+001B; "
        "remove it"
    )
    assert message.isprintable()


def test_text_written_to_netcdf_is_storable(tmp_path) -> None:
    """Text from outside the scenario (a path with a byte that is not UTF-8, NUL) is
    escaped rather than crashing the write; other text is stored as given."""
    ds = xr.Dataset(
        {"name": ("item", np.array(["电镀厂 🏭", "nul\x00here"], dtype=object))},
        attrs={"scenario_file": "/data/park-\udcff.yaml", "note": "ok 🏭"},
    )
    write_dataset(ds, tmp_path / "t.nc")
    with xr.open_dataset(tmp_path / "t.nc") as back:
        assert back["name"].values.tolist() == ["电镀厂 🏭", "nul\\x00here"]
        assert back.attrs["scenario_file"] == "/data/park-\\udcff.yaml"
        assert back.attrs["note"] == "ok 🏭"
