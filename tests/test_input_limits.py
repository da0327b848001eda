"""Limits and text rules of scenario loading, at their boundaries (without the CLI):
YAML depth and alias expansion, the extends chain, override key paths, the text rules of
model/input/text_rules.py, the checks of solver options against HiGHS, and text written to NetCDF.

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

from model.errors import InputError
from model.formatting import printable
from model.input.highs_options import highs_option_problem, highs_options
from model.input.loading import load_scenario
from model.input.text_rules import folder_name_problem, text_problem
from model.input.yaml_files import MAX_ALIAS_VALUES, MAX_YAML_DEPTH
from model.results.io import netcdf_text, write_dataset

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
    with pytest.raises(InputError) as caught:
        load_scenario(path, **kwargs)
    return str(caught.value)


# --- YAML limits ------------------------------------------------------------------------------


def test_limits_are_those_documented() -> None:
    assert MAX_YAML_DEPTH == 100 and MAX_ALIAS_VALUES == 100_000


@pytest.mark.parametrize(("copies", "accepted"), [(100, True), (101, False)])
def test_alias_expansion_boundary(tmp_path, copies, accepted) -> None:
    """`big` is a list of 999 numbers: 1000 values (the list and its items). Each `*big`
    repeats those 1000 values, so 100 copies add exactly 100,000 values (the limit,
    accepted) and 101 copies 101,000 (refused). Unused named scenarios are not applied,
    so the accepted file loads. The check runs as each value is composed and counts the
    values written so far against the expansion, so it fires at the mapping under
    `scenarios:` (it starts on line 17, column 3, after the 15 lines of BASE), the first
    value whose expansion passes the limit that way."""
    big = "[" + ", ".join(["0"] * 999) + "]"
    text = yaml.safe_dump(BASE, sort_keys=False)
    text += f"scenarios:\n  big: &big {big}\n  copies: [{', '.join(['*big'] * copies)}]\n"
    path = write(tmp_path / "scenario.yaml", text)
    if accepted:
        assert load_scenario(path).scenario.name == "limits"
    else:
        assert error_of(path) == (
            f"{path}: refused: its aliases (*name) would expand to more than 100,000 "
            "repeated values at line 17, column 3"
        )


@pytest.mark.parametrize(("brackets", "accepted"), [(98, True), (99, False)])
def test_nesting_depth_boundary(tmp_path, brackets, accepted) -> None:
    """The top-level mapping is level 1, the mapping under `scenarios:` level 2, so a value
    of n nested lists there reaches level n + 2: 98 lists = 100 levels (accepted), 99 =
    101 (refused, at the 99th "[" on line 17, after the 15 lines of BASE and
    `scenarios:`: column 9 + 98 = 107)."""
    text = yaml.safe_dump(BASE, sort_keys=False)
    text += "scenarios:\n  deep: " + "[" * brackets + "]" * brackets + "\n"
    path = write(tmp_path / "scenario.yaml", text)
    if accepted:
        assert load_scenario(path).scenario.name == "limits"
    else:
        assert error_of(path) == (
            f"{path}: refused: nested deeper than 100 levels at line 17, column 107"
        )


def test_merge_keys_and_plain_aliases_still_work(tmp_path) -> None:
    text = (
        "name: limits\nhorizon: {start: 2024, end: 2024}\n"
        "enterprises:\n  - id: E1\n    baseline: &b {emissions: {COD: 10.0}}\n"
        "  - id: E2\n    baseline: *b\n"
        "projects:\n  - &p {id: P1, owner: E1, capex: 5.0}\n  - <<: *p\n    id: P2\n"
    )
    loaded = load_scenario(write(tmp_path / "scenario.yaml", text))
    assert loaded.scenario.enterprises[1].baseline.emissions == {"COD": 10.0}
    assert [(p.id, p.owner, p.capex) for p in loaded.scenario.projects] == [
        ("P1", "E1", 5.0),
        ("P2", "E1", 5.0),
    ]


@pytest.mark.parametrize(("files", "accepted"), [(20, True), (21, False)])
def test_extends_chain_boundary(tmp_path, files, accepted) -> None:
    """f0 extends f1 ... the last file holds the scenario: 20 files load, 21 do not (the
    error is raised by f19, the 20th file, whose extends would make the 21st)."""
    write(tmp_path / f"f{files - 1}.yaml", BASE)
    for k in range(files - 1):
        write(tmp_path / f"f{k}.yaml", f"extends: f{k + 1}.yaml\n")
    if accepted:
        assert load_scenario(tmp_path / "f0.yaml").scenario.name == "limits"
    else:
        assert error_of(tmp_path / "f0.yaml") == (
            f"{tmp_path / 'f19.yaml'}: extends: more than 20 files in one extends chain "
            f"(from {tmp_path / 'f0.yaml'}); join some of them"
        )


def test_key_path_boundary(tmp_path) -> None:
    """100 parts are walked (and end in an unknown key), 101 are refused unread."""
    path = write(tmp_path / "scenario.yaml", BASE)
    hundred = ".".join(["budget"] + ["x"] * 99)
    message = error_of(path, overrides=[f"{hundred}=1"])
    assert "budget.x: unknown key 'x'" in message
    message = error_of(path, overrides=[f"{hundred}.x=1"])
    assert message.endswith("--set: a key path has at most 100 parts, this one 101")


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


# --- solver options ---------------------------------------------------------------------------


def test_highs_option_list_comes_from_highs() -> None:
    """The list HiGHS writes holds the options ParkCP sets itself, with their types."""
    options = highs_options()
    assert options["time_limit"].kind == "double" and options["time_limit"].range == "[0, inf]"
    assert options["threads"].kind == "integer"
    assert options["mip_rel_gap"].kind == "double"
    assert options["output_flag"].kind == "bool"
    assert options["presolve"].kind == "string"


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("time_limit", 30, None),
        ("time_limit", 2.5, None),
        ("presolve", "off", None),
        ("mip_detect_symmetry", False, None),
        ("random_seed", 7, None),
        ("log_file", "highs.log", None),
        ("time_limt", 30, "unknown HiGHS option 'time_limt'; did you mean 'time_limit'?"),
        ("time_limit", -1, "-1 is outside the range [0, inf] of HiGHS option 'time_limit'"),
        ("time_limit", "30", "HiGHS option 'time_limit' takes a finite number, not '30'"),
        ("threads", True, "HiGHS option 'threads' takes a whole number, not true"),
        ("random_seed", 10**30, "1000000000000000000000000000000 is outside the range"),
        ("presolve", False, "HiGHS option 'presolve' takes text (put it in quotes), not false"),
    ],
)
def test_highs_option_problem(name, value, problem) -> None:
    found = highs_option_problem(name, value)
    assert (found is None) if problem is None else found.startswith(problem), found


def test_checking_leaves_no_file_behind(tmp_path, monkeypatch) -> None:
    """`log_file` is not set while checking (HiGHS would create the file at once)."""
    monkeypatch.chdir(tmp_path)
    assert highs_option_problem("log_file", "check.log") is None
    assert not (tmp_path / "check.log").exists()


def test_options_of_other_solvers_are_not_checked(tmp_path) -> None:
    data = copy.deepcopy(BASE)
    data["solver"] = {"name": "cbc", "options": {"sec": 60, "ratio": 0.01}}
    path = write(tmp_path / "scenario.yaml", data)
    assert load_scenario(path).scenario.solver.options == {"sec": 60, "ratio": 0.01}
    assert error_of(path, solver_name="highs") == (
        f"{path}: solver.options.sec: unknown HiGHS option 'sec' (with --solver highs)"
    )
