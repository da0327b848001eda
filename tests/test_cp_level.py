"""CP level scoring (《清洁生产评价指标体系编制通则》, 2013) on the shipped electroplating table
(电镀行业清洁生产评价指标体系, 2015; https://www.shea.cn/index.php?s=news&c=show&id=155).

Expected composites are computed by hand in the comments. Effective weight of a criterion
= (group weight / sum of the scored groups' weights) * (its weight / sum of the applicable
weights of its group). Shipped groups: process_equipment 0.33, resource_consumption 0.1,
resource_utilisation 0.18 (sum 0.61).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from model.appraise.cp_level import (
    BELOW_III,
    CP_TABLE_COLUMNS,
    cp_level_table,
    criterion_weights,
    levels_before_after,
    score,
)
from model.errors import CPIndexError
from model.input.cp_index import check_indicators, load_index, read_index
from model.input.schema import Enterprise, Project, Scenario

RINSE = "rinse_water_l_per_m2"
METALS = (
    "zn_utilisation_pct",
    "cu_utilisation_pct",
    "ni_utilisation_pct",
    "decorative_cr_utilisation_pct",
    "hard_cr_utilisation_pct",
    "au_utilisation_pct",
    "ag_utilisation_pct",
)
YES_NO = (
    "low_cr_or_cr3_passivation",
    "cyanide_free_zinc",
    "metal_recovery",
    "lead_free_coatings",
    "ni_bath_continuous_filtration",
    "zn_bath_continuous_filtration",
    "bath_replenishment",
    "bath_impurity_removal",
    "energy_saving_lines",
    "water_saving_rinsing",
    "no_single_tank_rinsing",
    "water_meters",
    "inline_recovery",
)


def all_level_one() -> dict[str, float]:
    """Every shipped indicator exactly at its level-I benchmark (the 2015 table's numbers)."""
    values = {name: 1.0 for name in YES_NO}
    values["automatic_lines_pct"] = 70.0
    values[RINSE] = 8.0
    values.update(
        zn_utilisation_pct=82.0,
        cu_utilisation_pct=90.0,
        ni_utilisation_pct=95.0,
        decorative_cr_utilisation_pct=60.0,
        hard_cr_utilisation_pct=90.0,
        au_utilisation_pct=98.0,
        ag_utilisation_pct=98.0,
    )
    return values


@pytest.fixture(scope="module")
def index():
    return load_index("electroplating")


# --- the shipped table ---------------------------------------------------------------------


def test_shipped_table_matches_domain_4_3(index) -> None:
    # The 2015 electroplating table, typed in again: (direction, I, II, III) of the
    # quantitative rows.
    expected = {
        RINSE: ("<=", 8, 24, 40),
        "zn_utilisation_pct": (">=", 82, 80, 75),
        "cu_utilisation_pct": (">=", 90, 80, 75),
        "ni_utilisation_pct": (">=", 95, 85, 80),
        "decorative_cr_utilisation_pct": (">=", 60, 24, 20),
        "hard_cr_utilisation_pct": (">=", 90, 80, 70),
        "au_utilisation_pct": (">=", 98, 95, 90),
        "ag_utilisation_pct": (">=", 98, 95, 90),
        "automatic_lines_pct": (">=", 70, 50, None),
    }
    for ident, (direction, *levels) in expected.items():
        ind = index.indicators[ident]
        assert ind.direction == direction
        assert list(ind.thresholds) == levels
    assert index.groups == {
        "process_equipment": 0.33,
        "resource_consumption": 0.1,
        "resource_utilisation": 0.18,
    }
    assert index.restrictive == (RINSE,)
    heads = {name: members[0] for name, members in index.criteria.items()}
    assert {n: heads[n].weight for n in ("cp_process", "process_control")} == {
        "cp_process": 0.15,
        "process_control": 0.15,
    }
    assert heads["plating_lines"].weight == 0.4 and heads["water_saving"].weight == 0.3
    assert heads["rinse_water"].weight == 1.0
    for metal in METALS:
        assert index.indicators[metal].weight == 0.8 and index.indicators[metal].per_n
    # level I needs all four CP processes, II (and III) only the first three
    assert index.indicators["lead_free_coatings"].thresholds == (1.0, None, None)
    for ident in ("low_cr_or_cr3_passivation", "cyanide_free_zinc", "metal_recovery"):
        assert index.indicators[ident].thresholds == (1.0, 1.0, 1.0)
    for ind in index.indicators.values():
        assert "https://www.shea.cn/index.php?s=news&c=show&id=155" in ind.source


# --- scoring on the shipped table ------------------------------------------------------------


def test_every_indicator_at_level_one_is_level_one(index) -> None:
    result = score(index, all_level_one())
    assert result.scores == {"I": 100.0, "II": 100.0, "III": 100.0}
    assert result.level == "I"
    assert result.failing == {"I": (), "II": (), "III": ()}
    assert math.isclose(sum(result.weights.values()), 1.0)
    assert result.covered_weight == pytest.approx(0.61)
    assert "0.61" in result.coverage() and "renormalised" in result.coverage()


def test_rinse_water_at_level_two_only(index) -> None:
    # 20 L/m2 meets II (<= 24) but not I (<= 8). Its effective weight is 0.1/0.61, so
    # Y_I = 100 * (1 - 0.1/0.61) = 100 * 0.51/0.61 = 83.6066 < 85: with only the 0.61 of the
    # system's weight that the shipped table holds, the composite alone already drops the
    # level to II, and the restrictive rule agrees (rinse water fails I).
    values = all_level_one() | {RINSE: 20.0}
    result = score(index, values)
    assert result.scores["I"] == pytest.approx(100 * 0.51 / 0.61)
    assert result.scores["II"] == result.scores["III"] == 100.0
    assert result.level == "II"
    assert result.restrictive_failing == {"I": (RINSE,), "II": (), "III": ()}


def test_restrictive_rule_with_the_missing_groups_stood_in(index, tmp_path: Path) -> None:
    # The retrieved table lacks first-level groups worth 1 - 0.61 = 0.39. Stand them in by
    # one test-only group 'other_groups' (weight 0.39, one yes/no indicator met at every
    # level); then rinse water weighs 0.1 of the whole and the restrictive rule decides.
    path = tmp_path / "cp_index_full.csv"
    with open(index.path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    stand_in = dict(rows[0])
    stand_in.update(
        indicator="other_groups_met",
        criterion="other_groups_met",
        group="other_groups",
        group_weight="0.39",
        weight="1",
        level_I="1",
        level_II="1",
        level_III="1",
    )
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, stand_in])
    full = read_index(path)
    assert full.table_weight == pytest.approx(1.0)
    base = all_level_one() | {"other_groups_met": 1.0}

    # rinse 20 L/m2 (II): Y_I = 100 * (1 - 0.1) = 90 >= 85, but the restrictive indicator
    # fails I -> level II (not I).
    result = score(full, base | {RINSE: 20.0})
    assert result.scores["I"] == pytest.approx(90.0)
    assert result.scores["II"] == pytest.approx(100.0)
    assert result.level == "II"

    # rinse 30 L/m2 (III only): Y_I = Y_II = 90 >= 85, restrictive fails I and II;
    # Y_III = 100 -> level III.
    result = score(full, base | {RINSE: 30.0})
    assert result.scores["I"] == pytest.approx(90.0)
    assert result.scores["II"] == pytest.approx(90.0)
    assert result.level == "III"
    assert result.restrictive_failing["II"] == (RINSE,)

    # without the restrictive failure the same composite gives level I
    automatic_60 = score(full, base | {"automatic_lines_pct": 60.0})
    # plating lines: 0.33 * 0.4 = 0.132 of the whole fails I -> Y_I = 86.8 >= 85 -> I
    assert automatic_60.scores["I"] == pytest.approx(86.8)
    assert automatic_60.level == "I"


