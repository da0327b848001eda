"""Multi-year figures (model/report/timeline_section.py) and studies on a multi-year park, from
a tiny three-year scenario whose optimal plan is worked out by hand.

The park (factors: EP Tax Law annex 2 and GB/T 2589-2020 via the built-in registry:
COD 1 kg/eq -> 1000 eq/t, SO2 0.95 kg/eq -> 1052.63 eq/t, NH3N
0.8 kg/eq -> 1250 eq/t; electricity 0.1229 tce and 0.5366 tCO2 per MWh, raw coal
0.7143 tce and 1.9003 tCO2 per t):

* E1 emits COD 10 t/yr and SO2 4 t/yr, uses 1000 MWh/yr; COD permit 10 t in 2021 and
  5 t from 2022 (permits soft: the excess is reported).
* E2 emits NH3N 2 t/yr, uses 100 t/yr coal; NH3N permit 0.5 t (cannot be met).
* Park cap SO2: 4 t in 2021 and 2022, 2 t in 2023.
* P1 (E1): COD -4 t, capex 100, lead time 1.  P2 (E1): SO2 -2 t, capex 50.
  P3 (E2): NH3N -1 t, coal -20 t, capex 80.  P4 (E2): coal -60 t, capex 100.
* Budgets per year 100 / 60 / 100 CNY, no carry-over; discount rate 8 %.

The plan: P1 must start in 2021 to cut the 2022-2023 COD excess (4 t a year at the
penalty; nothing else is worth as much, and started later it would act too late or not
fit). 2022 has 60: only P2 (50) fits, and the 2023 SO2 cap of 2 t needs it. 2023 has
100: P3 (80) or P4 (100), not both; P3 also cuts the NH3N excess, so P3. Hence starts
P1 2021 (in effect 2022), P2 2022, P3 2023.
By year (t/yr): E1 COD 10, 6, 6; SO2 4, 2, 2; E2 NH3N 2, 2, 1; coal 100, 100, 80.
Pollution equivalents: 2021 10000 + 4210.53 + 2500 = 16710.53; 2022 6000 + 2105.26 + 2500
= 10605.26; 2023 6000 + 2105.26 + 1250 = 9355.26. tce: 122.9 + 71.43 = 194.33 in 2021
and 2022, 122.9 + 57.144 = 180.044 in 2023. Permit excess: 2021 NH3N 1.5 (1 pair);
2022 COD 1 + NH3N 1.5 = 2.5 (2 pairs); 2023 COD 1 + NH3N 0.5 = 1.5 (2 pairs).

The frontier and budget sweep run on the same park with hard permits; their points count
pollution equivalents and tce as the multi-year objective does (each year's avoided
amount, discounted), which is what the hand values in those tests use.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from model.appraise.evaluate import yearly_states
from model.compile.compile import compile_park
from model.input.loading import load_scenario
from model.input.run_options import FrontierStudy, SolverOptions
from model.input.schema import value_in_year
from model.optimise.solve import SolveResult
from model.pipeline import run_scenario
from model.report.figures.timeline_figures import timeline_figures
from model.report.timeline_section import timeline_section_html
from model.results.dataset import build_dataset
from model.results.plan_tables import available_by_year, plan_table
from model.studies.budget import run_budget_sweep
from model.studies.runner import frontier_points

EXACT = SolverOptions(mip_gap=0.0)
YEARS = [2021, 2022, 2023]


def tiny_plan(permits: str = "soft", carry_over: bool = False, horizon=(2021, 2023)) -> dict:
    return {
        "name": "tiny-plan",
        "horizon": {"start": horizon[0], "end": horizon[1]},
        "discount_rate": 0.08,
        "enterprises": [
            {
                "id": "E1",
                "baseline": {"emissions": {"COD": 10, "SO2": 4}, "energy": {"electricity": 1000}},
                "permit": {"COD": {2021: 10, 2022: 5}},
            },
            {
                "id": "E2",
                "baseline": {"emissions": {"NH3N": 2}, "energy": {"coal": 100}},
                "permit": {"NH3N": 0.5},
            },
        ],
        "projects": [
            {"id": "P1", "owner": "E1", "capex": 100, "lead_time": 1, "reduces": {"COD": 4}},
            {"id": "P2", "owner": "E1", "capex": 50, "reduces": {"SO2": 2}},
            {
                "id": "P3",
                "owner": "E2",
                "capex": 80,
                "reduces": {"NH3N": 1},
                "saves": {"coal": 20},
            },
            {"id": "P4", "owner": "E2", "capex": 100, "saves": {"coal": 60}},
        ],
        "budget": {
            "per_year": {2021: 100, 2022: 60, 2023: 100},
            "carry_over": carry_over,
        },
        "targets": {"permits": permits, "park_caps": {"SO2": {2021: 4, 2023: 2}}},
        "objective": {"minimize": "weighted", "weights": {"pollution": 1.0, "energy": 1.0}},
        "solver": {"mip_gap": 0.0},
    }


def load(tmp_path: Path, data: dict):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_scenario(path)


@pytest.fixture(scope="module")
def plan_ds(tmp_path_factory):
    outcome = run_scenario(load(tmp_path_factory.mktemp("plan"), tiny_plan()))
    assert outcome.result.status == "optimal"
    return outcome.dataset


def test_dataset_holds_the_hand_worked_plan(plan_ds) -> None:
    assert plan_ds["start_year"].values.tolist() == [2021, 2022, 2023, -1]
    np.testing.assert_allclose(plan_ds["capex_used"].values, [100, 50, 80])
    cod = plan_ds["emissions"].sel(enterprise="E1", pollutant="COD").values
    np.testing.assert_allclose(cod, [10, 6, 6])


def test_timeline_has_one_bar_per_started_project_at_its_start_year(plan_ds) -> None:
    fig = timeline_figures(plan_ds)["implementation_timeline"]
    bars = {trace.name: trace for trace in fig.data}
    lead, effect = bars["started, not yet in effect (lead time)"], bars["in effect"]
    # lead part: only P1, from the start of 2021 to the start of 2022
    assert list(lead.y) == ["P1"]
    assert lead.base[0] == pytest.approx(2020.5)
    assert lead.x[0] == pytest.approx(1.0)
    # in effect: P1 from 2022, P2 from 2022, P3 from 2023, each to the end of 2023
    starts = dict(zip(effect.y, effect.base, strict=True))
    assert starts == pytest.approx({"P1": 2021.5, "P2": 2021.5, "P3": 2022.5})
    ends = {p: b + x for p, b, x in zip(effect.y, effect.base, effect.x, strict=True)}
    assert ends == pytest.approx({"P1": 2023.5, "P2": 2023.5, "P3": 2023.5})
    # each started project appears once per phase, none that was not started
    assert sorted(set(lead.y) | set(effect.y)) == ["P1", "P2", "P3"]
    assert len(effect.y) == len(set(effect.y)) == 3
    # the bar begins in the start year: the earliest base of a project is start - 0.5
    first = {}
    for trace in fig.data:
        for p, b in zip(trace.y, trace.base, strict=True):
            first[p] = min(first.get(p, np.inf), b)
    assert {p: b + 0.5 for p, b in first.items()} == {"P1": 2021, "P2": 2022, "P3": 2023}
    # sorted by start year; the hover names the capex and the year in effect
    assert list(fig.layout.yaxis.categoryarray) == ["P1", "P2", "P3"]
    p1 = list(effect.y).index("P1")
    assert effect.customdata[p1][2] == pytest.approx(100.0)
    assert str(effect.customdata[p1][4]) == "2022"
    table = plan_table(plan_ds)
    assert table["effect_from"].tolist() == [2022, 2022, 2023]


def test_capex_per_year_sums_to_capex_used_and_budget_line(plan_ds) -> None:
    fig = timeline_figures(plan_ds)["spending_by_year"]
    bars = [trace for trace in fig.data if trace.type == "bar"]
    stacked = np.sum([np.asarray(trace.y, dtype=float) for trace in bars], axis=0)
    np.testing.assert_allclose(stacked, plan_ds["capex_used"].values)
    np.testing.assert_allclose(stacked, [100, 50, 80])  # by hand: P1, P2, P3
    budget = next(trace for trace in fig.data if trace.name == "budget of the year")
    np.testing.assert_allclose(budget.y, [100, 60, 100])
    assert all(trace.name != "available with carry-over" for trace in fig.data)


def test_available_money_with_carry_over(tmp_path) -> None:
    """With carry-over, available(t) = budgets up to t - spending before t."""
    ds = run_scenario(load(tmp_path, tiny_plan(carry_over=True))).dataset
    spent = ds["capex_used"].values
    expected = np.cumsum([100, 60, 100]) - np.concatenate([[0.0], np.cumsum(spent)[:-1]])
    np.testing.assert_allclose(available_by_year(ds), expected)
    fig = timeline_figures(ds)["spending_by_year"]
    line = next(trace for trace in fig.data if trace.name == "available with carry-over")
    np.testing.assert_allclose(line.y, expected)
    assert np.all(np.cumsum(spent) <= np.cumsum([100, 60, 100]) + 1e-6)


def test_trajectories_equal_dataset_sums_by_year(plan_ds) -> None:
    figs = timeline_figures(plan_ds)
    by_name = lambda fig: {trace.name: trace for trace in fig.data}  # noqa: E731

    caps = by_name(figs["emissions_vs_caps"])
    so2 = plan_ds["emissions"].sel(pollutant="SO2").sum("enterprise").values
    np.testing.assert_allclose(caps["park emissions"].y, so2)
    np.testing.assert_allclose(caps["park emissions"].y, [4, 2, 2])  # by hand
    np.testing.assert_allclose(caps["park cap"].y, [4, 4, 2, 2])  # 2022 keeps 2021's cap
    assert caps["park cap"].line.dash == "dash"

    pollution = figs["pollution_by_year"]
    stacked = np.sum([trace.y for trace in pollution.data if trace.type == "bar"], axis=0)
    np.testing.assert_allclose(
        stacked, plan_ds["pollution_eq"].sum(["enterprise", "pollutant"]).values
    )
    np.testing.assert_allclose(stacked, [16710.526, 10605.263, 9355.263], rtol=1e-6)
    baseline = by_name(pollution)["baseline (all media)"]
    np.testing.assert_allclose(baseline.y, [16710.526, 16710.526], rtol=1e-6)

    energy = by_name(figs["energy_co2_by_year"])
    np.testing.assert_allclose(
        energy["park energy"].y, plan_ds["energy_tce"].sum(["enterprise", "carrier"]).values
    )
    np.testing.assert_allclose(energy["park energy"].y, [194.33, 194.33, 180.044], rtol=1e-9)
    np.testing.assert_allclose(
        energy["park CO2"].y, [1000 * 0.5366 + 100 * 1.9003] * 2 + [536.6 + 80 * 1.9003]
    )

    compliance = by_name(figs["compliance_by_year"])
    np.testing.assert_allclose(compliance["pairs over their permit"].y, [1, 2, 2])
    np.testing.assert_allclose(compliance["total excess (t/yr)"].y, [1.5, 2.5, 1.5])
    np.testing.assert_allclose(
        compliance["total excess (t/yr)"].y,
        plan_ds["permit_excess"].sum(["enterprise", "pollutant"]).values,
    )


def test_titles_carry_units(plan_ds) -> None:
    units = {
        "implementation_timeline": "CNY",
        "spending_by_year": "CNY",
        "emissions_vs_caps": "t/yr",
        "pollution_by_year": "pollution equivalents/yr",
        "energy_co2_by_year": "tCO2/yr",
        "compliance_by_year": "t/yr",
    }
    figs = timeline_figures(plan_ds)
    assert list(figs) == list(units)
    for name, unit in units.items():
        assert unit in figs[name].layout.title.text, name


def test_section_html_lists_projects_by_start_year(plan_ds) -> None:
    text = timeline_section_html(plan_ds)
    assert text.startswith("<h2>Implementation plan 2021-2023</h2>")
    assert "<figure" not in text and "plotly" not in text.lower()
    rows = text.split("<tr>")[2:]  # after the header row
    assert len(rows) == 3
    assert "<td>2021</td>" in rows[0] and "P1" in rows[0] and "100" in rows[0]
    assert "P2" in rows[1] and "P3" in rows[2] and "P4" not in text
    assert "discounted at 8 %" in text
    assert "within that year" in text  # no carry-over


def test_divisible_project_started_in_steps(tmp_path) -> None:
    """A hand-made plan: P1 in 2021; P4 (made divisible) 0.25 in 2021 and 0.75 in 2022.
    One bar for P4 from 2021, in effect from 2021; its capex falls 25 / 75 in the two
    years; E2's coal is 100 - 60 * 0.25 = 85 t in 2021 and 40 t from 2022."""
    data = tiny_plan()
    data["projects"][3]["divisible"] = True
    loaded = load(tmp_path, data)
    park = compile_park(loaded.scenario, loaded.registry)
    starts = np.array([[1, 0, 0, 0.25], [0, 0, 0, 0.75], [0, 0, 0, 0]], dtype=float)
    yearly = yearly_states(park, starts)
    result = SolveResult(
        "optimal", "hand-made", "none", x=starts.sum(axis=0), starts=starts, objective=0.0
    )
    ds = build_dataset(park, result, yearly[-1], {"merged": loaded.merged}, yearly)
    figs = timeline_figures(ds)

    effect = next(t for t in figs["implementation_timeline"].data if t.name == "in effect")
    p4 = list(effect.y).index("P4")
    assert effect.base[p4] == pytest.approx(2020.5)
    assert effect.customdata[p4][2] == pytest.approx(100.0)  # capex spent over the plan
    assert effect.customdata[p4][6] == "2021: 0.25, 2022: 0.75"
    bars = [t for t in figs["spending_by_year"].data if t.type == "bar"]
    np.testing.assert_allclose(np.sum([t.y for t in bars], axis=0), [125, 75, 0])
    energy = next(t for t in figs["energy_co2_by_year"].data if t.name == "park energy")
    np.testing.assert_allclose(energy.y, [122.9 + 85 * 0.7143] + [122.9 + 40 * 0.7143] * 2)
    rows = timeline_section_html(ds).split("<tr>")[2:]
    assert "P1, P4 (level 0.25)" in rows[0]
    assert "P4 (level 0.75)" in rows[1]
    assert '<td>2022</td><td class="num">0</td>' in rows[1]  # no project first started


