"""Progress on long studies: the budget sweep counts levels (not worker chunks), the
exact frontier stops at a limit of points or time and keeps what it found, and the bar
stays silent when stderr is not a terminal."""

from __future__ import annotations

import numpy as np
import pytest
from test_formulation import compiled
from test_studies import EXACT, frontier_of, nondominated_bruteforce

from model.errors import StudyArgumentError
from model.studies.args import parse_frontier
from model.studies.budget import run_budget_sweep
from model.studies.progress import progress_bar


def test_budget_sweep_progress_counts_each_level() -> None:
    park = compiled(0, "permits")
    budgets = np.linspace(0.2, 1.0, 4) * park.capex.sum()
    calls: list[tuple[int, int]] = []
    run_budget_sweep(park, EXACT, budgets, progress=lambda done, total: calls.append((done, total)))
    # one call before the first level, then one per level solved: 0/4, 1/4, ..., 4/4
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_budget_sweep_progress_in_workers_ends_at_every_level() -> None:
    park = compiled(1, "permits")
    budgets = np.linspace(0.2, 1.0, 5) * park.capex.sum()
    calls: list[tuple[int, int]] = []
    run_budget_sweep(
        park, EXACT, budgets, workers=2, progress=lambda done, total: calls.append((done, total))
    )
    # chunks of 3 and 2 levels: the count is of levels, and it ends at 5 of 5
    assert calls[0] == (0, 5) and calls[-1] == (5, 5)
    assert all(total == 5 for _, total in calls)


def test_exact_frontier_stops_at_a_point_limit_and_keeps_what_it_found() -> None:
    park = compiled(0, "budget")
    full = frontier_of(park, method="exact", step=1e-3)
    assert len(full) > 3, "the case needs a frontier longer than the limit"
    found: list[int] = []
    stopped = frontier_of(park, method="exact", step=1e-3, max_points=3, on_point=found.append)
    pairs = {(round(p.pollution_avoided, 6), round(p.tce_saved, 6)) for p in stopped}
    # 2 walked points + the best-energy extreme, all on the enumerated frontier
    assert len(stopped) == 3
    assert pairs <= nondominated_bruteforce(park)
    assert [p.pollution_avoided for p in stopped[:2]] == [p.pollution_avoided for p in full[:2]]
    assert stopped[-1].extra["stopped"] == "stopped at the limit of 3 points"
    assert found == [2]


def test_exact_frontier_time_limit_keeps_the_extremes() -> None:
    park = compiled(0, "budget")
    stopped = frontier_of(park, method="exact", step=1e-3, time_limit=1e-9)
    assert len(stopped) == 2  # the two extremes, solved before the walk starts
    assert "time limit" in stopped[-1].extra["stopped"]


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [("exact:200", "max_points", 200), ("exact:600s", "time_limit", 600.0)],
)
def test_frontier_option_takes_a_limit(text: str, field: str, value: float) -> None:
    spec = parse_frontier(text)
    assert spec.method == "exact" and getattr(spec, field) == value


def test_frontier_option_refuses_a_bad_limit() -> None:
    with pytest.raises(StudyArgumentError, match="exact:600s"):
        parse_frontier("exact:soon")


def test_progress_bar_is_silent_off_a_terminal(capsys) -> None:
    with progress_bar("budget sweep", 3, "levels") as bar:
        for done in range(4):
            bar.update_to(done)
    assert capsys.readouterr().err == ""
