"""The command line at the edges of its input, as a user meets it (run as a subprocess):
names that could escape `--out` or break the files, hostile YAML and tables, and options
out of range. Bad input is exit 2 with one line `error: FILE: key.path: message` (or
`command line: --flag: message`), no traceback and nothing written.

Each run gets a 20 s timeout: the hostile files are refused at load time in well under a
second, so a regression that expands an alias bomb or recurses fails instead of hanging
(this is a bound, not a timing assertion).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
import yaml
from test_cli import BASE, ROOT, mutated, write

BOUND_S = 20


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "model.run", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=BOUND_S,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def refused(proc: subprocess.CompletedProcess, *expected: str) -> str:
    """Assert exit 2 with one error line holding every `expected` text; return the line."""
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in proc.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def placeholder_yaml(change, text: str) -> str:
    """BASE with `change` applied, dumped as YAML, and every 'PLACEHOLDER' replaced by
    `text` written as a YAML double-quoted scalar (so escapes such as \\ud800 stay)."""
    return yaml.safe_dump(mutated(change), sort_keys=False).replace("PLACEHOLDER", f'"{text}"')


# --- item 6: names cannot escape; text is storable ------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".", "would name --out itself or its parent"),
        ("..", "would name --out itself or its parent"),
        ("-park", "must start with a letter or a digit"),
        ("park.", "must not end with '.'"),
        ("p" * 101, "at most 100 are allowed"),
        ("CON", "is a device name on Windows"),
        ("a/../../x", "use only letters, digits"),
    ],
)
def test_scenario_name_cannot_leave_the_output_folder(tmp_path, name, expected) -> None:
    """On main, `name: ..` wrote results.nc into the parent of --out and `name: .` into
    --out itself (exit 0)."""
    scenario = write(tmp_path / "scenario.yaml", mutated(lambda d: d.update(name=name)))
    out = tmp_path / "runs" / "out"
    proc = run(str(scenario), "--out", str(out), cwd=tmp_path)
    refused(proc, "scenario.yaml: name: ", expected)
    assert not (tmp_path / "runs").exists()


def test_name_from_a_named_scenario_is_checked_too(tmp_path) -> None:
    data = mutated(lambda d: d.update(scenarios={"up": {"name": ".."}}))
    scenario = write(tmp_path / "scenario.yaml", data)
    proc = run(str(scenario), "--scenario", "up", "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(proc, "scenario.yaml: name: '..' would name --out", "(set by scenario 'up')")
    assert not (tmp_path / "out").exists()


def _set_enterprise_name(d: dict) -> None:
    d["enterprises"][0]["name"] = "PLACEHOLDER"


def _set_project_id(d: dict) -> None:
    d["projects"][2]["id"] = "PLACEHOLDER"


def _set_description(d: dict) -> None:
    d["description"] = "PLACEHOLDER"


def _set_category(d: dict) -> None:
    d["projects"][0]["category"] = "PLACEHOLDER"


def _set_pollutant_key(d: dict) -> None:
    d["projects"][0]["reduces"] = {"PLACEHOLDER": 1.0}


BAD_TEXT = [
    ("\\ud800", "contains U+D800, a lone surrogate"),
    ("\\0", "contains the control character U+0000"),
    ("\\x07", "contains the control character U+0007"),
]
TEXT_FIELDS = [
    ("enterprise-name", _set_enterprise_name, "enterprises[0] (id E1).name: "),
    ("project-id", _set_project_id, "projects[2] (id E2-P1\\x07).id: "),
    ("description", _set_description, "description: "),
    ("category", _set_category, "projects[0] (id E1-P1).category: "),
    ("pollutant-key", _set_pollutant_key, "projects[0] (id E1-P1).reduces.CO"),
]


@pytest.mark.parametrize(("escape", "problem"), BAD_TEXT, ids=["surrogate", "nul", "bel"])
@pytest.mark.parametrize(
    ("change", "where"), [f[1:] for f in TEXT_FIELDS], ids=[f[0] for f in TEXT_FIELDS]
)
def test_text_that_cannot_be_stored_is_refused_at_load(
    tmp_path, escape, problem, change, where
) -> None:
    """On main: a lone surrogate or NUL crashed with a traceback after the solve and left a
    partial folder; BEL was written into results.nc, the CSV and the HTML (exit 0)."""
    text = ("CO" if change is _set_pollutant_key else "E2-P1") + escape
    scenario = write(tmp_path / "scenario.yaml", placeholder_yaml(change, text))
    out = tmp_path / "out"
    proc = run(str(scenario), "--out", str(out), cwd=tmp_path)
    line = refused(proc, "scenario.yaml: ", problem)
    if change is _set_project_id:  # the id in the key path is shown escaped
        where = where.replace("\\x07", escape.replace("\\0", "\\x00"))
    if change is _set_pollutant_key:
        assert "the key contains" in line, line
    assert where in line, line
    assert not out.exists()


def test_control_character_in_a_csv_cell_names_the_row_and_column(tmp_path) -> None:
    rows = [["id", "owner", "capex", "name", "reduces.COD"]]
    rows += [
        [p["id"], p["owner"], p["capex"], "", p["reduces"].get("COD", "")] for p in BASE["projects"]
    ]
    rows[2][3] = "Cr\x07 recovery"
    with open(tmp_path / "projects.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    data = mutated(lambda d: d.update(projects={"csv": "projects.csv"}))
    scenario = write(tmp_path / "scenario.yaml", data)
    proc = run(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(
        proc, "projects.csv: projects[2] (id E1-P2).name: contains the control character U+0007"
    )
    assert not (tmp_path / "out").exists()


def test_bad_text_from_set_is_refused(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    proc = run(
        str(scenario), "--set", 'projects[E1-P1].name="x\\ud800"', "--out", "out", cwd=tmp_path
    )
    refused(
        proc,
        "scenario.yaml: projects[0] (id E1-P1).name: contains U+D800",
        '(from --set projects[E1-P1].name="x\\ud800")',
    )
    assert not (tmp_path / "out").exists()


def test_chinese_and_emoji_names_round_trip(tmp_path) -> None:
    """Harmless characters keep working: results.nc, the CSV and the HTML hold them as
    written, and free text keeps its line breaks and tabs."""
    description = "园区清洁生产方案\n第二行\t(含制表符) 🏭"

    def change(d: dict) -> None:
        d["enterprises"][0]["name"] = "电镀厂 🏭"
        d["projects"][0]["name"] = "逆流漂洗 👩‍🔬"
        d["projects"][0]["category"] = "废水"
        d["description"] = description

    scenario = write(tmp_path / "scenario.yaml", mutated(change))
    proc = run(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "out" / "cli-park"
    with xr.open_dataset(folder / "results.nc") as ds:
        assert str(ds["enterprise_name"].sel(enterprise="E1").values) == "电镀厂 🏭"
        assert str(ds["project_name"].sel(project="E1-P1").values) == "逆流漂洗 👩‍🔬"
        assert str(ds["category"].sel(project="E1-P1").values) == "废水"
        assert json.loads(ds.attrs["scenario_input"])["description"] == description
    table = (folder / "selected_projects.csv").read_text(encoding="utf-8")
    assert "逆流漂洗 👩‍🔬" in table and "废水" in table
    assert "逆流漂洗 👩‍🔬" in (folder / "summary.html").read_text(encoding="utf-8")


def test_scenario_file_name_that_is_not_utf8_is_stored_escaped(tmp_path) -> None:
    """The scenario path goes into results.nc; on main a file name with a byte that is
    not UTF-8 crashed the write after the solve (surrogates not allowed)."""
    name = os.fsdecode(b"park-\xff.yaml")
    try:
        scenario = write(tmp_path / name, BASE)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take file names that are not UTF-8")
    proc = subprocess.run(
        [sys.executable, "-m", "model.run", os.fsencode(scenario), "--out", "out", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(tmp_path / "out" / "cli-park" / "results.nc") as ds:
        assert ds.attrs["scenario_file"].endswith("park-\\udcff.yaml")
