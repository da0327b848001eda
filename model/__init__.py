"""ParkCP: cleaner-production project selection for industrial parks.

From Python (docs/api.md has a worked example)::

    import model

    demo = model.load("scenarios/demo_park.yaml", set={"budget.total": 3e8})
    result = model.solve(demo)       # result.dataset, .status, .portfolio, .timings
    print(model.summary(result))
    sweep = model.budget_sweep(result, 1e8, 4e8, 4)
    model.figures(result)["portfolio"].show()
    model.write(result, "results", studies=[sweep])

`load` reads and checks a scenario (a file or a mapping, with overrides); `settings` puts
solver and study options on top of the scenario's; `solve` solves one scenario (a
multi-year one as a plan) and returns a `Result`; `frontier` and `budget_sweep` run the
studies, `run_studies` those the settings ask for; `plan`, `figures` and `summary` look at a
result, `why_not` explains the projects left out; `write` writes the files the
command line writes; `read_dataset` reads them back; `candidates` and
`write_candidates` give the projects the technology directory offers an inventory.
Errors: `InputError` (bad input, "FILE: key.path: message"), `StudyFailed`,
`SolverFailure`, all `ParkCPError`. The functions live in model/api.py,
model/api_studies.py, model/api_results.py and model/api_candidates.py.

The package is organised by stage (docs/architecture.md): input, compile, appraise,
optimise, results, report, studies; `python -m model.run` is the command line, built on
these functions. Names are loaded on first use (PEP 562), so that importing the package,
as `python -m model.run --help` does, loads nothing else, and a run that stops at bad
input never loads the optimiser, xarray or Plotly.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "InputError",
    "LoadedScenario",
    "ParkCPError",
    "Result",
    "Settings",
    "SolverFailure",
    "StudyFailed",
    "__version__",
    "budget_sweep",
    "candidates",
    "figures",
    "frontier",
    "load",
    "open_output",
    "plan",
    "read_dataset",
    "resumable_points",
    "settings",
    "solve",
    "run_studies",
    "summary",
    "why_not",
    "write",
    "write_candidates",
]

_HOMES = {
    "InputError": "model.errors",
    "ParkCPError": "model.errors",
    "SolverFailure": "model.errors",
    "StudyFailed": "model.errors",
    "LoadedScenario": "model.input.loading",
    "__version__": "model.version",
    "budget_sweep": "model.api_studies",
    "frontier": "model.api_studies",
    "run_studies": "model.api_studies",
    "figures": "model.api_results",
    "open_output": "model.api_results",
    "plan": "model.api_results",
    "read_dataset": "model.api_results",
    "resumable_points": "model.api_results",
    "summary": "model.api_results",
    "why_not": "model.api_results",
    "write": "model.api_results",
    "candidates": "model.api_candidates",
    "write_candidates": "model.api_candidates",
}
"""Where each public name lives when not in model/api.py."""


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    value = getattr(import_module(_HOMES.get(name, "model.api")), name)
    globals()[name] = value  # found at once next time
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
