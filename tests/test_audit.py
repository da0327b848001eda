"""Permit linkage, mandatory-audit criteria and priority tiers (model/appraise/audit.py).

Every expected number is worked out by hand in the comments. Factors: COD 1 kg per
pollution equivalent -> 1000 eq/t (EP Tax Law annex 2); raw coal 0.7143 tce/t and
electricity 0.1229 tce/MWh (GB/T 2589-2020); emission-right prices of the Zhuzhou 2016
price list (http://sthjj.zhuzhou.gov.cn/c8640/20171026/i572068.html): COD transfer 20,000
CNY/t and lease 230 CNY/(t*yr), SO2 15,000 and 200, NH3N 40,000 and 260.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
import xarray as xr

from model.appraise.audit import (
    audit_classes,
    permit_table,
    permit_totals,
    priority_tiers,
    toxic_pollutants,
)
from model.appraise.evaluate import evaluate
from model.appraise.finance import right_prices
from model.compile.compile import compile_park
from model.input.reference import water_class_i
from model.input.registry import build_registry
from model.input.schema import Scenario, Trading
from model.optimise.solve import SolveResult
from model.report.figures.appraisal_figures import audit_figures
from model.results.audit_dataset import audit_dataset
from model.results.dataset import build_dataset
from model.results.io import write_dataset

HORIZON = {"start": 2025, "end": 2025}

# --------------------------------------------------------------------------- permit park
#
# E01: COD 12 t, permit 10; P1 removes 6 -> after 6, surplus 4 t, excess 0.
#      transfer 4 * 20,000 = 80,000 CNY; lease 4 * 230 = 920 CNY/yr; headroom 4/6.
#      NH3N 1.5 t, permit 1.0, no project -> after 1.5, surplus 0, excess 0.5, headroom 0.
#      SO2: permit 5, emits nothing -> surplus 5, headroom inf, transfer 75,000, lease 1,000.
#      TP 0.5 t, no permit -> no row.
# E02: COD 3 t, permit 3; P2 removes 5 (saturates) -> after 0, surplus 3, headroom inf,
#      transfer 60,000, lease 690.
# E03: Cr6 0.02 t, permit 0.01 -> excess 0.01, surplus 0; Cr6 has no right price -> NaN.
# park row: COD 1 t, permit 2 -> surplus 1, headroom 1/1 = 1, transfer 20,000, lease 230.
PERMIT_PARK = {
    "name": "permits",
    "horizon": HORIZON,
    "enterprises": [
        {
            "id": "E01",
            "baseline": {"emissions": {"COD": 12, "NH3N": 1.5, "TP": 0.5}},
            "permit": {"COD": 10, "NH3N": 1.0, "SO2": 5},
        },
        {"id": "E02", "baseline": {"emissions": {"COD": 3}}, "permit": {"COD": 3}},
        {"id": "E03", "baseline": {"emissions": {"Cr6": 0.02}}, "permit": {"Cr6": 0.01}},
    ],
    "park": {"baseline": {"emissions": {"COD": 1}}, "permit": {"COD": 2}},
    "projects": [
        {"id": "P1", "owner": "E01", "capex": 1.0e6, "reduces": {"COD": 6}},
        {"id": "P2", "owner": "E02", "capex": 1.0e6, "reduces": {"COD": 5}},
    ],
    "targets": {"permits": "soft"},
}
ZHUZHOU = {
    "COD": (20000.0, 230.0),
    "NH3N": (40000.0, 260.0),
    "SO2": (15000.0, 200.0),
    "NOx": (25000.0, 200.0),
}


def build(merged: dict, x: list[float] | None = None):
    scenario = Scenario.model_validate(merged)
    park = compile_park(scenario, build_registry(scenario))
    before = evaluate(park, np.zeros(park.n_projects))
    after = evaluate(park, np.ones(park.n_projects) if x is None else np.asarray(x, float))
    return scenario, park, before, after


@pytest.fixture(scope="module")
def permit_case():
    return build(PERMIT_PARK)


def row(table, enterprise: str, pollutant: str):
    hit = table[(table["enterprise"] == enterprise) & (table["pollutant"] == pollutant)]
    assert len(hit) == 1, (enterprise, pollutant)
    return hit.iloc[0]


def test_default_prices_are_zhuzhou_2016():
    prices = right_prices(Trading())
    for pollutant, (transfer, lease) in ZHUZHOU.items():
        assert prices[pollutant][0] == pytest.approx(transfer)
        assert prices[pollutant][1] == pytest.approx(lease)


def test_permit_table_hand_case(permit_case):
    scenario, park, before, after = permit_case
    table = permit_table(park, before, after, right_prices(scenario.trading))
    # rows: E01 COD/NH3N/SO2, E02 COD, E03 Cr6, park COD; TP has no permit
    assert len(table) == 6
    assert not ((table["enterprise"] == "E01") & (table["pollutant"] == "TP")).any()

    cod = row(table, "E01", "COD")
    assert cod["baseline_t_per_yr"] == pytest.approx(12.0)
    assert cod["permit_t_per_yr"] == pytest.approx(10.0)
    assert cod["after_t_per_yr"] == pytest.approx(6.0)
    assert cod["surplus_t_per_yr"] == pytest.approx(4.0)
    assert cod["excess_t_per_yr"] == 0.0
    assert cod["rights_transfer_value_CNY"] == pytest.approx(80_000.0)
    assert cod["rights_lease_value_CNY_per_yr"] == pytest.approx(920.0)
    assert cod["expansion_headroom_fraction"] == pytest.approx(4.0 / 6.0)
    assert cod["expansion_headroom_fraction"] == pytest.approx(0.667, abs=5e-4)

    nh3n = row(table, "E01", "NH3N")
    assert nh3n["surplus_t_per_yr"] == 0.0
    assert nh3n["excess_t_per_yr"] == pytest.approx(0.5)
    assert nh3n["rights_transfer_value_CNY"] == 0.0
    assert nh3n["expansion_headroom_fraction"] == 0.0

    so2 = row(table, "E01", "SO2")
    assert so2["after_t_per_yr"] == 0.0
    assert so2["surplus_t_per_yr"] == pytest.approx(5.0)
    assert math.isinf(so2["expansion_headroom_fraction"])
    assert so2["rights_transfer_value_CNY"] == pytest.approx(75_000.0)
    assert so2["rights_lease_value_CNY_per_yr"] == pytest.approx(1_000.0)

    e02 = row(table, "E02", "COD")
    assert e02["after_t_per_yr"] == 0.0
    assert e02["surplus_t_per_yr"] == pytest.approx(3.0)
    assert math.isinf(e02["expansion_headroom_fraction"])
    assert e02["rights_transfer_value_CNY"] == pytest.approx(60_000.0)
    assert e02["rights_lease_value_CNY_per_yr"] == pytest.approx(690.0)

    cr6 = row(table, "E03", "Cr6")
    assert cr6["excess_t_per_yr"] == pytest.approx(0.01)
    assert cr6["surplus_t_per_yr"] == 0.0
    assert math.isnan(cr6["transfer_price_CNY_per_t"])
    assert math.isnan(cr6["rights_transfer_value_CNY"])

    park_cod = row(table, "park", "COD")
    assert park_cod["surplus_t_per_yr"] == pytest.approx(1.0)
    assert park_cod["expansion_headroom_fraction"] == pytest.approx(1.0)
    assert park_cod["rights_transfer_value_CNY"] == pytest.approx(20_000.0)


def test_permit_table_without_projects_is_the_baseline(permit_case):
    # before = after: E01 COD surplus 0, excess 2; E02 COD surplus 0 (3 = 3), headroom 0
    _, park, before, _ = permit_case
    table = permit_table(park, before, before, ZHUZHOU)
    assert row(table, "E01", "COD")["excess_t_per_yr"] == pytest.approx(2.0)
    assert row(table, "E01", "COD")["surplus_t_per_yr"] == 0.0
    assert row(table, "E02", "COD")["surplus_t_per_yr"] == 0.0
    assert row(table, "E02", "COD")["expansion_headroom_fraction"] == 0.0


def test_scenario_prices_override_defaults():
    merged = {**PERMIT_PARK, "trading": {"prices": {"COD": {"transfer": 10000, "lease": 100}}}}
    scenario, park, before, after = build(merged)
    table = permit_table(park, before, after, right_prices(scenario.trading))
    # 4 t * 10,000 = 40,000 CNY; 4 t * 100 = 400 CNY/yr
    assert row(table, "E01", "COD")["rights_transfer_value_CNY"] == pytest.approx(40_000.0)
    assert row(table, "E01", "COD")["rights_lease_value_CNY_per_yr"] == pytest.approx(400.0)


def test_permit_totals(permit_case):
    _, park, before, after = permit_case
    totals = permit_totals(permit_table(park, before, after, ZHUZHOU)).set_index("pollutant")
    cod = totals.loc["COD"]
    # E01 + E02 + park: baseline 12+3+1, permit 10+3+2, after 6+0+1, surplus 4+3+1
    assert cod["n_permits"] == 3
    assert cod["baseline_t_per_yr"] == pytest.approx(16.0)
    assert cod["permit_t_per_yr"] == pytest.approx(15.0)
    assert cod["after_t_per_yr"] == pytest.approx(7.0)
    assert cod["surplus_t_per_yr"] == pytest.approx(8.0)
    assert cod["rights_transfer_value_CNY"] == pytest.approx(160_000.0)
    assert cod["rights_lease_value_CNY_per_yr"] == pytest.approx(1_840.0)
    assert cod["net_headroom_fraction"] == pytest.approx((15.0 - 7.0) / 7.0)
    assert totals.loc["NH3N", "excess_t_per_yr"] == pytest.approx(0.5)
    assert totals.loc["NH3N", "net_headroom_fraction"] == 0.0
    assert math.isinf(totals.loc["SO2", "net_headroom_fraction"])
    assert math.isnan(totals.loc["Cr6", "rights_transfer_value_CNY"])


# --------------------------------------------------------------------------- audit criteria
#
# A1: COD 12 > permit 10                                  -> criterion 1 only
# A2: coal 200 t * 0.7143 = 142.86 tce > quota 100        -> criterion 2 only
# A3: toxic flag True (emits only COD)                    -> criterion 3 (flag)
# A4: Cr6 (water class I)                                 -> criterion 3 (emissions)
# A5: hazardous waste                                     -> criterion 3 (emissions)
# A6: Hg_air                                              -> criterion 3 (emissions)
# A7: COD 10 = permit 10; 1000 MWh * 0.1229 = 122.9 tce = quota; toxic False although it
#     emits Cr6                                           -> none
# A8: COD 5, no permit, no quota                          -> none
# park row emits Cr6 but is not an enterprise             -> not listed
AUDIT_PARK = {
    "name": "audit",
    "horizon": HORIZON,
    "enterprises": [
        {"id": "A1", "baseline": {"emissions": {"COD": 12}}, "permit": {"COD": 10}},
        {"id": "A2", "baseline": {"energy": {"coal": 200}}, "energy_quota_tce": 100},
        {"id": "A3", "baseline": {"emissions": {"COD": 1}}, "toxic": True},
        {"id": "A4", "baseline": {"emissions": {"Cr6": 0.001}}},
        {"id": "A5", "baseline": {"emissions": {"hazardous_waste": 2}}},
        {"id": "A6", "baseline": {"emissions": {"Hg_air": 0.0001}}},
        {
            "id": "A7",
            "baseline": {"emissions": {"COD": 10, "Cr6": 0.5}, "energy": {"electricity": 1000}},
            "permit": {"COD": 10},
            "energy_quota_tce": 122.9,
            "toxic": False,
        },
        {"id": "A8", "baseline": {"emissions": {"COD": 5}}},
    ],
    "park": {"baseline": {"emissions": {"Cr6": 0.1}}},
}

EXPECTED_CRITERIA = {  # over_permit, over_energy_quota, toxic
    "A1": (True, False, False),
    "A2": (False, True, False),
    "A3": (False, False, True),
    "A4": (False, False, True),
    "A5": (False, False, True),
    "A6": (False, False, True),
    "A7": (False, False, False),
    "A8": (False, False, False),
}


@pytest.fixture(scope="module")
def audit_table():
    scenario, park, before, _ = build(AUDIT_PARK)
    return audit_classes(park, scenario, before)


def test_class_i_and_toxic_lists():
    assert water_class_i() == {
        "Hg_water",
        "Cd_water",
        "Cr_total",
        "Cr6",
        "As_water",
        "Pb_water",
        "Ni_water",
        "benzo_a_pyrene_water",
        "Be_water",
        "Ag_water",
    }
    assert {"hazardous_waste", "Hg_air", "chromic_acid_mist"} <= toxic_pollutants()
    assert "COD" not in toxic_pollutants() and "Cu_water" not in toxic_pollutants()


def test_each_criterion_alone(audit_table):
    assert list(audit_table.index) == list(EXPECTED_CRITERIA)  # park row left out
    for enterprise, (c1, c2, c3) in EXPECTED_CRITERIA.items():
        got = audit_table.loc[enterprise]
        assert (got["over_permit"], got["over_energy_quota"], got["toxic"]) == (c1, c2, c3), (
            enterprise
        )
        assert got["mandatory"] == (c1 or c2 or c3)
        assert (got["reasons"] != "") == got["mandatory"]


def test_reasons_name_the_figures(audit_table):
    assert audit_table.loc["A1", "over_permit_pollutants"] == "COD"
    assert "COD 12 > 10" in audit_table.loc["A1", "reasons"]
    assert audit_table.loc["A2", "energy_tce_per_yr"] == pytest.approx(142.86)
    assert "142.86 tce/yr > quota 100" in audit_table.loc["A2", "reasons"]
    assert audit_table.loc["A3", "toxic_basis"] == "flag"
    assert audit_table.loc["A4", "toxic_basis"] == "emissions"
    assert "Cr6" in audit_table.loc["A4", "reasons"]
    assert "hazardous_waste" in audit_table.loc["A5", "reasons"]
    assert "Hg_air" in audit_table.loc["A6", "reasons"]
    # the flag decides even against the pollutant list
    assert audit_table.loc["A7", "toxic_basis"] == "flag"
    assert audit_table.loc["A7", "toxic_pollutants_emitted"] == "Cr6"
    assert math.isnan(audit_table.loc["A8", "energy_quota_tce_per_yr"])


def test_all_three_criteria_together():
    merged = {
        **AUDIT_PARK,
        "enterprises": [
            {
                "id": "B1",
                "baseline": {"emissions": {"COD": 12, "Ni_water": 0.01}, "energy": {"coal": 200}},
                "permit": {"COD": 10},
                "energy_quota_tce": 100,
            },
        ],
    }
    scenario, park, before, _ = build(merged)
    got = audit_classes(park, scenario, before).loc["B1"]
    assert got["over_permit"] and got["over_energy_quota"] and got["toxic"]
    assert got["reasons"].count(";") == 2


# --------------------------------------------------------------------------- priority tiers
#
# Output value 100 (E6: 200) 10^4 CNY. pe intensity = COD t * 1000 / OV; energy
# intensity = coal t * 0.7143 / OV:
#   E1 COD 1,  coal 600 -> 10, 4.2858      E4 COD 4,  coal 200 -> 40, 1.4286
#   E2 COD 2,  coal 500 -> 20, 3.5715      E5 COD 5,  coal 300 -> 50, 2.1429
#   E3 COD 3,  coal 100 -> 30, 0.7143      E6 COD 12, coal 800 -> 60, 2.8572 (OV 200)
# pe ranks E1..E6 = 1..6; energy ranks E3 1, E4 2, E5 3, E6 4, E2 5, E1 6 (n = 6)
# score = (pe rank + energy rank) / 12: E1 7/12, E2 7/12, E3 4/12, E4 6/12, E5 8/12,
# E6 10/12. Score percentile ranks: E3 1/6, E4 2/6, E1 = E2 = 3.5/6, E5 5/6, E6 1.
# Tiers (> 2/3 -> 1, > 1/3 -> 2): E5, E6 tier 1; E1, E2 tier 2; E3, E4 tier 3.
# E3 has the toxic flag: mandatory audit, but stays in tier 3.
TIER_PARK = {
    "name": "tiers",
    "horizon": HORIZON,
    "enterprises": [
        {
            "id": f"E{i}",
            "output_value": ov,
            "baseline": {"emissions": {"COD": cod}, "energy": {"coal": coal}},
        }
        for i, cod, coal, ov in [
            (1, 1, 600, 100),
            (2, 2, 500, 100),
            (3, 3, 100, 100),
            (4, 4, 200, 100),
            (5, 5, 300, 100),
            (6, 12, 800, 200),
        ]
    ],
}
TIER_PARK["enterprises"][2]["toxic"] = True
EXPECTED_TIERS = {"E1": 2, "E2": 2, "E3": 3, "E4": 3, "E5": 1, "E6": 1}

# Three more without output value, ranked among themselves by absolute load:
#   E7 COD 1 (1,000 eq), coal 10 (7.143 tce); E8 COD 100, coal 1000; E9 COD 50, coal 5
#   pe ranks E7 1/3, E9 2/3, E8 1; energy ranks E9 1/3, E7 2/3, E8 1
#   scores E7 0.5, E9 0.5, E8 1 -> score ranks E7 = E9 = 1.5/3 = 0.5 (tier 2), E8 1 (tier 1)
NO_VALUE = [
    {"id": f"E{i}", "baseline": {"emissions": {"COD": cod}, "energy": {"coal": coal}}}
    for i, cod, coal in [(7, 1, 10), (8, 100, 1000), (9, 50, 5)]
]


@pytest.fixture(scope="module")
def tier_case():
    return build(TIER_PARK)


def test_tiers_hand_case(tier_case):
    scenario, park, before, _ = tier_case
    tiers = priority_tiers(park, scenario, before)
    expected_pe = {"E1": 10, "E2": 20, "E3": 30, "E4": 40, "E5": 50, "E6": 60}
    expected_en = {
        "E1": 4.2858,
        "E2": 3.5715,
        "E3": 0.7143,
        "E4": 1.4286,
        "E5": 2.1429,
        "E6": 2.8572,
    }
    expected_score = {
        "E1": 7 / 12,
        "E2": 7 / 12,
        "E3": 4 / 12,
        "E4": 6 / 12,
        "E5": 8 / 12,
        "E6": 10 / 12,
    }
    for enterprise, tier in EXPECTED_TIERS.items():
        got = tiers.loc[enterprise]
        assert got["pe_intensity_eq_per_1e4CNY"] == pytest.approx(expected_pe[enterprise])
        assert got["energy_intensity_tce_per_1e4CNY"] == pytest.approx(expected_en[enterprise])
        assert got["score"] == pytest.approx(expected_score[enterprise])
        assert got["tier"] == tier, enterprise
        assert got["basis"] == "intensity" and not got["no_output_value"]
    assert tiers.loc["E1", "score_rank"] == pytest.approx(3.5 / 6)
    # sorted by tier, then score high to low
    assert list(tiers.index) == ["E6", "E5", "E1", "E2", "E4", "E3"]
    # mandatory is shown, not used
    assert tiers.loc["E3", "mandatory_audit"] and tiers.loc["E3", "tier"] == 3
    assert tiers["mandatory_audit"].sum() == 1


def test_tier_cut_points_are_parameters(tier_case):
    # cuts (0.5, 0.9): E6 (1.0) tier 1; E5 (5/6), E1, E2 (3.5/6) tier 2; E4 (2/6), E3 tier 3
    scenario, park, before, _ = tier_case
    tiers = priority_tiers(park, scenario, before, cuts=(0.5, 0.9))["tier"].to_dict()
    assert tiers == {"E6": 1, "E5": 2, "E1": 2, "E2": 2, "E4": 3, "E3": 3}
    with pytest.raises(ValueError):
        priority_tiers(park, scenario, before, cuts=(0.8, 0.2))


def test_no_output_value_ranked_by_absolute_load():
    merged = {**TIER_PARK, "enterprises": [*TIER_PARK["enterprises"], *NO_VALUE]}
    scenario, park, before, _ = build(merged)
    tiers = priority_tiers(park, scenario, before)
    for enterprise, tier in EXPECTED_TIERS.items():  # intensity group unchanged
        assert tiers.loc[enterprise, "tier"] == tier
    for enterprise, tier, score in [("E7", 2, 0.5), ("E8", 1, 1.0), ("E9", 2, 0.5)]:
        got = tiers.loc[enterprise]
        assert got["no_output_value"] and got["basis"] == "absolute load"
        assert math.isnan(got["pe_intensity_eq_per_1e4CNY"])
        assert got["score"] == pytest.approx(score)
        assert got["tier"] == tier
    assert tiers.loc["E8", "pollution_eq_per_yr"] == pytest.approx(100_000.0)
    assert tiers.loc["E8", "energy_tce_per_yr"] == pytest.approx(714.3)
    assert list(tiers.index[-3:]) == ["E8", "E7", "E9"]


# --------------------------------------------------------------------------- dataset


def test_audit_dataset_values_and_units(permit_case):
    scenario, park, before, after = permit_case
    ds = audit_dataset(park, scenario, before, after)
    assert list(ds["enterprise"].values) == ["E01", "E02", "E03", "park"]
    assert ds["permit_surplus"].dims == ("enterprise", "pollutant")
    sel = {"enterprise": "E01", "pollutant": "COD"}
    assert float(ds["permit_surplus"].sel(sel)) == pytest.approx(4.0)
    assert float(ds["rights_transfer_value"].sel(sel)) == pytest.approx(80_000.0)
    assert float(ds["rights_lease_value"].sel(sel)) == pytest.approx(920.0)
    assert float(ds["expansion_headroom"].sel(sel)) == pytest.approx(4.0 / 6.0)
    assert float(ds["permit_excess_after"].sel(enterprise="E01", pollutant="NH3N")) == (
        pytest.approx(0.5)
    )
    assert np.isnan(float(ds["permit_surplus"].sel(enterprise="E01", pollutant="TP")))
    assert np.isinf(float(ds["expansion_headroom"].sel(enterprise="E02", pollutant="COD")))
    # E01 over its COD and NH3N permits before the projects; E03 over Cr6 and Cr6 is toxic
    assert ds["mandatory_audit"].dtype.kind == "i"
    assert ds["mandatory_audit"].values.tolist() == [1, 0, 1, 0]
    assert "COD 12 > 10" in str(ds["audit_criteria"].sel(enterprise="E01").values)
    assert str(ds["audit_criteria"].sel(enterprise="park").values) == ""
    assert int(ds["priority_tier"].sel(enterprise="park")) == 0
    units = {
        "permit_surplus": "t/yr",
        "permit_excess_after": "t/yr",
        "rights_transfer_value": "CNY",
        "rights_lease_value": "CNY/yr",
        "expansion_headroom": "1",
        "mandatory_audit": "1",
        "pe_intensity": "pollution equivalents per 10^4 CNY",
        "energy_intensity": "tce per 10^4 CNY",
        "priority_tier": "1",
    }
    for name, unit in units.items():
        assert ds[name].attrs["units"] == unit, name


def test_audit_dataset_merges_into_results_and_round_trips(permit_case, tmp_path):
    scenario, park, before, after = permit_case
    result = SolveResult(
        status="optimal",
        termination="optimal",
        solver="highs",
        solver_version="",
        objective=0.0,
        bound=0.0,
        gap=0.0,
        seconds=0.1,
        x=np.ones(park.n_projects),
    )
    merged = xr.merge(
        [build_dataset(park, result, after), audit_dataset(park, scenario, before, after)]
    )
    assert merged.sizes["enterprise"] == 4
    assert merged["mandatory_audit"].dtype.kind == "i"
    path = write_dataset(merged, tmp_path / "results.nc")
    with xr.open_dataset(path) as back:
        assert float(back["rights_transfer_value"].sel(enterprise="E01", pollutant="COD")) == (
            pytest.approx(80_000.0)
        )
        assert np.isinf(float(back["expansion_headroom"].sel(enterprise="E02", pollutant="COD")))
        assert back["rights_lease_value"].attrs["units"] == "CNY/yr"
        assert "COD 12 > 10" in str(back["audit_criteria"].sel(enterprise="E01").values)


def test_dataset_tiers_match_table(tier_case):
    scenario, park, before, after = tier_case
    ds = audit_dataset(park, scenario, before, after)
    for enterprise, tier in EXPECTED_TIERS.items():
        assert int(ds["priority_tier"].sel(enterprise=enterprise)) == tier
    assert float(ds["pe_intensity"].sel(enterprise="E6")) == pytest.approx(60.0)
    assert float(ds["energy_intensity"].sel(enterprise="E3")) == pytest.approx(0.7143)


# --------------------------------------------------------------------------- figures


def test_rights_value_figure(permit_case):
    # transfer: E01 80,000 + 75,000 = 155,000; E02 60,000; park 20,000; E03 no surplus
    # lease:    E01 920 + 1,000 = 1,920;        E02 690;    park 230
    scenario, park, before, after = permit_case
    figs = audit_figures(audit_dataset(park, scenario, before, after))
    assert set(figs) == {"rights_value", "intensity_tiers"}
    fig = figs["rights_value"]
    assert isinstance(fig, go.Figure)
    transfer, lease = fig.data
    assert list(transfer.x) == ["E01", "E02", "park"]
    assert list(transfer.y) == pytest.approx([155_000.0, 60_000.0, 20_000.0])
    assert list(lease.y) == pytest.approx([1_920.0, 690.0, 230.0])
    assert lease.yaxis == "y2"


def test_intensity_figure(tier_case):
    scenario, park, before, after = tier_case
    fig = audit_figures(audit_dataset(park, scenario, before, after))["intensity_tiers"]
    by_tier = {trace.name: trace for trace in fig.data if trace.name.startswith("tier")}
    assert sorted(by_tier["tier 1"].text) == ["E5", "E6"]
    assert sorted(by_tier["tier 2"].text) == ["E1", "E2"]
    tier3 = by_tier["tier 3"]
    symbols = dict(zip(tier3.text, tier3.marker.symbol, strict=True))
    assert symbols == {"E3": "diamond", "E4": "circle"}
    e3 = list(tier3.text).index("E3")
    assert tier3.x[e3] == pytest.approx(0.7143) and tier3.y[e3] == pytest.approx(30.0)
    assert any(trace.name == "diamond = mandatory audit" for trace in fig.data)
