"""Command line: `python -m model.run SCENARIO.yaml [options]` (also the `parkcp` script),
and `python -m model.run candidates SCENARIO.yaml [--out FILE.csv]` (the candidate
projects of the technology directory, docs/directory.md).

Built on the public API only (`import model`, model/api.py, docs/api.md): loads and
validates the scenario, checks and locks the output folder, solves, writes
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
import shlex
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import model

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


def _add_scenario_arguments(parser: argparse.ArgumentParser, file_help: str, example: str) -> None:
    """The arguments that name a scenario, shared by a run and `candidates`: the file,
    `--scenario` (a named override set) and repeatable `--set KEY.PATH=VALUE`."""
    parser.add_argument("scenario_file", help=file_help)
    parser.add_argument("--scenario", help="named override set from the file's `scenarios:`")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help=f"override one value, e.g. --set {example} (repeatable)",
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model.run",
        description="Choose cleaner-production projects for an industrial park.",
        epilog="python -m model.run candidates SCENARIO.yaml [--out FILE.csv]: write the "
        "candidate projects the technology directory gives the scenario's inventory "
        "(docs/directory.md).",
    )
    _add_scenario_arguments(parser, "scenario YAML file", "budget.total=2e7")
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

    folder: Any = None  # model.open_output

    def interrupted_note(self) -> str:
        folder = self.folder
        if folder is None:
            return "nothing was written"
        if folder.committed:
            return f"the run was already written to {folder.target}/"
        note = "nothing was written"
        if folder.had_previous:
            note += f"; {folder.target}/ still holds the previous run"
        kept = model.resumable_points(folder)
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
    _add_scenario_arguments(
        parser, "scenario YAML file (its enterprises)", "projects.directory.range=low"
    )
    parser.add_argument("--out", help="the CSV file to write (.xlsx and _ranges.csv beside it)")
    args = parser.parse_args(argv)

    from pathlib import Path

    try:
        loaded = model.load(args.scenario_file, args.scenario, args.overrides)
        found = model.candidates(loaded)
    except model.InputError as error:
        return _fail(EXIT_BAD_INPUT, [str(error)])
    target = Path(args.out or f"{loaded.scenario.name}-candidates.csv").with_suffix(".csv")
    if not target.parent.is_dir():
        return _fail(EXIT_BAD_INPUT, [f"command line: --out {args.out}: folder not found"])
    try:
        written = model.write_candidates(found, target)
    except OSError as error:
        return _fail(EXIT_BAD_INPUT, [f"command line: --out {target}: cannot write: {error}"])
    candidates = found
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
    try:
        loaded = model.load(args.scenario_file, args.scenario, args.overrides, args.solver)
        config = model.settings(
            loaded,
            solver=args.solver,
            time_limit=args.time_limit,
            mip_gap=args.mip_gap,
            threads=args.threads,
            frontier=args.frontier or None,
            budget_sweep=args.budget_sweep or None,
            workers=args.workers,
            scheduler=args.scheduler,
            why_not=args.why_not,
            names=CLI_FLAGS,
        )
    except model.InputError as error:  # a scenario file, a table or an option
        return _fail(EXIT_BAD_INPUT, [str(error)])
    timings["load"] = time.perf_counter() - started

    try:  # before any solving: an unusable --out or a run in progress is exit 2 at once
        state.folder = model.open_output(args.out, loaded.scenario.name)
    except model.InputError as error:
        return _fail(EXIT_BAD_INPUT, [str(error)])

    try:
        result = model.solve(loaded, config, timings)
    except model.InputError as error:  # a solver option the solver refuses
        return _fail(EXIT_BAD_INPUT, [str(error)])
    except model.SolverFailure as error:
        return _fail(EXIT_SOLVER_FAILURE, [str(error)])

    name = loaded.scenario.name
    if result.problems:
        header = f"scenario '{name}' is infeasible:"
        print(header, file=sys.stderr)
        return _fail(EXIT_INFEASIBLE, result.problems)
    if result.violations:
        print(
            f"scenario '{name}': the solver's portfolio breaks hard limits even after a "
            "re-solve with tighter tolerances; nothing was written:",
            file=sys.stderr,
        )
        return _fail(EXIT_SOLVER_FAILURE, result.violations)
    if not result.ok:
        return _fail(
            EXIT_SOLVER_FAILURE,
            [f"solver {result.solver} stopped without a solution: {result.message}"],
        )

    lap = time.perf_counter()
    try:
        studies = model.run_studies(
            result, notify=_to_stderr, store=args.out, progress=not args.quiet
        )
    except model.StudyFailed as failure:  # no study point has a portfolio: nothing is kept
        code = EXIT_INFEASIBLE if failure.infeasible else EXIT_SOLVER_FAILURE
        return _fail(code, [failure.message])
    if studies:
        result.timings["studies"] = time.perf_counter() - lap

    command = "python -m model.run " + shlex.join(argv)
    written = model.write(
        result,
        state.folder,
        studies=studies,
        report=not args.no_report,
        command=command,
        argv=argv,
        started=started,
    )
    if not args.quiet:
        print(model.summary(result))
        if args.why_not:
            print(model.why_not(result))
        print(f"\nwritten to {state.folder.target}/: {', '.join(p.name for p in written)}")
    return EXIT_OK


def _to_stderr(line: str) -> None:
    """Study notes and progress: one line each on stderr, at once."""
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