def test_one_year_dataset_gives_no_figures(tmp_path) -> None:
    data = tiny_plan(permits="soft", horizon=(2021, 2021))
    data["budget"] = {"total": 300}
    data["enterprises"][0]["permit"] = {"COD": 5}
    data["targets"]["park_caps"] = {"SO2": 4}
    ds = run_scenario(load(tmp_path, data)).dataset
    assert ds.sizes["year"] == 1
    assert timeline_figures(ds) == {}
    assert timeline_section_html(ds) == ""


# ------------------------------------------------------------------ studies, multi-year


@pytest.fixture(scope="module")
def study_park(tmp_path_factory):
    """Hard permits (COD 6 t from 2022, so P1 must start in 2021; no NH3N permit) and
    carry-over: by 2023 the park has had 260, so after P1 (100) and P2 (50, needed for
    the 2023 SO2 cap) it can add P3 (80) or P4 (100), not both: P3 is better for
    pollution, P4 for energy."""
    data = tiny_plan(permits="hard", carry_over=True)
    data["enterprises"][0]["permit"] = {"COD": {2021: 10, 2022: 6}}  # P1 meets it from 2022
    data["enterprises"][1]["permit"] = {}  # E2's NH3N permit could never hold
    loaded = load(tmp_path_factory.mktemp("study"), data)
    return compile_park(loaded.scenario, loaded.registry)