def test_composite_two_below_85_gives_three_or_below(index) -> None:
    # 40 % automatic lines fails I (>= 70) and II (>= 50); III sets no share. The row
    # 'plating_lines' weighs (0.33/0.61) * 0.4 = 0.216393, so
    # Y_I = Y_II = 100 * (1 - 0.216393) = 78.361 < 85 and Y_III = 100 -> level III.
    values = all_level_one() | {"automatic_lines_pct": 40.0}
    result = score(index, values)
    plating = 0.33 / 0.61 * 0.4
    assert result.scores["I"] == pytest.approx(100 * (1 - plating))
    assert result.scores["II"] == pytest.approx(100 * (1 - plating))
    assert result.scores["III"] == 100.0
    assert result.level == "III"

    # Add Zn utilisation 70 % (< 75, fails III). With all 7 metals given, Zn weighs
    # (0.18/0.61) * (0.8/7)/0.8 = 0.18/0.61/7 = 0.042155, so
    # Y_III = 100 * (1 - 0.042155) = 95.78 < 100 -> below III;
    # Y_I = Y_II = 100 * (1 - 0.216393 - 0.042155) = 74.145.
    result = score(index, values | {"zn_utilisation_pct": 70.0})
    zinc = 0.18 / 0.61 / 7
    assert result.scores["III"] == pytest.approx(100 * (1 - zinc))
    assert result.scores["II"] == pytest.approx(100 * (1 - plating - zinc))
    assert result.level == BELOW_III
    assert result.failing["III"] == ("zn_utilisation_pct",)


