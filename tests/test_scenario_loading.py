"""Scenario loading (model/input/loading.py, model/input/table_files.py) without the CLI.

Every test writes small scenario files to `tmp_path` and calls `load_scenario` directly.
Expected values are written out by hand from the files the test writes: merged values,
table rows turned into the inline form, and for bad input the exact "FILE: key.path:
message" text (file name, key path in the user's notation, and the did-you-mean hint).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from model.errors import InputError
from model.input.loading import LoadedScenario, load_scenario

BASE: dict[str, Any] = {
    "name": "test-park",
    "horizon": {"start": 2024, "end": 2024},
    "enterprises": [
        {
            "id": "E01",
            "name": "Plating works",
            "sector": "electroplating",
            "baseline": {
                "emissions": {"COD": 12.5, "Cr6": 0.002},
                "energy": {"electricity": 5200},
            },
            "permit": {"COD": 10.0},
        },
        {
            "id": "E02",
            "sector": "chemicals",
            "baseline": {"emissions": {"SO2": 30.0}, "energy": {"coal": 800}},
        },
    ],
    "projects": [
        {
            "id": "E01-P1",
            "owner": "E01",
            "capex": 850000,
            "opex_change": -120000,
            "reduces": {"COD": 3.2, "Cr6": 0.0008},
            "saves": {"electricity": 300},
            "exclusive_group": "E01-rinse",
            "requires": ["PARK-WWTP"],
            "serves": {"PARK-WWTP": 120},
        },
        {"id": "E02-P1", "owner": "E02", "capex": 400000, "reduces": {"SO2": 10.0}},
        {
            "id": "PARK-WWTP",
            "owner": "park",
            "capex": 5000000,
            "reduces": {"COD": 1.0},
            "capacity": 500,
        },
    ],
    "budget": {"total": 6000000},
    "targets": {"park_caps": {"COD": 300}},
}


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def write(path: Path, data: Any) -> Path:
    """Write `data` as YAML (or `data` itself when it is text) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, *args: Any) -> str:
    with pytest.raises(InputError) as caught:
        load_scenario(path, *args)
    return str(caught.value)


# --- valid input ------------------------------------------------------------------------------


def test_valid_scenario_loads(tmp_path: Path) -> None:
    loaded = load_scenario(write(tmp_path / "scenario.yaml", base()))
    assert isinstance(loaded, LoadedScenario)
    assert loaded.scenario.name == "test-park"
    assert [p.id for p in loaded.scenario.projects] == ["E01-P1", "E02-P1", "PARK-WWTP"]
    assert loaded.scenario.projects[0].serves == {"PARK-WWTP": 120.0}
    assert "COD" in loaded.registry.pollutants and "coal" in loaded.registry.carriers
    assert loaded.path == (tmp_path / "scenario.yaml").resolve()
    assert loaded.merged == base()
    canonical = json.dumps(base(), sort_keys=True)  # strict JSON: no default= needed
    assert loaded.input_hash == hashlib.sha256(canonical.encode()).hexdigest()


def test_hash_ignores_key_order_and_sees_changes(tmp_path: Path) -> None:
    first = load_scenario(write(tmp_path / "a.yaml", base()))
    reordered = dict(reversed(list(base().items())))
    second = load_scenario(write(tmp_path / "b.yaml", reordered))
    assert first.input_hash == second.input_hash
    changed = load_scenario(tmp_path / "a.yaml", overrides=["budget.total=4000000"])
    assert changed.input_hash != first.input_hash


def test_yaml_12_scalars(tmp_path: Path) -> None:
    """`off` is text (a valid permits mode), `2e6` and `1.5e-3` are numbers."""
    text = yaml.safe_dump(base(), sort_keys=False).replace(
        "budget:\n  total: 6000000", "budget:\n  total: 2e6"
    )
    text += "discount_rate: 5e-2\n"
    text = text.replace("targets:\n", "targets:\n  permits: off\n")
    loaded = load_scenario(write(tmp_path / "scenario.yaml", text))
    assert loaded.merged["budget"]["total"] == 2.0e6
    assert loaded.merged["discount_rate"] == 0.05
    assert loaded.merged["targets"]["permits"] == "off"
    assert loaded.scenario.targets.permits == "off"


