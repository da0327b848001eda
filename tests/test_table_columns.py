"""Reading CSV tables column-wise (model/input/table_files.py, table_columns.py): the
cells are converted by the same rules as a cell-by-cell reading. Every expected value
below is written out by hand from the rules in table_columns.py's docstring."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from model.errors import InputError
from model.input.table_files import TableRef, read_table


def rows_of(tmp_path: Path, text: str, kind: str = "projects") -> tuple[list[dict], list[int]]:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return read_table(TableRef(kind, "csv", path, str(path), "scenario.yaml"))


def test_cells_are_converted_by_the_rules(tmp_path) -> None:
    text = (
        "id,owner,capex,divisible,requires,reduces.COD,name\n"
        "P1,E1,100,true,,5.5,  a b \n"
        "\n"  # a blank line counts in the row numbers
        "P2,E1,2.5,NO,P1; P3 ;,, \n"
        " , , , , , , \n"  # spaces only: an empty row, skipped
        "007,E1, 7 ,maybe,,1_000,x\n"
        "P4,E1,123456789012345678901234,y,,abc,\n"
    )
    rows, numbers = rows_of(tmp_path, text)
    assert numbers == [1, 3, 5, 6]
    assert rows[0] == {
        "id": "P1", "owner": "E1", "capex": 100, "divisible": True,
        "reduces": {"COD": 5.5}, "name": "a b",
    }  # fmt: skip
    assert rows[1] == {
        "id": "P2", "owner": "E1", "capex": 2.5, "divisible": False, "requires": ["P1", "P3"]
    }  # fmt: skip
    # ids stay text ('007'); '1_000' is a number as Python's float() reads it; text that is
    # not true/false or not a number stays text, for the schema to report with its cell
    assert rows[2] == {
        "id": "007", "owner": "E1", "capex": 7, "divisible": "maybe",
        "reduces": {"COD": 1000.0}, "name": "x",
    }  # fmt: skip
    assert rows[3]["capex"] == 123456789012345678901234 and rows[3]["divisible"] is True
    assert rows[3]["reduces"] == {"COD": "abc"}
    assert type(rows[0]["capex"]) is int and type(rows[2]["capex"]) is int


def test_nan_and_inf_cells_are_numbers_for_the_finite_check(tmp_path) -> None:
    rows, _ = rows_of(tmp_path, "id,owner,capex,reduces.COD\nP1,E1,inf,nan\nP2,E1,1,-0.0\n")
    assert rows[0]["capex"] == math.inf and math.isnan(rows[0]["reduces"]["COD"])
    assert (
        type(rows[1]["reduces"]["COD"]) is float and math.copysign(1, rows[1]["reduces"]["COD"]) < 0
    )


def test_true_in_a_number_column_is_reported_as_written(tmp_path) -> None:
    rows, _ = rows_of(tmp_path, "id,owner,capex,reduces.COD\nP1,E1,1,true\nP2,E1,2,FALSE\n")
    assert [row["reduces"]["COD"] for row in rows] == ["true", "FALSE"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,owner,capex\nP1,E1,1,9\nP2,E1,2\n", "projects[1]: more cells than header columns"),
        ("id,owner,capex\nP1,E1,1\nP2,E1,2,,7\n", "projects[2]: more cells than header columns"),
        ("id,owner,capex,\nP1,E1,1,\nP2,E1,2,5\n", "projects: column 4 has values but no name"),
    ],
)
def test_extra_cells_are_reported_by_row_or_column(tmp_path, text, message) -> None:
    with pytest.raises(InputError) as error:
        rows_of(tmp_path, text)
    assert str(error.value).endswith(message)


def test_extra_empty_cells_and_a_nul_character(tmp_path) -> None:
    rows, _ = rows_of(tmp_path, "id,owner,capex\nP1,E1,1,\nP2,E1,2,,\n")
    assert [row["capex"] for row in rows] == [1, 2]
    rows, _ = rows_of(tmp_path, "id,owner,capex\nP1,E1,1\x00\n")  # kept, for the text check
    assert rows[0]["capex"] == "1\x00"


def test_enterprise_table_nesting(tmp_path) -> None:
    text = (
        "id,name,toxic,emissions.COD,permit.COD,energy.coal\nE1, Plant ,yes,10,8,\nE2,,0,1.5,,3\n"
    )
    rows, _ = rows_of(tmp_path, text, "enterprises")
    assert rows == [
        {"id": "E1", "name": "Plant", "toxic": True,
         "baseline": {"emissions": {"COD": 10}}, "permit": {"COD": 8}},
        {"id": "E2", "toxic": False,
         "baseline": {"emissions": {"COD": 1.5}, "energy": {"coal": 3}}},
    ]  # fmt: skip
