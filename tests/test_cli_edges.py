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
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xarray as xr
import yaml
from test_cli import BASE, ROOT, mutated, write

BOUND_S = 120
"""A hang guard, not a timing check: hostile inputs (alias bombs, deep nesting) must
end; on main before the fix they never did. Generous, so a loaded machine does not fail."""


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


# --- item 7: hostile files fail fast ---------------------------------------------------------


def alias_bomb(levels: int) -> str:
    """'Billion laughs': level k is a list of 9 aliases of level k-1, 9**levels values in
    all from about 50 bytes a level."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, levels)]
    return "name: bomb\n" + "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_at_once(tmp_path) -> None:
    """On main the 9-level bomb (under 500 bytes) did not finish in 120 s."""
    text = alias_bomb(9)
    assert len(text) < 500
    scenario = write(tmp_path / "scenario.yaml", text)
    proc = run(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(
        proc,
        "scenario.yaml: refused: its aliases (*name) would expand to more than 100,000",
        "at line 7",
    )


def test_alias_inside_the_value_it_names_is_refused(tmp_path) -> None:
    """`&a [*a]` is a list that contains itself: RecursionError on main."""
    scenario = write(tmp_path / "scenario.yaml", "name: x\nloop: &a [*a]\n")
    proc = run(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(proc, "scenario.yaml: refused: an alias (*name) is used inside the value it names")


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 20_000 + "]" * 20_000,
        "{a: " * 20_000 + "1" + "}" * 20_000,
        '{"a": ' * 20_000 + "1" + "}" * 20_000,
    ],
    ids=["flow-list", "flow-mapping", "json"],
)
def test_deep_nesting_is_refused(tmp_path, nested) -> None:
    """20,000 levels: RecursionError on main."""
    scenario = write(tmp_path / "scenario.yaml", f"name: x\ndescription: {nested}\n")
    proc = run(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(proc, "scenario.yaml: refused: nested deeper than 100 levels at line 2")


def test_deep_set_value_and_key_path_are_refused(tmp_path) -> None:
    write(tmp_path / "scenario.yaml", BASE)
    scenario = "scenario.yaml"  # relative, so the line's length is the message's
    nested = "[" * 20_000 + "]" * 20_000
    proc = run(scenario, "--set", f"description={nested}", "--out", "o", cwd=tmp_path)
    line = refused(
        proc, "scenario.yaml: description: --set: cannot read the value", "nested deeper than 100"
    )
    assert len(line) < 200  # the 40,000-character value is not echoed
    path = ".".join(["a"] * 20_000)
    proc = run(scenario, "--set", f"{path}=1", "--out", "o", cwd=tmp_path)
    line = refused(proc, "--set: a key path has at most 100 parts, this one 20000")
    assert len(line) < 200
    proc = run(scenario, "--set", "description=[&a [*a]]", "--out", "o", cwd=tmp_path)
    refused(proc, "--set: cannot read the value '[&a [*a]]': refused: an alias")
    assert not (tmp_path / "o").exists()


def test_long_extends_chain_is_refused(tmp_path) -> None:
    """1,000 files each extending the next: RecursionError on main."""
    write(tmp_path / "b1000.yaml", BASE)
    for k in range(1000):
        write(tmp_path / f"b{k}.yaml", f"extends: b{k + 1}.yaml\n")
    proc = run("b0.yaml", "--out", "out", cwd=tmp_path)
    refused(proc, "b19.yaml: extends: more than 20 files in one extends chain (from b0.yaml)")


SECRET = "root:x:0:0:SECRET-PASSWORD-LINE:/root:/bin/bash"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("projects", "projects: not a table of projects: its first row has no 'id', 'owner'"),
        ("enterprises", "enterprises: not a table of enterprises: its first row has no 'id'"),
    ],
)
def test_a_file_that_is_not_a_table_is_not_quoted(tmp_path, key, expected) -> None:
    """On main `projects: {csv: /etc/passwd}` printed the file's first line as an
    'unknown column'."""
    (tmp_path / "secret.txt").write_text(SECRET + "\nmore:secret\n", encoding="utf-8")
    scenario = write(
        tmp_path / "scenario.yaml", mutated(lambda d: d.update({key: {"csv": "secret.txt"}}))
    )
    proc = run(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    line = refused(proc, "secret.txt: ", expected)
    assert "SECRET" not in proc.stderr and "x:0:0" not in line and "bash" not in line


def test_extends_of_a_file_that_is_not_yaml_is_not_quoted(tmp_path) -> None:
    (tmp_path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    scenario = write(tmp_path / "scenario.yaml", "extends: secret.txt\nname: x\n")
    proc = run(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(proc, "secret.txt: the top level must be a mapping")
    assert "SECRET" not in proc.stderr


def projects_workbook(path: Path, merge: str | None = None, formula: bool = False) -> Path:
    """BASE's projects as a sheet 'projects'; E1-P2's reduces.COD (cell D3) is 1, or a
    formula written by openpyxl (no saved value); `merge` merges a range."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "projects"
    sheet.append(["id", "owner", "capex", "reduces.COD"])
    sheet.append(["E1-P1", "E1", 100, 4])
    sheet.append(["E1-P2", "E1", 50, "=D2/4" if formula else 1])
    sheet.append(["E2-P1", "E2", 80, 9])
    if merge:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def xlsx_scenario(tmp_path: Path) -> Path:
    data = mutated(lambda d: d.update(projects={"xlsx": "inventory.xlsx", "sheet": "projects"}))
    return write(tmp_path / "scenario.yaml", data)