def test_extends_deep_merges_over_the_base(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", base())
    child = {
        "extends": "base.yaml",
        "name": "child",
        "budget": {"per_year": {2024: 1000000}},
        "targets": {"permits": "soft"},
        "projects": [{"id": "E02-P9", "owner": "E02", "capex": 1.0}],
    }
    loaded = load_scenario(write(tmp_path / "child.yaml", child))
    merged = loaded.merged
    assert "extends" not in merged
    assert merged["name"] == "child"
    assert merged["budget"] == {"total": 6000000, "per_year": {"2024": 1000000}}
    assert merged["targets"] == {"park_caps": {"COD": 300}, "permits": "soft"}
    assert merged["projects"] == child["projects"]  # lists replace, they do not merge
    assert merged["enterprises"] == BASE["enterprises"]
    assert loaded.scenario.budget.per_year == {2024: 1000000.0}


def test_extends_chain_resolves_each_file_relative_to_itself(tmp_path: Path) -> None:
    grand = base()
    grand["description"] = "from grand"
    write(tmp_path / "common" / "grand.yaml", grand)
    write(tmp_path / "common" / "mid.yaml", {"extends": "grand.yaml", "budget": {"total": 7}})
    child = {"extends": "../common/mid.yaml", "name": "leaf"}
    loaded = load_scenario(write(tmp_path / "parks" / "leaf.yaml", child))
    assert loaded.merged["description"] == "from grand"
    assert loaded.merged["budget"] == {"total": 7}
    assert loaded.scenario.name == "leaf"


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", {**base(), "extends": "b.yaml"})
    write(tmp_path / "b.yaml", {"extends": "a.yaml"})
    message = error_of(tmp_path / "a.yaml")
    assert message.endswith(
        "b.yaml: extends: extends cycle: "
        f"{tmp_path / 'a.yaml'} -> {tmp_path / 'b.yaml'} -> "
        f"{tmp_path / 'a.yaml'}"
    )
    write(tmp_path / "self.yaml", {**base(), "extends": "self.yaml"})
    assert "self.yaml: extends: extends cycle" in error_of(tmp_path / "self.yaml")


def test_error_in_a_base_file_names_the_base_file(tmp_path: Path) -> None:
    broken = base()
    broken["projects"][1]["capex"] = -5
    write(tmp_path / "base.yaml", broken)
    child = write(tmp_path / "child.yaml", {"extends": "base.yaml", "name": "child"})
    assert error_of(child) == (
        f"{tmp_path / 'base.yaml'}: projects[1] (id E02-P1).capex: must be >= 0"
    )


def test_named_scenario(tmp_path: Path) -> None:
    data = base()
    data["scenarios"] = {
        "tight": {"budget.total": 2.0e6, "targets.permits": "soft"},
        "renamed": {"name": "other", "projects[E02-P1].capex": 1},
    }
    path = write(tmp_path / "scenario.yaml", data)
    tight = load_scenario(path, "tight")
    assert tight.scenario.name == "test-park-tight"
    assert tight.scenario.budget.total == 2.0e6
    assert tight.scenario.targets.permits == "soft"
    assert "scenarios" not in tight.merged
    renamed = load_scenario(path, "renamed")
    assert renamed.scenario.name == "other"
    assert renamed.scenario.projects[1].capex == 1
    plain = load_scenario(path)
    assert plain.scenario.name == "test-park" and "scenarios" not in plain.merged
    assert len({tight.input_hash, renamed.input_hash, plain.input_hash}) == 3


def test_named_scenario_errors(tmp_path: Path) -> None:
    data = base()
    data["scenarios"] = {"tight": {"budget.total": -1}, "loose": {"budget.total": 9e9}}
    path = write(tmp_path / "scenario.yaml", data)
    assert error_of(path, "tigth") == (
        f"{path}: scenarios: no scenario named 'tigth'; did you mean 'tight'? "
        "(available: loose, tight)"
    )
    assert error_of(path, "tight") == (
        f"{path}: budget.total: must be >= 0 (set by scenario 'tight')"
    )
    no_sets = write(tmp_path / "none.yaml", base())
    assert "scenarios: no scenario named 'x'" in error_of(no_sets, "x")


def test_set_overrides_by_index_and_by_id(tmp_path: Path) -> None:
    path = write(tmp_path / "scenario.yaml", base())
    loaded = load_scenario(
        path,
        overrides=[
            "projects.1.capex=1e6",
            "projects[E01-P1].reduces.COD=2.5",
            "projects[PARK-WWTP].capacity=750",
            "budget.per_year.2024=3.0e6",
            "targets.permits=off",
            "projects[E01-P1].requires=[]",
            "objective.weights={pollution: 2, energy: 0.5}",
        ],
    )
    projects = loaded.scenario.projects
    assert projects[1].capex == 1.0e6 and loaded.merged["projects"][1]["capex"] == 1.0e6
    assert projects[0].reduces == {"COD": 2.5, "Cr6": 0.0008}
    assert projects[2].capacity == 750
    assert projects[0].requires == []
    assert loaded.scenario.budget.per_year == {2024: 3.0e6}
    assert loaded.scenario.targets.permits == "off"
    assert loaded.scenario.objective.weights == {"pollution": 2.0, "energy": 0.5}
    # the same element by index in brackets, as error messages write it
    again = load_scenario(path, overrides=["projects[1].capex=7"])
    assert again.scenario.projects[1].capex == 7


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "projects[E02-P2].capex=1",
            "projects[E02-P2].capex: --set: no entry with id 'E02-P2' in projects; "
            "did you mean 'E02-P1'?",
        ),
        (
            "projects.7.capex=1",
            "projects.7.capex: --set: index 7 is past the end (projects has 3 entries, "
            "numbered from 0)",
        ),
        (
            "budget.total.x=1",
            "budget.total.x: --set: budget.total is a number, it has no key 'x'",
        ),
        ("budget.total", "--set: 'budget.total' is not of the form key.path=value"),
        ("budget..total=1", "budget..total: --set: not a key path: 'budget..total'"),
        ("scenarios.a=1", "scenarios.a: --set: 'scenarios' cannot be changed by an override"),
        ("budget.total=-1", "budget.total: must be >= 0 (from --set budget.total=-1)"),
        (
            "budget.totl=1",
            "budget.totl: unknown key 'totl'; did you mean 'total'? (from --set budget.totl=1)",
        ),
    ],
)
def test_set_errors_name_the_override(tmp_path: Path, override: str, expected: str) -> None:
    path = write(tmp_path / "scenario.yaml", base())
    assert error_of(path, None, [override]).startswith(f"{path}: {expected}")


