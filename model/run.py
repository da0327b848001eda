"""Command line: `python -m model.run SCENARIO.yaml [options]` (also the `parkcp` script),
and `python -m model.run candidates SCENARIO.yaml [--out FILE.csv]` (the candidate
projects of the technology directory, docs/directory.md).

Loads and validates the scenario, checks and locks the output folder, solves, writes
`results/<scenario>/results.nc`, `selected_projects.csv`, `summary.html`, the study files
and `manifest.json` into a staging folder and swaps it in whole (model/results/run_folder.py),
prints the summary and exits with 0 solved, 2 bad input (or an unusable `--out`), 3
infeasible, 4 solver failure (also when the solver's portfolio breaks a hard limit even
after a re-solve at tighter tolerances), 130 interrupted (Ctrl-C). Bad input and
infeasibility are explained on stderr in one line per problem, without a traceback, and
nothing is written.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.results.run_folder import RunFolder

EXIT_OK = 0
"""Solved: a portfolio within the MIP gap or the time limit, checked against every limit."""
EXIT_BAD_INPUT = 2
"""Bad input: one line FILE: key.path: message (or command line: ...), nothing written."""
EXIT_INFEASIBLE = 3
"""Infeasible: the limits in conflict and how far each must move, nothing written."""
EXIT_SOLVER_FAILURE = 4
"""The solver failed, stopped without a portfolio, or its portfolio breaks a hard limit."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (SIGINT), as shells report a process ended by it (128 + 2)."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model.run",
        description="Choose cleaner-production projects for an industrial park.",
        epilog="python -m model.run candidates SCENARIO.yaml [--out FILE.csv]: write the "
        "candidate projects the technology directory gives the scenario's inventory "
        "(docs/directory.md).",
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


@dataclass
class _RunState:
    """What an interruption message needs to know: the run folder, once it is open."""

    folder: RunFolder | None = None

    def interrupted_note(self) -> str:
        folder = self.folder
        if folder is None:
            return "nothing was written"
        if folder.committed:
            return f"the run was already written to {folder.target}/"
        note = "nothing was written"
        if folder.had_previous:
            note += f"; {folder.target}/ still holds the previous run"
        from model.studies.store import stored_points

        kept = stored_points(folder.root, folder.name)
        if kept:
            note += (
                f"; {kept} finished study point{'s are' if kept > 1 else ' is'} kept, and the "
                "same command resumes from them"
            )
        return note


