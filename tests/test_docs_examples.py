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


# ------------------------------------------------------------- every command in the docs

PLACEHOLDERS = {"scenario.yaml", "my_park.yaml", "park.yaml"}
"""Scenario names the docs use for the reader's own file, not shipped files."""

COMMAND = re.compile(r"^(?:\.venv/bin/)?(?:python3? -m model\.run|parkcp) (.*)$")


def doc_commands() -> list[tuple[str, list[str], str]]:
    """(file, arguments, comment) of every ParkCP command in a fenced block of README.md
    and docs/*.md (continuation lines joined)."""
    import shlex

    found = []
    for path in DOCS:
        in_block = False
        lines = path.read_text("utf-8").splitlines()
        for number, line in enumerate(lines):
            if line.startswith("```"):
                in_block = not in_block
                continue
            text = line.strip()
            if " && " in text:
                text = text.rsplit(" && ", 1)[1]
            match = COMMAND.match(text) if in_block else None
            if not match:
                continue
            body, _, comment = match.group(1).partition("  #")
            while body.rstrip().endswith("\\"):
                number += 1
                body = body.rstrip()[:-1] + " " + lines[number].strip()
            args = shlex.split(body.split(" #")[0])
            if any(a.endswith(":") for a in args):
                continue  # a layout listing ("model/run.py: arguments, ..."), not a command
            found.append((path.name, args, comment.strip()))
    return found


def _expected_exit(comment: str) -> int:
    words = comment.lower()
    return 3 if ("infeasible" in words or "exit code 3" in words or "why not" in words) else 0


@pytest.mark.parametrize(("name", "args", "comment"), doc_commands())
def test_doc_command_parses_and_names_shipped_files(name: str, args: list[str], comment: str):
    from model.run import parse_args
    from model.studies.args import parse_budget_sweep, parse_frontier

    if any(a.startswith("[") for a in args):
        pytest.skip("a usage line with [optional] parts")
    if args[0] == "candidates":  # the subcommand has its own parser
        assert (ROOT / args[1]).is_file(), f"{name}: {args[1]}"
        return
    options = parse_args(args)
    if options.scenario_file not in PLACEHOLDERS:
        assert (ROOT / options.scenario_file).is_file(), f"{name}: {options.scenario_file}"
    if options.frontier:
        parse_frontier(options.frontier)
    if options.budget_sweep:
        parse_budget_sweep(options.budget_sweep)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "args", "comment"), doc_commands())
def test_doc_command_exits_as_the_text_says(tmp_path, name: str, args: list[str], comment: str):
    if args[0] in PLACEHOLDERS or any(a.startswith("[") for a in args):
        pytest.skip("the reader's own scenario file")
    if args[0] == "candidates":
        proc = run_cli(*args, "--out", str(tmp_path / "candidates.csv"), cwd=ROOT)
    else:
        proc = run_cli(*args, "--out", str(tmp_path / "out"), "--quiet", cwd=ROOT)
    assert proc.returncode == _expected_exit(comment), (name, args, proc.stderr[-2000:])


def test_thousands_separators_are_refused_plainly(tmp_path) -> None:
    scenario = tmp_path / "comma.yaml"
    scenario.write_text("name: comma\nbudget: {total: 5,000,000}\n", encoding="utf-8")
    proc = run_cli(str(scenario), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "'total: 5,000,000' has thousands separators" in proc.stderr
    assert "write 5000000" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_scenario_format_example_is_not_the_demo(tmp_path) -> None:
    text = (ROOT / "docs" / "scenario-format.md").read_text("utf-8")
    section = text[text.index("## 1. A small complete example") :]
    assert "\nname: my-park\n" in section[: section.index("\n```\n")]
