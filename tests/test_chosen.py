"""One rule for "chosen" (model/appraise/evaluate.py): a project is chosen when its level
exceeds CHOSEN_THRESHOLD = 1e-6, wherever a portfolio is read (results tables, summary,
economics, why-not, studies, entry order).

The park below is worked out by hand. E1 emits 1,000 t/yr of COD (1 t = 1,000
pollution equivalents); the objective is the most COD removed with a budget of 103 CNY:

* A: binary, capex 100, removes 10 t;
* B: divisible, capex 100, removes 8 t;
* C: binary, capex 90, removes 1 t.

A alone removes 10 t and leaves 3 CNY, which buy 3 % of B (0.24 t): 10.24 t. Every other
portfolio removes less (B whole: 8 t; C + 13 % of B: 2.04 t; A + C costs 190). So the
optimum is A = 1, B = 0.03, C = 0: A and B are chosen, C is left out. Before the rule was
shared, the studies, the entry order and the why-not analysis counted a project as chosen
only above level 0.5, and so disagreed with the results about B.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from model.appraise.evaluate import CHOSEN_THRESHOLD, is_chosen
from model.input.loading import load_scenario
from model.pipeline import run_scenario
from model.report.text import summary_text
from model.results.appraisal_tables import economics_table, why_not_table
from model.results.summary_tables import selected_projects_table
from model.studies.budget import entry_order, run_budget_sweep
from model.studies.dataset import study_dataset

SCENARIO = {
    "name": "chosen-rule",
    "horizon": {"start": 2021, "end": 2021},
    "enterprises": [{"id": "E1", "baseline": {"emissions": {"COD": 1000.0}}}],
    "projects": [
        {"id": "A", "owner": "E1", "capex": 100.0, "reduces": {"COD": 10.0}},
        {"id": "B", "owner": "E1", "capex": 100.0, "reduces": {"COD": 8.0}, "divisible": True},
        {"id": "C", "owner": "E1", "capex": 90.0, "reduces": {"COD": 1.0}},
    ],
    "budget": {"total": 103.0},
    "objective": {"minimize": "pollution"},
    "solver": {"mip_gap": 0.0},
    "analysis": {"why_not_max_projects": 2},
}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    path = tmp_path_factory.mktemp("chosen") / "chosen.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    loaded = load_scenario(path)
    return loaded, run_scenario(loaded)


def test_the_rule_by_its_definition() -> None:
    levels = np.array([0.0, 1e-7, CHOSEN_THRESHOLD, 2e-6, 0.03, 0.5, 1.0])
    assert CHOSEN_THRESHOLD == 1e-6
    assert is_chosen(levels).tolist() == [False, False, False, True, True, True, True]


def test_the_optimum_is_the_one_worked_out_by_hand(outcome) -> None:
    _, run = outcome
    np.testing.assert_allclose(run.result.x, [1.0, 0.03, 0.0], atol=1e-9)


def test_results_summary_and_economics_count_the_partly_adopted_project(outcome) -> None:
    _, run = outcome
    ds = run.dataset
    assert list(selected_projects_table(ds)["id"]) == ["A", "B"]
    assert list(economics_table(ds)["project"]) == ["A", "B"]
    assert "Projects chosen: 2 of 3" in summary_text(ds)


def test_why_not_leaves_out_only_the_projects_not_chosen(outcome) -> None:
    _, run = outcome
    ds = run.dataset
    assert list(why_not_table(ds)["project"]) == ["C"]
    estimate = ds["subsidy_needed_lp_estimate"].to_series()
    assert np.isnan(estimate["A"]) and np.isnan(estimate["B"])  # both chosen: no estimate
    assert ds["why_not_note"].sel(project="B").item() == ""  # not a why-not candidate


def test_studies_and_entry_order_count_it_too(outcome) -> None:
    loaded, run = outcome
    points = run_budget_sweep(run.park, loaded.scenario.solver, np.array([103.0, 200.0]))
    np.testing.assert_allclose(points[0].x, [1.0, 0.03, 0.0], atol=1e-9)
    ds = study_dataset(run.park, points, "budget_sweep", {})
    assert ds["n_selected"].values.tolist() == [2.0, 2.0]  # at 200: A and B whole
    first, dropped = entry_order(points)
    assert first.tolist() == [0, 0, -1] and not dropped.any()