def _interrupt_once(signum, frame) -> None:
    """First Ctrl-C: stop the run (KeyboardInterrupt); further ones are ignored so that
    the clean-up (dask workers, staging folder, lock) is not cut short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


# --- `candidates`: the projects table generated from the technology directory -------------


def _candidates_main(argv: list[str]) -> int:
    """`python -m model.run candidates SCENARIO.yaml [--out FILE.csv]`: write the candidate
    projects the directory gives the scenario's inventory (FILE.csv, FILE.xlsx and
    FILE_ranges.csv; default `<scenario name>-candidates.csv` in the working folder), as
    asked by the scenario's `projects: {directory: ...}` or, without it, every option at
    the central values. Exit 0 written, 2 bad input or unusable --out."""
    parser = argparse.ArgumentParser(
        prog="python -m model.run candidates",
        description="Write the candidate projects the technology directory gives an inventory.",
    )
    parser.add_argument("scenario_file", help="scenario YAML file (its enterprises)")
    parser.add_argument("--scenario", help="named override set from the file's `scenarios:`")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override one value, e.g. --set projects.directory.range=low (repeatable)",
    )
    parser.add_argument("--out", help="the CSV file to write (.xlsx and _ranges.csv beside it)")
    args = parser.parse_args(argv)

    from model.errors import InputError
    from model.input.candidate_files import write_candidates
    from model.input.candidates import DirectoryRequest
    from model.input.directory_projects import candidates_for
    from model.input.loading import load_scenario

    try:
        loaded = load_scenario(args.scenario_file, args.scenario, args.overrides)
        candidates = loaded.candidates or candidates_for(
            loaded.scenario, loaded.registry, DirectoryRequest(), loaded.path.parent
        )
    except InputError as error:
        return _fail(EXIT_BAD_INPUT, [str(error)])
    target = Path(args.out or f"{loaded.scenario.name}-candidates.csv").with_suffix(".csv")
    if not target.parent.is_dir():
        return _fail(EXIT_BAD_INPUT, [f"command line: --out {args.out}: folder not found"])
    try:
        written = write_candidates(candidates, target)
    except OSError as error:
        return _fail(EXIT_BAD_INPUT, [f"command line: --out {target}: cannot write: {error}"])
    owners = {row["owner"] for row in candidates.projects}
    print(
        f"{len(candidates.projects)} candidate projects for {len(owners)} owners "
        f"written to {', '.join(str(path) for path in written)}"
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit code. Ctrl-C ends it with one line on stderr
    and exit 130, leaving the run folder as it was and no worker process behind.
    `candidates ...` as the first arguments runs `_candidates_main` instead."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["candidates"]:
        return _candidates_main(arguments[1:])
    args = parse_args(argv)
    state = _RunState()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _interrupt_once) if in_main_thread else None
    try:
        return _run(args, sys.argv[1:] if argv is None else list(argv), state)
    except KeyboardInterrupt:
        print(f"interrupted: {state.interrupted_note()}", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    finally:
        try:
            if state.folder is not None:
                state.folder.close()
        finally:
            if in_main_thread:
                signal.signal(signal.SIGINT, previous)


def _run(args: argparse.Namespace, argv: list[str], state: _RunState) -> int:
    started = time.perf_counter()
    timings: dict[str, float] = {}

    # Imports here so that `--help` and argument errors answer at once.
    from pydantic import ValidationError

    from model.errors import InputError
    from model.input.loading import load_scenario
    from model.input.messages import command_line_error
    from model.studies.args import parse_budget_sweep, parse_frontier

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
    except InputError as error:  # a scenario file, a table or a study option
        return _fail(EXIT_BAD_INPUT, [str(error)])
    except ValidationError as error:
        return _fail(EXIT_BAD_INPUT, [str(command_line_error(error, CLI_FLAGS))])
    timings["load"] = time.perf_counter() - started

    from model.results.run_folder import RunFolder

    try:  # before any solving: an unusable --out or a run in progress is exit 2 at once
        state.folder = RunFolder.open(args.out, loaded.scenario.name)
    except InputError as error:  # model.errors.OutputError
        return _fail(EXIT_BAD_INPUT, [str(error)])
    run_folder = state.folder

    lap = time.perf_counter()
    from model.pipeline import run_scenario  # Pyomo, xarray: "imports" in the timings
    from solvers.base import SolverModelError, SolverOptionError, SolverUnavailable

    timings["imports"] = time.perf_counter() - lap
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

    lap = time.perf_counter()
    from model.errors import StudyFailed
    from model.report.page import write_report
    from model.report.text import summary_text, why_not_text
    from model.results.io import write_dataset, write_selected_csv
    from model.studies.runner import run_studies
    from model.studies.store import clear_stores

    timings["imports"] += time.perf_counter() - lap
    folder = run_folder.staging  # swapped in whole by run_folder.commit below
    dataset = outcome.dataset
    lap = time.perf_counter()
    write_selected_csv(dataset, folder / "selected_projects.csv")
    timings["write_csv"], lap = time.perf_counter() - lap, time.perf_counter()
    if not args.no_report:
        write_report(dataset, folder / "summary.html")
    timings["report"], lap = time.perf_counter() - lap, time.perf_counter()
    timings["total"] = lap - started
    for key, value in timings.items():  # results.nc cannot hold its own writing time:
        dataset.attrs[f"time_{key}_s"] = float(value)  # manifest.json records it
    write_dataset(dataset, folder / "results.nc")
    timings["write_results_nc"] = time.perf_counter() - lap

    study_meta = {"input_hash": loaded.input_hash, "merged": loaded.merged}
    try:
        run_studies(
            outcome.park,
            options,
            study,
            folder,
            study_meta,
            store_root=Path(args.out),
            show_progress=not args.quiet,
        )
    except StudyFailed as failure:  # no study point has a portfolio: nothing is kept
        code = EXIT_INFEASIBLE if failure.infeasible else EXIT_SOLVER_FAILURE
        return _fail(code, [failure.message])

    command = "python -m model.run " + shlex.join(argv)
    timings["studies"] = time.perf_counter() - lap - timings["write_results_nc"]
    timings["total"] = time.perf_counter() - started
    names = run_folder.commit(loaded.input_hash, command, argv, timings)
    clear_stores(Path(args.out), name)

    if not args.quiet:
        print(summary_text(dataset))
        if args.why_not:
            print(why_not_text(dataset))
        print(f"\nwritten to {run_folder.target}/: {', '.join(names)}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