def test_merged_cells_are_refused_with_sheet_and_cell(tmp_path) -> None:
    """On main the merged range read as empty cells: E2-P1 silently lost its 9 t COD."""
    projects_workbook(tmp_path / "inventory.xlsx", merge="D3:D4")
    proc = run(str(xlsx_scenario(tmp_path)), "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(
        proc,
        "inventory.xlsx: sheet 'projects' cells D3:D4: merged cells are not allowed in "
        "tables; unmerge them",
    )
    assert not (tmp_path / "out").exists()


def test_formula_without_saved_value_is_refused_with_sheet_and_cell(tmp_path) -> None:
    """On main the formula read as an empty cell (no COD reduction) and the run solved."""
    projects_workbook(tmp_path / "inventory.xlsx", formula=True)
    proc = run(str(xlsx_scenario(tmp_path)), "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(
        proc,
        "inventory.xlsx: sheet 'projects' cell D3: a formula without a value saved by Excel",
    )
    assert not (tmp_path / "out").exists()


def test_formula_with_saved_value_is_read(tmp_path) -> None:
    """The same formula with a value saved in the file (as Excel saves it, `<v>` after
    `<f>`) is read as that value."""
    path = projects_workbook(tmp_path / "inventory.xlsx", formula=True)
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert b"<f>D2/4</f><v></v>" in parts[sheet] or b"<f>D2/4</f><v />" in parts[sheet]
    parts[sheet] = (
        parts[sheet]
        .replace(b"<f>D2/4</f><v></v>", b"<f>D2/4</f><v>1</v>")
        .replace(b"<f>D2/4</f><v />", b"<f>D2/4</f><v>1</v>")
    )
    with zipfile.ZipFile(path, "w") as book:
        for name, content in parts.items():
            book.writestr(name, content)
    from model.input.loading import load_scenario

    loaded = load_scenario(xlsx_scenario(tmp_path))
    assert [p.reduces for p in loaded.scenario.projects] == [
        {"COD": 4.0},
        {"COD": 1.0},
        {"COD": 9.0},
    ]