# --- tables ------------------------------------------------------------------------------------

ENTERPRISES_CSV = """\
id,name,sector,emissions.COD,emissions.Cr6,emissions.SO2,energy.electricity,energy.coal,permit.COD,source
E01,Plating works,electroplating,12.5,0.002,,5200,,10,audit 2023
E02,,chemicals,,,30,,800,,
"""
PROJECTS_CSV = """\
id,owner,capex,opex_change,lifetime,exclusive_group,requires,divisible,capacity,reduces.COD,reduces.Cr6,reduces.SO2,saves.electricity,serves.PARK-WWTP
E01-P1,E01,850000,-120000,,E01-rinse,PARK-WWTP,,,3.2,0.0008,,300,120
E02-P1,E02,400000,,8,,,true,,,,10,,

PARK-WWTP,park,5000000,,,,,0,500,1,,,,
"""  # the blank line is skipped, but rows after it keep their number (PARK-WWTP is row 4)


def expected_from_tables() -> dict[str, Any]:
    """The inline scenario that the two CSV tables above describe, written by hand."""
    data = base()
    data["enterprises"][0]["source"] = "audit 2023"
    data["enterprises"][0]["permit"] = {"COD": 10}
    data["projects"][1].update(lifetime=8, divisible=True)
    data["projects"][2]["divisible"] = False
    return data


def test_csv_tables_equal_the_inline_form(tmp_path: Path) -> None:
    write(tmp_path / "tables" / "enterprises.csv", ENTERPRISES_CSV)
    write(tmp_path / "tables" / "projects.csv", PROJECTS_CSV)
    data = base()
    data["enterprises"] = {"csv": "tables/enterprises.csv"}
    data["projects"] = {"csv": "tables/projects.csv"}
    loaded = load_scenario(write(tmp_path / "scenario.yaml", data))
    inline = load_scenario(write(tmp_path / "inline.yaml", expected_from_tables()))
    assert loaded.scenario.model_dump() == inline.scenario.model_dump()
    assert loaded.merged == inline.merged
    json.dumps(loaded.merged)  # tables are inlined as plain lists of dicts