def _dominates(a, b) -> bool:
    return a.pollution_avoided > b.pollution_avoided + 1e-6 and a.tce_saved > b.tce_saved + 1e-6


def test_frontier_on_a_multi_year_park(study_park) -> None:
    assert study_park.multi_year
    points = frontier_points(study_park, EXACT, FrontierStudy(method="grid", points=4))
    assert len(points) >= 2
    assert not any(_dominates(a, b) for a in points for b in points)
    pe = [p.pollution_avoided for p in points]
    tce = [p.tce_saved for p in points]
    # the extremes: best pollution has P3 (NH3N 1 t = 1250 eq), best energy has P4
    best_pe, best_tce = points[int(np.argmax(pe))], points[int(np.argmax(tce))]
    assert best_pe.x[2] == 1 and best_pe.x[3] == 0
    assert best_tce.x[3] == 1 and best_tce.x[2] == 0
    # by hand: a multi-year point counts each year's avoided amount discounted at 8 %
    # (objective.horizon total). P1 (COD 4 t = 4000 eq) and P2 (SO2 2 t = 2105.26 eq) act
    # in 2022 and 2023, P3 (NH3N 1 t = 1250 eq, coal 20 t = 14.286 tce) or P4 (coal 60 t
    # = 42.858 tce) in 2023 only
    d1, d2 = 1 / 1.08, 1 / 1.08**2
    assert best_pe.pollution_avoided == pytest.approx((4000 + 2000 / 0.95) * (d1 + d2) + 1250 * d2)
    assert best_pe.tce_saved == pytest.approx(20 * 0.7143 * d2)
    assert best_tce.tce_saved == pytest.approx(60 * 0.7143 * d2)


