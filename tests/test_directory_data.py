"""The technology directory (model/reference/technologies.yaml) and its validator.

Two kinds of test: the shipped data (every entry validates, cites a source per figure
group, covers the 13 key industries and the park facilities, names only known pollutants
and carriers, matches the worked example of docs/directory.md), and the validator on small
hand-written directories (each rule rejects what it should, with the one-line message).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from model.errors import DirectoryError
from model.input.directory import DIRECTORY_PATH, load_directory
from model.input.technology_option import CROSS_SECTOR, PARK_SECTOR, TechnologyOption

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "model" / "reference"

THIRTEEN_SECTORS = (
    "energy",
    "metallurgy",
    "coking",
    "building_materials",
    "non_ferrous",
    "chemicals",
    "printing_dyeing",
    "paper",
    "pharmaceutical_raw_materials",
    "electroplating",
    "agri_food_processing",
    "industrial_coating",
    "packaging_printing",
)
"""The 13 key industries of the 2020 notice, as ids of model/input/schema.py KEY_INDUSTRIES."""

URL = re.compile(r"https?://\S+")
STANDARD_ID = re.compile(r"\b(GB(/T)?|HJ(/T)?) ?\d+(\.\d+)?-\d{4}\b|环办\S*〔\d{4}〕\d+号")
ASSUMPTION = "ASSUMPTION"


@pytest.fixture(scope="module")
def options() -> list[TechnologyOption]:
    return load_directory()


@pytest.fixture(scope="module")
def by_id(options) -> dict[str, TechnologyOption]:
    return {option.id: option for option in options}


def _csv_ids(name: str) -> set[str]:
    with open(REFERENCE / name, newline="", encoding="utf-8") as handle:
        return {row["id"] for row in csv.DictReader(handle)}


# --------------------------------------------------------------------------- shipped data


def test_every_entry_validates(options):
    assert len(options) >= 13 * 4 + 8
    assert len({option.id for option in options}) == len(options)


def test_every_figure_group_cites_a_source_or_says_assumption(options):
    for option in options:
        groups = option.sources.model_dump()
        for group, text in groups.items():
            if text is None:
                continue
            assert URL.search(text) or STANDARD_ID.search(text) or ASSUMPTION in text, (
                f"{option.id}: sources.{group} cites no URL, standard id or ASSUMPTION note"
            )


def test_the_13_key_industries_have_at_least_4_options_each(options):
    counts = {sector: 0 for sector in THIRTEEN_SECTORS}
    for option in options:
        if option.sector in counts:
            counts[option.sector] += 1
    assert {s: n for s, n in counts.items() if n < 4} == {}


def test_the_park_facilities_and_their_connections_exist(options, by_id):
    facilities = [option for option in options if option.role == "facility"]
    assert {option.category for option in facilities} == {
        "central_heating",
        "central_wastewater_treatment",
        "carbon_regeneration_centre",
        "coating_centre",
    }
    assert "park.electroplating_wastewater_centre" in by_id
    assert all(option.sector == PARK_SECTOR for option in facilities)
    for facility in facilities:
        connections = [
            option
            for option in options
            if option.role == "connection" and facility.id in option.requires
        ]
        assert connections, f"{facility.id} has no connection option"
        assert all(option.category == "facility_connection" for option in connections)
    # the electroplating centre is reachable from electroplating enterprises
    plating = by_id["electroplating.connect_wastewater_centre"]
    assert "park.electroplating_wastewater_centre" in plating.requires


def test_every_pollutant_and_carrier_id_is_in_the_reference_tables():
    """Walks the raw YAML (not the validator) against the CSV registries."""
    pollutants = _csv_ids("pollutants.csv") | {"VOCs", "wastewater"}
    carriers = _csv_ids("carriers.csv")
    groups = {"group:voc", "group:water", "group:heavy_metals_water"}
    raw = yaml.safe_load(DIRECTORY_PATH.read_text(encoding="utf-8"))

    def basis_ok(expr: str) -> bool:
        kind, _, name = expr.partition(".")
        if expr in ("output_value", "capacity"):
            return True
        if kind in ("emissions", "removed"):
            return name in pollutants
        return kind in ("energy", "saved") and name in carriers

    for entry in raw:
        ident = entry["id"]
        assert set(entry.get("removes", {})) <= pollutants | groups, ident
        assert set(entry.get("adds", {})) <= pollutants, ident
        assert set(entry.get("saves", {})) | set(entry.get("uses", {})) <= carriers, ident
        when = entry.get("applies_when", {})
        assert set(when.get("emissions", [])) <= pollutants, ident
        assert set(when.get("energy", [])) <= carriers, ident
        assert basis_ok(entry["cost"]["basis"]), ident
        amounts = [*entry.get("adds", {}).values(), *entry.get("uses", {}).values()]
        amounts += [entry["serves"]] if "serves" in entry else []
        for amount in amounts:
            assert basis_ok(amount["per"]), f"{ident}: {amount['per']}"


def test_cross_sector_options_list_their_sectors_and_sector_options_stay_in_theirs(options):
    for option in options:
        listed = option.applies_when.sectors
        if option.sector == CROSS_SECTOR:
            assert listed, option.id
        elif option.sector != PARK_SECTOR and listed is not None:
            assert option.sector in listed, option.id


def test_every_option_costs_something_at_its_reference_size(options):
    for option in options:
        cost = option.cost
        capex = cost.fixed.central + cost.reference_capex.central  # basis = reference size
        assert capex > 0, option.id


def test_no_internal_design_notes_are_cited_in_the_new_files():
    forbidden = ("DOM" + "AIN", "DES" + "IGN")
    files = [
        DIRECTORY_PATH,
        ROOT / "model" / "input" / "directory.py",
        ROOT / "model" / "input" / "technology_option.py",
        ROOT / "model" / "input" / "ranges.py",
        ROOT / "docs" / "directory.md",
        Path(__file__),
    ]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for word in forbidden:
            assert word not in text, f"{path.name} mentions {word}"


def test_the_yaml_ships_with_the_package():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"reference/*.yaml"' in text
    assert DIRECTORY_PATH.parent == REFERENCE


def test_worked_example_of_the_docs(by_id):
    """docs/directory.md, "Worked example": enterprise EP02 of the demo park (wastewater
    66,000 t/yr, coal 1,200 t/yr). Expected values computed by hand in the doc."""
    rinse = by_id["electroplating.countercurrent_rinsing"]
    basis = 66000.0
    capex = (
        rinse.cost.fixed.central
        + rinse.cost.reference_capex.central
        * (basis / rinse.cost.reference_size) ** rinse.cost.exponent.central
    )
    assert capex == pytest.approx(649_950)
    assert rinse.removes["group:water"].central * 3.96 == pytest.approx(2.6928)  # COD t/yr
    assert rinse.opex_change.per_basis.central * basis == pytest.approx(-178_200)

    connect = by_id["cross_sector.connect_central_heating"]
    coal = 1200.0
    capex = (
        connect.cost.fixed.central
        + connect.cost.reference_capex.central
        * (coal / connect.cost.reference_size) ** connect.cost.exponent.central
    )
    assert capex == pytest.approx(330_440)
    heat = connect.uses["heat"].value.central * coal
    assert heat == pytest.approx(16_308)
    assert connect.serves is not None and connect.serves.value.central * coal == heat
    opex = connect.opex_change.fixed.central + connect.opex_change.per_basis.central * coal
    assert opex == pytest.approx(-130_000)

    plant = by_id["park.central_heating"]
    capex = plant.cost.reference_capex.central * (heat / plant.cost.reference_size) ** (
        plant.cost.exponent.central
    )
    assert capex == pytest.approx(6_634_000, rel=1e-4)
    assert plant.uses["coal"].value.central * heat == pytest.approx(133.24, abs=0.01)
    assert plant.adds["SO2"].value.central * heat == pytest.approx(0.3033, abs=1e-4)


# --------------------------------------------------------------------------- the validator


def _facility() -> dict:
    return {
        "id": "park.plant",
        "sector": "park",
        "role": "facility",
        "name": "Plant",
        "category": "central_wastewater_treatment",
        "option_class": "high",
        "capacity": {"unit": "t/yr", "design_share": 1.0},
        "cost": {
            "basis": "capacity",
            "reference_size": 100,
            "reference_capex": 1e6,
            "exponent": 0.6,
        },
        "lifetime": 20,
        "lead_time": 1,
        "sources": {
            "effect": "ASSUMPTION: x",
            "cost": "ASSUMPTION: x",
            "opex": "ASSUMPTION: x",
            "lifetime": "ASSUMPTION: x",
            "capacity": "ASSUMPTION: x",
        },
    }


def _connection() -> dict:
    return {
        "id": "electroplating.connect",
        "sector": "electroplating",
        "role": "connection",
        "name": "Connect",
        "category": "facility_connection",
        "option_class": "medium",
        "applies_when": {"emissions": ["COD"]},
        "removes": {"COD": 0.9},
        "serves": {"per": "emissions.COD", "value": 10},
        "cost": {
            "basis": "emissions.COD",
            "reference_size": 1,
            "reference_capex": 1000,
            "exponent": 1.0,
        },
        "lifetime": 10,
        "lead_time": 0,
        "requires": ["park.plant"],
        "sources": {
            "effect": "ASSUMPTION: x",
            "cost": "ASSUMPTION: x",
            "opex": "ASSUMPTION: x",
            "lifetime": "ASSUMPTION: x",
            "capacity": "ASSUMPTION: x",
        },
    }


def _option() -> dict:
    return {
        "id": "electroplating.rinse",
        "sector": "electroplating",
        "name": "Rinse",
        "category": "water_saving",
        "option_class": "medium",
        "removes": {"group:water": {"low": 0.5, "central": 0.68, "high": 0.76}},
        "cost": {
            "basis": "emissions.wastewater",
            "reference_size": 40000,
            "reference_capex": 303000,
            "exponent": 1.0,
            "fixed": 150000,
        },
        "lifetime": 10,
        "lead_time": 0,
        "sources": {
            "effect": "https://example.org/a",
            "cost": "ASSUMPTION: x",
            "opex": "ASSUMPTION: x",
            "lifetime": "ASSUMPTION: x",
        },
    }


def _load(tmp_path: Path, entries: list[dict]) -> list[TechnologyOption]:
    path = tmp_path / "technologies.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return load_directory(path)


def _error(tmp_path: Path, entries: list[dict]) -> str:
    with pytest.raises(DirectoryError) as caught:
        _load(tmp_path, entries)
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_a_small_valid_directory_loads(tmp_path):
    loaded = _load(tmp_path, [_facility(), _connection(), _option()])
    assert [option.id for option in loaded] == [
        "park.plant",
        "electroplating.connect",
        "electroplating.rinse",
    ]
    rinse = loaded[2].removes["group:water"]
    assert (rinse.low, rinse.central, rinse.high) == (0.5, 0.68, 0.76)
    assert loaded[1].removes["COD"].is_range is False


def test_an_exponent_of_zero_is_rejected_with_its_path(tmp_path):
    bad = _option()
    bad["cost"]["exponent"] = 0
    assert _error(tmp_path, [_facility(), _connection(), bad]) == (
        "technologies.yaml: [2] (id electroplating.rinse).cost.exponent: must be > 0 (got 0)"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda e: e["removes"].update({"COD": 1.5}), "removes.COD: must be <= 1 (got 1.5)"),
        (lambda e: e["removes"].update({"COD": -0.1}), "removes.COD: must be >= 0 (got -0.1)"),
        (
            lambda e: e["removes"].update({"COD": {"low": 0.5, "central": 0.4, "high": 0.6}}),
            "removes.COD: needs low <= central <= high (got 0.5, 0.4, 0.6)",
        ),
        (lambda e: e.update({"saves": {"coal": -1.2}}), "saves.coal: must be >= -1 (got -1.2)"),
        (
            lambda e: e["removes"].update({"CODcr": 0.3}),
            "removes.CODcr: unknown pollutant or group 'CODcr'",
        ),
        (lambda e: e.update({"saves": {"steam": 0.1}}), "saves.steam: unknown carrier 'steam'"),
        (lambda e: e.update({"colour": "red"}), "colour: unknown key 'colour'"),
        (lambda e: e["cost"].update({"basis": "removed.COD"}), "cost.basis: 'removed.COD' is"),
        (
            lambda e: (
                e.update({"uses": {"coal": {"per": "removed.COD", "value": 1}}})
                or e["sources"].update({"cross_media": "ASSUMPTION: x"})
            ),
            "uses.coal.per: 'removed.COD' needs 'COD' listed by name in removes",
        ),
        (
            lambda e: e.update({"adds": {"NH3": {"per": "energy.coal", "value": 1e-5}}}),
            "sources.cross_media: required when the option adds pollutants",
        ),
        (lambda e: e.update({"category": "misc"}), "category: unknown category 'misc'"),
        (lambda e: e.update({"id": "paper.rinse"}), "id: must start with the sector"),
        (lambda e: e["sources"].update({"cost": ""}), "sources.cost: must not be empty"),
        (lambda e: e.update({"lifetime": 0}), "lifetime: must be >= 1"),
        (
            lambda e: e.update({"applies_when": {"min_basis": 10, "max_basis": 5}}),
            "applies_when.max_basis: must be > min_basis",
        ),
        (
            lambda e: e.update({"applies_when": {"energy": ["coal", "stream"]}}),
            "applies_when.energy[1]: unknown carrier 'stream'",
        ),
        (
            lambda e: e["removes"].update({"group:heavy_metals_water": 0.1}),
            "removes: list group:water or group:heavy_metals_water, not both",
        ),
        (
            lambda e: e.update({"requires": ["electroplating.nope"]}),
            "requires[0]: unknown option 'electroplating.nope'",
        ),
        (
            lambda e: e.update({"requires": ["park.plant"]}),
            "requires: only a connection may require a facility",
        ),
    ],
)
def test_each_entry_rule_rejects_with_a_one_line_message(tmp_path, change, expected):
    bad = _option()
    change(bad)
    message = _error(tmp_path, [_facility(), _connection(), bad])
    ident = bad["id"]
    assert message.startswith(f"technologies.yaml: [2] (id {ident}).")
    assert expected in message


def test_cross_sector_option_must_list_its_sectors(tmp_path):
    bad = _option()
    bad["id"] = "cross_sector.rinse"
    bad["sector"] = "cross_sector"
    assert _error(tmp_path, [_facility(), _connection(), bad]).endswith(
        "applies_when.sectors: a cross_sector option must list sectors"
    )


def test_duplicate_ids_and_clashing_suffixes_are_rejected(tmp_path):
    twice = _error(tmp_path, [_facility(), _connection(), _option(), _option()])
    assert twice.endswith("[3] (id electroplating.rinse).id: duplicate id (also entry [2])")
    clash = _option()
    clash.update(
        {
            "id": "cross_sector.rinse",
            "sector": "cross_sector",
            "applies_when": {"sectors": ["electroplating", "paper"]},
        }
    )
    message = _error(tmp_path, [_facility(), _connection(), _option(), clash])
    assert "suffix 'rinse' also used by electroplating.rinse" in message


def test_facility_and_connection_rules(tmp_path):
    no_facility = _connection()
    no_facility["requires"] = []
    assert _error(tmp_path, [_facility(), no_facility]).endswith(
        "(id electroplating.connect).requires: a connection requires exactly one facility"
    )
    assert _error(tmp_path, [_facility(), _option()]).endswith(
        "[0] (id park.plant): no connection requires this facility"
    )
    without_serves = _connection()
    del without_serves["serves"]
    assert "serves: a connection, and only a connection, has serves" in _error(
        tmp_path, [_facility(), without_serves]
    )
    wrong_basis = _facility()
    wrong_basis["cost"]["basis"] = "emissions.COD"
    assert "cost.basis: 'emissions.COD' is not a basis quantity here" in _error(
        tmp_path, [wrong_basis, _connection()]
    )


def test_same_group_prerequisite_and_sector_reach_are_rejected(tmp_path):
    first = _option()
    first["exclusive_group"] = "water"
    second = _option()
    second.update(
        {
            "id": "electroplating.reuse",
            "exclusive_group": "water",
            "requires": ["electroplating.rinse"],
        }
    )
    assert "'electroplating.rinse' is in the same exclusive group" in _error(
        tmp_path, [_facility(), _connection(), first, second]
    )
    wide = _option()
    wide.update(
        {
            "id": "cross_sector.reuse",
            "sector": "cross_sector",
            "applies_when": {"sectors": ["electroplating", "paper"]},
            "requires": ["electroplating.rinse"],
        }
    )
    assert "does not apply to every sector this option applies to" in _error(
        tmp_path, [_facility(), _connection(), _option(), wide]
    )


def test_an_exclusive_group_needs_a_partner_on_a_shared_sector(tmp_path):
    lonely = _option()
    lonely["exclusive_group"] = "water"
    assert _error(tmp_path, [_facility(), _connection(), lonely]).endswith(
        "(id electroplating.rinse).exclusive_group: "
        "no other option of group 'water' applies to its sectors"
    )
    elsewhere = _option()
    elsewhere.update({"id": "paper.rinse", "sector": "paper", "exclusive_group": "water"})
    assert "no other option of group 'water'" in _error(
        tmp_path, [_facility(), _connection(), lonely, elsewhere]
    )
    partner = _option()
    partner.update({"id": "electroplating.reuse", "exclusive_group": "water"})
    assert len(_load(tmp_path, [_facility(), _connection(), lonely, partner])) == 4


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(DirectoryError, match="technologies.yaml: cannot read"):
        load_directory(tmp_path / "technologies.yaml")
    path = tmp_path / "technologies.yaml"
    path.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"not valid YAML \(line"):
        load_directory(path)
    path.write_text("id: x\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match="must be a non-empty list of options"):
        load_directory(path)
