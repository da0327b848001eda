"""Candidate projects generated from the technology directory (docs/directory.md).

The scaling rules are checked on a small hand-written directory whose every number was
worked out by hand below (the arithmetic is written out in the expected values, not taken
from the code); then the shipped directory on the demo inventory: the worked example of
docs/directory.md, applicability (no option lands on an enterprise lacking what it acts
on), `projects: {directory: ...}` at load time with a hand-written row winning, and the
`candidates` command and its table read back as a projects table.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from model.input.candidates import DirectoryRequest, generate_candidates
from model.input.directory import load_directory
from model.input.directory_projects import candidates_for
from model.input.loading import load_scenario
from model.input.schema import Enterprise
from model.input.technology_option import known_pollutants

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo_inventory_park.yaml"
approx = functools.partial(pytest.approx, rel=1e-5)
"""Generated figures are written with 6 significant figures."""

SOURCES = {
    group: f"ASSUMPTION (test): {group}"
    for group in ("effect", "cost", "opex", "lifetime", "cross_media")
}

SMALL_DIRECTORY = [
    {
        "id": "park.hub",
        "sector": "park",
        "role": "facility",
        "name": "Hub",
        "category": "central_wastewater_treatment",
        "option_class": "high",
        "capacity": {"unit": "t/yr", "design_share": 1.2},
        "cost": {
            "basis": "capacity",
            "reference_size": 1000,
            "reference_capex": {"low": 800, "central": 1000, "high": 1500},
            "exponent": 0.5,
        },
        "uses": {"electricity": {"per": "capacity", "value": 0.002}},
        "lifetime": 20,
        "lead_time": 1,
        "sources": {**SOURCES, "capacity": "ASSUMPTION (test)"},
    },
    {
        "id": "electroplating.rinse",
        "sector": "electroplating",
        "name": "Rinse",
        "category": "water_saving",
        "option_class": "medium",
        "applies_when": {"min_basis": 100},
        "removes": {"group:water": {"low": 0.5, "central": 0.6, "high": 0.7}, "Cr6": 0.9},
        "adds": {"hazardous_waste": {"per": "removed.Cr6", "value": 2.0}},
        "cost": {
            "basis": "emissions.wastewater",
            "reference_size": 1000,
            "reference_capex": 4000,
            "exponent": {"low": 0.5, "central": 0.6, "high": 0.8},
            "fixed": 1000,
        },
        "opex_change": {"per_basis": -0.5, "capex_fraction": 0.02},
        "lifetime": 10,
        "lead_time": 0,
        "sources": SOURCES,
    },
    {
        "id": "electroplating.connect_hub",
        "sector": "electroplating",
        "role": "connection",
        "name": "Connect to the hub",
        "category": "facility_connection",
        "option_class": "medium",
        "requires": ["park.hub"],
        "serves": {"per": "emissions.wastewater", "value": 1.0},
        "removes": {"COD": 0.95},
        "cost": {
            "basis": "emissions.wastewater",
            "reference_size": 1000,
            "reference_capex": 2000,
            "exponent": 1.0,
        },
        "lifetime": 15,
        "lead_time": 1,
        "sources": {**SOURCES, "capacity": "ASSUMPTION (test)"},
    },
    {
        "id": "electroplating.vocs_rto",
        "sector": "electroplating",
        "name": "RTO",
        "category": "end_of_pipe",
        "option_class": "high",
        "applies_when": {"emissions": ["VOCs"]},
        "removes": {"group:voc": 0.9},
        "uses": {"natural_gas": {"per": "emissions.VOCs", "value": 0.5}},
        "exclusive_group": "voc_eop",
        "cost": {
            "basis": "emissions.VOCs",
            "reference_size": 10,
            "reference_capex": 100000,
            "exponent": 1.0,
        },
        "lifetime": 10,
        "lead_time": 1,
        "sources": SOURCES,
    },
    {
        "id": "electroplating.vocs_cat",
        "sector": "electroplating",
        "name": "Catalytic oxidiser",
        "category": "end_of_pipe",
        "option_class": "high",
        "applies_when": {"emissions": ["VOCs"]},
        "removes": {"group:voc": 0.8},
        "exclusive_group": "voc_eop",
        "requires": ["electroplating.rinse"],
        "cost": {
            "basis": "emissions.VOCs",
            "reference_size": 10,
            "reference_capex": 50000,
            "exponent": 1.0,
        },
        "lifetime": 10,
        "lead_time": 1,
        "sources": SOURCES,
    },
    {
        "id": "cross_sector.boiler_gas",
        "sector": "cross_sector",
        "name": "Coal boiler to gas",
        "category": "fuel_switch",
        "option_class": "medium",
        "applies_when": {"sectors": ["electroplating", "paper"], "energy": ["coal"]},
        "saves": {"coal": 1.0},
        "uses": {"natural_gas": {"per": "saved.coal", "value": 0.05}},
        "cost": {
            "basis": "energy.coal",
            "reference_size": 100,
            "reference_capex": 30000,
            "exponent": 0.6,
        },
        "lifetime": 15,
        "lead_time": 1,
        "sources": SOURCES,
    },
]

ENTERPRISES = [
    Enterprise(
        id="A",
        sector="electroplating",
        baseline={
            "emissions": {"wastewater": 4000, "COD": 2.0, "Cr6": 0.01},
            "energy": {"coal": 100},
        },
    ),
    Enterprise(
        id="B",
        sector="electroplating",
        baseline={"emissions": {"wastewater": 50, "COD": 0.1, "VOCs": 3.0, "toluene_air": 1.0}},
    ),
    Enterprise(id="C", sector="paper", baseline={"energy": {"coal": 500}}),
]
MEDIA = known_pollutants()
UNITS = {"coal": "t", "natural_gas": "10^4 m3", "electricity": "MWh"}
TCE = {"coal": 0.7143, "natural_gas": 12.143, "electricity": 0.1229}


@pytest.fixture(scope="module")
def small_directory(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("directory") / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL_DIRECTORY, sort_keys=False), encoding="utf-8")
    return path


def generate(small_directory: Path, **request):
    directory = load_directory(small_directory)
    return generate_candidates(
        ENTERPRISES, directory, DirectoryRequest(**request), MEDIA, UNITS, TCE
    )


def by_id(candidates) -> dict[str, dict]:
    return {row["id"]: row for row in candidates.projects}


# --------------------------------------------------------------- scaling rules by hand


def test_which_options_land_where(small_directory):
    rows = by_id(generate(small_directory))
    assert list(rows) == [
        "A-rinse",  # wastewater 4,000 >= min_basis 100
        "A-connect_hub",
        "A-boiler_gas",  # electroplating listed, coal present
        "B-connect_hub",  # rinse: 50 < 100; so no vocs_cat (its prerequisite)
        "B-vocs_rto",  # VOCs present
        "C-boiler_gas",  # paper listed, coal present
        "PARK-hub",  # after every enterprise
    ]


def test_effects_cost_and_ranges_of_one_option(small_directory):
    candidates = generate(small_directory)
    rinse = by_id(candidates)["A-rinse"]
    capex = 1000 + 4000 * (4000 / 1000) ** 0.6  # 10,189.6
    assert rinse["capex"] == approx(capex)
    assert rinse["opex_change"] == approx(-0.5 * 4000 + 0.02 * capex)
    # group:water 0.6 on wastewater and COD; Cr6 its own 0.9; sludge 2 t per t Cr6 removed
    assert rinse["reduces"] == approx(
        {"wastewater": 2400.0, "COD": 1.2, "Cr6": 0.009, "hazardous_waste": -0.018}
    )
    assert rinse["saves"] == {} and rinse["requires"] == []
    ranges = candidates.ranges["A-rinse"]
    assert ranges["capex"].low == approx(1000 + 4000 * 4**0.5)  # 9,000
    assert ranges["capex"].high == approx(1000 + 4000 * 4**0.8)  # 13,125.7
    assert (ranges["reduces.COD"].low, ranges["reduces.COD"].high) == approx((1.0, 1.4))
    assert ranges["opex_change"].low == approx(-2000 + 0.02 * 9000)
    assert "rule" in rinse and "basis emissions.wastewater = 4000 t/yr" in rinse["rule"]
    assert rinse["source"].startswith("directory electroplating.rinse: effect: ASSUMPTION")


def test_uses_per_saved_and_exclusive_group_identity(small_directory):
    rows = by_id(generate(small_directory))
    boiler = rows["C-boiler_gas"]
    assert boiler["saves"] == approx({"coal": 500.0, "natural_gas": -0.05 * 500})
    assert boiler["capex"] == approx(30000 * 5**0.6)
    rto = rows["B-vocs_rto"]
    # group:voc covers the VOCs total and toluene; the gas is per t of VOCs emitted
    assert rto["reduces"] == approx({"VOCs": 2.7, "toluene_air": 0.9})
    assert rto["saves"] == approx({"natural_gas": -1.5})
    assert rto["exclusive_group"] == "B-voc_eop"


def test_facility_is_sized_to_its_connections(small_directory):
    candidates = generate(small_directory)
    rows = by_id(candidates)
    assert rows["A-connect_hub"]["serves"] == {"PARK-hub": 4000.0}
    assert rows["A-connect_hub"]["requires"] == ["PARK-hub"]
    assert rows["A-connect_hub"]["capex"] == approx(8000.0)
    hub = rows["PARK-hub"]
    assert hub["owner"] == "park"
    assert hub["capacity"] == approx(1.2 * 4050)  # 4,860
    assert hub["capex"] == approx(1000 * 4.86**0.5)  # 2,204.5
    assert hub["saves"] == approx({"electricity": -0.002 * 4860})
    spread = candidates.ranges["PARK-hub"]["capex"]
    assert (spread.low, spread.high) == approx((800 * 4.86**0.5, 1500 * 4.86**0.5))


def test_range_end_and_request_filters(small_directory):
    low = by_id(generate(small_directory, range="low"))
    assert low["A-rinse"]["capex"] == approx(9000.0)
    assert low["A-rinse"]["reduces"]["COD"] == approx(1.0)
    high = by_id(generate(small_directory, range="high"))
    assert high["PARK-hub"]["capex"] == approx(1500 * 4.86**0.5)
    no_hub = by_id(generate(small_directory, exclude=["park.hub"]))
    assert not [i for i in no_hub if "hub" in i]  # the connections need the facility
    only_c = by_id(generate(small_directory, sectors=["paper"]))
    assert list(only_c) == ["C-boiler_gas"]
    big = by_id(generate(small_directory, min_energy_tce=300 * 0.7143))
    assert list(big) == ["C-boiler_gas"]  # C: 357 tce; A: 71 tce; B: none
    assert list(by_id(generate(small_directory, options=["cross_sector.boiler_gas"]))) == [
        "A-boiler_gas",
        "C-boiler_gas",
    ]


# --------------------------------------------------------------- the shipped directory


@pytest.fixture(scope="module")
def demo():
    return load_scenario(DEMO)


def test_worked_example_of_the_docs_through_the_generator(demo):
    """docs/directory.md, "Worked example (computed by hand)", enterprise EP02."""
    rows = {row["id"]: row for row in demo.candidates.projects}
    ep02 = [i for i, row in rows.items() if row["owner"] == "EP02"]
    assert len(ep02) == 14
    rinse = rows["EP02-countercurrent_rinsing"]
    assert rinse["capex"] == approx(649_950)
    assert rinse["reduces"]["COD"] == approx(2.6928)
    assert rinse["opex_change"] == approx(-178_200)
    heating = rows["EP02-connect_central_heating"]
    assert heating["capex"] == approx(330_440)
    assert heating["saves"] == approx({"coal": 1200, "heat": -16_308})
    assert heating["exclusive_group"] == "EP02-coal_boiler"
    assert heating["requires"] == ["PARK-central_heating"]


def test_no_option_lands_on_an_enterprise_lacking_what_it_acts_on(demo):
    options = {option.id: option for option in load_directory()}
    enterprises = {e.id: e for e in demo.scenario.enterprises}
    assert demo.candidates.projects
    for row in demo.candidates.projects:
        option = options[demo.candidates.option_of[row["id"]]]
        if option.role == "facility":
            continue
        owner = enterprises[row["owner"]]
        emissions, energy = owner.baseline.emissions, owner.baseline.energy
        assert owner.sector in (option.applies_when.sectors or [option.sector]), row["id"]
        assert all(emissions.get(p, 0) > 0 for p in option.applies_when.emissions), row["id"]
        assert all(energy.get(c, 0) > 0 for c in option.applies_when.energy), row["id"]
        for pollutant, value in row["reduces"].items():
            assert value < 0 or emissions.get(pollutant, 0) > 0, (row["id"], pollutant)
        for carrier, value in row["saves"].items():
            assert value < 0 or energy.get(carrier, 0) > 0, (row["id"], carrier)
        assert any(v > 0 for v in [*row["reduces"].values(), *row["saves"].values()])


def test_load_time_generation_hand_row_wins_and_set_changes_the_range(tmp_path, small_directory):
    scenario = {
        "name": "gen",
        "horizon": {"start": 2021, "end": 2021},
        "pollutants": {"VOCs": {"medium": "air"}, "wastewater": {"medium": "water"}},
        "enterprises": [e.model_dump(exclude_none=True) for e in ENTERPRISES],
        "projects": {
            "directory": {"file": str(small_directory)},
            "rows": [{"id": "A-rinse", "owner": "A", "capex": 1.0, "reduces": {"COD": 0.1}}],
        },
    }
    path = tmp_path / "gen.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    loaded = load_scenario(path)
    projects = {p.id: p for p in loaded.scenario.projects}
    assert projects["A-rinse"].capex == 1.0  # the hand-written row
    assert list(projects)[0] == "A-rinse" and len(projects) == 7
    assert projects["PARK-hub"].capacity == approx(4860)
    low = load_scenario(path, overrides=["projects.directory.range=low"])
    assert {p.id: p for p in low.scenario.projects}["B-vocs_rto"].capex == approx(30000)
    with pytest.raises(Exception) as error:
        load_scenario(path, overrides=["projects.directory.range=middle"])
    assert "projects.directory.range" in str(error.value)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "model.run", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_candidates_command_writes_a_table_that_loads_back(tmp_path, demo):
    done = run_cli("candidates", str(DEMO), "--out", str(tmp_path / "cands.csv"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{len(demo.candidates.projects)} candidate projects" in done.stdout
    for name in ("cands.csv", "cands.xlsx", "cands_ranges.csv"):
        assert (tmp_path / name).is_file()
    for table in ({"csv": "cands.csv"}, {"xlsx": "cands.xlsx", "sheet": "projects"}):
        scenario = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
        scenario.pop("scenarios")
        scenario["enterprises"] = {"csv": str(ROOT / "scenarios" / "demo_park_enterprises.csv")}
        scenario["projects"] = table
        path = tmp_path / "back.yaml"
        path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
        back = load_scenario(path)
        assert [p.model_dump() for p in back.scenario.projects] == [
            p.model_dump() for p in demo.scenario.projects
        ]


def test_candidates_command_bad_input_is_one_line_and_exit_2(tmp_path):
    bad = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    bad["enterprises"] = {"csv": str(ROOT / "scenarios" / "demo_park_enterprises.csv")}
    bad["projects"]["directory"]["rnage"] = "low"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    done = run_cli("candidates", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {path}: projects.directory.rnage: unknown key 'rnage'; did you mean 'range'?"
    ]
    assert list(tmp_path.iterdir()) == [path]
    done = run_cli("candidates", str(DEMO), "--out", str(tmp_path / "no" / "c.csv"), cwd=tmp_path)
    assert done.returncode == 2 and "folder not found" in done.stderr


def test_candidates_for_defaults_to_every_option(demo):
    """Without `projects: {directory: ...}` the command uses every option at central."""
    again = candidates_for(demo.scenario, demo.registry, DirectoryRequest(), ROOT)
    assert [row["id"] for row in again.projects] == [row["id"] for row in demo.candidates.projects]


# --------------------------------------------------------------- the generated demo solves

CUT_DOWN_OPTIONS = [
    "electroplating.connect_wastewater_centre",
    "electroplating.countercurrent_rinsing",
    "electroplating.trivalent_chromium_passivation",
    "electroplating.dragout_reduction_housekeeping",
    "electroplating.nickel_recovery",
    "cross_sector.connect_central_heating",
    "cross_sector.coal_boiler_to_gas",
]
"""Enough options for two plating firms to give 13 projects with both facilities, an
exclusive group (EP02's coal boiler) and a prerequisite (nickel recovery needs rinsing)."""


def cut_down_demo(tmp_path: Path, demo, budget: float) -> Path:
    """Two plating firms of the demo inventory, the options above (the facilities come
    with their connections), a 50 % COD cut and a budget."""
    scenario = {
        "name": "cut-down",
        "horizon": {"start": 2021, "end": 2021},
        "pollutants": {"VOCs": {"medium": "air"}, "wastewater": {"medium": "water"}},
        "enterprises": [
            e.model_dump(exclude_none=True)
            for e in demo.scenario.enterprises
            if e.id in ("EP01", "EP02")
        ],
        "projects": {"directory": {"options": CUT_DOWN_OPTIONS}},
        "budget": {"total": budget},
        "targets": {"reduction": {"COD": 0.5}},
        "objective": {"minimize": "weighted", "weights": {"pollution": 1.0, "energy": 10.0}},
        "solver": {"mip_gap": 0.0},
    }
    path = tmp_path / "cut.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return path


@pytest.mark.parametrize("budget", [1.0e6, 3.0e6, 1.0e7, 3.0e7])
def test_cut_down_generated_demo_matches_the_brute_force(tmp_path, demo, budget):
    sys.path.insert(0, str(ROOT / "tests"))
    from bruteforce import enumerate_optimum, is_feasible, objective_after

    from model.compile.compile import compile_park
    from model.input.run_options import SolverOptions
    from model.optimise.formulation import build_model
    from model.optimise.solve import make_solver

    loaded = load_scenario(cut_down_demo(tmp_path, demo, budget))
    ids = [p.id for p in loaded.scenario.projects]
    assert len(ids) == 13 and {"PARK-central_heating", "EP02-nickel_recovery"} <= set(ids)
    park = compile_park(loaded.scenario, loaded.registry)
    answer = enumerate_optimum(park)
    result = make_solver(build_model(park), SolverOptions(mip_gap=0.0)).solve()
    if not answer.feasible:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert is_feasible(park, result.x)
    assert objective_after(park, result.x) == pytest.approx(answer.best_value, rel=1e-7)


def test_the_inventory_demo_solves_feasible(demo):
    from model.pipeline import run_scenario

    outcome = run_scenario(demo)
    assert not outcome.problems and not outcome.violations
    assert outcome.result.has_solution and outcome.result.status == "optimal"
    from model.appraise.evaluate import is_chosen

    assert is_chosen(outcome.result.x).sum() > 0