def test_budget_sweep_on_a_multi_year_park(study_park) -> None:
    budgets = np.array([150.0, 200.0, 230.0, 400.0])
    points = run_budget_sweep(study_park, EXACT, budgets)
    assert [p.budget for p in points] == budgets.tolist()
    assert all(p.status == "optimal" for p in points)
    pe = np.array([p.pollution_avoided for p in points])
    assert np.all(np.diff(pe) >= -1e-6)
    # by hand: P1 (forced by the 2022 COD permit) and P2 (forced by the 2023 SO2 cap) cost
    # 150; P3 (80) fits from 230 on; P3 and P4 together never fit the per-year money (260)
    d1, d2 = 1 / 1.08, 1 / 1.08**2
    for point in points[:2]:
        np.testing.assert_allclose(point.x, [1, 1, 0, 0])
        assert point.pollution_avoided == pytest.approx((4000 + 2000 / 0.95) * (d1 + d2))
    for point in points[2:]:
        np.testing.assert_allclose(point.x, [1, 1, 1, 0])
    assert all(p.capex <= b + 1e-6 for p, b in zip(points, budgets, strict=True))


# ------------------------------------------------------------------ the shipped plan

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "scenarios" / "demo_plan_2021_2023.yaml"


def test_plan_lead_times_follow_the_documented_rule() -> None:
    """The plan's `overrides:` give lead time 1 to exactly the shared facilities and the
    projects of >= 20 M CNY (docs/multi-year.md); every other value is the demo's own,
    and the no_lead_times variant restores the demo table."""
    plan = load_scenario(PLAN).scenario
    demo = load_scenario(REPO / "scenarios" / "demo_park.yaml").scenario
    for mine, theirs in zip(plan.projects, demo.projects, strict=True):
        big = mine.owner == "park" or mine.capex >= 20e6
        assert mine.lead_time == (1 if big else 0), mine.id
        assert mine.model_dump(exclude={"lead_time"}) == theirs.model_dump(exclude={"lead_time"})
    assert sum(p.lead_time for p in plan.projects) == 15
    plain = load_scenario(PLAN, scenario_name="no_lead_times").scenario
    assert all(p.lead_time == 0 for p in plain.projects)


