"""Every error ParkCP raises for its users, in one place.

All derive from `ParkCPError`. What the command line does with each (model/run.py):

* `InputError` (exit 2): bad input, one line "FILE: key.path: message" naming the file
  to fix and the key path in the user's notation ("command line" for an option, e.g.
  "command line: --frontier: ..."). `StudyArgumentError` (a malformed study option),
  `OutputError` (an unusable `--out`) and `DirectoryError` (bad technology-directory
  data) are input errors of that shape.
* `RegistryError` and `CPIndexError` say what is wrong with a pollutant/carrier
  declaration or with CP indicator data at a key path; the scenario loader turns them
  into an `InputError` naming the file.
* `StudyFailed`: no point of a study has a portfolio (exit 3 when every point is proven
  infeasible, else 4). `InfeasibleStudy` and `FrontierSolverFailure` end one frontier
  (the study runner records them as points without a portfolio).

* `SolverFailure` (exit 4): the solver is not available, or refused the model.

Errors of the solver layer (solvers/base.py: `SolverOptionError`, `SolverModelError`,
`SolverUnavailable`) stay there, since solvers/ never imports
model; the public API (model/api.py) turns them into `InputError` (a solver option the
solver refuses) and `SolverFailure`.
"""

from __future__ import annotations

from pathlib import Path

from model.formatting import printable


class ParkCPError(Exception):
    """Base of every error ParkCP raises for its users."""


class InputError(ParkCPError):
    """Bad input. `file`: the file to open (or "command line"); `path`: key path in the
    user's notation ("" for a whole-file problem); `message`; `line`: 1-based line if
    known. Printed as one line "FILE: key.path: message"."""

    def __init__(self, file: str | Path, path: str, message: str, line: int | None = None):
        self.file = str(file)
        self.path = path
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        """One printable line: control characters, line breaks and lone surrogates in
        the parts are written as escapes (`model.formatting.printable`)."""
        parts = [self.file, self.path, self.message] if self.path else [self.file, self.message]
        return ": ".join(printable(part) for part in parts)


class StudyArgumentError(InputError):
    """A study option given on the command line is malformed (`--frontier`,
    `--budget-sweep`): "command line: --option: message"."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__("command line", option, message)


class OutputError(InputError):
    """`--out` cannot take this run: "command line: --out FOLDER: problem"."""

    def __init__(self, shown: str, problem: str) -> None:
        super().__init__("command line", f"--out {shown}", problem)


class DirectoryError(InputError):
    """Bad technology-directory data: "FILE: key.path: message" on one line."""


class RegistryError(ParkCPError, ValueError):
    """A scenario's pollutant/carrier declaration is incomplete; `path` is the key path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


Loc = tuple
"""A key path: str keys and int list indexes, e.g. ("enterprises", 2, "indicators")."""


class CPIndexError(ParkCPError, ValueError):
    """Bad CP index table or bad indicator data. `loc` is the key path of the bad value (a
    tuple of keys and list indexes, e.g. ("enterprises", 2, "indicators", "zn_pct")),
    `path` the same joined with dots, `message` the plain message."""

    def __init__(self, loc: Loc, message: str) -> None:
        self.loc = tuple(loc)
        self.path = ".".join(str(part) for part in self.loc)
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class StudyFailed(ParkCPError):
    """No point of a study has a portfolio: the run stops with `message`. `infeasible`:
    every point was proven infeasible (exit 3); otherwise the solver found none (exit 4)."""

    def __init__(self, message: str, infeasible: bool) -> None:
        super().__init__(message)
        self.message = message
        self.infeasible = infeasible


class SolverFailure(ParkCPError):
    """The solver could not be used: not installed or licensed, or it refused the model
    (exit 4). The message says which."""


class InfeasibleStudy(ParkCPError):
    """The study's base model has no feasible portfolio."""


class FrontierSolverFailure(ParkCPError):
    """The solver stopped without a portfolio (and without proving infeasibility)."""

    def __init__(self, status: str, termination: str) -> None:
        super().__init__(f"solver failed during the frontier: {termination}")
        self.status = status


__all__ = [
    "CPIndexError",
    "DirectoryError",
    "FrontierSolverFailure",
    "InfeasibleStudy",
    "InputError",
    "Loc",
    "OutputError",
    "ParkCPError",
    "RegistryError",
    "SolverFailure",
    "StudyArgumentError",
    "StudyFailed",
]
