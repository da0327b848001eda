"""HJ 274-2015 park indicators per unit of industrial value added (docs/results.md,
"Eco-industrial park indicators"), checked by hand on a two-enterprise park.

The park: E1 burns 100 t coal and emits 2 t COD and 1 t SO2; E2 uses 1,000 MWh and
emits 1 t COD; value added 100 + 300 = 400 x 10^4 CNY/yr. One project at E1 saves 50 t
coal and removes 1 t COD; the budget buys it. Factors of model/reference/carriers.csv
(GB/T 2589-2020): coal 0.7143 tce/t and 1.9003 t CO2/t, electricity 0.1229 tce/MWh
(equivalent value) and 0.5366 t CO2/MWh. By hand:

* energy per VA: before (71.43 + 122.9) / 400 = 0.485825, after (35.715 + 122.9) / 400 =
  0.3965375 tce per 10^4 CNY, change 0.3965375 / 0.485825 - 1 = -0.183785;
* CO2 per VA: before (190.03 + 536.6) / 400 = 1.816575, after (95.015 + 536.6) / 400 =
  1.5790375 t per 10^4 CNY;
* COD per VA: 3,000 kg / 400 = 7.5 before, 2,000 / 400 = 5.0 after (change -1/3);
* SO2 per VA: 1,000 / 400 = 2.5 before and after (the project does not touch SO2),
  change 0; NH3N and NOx are not tracked, so not listed; nor is wastewater.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model.input.loading import load_scenario
from model.pipeline import run_scenario
from model.report.eco_section import eco_indicators_html
from model.results.eco_dataset import eco_table

SCENARIO = {
    "name": "eco",
    "horizon": {"start": 2021, "end": 2021},
    "enterprises": [
        {
            "id": "E1",
            "sector": "chemicals",
            "value_added": 100,
            "baseline": {"emissions": {"COD": 2.0, "SO2": 1.0}, "energy": {"coal": 100}},
        },
        {
            "id": "E2",
            "sector": "paper",
            "value_added": 300,
            "baseline": {"emissions": {"COD": 1.0}, "energy": {"electricity": 1000}},
        },
    ],
    "projects": [
        {"id": "P1", "owner": "E1", "capex": 10, "reduces": {"COD": 1.0}, "saves": {"coal": 50}}
    ],
    "budget": {"total": 100},
}


def run(tmp_path: Path, scenario: dict):
    path = tmp_path / "eco.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return run_scenario(load_scenario(path)).dataset


def test_indicators_by_hand(tmp_path):
    ds = run(tmp_path, SCENARIO)
    table = eco_table(ds)
    assert list(table.index) == [
        "energy_per_value_added",
        "co2_per_value_added",
        "COD_per_value_added",
        "SO2_per_value_added",
    ]
    expected = {
        "energy_per_value_added": (0.485825, 0.3965375),
        "co2_per_value_added": (1.816575, 1.5790375),
        "COD_per_value_added": (7.5, 5.0),
        "SO2_per_value_added": (2.5, 2.5),
    }
    for indicator, (before, after) in expected.items():
        row = table.loc[indicator]
        assert (row["before"], row["after"]) == pytest.approx((before, after), rel=1e-9)
    assert table.loc["energy_per_value_added", "change"] == pytest.approx(-0.183785, abs=1e-6)
    assert table.loc["COD_per_value_added", "change"] == pytest.approx(-1 / 3)
    assert table.loc["SO2_per_value_added", "change"] == 0
    assert ds.attrs["value_added_total"] == 400
    # no HJ 274 threshold is verified: NaN with the status, never an invented number
    assert table["threshold"].isna().all()
    assert set(table["threshold_status"]) == {"threshold unverified"}
    assert table.loc["energy_per_value_added", "reference"] == 0.35
    assert "tanpaifang.com" in table.loc["co2_per_value_added", "reference_source"]


def test_report_section(tmp_path):
    text = "".join(eco_indicators_html(run(tmp_path, SCENARIO)))
    assert "Eco-industrial park indicators (HJ 274-2015)" in text
    assert "threshold unverified" in text
    assert "0.486" in text and "0.397" in text and "-18.4%" in text


def test_without_value_added_nothing_is_computed_and_the_report_says_why(tmp_path):
    scenario = yaml.safe_load(yaml.safe_dump(SCENARIO))
    del scenario["enterprises"][1]["value_added"]
    ds = run(tmp_path, scenario)
    assert eco_table(ds).empty
    assert ds.attrs["value_added_missing"] == "E2"
    text = "".join(eco_indicators_html(ds))
    assert "Not computed: 1 enterprise lacks value_added" in text


def test_the_demo_park_has_value_added_and_output_value_for_every_enterprise():
    loaded = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "demo_park.yaml")
    for enterprise in loaded.scenario.enterprises:
        assert enterprise.output_value and enterprise.value_added, enterprise.id
        assert "ASSUMPTION" in (enterprise.source or ""), enterprise.id
