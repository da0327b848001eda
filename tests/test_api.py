"""The public Python API (`import model`, model/api*.py, docs/api.md).

* Importing `model`, `python -m model.run --help` and runs that stop at bad input load
  no optimiser, xarray, Plotly, pandas or numpy (checked in a subprocess's sys.modules).
* The command line and the notebooks import only `model` itself (checked on their
  source: on the main branch before the API, both imported internal modules).
* The functions on a tiny park whose answers are worked out by hand:

  E01 emits COD 10 t, E02 SO2 20 t; P1 (E01) removes COD 4 t for 1.0 M CNY, P2 (E01)
  COD 3 t for 0.6 M, P3 (E02) SO2 5 t for 0.8 M. Pollution equivalents (EP Tax Law
  annex 2): COD 1 kg/eq -> 1000 eq/t, SO2 0.95 kg/eq -> 1052.63 eq/t; so P1 4000 eq,
  P2 3000 eq, P3 5263.16 eq. Minimising pollution with a budget of B:
  B = 0.5 M: nothing fits, 0 eq; 1.0 M: P3 alone, 5263.16; 1.5 M: P2 + P3 (1.4 M),
  8263.16 (P1 + P2 and P1 + P3 cost 1.6 and 1.8 M); 2.0 M: P1 + P3 (1.8 M), 9263.16
  (all three cost 2.4 M).
"""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
import xarray as xr
from test_cli import run_cli

import model

ROOT = Path(__file__).resolve().parents[1]
SO2_EQ_PER_T = 1000 / 0.95

TINY: dict[str, Any] = {
    "name": "tiny-park",
    "horizon": {"start": 2024, "end": 2024},
    "enterprises": [
        {"id": "E01", "baseline": {"emissions": {"COD": 10.0}}},
        {"id": "E02", "baseline": {"emissions": {"SO2": 20.0}}},
    ],
    "projects": [
        {"id": "P1", "owner": "E01", "capex": 1_000_000, "reduces": {"COD": 4.0}},
        {"id": "P2", "owner": "E01", "capex": 600_000, "reduces": {"COD": 3.0}},
        {"id": "P3", "owner": "E02", "capex": 800_000, "reduces": {"SO2": 5.0}},
    ],
    "budget": {"total": 1_500_000},
    "objective": {"minimize": "pollution"},
}

HEAVY = ("pyomo", "highspy", "xarray", "plotly", "pandas", "numpy", "scipy", "dask")


# --- what is loaded when ----------------------------------------------------------------------

_PROBE = """
import json, runpy, sys
args, heavy_names = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
sys.argv = ["python -m model.run", *args]
code = 0
try:
    runpy.run_module("model.run", run_name="__main__", alter_sys=True)
except SystemExit as end:
    code = end.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & heavy_names)
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _probe(args: list[str], cwd: Path) -> dict:
    """Run the command line as `python -m model.run ARGS` does, in a fresh interpreter,
    and return its exit code and which heavy packages it imported."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_model_loads_nothing_heavy() -> None:
    code = f"import sys, model; print(sorted(set(sys.modules) & set({HEAVY!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["scenarios/demo_park.yaml", "--set", "budget.total=-1"],
        ["scenarios/demo_park.yaml", "--time-limit", "-5"],
        ["scenarios/demo_park.yaml", "--frontier", "x"],
        ["no_such_file.yaml"],
    ],
)
def test_help_and_bad_input_load_no_optimiser(args: list[str], tmp_path: Path) -> None:
    found = _probe([*args, "--out", str(tmp_path / "out")], ROOT)
    assert found["code"] == (0 if args == ["--help"] else 2)
    # Scenario tables are read column-wise with pandas (model/input/table_files.py), so
    # loading a scenario loads numpy and pandas; never the optimiser, xarray or Plotly.
    allowed = set() if args == ["--help"] else {"numpy", "pandas"}
    assert set(found["heavy"]) - allowed == set(), found["heavy"]
    assert not (tmp_path / "out").exists()


# --- only the public API in the command line and the notebooks -------------------------------