# --- item 8: options are checked -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--mip-gap", "1.5"], "command line: --mip-gap: must be in [0, 1)"),
        (["--mip-gap", "1"], "command line: --mip-gap: must be in [0, 1)"),
        (["--mip-gap", "-0.1"], "command line: --mip-gap: must be in [0, 1)"),
        (["--mip-gap", "nan"], "command line: --mip-gap: must be in [0, 1)"),
        (["--time-limit", "0"], "command line: --time-limit: must be > 0"),
        (["--time-limit", "-5"], "command line: --time-limit: must be > 0"),
        (["--time-limit", "nan"], "command line: --time-limit: must be a finite number"),
        (["--time-limit", "inf"], "command line: --time-limit: must be a finite number"),
        (["--threads", "0"], "command line: --threads: must be >= 1"),
        (["--threads", "-2"], "command line: --threads: must be >= 1"),
        (["--why-not", "-1"], "command line: --why-not: must be >= 0"),
        (["--workers", "0"], "command line: --workers: must be >= 1"),
        (["--budget-sweep", "0:inf:3"], "command line: --budget-sweep: expected FROM:TO:STEPS"),
        (["--budget-sweep", "5:1:3"], "command line: --budget-sweep: expected FROM:TO:STEPS"),
        (["--frontier", "1"], "command line: --frontier: expected a number of points"),
    ],
)
def test_command_line_options_out_of_range(tmp_path, args, expected) -> None:
    """On main --mip-gap 1.5, --time-limit inf and --why-not -1 ran (exit 0), and
    --budget-sweep 0:inf:3 crashed after the solve; the rest named the schema field
    ('time_limit: Input should be greater than 0') rather than the option."""
    scenario = write(tmp_path / "scenario.yaml", BASE)
    proc = run(str(scenario), "--out", str(tmp_path / "out"), *args, cwd=tmp_path)
    refused(proc, expected)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("solver", "expected"),
    [
        (
            {"options": {"time_limt": 60}},
            "solver.options.time_limt: unknown HiGHS option 'time_limt'; "
            "did you mean 'time_limit'?",
        ),
        (
            {"options": {"threads": 2.5}},
            "solver.options.threads: HiGHS option 'threads' takes a whole number, not 2.5",
        ),
        (
            {"options": {"presolve": "offf"}},
            "solver.options.presolve: HiGHS refuses 'offf' for option 'presolve': "
            'Presolve: "off", "choose" or "on"',
        ),
        (
            {"options": {"mip_heuristic_effort": 2}},
            "solver.options.mip_heuristic_effort: 2 is outside the range [0, 1] of HiGHS "
            "option 'mip_heuristic_effort'",
        ),
        (
            {"options": {"output_flag": 1}},
            "solver.options.output_flag: HiGHS option 'output_flag' takes true or false, not 1",
        ),
        ({"mip_gap": 1.5}, "solver.mip_gap: must be in [0, 1)"),
        ({"time_limit": 0}, "solver.time_limit: must be > 0"),
        ({"threads": 0}, "solver.threads: must be >= 1"),
    ],
)
def test_solver_section_is_checked_against_highs(tmp_path, solver, expected) -> None:
    """On main every solver.options case ran (exit 0) with HiGHS ignoring the option,
    and solver.mip_gap 1.5 was accepted."""
    scenario = write(tmp_path / "scenario.yaml", mutated(lambda d: d["solver"].update(solver)))
    proc = run(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(proc, f"scenario.yaml: {expected}")
    assert not (tmp_path / "out").exists()


def test_options_of_another_solver_are_checked_when_highs_is_chosen(tmp_path) -> None:
    data = mutated(lambda d: d.update(solver={"name": "cbc", "options": {"sec": 60}}))
    scenario = write(tmp_path / "scenario.yaml", data)
    proc = run(str(scenario), "--solver", "highs", "--out", str(tmp_path / "out"), cwd=tmp_path)
    refused(
        proc,
        "scenario.yaml: solver.options.sec: unknown HiGHS option 'sec'",
        "(with --solver highs)",
    )


def test_valid_highs_options_are_used(tmp_path) -> None:
    """Valid options of every type load and solve: a time limit (double), presolve (text),
    a seed (integer) and a bool; the answer is test_cli's hand-computed one."""
    options = {"time_limit": 60, "presolve": "off", "random_seed": 7, "mip_detect_symmetry": False}
    scenario = write(
        tmp_path / "scenario.yaml", mutated(lambda d: d["solver"].update(options=options))
    )
    proc = run(str(scenario), "--out", str(tmp_path / "out"), "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(tmp_path / "out" / "cli-park" / "results.nc") as ds:
        chosen = set(ds["project"].values[ds["selected"].isel(year=0).values > 0.5])
    assert chosen == {"E1-P1", "E2-P1"}
