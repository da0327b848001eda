"""HiGHS's own options, and the check of a scenario's `solver.options` against them.

`solver.options` are handed to HiGHS unchanged (solvers/highs_bulk.py). HiGHS answers a
misspelt name or a value of the wrong type or range with an error status and goes on
without the option, so a typo such as `time_limt: 60` would silently run without a time
limit. Loading a scenario therefore asks HiGHS itself about every option:

* the name: `Highs.getOptionType(name)` (an unknown name is an error status); the
  suggestion for a misspelt one comes from the option list HiGHS writes with
  `Highs.writeOptions`, which also gives each option's description and range;
* the type: a bool option takes true/false, an integer option a whole number, a double
  option a finite number, a string option text;
* the value: set on a scratch `Highs` object (and set back); HiGHS checks the range
  (numbers) or the allowed values (text, e.g. presolve: off, choose or on). Any text
  is a valid file name for the `*_file` options (not set: `log_file` would create it).

Options of other solvers cannot be checked: Pyomo passes them on to the solver unread.
"""

from __future__ import annotations

import math
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from model.formatting import suggest


@dataclass(frozen=True)
class HighsOption:
    """One option as HiGHS describes it."""

    name: str
    kind: str
    """'bool', 'integer', 'double' or 'string'."""
    description: str
    range: str
    """As HiGHS writes it, e.g. '[0, inf]' or '{0, 2147483647}'; '' for text options."""


_HEADER = re.compile(r"#\s*\[type:\s*(\w+)")
_RANGE = re.compile(r"range:\s*([\[{][^\]}]*[\]}])")


@cache
def _scratch_highs():
    """A silent Highs object, used only to ask about options (its constructor's banner
    and HiGHS's error lines are captured)."""
    import highspy
    from pyomo.common.tee import capture_output

    with capture_output(capture_fd=True):
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
    return highs


@cache
def highs_options() -> dict[str, HighsOption]:
    """Every option `Highs.writeOptions` lists, by name."""
    from pyomo.common.tee import capture_output

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "options.txt"
        with capture_output(capture_fd=True):
            _scratch_highs().writeOptions(str(path))
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    options: dict[str, HighsOption] = {}
    for number, line in enumerate(lines):
        name, equals, _ = line.partition("=")
        if line.startswith("#") or not equals or number < 2:
            continue
        header = _HEADER.match(lines[number - 1])
        if header is None:
            continue
        description = lines[number - 2].lstrip("# ").rstrip(" ,")
        bounds = _RANGE.search(lines[number - 1])
        options[name.strip()] = HighsOption(
            name.strip(), header.group(1), description, bounds.group(1) if bounds else ""
        )
    return options


def _kind(name: str) -> str | None:
    """The option's type as HiGHS reports it, or None when HiGHS has no such option."""
    import highspy

    status, kind = _scratch_highs().getOptionType(name)
    if status != highspy.HighsStatus.kOk:
        return None
    return {
        highspy.HighsOptionType.kBool: "bool",
        highspy.HighsOptionType.kInt: "integer",
        highspy.HighsOptionType.kDouble: "double",
        highspy.HighsOptionType.kString: "string",
    }.get(kind)


def _finite(value: object) -> bool:
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except OverflowError:  # a whole number beyond the float range
        return False


def _type_problem(kind: str, value: object) -> str | None:
    """How `value` fails the option's type ("takes ..."), or None."""
    if kind == "bool":
        return None if isinstance(value, bool) else "takes true or false"
    if kind == "integer":
        return (
            None
            if isinstance(value, int) and not isinstance(value, bool)
            else ("takes a whole number")
        )
    if kind == "double":
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if number and _finite(value) else "takes a finite number"
    return None if isinstance(value, str) else "takes text (put it in quotes)"


def highs_option_problem(name: str, value: object) -> str | None:
    """Why HiGHS would refuse `name: value`, or None when it accepts it."""
    import highspy
    from pyomo.common.tee import capture_output

    kind = _kind(name)
    if kind is None:
        return f"unknown HiGHS option '{name}'{suggest(name, highs_options())}"
    described = highs_options().get(name)
    problem = _type_problem(kind, value)
    if problem:
        shown = repr(value) if isinstance(value, str) else str(value).lower()
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        hint = f" ({described.description})" if described and kind == "string" else ""
        return f"HiGHS option '{name}' {problem}, not {shown}{hint}"
    if name.endswith("_file"):  # any text names a file; setting log_file would create it
        return None
    highs = _scratch_highs()
    try:
        with capture_output(capture_fd=True):
            _, previous = highs.getOptionValue(name)
            status = highs.setOptionValue(name, value)
            highs.setOptionValue(name, previous)
    except (TypeError, OverflowError):  # a whole number too large for C++
        status = highspy.HighsStatus.kError
    if status == highspy.HighsStatus.kOk:
        return None
    if described and described.range:
        return f"{value} is outside the range {described.range} of HiGHS option '{name}'"
    detail = f": {described.description}" if described else ""
    return f"HiGHS refuses {value!r} for option '{name}'{detail}"
