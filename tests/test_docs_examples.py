"""The examples in README.md and docs/*.md do what the text next to them says.

* Every `--set budget.total=B` command on the demo park in README.md or docs/*.md either
  says it shows an infeasible run (a comment with "infeasible" on its line) and then B is
  below the least net capex meeting every other limit, or B is at least that much. The
  least net capex is computed by tests/milp_reference.py (scipy.optimize.milp on the
  compiled park's arrays), not by ParkCP's model, so no solve of the demo is needed.
* The small complete example of docs/scenario-format.md, section 1, solves (exit 0),
  also with its `tight` variant.
* The worked example of docs/api.md runs: its ```python blocks, in order, in one
  namespace, from a folder that has the repository's scenarios/; it solves the demo to
  optimality within the budget it sets, and writes the files it says (marked slow:
  about a minute; benchmarks/run_slow.sh runs it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from milp_reference import least_net_capex
from test_cli import run_cli

from model.appraise.economics import attach_economics
from model.compile.compile import compile_park
from model.input.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DEMO_BUDGET = re.compile(
    r"model\.run scenarios/demo_park\.yaml[^\n#]*--set budget\.total=([0-9.e+]+)[^\n#]*(#[^\n]*)?"
)


def budget_examples() -> list[tuple[str, float, bool]]:
    """(file, budget, says infeasible) for every demo budget command in the docs."""
    found = []
    for path in DOCS:
        for match in DEMO_BUDGET.finditer(path.read_text("utf-8")):
            comment = match.group(2) or ""
            found.append((path.name, float(match.group(1)), "infeasible" in comment))
    return found


@pytest.fixture(scope="module")
def demo_least_cost() -> float:
    loaded = load_scenario(ROOT / "scenarios" / "demo_park.yaml")
    park = attach_economics(compile_park(loaded.scenario, loaded.registry), loaded.scenario)
    least = least_net_capex(park)
    assert least is not None
    return least


def test_readme_has_budget_examples() -> None:
    files = {name for name, _, _ in budget_examples()}
    assert "README.md" in files


@pytest.mark.parametrize(("name", "budget", "infeasible"), budget_examples())
def test_budget_example_matches_its_comment(
    demo_least_cost: float, name: str, budget: float, infeasible: bool
) -> None:
    if infeasible:
        assert budget < demo_least_cost, f"{name}: budget {budget:g} is feasible"
    else:
        assert budget >= demo_least_cost, (
            f"{name}: --set budget.total={budget:g} is infeasible (the least cost is "
            f"{demo_least_cost:,.0f} CNY): say so next to it, or use a larger budget"
        )


def test_scenario_format_example_solves(tmp_path) -> None:
    text = (ROOT / "docs" / "scenario-format.md").read_text("utf-8")
    section = text[text.index("## 1. A small complete example") :]
    block = section[section.index("```yaml") + len("```yaml") : section.index("\n```\n")]
    scenario = tmp_path / "my_park.yaml"
    scenario.write_text(block)
    for extra in ([], ["--scenario", "tight"]):
        proc = run_cli(
            str(scenario), "--out", str(tmp_path / "out"), "--quiet", *extra, cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stderr


def python_blocks(path: Path) -> list[str]:
    """The ```python code blocks of a Markdown file, in order."""
    return re.findall(r"```python\n(.*?)\n```", path.read_text("utf-8"), flags=re.S)


@pytest.mark.slow  # solves the demo (with its why-not re-solves) and a 4-level sweep
def test_api_example_runs(tmp_path, monkeypatch) -> None:
    blocks = python_blocks(ROOT / "docs" / "api.md")
    assert len(blocks) >= 4
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), namespace)
    result, sweep = namespace["result"], namespace["sweep"]
    assert result.status == "optimal"
    assert result.dataset.attrs["budget_total"] == 3e8
    assert float(result.dataset["budget_spent"].sum()) <= 3e8 * (1 + 1e-9)
    assert list(sweep["budget"].values) == [1.5e8, 3e8, 4.5e8, 6e8]
    folder = tmp_path / "results" / "demo-park"
    names = {"results.nc", "selected_projects.csv", "summary.html", "manifest.json"}
    names |= {"budget_sweep.nc", "budget_sweep.html", "budget_priority.csv", "budget_levels.csv"}
    assert {path.name for path in folder.iterdir()} == names