def test_table_declared_in_a_base_file_is_relative_to_that_file(tmp_path: Path) -> None:
    write(tmp_path / "shared" / "projects.csv", PROJECTS_CSV)
    data = base()
    data["projects"] = {"csv": "projects.csv"}
    write(tmp_path / "shared" / "base.yaml", data)
    child = write(tmp_path / "child.yaml", {"extends": "shared/base.yaml"})
    loaded = load_scenario(child, overrides=["projects[E02-P1].capex=1"])
    assert [p.id for p in loaded.scenario.projects] == ["E01-P1", "E02-P1", "PARK-WWTP"]
    assert loaded.scenario.projects[1].capex == 1


def test_xlsx_table(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Projects")
    sheet.append(
        [
            "id",
            "owner",
            "capex",
            "requires",
            "divisible",
            "capacity",
            "reduces.COD",
            "reduces.SO2",
            "serves.PARK-WWTP",
            "lifetime",
        ]
    )
    sheet.append(["E01-P1", "E01", 850000, "PARK-WWTP", None, None, 3.2, None, 120, None])
    sheet.append(["E02-P1", "E02", 400000.0, None, True, None, None, 10, None, 8.0])
    sheet.append([None] * 10)
    sheet.append(["PARK-WWTP", "park", 5e6, None, 0, 500, 1, None, None, None])
    book.save(tmp_path / "inventory.xlsx")
    data = base()
    data["projects"] = {"xlsx": "inventory.xlsx", "sheet": "Projects"}
    loaded = load_scenario(write(tmp_path / "scenario.yaml", data))
    projects = loaded.scenario.projects
    assert [p.id for p in projects] == ["E01-P1", "E02-P1", "PARK-WWTP"]
    assert projects[0].requires == ["PARK-WWTP"] and projects[0].serves == {"PARK-WWTP": 120}
    assert projects[0].reduces == {"COD": 3.2}
    assert projects[1].divisible is True and projects[1].lifetime == 8
    assert projects[2].capacity == 500 and projects[2].divisible is False

    sheet["C3"] = "lots"  # E02-P1's capex, data row 2
    book.save(tmp_path / "inventory.xlsx")
    assert error_of(tmp_path / "scenario.yaml") == (
        f"{tmp_path / 'inventory.xlsx'} (sheet Projects): projects[2] (id E02-P1).capex: "
        "not a number: 'lots'"
    )
    data["projects"]["sheet"] = "Project"
    assert error_of(write(tmp_path / "scenario.yaml", data)) == (
        f"{tmp_path / 'scenario.yaml'}: projects.sheet: no sheet 'Project' in "
        f"{tmp_path / 'inventory.xlsx'}; did you mean 'Projects'? (sheets: Notes, Projects)"
    )


def table_error(tmp_path: Path, projects_csv: str) -> str:
    write(tmp_path / "projects.csv", projects_csv)
    data = base()
    data["projects"] = {"csv": "projects.csv"}
    return error_of(write(tmp_path / "scenario.yaml", data))


def test_table_errors_name_file_row_id_and_column(tmp_path: Path) -> None:
    csv_file = tmp_path / "projects.csv"
    rows = PROJECTS_CSV.replace("E02-P1,E02,400000", "E02-P1,E02,abc")
    assert table_error(tmp_path, rows) == (
        f"{csv_file}: projects[2] (id E02-P1).capex: not a number: 'abc'"
    )
    rows = PROJECTS_CSV.replace("reduces.SO2", "reduces.SO3")
    assert table_error(tmp_path, rows) == (
        f"{csv_file}: projects[2] (id E02-P1).reduces.SO3: unknown pollutant 'SO3'; "
        "did you mean 'SO2'?"
    )
    rows = PROJECTS_CSV.replace("0,500,1", "0,-500,1")  # row 4: the blank line counts
    assert table_error(tmp_path, rows) == (
        f"{csv_file}: projects[4] (id PARK-WWTP).capacity: must be >= 0"
    )
    rows = PROJECTS_CSV.replace(",true,", ",maybe,")
    assert table_error(tmp_path, rows) == (
        f"{csv_file}: projects[2] (id E02-P1).divisible: not true/false: 'maybe'"
    )
    rows = PROJECTS_CSV.replace("E01-rinse,PARK-WWTP", "E01-rinse,PARK-WWTP;E02-P2")
    assert table_error(tmp_path, rows) == (
        f"{csv_file}: projects[1] (id E01-P1).requires: unknown project 'E02-P2'; "
        "did you mean 'E02-P1'?"
    )
    rows = PROJECTS_CSV.replace("reduces.COD", "reduce.COD")
    assert table_error(tmp_path, rows) == (
        f"{csv_file}: projects: unknown column 'reduce.COD'; did you mean 'reduces.COD'?"
    )
    rows = PROJECTS_CSV.replace("id,owner,capex", "id,owner,capx")  # not a projects table:
    assert table_error(tmp_path, rows) == (  # nothing of its header is quoted
        f"{csv_file}: projects: not a table of projects: its first row has no 'capex' column"
    )
    rows = PROJECTS_CSV.replace("id,owner,capex,", "id,owner,capex,capex,")
    assert table_error(tmp_path, rows) == f"{csv_file}: projects: column 'capex' appears twice"
    rows = PROJECTS_CSV.replace("E02-P1,E02,400000,,8", "E02-P1,E02,400000,,8,,,,,,,,,,,9")
    assert table_error(tmp_path, rows) == (
        f"{csv_file}: projects[2]: more cells than header columns"
    )


def test_table_declaration_errors(tmp_path: Path) -> None:
    data = base()
    data["projects"] = {"csv": "nowhere.csv"}
    path = write(tmp_path / "scenario.yaml", data)
    assert error_of(path) == f"{path}: projects.csv: file not found: {tmp_path / 'nowhere.csv'}"
    data["projects"] = {"cvs": "projects.csv"}
    write(path, data)
    expected = f"{path}: projects.cvs: unknown key 'cvs'; did you mean 'csv'?"
    assert error_of(path).startswith(expected)
    data["projects"] = {"csv": "a.csv", "xlsx": "b.xlsx"}
    write(path, data)
    assert error_of(path) == (
        f"{path}: projects: give either 'csv: FILE' or 'xlsx: FILE', not both"
    )


def test_gb18030_csv_is_read(tmp_path: Path) -> None:
    """CSV saved by Excel on Chinese Windows ('ANSI' = GBK) keeps its Chinese names."""
    text = ENTERPRISES_CSV.replace("Plating works", "电镀厂")
    (tmp_path / "enterprises.csv").write_bytes(text.encode("gb18030"))
    data = base()
    data["enterprises"] = {"csv": "enterprises.csv"}
    loaded = load_scenario(write(tmp_path / "scenario.yaml", data))
    assert loaded.scenario.enterprises[0].name == "电镀厂"


# --- whole-file problems -------------------------------------------------------------------------


def test_file_level_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert error_of(missing) == f"{missing}: file not found"
    broken = write(tmp_path / "broken.yaml", "name: x\nhorizon: {start: 2024\nbudget: 1\n")
    with pytest.raises(InputError) as caught:
        load_scenario(broken)
    assert str(caught.value).startswith(f"{broken}: YAML syntax error at line 3, column")
    assert caught.value.line == 3 and caught.value.path == ""
    listed = write(tmp_path / "list.yaml", "- a\n- b\n")
    assert error_of(listed).endswith("but the file is a list")
    empty = write(tmp_path / "empty.yaml", "")
    assert error_of(empty).endswith("but the file is empty")
    twice = write(tmp_path / "twice.yaml", "name: a\nbudget: {}\nname: b\n")
    expected = f"{twice}: YAML syntax error at line 3, column 1: duplicate key 'name'"
    assert error_of(twice) == expected
    extends = write(tmp_path / "ext.yaml", {"extends": "nothere.yaml"})
    expected = f"{extends}: extends: file not found: {tmp_path / 'nothere.yaml'}"
    assert error_of(extends) == expected


# --- bad input: one key path each ---------------------------------------------------------------

DELETE = object()


def edit(data: dict, path: str, value: Any) -> None:
    """Set (or delete) the value at a dotted path; numeric parts index lists."""
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    for part in parents:
        data = data[part]
    if value is DELETE:
        del data[last]
    else:
        data[last] = value


BAD_CASES = [
    (
        "projects.1.reduces.CODD",
        1.0,
        "projects[1] (id E02-P1).reduces.CODD: unknown pollutant 'CODD'; did you mean 'COD'?",
    ),
    (
        "projects.1.capx",
        1.0,
        "projects[1] (id E02-P1).capx: unknown key 'capx'; did you mean 'capex'?",
    ),
    ("projects.1.capex", -1, "projects[1] (id E02-P1).capex: must be >= 0"),
    ("projects.1.capex", "abc", "projects[1] (id E02-P1).capex: not a number: 'abc'"),
    ("horizon", DELETE, "horizon: missing required key"),
    (
        "targets.park_caps",
        {"COD": {2030: 5.0}},
        "targets.park_caps.COD.2030: year 2030 is outside the horizon 2024-2024",
    ),
    ("targets.energy_reduction", 1.5, "targets.energy_reduction: must be a fraction in (0, 1]"),
    ("horizon.end", 2023, "horizon.end: end 2023 is before start 2024"),
    (
        "projects.1.owner",
        "E2",
        "projects[1] (id E02-P1).owner: unknown owner 'E2'; did you mean 'E02'?",
    ),
    (
        "enterprises.1.id",
        "E01",
        "enterprises[1] (id E01).id: duplicate enterprise id 'E01' (also enterprises[0] (id E01))",
    ),
    (
        "projects.1.id",
        "E01-P1",
        "projects[1] (id E01-P1).id: duplicate project id 'E01-P1' (also projects[0] (id E01-P1))",
    ),
    ("projects.1.id", "E02", "projects[1] (id E02).id: 'E02' is already an enterprise id"),
    ("enterprises.1.id", "park", "enterprises[1] (id park).id: 'park' is reserved"),
    (
        "projects.0.requires",
        ["PARK-WWPT"],
        "projects[0] (id E01-P1).requires[0]: unknown "
        "project 'PARK-WWPT'; did you mean 'PARK-WWTP'?",
    ),
    (
        "projects.1.requires",
        ["E02-P1"],
        "projects[1] (id E02-P1).requires[0]: a project cannot require itself",
    ),
    (
        "projects.0.serves",
        {"E02-P1": 5},
        "projects[0] (id E01-P1).serves.E02-P1: 'E02-P1' has no capacity",
    ),
    (
        "projects.2.serves",
        {"PARK-WWTP": 5},
        "projects[2] (id PARK-WWTP).serves.PARK-WWTP: a facility cannot serve itself",
    ),
    (
        "projects.1.capacity",
        10,
        "projects[1] (id E02-P1).capacity: only shared facilities (owner: park) have a capacity",
    ),
    (
        "projects.0.saves",
        {"electricty": 1},
        "projects[0] (id E01-P1).saves.electricty: unknown carrier 'electricty'; "
        "did you mean 'electricity'?",
    ),
    (
        "enterprises.1.baseline.energy",
        {"natural gas": 1},
        "enterprises[1] (id E02).baseline.energy.natural gas: unknown carrier 'natural gas'; "
        "did you mean 'natural_gas'?",
    ),
    (
        "enterprises.1.baseline.energy",
        {"biogas": 1},
        "enterprises[1] (id E02).baseline.energy.biogas: unknown carrier 'biogas' "
        "(declare it under carriers:)",
    ),
    (
        "enterprises.0.baseline.emissions.COD",
        -1,
        "enterprises[0] (id E01).baseline.emissions.COD: must be >= 0",
    ),
    ("enterprises.0.permit.COD", -0.5, "enterprises[0] (id E01).permit.COD: must be >= 0"),
    (
        "targets.reduction",
        {"COD": 1.5},
        "targets.reduction.COD: must be a fraction in (0, 1], e.g. 0.1 for 10 %",
    ),
    ("targets.reduction", {"COD": 0}, "targets.reduction.COD: must be a fraction in (0, 1]"),
    (
        "targets.park_caps",
        {"NH3-N": 3},
        "targets.park_caps.NH3-N: unknown pollutant 'NH3-N'; did you mean 'NH3N'?",
    ),
    (
        "budget.per_year",
        {2030: 1e6},
        "budget.per_year.2030: year 2030 is outside the horizon 2024-2024",
    ),
    (
        "enterprises.0.sector",
        "electroplate",
        "enterprises[0] (id E01).sector: 'electroplate' "
        "is not allowed; did you mean 'electroplating'?",
    ),
    ("targets.permits", "hrad", "targets.permits: 'hrad' is not allowed; did you mean 'hard'?"),
    ("budgte", {"total": 1}, "budgte: unknown key 'budgte'; did you mean 'budget'?"),
    ("enterprises", [], "enterprises: needs at least 1 entry"),
    ("name", "my park", "name: 'my park': use only letters, digits, '_', '.' and '-'"),
    (
        "pollutants",
        {"XYZ": {"pe_kg": 1.0}},
        "pollutants.XYZ: 'XYZ' is not a built-in pollutant. A new pollutant needs 'medium'",
    ),
    (
        "pollutants",
        {"CODD": {"tax_rate": 2.8}},
        "pollutants.CODD: 'CODD' is not a built-in pollutant; did you mean 'COD'?",
    ),
    (
        "carriers",
        {"biogas": {"unit": "10^4 m3"}},
        "carriers.biogas: 'biogas' is not a built-in carrier. A new carrier needs tce_per_unit",
    ),
    (
        "objective",
        {"weights": {"polution": 1.0}},
        "objective.weights.polution: unknown key 'polution'; did you mean 'pollution'?",
    ),
    ("objective", {"minimize": "cost"}, None),  # with `targets` deleted below
    (
        "projects.0.requires",
        "PARK-WWTP",
        "projects[0] (id E01-P1).requires: must be a list, not text",
    ),
    ("projects.1.lifetime", 2.5, "projects[1] (id E02-P1).lifetime: not a whole number: 2.5"),
    ("projects.1.divisible", "maybe", "projects[1] (id E02-P1).divisible: not true/false"),
    ("projects.1.capex", float("nan"), "projects[1] (id E02-P1).capex: must be a finite number"),
    ("projects.1.id", 101, "projects[1] (id 101).id: must be text, not 101 (put it in quotes)"),
    ("discount_rate", 1.2, "discount_rate: must be < 1"),
    ("objective", {"weights": {"pollution": -1.0}}, "objective.weights.pollution: must be >= 0"),
    (
        "projects",
        "projects.csv",
        "projects: must be a list, not text (or {csv: FILE} / {xlsx: FILE, sheet: NAME})",
    ),
    (
        "park",
        {"permit": {"CODD": 1}},
        "park.permit.CODD: unknown pollutant 'CODD'; did you mean 'COD'?",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), BAD_CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(BAD_CASES)]
)
def test_bad_input_names_file_and_key_path(
    tmp_path: Path, path: str, value: Any, expected: str | None
) -> None:
    data = base()
    edit(data, path, value)
    if expected is None:
        del data["targets"]
        expected = (
            "objective.minimize: cost objective needs at least one target "
            "(targets.park_caps, targets.reduction, targets.energy_cap_tce or "
            "targets.energy_reduction)"
        )
    scenario = write(tmp_path / "scenario.yaml", data)
    message = error_of(scenario)
    assert message.startswith(f"{scenario}: {expected}"), message


