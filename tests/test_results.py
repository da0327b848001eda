"""Results layer: Dataset contents against hand-computed figures, NetCDF round trip,
atomic writes, the selected-projects CSV, the text summary, figures and HTML report.

The tiny park (every expected number below is worked out by hand in the comments):

* E01 emits COD 10 t, SO2 2 t, hazardous waste 5 t; uses 1000 MWh electricity, 100 t
  coal; COD permit 5 t (permits soft).
* E02 emits NH3N 1.6 t; uses 500 MWh electricity.
* the park row emits COD 3 t.
* P1 (E01): COD -4 t, hazardous waste +1 t (cross-media), saves 200 MWh; 1,000,000 CNY.
* P2 (E02): NH3N -2 t (more than E02 emits: saturates at 0), uses 50 MWh more; 500,000.
* P3 (E01): SO2 -1 t; 2,000,000 CNY; not chosen.
* P4 (park, divisible): COD -2 t at full level; 400,000 CNY; chosen at level 0.5.

Factors (EP Tax Law annex 2, GB/T 2589-2020): COD 1 kg/eq ->
1000 eq/t; SO2 0.95 kg/eq -> 1052.63 eq/t; NH3N 0.8 kg/eq -> 1250 eq/t; hazardous waste
has no equivalent value; electricity 0.1229 tce/MWh and 0.5366 tCO2/MWh; raw coal
0.7143 tce/t and 1.9003 tCO2/t.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import xarray as xr

from model.appraise.evaluate import evaluate
from model.compile.compile import compile_park
from model.input.registry import build_registry
from model.input.schema import Scenario
from model.optimise.solve import SolveResult
from model.report.figures.run_figures import figures
from model.report.page import render_report, write_report
from model.report.text import summary_text
from model.results.atomic import atomic_path, atomic_write, write_bytes_atomic, write_text_atomic
from model.results.dataset import build_dataset
from model.results.io import netcdf_attr, write_dataset, write_selected_csv
from model.results.summary_tables import selected_projects_table, summary_table

REPO = Path(__file__).resolve().parents[1]

MERGED = {
    "name": "tiny",
    "horizon": {"start": 2025, "end": 2025},
    "enterprises": [
        {
            "id": "E01",
            "name": "Plating Co",
            "sector": "electroplating",
            "baseline": {
                "emissions": {"COD": 10, "SO2": 2, "hazardous_waste": 5},
                "energy": {"electricity": 1000, "coal": 100},
            },
            "permit": {"COD": 5},
        },
        {"id": "E02", "baseline": {"emissions": {"NH3N": 1.6}, "energy": {"electricity": 500}}},
    ],
    "park": {"baseline": {"emissions": {"COD": 3}}},
    "projects": [
        {
            "id": "P1",
            "owner": "E01",
            "name": "counter-current rinse",
            "category": "process",
            "capex": 1.0e6,
            "reduces": {"COD": 4, "hazardous_waste": -1},
            "saves": {"electricity": 200},
        },
        {
            "id": "P2",
            "owner": "E02",
            "capex": 5.0e5,
            "reduces": {"NH3N": 2.0},
            "saves": {"electricity": -50},
        },
        {"id": "P3", "owner": "E01", "capex": 2.0e6, "reduces": {"SO2": 1}},
        {"id": "P4", "owner": "park", "capex": 4.0e5, "divisible": True, "reduces": {"COD": 2}},
    ],
    "budget": {"total": 5.0e6},
    "targets": {"permits": "soft", "park_caps": {"COD": 20}, "reduction": {"COD": 0.1}},
}
X = np.array([1.0, 1.0, 0.0, 0.5])
META = {
    "merged": MERGED,
    "input_hash": "0f" * 32,
    "timings": {"load": 0.25, "build_s": 0.5, "solve": 1.5},
    "gap_abs": 1.5,
    "gap_units": "pollution equivalents/yr",
    "time_limit": None,
    "warm": True,
    "overrides": {"budget.total": 5.0e6},
}

SO2_EQ_PER_T = 1000 / 0.95


def make_park(merged: dict = MERGED):
    scenario = Scenario.model_validate(merged)
    return compile_park(scenario, build_registry(scenario))


def make_result(x: np.ndarray = X) -> SolveResult:
    return SolveResult(
        status="optimal",
        termination="optimal",
        solver="highs",
        solver_version="1.16.0",
        objective=18043.0,
        bound=18041.5,
        gap=1e-4,
        seconds=0.7,
        x=x,
    )


def make_dataset(x: np.ndarray = X, merged: dict = MERGED) -> xr.Dataset:
    park = make_park(merged)
    result = make_result(x)
    return build_dataset(park, result, evaluate(park, result.x), META)


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    return make_dataset()


def at(ds: xr.Dataset, name: str, **where) -> float:
    return float(ds[name].sel(**where))


# --------------------------------------------------------------------------- dataset


def test_factors_are_the_published_ones(ds):
    assert at(ds, "pe_per_t", pollutant="COD") == pytest.approx(1000.0)
    assert at(ds, "pe_per_t", pollutant="SO2") == pytest.approx(SO2_EQ_PER_T)
    assert at(ds, "pe_per_t", pollutant="NH3N") == pytest.approx(1250.0)
    assert at(ds, "pe_per_t", pollutant="hazardous_waste") == 0.0
    assert at(ds, "tce_per_unit", carrier="electricity") == pytest.approx(0.1229)
    assert at(ds, "tce_per_unit", carrier="coal") == pytest.approx(0.7143)
    assert at(ds, "co2_per_unit", carrier="electricity") == pytest.approx(0.5366)
    assert at(ds, "co2_per_unit", carrier="coal") == pytest.approx(1.9003)


def test_coordinates_and_project_data(ds):
    assert list(ds["project"].values) == ["P1", "P2", "P3", "P4"]
    assert list(ds["enterprise"].values) == ["E01", "E02", "park"]
    assert set(ds["pollutant"].values) == {"COD", "SO2", "NH3N", "hazardous_waste"}
    assert list(ds["year"].values) == [2025]
    assert list(ds["owner"].values) == ["E01", "E02", "E01", "park"]
    assert list(ds["project_name"].values) == ["counter-current rinse", "P2", "P3", "P4"]
    assert list(ds["category"].values) == ["process", "", "", ""]
    assert list(ds["capex"].values) == [1.0e6, 5.0e5, 2.0e6, 4.0e5]
    assert list(ds["divisible"].values) == [False, False, False, True]
    assert list(ds["lifetime"].values) == [10, 10, 10, 10]
    assert ds["pollutant_medium"].sel(pollutant="COD").item() == "water"
    assert ds["pollutant_medium"].sel(pollutant="SO2").item() == "air"
    assert ds["pollutant_medium"].sel(pollutant="hazardous_waste").item() == "solid"
    assert ds["carrier_unit"].sel(carrier="electricity").item() == "MWh"
    assert ds["sector"].sel(enterprise="E01").item() == "electroplating"


def test_selection_and_project_effects(ds):
    assert ds["selected"].dims == ("year", "project")
    np.testing.assert_allclose(ds["selected"].sel(year=2025).values, X)
    assert at(ds, "reduces", project="P1", pollutant="COD") == 4.0
    assert at(ds, "reduces", project="P1", pollutant="hazardous_waste") == -1.0
    assert at(ds, "reduces", project="P1", pollutant="SO2") == 0.0
    assert at(ds, "saves", project="P2", carrier="electricity") == -50.0
    assert at(ds, "capex_used", year=2025) == pytest.approx(1.0e6 + 5.0e5 + 0.5 * 4.0e5)


def test_emissions_and_pollution_equivalents(ds):
    y = {"year": 2025}
    assert at(ds, "emissions_baseline", enterprise="E01", pollutant="COD") == 10.0
    # COD 10 t - P1's 4 t = 6 t -> 6000 equivalents (1 kg per equivalent)
    assert at(ds, "emissions", **y, enterprise="E01", pollutant="COD") == pytest.approx(6.0)
    assert at(ds, "pollution_eq", **y, enterprise="E01", pollutant="COD") == pytest.approx(6000)
    assert at(ds, "pollution_eq_baseline", enterprise="E01", pollutant="COD") == 10000
    # SO2 untouched (P3 not chosen): 2 t = 2105.26 equivalents
    assert at(ds, "emissions", **y, enterprise="E01", pollutant="SO2") == 2.0
    assert at(ds, "pollution_eq", **y, enterprise="E01", pollutant="SO2") == pytest.approx(
        2 * SO2_EQ_PER_T
    )
    # cross-media: hazardous waste 5 t + 1 t = 6 t, no pollution equivalents
    assert at(ds, "emissions", **y, enterprise="E01", pollutant="hazardous_waste") == 6.0
    assert at(ds, "pollution_eq", **y, enterprise="E01", pollutant="hazardous_waste") == 0
    # park row: COD 3 t - 0.5 * 2 t = 2 t
    assert at(ds, "emissions", **y, enterprise="park", pollutant="COD") == pytest.approx(2.0)
    assert at(ds, "pollution_eq_baseline", enterprise="E02", pollutant="NH3N") == 2000.0


def test_saturation_at_zero(ds):
    # E02 emits 1.6 t NH3N, P2 removes 2 t: after is 0, not -0.4
    assert at(ds, "emissions", year=2025, enterprise="E02", pollutant="NH3N") == 0.0
    assert at(ds, "pollution_eq", year=2025, enterprise="E02", pollutant="NH3N") == 0.0
    assert float(ds["emissions"].min()) >= 0.0
    # the project's nominal figure (2 t * 1250 = 2500 eq) exceeds the realised 2000 eq
    table = selected_projects_table(ds).set_index("id")
    assert table.loc["P2", "pe_avoided_per_yr"] == pytest.approx(2500.0)


def test_permits_caps_targets(ds):
    assert at(ds, "permit", enterprise="E01", pollutant="COD") == 5.0
    assert np.isnan(at(ds, "permit", enterprise="E02", pollutant="NH3N"))
    assert int(np.isnan(ds["permit"]).sum()) == ds["permit"].size - 1
    # soft permit: 6 t after against 5 t -> 1 t over; nothing else is over
    assert at(ds, "permit_excess", year=2025, enterprise="E01", pollutant="COD") == 1.0
    assert float(ds["permit_excess"].sum()) == pytest.approx(1.0)
    assert at(ds, "park_cap", pollutant="COD") == 20.0
    assert np.isnan(at(ds, "park_cap", pollutant="SO2"))
    assert at(ds, "reduction_target", pollutant="COD") == 0.1


def test_energy_tce_and_co2(ds):
    y = {"year": 2025}
    assert at(ds, "energy_baseline", enterprise="E01", carrier="electricity") == 1000
    # 1000 MWh * 0.1229 = 122.9 tce; after P1: 800 MWh -> 98.32 tce
    assert at(ds, "energy_tce_baseline", enterprise="E01", carrier="electricity") == pytest.approx(
        122.9
    )
    assert at(ds, "energy", **y, enterprise="E01", carrier="electricity") == pytest.approx(800)
    assert at(ds, "energy_tce", **y, enterprise="E01", carrier="electricity") == pytest.approx(
        98.32
    )
    # E02 uses 50 MWh more: 550 MWh -> 67.595 tce
    assert at(ds, "energy_tce", **y, enterprise="E02", carrier="electricity") == pytest.approx(
        67.595
    )
    # totals: 1500*0.1229 + 100*0.7143 = 255.78 -> 1350*0.1229 + 71.43 = 237.345
    assert float(ds["energy_tce_baseline"].sum()) == pytest.approx(255.78)
    assert float(ds["energy_tce"].sum()) == pytest.approx(237.345)
    # CO2: 1500*0.5366 + 100*1.9003 = 994.93 -> 1350*0.5366 + 190.03 = 914.44
    assert float(ds["co2_baseline"].sum()) == pytest.approx(994.93)
    assert float(ds["co2"].sum()) == pytest.approx(914.44)


def test_every_variable_has_units_and_long_name(ds):
    for name, variable in ds.data_vars.items():
        assert isinstance(variable.attrs.get("units"), str), name
        assert variable.attrs.get("long_name"), name
    assert ds["emissions"].attrs["units"] == "t/yr"
    assert ds["pollution_eq"].attrs["units"] == "pollution equivalents/yr"
    assert ds["energy_tce"].attrs["units"] == "tce/yr"
    assert ds["co2"].attrs["units"] == "tCO2/yr"
    assert ds["capex_used"].attrs["units"] == "CNY"


def test_attributes(ds):
    attrs = ds.attrs
    assert attrs["scenario"] == "tiny"
    assert attrs["input_hash"] == "0f" * 32
    assert (attrs["solver"], attrs["solver_version"]) == ("highs", "1.16.0")
    assert (attrs["status"], attrs["termination"]) == ("optimal", "optimal")
    assert (attrs["objective"], attrs["bound"], attrs["gap"]) == (18043.0, 18041.5, 1e-4)
    assert attrs["gap_abs"] == 1.5 and attrs["gap_units"] == "pollution equivalents/yr"
    assert (attrs["time_load_s"], attrs["time_build_s"], attrs["time_solve_s"]) == (0.25, 0.5, 1.5)
    for package in ("pyomo", "highspy", "numpy", "xarray", "python"):
        assert attrs[f"version_{package}"], package
    assert attrs["budget_total"] == 5.0e6
    assert attrs["objective_kind"] == "weighted"
    assert json.loads(attrs["weights"]) == {"pollution": 1.0, "energy": 1.0}
    assert attrs["energy_basis"] == "equivalent"
    assert attrs["permit_mode"] == "soft"
    assert json.loads(attrs["scenario_input"]) == MERGED
    assert "duals" not in attrs  # a MIP's rows have no duals (docs/results.md)
    assert datetime.fromisoformat(attrs["created"]).tzinfo is not None
    # simple meta values converted for NetCDF: None -> "", bool -> int, dict -> JSON
    assert attrs["time_limit"] == "" and attrs["warm"] == 1
    assert json.loads(attrs["overrides"]) == {"budget.total": 5.0e6}


def test_scenario_input_reproduces_the_park(ds):
    again = make_park(json.loads(ds.attrs["scenario_input"]))
    assert again.project_ids == list(ds["project"].values)
    np.testing.assert_allclose(again.baseline_emissions, ds["emissions_baseline"].values)


def test_netcdf_attr_conversion():
    assert netcdf_attr(None) == ""
    assert netcdf_attr(True) == 1 and netcdf_attr(np.bool_(False)) == 0
    assert netcdf_attr(np.float32(0.5)) == 0.5 and netcdf_attr(np.int64(3)) == 3
    assert netcdf_attr([1, 2]) == [1, 2] and netcdf_attr((1.5, 2)) == [1.5, 2.0]
    assert json.loads(netcdf_attr(["a", 1])) == ["a", 1]
    assert json.loads(netcdf_attr({"b": 1, "a": None})) == {"a": None, "b": 1}
    assert netcdf_attr(Path("x/y")) == str(Path("x/y"))


def test_rejects_missing_or_misshapen_selection():
    park = make_park()
    state = evaluate(park, X)
    with pytest.raises(ValueError, match="no selection"):
        build_dataset(
            park,
            SolveResult(status="infeasible", termination="infeasible", solver="highs"),
            state,
            {},
        )
    with pytest.raises(ValueError, match="shape"):
        build_dataset(park, make_result(np.ones(3)), state, {})


def test_multi_year_horizon_keeps_the_year_dimension():
    merged = {**MERGED, "horizon": {"start": 2025, "end": 2027}}
    ds = make_dataset(merged=merged)
    assert list(ds["year"].values) == [2025, 2026, 2027]
    assert ds["selected"].shape == (3, 4)
    np.testing.assert_allclose(ds["capex_used"].values, [1.7e6, 0.0, 0.0])
    assert at(ds, "emissions", year=2027, enterprise="E01", pollutant="COD") == 6.0


# --------------------------------------------------------------------------- NetCDF


def test_netcdf_round_trip(ds, tmp_path):
    path = write_dataset(ds, tmp_path / "run" / "results.nc")
    assert path.exists()
    with xr.open_dataset(path) as back:
        back = back.load()
    xr.testing.assert_allclose(back, ds)
    for name in ds.variables:
        assert back[name].attrs == ds[name].attrs, name
        assert back[name].dims == ds[name].dims, name
    for key, value in ds.attrs.items():
        if isinstance(value, float) and np.isnan(value):
            assert np.isnan(back.attrs[key]), key
        else:
            assert back.attrs[key] == value, key
    assert back["divisible"].dtype == bool
    assert list(back["owner"].values) == ["E01", "E02", "E01", "park"]
    assert json.loads(back.attrs["scenario_input"]) == MERGED
    assert sorted(os.listdir(path.parent)) == ["results.nc"]


def test_netcdf_handles_object_strings_and_empty_selection(tmp_path):
    ds = make_dataset(np.zeros(4))
    ds = ds.assign_coords(category=("project", np.array(["a", "b", "c", "d"], dtype=object)))
    path = write_dataset(ds, tmp_path / "results.nc")
    with xr.open_dataset(path) as back:
        assert list(back["category"].values) == ["a", "b", "c", "d"]
        assert float(back["capex_used"].sum()) == 0.0


# --------------------------------------------------------------------------- atomic


def test_write_text_atomic_creates_and_replaces(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_text_atomic(target, "first\n")
    write_text_atomic(target, "second\n")
    assert target.read_text() == "second\n"
    write_bytes_atomic(target, b"\x00bytes")
    assert target.read_bytes() == b"\x00bytes"
    assert os.listdir(target.parent) == ["out.txt"]


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path, error):
    target = tmp_path / "out.txt"
    target.write_text("old content")

    def half_then_fail(temp: Path) -> None:
        temp.write_text("half of the new")
        raise error

    with pytest.raises(type(error)):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old content"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_failed_write_of_new_file_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "new.csv") as temp:
        temp.write_text("partial")
        raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_failed_netcdf_write_keeps_old_results(ds, tmp_path, monkeypatch):
    path = write_dataset(ds, tmp_path / "results.nc")
    before = path.read_bytes()

    def broken(self, target, *args, **kwargs):
        Path(target).write_bytes(b"\x89HDF\r\n\x1a\n truncated")
        raise OSError("killed in the middle of writing")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(OSError, match="middle"):
        write_dataset(ds.assign_attrs(status="changed"), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["results.nc"]


def test_killed_process_never_leaves_a_half_written_file(tmp_path):
    target = tmp_path / "selected_projects.csv"
    target.write_text("old,complete\n")
    child = (
        "import sys, time\n"
        "from model.results.atomic import atomic_path\n"
        "with atomic_path(sys.argv[1]) as temp:\n"
        "    with open(temp, 'w') as handle:\n"
        "        handle.write('new,half')\n"
        "        handle.flush()\n"
        "        print(temp, flush=True)\n"
        "        time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-c", child, str(target)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        temp = Path(process.stdout.readline().strip())
        assert temp.parent == tmp_path and temp.read_text() == "new,half"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
    assert target.read_text() == "old,complete\n"
    assert temp.name.startswith(".selected_projects.csv.") and temp.name.endswith(".tmp")


# --------------------------------------------------------------------------- CSV


def test_selected_projects_csv(ds, tmp_path):
    path = write_selected_csv(ds, tmp_path / "selected_projects.csv")
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    assert list(table.columns) == [
        "id",
        "name",
        "owner",
        "category",
        "level",
        "capex_CNY",
        "capex_spent_CNY",
        "pe_avoided_per_yr",
        "tce_saved_per_yr",
        "co2_avoided_t_per_yr",
        "CNY_per_pe",
    ]
    assert list(table["id"]) == ["P1", "P2", "P4"]  # P3 not chosen
    rows = table.set_index("id")
    assert rows.loc["P1", "name"] == "counter-current rinse"
    assert list(rows["owner"]) == ["E01", "E02", "park"]
    np.testing.assert_allclose(rows["level"], [1.0, 1.0, 0.5])
    np.testing.assert_allclose(rows["capex_spent_CNY"], [1.0e6, 5.0e5, 2.0e5])
    # P1: 4 t COD * 1000 - 1 t waste * 0 = 4000; P2: 2 t * 1250; P4: 0.5 * 2 t * 1000
    np.testing.assert_allclose(rows["pe_avoided_per_yr"], [4000.0, 2500.0, 1000.0])
    # P1: 200 MWh * 0.1229 = 24.58; P2: -50 MWh * 0.1229 = -6.145; P4: none
    np.testing.assert_allclose(rows["tce_saved_per_yr"], [24.58, -6.145, 0.0])
    np.testing.assert_allclose(rows["co2_avoided_t_per_yr"], [107.32, -26.83, 0.0])
    # CNY per equivalent: 1e6/4000, 5e5/2500, 2e5/1000
    np.testing.assert_allclose(rows["CNY_per_pe"], [250.0, 200.0, 200.0])
    assert os.listdir(tmp_path) == ["selected_projects.csv"]


def test_no_project_chosen_gives_empty_table_with_columns():
    table = selected_projects_table(make_dataset(np.zeros(4)))
    assert table.empty and "pe_avoided_per_yr" in table.columns


# --------------------------------------------------------------------------- summary


def test_summary_table_numbers(ds):
    rows = summary_table(ds).set_index("quantity")
    # water: COD 13 t + NH3N 1.6 t (2000 eq) = 15000 -> COD 8 t + 0 = 8000
    assert rows.loc["Water pollution", "baseline"] == pytest.approx(15000)
    assert rows.loc["Water pollution", "after"] == pytest.approx(8000)
    assert rows.loc["Water pollution", "change_pct"] == pytest.approx(-700 / 15)
    assert rows.loc["Air pollution", "after"] == pytest.approx(2 * SO2_EQ_PER_T)
    assert rows.loc["Solid waste", "unit"] == "t/yr"
    assert (rows.loc["Solid waste", "baseline"], rows.loc["Solid waste", "after"]) == (5, 6)
    assert rows.loc["Energy", "change"] == pytest.approx(237.345 - 255.78)
    assert rows.loc["CO2 from energy", "after"] == pytest.approx(914.44)


def test_summary_text(ds):
    text = summary_text(ds)
    assert text.startswith("Scenario ") and "solved to optimality" in text.splitlines()[0]
    assert "relative gap 0.01% = 1.5 pollution equivalents/yr" in text.splitlines()[-2]
    assert "0f" * 32 in text
    water = next(line for line in text.splitlines() if line.startswith("Water pollution"))
    assert water.split()[-4:] == ["15,000.00", "8,000.00", "-7,000.00", "-46.7%"]
    energy = next(line for line in text.splitlines() if line.startswith("Energy"))
    assert energy.split()[-4:] == ["255.78", "237.34", "-18.43", "-7.2%"]
    solid = next(line for line in text.splitlines() if line.startswith("Solid waste"))
    assert solid.split()[-4:] == ["5.00", "6.00", "1.00", "+20.0%"]
    assert "Capex used: 1.7 M CNY of a 5.0 M CNY budget (34.0%)" in text
    assert "Projects chosen: 3 of 4" in text
    excess = next(line for line in text.splitlines() if line.startswith("E01 "))
    assert excess.split() == ["E01", "COD", "6.00", "5.00", "1.00"]
    # the top-projects table lists P1 (4000 eq), P2 (2500), P4 (1000) in that order
    top = text.split("Largest chosen projects")[1].split("\n\n")[0].splitlines()[3:]
    assert [line.split()[0] for line in top] == ["P1", "P2", "P4"]
    assert top[0].split()[4] == "4,000.00"


def test_summary_tables_are_aligned(ds):
    blocks = [b for b in summary_text(ds).split("\n\n") if "---" in b]
    assert len(blocks) >= 4
    for block in blocks:
        lines = [
            line
            for line in block.splitlines()
            if not line.startswith(("Permit", "Larg", "Solver", "input", "Plan"))
        ]
        # right-aligned last column: every line of a table has the same length
        assert len({len(line) for line in lines}) == 1, block


def test_declared_pollutant_of_other_medium_with_equivalent_value():
    merged = json.loads(json.dumps(MERGED))
    merged["pollutants"] = {"odour_units": {"medium": "other", "pe_kg": 0.5}}
    merged["enterprises"][1]["baseline"]["emissions"]["odour_units"] = 3.0
    merged["projects"][1]["reduces"]["odour_units"] = 1.0
    ds = make_dataset(merged=merged)
    rows = summary_table(ds).set_index("quantity")
    # 3 t * 1000 / 0.5 kg = 6000 eq -> 2 t = 4000 eq; tonnes also listed as "other"
    assert (rows.loc["Other pollution", "baseline"], rows.loc["Other pollution", "after"]) == (
        6000,
        4000,
    )
    assert rows.loc["Other tracked pollutants", "after"] == 2.0
    removed = {t.name: t for t in figures(ds)["reductions_by_enterprise"].data}
    np.testing.assert_allclose(removed["other"].y, [0, 2000, 0])


def test_summary_without_permit_excess_or_projects():
    merged = json.loads(json.dumps(MERGED))
    del merged["enterprises"][0]["permit"]
    text = summary_text(make_dataset(np.zeros(4), merged))
    assert "Projects chosen: 0 of 4" in text
    assert "Permit excess" not in text and "Largest chosen" not in text


# --------------------------------------------------------------------------- figures


def test_figures_have_data_and_units(ds):
    figs = figures(ds)
    assert set(figs) >= {
        "reductions_by_enterprise",
        "baseline_vs_after",
        "portfolio",
        "energy_by_carrier",
    }
    for name, fig in figs.items():
        assert isinstance(fig, go.Figure)
        assert len(fig.data) > 0, name
        assert re.search(r"\((pollution equivalents|tce)", fig.layout.title.text), name
        assert fig.layout.yaxis.title.text, name


def test_figure_values(ds):
    figs = figures(ds)
    by_medium = {t.name: t for t in figs["reductions_by_enterprise"].data}
    assert list(by_medium["water"].x) == ["E01", "E02", "park"]
    # removed water equivalents: E01 4000 (COD), E02 2000 (NH3N, saturated), park 1000
    np.testing.assert_allclose(by_medium["water"].y, [4000, 2000, 1000])
    np.testing.assert_allclose(by_medium["air"].y, [0, 0, 0])
    bars = {t.name: t for t in figs["baseline_vs_after"].data}
    labels = list(bars["baseline"].x)
    assert "hazardous_waste (solid)" not in labels
    cod = labels.index("COD (water)")
    assert (bars["baseline"].y[cod], bars["after"].y[cod]) == (13000, 8000)
    energy = {t.name: t for t in figs["energy_by_carrier"].data}
    assert list(energy["after"].x) == ["electricity (MWh)", "coal (t)"]
    np.testing.assert_allclose(energy["baseline"].y, [184.35, 71.43])
    np.testing.assert_allclose(energy["after"].y, [165.915, 71.43])
    portfolio = {t.name: t for t in figs["portfolio"].data}
    assert set(portfolio) == {"E01", "E02", "park"}
    assert list(portfolio["E01"].x) == ["P1"] and list(portfolio["E01"].y) == [4000]
    assert list(portfolio["park"].y) == [1000]


def test_figures_from_netcdf_without_pyomo(ds, tmp_path):
    path = write_dataset(ds, tmp_path / "results.nc")
    code = (
        "import sys, xarray as xr\n"
        "from model.report.figures.run_figures import figures\n"
        f"figs = figures(xr.open_dataset({str(path)!r}))\n"
        "assert all(len(f.data) for f in figs.values())\n"
        "print('pyomo' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "False"


def test_figures_with_nothing_chosen():
    figs = figures(make_dataset(np.zeros(4)))
    assert len(figs["portfolio"].data) == 0
    assert figs["portfolio"].layout.annotations[0].text == "no projects chosen"


# --------------------------------------------------------------------------- report


def test_report_is_self_contained(ds, tmp_path):
    path = write_report(ds, tmp_path / "summary.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # plotly.js embedded exactly once, and no script is loaded from anywhere
    assert page.count("plotly.js v") == 1
    assert re.search(r"<script[^>]*\bsrc\s*=", page) is None
    assert not re.search(r"src=[\"']https?://cdn\.plot\.ly", page)
    assert page.count("Plotly.newPlot(") == 4
    for text in (
        "tiny",
        "solved to optimality",
        "0f" * 32,
        ds.attrs["created"],
        "counter-current rinse",
        "15,000.00",
        "1.7 M CNY",
    ):
        assert text in page, text
    for fig_id in ("fig-reductions_by_enterprise", "fig-portfolio", "fig-energy_by_carrier"):
        assert f'id="{fig_id}"' in page
    assert sorted(os.listdir(tmp_path)) == [
        "summary.html",
        "summary_limits.csv",
        "summary_pollutants.csv",
    ]


def test_report_escapes_names_and_handles_empty_portfolio():
    merged = json.loads(json.dumps(MERGED))
    merged["projects"][0]["name"] = "<b>rinse & reuse</b>"
    page = render_report(make_dataset(merged=merged))
    assert "&lt;b&gt;rinse &amp; reuse&lt;/b&gt;" in page
    empty = render_report(make_dataset(np.zeros(4)))
    assert "No project chosen." in empty and "no projects chosen" in empty