def test_renormalisation_when_indicators_are_missing(index) -> None:
    # Only rinse 8 (I), Zn 82 (I) and Ni 85 (II, not I) are given. Scored groups:
    # resource_consumption 0.1 and resource_utilisation 0.18, sum 0.28. Two metals -> each
    # 0.8/2 = 0.4, renormalised within the group to 0.5.
    #   rinse: 0.1/0.28 = 0.357143;  Zn, Ni: 0.18/0.28 * 0.5 = 0.321429 each
    #   Y_I = 100 * (0.357143 + 0.321429) = 67.857 (Ni fails I);  Y_II = Y_III = 100 -> II
    values = {RINSE: 8.0, "zn_utilisation_pct": 82.0, "ni_utilisation_pct": 85.0}
    result = score(index, values)
    assert result.weights == pytest.approx(
        {"rinse_water": 0.1 / 0.28, "zn_utilisation": 0.09 / 0.28, "ni_utilisation": 0.09 / 0.28}
    )
    assert result.scores["I"] == pytest.approx(100 * (0.1 / 0.28 + 0.09 / 0.28))
    assert result.scores["I"] == pytest.approx(67.857142857)
    assert result.scores["II"] == pytest.approx(100.0)
    assert result.level == "II"
    assert result.groups_scored == ("resource_consumption", "resource_utilisation")
    assert result.covered_weight == pytest.approx(0.28)


def test_renormalisation_of_criteria_and_partial_rows(index) -> None:
    # Given: plating lines (energy-saving 1, automatic 60 %), water meters 1 (the only
    # water-saving condition given), rinse 24. Groups: process_equipment 0.33 with
    # plating_lines 0.4 and water_saving 0.3 (-> 4/7 and 3/7), resource_consumption 0.1;
    # group sum 0.43.
    #   plating_lines: 0.33/0.43 * 4/7 = 0.438538, fails I (60 < 70), meets II (>= 50)
    #   water_saving:  0.33/0.43 * 3/7 = 0.328904, meets I
    #   rinse_water:   0.1/0.43        = 0.232558, 24 fails I (<= 8), meets II (<= 24)
    #   Y_I = 32.890, Y_II = 100 -> level II
    values = {
        "energy_saving_lines": 1.0,
        "automatic_lines_pct": 60.0,
        "water_meters": 1.0,
        RINSE: 24.0,
    }
    result = score(index, values)
    assert criterion_weights(index, values) == pytest.approx(
        {
            "plating_lines": 0.33 / 0.43 * 4 / 7,
            "water_saving": 0.33 / 0.43 * 3 / 7,
            "rinse_water": 0.1 / 0.43,
        }
    )
    assert result.scores["I"] == pytest.approx(100 * 0.33 / 0.43 * 3 / 7)
    assert result.scores["II"] == pytest.approx(100.0)
    assert result.level == "II"

    # No energy-saving measures: the plating-lines row fails every level, even III.
    result = score(index, values | {"energy_saving_lines": 0.0})
    assert result.scores["III"] == pytest.approx(100 * (1 - 0.33 / 0.43 * 4 / 7))
    assert result.level == BELOW_III