def internal_imports(source: str) -> list[str]:
    """Imports of ParkCP's internal modules in `source`: anything from model.<x> or
    solvers; `import model` and `from model import name` (a public name) are fine."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "model":
                names += [f"model.{a.name}" for a in node.names if a.name not in model.__all__]
        else:
            continue
        found += [
            name for name in names if name.startswith(("model.", "solvers")) or name == "solvers"
        ]
    return found


def test_the_import_reader_finds_internal_imports() -> None:
    source = (
        "import model\nfrom model import solve, write\nimport numpy\n"
        "def f():\n    from model.pipeline import run_scenario\n"
        "import solvers.base\nfrom model import pipeline\n"
    )
    assert sorted(internal_imports(source)) == ["model.pipeline", "model.pipeline", "solvers.base"]


def _sources() -> list[tuple[str, str]]:
    found = [("model/run.py", (ROOT / "model" / "run.py").read_text(encoding="utf-8"))]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        found.append((str(path.relative_to(ROOT)), code))
    return found


@pytest.mark.parametrize("name,source", _sources(), ids=[name for name, _ in _sources()])
def test_cli_and_notebooks_use_only_the_public_api(name: str, source: str) -> None:
    assert internal_imports(source) == [], f"{name} imports internal modules"


def test_public_names_resolve_and_are_documented() -> None:
    packages = {path.parent.name for path in (ROOT / "model").glob("*/__init__.py")}
    modules = {path.stem for path in (ROOT / "model").glob("*.py")}
    for name in model.__all__:
        assert name not in packages | modules, f"model.{name} would be hidden by a module"
        value = getattr(model, name)
        if name != "__version__":
            assert value.__doc__ and len(value.__doc__) > 40, name
    with pytest.raises(AttributeError):
        model.no_such_name  # noqa: B018


# --- the functions on the tiny park ------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny() -> model.LoadedScenario:
    return model.load(TINY)


@pytest.fixture(scope="module")
def solved(tiny) -> model.Result:
    return model.solve(tiny)


def test_load_from_a_mapping_equals_the_file(tiny, tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    from_file = model.load(path)
    assert from_file.input_hash == tiny.input_hash
    assert from_file.scenario == tiny.scenario


def test_overrides_as_a_mapping_or_as_set_texts() -> None:
    data = copy.deepcopy(TINY)
    as_mapping = model.load(data, set={"budget.total": 2.0e6, "projects[P2].capex": 7e5})
    as_texts = model.load(TINY, set=["budget.total=2.0e6", "projects[P2].capex=7e5"])
    assert as_mapping.input_hash == as_texts.input_hash
    assert as_mapping.scenario.budget.total == 2.0e6
    assert as_mapping.scenario.projects[1].capex == 7e5
    assert data == TINY  # the caller's mapping is not changed


def test_bad_input_is_one_input_error() -> None:
    with pytest.raises(model.InputError) as caught:
        model.load(TINY, set={"budget.total": -1})
    assert str(caught.value) == (
        "<scenario mapping>: budget.total: must be >= 0 (from set budget.total=-1)"
    )
    with pytest.raises(model.InputError) as caught:
        model.settings(model.load(TINY), mip_gap=-1)
    assert str(caught.value) == "settings: mip_gap: must be in [0, 1), e.g. 1e-4 for 0.01 %"


def test_solve_finds_the_hand_worked_portfolio(solved) -> None:
    assert solved.ok and solved.status == "optimal"
    assert sorted(solved.portfolio["id"]) == ["P2", "P3"]
    avoided = float(
        solved.dataset["pollution_eq_baseline"].sum() - solved.dataset["pollution_eq"].sum()
    )
    assert avoided == pytest.approx(3000 + 5 * SO2_EQ_PER_T, rel=1e-6)
    assert {"compile", "build", "solve", "results"} <= set(solved.timings)


def test_an_infeasible_scenario_is_a_result_with_problems() -> None:
    data = copy.deepcopy(TINY)
    data["targets"] = {"park_caps": {"COD": 4.0}}  # 6 t of COD out: P1 + P2, 1.6 M > 1.5 M
    result = model.solve(model.load(data))
    assert not result.ok and result.status == "infeasible" and result.dataset is None
    assert result.problems and any("budget" in line for line in result.problems)
    assert result.portfolio.empty


def test_budget_sweep_buys_the_hand_worked_amounts(solved) -> None:
    sweep = model.budget_sweep(solved, 0.5e6, 2.0e6, 4)
    assert sweep.attrs["study"] == "budget_sweep"
    np.testing.assert_allclose(sweep["budget"].values, [0.5e6, 1.0e6, 1.5e6, 2.0e6])
    expected = [0.0, 5 * SO2_EQ_PER_T, 3000 + 5 * SO2_EQ_PER_T, 4000 + 5 * SO2_EQ_PER_T]
    np.testing.assert_allclose(sweep["pollution_avoided"].values, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(sweep["capex"].values, [0, 0.8e6, 1.4e6, 1.8e6], atol=1e-3)


def test_frontier_is_a_study_dataset(solved) -> None:
    front = model.frontier(solved, 3)
    assert front.attrs["study"] == "frontier" and front.sizes["point"] >= 1
    best = float(np.nanmax(front["pollution_avoided"].values))  # no energy in the tiny park
    assert best == pytest.approx(3000 + 5 * SO2_EQ_PER_T, rel=1e-6)


def test_figures_of_a_run_and_of_a_study(solved) -> None:
    figs = model.figures(solved)
    assert {"reductions_by_enterprise", "portfolio"} <= set(figs)
    assert all(hasattr(fig, "to_plotly_json") for fig in figs.values())
    sweep = model.budget_sweep(solved, 1.0e6, 2.0e6, 2)
    assert model.figures(sweep)
    assert "tiny-park" in model.summary(solved)


def test_write_gives_the_files_of_the_command_line(solved, tmp_path: Path) -> None:
    sweep = model.budget_sweep(solved, 0.5e6, 2.0e6, 4)
    written = model.write(solved, tmp_path / "api", studies=[sweep])
    folder = tmp_path / "api" / "tiny-park"
    assert written[-1] == folder / "manifest.json"
    assert all(path.parent == folder and path.is_file() for path in written)

    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(json.dumps(TINY), encoding="utf-8")  # JSON is YAML
    cli = run_cli(
        str(scenario),
        "--out",
        str(tmp_path / "cli"),
        "--budget-sweep",
        "0.5e6:2e6:4",
        "--quiet",
        cwd=tmp_path,
    )
    assert cli.returncode == 0, cli.stderr
    by_cli = tmp_path / "cli" / "tiny-park"
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in by_cli.iterdir())
    for name in ("selected_projects.csv", "budget_priority.csv", "budget_levels.csv"):
        assert (folder / name).read_text() == (by_cli / name).read_text(), name
    ours = model.read_dataset(folder / "results.nc")
    theirs = model.read_dataset(by_cli / "results.nc")
    varying = ("created", "scenario_file", "time_", "solver_seconds")
    for ds in (ours, theirs):
        ds.attrs = {k: v for k, v in ds.attrs.items() if not k.startswith(varying)}
    xr.testing.assert_identical(ours, theirs)
    again = model.read_dataset(folder / "results.nc")
    assert again.attrs["time_total_s"] >= again.attrs["time_report_s"] > 0
