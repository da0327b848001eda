"""Project economics, public money, audit view and CP levels in the results Dataset and the
HTML report (model/results/appraisal_dataset.py, wired in model/pipeline.py), against a park
worked out by hand.

Factors (all built in): COD 1 kg per pollution equivalent -> 1,000 eq/t, NH3N 0.8 ->
1,250 eq/t, Ni_water 0.025 -> 40,000 eq/t (EP Tax Law annex 2); water tax 1.4 CNY per
equivalent (national minimum, EP Tax Law, annexed tax table); electricity 0.1229 tce/MWh
and coal 0.7143 tce/t (GB/T 2589-2020); electricity 700 CNY/MWh and coal 900 CNY/t
(the built-in assumed prices of model/reference/carriers.csv); emission rights COD 20,000
CNY/t transfer and 230 CNY/(t*yr) lease, NH3N 40,000 and 260 (Zhuzhou 2016 price list,
http://sthjj.zhuzhou.gov.cn/c8640/20171026/i572068.html); no price for Ni_water. Finance:
income tax 25 %, benchmark rate i = 10 %; feasibility formulas of the CP-audit training
material (docs/finance.md): D = I/Y, T = P - D, E = T(1 - tax), F = E + D, N = I/F,
NPV = F * sum_{j=1..Y} 1.1^-j - I.

The park:

* E1 Plating Co (electroplating, output 1,000 x 10^4 CNY): COD 12 t (permit 10), Ni_water
  0.02 t (permit 0.03), 2,000 MWh; CP index electroplating with rinse water 40 L/m2, Ni
  utilisation 96 %, energy-saving lines yes, 75 % automatic lines.
* E2 Dyeing Co (output 400, energy quota 300 tce): COD 5 t (permit 6), NH3N 0.8 t (permit
  1), coal 500 t = 357.15 tce.
* E3 Food Co (no output value, toxic: false): COD 2 t, 1,000 MWh; no permit.

Projects (budget 6,000,000 CNY of the enterprises' own money; subsidy 30 % of capex for
category end_of_pipe, capped at 1,000,000 per project; no/low-cost options with NPV >= 0
done at once; payback screening with a 3-year ceiling for medium-cost options only):

* P1 (E1, medium, 800,000, opex -300,000, 10 yr): COD -6, Ni -0.01, saves 100 MWh; sets
  rinse water to 8 L/m2.
  P = 100 x 700 + 300,000 + (6,000 + 400) eq x 1.4 = 70,000 + 300,000 + 8,960 = 378,960.
  D = 80,000; T = 298,960; E = 224,220; F = 304,220; N = 800,000 / 304,220 = 2.63 yr.
* P2 (E1, no/low-cost, 50,000, opex -20,000, 5 yr): COD -0.5. P = 20,000 + 700 = 20,700;
  D = 10,000; T = 10,700; E = 8,025; F = 18,025; NPV = 18,025 x 3.7908 - 50,000 > 0:
  done at once, outside the budget.
* P3 (E2, high, end_of_pipe, 6,000,000, opex +50,000, 10 yr): COD -3, NH3N -0.5.
  subsidy = min(0.3 x 6,000,000, 1,000,000) = 1,000,000 (the cap); budget charge
  5,000,000. P = -50,000 + (3,000 + 625) x 1.4 = -44,925; D = 600,000; T = -644,925;
  E = -483,693.75; F = 116,306.25; NPV = 116,306.25 x 6.1446 - 6,000,000 < 0: needs
  public money. No payback ceiling for high-cost options: passes screening.
* P4 (E2, medium, 1,000,000, 10 yr): saves 40 t coal. P = 36,000; D = 100,000;
  T = -64,000; E = -48,000; F = 52,000; N = 19.23 yr > 3: screened out.
* P5 (E3, medium, end_of_pipe, 200,000, 10 yr): COD -1, saves 300 MWh. subsidy =
  min(60,000, 1,000,000) = 60,000 (the rate); budget charge 140,000. P = 210,000 + 1,400.
* P6 (E3, medium, 400,000, 10 yr): saves 300 MWh (36.87 tce).

Optimum (weighted, 1 per equivalent and 1 per tce): values P1 6,000 + 400 + 12.29 =
6,412.29; P3 3,000 + 625 = 3,625; P5 1,000 + 36.87 = 1,036.87; P6 36.87. Budget charges
800,000 + 5,000,000 + 140,000 = 5,940,000 <= 6,000,000; adding P6 (400,000) would exceed
it, and dropping any of P1, P3, P5 for P6 loses more than 36.87. So P1, P3, P5 (and P2,
forced) are chosen; P6 is left out and would need 340,000 more budget: break-even capex
400,000 - 340,000 = 60,000.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from model.appraise.economics import attach_economics
from model.appraise.evaluate import evaluate
from model.input.loading import load_scenario
from model.input.schema import Scenario
from model.pipeline import RunOutcome, run_scenario
from model.report.page import render_report
from model.results.appraisal_dataset import add_appraisal, appraisal_dataset
from model.results.appraisal_tables import (
    economics_table,
    permit_surplus_totals,
    public_money_table,
    why_not_table,
)
from model.results.io import write_dataset

TAX, RATE = 0.25, 0.10
SCENARIO = {
    "name": "appraisal-tiny",
    "horizon": {"start": 2025, "end": 2025},
    "enterprises": [
        {
            "id": "E1",
            "name": "Plating Co",
            "sector": "electroplating",
            "output_value": 1000,
            "baseline": {
                "emissions": {"COD": 12, "Ni_water": 0.02},
                "energy": {"electricity": 2000},
            },
            "permit": {"COD": 10, "Ni_water": 0.03},
            "cp_index": "electroplating",
            "indicators": {
                "rinse_water_l_per_m2": 40,
                "ni_utilisation_pct": 96,
                "energy_saving_lines": 1,
                "automatic_lines_pct": 75,
            },
        },
        {
            "id": "E2",
            "name": "Dyeing Co",
            "sector": "printing_dyeing",
            "output_value": 400,
            "energy_quota_tce": 300,
            "baseline": {"emissions": {"COD": 5, "NH3N": 0.8}, "energy": {"coal": 500}},
            "permit": {"COD": 6, "NH3N": 1},
        },
        {
            "id": "E3",
            "name": "Food Co",
            "sector": "agri_food_processing",
            "toxic": False,
            "baseline": {"emissions": {"COD": 2}, "energy": {"electricity": 1000}},
        },
    ],
    "projects": [
        {
            "id": "P1",
            "owner": "E1",
            "name": "counter-current rinse",
            "category": "process",
            "capex": 800_000,
            "opex_change": -300_000,
            "lifetime": 10,
            "reduces": {"COD": 6, "Ni_water": 0.01},
            "saves": {"electricity": 100},
            "indicators": {"rinse_water_l_per_m2": 8},
        },
        {
            "id": "P2",
            "owner": "E1",
            "name": "housekeeping",
            "category": "housekeeping",
            "capex": 50_000,
            "opex_change": -20_000,
            "lifetime": 5,
            "reduces": {"COD": 0.5},
        },
        {
            "id": "P3",
            "owner": "E2",
            "name": "wastewater treatment",
            "category": "end_of_pipe",
            "capex": 6_000_000,
            "opex_change": 50_000,
            "lifetime": 10,
            "reduces": {"COD": 3, "NH3N": 0.5},
        },
        {
            "id": "P4",
            "owner": "E2",
            "name": "boiler retrofit",
            "category": "process",
            "capex": 1_000_000,
            "lifetime": 10,
            "saves": {"coal": 40},
        },
        {
            "id": "P5",
            "owner": "E3",
            "name": "biogas and motors",
            "category": "end_of_pipe",
            "capex": 200_000,
            "lifetime": 10,
            "reduces": {"COD": 1},
            "saves": {"electricity": 300},
        },
        {
            "id": "P6",
            "owner": "E3",
            "name": "efficient chillers",
            "category": "process",
            "capex": 400_000,
            "lifetime": 10,
            "saves": {"electricity": 300},
        },
    ],
    "budget": {
        "total": 6.0e6,
        "subsidy": {
            "rates": {"end_of_pipe": 0.3},
            "caps": {"end_of_pipe": 1.0e6},
            "public_total": 1.5e6,
        },
    },
    "finance": {
        "income_tax_rate": TAX,
        "benchmark_rate": RATE,
        "implement_no_low_cost": True,
        "screening": {"payback": True, "payback_ceiling": {"medium": 3}},
    },
    "analysis": {"why_not_max_projects": 1},
    "solver": {"mip_gap": 0},
}

NEW_SECTIONS = (
    "Project economics",
    "Public money and additionality",
    "Why not selected",
    "Emission permits and tradable surplus",
    "Audit classes and priority tiers",
    "Cleaner-production level",
)


def annuity(years: int, rate: float = RATE) -> float:
    """sum_{j=1..Y} (1 + i)^-j, term by term."""
    return sum((1 + rate) ** -j for j in range(1, years + 1))


def cash_flow(capex: float, saving: float, years: int) -> float:
    """F = (P - I/Y)(1 - tax) + I/Y (docs/finance.md, section 1)."""
    depreciation = capex / years
    return (saving - depreciation) * (1 - TAX) + depreciation


def run(tmp_path: Path, scenario: dict) -> RunOutcome:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    outcome = run_scenario(load_scenario(path))
    assert outcome.result.status == "optimal"
    return outcome


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> RunOutcome:
    return run(tmp_path_factory.mktemp("appraisal"), SCENARIO)


@pytest.fixture(scope="module")
def ds(outcome) -> xr.Dataset:
    return outcome.dataset


def value(ds: xr.Dataset, name: str, **where) -> float:
    return float(ds[name].sel(**where))


def text(ds: xr.Dataset, name: str, **where) -> str:
    return str(ds[name].sel(**where).values)


# --------------------------------------------------------------------------- economics


def test_selection_is_the_hand_optimum(ds):
    level = ds["selected"].max("year").to_series()
    assert level.to_dict() == {"P1": 1, "P2": 1, "P3": 1, "P4": 0, "P5": 1, "P6": 0}


def test_saving_parts_and_payback_of_p1(ds):
    # energy 100 MWh x 700 = 70,000; tax (6 x 1,000 + 0.01 x 40,000) eq x 1.4 = 8,960
    assert value(ds, "energy_cost_saved", project="P1") == pytest.approx(70_000)
    assert value(ds, "env_tax_saved", project="P1") == pytest.approx(8_960)
    assert value(ds, "rights_value", project="P1") == 0  # finance.surplus_rights: none
    assert value(ds, "annual_saving_total", project="P1") == pytest.approx(378_960)
    # D = 80,000; T = 298,960; E = 224,220; F = 304,220; N = 800,000 / 304,220
    assert value(ds, "cash_flow", project="P1") == pytest.approx(304_220)
    assert value(ds, "payback_years", project="P1") == pytest.approx(800_000 / 304_220)
    assert value(ds, "payback_years", project="P1") == pytest.approx(2.6297, abs=1e-4)
    npv = 304_220 * annuity(10) - 800_000
    assert value(ds, "npv", project="P1") == pytest.approx(npv)
    assert value(ds, "npvr", project="P1") == pytest.approx(npv / 800_000)
    irr = value(ds, "irr", project="P1")
    assert sum(304_220 / (1 + irr) ** j for j in range(1, 11)) == pytest.approx(800_000)
    assert text(ds, "cost_class", project="P1") == "medium"
    assert value(ds, "privately_profitable", project="P1") == 1


def test_all_projects_against_the_formulas(ds):
    savings = {  # P by hand, CNY/yr
        "P2": 20_000 + 0.5 * 1_000 * 1.4,
        "P3": -50_000 + (3 * 1_000 + 0.5 * 1_250) * 1.4,
        "P4": 40 * 900,
        "P5": 300 * 700 + 1 * 1_000 * 1.4,
        "P6": 300 * 700,
    }
    assert savings["P3"] == pytest.approx(-44_925)
    for pid, saving in savings.items():
        capex = value(ds, "capex", project=pid)
        years = int(value(ds, "lifetime", project=pid))
        flow = cash_flow(capex, saving, years)
        assert value(ds, "annual_saving_total", project=pid) == pytest.approx(saving), pid
        assert value(ds, "cash_flow", project=pid) == pytest.approx(flow), pid
        assert value(ds, "payback_years", project=pid) == pytest.approx(capex / flow), pid
        npv = flow * annuity(years) - capex
        assert value(ds, "npv", project=pid) == pytest.approx(npv), pid
    assert value(ds, "cash_flow", project="P3") == pytest.approx(116_306.25)
    classes = ds["cost_class"].to_series().to_dict()
    assert classes == {
        "P1": "medium",
        "P2": "no_low",
        "P3": "high",
        "P4": "medium",
        "P5": "medium",
        "P6": "medium",
    }
    profitable = ds["privately_profitable"].to_series().to_dict()
    assert profitable == {"P1": 1, "P2": 1, "P3": 0, "P4": 0, "P5": 1, "P6": 1}


def test_subsidy_is_rate_times_capex_up_to_the_cap(ds):
    # P3: min(0.3 x 6,000,000, 1,000,000) = 1,000,000; P5: min(60,000, 1,000,000)
    assert ds["subsidy"].to_series().to_dict() == {
        "P1": 0,
        "P2": 0,
        "P3": 1_000_000,
        "P4": 0,
        "P5": 60_000,
        "P6": 0,
    }
    # NPV when the enterprise invests I - S and depreciates it: P3 invests 5,000,000
    flow = cash_flow(5_000_000, -44_925, 10)
    assert flow == pytest.approx(91_306.25)
    assert value(ds, "npv_with_subsidy", project="P3") == pytest.approx(
        flow * annuity(10) - 5_000_000
    )
    assert ds.attrs["subsidy_granted"] == pytest.approx(1_060_000)
    assert ds.attrs["public_budget"] == pytest.approx(1_500_000)


def test_forced_option_is_chosen_outside_the_budget(ds):
    assert ds["forced"].to_series().to_dict() == {
        "P1": 0,
        "P2": 1,
        "P3": 0,
        "P4": 0,
        "P5": 0,
        "P6": 0,
    }
    assert value(ds, "selected", project="P2", year=2025) == 1
    assert value(ds, "budget_capex", project="P2") == 0
    # NPV of P2 = 18,025 x 3.7908 - 50,000 = 18,328.93 >= 0 (why it is done at once)
    assert value(ds, "npv", project="P2") == pytest.approx(18_025 * annuity(5) - 50_000)
    # budget charged: P1 800,000 + P3 5,000,000 + P5 140,000 (P2 not counted)
    assert value(ds, "budget_capex", project="P3") == 5_000_000
    assert value(ds, "budget_capex", project="P5") == 140_000
    assert ds.attrs["budget_charged"] == pytest.approx(5_940_000)
    assert ds.attrs["forced_capex"] == pytest.approx(50_000)


def test_screened_out_project_with_its_reason(ds):
    assert ds["excluded"].to_series().to_dict() == {
        "P1": 0,
        "P2": 0,
        "P3": 0,
        "P4": 1,
        "P5": 0,
        "P6": 0,
    }
    assert value(ds, "selected", project="P4", year=2025) == 0
    # N = 1,000,000 / 52,000 = 19.2 yr > the 3-year ceiling of medium-cost options
    assert value(ds, "payback_years", project="P4") == pytest.approx(1_000_000 / 52_000)
    assert text(ds, "screening_reason", project="P4") == (
        "payback 19.2 yr > 3 yr ceiling for medium-cost options"
    )
    reasons = ds["screening_reason"].to_series()
    assert (reasons.drop("P4") == "").all()


def test_public_money_and_additionality(ds):
    assert ds["needs_public_money"].to_series().to_dict() == {
        "P1": 0,
        "P2": 0,
        "P3": 1,
        "P4": 0,
        "P5": 0,
        "P6": 0,
    }
    verdicts = ds["additionality_verdict"].to_series().to_dict()
    assert verdicts == {
        "P1": "profitable anyway",
        "P2": "profitable anyway",
        "P3": "needs more public money",  # NPV with the grant still < 0
        "P4": "",
        "P5": "profitable anyway",
        "P6": "",
    }
    # P3: (3,000 + 625) eq / 1,000,000 CNY; P5: 1,000 eq and 300 x 0.1229 tce / 60,000
    assert value(ds, "pe_per_public_yuan", project="P3") == pytest.approx(3_625 / 1e6)
    assert value(ds, "tce_per_public_yuan", project="P3") == 0
    assert value(ds, "pe_per_public_yuan", project="P5") == pytest.approx(1_000 / 60_000)
    assert value(ds, "tce_per_public_yuan", project="P5") == pytest.approx(36.87 / 60_000)
    for pid in ("P1", "P2", "P4", "P6"):  # no grant, or not chosen
        assert math.isnan(value(ds, "pe_per_public_yuan", project=pid)), pid
    table = public_money_table(ds)
    assert list(table["project"]) == ["P5", "P3"]  # most equivalents per public yuan first
    assert list(table["rank"]) == [1, 2]


def test_why_not_break_even_of_the_left_out_project(ds):
    # P6 enters with 340,000 more budget; bisection stops within 1 % of its 400,000 capex
    assert 56_000 <= value(ds, "break_even_capex", project="P6") <= 60_000 + 1e-6
    assert 340_000 - 1e-6 <= value(ds, "subsidy_needed", project="P6") <= 344_000
    table = why_not_table(ds)
    assert list(table["project"]) == ["P6"]  # P4 was screened out, not left out
    assert table.loc[0, "basis"] == "exact"


def test_economics_table_lists_the_chosen_projects(ds):
    assert list(economics_table(ds)["project"]) == ["P1", "P2", "P3", "P5"]


def test_irr_only_for_chosen_projects_above_the_limit(outcome):
    scenario = Scenario.model_validate(SCENARIO)
    park = attach_economics(outcome.park, scenario, irr_limit=3)  # 6 projects > 3
    assert not park.economics.irr_for_all and np.isnan(park.economics.irr).all()
    before = evaluate(park, np.zeros(park.n_projects))
    extra = appraisal_dataset(park, scenario, outcome.result, before, outcome.state)
    irr = extra["irr"].to_series()
    assert irr[["P4", "P6"]].isna().all()
    assert irr[["P1", "P2", "P3", "P5"]].notna().all()
    assert irr["P1"] == pytest.approx(float(outcome.dataset["irr"].sel(project="P1")))
    assert "chosen projects only" in extra.attrs["irr_scope"]
    assert extra["irr"].attrs["scope"] == extra.attrs["irr_scope"]
    assert "all projects" in outcome.dataset.attrs["irr_scope"]


# --------------------------------------------------------------------------- audit view


def test_permit_surplus_and_rights_values(ds):
    # E1 COD: permit 10, after 12 - 6 - 0.5 = 5.5 -> surplus 4.5 t
    # transfer 4.5 x 20,000 = 90,000 CNY; lease 4.5 x 230 = 1,035 CNY/yr; headroom 4.5/5.5
    e1 = {"enterprise": "E1", "pollutant": "COD"}
    assert value(ds, "permit_surplus", **e1) == pytest.approx(4.5)
    assert value(ds, "rights_transfer_value", **e1) == pytest.approx(90_000)
    assert value(ds, "rights_lease_value", **e1) == pytest.approx(1_035)
    assert value(ds, "expansion_headroom", **e1) == pytest.approx(4.5 / 5.5)
    # E2 COD 6 - (5 - 3) = 4 t -> 80,000 / 920; NH3N 1 - 0.3 = 0.7 t -> 28,000 / 182
    assert value(ds, "rights_transfer_value", enterprise="E2", pollutant="COD") == 80_000
    assert value(ds, "rights_lease_value", enterprise="E2", pollutant="NH3N") == (
        pytest.approx(182)
    )
    assert value(ds, "rights_transfer_value", enterprise="E2", pollutant="NH3N") == (
        pytest.approx(28_000)
    )
    # Ni_water: surplus 0.03 - 0.01 = 0.02 t but no price -> NaN (unknown, not 0)
    ni = {"enterprise": "E1", "pollutant": "Ni_water"}
    assert value(ds, "permit_surplus", **ni) == pytest.approx(0.02)
    assert math.isnan(value(ds, "rights_transfer_value", **ni))
    # E3 has no permit
    assert math.isnan(value(ds, "permit_surplus", enterprise="E3", pollutant="COD"))
    totals = permit_surplus_totals(ds).set_index("pollutant")
    assert totals.loc["COD", "surplus_t_per_yr"] == pytest.approx(8.5)
    assert totals.loc["COD", "rights_transfer_value_CNY"] == pytest.approx(170_000)
    assert totals.loc["COD", "rights_lease_value_CNY_per_yr"] == pytest.approx(1_955)


def test_mandatory_audit_flags_and_reasons(ds):
    assert ds["mandatory_audit"].to_series().to_dict() == {"E1": 1, "E2": 1, "E3": 0, "park": 0}
    # E1: COD 12 > permit 10 (criterion 1) and emits Ni_water, a class I water pollutant (3)
    assert text(ds, "audit_criteria", enterprise="E1") == (
        "(1) emissions over permit (standard/total-load proxy): COD 12 > 10 t/yr; "
        "(3) emits toxic/hazardous substances: Ni_water"
    )
    # E2: 500 t coal x 0.7143 = 357.15 tce > quota 300 (criterion 2)
    assert text(ds, "audit_criteria", enterprise="E2") == (
        "(2) energy 357.15 tce/yr > quota 300 tce/yr"
    )
    assert text(ds, "audit_criteria", enterprise="E3") == ""  # toxic: false, no permit


def test_priority_tiers(ds):
    # E1: (12,000 + 800) eq / 1,000 = 12.8; 245.8 tce / 1,000 = 0.2458
    # E2: (5,000 + 1,000) eq / 400 = 15.0; 357.15 tce / 400 = 0.8929
    assert value(ds, "pe_intensity", enterprise="E1") == pytest.approx(12.8)
    assert value(ds, "energy_intensity", enterprise="E2") == pytest.approx(357.15 / 400)
    # E2 ranks 1.0 on both, E1 0.5 on both: E2 tier 1 (> 2/3), E1 tier 2 (> 1/3);
    # E3 has no output value: alone in the absolute-load group, tier 1
    assert ds["priority_tier"].to_series().to_dict() == {"E1": 2, "E2": 1, "E3": 1, "park": 0}
    assert text(ds, "priority_basis", enterprise="E3") == "absolute load"


def test_cp_level_before_and_after(ds):
    # Groups scored: process_equipment (0.33, plating_lines alone -> 1), resource_consumption
    # (0.10, rinse water), resource_utilisation (0.18, Ni alone: 0.8/n with n = 1 -> 1);
    # renormalised over 0.61. Before: rinse 40 L/m2 reaches only III (I <= 8, II <= 24),
    # the rest reach I: Y_I = Y_II = 100 x 0.51 / 0.61 = 83.6 < 85, Y_III = 100 -> III.
    # After P1 (rinse 8 L/m2): everything reaches I, Y_I = 100 -> I.
    assert text(ds, "cp_level_before", enterprise="E1") == "III"
    assert text(ds, "cp_level_after", enterprise="E1") == "I"
    assert value(ds, "cp_score_I_before", enterprise="E1") == pytest.approx(100 * 0.51 / 0.61)
    assert value(ds, "cp_score_II_before", enterprise="E1") == pytest.approx(100 * 0.51 / 0.61)
    assert value(ds, "cp_score_III_before", enterprise="E1") == pytest.approx(100)
    assert value(ds, "cp_score_I_after", enterprise="E1") == pytest.approx(100)
    assert text(ds, "cp_changed_indicators", enterprise="E1") == (
        "rinse_water_l_per_m2: 40 -> 8 (P1)"
    )
    assert text(ds, "cp_restrictive_failing_before", enterprise="E1") == (
        "rinse_water_l_per_m2 (I, II)"
    )
    for eid in ("E2", "E3", "park"):  # no index data
        assert text(ds, "cp_level_before", enterprise=eid) == ""
        assert math.isnan(value(ds, "cp_score_I_before", enterprise=eid))


# --------------------------------------------------------------------------- dataset, files


def test_new_variables_have_units_and_long_name(ds):
    names = [
        "energy_cost_saved",
        "env_tax_saved",
        "rights_value",
        "annual_saving_total",
        "payback_years",
        "npv",
        "npvr",
        "irr",
        "cost_class",
        "privately_profitable",
        "subsidy",
        "forced",
        "excluded",
        "screening_reason",
        "needs_public_money",
        "pe_per_public_yuan",
        "tce_per_public_yuan",
        "permit_surplus",
        "mandatory_audit",
        "priority_tier",
        "cp_level_before",
        "cp_score_I_after",
    ]
    for name in names:
        assert "units" in ds[name].attrs and ds[name].attrs["long_name"], name
    assert ds["npv"].attrs["units"] == "CNY"
    assert ds["payback_years"].attrs["units"] == "yr"
    assert ds["annual_saving_total"].attrs["units"] == "CNY/yr"
    assert ds.attrs["audit_tier_cuts"] == [pytest.approx(1 / 3), pytest.approx(2 / 3)]
    assert ds.attrs["finance_benchmark_rate"] == RATE
    assert ds.attrs["scenario"] == "appraisal-tiny"  # the run's attrs survive the merge


def test_netcdf_round_trip_and_report_from_the_file(ds, tmp_path):
    path = write_dataset(ds, tmp_path / "results.nc")
    with xr.open_dataset(path) as back:
        back.load()
    assert str(back["screening_reason"].sel(project="P4").values).startswith("payback 19.2")
    assert str(back["cp_level_after"].sel(enterprise="E1").values) == "I"
    assert float(back["subsidy"].sel(project="P3")) == 1_000_000
    page = render_report(back)  # the report needs nothing but the file
    for heading in NEW_SECTIONS:
        assert f"<h2>{heading}</h2>" in page, heading


def test_add_appraisal_keeps_the_run_attributes(ds):
    base = ds.drop_vars([v for v in ds.data_vars if v not in ("selected", "capex")])
    extra = xr.Dataset(attrs={"irr_scope": "x"})
    merged = add_appraisal(base, extra)
    assert merged.attrs["scenario"] == "appraisal-tiny" and merged.attrs["irr_scope"] == "x"


# --------------------------------------------------------------------------- report


def test_report_has_every_section_and_stays_self_contained(ds):
    page = render_report(ds)
    for heading in NEW_SECTIONS:
        assert f"<h2>{heading}</h2>" in page, heading
    assert page.count("plotly.js v") == 1  # embedded once
    assert re.search(r"<script[^>]*\bsrc\s*=", page) is None  # nothing loaded from anywhere
    # 4 run figures + 2 audit figures + the why-not figure (P6 is left out)
    assert page.count("Plotly.newPlot(") == 7
    assert 'id="fig-rights_value"' in page and 'id="fig-intensity_tiers"' in page
    for expected in (
        "payback 19.2 yr &gt; 3 yr ceiling for medium-cost options",
        "needs more public money",
        "housekeeping",  # the option done at once
        "rinse_water_l_per_m2: 40 -&gt; 8 (P1)",
        "90,000",  # E1 COD transfer value
        "1,035.00",  # E1 COD lease value
        "(2) energy 357.15 tce/yr &gt; quota 300 tce/yr",
        "2.63",  # P1 payback, yr
    ):
        assert expected in page, expected
    # headings come in the order of the brief, after the run's own sections
    positions = [page.index(f"<h2>{h}</h2>") for h in NEW_SECTIONS]
    assert positions == sorted(positions)
    assert page.index("<h2>Chosen projects") < positions[0]


def test_report_without_cp_data_leaves_the_cp_section_out(tmp_path):
    scenario = yaml.safe_load(yaml.safe_dump(SCENARIO))
    del scenario["enterprises"][0]["cp_index"], scenario["enterprises"][0]["indicators"]
    del scenario["projects"][0]["indicators"]
    page = render_report(run(tmp_path, scenario).dataset)
    assert "<h2>Cleaner-production level</h2>" not in page
    assert "<h2>Project economics</h2>" in page
    assert page.count("plotly.js v") == 1


def test_long_tables_are_cut_with_a_note(ds, monkeypatch):
    import model.report.html as page_blocks
    import model.report.page as report

    monkeypatch.setattr(page_blocks, "ROW_LIMIT", 2)
    page = report.render_report(ds)
    assert "Showing the first 2 of 4 chosen projects; results.nc holds all of them." in page
    assert "Showing the first 2 of 3 enterprises (highest priority first)" in page