def test_first_three_cp_processes_reach_two_not_one(index) -> None:
    # CP processes 1-3 but not 4 (lead-free coatings): the cp_process row (weight
    # 0.33/0.61 * 0.15 = 0.081148) fails I only: Y_I = 91.885 >= 85 -> still level I.
    values = all_level_one() | {"lead_free_coatings": 0.0}
    result = score(index, values)
    assert result.scores["I"] == pytest.approx(100 * (1 - 0.33 / 0.61 * 0.15))
    assert result.scores["II"] == 100.0
    assert result.level == "I"
    assert result.failing["I"] == ("lead_free_coatings",)


# --- before and after the chosen projects -----------------------------------------------------


def _scenario(projects: list[Project]) -> Scenario:
    plater = Enterprise(
        id="E1",
        sector="electroplating",
        cp_index="electroplating",
        indicators=all_level_one() | {RINSE: 40.0},
    )
    other = Enterprise(id="E2", sector="chemicals")
    return Scenario(
        name="cp",
        horizon={"start": 2025, "end": 2025},
        enterprises=[plater, other],
        projects=projects,
    )


def test_counter_current_rinse_moves_three_to_one() -> None:
    # Before: rinse 40 L/m2 meets III (<= 40) only. Y_I = Y_II = 100 * 0.51/0.61 = 83.607 < 85
    # and rinse fails the restrictive test at I and II; Y_III = 100 -> level III.
    # After the counter-current rinse (40 -> 8 L/m2, the table's III -> I): everything at I.
    projects = [
        Project(id="P_ccr", owner="E1", capex=1e6, indicators={RINSE: 8.0}),
        Project(id="P_spray", owner="E1", capex=3e5, indicators={RINSE: 20.0}),
        Project(id="P_unchosen", owner="E1", capex=2e6, indicators={RINSE: 5.0}),
        Project(id="P_plain", owner="E2", capex=1e5),
    ]
    scenario = _scenario(projects)
    [change] = levels_before_after(
        scenario.enterprises, scenario.projects, ["P_ccr", "P_spray", "P_plain"]
    )
    assert change.enterprise == "E1"
    assert change.before.level == "III"
    assert change.before.scores["I"] == pytest.approx(100 * 0.51 / 0.61)
    assert change.before.restrictive_failing["II"] == (RINSE,)
    # two selected projects set rinse water: the best (smallest) value, 8, wins
    assert change.values_after[RINSE] == 8.0
    assert change.changed_by == {RINSE: "P_ccr"}
    assert change.after.level == "I"
    assert change.after.scores["I"] == 100.0

    # only the spray rinse (20 L/m2, level II on that indicator): Y_I = 83.607 -> II
    [change] = levels_before_after(scenario.enterprises, scenario.projects, ["P_spray"])
    assert change.after.level == "II"

    table = cp_level_table(scenario, ["P_ccr"])
    assert list(table.columns) == list(CP_TABLE_COLUMNS)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["enterprise"], row["level_before"], row["level_after"]) == ("E1", "III", "I")
    assert row["Y_I_before"] == pytest.approx(83.6065574)
    assert row["Y_I_after"] == pytest.approx(100.0)
    assert row["restrictive_failing_before"] == f"{RINSE} (I, II)"
    assert row["restrictive_failing_after"] == ""
    assert row["changed_indicators"] == f"{RINSE}: 40 -> 8 (P_ccr)"
    assert "renormalised" in row["coverage"]
    assert "renormalised" in table.attrs["note"]


