"""Command-line study options -> schema objects (kept light: no solver imports)."""

from __future__ import annotations

from model.errors import StudyArgumentError
from model.input.run_options import BudgetSweepStudy, FrontierStudy


def parse_frontier(text: str) -> FrontierStudy:
    """`--frontier N` (grid of N points), `--frontier exact`, or the exact frontier with a
    limit: `exact:200` (at most 200 points) or `exact:600s` (at most 600 seconds)."""
    if text == "exact":
        return FrontierStudy(method="exact")
    if text.startswith("exact:"):
        limit = text.removeprefix("exact:")
        try:
            if limit.endswith("s"):
                return FrontierStudy(method="exact", time_limit=float(limit[:-1]))
            return FrontierStudy(method="exact", max_points=int(limit))
        except ValueError as error:
            raise StudyArgumentError(
                "--frontier",
                f"expected exact:POINTS (>= 2) or exact:SECONDSs such as exact:600s, got '{text}'",
            ) from error
    try:
        return FrontierStudy(method="grid", points=int(text))
    except ValueError as error:
        raise StudyArgumentError(
            "--frontier",
            f"expected a number of points (>= 2), 'exact', 'exact:POINTS' or 'exact:SECONDSs', "
            f"got '{text}'",
        ) from error


def parse_budget_sweep(text: str) -> BudgetSweepStudy:
    """`--budget-sweep FROM:TO:STEPS` (CNY, CNY, count)."""
    parts = text.split(":")
    try:
        start, stop, steps = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3:
            raise ValueError
        return BudgetSweepStudy(start=start, stop=stop, steps=steps)
    except (ValueError, IndexError) as error:
        raise StudyArgumentError(
            "--budget-sweep",
            f"expected FROM:TO:STEPS such as 0:5e7:20 with FROM < TO and STEPS >= 2, got '{text}'",
        ) from error
