"""Which study points have a portfolio, and how the others are told to the user.

A point is *valid* when its solve ended with status "optimal" or "time_limit" and gave a
portfolio. Every other point (proven infeasible, stopped without a portfolio, or a
portfolio that breaks a hard limit, status "limit_violated") is kept in the study as a
row with its status, `feasible` = False and NaN figures: it is never plotted, ranked or
differenced as if it were a portfolio.

For a budget sweep the levels without a portfolio are described by budget: more budget
never makes a scenario infeasible, so when the levels up to B are infeasible, no portfolio
meets the scenario's limits with a budget of B or less.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from model.formatting import money
from model.studies.frontier import StudyPoint

VALID_STATUSES = frozenset({"optimal", "time_limit"})

_WHY = {
    "infeasible": "no portfolio meets the scenario's limits",
    "limit_violated": "the solver's portfolio breaks a hard limit",
}


def is_valid(point: StudyPoint) -> bool:
    """True when the point has a portfolio from an optimal or time-limited solve."""
    x = np.asarray(point.x, dtype=float)
    return point.status in VALID_STATUSES and x.size > 0 and bool(np.isfinite(x).all())


def blank_invalid(points: list[StudyPoint]) -> list[StudyPoint]:
    """The points with every figure of an invalid point set to NaN (status and budget
    kept; the LP shadow price of the budget too, since it describes no portfolio)."""
    return [
        point
        if is_valid(point)
        else replace(
            point,
            pollution_avoided=np.nan,
            tce_saved=np.nan,
            capex=np.nan,
            x=np.full(np.shape(point.x), np.nan),
            gap=None,
            budget_dual=None,
        )
        for point in points
    ]


def _reason(status: str) -> str:
    return _WHY.get(status, f"the solver found no portfolio (status {status})")


def _budget_range(budgets: list[float]) -> str:
    if len(budgets) == 1:
        return f"at {money(budgets[0])}"
    return f"from {money(min(budgets))} to {money(max(budgets))}"


def _least_text(least: float | None) -> str:
    if least is None or not np.isfinite(least):
        return ""
    return f"; the least budget that meets them is {money(least)}"


def sweep_notes(
    budgets: list[float], statuses: list[str], valid: list[bool], least: float | None = None
) -> list[str]:
    """One sentence per kind of level without a portfolio, e.g. '2 of 8 levels (from
    50.0 M CNY to 100.0 M CNY): no portfolio meets the scenario's limits with a budget of
    100.0 M CNY or less; the least budget that meets them is 101.1 M CNY'. `least` is
    that least budget (`model.studies.budget.least_budget`), when known. Empty when every
    level has a portfolio."""
    notes = []
    rows = list(zip(budgets, statuses, valid, strict=True))
    good = [b for b, _, ok in rows if ok]
    for kind in sorted({s for _, s, ok in rows if not ok}):
        levels = [b for b, s, ok in rows if s == kind and not ok]
        text = (
            f"{len(levels)} of {len(budgets)} level{'s' if len(budgets) > 1 else ''} "
            f"({_budget_range(levels)}): {_reason(kind)}"
        )
        if kind == "infeasible" and (not good or max(levels) < min(good)):
            text += f" with a budget of {money(max(levels))} or less" + _least_text(least)
        notes.append(text)
    return notes


def frontier_notes(
    budgets: list[float], statuses: list[str], valid: list[bool], least: float | None = None
) -> list[str]:
    """One sentence per frontier budget level with points without a portfolio: 'no
    frontier at 50.0 M CNY: no portfolio meets the scenario's limits; the least budget
    that meets them is 101.1 M CNY', or '1 point of the frontier at ... left out: ...'
    when the level has other points."""
    notes = []
    rows = list(zip(budgets, statuses, valid, strict=True))
    for level in dict.fromkeys(b for b, _, _ in rows):
        here = [(s, ok) for b, s, ok in rows if b == level]
        where = f"at {money(level)}" if np.isfinite(level) else "without a budget limit"
        for kind in sorted({s for s, ok in here if not ok}):
            count = sum(1 for s, ok in here if s == kind and not ok)
            if not any(ok for _, ok in here):
                least_note = _least_text(least) if kind == "infeasible" else ""
                notes.append(f"no frontier {where}: {_reason(kind)}{least_note}")
            else:
                points = f"{count} point{'s' if count > 1 else ''}"
                notes.append(f"{points} of the frontier {where} left out: {_reason(kind)}")
    return notes
