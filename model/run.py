"""Command line: `python -m model.run SCENARIO.yaml [options]` (also the `parkcp` script).

Loads and validates the scenario, solves it, writes `results/<scenario>/results.nc`,
`selected_projects.csv` and `summary.html` (each atomically), prints the summary and
exits with 0 solved, 2 bad input, 3 infeasible, 4 solver failure (also when the solver's
portfolio breaks a hard limit even after a re-solve at tighter tolerances). Bad input and
infeasibility are explained on stderr in one line per problem, without a traceback, and
nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from solvers.base import EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_OK, EXIT_SOLVER_FAILURE


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model.run",
        description="Choose cleaner-production projects for an industrial park.",
    )
    parser.add_argument("scenario_file", help="scenario YAML file")
    parser.add_argument("--scenario", help="named override set from the file's `scenarios:`")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override one value, e.g. --set budget.total=2e7 (repeatable)",
    )
    parser.add_argument("--out", default="results", help="output folder (default: results)")
    parser.add_argument("--solver", help="solver name (default: the scenario's, else highs)")
    parser.add_argument("--time-limit", type=float, help="solver time limit, seconds")
    parser.add_argument("--mip-gap", type=float, help="relative MIP gap, e.g. 1e-4")
    parser.add_argument("--threads", type=int, help="solver threads")
    parser.add_argument(
        "--frontier",
        metavar="N|exact",
        help="Pareto frontier of pollution against energy: N grid points, or 'exact'",
    )
    parser.add_argument(
        "--budget-sweep",
        metavar="FROM:TO:STEPS",
        help="funding-priority study over budget levels, e.g. 0:5e7:20 (CNY)",
    )
    parser.add_argument("--workers", type=int, help="processes for MILP sweeps (dask)")
    parser.add_argument("--scheduler", help="existing dask scheduler, e.g. tcp://host:8786")
    parser.add_argument(
        "--why-not",
        type=int,
        metavar="N",
        help="exact break-even capex for the N largest left-out projects (re-solves)",
    )
    parser.add_argument("--no-report", action="store_true", help="skip summary.html")
    parser.add_argument("--quiet", action="store_true", help="print no summary")
    return parser.parse_args(argv)


def _with_cli(section, **cli: object):
    """A scenario section with command-line values (those not None) on top, validated
    again (so `--time-limit -5` is refused like a bad scenario value)."""
    updates = {key: value for key, value in cli.items() if value is not None}
    return type(section).model_validate({**section.model_dump(), **updates})


CLI_FLAGS = {
    "name": "--solver",
    "time_limit": "--time-limit",
    "mip_gap": "--mip-gap",
    "threads": "--threads",
    "frontier": "--frontier",
    "budget_sweep": "--budget-sweep",
    "workers": "--workers",
    "scheduler": "--scheduler",
    "why_not_max_projects": "--why-not",
}
"""Schema field -> the command-line option that sets it, for error messages."""


def _fail(code: int, lines: list[str]) -> int:
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    # Imports here so that `--help` and argument errors answer at once.
    from pydantic import ValidationError

    from model.scenario import ScenarioError, command_line_error, load_scenario
    from model.studies.args import StudyArgumentError, parse_budget_sweep, parse_frontier

    try:
        loaded = load_scenario(args.scenario_file, args.scenario, args.overrides, args.solver)
        options = _with_cli(
            loaded.scenario.solver,
            name=args.solver,
            time_limit=args.time_limit,
            mip_gap=args.mip_gap,
            threads=args.threads,
        )
        study = _with_cli(
            loaded.scenario.study,
            frontier=parse_frontier(args.frontier) if args.frontier else None,
            budget_sweep=parse_budget_sweep(args.budget_sweep) if args.budget_sweep else None,
            workers=args.workers,
            scheduler=args.scheduler,
        )
        _with_cli(loaded.scenario.analysis, why_not_max_projects=args.why_not)  # check only
    except ScenarioError as error:
        return _fail(EXIT_BAD_INPUT, [str(error)])
    except StudyArgumentError as error:
        return _fail(EXIT_BAD_INPUT, [f"command line: {error}"])
    except ValidationError as error:
        return _fail(EXIT_BAD_INPUT, [str(command_line_error(error, CLI_FLAGS))])
    timings["load"] = time.perf_counter() - started

    from model.pipeline import run_scenario
    from solvers.base import SolverModelError, SolverOptionError
    from solvers.factory import SolverUnavailable

    try:
        outcome = run_scenario(loaded, options, timings, why_not=args.why_not)
    except SolverOptionError as error:
        return _fail(EXIT_BAD_INPUT, [f"{os.path.normpath(args.scenario_file)}: {error}"])
    except (SolverUnavailable, SolverModelError) as error:
        return _fail(EXIT_SOLVER_FAILURE, [str(error)])

    name = loaded.scenario.name
    if outcome.problems:
        header = f"scenario '{name}' is infeasible:"
        print(header, file=sys.stderr)
        return _fail(EXIT_INFEASIBLE, outcome.problems)
    result = outcome.result
    if outcome.violations:
        print(
            f"scenario '{name}': the solver's portfolio breaks hard limits even after a "
            "re-solve with tighter tolerances; nothing was written:",
            file=sys.stderr,
        )
        return _fail(EXIT_SOLVER_FAILURE, [v.message() for v in outcome.violations])
    if not result.has_solution:
        detail = f" ({result.message})" if result.message else ""
        return _fail(
            EXIT_SOLVER_FAILURE,
            [f"solver {result.solver} stopped without a solution: {result.termination}{detail}"],
        )

    from model.report import write_report
    from model.results import write_dataset, write_selected_csv
    from model.summary import summary_text

    folder = Path(args.out) / name
    folder.mkdir(parents=True, exist_ok=True)
    write_started = time.perf_counter()
    dataset = outcome.dataset
    write_selected_csv(dataset, folder / "selected_projects.csv")
    if not args.no_report:
        write_report(dataset, folder / "summary.html")
    timings["write"] = time.perf_counter() - write_started
    timings["total"] = time.perf_counter() - started
    for key, value in timings.items():
        dataset.attrs[f"time_{key}_s"] = float(value)
    write_dataset(dataset, folder / "results.nc")

    from model.studies.runner import run_studies

    study_meta = {"input_hash": loaded.input_hash, "merged": loaded.merged}
    study_files = run_studies(outcome.park, options, study, folder, study_meta)

    if not args.quiet:
        print(summary_text(dataset))
        names = ["results.nc", "selected_projects.csv"] + (
            [] if args.no_report else ["summary.html"]
        )
        names += [path.name for path in study_files]
        print(f"\nwritten to {folder}/: {', '.join(names)}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
