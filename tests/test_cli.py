"""The command line as a user meets it: run as a subprocess, exit codes, messages, files.

Bad input: exit 2, exactly one line on stderr that names the file and the key path, no
traceback, and no output folder. Infeasible: exit 3 with the enterprise, pollutant and
amount. Solved: exit 0 and the three files.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
import yaml

ROOT = Path(__file__).resolve().parents[1]

BASE = {
    "name": "cli-park",
    "horizon": {"start": 2021, "end": 2021},
    "enterprises": [
        {
            "id": "E1",
            "sector": "electroplating",
            "baseline": {"emissions": {"COD": 10.0, "Cr6": 0.01}, "energy": {"electricity": 800}},
            "permit": {"COD": 8.0},
        },
        {"id": "E2", "sector": "paper", "baseline": {"emissions": {"COD": 20.0}}},
    ],
    "projects": [
        {"id": "E1-P1", "owner": "E1", "capex": 100.0, "reduces": {"COD": 4.0}},
        {
            "id": "E1-P2",
            "owner": "E1",
            "capex": 50.0,
            "reduces": {"Cr6": 0.005},
            "saves": {"electricity": 100},
        },
        {"id": "E2-P1", "owner": "E2", "capex": 80.0, "reduces": {"COD": 9.0}},
    ],
    "budget": {"total": 200.0},
    "solver": {"mip_gap": 0.0},
}


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "model.run", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def write(path: Path, data: dict | str) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def mutated(change) -> dict:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    change(data)
    return data


# (case id, scenario content or mutation, extra CLI args, text the message must contain)
BAD_INPUTS = [
    ("yaml-syntax", "name: x\nhorizon: {start: 2021\n", [], "scenario.yaml"),
    ("top-level-list", "- a\n- b\n", [], "scenario.yaml"),
    (
        "unknown-pollutant",
        lambda d: d["projects"][0]["reduces"].update({"CODD": 1.0}),
        [],
        "projects[0] (id E1-P1).reduces.CODD",
    ),
    (
        "did-you-mean",
        lambda d: d["projects"][0]["reduces"].update({"CODD": 1.0}),
        [],
        "did you mean 'COD'",
    ),
    (
        "unknown-carrier",
        lambda d: d["projects"][1]["saves"].update({"electricty": 1}),
        [],
        "projects[1] (id E1-P2).saves.electricty",
    ),
    (
        "negative-capex",
        lambda d: d["projects"][2].update({"capex": -5}),
        [],
        "projects[2] (id E2-P1).capex",
    ),
    (
        "misspelt-key",
        lambda d: d["projects"][0].update({"capx": 5}),
        [],
        "projects[0] (id E1-P1).capx",
    ),
    ("duplicate-project", lambda d: d["projects"][1].update({"id": "E1-P1"}), [], "projects[1]"),
    (
        "unknown-owner",
        lambda d: d["projects"][2].update({"owner": "E9"}),
        [],
        "projects[2] (id E2-P1).owner",
    ),
    (
        "unknown-requires",
        lambda d: d["projects"][0].update({"requires": ["NOPE"]}),
        [],
        "projects[0] (id E1-P1).requires",
    ),
    (
        "unknown-sector",
        lambda d: d["enterprises"][0].update({"sector": "plating"}),
        [],
        "enterprises[0] (id E1).sector",
    ),
    (
        "permit-unknown-pollutant",
        lambda d: d["enterprises"][0]["permit"].update({"XX": 1}),
        [],
        "enterprises[0] (id E1).permit.XX",
    ),
    (
        "bad-permit-mode",
        lambda d: d.update({"targets": {"permits": "hrad"}}),
        [],
        "targets.permits",
    ),
    (
        "bad-objective",
        lambda d: d.update({"objective": {"minimize": "money"}}),
        [],
        "objective.minimize",
    ),
    (
        "reduction-over-one",
        lambda d: d.update({"targets": {"reduction": {"COD": 1.5}}}),
        [],
        "targets.reduction.COD",
    ),
    (
        "capacity-not-park",
        lambda d: d["projects"][0].update({"capacity": 10}),
        [],
        "projects[0] (id E1-P1).capacity",
    ),
    ("missing-horizon", lambda d: d.pop("horizon"), [], "horizon"),
    (
        "capex-not-number",
        lambda d: d["projects"][0].update({"capex": "lots"}),
        [],
        "projects[0] (id E1-P1).capex",
    ),
    ("bad-set-path", None, ["--set", "budget.totl=5"], "budget.totl"),
    ("bad-named-scenario", None, ["--scenario", "nope"], "scenarios"),
    ("bad-budget-sweep", None, ["--budget-sweep", "0:abc"], "--budget-sweep"),
    ("bad-frontier", None, ["--frontier", "many"], "--frontier"),
    ("negative-time-limit", None, ["--time-limit", "-5"], "--time-limit: must be > 0"),
    ("zero-workers", None, ["--workers", "0"], "workers"),
]


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_exit_2_one_line_no_output(tmp_path, content, args, expected) -> None:
    if content is None:
        data: dict | str = BASE
    elif callable(content):
        data = mutated(content)
    else:
        data = content
    scenario = write(tmp_path / "scenario.yaml", data)
    out = tmp_path / "out"
    proc = run_cli(str(scenario), "--out", str(out), *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in proc.stderr
    assert expected in lines[0], lines[0]
    from_command_line = ("--budget-sweep", "--frontier", "--time-limit", "--workers")
    if not (args and args[0] in from_command_line):
        assert "scenario.yaml" in lines[0]
    assert not out.exists(), "bad input must not write anything"


def test_missing_file_exit_2(tmp_path) -> None:
    proc = run_cli(str(tmp_path / "nowhere.yaml"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "nowhere.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_solved_run_writes_files_and_summary(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    proc = run_cli(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "out" / "cli-park"
    for name in ("results.nc", "selected_projects.csv", "summary.html"):
        assert (folder / name).stat().st_size > 0
    # By hand: budget 200; E1 must go from 10 to <= 8 t COD, so E1-P1 (4 t, 100) is
    # forced; the remaining 100 buys E2-P1 (9 t COD = 9,000 eq, 80) rather than E1-P2
    # (0.005 t Cr6 = 250 eq + 12.29 tce, 50).
    with xr.open_dataset(folder / "results.nc") as ds:
        chosen = set(ds["project"].values[ds["selected"].isel(year=0).values > 0.5])
        assert chosen == {"E1-P1", "E2-P1"}
        assert float(ds["emissions"].sel(enterprise="E1", pollutant="COD").isel(year=0)) == (
            pytest.approx(6.0)
        )
        assert ds.attrs["status"] == "optimal"
    assert "Projects chosen: 2 of 3" in proc.stdout
    # the summary is the first thing printed (no solver banner or log before it)
    assert proc.stdout.splitlines()[0].startswith("Scenario cli-park: solved to optimality")


def test_named_scenario_and_set_change_the_answer(tmp_path) -> None:
    data = mutated(lambda d: d.update({"scenarios": {"rich": {"budget.total": 1000}}}))
    scenario = write(tmp_path / "scenario.yaml", data)
    out = tmp_path / "out"
    proc = run_cli(str(scenario), "--scenario", "rich", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(out / "cli-park-rich" / "results.nc") as ds:
        assert int((ds["selected"].values > 0.5).sum()) == 3
    proc = run_cli(str(scenario), "--set", "budget.total=100", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(out / "cli-park" / "results.nc") as ds:
        assert set(ds["project"].values[ds["selected"].isel(year=0).values > 0.5]) == {"E1-P1"}


def test_infeasible_permit_explained_exit_3(tmp_path) -> None:
    # E1's projects can remove at most 4 t of its 10 t COD: a 5 t permit is out of reach.
    data = mutated(lambda d: d["enterprises"][0]["permit"].update({"COD": 5.0}))
    scenario = write(tmp_path / "scenario.yaml", data)
    proc = run_cli(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 3
    assert "E1 COD permit 5 t/yr cannot be met" in proc.stderr
    assert "leave 6 t/yr" in proc.stderr and "short by 1 t/yr" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_infeasible_budget_names_the_least_cost(tmp_path) -> None:
    # Each permit alone is reachable, but together they need E1-P1 (100, E1's only COD
    # project) and E2-P1 (80, E2's only one): 180 CNY, 30 more than the budget of 150.
    # Without E1's permit 80 would do (saves 100); without E2's, 100 (saves 80).
    def change(d: dict) -> None:
        d["enterprises"][1]["permit"] = {"COD": 12.0}
        d["budget"]["total"] = 150.0

    scenario = write(tmp_path / "scenario.yaml", mutated(change))
    proc = run_cli(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.splitlines() == [
        "scenario 'cli-park' is infeasible:",
        "error: budget 150 CNY is too small: the cheapest portfolio that meets every permit "
        "costs 180 CNY (30 CNY more). Limits that force this, with what dropping each one "
        "alone would save: E1 COD permit 8 t/yr (100 CNY), E2 COD permit 12 t/yr (80 CNY)",
    ]
    assert not (tmp_path / "out").exists()


def test_demo_budget_too_small_names_the_least_extra_money(tmp_path) -> None:
    """`--set budget.total=1e8` on the demo: the least net capex of a portfolio meeting
    every other limit, computed here by scipy.optimize.milp on arrays built from the
    compiled park (tests/milp_reference.py, not the ParkCP model), is what the message
    must name, and the difference to 100 M CNY is the money missing. (main said: misses
    the budget by 7.2961e+08 CNY.)"""
    from milp_reference import least_net_capex

    from model.appraise.economics import attach_economics
    from model.compile.compile import compile_park
    from model.input.loading import load_scenario

    demo = ROOT / "scenarios" / "demo_park.yaml"
    loaded = load_scenario(demo, None, ["budget.total=1e8"])
    park = attach_economics(compile_park(loaded.scenario, loaded.registry), loaded.scenario)
    least = least_net_capex(park)
    assert least is not None and least > 1e8

    out = tmp_path / "out"
    proc = run_cli(str(demo), "--set", "budget.total=1e8", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
    found = re.search(
        r"error: budget 100\.0 M CNY is too small: the cheapest portfolio that meets every "
        r"permit, cap and target costs ([\d,.]+) M CNY \(([\d,.]+) M CNY more\)\. Limits "
        r"that force this, with what dropping each one alone would save: (.*)",
        proc.stderr,
    )
    assert found, proc.stderr
    cost, more = (float(found.group(i).replace(",", "")) * 1e6 for i in (1, 2))
    assert abs(cost - least) <= 0.05e6  # within the rounding to 0.1 M CNY
    assert abs(more - (least - 1e8)) <= 0.05e6
    # the targets that the least-cost portfolio is there to meet, most forcing first
    assert found.group(3).startswith("park NOx reduction target 30.0% (")


def test_multi_year_plan_names_the_year(tmp_path) -> None:
    """The hand-worked plan M of tests/test_diagnose.py through the command line."""
    from test_diagnose import DECLARED, PLAN_M

    data = {"name": "plan-m", "horizon": {"start": 2024, "end": 2025}, **DECLARED, **PLAN_M}
    scenario = write(tmp_path / "plan.yaml", data)
    proc = run_cli(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.splitlines()[1:] == [
        "error: budget for 2025 30 CNY is too small: to meet every other limit it must be "
        "at least 40 CNY (10 CNY more). Limits that force this, with what dropping each one "
        "alone would save: E1 X permit 6 t/yr in 2025 (50 CNY)"
    ]


def test_unknown_solver_exit_4(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    proc = run_cli(
        str(scenario), "--solver", "no_such_solver", "--out", str(tmp_path / "o"), cwd=tmp_path
    )
    assert proc.returncode == 4
    assert "no_such_solver" in proc.stderr and "Traceback" not in proc.stderr


def test_budget_sweep_through_cli(tmp_path) -> None:
    scenario = write(tmp_path / "scenario.yaml", BASE)
    out = tmp_path / "out"
    proc = run_cli(str(scenario), "--budget-sweep", "100:230:3", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(out / "cli-park" / "budget_sweep.nc") as ds:
        assert ds.sizes["point"] == 3
        # By hand: at 100 only E1-P1 fits with the permit; at 165 E1-P1 + E2-P1 (180)
        # does not fit, so E1-P1 + E1-P2 (150); at 230 all three.
        assert ds["capex"].values.tolist() == [100.0, 150.0, 230.0]
    assert (out / "cli-park" / "budget_priority.csv").exists()


def test_shipped_infeasible_demo_explains_itself(tmp_path) -> None:
    """The numbers were worked out from the demo tables (scenarios/demo_park_infeasible.yaml
    header): EP03's best mist option leaves 0.004 x 0.15 = 0.0006 t/yr."""
    proc = run_cli(
        str(ROOT / "scenarios" / "demo_park_infeasible.yaml"),
        "--out",
        str(tmp_path / "out"),
        cwd=tmp_path,
    )
    assert proc.returncode == 3
    assert (
        "EP03 chromic_acid_mist permit 0.0004 t/yr cannot be met: all its projects "
        "together leave 0.0006 t/yr"
    ) in proc.stderr
    assert "park NOx cap 500 t/yr cannot be met" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_file_overrides_change_one_table_row(tmp_path) -> None:
    base = write(tmp_path / "base.yaml", BASE)
    variant = write(
        tmp_path / "variant.yaml",
        f"extends: {base.name}\nname: variant\noverrides:\n"
        "  projects[E2-P1].capex: 1000\n  enterprises[E1].permit.COD: 9.5\n",
    )
    proc = run_cli(str(variant), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(tmp_path / "out" / "variant" / "results.nc") as ds:
        # E2-P1 now costs 1000 > budget: E1-P1 (permit) + E1-P2 are chosen instead
        assert float(ds["capex"].sel(project="E2-P1")) == 1000.0
        assert float(ds["permit"].sel(enterprise="E1", pollutant="COD")) == 9.5
        chosen = set(ds["project"].values[ds["selected"].isel(year=0).values > 0.5])
        assert chosen == {"E1-P1", "E1-P2"}