def test_a_worse_project_value_replaces_the_current_one() -> None:
    # A project may trade an indicator away: Zn utilisation 82 -> 78 (II only). Zn weighs
    # 0.18/0.61/7 = 0.042155 -> after Y_I = 100 * (1 - 0.1/0.61 - 0.042155) = 79.39 < 85.
    projects = [Project(id="P_x", owner="E1", capex=1.0, indicators={"zn_utilisation_pct": 78})]
    scenario = _scenario(projects)
    [change] = levels_before_after(scenario.enterprises, scenario.projects, ["P_x"])
    assert change.values_after["zn_utilisation_pct"] == 78.0
    assert change.after.scores["I"] == pytest.approx(100 * (1 - 0.1 / 0.61 - 0.18 / 0.61 / 7))
    assert change.after.level == "III"


def test_no_selection_and_no_cp_data() -> None:
    scenario = _scenario([])
    table = cp_level_table(scenario, [])
    assert table.iloc[0]["level_before"] == table.iloc[0]["level_after"] == "III"
    assert table.iloc[0]["changed_indicators"] == ""
    plain = Scenario(
        name="plain", horizon={"start": 2025, "end": 2025}, enterprises=[Enterprise(id="E")]
    )
    assert list(cp_level_table(plain, []).columns) == list(CP_TABLE_COLUMNS)
    assert cp_level_table(plain, []).empty


# --- bad input ----------------------------------------------------------------------------


def test_bad_indicator_data_is_reported_with_its_key_path(index) -> None:
    with pytest.raises(CPIndexError) as caught:
        score(index, {"rinse_water": 8.0})
    assert caught.value.loc == ("rinse_water",)
    with pytest.raises(CPIndexError):
        score(index, {RINSE: float("nan")})
    with pytest.raises(CPIndexError):
        score(index, {})

    bad = Enterprise(id="E", cp_index="electroplating", indicators={"zinc": 80.0})
    with pytest.raises(CPIndexError) as caught:
        check_indicators([Enterprise(id="A"), bad], [])
    assert caught.value.loc == ("enterprises", 1, "indicators", "zinc")
    with pytest.raises(CPIndexError) as caught:
        check_indicators([Enterprise(id="E", cp_index="dyeing", indicators={"x": 1})], [])
    assert caught.value.loc == ("enterprises", 0, "cp_index")
    with pytest.raises(CPIndexError) as caught:
        check_indicators([Enterprise(id="E", indicators={RINSE: 8})], [])
    assert caught.value.loc == ("enterprises", 0, "indicators")
    orphan = Project(id="P", owner="park", capex=0, indicators={RINSE: 8})
    with pytest.raises(CPIndexError) as caught:
        check_indicators([Enterprise(id="E")], [orphan])
    assert caught.value.loc == ("projects", 0, "indicators")
    with pytest.raises(ValueError, match="unknown selected"):
        levels_before_after([Enterprise(id="E")], [], ["nope"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level_I": "", "level_II": "24"}, "blank benchmarks"),
        ({"level_I": "30"}, "easier in turn"),
        ({"weight": "1.5"}, "weight"),
        ({"group_weight": "0.5"}, "two weights"),
        ({"direction": "<"}, "must be <= or >="),
        ({"restrictive": "maybe"}, "yes or no"),
    ],
)
def test_bad_tables_are_refused(index, tmp_path: Path, change: dict, message: str) -> None:
    with open(index.path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rinse = next(i for i, row in enumerate(rows) if row["indicator"] == RINSE)
    rows[rinse] = rows[rinse] | change
    if "group_weight" in change:  # a second row of the same group with another weight
        rows.insert(rinse, rows[rinse] | {"indicator": "extra", "group_weight": "0.1"})
    path = tmp_path / "cp_index_bad.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(CPIndexError, match=message):
        read_index(path)
