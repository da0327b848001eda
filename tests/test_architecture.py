"""The shape of the code: imports run only downstream, no import cycles, no long modules,
no references to notes outside the repository (docs/architecture.md).

Every module of model/ and solvers/ is parsed (not imported), and every import in it is
read, inside functions too. The stages of model/, in order (a module may import only
from its own stage or an earlier one):

    errors, formatting, version < input < compile < appraise < optimise < results
    < report < studies < the API (model/__init__.py, model/api*.py, model/pipeline.py)
    < model/run.py

solvers/ imports nothing of model, and only model/optimise/ (and the public API,
model/api.py, which turns the solver layer's errors into ParkCP's) imports solvers.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STAGES: tuple[tuple[str, ...], ...] = (
    ("model.errors", "model.formatting", "model.version"),
    ("model.input",),
    ("model.compile",),
    ("model.appraise",),
    ("model.optimise",),
    ("model.results",),
    ("model.report",),
    ("model.studies",),
    (
        "model",
        "model.api",
        "model.api_studies",
        "model.api_results",
        "model.api_candidates",
        "model.pipeline",
    ),
    ("model.run", "model.__main__"),
)
"""The stages of model/, in the order data flows; a module belongs to the first stage
whose entry is the module itself or a package holding it ('model' alone: __init__)."""

SOLVER_IMPORTERS = ("model.optimise", "model.api")
"""The only parts of model/ that may import solvers/."""

MAX_LINES = 450
"""Longest module allowed (docs/architecture.md: about 400 lines, one job per module)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every Python module of model/ and solvers/, by dotted name."""
    found = {}
    for package in ("model", "solvers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The modules of model/ and solvers/ that `path` imports anywhere in its code
    (`from a.b import c` counts as a.b.c when that is a module, else a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name if name in known else node.module for name in names]
        else:
            continue
        found |= {name for name in names if name.split(".")[0] in ("model", "solvers")}
    return found


def stage_of(name: str) -> int:
    """Index in STAGES of the stage a model module belongs to."""
    best = None
    for index, entries in enumerate(STAGES):
        for entry in entries:
            if name == entry or (entry != "model" and name.startswith(entry + ".")):
                best = index if best is None else min(best, index)
    assert best is not None, f"{name} is in no stage of STAGES: add it there"
    return best


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported_modules(path, known) & known for name, path in found.items()}


def test_the_parser_sees_imports_inside_functions(tmp_path: Path) -> None:
    code = "def f():\n    from model.results.io import write_dataset\n    import solvers.base\n"
    path = tmp_path / "m.py"
    path.write_text(code)
    known = {"model.results.io", "solvers.base"}
    assert imported_modules(path, known) == known


def test_every_model_module_has_a_stage() -> None:
    for name in modules():
        if name.startswith("model"):
            stage_of(name)


def test_imports_run_only_downstream() -> None:
    upward = [
        f"{name} (stage {stage_of(name)}) imports {target} (stage {stage_of(target)})"
        for name, targets in graph().items()
        if name.startswith("model")
        for target in sorted(targets)
        if target.startswith("model") and stage_of(target) > stage_of(name)
    ]
    assert not upward, "\n".join(upward)


def test_solvers_know_nothing_of_model() -> None:
    offending = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        if name.startswith("solvers")
        for target in sorted(targets)
        if target.startswith("model")
    ]
    assert not offending, "\n".join(offending)


def test_only_optimise_and_the_command_line_import_solvers() -> None:
    offending = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        if name.startswith("model") and not name.startswith(SOLVER_IMPORTERS)
        for target in sorted(targets)
        if target.startswith("solvers")
    ]
    assert not offending, "\n".join(offending)


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles of a module graph (depth-first search; each cycle found once per
    back edge). A module importing its own package (`__init__`) is not a cycle."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(edges.get(name, ())):
            if target == name or name.startswith(target + "."):
                continue
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name)
    return cycles


def test_the_cycle_finder_finds_cycles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "p.m": {"p"}, "p": set()}
    assert find_cycles(edges) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    cycles = find_cycles(graph())
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_no_module_is_longer_than_the_limit() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, "\n".join(long)


_NOTES = re.compile("DOM" + r"AIN\.md|DES" + r"IGN(\.md| section| §)")
"""References to the project's design notes and domain notes, which are not in the
repository (written in two parts so that this file does not match itself)."""


def _repository_files() -> list[Path]:
    skipped = {".git", ".venv", "results", "__pycache__", ".pytest_cache", ".ruff_cache"}
    return [
        path
        for path in sorted(ROOT.rglob("*"))
        if path.is_file()
        and not skipped & set(path.relative_to(ROOT).parts)
        and not any(part.endswith(".egg-info") for part in path.relative_to(ROOT).parts)
        and path.suffix in (".py", ".md", ".csv", ".yaml", ".yml", ".toml", ".ipynb", ".sh")
    ]


def test_nothing_cites_notes_outside_the_repository() -> None:
    cited = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _repository_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _NOTES.search(line)
    ]
    assert not cited, f"{len(cited)} lines cite notes outside the repository: " + ", ".join(
        cited[:20]
    )