def test_only_scenario_error_escapes(tmp_path: Path) -> None:
    """A directory, binary junk and a corrupt xlsx are reported, not raised raw."""
    assert error_of(tmp_path).startswith(f"{tmp_path}: cannot read")
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"\xff\xfe\x00bad")
    assert error_of(junk) == f"{junk}: not UTF-8 text: save the file as UTF-8"
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    data = base()
    data["projects"] = {"xlsx": "bad.xlsx"}
    message = error_of(write(tmp_path / "scenario.yaml", data))
    assert message.startswith(f"{tmp_path / 'bad.xlsx'}: cannot read as an Excel .xlsx workbook")


def test_misspelt_required_key_is_reported_as_unknown(tmp_path: Path) -> None:
    """Renaming capex to capx makes capex missing and capx unknown; the second is the
    useful message."""
    data = base()
    data["projects"][1]["capx"] = data["projects"][1].pop("capex")
    path = write(tmp_path / "scenario.yaml", data)
    assert error_of(path) == (
        f"{path}: projects[1] (id E02-P1).capx: unknown key 'capx'; did you mean 'capex'?"
    )


def test_allowed_structures(tmp_path: Path) -> None:
    """A requires-cycle (all or none), a one-project exclusive group, an unused facility,
    a project without effects and an empty `key:` (null = absent) all load."""
    data = base()
    data["projects"][1]["requires"] = ["E02-P2"]
    data["projects"].append(
        {"id": "E02-P2", "owner": "E02", "capex": 1, "requires": ["E02-P1"], "exclusive_group": "g"}
    )
    data["projects"].append({"id": "PARK-SPARE", "owner": "park", "capex": 2, "capacity": 9})
    data["projects"].append({"id": "E01-P0", "owner": "E01", "capex": 0, "reduces": {"COD": 0}})
    data["solver"] = None
    data["budget"]["total"] = None
    loaded = load_scenario(write(tmp_path / "scenario.yaml", data))
    projects = loaded.scenario.projects
    assert [p.id for p in projects][3:] == ["E02-P2", "PARK-SPARE", "E01-P0"]
    assert projects[1].requires == ["E02-P2"] and projects[3].requires == ["E02-P1"]
    assert loaded.scenario.budget.total is None
    assert "solver" not in loaded.merged and "total" not in loaded.merged["budget"]