def test_demo_plan_meets_every_limit_in_every_year() -> None:
    """The shipped plan solves and its result keeps every limit of every year, checked
    from the Dataset against the scenario's own numbers."""
    loaded = load_scenario(PLAN)
    scenario = loaded.scenario
    outcome = run_scenario(loaded)
    assert outcome.result.has_solution and outcome.result.status in ("optimal", "time_limit")
    ds = outcome.dataset
    years = ds["year"].values.tolist()
    assert years == [2021, 2022, 2023]
    # money: cumulative spending within cumulative budgets (carry-over) and the total
    budgets = np.array([scenario.budget.per_year[y] for y in years])
    spent = ds["capex_used"].values
    assert np.all(np.cumsum(spent) <= np.cumsum(budgets) * (1 + 1e-9))
    assert spent.sum() <= scenario.budget.total * (1 + 1e-9)
    # hard permits hold in every year
    assert float(ds["permit_excess"].max()) <= 1e-6
    # park caps and reductions, year by year
    park_after = ds["emissions"].sum("enterprise")
    park_before = ds["emissions_baseline"].sum("enterprise")
    for t, year in enumerate(years):
        for pollutant, cap in scenario.targets.park_caps.items():
            limit = value_in_year(cap, year)
            assert float(park_after.sel(pollutant=pollutant)[t]) <= limit + 1e-6
        for pollutant, share in scenario.targets.reduction.items():
            before = float(park_before.sel(pollutant=pollutant))
            after = float(park_after.sel(pollutant=pollutant)[t])
            assert before - after >= value_in_year(share, year) * before - 1e-6
        saved = float(ds["energy_tce_baseline"].sum() - ds["energy_tce"][t].sum())
        target = value_in_year(scenario.targets.energy_reduction, year)
        assert saved >= target * float(ds["energy_tce_baseline"].sum()) - 1e-6
    # lead times: a project with lead time 1 is not in effect in its start year
    table = plan_table(ds)
    lead = ds["lead_time"].sel(project=list(table["id"])).values
    expected = np.where(table["start_year"] + lead <= years[-1], table["start_year"] + lead, -1)
    np.testing.assert_array_equal(table["effect_from"], expected)
    assert (lead > 0).any()
    fig = timeline_figures(ds)["implementation_timeline"]
    assert set().union(*(set(trace.y) for trace in fig.data)) == set(table["id"])
