"""The briefing of a run: which limits are met, binding or not met
(model/results/limit_status.py), the headline, and what keeps a left-out project out
(model/optimise/whynot.py `structural_reason`), on a park small enough to work by hand.

The park (test_cli.BASE with a cap, a target and a budget of 180): E1 emits 10 t COD
(permit 8), E2 20 t. E1-P1 (100 CNY) removes 4 t COD from E1, E2-P1 (80 CNY) 9 t from
E2, E1-P2 (50 CNY) 0.005 t Cr6 and 100 MWh. COD is 1 kg per equivalent, Cr6 0.02 kg:
9 t COD = 9,000 eq beats 0.005 t Cr6 = 250 eq, and E1-P1 is needed for the permit, so
the optimum is {E1-P1, E2-P1} at exactly 180 CNY. Hand-worked:

* budget: 180 of 180, room 0 -> binding;
* permit E1 COD: 10 - 4 = 6 t against 8 t -> met, room 2 t;
* park cap COD 17 t: 30 - 13 = 17 t -> binding;
* reduction target COD 40 %: at most 0.6 x 30 = 18 t, reached 17 t -> met, room 1 t.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
import yaml
from test_cli import BASE

from model.input.loading import load_scenario
from model.optimise.whynot import structural_reason
from model.pipeline import run_scenario
from model.report.briefing import limits_sentence
from model.report.html import FOLD_AFTER, table_html
from model.report.text import summary_text
from model.results.limit_status import limit_status_table


def _scenario(tmp_path, **changes):
    data = copy.deepcopy(BASE)
    data["budget"] = {"total": 180.0}
    data["targets"] = {"park_caps": {"COD": 17.0}, "reduction": {"COD": 0.4}}
    data.update(changes)
    path = tmp_path / "park.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_scenario(path)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    result = run_scenario(_scenario(tmp_path_factory.mktemp("brief")))
    assert result.result.status == "optimal"
    return result


def test_limit_status_by_hand(outcome) -> None:
    table = limit_status_table(outcome.dataset).set_index(["limit", "subject"])
    expected = {
        ("budget", "total capex"): (180.0, 180.0, 0.0, "binding"),
        ("permit", "E1 COD"): (6.0, 8.0, 2.0, "met"),
        ("park cap", "COD"): (17.0, 17.0, 0.0, "binding"),
        ("reduction target 40%", "COD"): (17.0, 18.0, 1.0, "met"),
    }
    assert set(table.index) == set(expected)
    for key, (value, bound, slack, status) in expected.items():
        row = table.loc[key]
        assert (row["value"], row["bound"]) == pytest.approx((value, bound))
        assert row["slack"] == pytest.approx(slack, abs=1e-9)
        assert row["status"] == status


def test_a_missed_soft_permit_is_not_met(tmp_path) -> None:
    data = _scenario(tmp_path).merged
    data["targets"] = {"permits": "soft"}
    data["budget"] = {"total": 50.0}  # E1-P1 (100) no longer affordable: 10 t > 8 t
    path = tmp_path / "soft.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    table = limit_status_table(run_scenario(load_scenario(path)).dataset)
    row = table[(table["limit"] == "permit") & (table["subject"] == "E1 COD")].iloc[0]
    assert row["status"] == "not met" and row["slack"] == pytest.approx(-2.0)
    ok, sentence = limits_sentence(table)
    assert not ok and sentence.startswith("1 of 2 limits are not met (permit (E1 COD))")


def test_summary_says_what_binds_in_words_first(outcome) -> None:
    text = summary_text(outcome.dataset)
    words = text.split("\n\n")[1]
    assert "Projects chosen: 2 of 3" in words
    assert "Capex used: 180 CNY of a 180 CNY budget (100.0%)" in words
    assert "Limits: All 4 limits are met; 2 bind" in words
    assert "budget (total capex), park cap (COD)" in words
    assert text.rstrip().splitlines()[-2].startswith("Solver: highs")  # solver last


def test_structural_reasons_are_computed(outcome) -> None:
    park = outcome.park
    ids = list(park.project_ids)
    p1, p2, q1 = ids.index("E1-P1"), ids.index("E1-P2"), ids.index("E2-P1")
    x = np.zeros(park.n_projects)
    x[p1] = 1.0
    grouped = replace(park, exclusive_groups={"g": np.array([p1, p2])})
    assert structural_reason(grouped, x, p2) == "exclusive with E1-P1 (group g, chosen)"
    needs = replace(park, prerequisites=[(p2, q1)])
    assert structural_reason(needs, x, p2) == "needs E2-P1 first, which is not chosen"
    assert structural_reason(park, x, p2) == ""  # it has a gain: only money keeps it out
    # E1-P1 removes all 10 t of E1's COD; E1-P2 now only removes 3 t more COD of E1
    cod = list(park.pollutant_ids).index("COD")
    reduces = np.zeros((park.n_projects, len(park.pollutant_ids)))
    reduces[p1, cod], reduces[p2, cod], reduces[q1, cod] = 10.0, 3.0, 9.0
    saturated = replace(park, reduces=sp.csr_array(reduces), saves=sp.csr_array(park.saves.shape))
    assert structural_reason(saturated, x, p2).startswith("adds nothing on top of")
    assert structural_reason(saturated, x, q1) == ""  # E2's COD is still there


def test_long_tables_fold_after_the_first_rows() -> None:
    rows = [[f"P{i}", str(i)] for i in range(FOLD_AFTER + 5)]
    page = table_html(["project", "value"], rows, numeric_from=1, what="projects")
    shown, folded = page.split("<details", 1)
    assert shown.count("<tr>") == FOLD_AFTER + 1  # header + the first rows
    assert f"All {FOLD_AFTER + 5} projects" in folded
    assert folded.count("<tr>") == FOLD_AFTER + 5 + 1
    short = table_html(["project", "value"], rows[:3], numeric_from=1)
    assert "<details" not in short and short.count("<tr>") == 4


def test_why_not_option_prints_the_table(tmp_path) -> None:
    """BASE at 200 CNY: E1-P1 (needed for the permit) and E2-P1 are chosen for 180 CNY;
    E1-P2 (50 CNY) is left out, so `--why-not 1` prints one row for it."""
    from test_cli import run_cli, write

    scenario = write(tmp_path / "park.yaml", BASE)
    proc = run_cli(str(scenario), "--why-not", "1", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("Why not selected")[1]
    rows = [line.split() for line in table.splitlines()[3:] if line.strip()]
    assert rows[0][:2] == ["E1-P2", "exact"]
