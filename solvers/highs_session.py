"""HiGHS set up for the embedded adapter (solvers/highs_bulk.py): a quiet `Highs` object,
options set with the key they came from, HiGHS's statuses in ParkCP's words, the tighter
tolerances of a verifying re-solve, and the check of a matrix before it is handed over.
"""

from __future__ import annotations

import highspy
import numpy as np
from pyomo.common.tee import capture_output

from solvers.base import SolverOptionError, SolveStatus

INF = highspy.kHighsInf

TIGHT_TOLERANCES = {"primal_feasibility_tolerance": 1e-10, "mip_feasibility_tolerance": 1e-10}
"""What `tighten_tolerances` sets: the smallest values HiGHS accepts (defaults 1e-7 and
1e-6, absolute, in the scaled model's units)."""

STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kInterrupt: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.UNBOUNDED,
}


def quiet_highs() -> highspy.Highs:
    """A Highs object with logging off. Its constructor prints a banner to the process's
    stdout before any option can be set; that is captured at the file-descriptor level
    (as pyomo.contrib.solver does), so the CLI's summary stays the first thing printed."""
    with capture_output(capture_fd=True):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    return h


def set_option(h: highspy.Highs, name: str, value, key: str) -> None:
    """Set one HiGHS option; `key` is where the value came from (e.g. solver.options.NAME),
    for the message when HiGHS refuses it."""
    if h.setOptionValue(name, value) == highspy.HighsStatus.kError:
        known = h.getOptionValue(name)[0] != highspy.HighsStatus.kError
        reason = f"HiGHS does not accept {value!r} here" if known else "HiGHS has no such option"
        raise SolverOptionError(key, reason)


def out_of_range(h: highspy.Highs, values: np.ndarray, costs: np.ndarray) -> str | None:
    """Why HiGHS cannot take this (scaled) matrix and these costs, or None: a number
    that is not finite, a coefficient of at least `large_matrix_value` (refused) or a
    cost of at least `infinite_cost` (read as infinite)."""
    if not (np.isfinite(values).all() and np.isfinite(costs).all()):
        return "the model handed to HiGHS holds a number that is not finite"
    largest = float(np.abs(values).max(initial=0.0))
    costliest = float(np.abs(costs).max(initial=0.0))
    large_matrix, infinite_cost = (
        h.getOptionValue(name)[1] for name in ("large_matrix_value", "infinite_cost")
    )
    if largest < large_matrix and costliest < infinite_cost:
        return None
    sizes = np.abs(values[values != 0])
    smallest = float(sizes.min()) if sizes.size else 0.0
    return (
        "the model's numbers span too wide a range for HiGHS even after scaling "
        f"(coefficients from {smallest:.3g} to {largest:.3g}, costs up to "
        f"{costliest:.3g}): check the units of the scenario's amounts (CNY, t/yr, carrier "
        "units/yr) for a value far out of line with the others"
    )