def test_new_pollutant_carrier_and_tax_override(tmp_path: Path) -> None:
    data = base()
    data["pollutants"] = {
        "COD": {"tax_rate": 2.8},
        "PFAS": {"medium": "water", "name": "per- and polyfluoroalkyl substances"},
    }
    data["carriers"] = {"biogas": {"unit": "10^4 m3", "tce_per_unit": 7.143}}
    data["projects"][1]["reduces"]["PFAS"] = 0.001
    data["enterprises"][1]["baseline"]["emissions"]["PFAS"] = 0.002
    data["projects"][1]["saves"] = {"biogas": -3}
    loaded = load_scenario(write(tmp_path / "scenario.yaml", data))
    registry = loaded.registry
    assert registry.pollutants["COD"].tax_rate == 2.8
    assert registry.pollutants["COD"].pe_kg == 1.0  # the rest of COD stays built-in
    assert registry.pollutants["PFAS"].medium == "water"
    assert registry.carriers["biogas"].tce_per_unit == 7.143


def test_set_on_a_table_row_names_the_override(tmp_path: Path) -> None:
    write(tmp_path / "projects.csv", PROJECTS_CSV)
    data = base()
    data["projects"] = {"csv": "projects.csv"}
    path = write(tmp_path / "scenario.yaml", data)
    assert error_of(path, None, ["projects[E02-P1].capex=-3"]) == (
        f"{path}: projects[1] (id E02-P1).capex: must be >= 0 "
        "(from --set projects[E02-P1].capex=-3)"
    )
    # the rest of the row is still reported against the table, by data row
    assert error_of(path, None, ["projects[E02-P1].owner=E3"]).startswith(
        f"{path}: projects[1] (id E02-P1).owner: unknown owner 'E3'"
    )
    rows = PROJECTS_CSV.replace("E02-P1,E02,", "E02-P1,E3,")
    write(tmp_path / "projects.csv", rows)
    assert error_of(path).startswith(
        f"{tmp_path / 'projects.csv'}: projects[2] (id E02-P1).owner: unknown owner 'E3'"
    )


def test_empty_set_value_means_not_given(tmp_path: Path) -> None:
    path = write(tmp_path / "scenario.yaml", base())
    loaded = load_scenario(path, overrides=["budget.total="])
    assert loaded.scenario.budget.total is None and loaded.merged["budget"] == {}


def test_docs_name_every_schema_key() -> None:
    """docs/scenario-format.md documents every key of model/input/schema.py (in backticks)."""
    import re
    import typing

    from pydantic import BaseModel

    from model.input.schema import Scenario

    text = (Path(__file__).parents[1] / "docs" / "scenario-format.md").read_text("utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # code blocks do not count
    quoted = " ".join(re.findall(r"`([^`]+)`", prose))

    def models(annotation: Any) -> list[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for arg in typing.get_args(annotation) for m in models(arg)]

    missing, todo, seen = [], [Scenario], set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            if not re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", quoted):
                missing.append(f"{model.__name__}.{name}")
            todo.extend(models(info.annotation))
    assert not missing, missing
