"""Every notebook in notebooks/ runs from top to bottom without a cell error.

Each notebook is executed with nbclient in a fresh kernel started from this test's own
interpreter (`sys.executable -m ipykernel_launcher`), through a kernelspec named
"python3" written to a temporary folder: so the kernel sees the same installed packages
as the tests, whatever kernelspecs the machine has (a user-wide "python3" spec could
point at another Python). The working directory is notebooks/, as in Jupyter. Outputs
are not written back. Plotly's fig.show() only adds a display output here.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 300
"""Longest one cell may run; the notebooks are meant to finish in about a minute."""


def kernel_manager(folder: Path) -> AsyncKernelManager:
    """A kernel manager whose "python3" kernel is this interpreter's ipykernel."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (test interpreter)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")])
    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=specs)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ holds no notebook"


def test_kernel_uses_this_interpreter(tmp_path) -> None:
    km = kernel_manager(tmp_path)
    assert km.kernel_spec.argv[:3] == [sys.executable, "-m", "ipykernel_launcher"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Each notebook executed once (by name), for the tests below."""
    done: dict[str, nbformat.NotebookNode] = {}

    def run(path: Path) -> nbformat.NotebookNode:
        if path.name not in done:
            notebook = nbformat.read(path, as_version=4)
            client = NotebookClient(
                notebook,
                km=kernel_manager(tmp_path_factory.mktemp("kernel")),
                kernel_name="python3",
                timeout=CELL_TIMEOUT_S,
                resources={"metadata": {"path": str(path.parent)}},
            )
            client.execute()  # raises CellExecutionError, naming the cell, on any error
            done[path.name] = notebook
        return done[path.name]

    return run


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_errors(path: Path, executed) -> None:
    notebook = executed(path)
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
    assert all(
        cell.get("execution_count") for cell in notebook.cells if cell.cell_type == "code"
    ), "a code cell did not run"


def test_demo_notebook_counts_the_chosen_projects_as_the_results_do(executed) -> None:
    """The notebook's "N projects chosen" is the number of rows of the demo's
    selected_projects.csv table (one rule for "chosen", model/appraise/evaluate.py: the
    demo chooses one divisible project at 3 %, which a 0.5 threshold missed)."""
    from model.input.loading import load_scenario
    from model.pipeline import run_scenario
    from model.results.summary_tables import selected_projects_table

    notebook = executed(REPO / "notebooks" / "explore_demo.ipynb")
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )
    found = re.findall(r"(\d+) projects chosen", printed)
    ds = run_scenario(load_scenario(REPO / "scenarios" / "demo_park.yaml")).dataset
    assert found == [str(len(selected_projects_table(ds)))]
