"""model/appraise/finance.py against published and hand-computed figures.

* The two worked examples of the CP-audit training material (https://m.wenke99.com/p-5292127.html
  and http://www.360docs.net/doc/5b4875868.html), to the
  published rounding.
* IRR from numpy_financial against an independent brentq root of the NPV function on 200
  random projects.
* The annual saving of a tiny park worked out by hand (prices and tax rates from
  model/reference: electricity 700 CNY/MWh; COD 1 kg per equivalent, 1.4 CNY per
  equivalent; hazardous waste 1000 CNY/t; emission rights of COD 20,000 CNY/t transfer
  and 230 CNY/t/yr lease, Zhuzhou 2016 price list).
* Cost classes at their boundaries, screening reasons, subsidies with caps, the
  break-even subsidy and the additionality ranking, all by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from model.appraise.economics import appraise
from model.appraise.feasibility import feasibility, irr_brentq
from model.appraise.finance import (
    annual_saving,
    benchmark_rate,
    cost_class,
    implement_at_once,
    privately_profitable,
    project_effects,
    right_prices,
    screen,
)
from model.appraise.public_money import additionality, break_even_subsidy, subsidy_amounts
from model.compile.compile import compile_park
from model.compile.park import ParkData
from model.input.reference import default_right_prices
from model.input.registry import build_registry
from model.input.schema import CostClasses, Finance, Scenario, Screening

# ----------------------------------------------------------------- worked examples (1.4)


def test_worked_example_1() -> None:
    """I = 150, P = 40 (10^4 CNY), Y = 10, tax 30 %, i = 5 %: D = 15, T = 25, E = 17.5,
    F = 32.5, N = 4.6 yr, NPV = 100.96, IRR = 17.26 %."""
    t = feasibility(150.0, 40.0, 10, 0.30, 0.05)
    assert t.depreciation[0] == pytest.approx(15.0)
    assert t.taxable_profit[0] == pytest.approx(25.0)
    assert t.net_profit[0] == pytest.approx(17.5)
    assert t.cash_flow[0] == pytest.approx(32.5)
    assert round(t.payback[0], 1) == 4.6
    assert round(t.payback[0], 3) == 4.615
    assert round(t.npv[0], 2) == 100.96
    assert t.npvr[0] == pytest.approx(t.npv[0] / 150.0)
    assert round(100 * t.irr[0], 2) == 17.26


def test_worked_example_2() -> None:
    """I = 10, P = 1.58 (10^4 CNY), Y = 10, tax 25 %, i = 6 %: F = 1.435, N = 6.97 yr,
    NPV = 0.56, IRR = 7.17 %."""
    t = feasibility([10.0], [1.58], [10], 0.25, 0.06)
    assert t.cash_flow[0] == pytest.approx(1.435)
    assert round(t.payback[0], 2) == 6.97
    assert round(t.npv[0], 2) == 0.56
    assert round(100 * t.irr[0], 2) == 7.17


def test_worked_examples_vectorised_and_frame() -> None:
    t = feasibility([150.0, 10.0], [40.0, 1.58], 10, [0.30, 0.25], [0.05, 0.06])
    frame = t.to_frame(["ex1", "ex2"])
    assert list(frame.index) == ["ex1", "ex2"]
    assert frame.loc["ex2", "cash_flow"] == pytest.approx(1.435)
    assert round(frame.loc["ex1", "npv"], 2) == 100.96
    assert len(t) == 2


def test_negative_taxable_profit_gets_a_tax_credit() -> None:
    """T < 0 is taxed as given: I = 100, P = 5, Y = 10, tax 25 %: D = 10, T = -5,
    E = -3.75 (not -5), F = 6.25."""
    t = feasibility(100.0, 5.0, 10, 0.25, 0.0)
    assert t.net_profit[0] == pytest.approx(-3.75)
    assert t.cash_flow[0] == pytest.approx(6.25)
    assert t.npv[0] == pytest.approx(10 * 6.25 - 100)


# ----------------------------------------------------------------- IRR and edge cases


def test_irr_numpy_financial_matches_brentq_on_random_projects() -> None:
    rng = np.random.default_rng(20240611)
    n = 200
    capex = 10 ** rng.uniform(3, 8, n)
    payback = rng.uniform(0.3, 40.0, n)  # I / F: some IRRs negative (Y * F < I)
    years = rng.integers(1, 41, n)
    tax = rng.uniform(0.0, 0.4, n)
    flow_target = capex / payback
    # choose P so that F = P (1 - tax) + tax I / Y equals the target cash flow
    saving = (flow_target - tax * capex / years) / (1 - tax)
    t = feasibility(capex, saving, years, tax, 0.08)
    np.testing.assert_allclose(t.cash_flow, flow_target, rtol=1e-12)
    reference = np.array(
        [irr_brentq(i, f, y) for i, f, y in zip(capex, t.cash_flow, years, strict=True)]
    )
    assert np.all(np.isfinite(t.irr))
    assert np.any(t.irr < 0) and np.any(t.irr > 0.2)
    np.testing.assert_allclose(t.irr, reference, rtol=0, atol=1e-8)
    # and NPV at the IRR is zero (relative to the investment)
    for i, f, y, r in zip(capex, t.cash_flow, years, t.irr, strict=True):
        npv = sum(f / (1 + r) ** j for j in range(1, y + 1)) - i
        assert abs(npv) / i < 1e-8


def test_irr_brentq_one_year() -> None:
    """One year: -I + F/(1+r) = 0 gives r = F/I - 1."""
    assert irr_brentq(100.0, 110.0, 1) == pytest.approx(0.10, abs=1e-12)
    assert irr_brentq(100.0, 90.0, 1) == pytest.approx(-0.10, abs=1e-12)
    assert math.isnan(irr_brentq(100.0, 0.0, 5))
    assert math.isnan(irr_brentq(0.0, 10.0, 5))


def test_payback_infinite_and_irr_missing_when_cash_flow_not_positive() -> None:
    # F = P (1 - tax) + tax I / Y: (a) -7.5 + 2.5 = -5; (b) P = 0, tax 0: F = 0;
    # (c) no investment and F > 0: payback 0, NPVR and IRR undefined
    t = feasibility([100.0, 100.0, 0.0], [-10.0, 0.0, 3.0], 10, [0.25, 0.0, 0.25], 0.08)
    assert t.cash_flow[0] == pytest.approx(-5.0)
    assert t.cash_flow[1] == 0.0
    assert np.isinf(t.payback[0]) and np.isinf(t.payback[1])
    assert np.isnan(t.irr[0]) and np.isnan(t.irr[1]) and np.isnan(t.irr[2])
    assert t.payback[2] == 0.0
    assert np.isnan(t.npvr[2])
    assert t.npv[1] == pytest.approx(-100.0)
    assert t.npvr[0] < -1


def test_zero_rate_npv_is_plain_sum() -> None:
    t = feasibility(100.0, 30.0, 5, 0.0, 0.0)
    assert t.npv[0] == pytest.approx(5 * 30 - 100)


def test_feasibility_refuses_bad_life_and_capex() -> None:
    with pytest.raises(ValueError, match="life_years"):
        feasibility(100.0, 10.0, 0, 0.25, 0.08)
    with pytest.raises(ValueError, match="life_years"):
        feasibility(100.0, 10.0, 2.5, 0.25, 0.08)
    with pytest.raises(ValueError, match="capex"):
        feasibility(-1.0, 10.0, 10, 0.25, 0.08)


def test_without_irr() -> None:
    t = feasibility([150.0], [40.0], 10, 0.3, 0.05, with_irr=False)
    assert np.isnan(t.irr[0]) and round(t.npv[0], 2) == 100.96


# ----------------------------------------------------------------- annual saving


def tiny_park(**finance_free: object) -> tuple[Scenario, ParkData]:
    """One enterprise; P1 saves 100 MWh, removes 2 t COD, adds 1 t hazardous waste,
    costs 5,000 CNY/yr more to run; P2 saves 10 t of an unpriced new carrier and removes
    3 t of an untaxed new pollutant; P3 removes 1 t SO2 and 0.5 t NH3N, 20 years."""
    data = {
        "name": "tiny",
        "horizon": {"start": 2024, "end": 2024},
        "pollutants": {"VOCs": {"medium": "air"}},
        "carriers": {"steam_x": {"unit": "t", "tce_per_unit": 0.1}},
        "enterprises": [
            {
                "id": "E01",
                "baseline": {
                    "emissions": {"COD": 10, "hazardous_waste": 5, "VOCs": 5, "SO2": 4},
                    "energy": {"electricity": 1000},
                },
            }
        ],
        "projects": [
            {
                "id": "P1",
                "owner": "E01",
                "capex": 400000,
                "opex_change": 5000,
                "lifetime": 10,
                "saves": {"electricity": 100},
                "reduces": {"COD": 2, "hazardous_waste": -1},
            },
            {
                "id": "P2",
                "owner": "E01",
                "capex": 50000,
                "saves": {"steam_x": 10},
                "reduces": {"VOCs": 3},
            },
            {
                "id": "P3",
                "owner": "E01",
                "capex": 2.0e6,
                "lifetime": 20,
                "category": "desulfurisation",
                "reduces": {"SO2": 1, "NH3N": 0.5},
            },
        ],
        **finance_free,
    }
    scenario = Scenario.model_validate(data)
    return scenario, compile_park(scenario, build_registry(scenario))


def test_annual_saving_by_hand() -> None:
    """P1: 100 MWh x 700 = 70,000; COD 2 t x 1000 eq/t x 1.4 = 2,800; hazardous waste
    -1 t x 1000 = -1,000; opex +5,000: total 66,800.
    P3: SO2 1 t x (1000/0.95) eq/t x 1.2 = 1,263.16; NH3N 0.5 t x 1250 x 1.4 = 875."""
    _, park = tiny_park()
    s = annual_saving(park)
    j = park.project_ids.index("P1")
    assert s.energy_cost_saved[j] == pytest.approx(70_000.0)
    assert s.opex_change[j] == pytest.approx(5_000.0)
    assert s.env_tax_saved[j] == pytest.approx(2_800.0 - 1_000.0)
    assert s.rights_value[j] == 0.0
    assert s.total[j] == pytest.approx(66_800.0)
    k = park.project_ids.index("P3")
    assert s.env_tax_saved[k] == pytest.approx(1000 / 0.95 * 1.2 + 0.5 * 1250 * 1.4)
    assert s.total[k] == pytest.approx(1000 / 0.95 * 1.2 + 875.0)
    # P2: unpriced carrier and untaxed pollutant count 0, with notes
    p2 = park.project_ids.index("P2")
    assert s.total[p2] == 0.0
    assert any("steam_x" in note for note in s.notes)
    assert any("VOCs" in note for note in s.notes)
    frame = s.to_frame(park.project_ids)
    assert frame.loc["P1", "annual_saving"] == pytest.approx(66_800.0)


def test_annual_saving_without_env_tax() -> None:
    _, park = tiny_park()
    s = annual_saving(park, Finance(env_tax_saving=False))
    assert s.total[park.project_ids.index("P1")] == pytest.approx(70_000.0 - 5_000.0)
    assert np.all(s.env_tax_saved == 0)


def test_annual_saving_surplus_rights() -> None:
    """Lease: COD 2 t x 230 = 460 (the hazardous-waste increase has no price and only
    reductions count); transfer: 2 t x 20,000 / 10 yr = 4,000.
    P3 lease: SO2 1 x 200 + NH3N 0.5 x 260 = 330; transfer: (15,000 + 20,000) / 20 = 1,750."""
    _, park = tiny_park()
    p1, p3 = park.project_ids.index("P1"), park.project_ids.index("P3")
    lease = annual_saving(park, Finance(surplus_rights="lease"))
    assert lease.rights_value[p1] == pytest.approx(460.0)
    assert lease.rights_value[p3] == pytest.approx(330.0)
    assert lease.total[p1] == pytest.approx(66_800.0 + 460.0)
    transfer = annual_saving(park, Finance(surplus_rights="transfer"))
    assert transfer.rights_value[p1] == pytest.approx(4_000.0)
    assert transfer.rights_value[p3] == pytest.approx(1_750.0)
    custom = annual_saving(park, Finance(surplus_rights="lease"), {"COD": (np.nan, 1000.0)})
    assert custom.rights_value[p1] == pytest.approx(2_000.0)
    assert custom.rights_value[p3] == 0.0


def test_right_prices_defaults_and_overrides() -> None:
    assert default_right_prices() == {
        "COD": (20000.0, 230.0),
        "NH3N": (40000.0, 260.0),
        "SO2": (15000.0, 200.0),
        "NOx": (25000.0, 200.0),
    }
    scenario, _ = tiny_park(
        trading={
            "prices": {
                "COD": {"lease": 300},
                "SO2": {"transfer": None},
                "TP": {"transfer": 5000},
            }
        }
    )
    prices = right_prices(scenario.trading)
    assert prices["COD"] == (20000.0, 300.0)
    assert math.isnan(prices["SO2"][0]) and prices["SO2"][1] == 200.0
    assert prices["TP"][0] == 5000.0 and math.isnan(prices["TP"][1])
    assert prices["NH3N"] == (40000.0, 260.0)
    assert right_prices(None) == default_right_prices()
    assert right_prices(scenario.trading.prices) == prices


def test_project_effects() -> None:
    _, park = tiny_park()
    pe, tce = project_effects(park)
    p1, p3 = park.project_ids.index("P1"), park.project_ids.index("P3")
    assert pe[p1] == pytest.approx(2000.0)  # hazardous waste has no equivalent value
    assert pe[p3] == pytest.approx(1000 / 0.95 + 625.0)
    assert tce[p1] == pytest.approx(100 * 0.1229)
    assert tce[park.project_ids.index("P2")] == pytest.approx(1.0)


# ----------------------------------------------------------------- classes and screening


def test_cost_class_boundaries() -> None:
    classes = CostClasses(low_max=100_000, medium_max=5_000_000)
    capex = [0, 100_000, 100_000.01, 5_000_000, 5_000_000.01, 1e9]
    assert list(cost_class(capex, classes)) == [
        "no_low",
        "no_low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_screening_reasons() -> None:
    """Tax 0, so F = P.
    0: I 620,000, P 100,000, Y 10: N = 6.2 > 3 (medium); NPV at 8 % = 100,000 x 6.710081
       - 620,000 = 51,008 >= 0; IRR 9.8 % >= 8 %: fails payback only.
    1: I 50,000 (no/low, no ceiling), P 5,000, Y 5: N = 10; NPV = 19,964 - 50,000 < 0;
       IRR -19.40 % (5 x 5,000 < 50,000): fails NPV and IRR.
    2: I 8e6 (high), P -1,000: F < 0: payback never, NPV < 0, no IRR.
    3: I 0, P 1,000: passes everything (IRR unbounded).
    4: I 6e6 (high), P 1e6, Y 15: N = 6 <= 10: passes."""
    t = feasibility(
        [620_000, 50_000, 8e6, 0.0, 6e6],
        [100_000, 5_000, -1_000, 1_000, 1e6],
        [10, 5, 10, 3, 15],
        0.0,
        0.08,
    )
    classes = CostClasses(low_max=100_000, medium_max=5_000_000)
    rules = Screening(payback=True, npv=True, irr=True)
    passed, reasons = screen(t, classes, rules, 0.08)
    assert list(passed) == [False, False, False, True, True]
    assert reasons[0] == "payback 6.2 yr > 3 yr ceiling for medium-cost options"
    assert reasons[1] == "NPV -30,036 < 0 at 8 %; IRR -19.40 % < 8 % benchmark"
    assert reasons[2].startswith("payback never (annual cash flow -1,000 <= 0) > 10 yr ceiling")
    assert "NPV -8,006,710 < 0 at 8 %" in reasons[2]
    assert "no IRR" in reasons[2]
    assert reasons[3] == reasons[4] == ""
    # switched off: everything passes
    passed_off, reasons_off = screen(t, classes, Screening(), 0.08)
    assert passed_off.all() and not any(reasons_off)
    # only IRR, higher hurdle: project 0 (IRR 9.8 %) now fails
    irr_only, irr_reasons = screen(t, classes, Screening(irr=True), 0.12)
    assert list(irr_only) == [False, False, False, True, True]
    assert irr_reasons[0] == f"IRR {100 * t.irr[0]:.2f} % < 12 % benchmark"
    assert round(100 * t.irr[0], 1) == 9.8
    # a ceiling set for no/low-cost options applies to them
    strict = Screening(payback=True, payback_ceiling={"no_low": 2.0})
    passed_strict, strict_reasons = screen(t, classes, strict, 0.08)
    assert list(passed_strict) == [True, False, True, True, True]
    assert strict_reasons[1] == "payback 10.0 yr > 2 yr ceiling for no/low-cost options"


# ----------------------------------------------------------------- subsidies, additionality


def test_subsidy_amounts_with_cap() -> None:
    capex = [1e6, 1e7, 5e5, 2e6, 3e6]
    categories = ["carbon_regen", "carbon_regen", "coating_eop", None, "other"]
    rates = {"carbon_regen": 0.30, "coating_eop": 0.50}
    caps = {"carbon_regen": 2e6, "other": 1.0}
    got = subsidy_amounts(capex, categories, rates, caps)
    np.testing.assert_allclose(got, [3e5, 2e6, 2.5e5, 0.0, 0.0])


def test_privately_profitable_and_implement_at_once() -> None:
    t = feasibility([50_000, 50_000, 1e6], [20_000, 1_000, 400_000], 10, 0.25, 0.08)
    assert list(privately_profitable(t)) == [True, False, True]
    classes = CostClasses(low_max=100_000, medium_max=5_000_000)
    assert list(implement_at_once(t, classes)) == [True, False, False]


def test_break_even_subsidy() -> None:
    """Tax 0, rate 0: NPV(I') = Y P - I', so the grant needed is I - Y P.
    With tax and rate: feasibility at I - S* has NPV 0, and S* equals an independent
    root of NPV(own investment)."""
    t = feasibility([100.0, 200.0, 300.0], [20.0, 15.0, -1.0], 10, 0.0, 0.0)
    np.testing.assert_allclose(break_even_subsidy(t), [0.0, 50.0, np.inf])
    t2 = feasibility([1e6], [90_000.0], 12, 0.25, 0.08)
    need = break_even_subsidy(t2)[0]
    assert need > 0
    at_need = feasibility([1e6 - need], [90_000.0], 12, 0.25, 0.08)
    assert at_need.npv[0] == pytest.approx(0.0, abs=1e-6)
    own = brentq(lambda i: feasibility(i, 90_000.0, 12, 0.25, 0.08).npv[0], 0.0, 1e6)
    assert need == pytest.approx(1e6 - own, rel=1e-9)


def test_additionality_ranking_by_hand() -> None:
    """Tax 0, rate 0: NPV = 10 P - I.
    A: I 100, P 20: NPV 100, profitable anyway; grant 30; 1000 eq, 5 tce -> 33.3 eq and
       0.1667 tce per yuan.
    B: I 200, P 15: NPV -50; grant 60 -> own 140, NPV 10: profitable with subsidy; needs
       50; 3000 eq, 2 tce -> 50 eq and 0.0333 tce per yuan.
    C: I 300, P 10: NPV -200, no grant; needs 200.
    D: not selected.
    E: I 500, P 10: grant 100 -> NPV 100 - 400 = -300: needs more; needs 400; 500 eq,
       10 tce -> 5 eq and 0.1 tce per yuan.
    Ranks by eq per yuan: B 1, A 2, E 3; by tce per yuan: A 1, E 2, B 3."""
    ids = ["A", "B", "C", "D", "E"]
    t = feasibility(
        [100.0, 200.0, 300.0, 50.0, 500.0], [20.0, 15.0, 10.0, 50.0, 10.0], 10, 0.0, 0.0
    )
    frame = additionality(
        ids,
        np.array([1, 1, 1, 0, 1]),
        t,
        np.array([30.0, 60.0, 0.0, 10.0, 100.0]),
        np.array([1000.0, 3000.0, 10000.0, 1.0, 500.0]),
        np.array([5.0, 2.0, 1.0, 1.0, 10.0]),
    )
    assert list(frame.index) == ["B", "A", "E", "C"]
    assert frame.loc["A", "verdict"] == "profitable anyway"
    assert frame.loc["B", "verdict"] == "profitable with subsidy"
    assert frame.loc["C", "verdict"] == "needs public money, none granted"
    assert frame.loc["E", "verdict"] == "needs more public money"
    assert bool(frame.loc["A", "privately_profitable"]) is True
    assert not frame.loc[["B", "C", "E"], "privately_profitable"].any()
    np.testing.assert_allclose(
        frame.loc[["B", "A", "E", "C"], "npv_with_subsidy"], [10.0, 130.0, -300.0, -200.0]
    )
    np.testing.assert_allclose(
        frame.loc[["B", "A", "E", "C"], "subsidy_for_npv_zero"], [50.0, 0.0, 400.0, 200.0]
    )
    assert frame.loc["B", "pe_per_public_yuan"] == pytest.approx(50.0)
    assert frame.loc["A", "pe_per_public_yuan"] == pytest.approx(1000 / 30)
    assert frame.loc["E", "tce_per_public_yuan"] == pytest.approx(0.1)
    assert math.isnan(frame.loc["C", "pe_per_public_yuan"])
    assert list(frame.loc[["B", "A", "E"], "rank_pe_per_yuan"]) == [1, 2, 3]
    assert list(frame.loc[["A", "E", "B"], "rank_tce_per_yuan"]) == [1, 2, 3]
    assert frame["rank_pe_per_yuan"].isna().tolist() == [False, False, False, True]


# ----------------------------------------------------------------- one call


def test_appraise_tiny_park() -> None:
    scenario, park = tiny_park(
        discount_rate=0.06,
        finance={"income_tax_rate": 0.25, "screening": {"npv": True}},
        budget={"subsidy": {"rates": {"desulfurisation": 0.3}, "caps": {"desulfurisation": 5e5}}},
    )
    assert benchmark_rate(scenario) == 0.06
    frame, notes = appraise(
        park,
        scenario.finance,
        benchmark_rate(scenario),
        right_prices(scenario.trading),
        scenario.budget.subsidy,
    )
    assert list(frame.index) == ["P1", "P2", "P3"]
    assert frame.loc["P1", "annual_saving"] == pytest.approx(66_800.0)
    # P1: D 40,000; T 26,800; E 20,100; F 60,100
    assert frame.loc["P1", "cash_flow"] == pytest.approx(60_100.0)
    assert frame.loc["P1", "cost_class"] == "medium"
    assert frame.loc["P3", "subsidy"] == pytest.approx(5e5)  # 30 % of 2e6 = 6e5, capped
    assert not frame.loc["P3", "passes_screening"]
    assert frame.loc["P3", "screening_reasons"].startswith("NPV ")
    assert frame.loc["P2", "cost_class"] == "no_low"
    assert notes
    scenario_b, _ = tiny_park(finance={"benchmark_rate": 0.1})
    assert benchmark_rate(scenario_b) == 0.1
