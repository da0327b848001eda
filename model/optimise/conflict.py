"""The limits in conflict in an infeasible scenario, the least relaxation of each, and
the limits that force it (`conflict`), asked of one `RelaxationModel`
(model/optimise/relaxation.py).

`conflict` combines the model's two questions: elastic solves, each with the limits named
by the earlier ones kept, find candidate limits until the elastic model itself is
infeasible (then every limit that can restore feasibility alone is among the candidates:
such a limit would make that elastic model feasible); `least` then settles each
candidate. `forcing` finds, for one limit that must move, the other limits whose removal
lowers its least relaxation (a limit that no portfolio can violate is skipped: removing
it changes nothing). model/optimise/infeasibility.py words the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.compile.park import ParkData
from model.input.run_options import SolverOptions
from model.optimise.limits import Limit, can_be_violated, excesses
from model.optimise.relaxation import (
    MAX_ROUNDS,
    MAX_SOLVES,
    TOTAL_SECONDS,
    Answer,
    RelaxationModel,
)


@dataclass
class Forcing:
    """Other limits whose removal alone lowers a limit's least relaxation: `found` pairs
    (limit index, least relaxation without it), most forcing first; `checked` of
    `candidates` limits were re-solved (fewer when the effort ran out). For the limits
    in `unproven` the re-solve stopped at its time limit: the relaxation without them
    is at most the one given (they force at least that much)."""

    found: list[tuple[int, float]] = field(default_factory=list)
    checked: int = 0
    candidates: int = 0
    unproven: set[int] = field(default_factory=set)


@dataclass
class LeastRelaxation:
    """Limit `index` alone: `status` 'optimal' (proven least), 'time_limit' (the best
    found, not proven least), 'infeasible' (relaxing it alone is not enough) or
    'unknown' (no answer in the time allowed). `amount` in the limit's unit."""

    index: int
    status: str
    amount: float | None = None
    starts: np.ndarray | None = None
    x: np.ndarray | None = None
    forcing: Forcing | None = None

    @property
    def fixes(self) -> bool:
        return self.amount is not None


@dataclass
class Conflict:
    """What `conflict` found: the first elastic solve's relaxations (limit index ->
    amount), the least relaxation of every candidate limit, and whether the search was
    complete (every limit that alone restores feasibility is among the candidates)."""

    limits: list[Limit]
    joint: dict[int, float]
    candidates: list[LeastRelaxation]
    complete: bool
    structural: bool = False  # no relaxation of the limits helps at all
    unsettled: int = 0  # candidates left unsolved when time ran out


def conflict(
    park: ParkData,
    options: SolverOptions,
    total_seconds: float = TOTAL_SECONDS,
    max_rounds: int = MAX_ROUNDS,
    max_solves: int = MAX_SOLVES,
) -> Conflict:
    """Find the limits in conflict, the least relaxation of each alone and the limits
    that force it.

    1. An elastic solve names a set of limits whose joint relaxation is enough.
    2. `least` settles each: how far it must move alone, or that alone it cannot help.
    3. When none of them can help alone, further elastic solves, each keeping every
       limit named so far, look for others (at most `max_rounds` elastic solves in
       all); one that is infeasible proves that no limit outside those named can
       restore feasibility alone (`complete`).
    4. `forcing` for each limit that can: the other limits that push it that far.

    No re-solve is started after `total_seconds` or `max_solves` re-solves; what is left
    is counted."""
    model = RelaxationModel(park, options, total_seconds, max_solves)
    limits = model.limits

    first = model.elastic()
    if not first.found:
        return Conflict(limits, {}, [], complete=first.status == "infeasible", structural=True)
    joint = _positive(model, first)
    results: list[LeastRelaxation] = []
    unsettled = 0

    def settle(indices: list[int]) -> None:
        nonlocal unsettled
        for i in indices:
            if model.can_solve():
                results.append(_least(model, i))
            else:
                unsettled += 1

    settle(list(joint))
    named = list(joint)
    complete = False
    rounds = 1
    while not any(item.fixes for item in results) and rounds < max_rounds and model.can_solve():
        answer = model.elastic(kept=named)
        rounds += 1
        if not answer.found:
            complete = answer.status == "infeasible"
            break
        new = [i for i in _positive(model, answer) if i not in named]
        if not new:
            break
        named += new
        settle(new)
    for item in results:
        if item.fixes and model.can_solve():
            item.forcing = forcing(model, item)
    return Conflict(limits, joint, results, complete=complete, unsettled=unsettled)


def _positive(model: RelaxationModel, answer: Answer) -> dict[int, float]:
    """Limits the answer's plan breaks (beyond noise), with by how much."""
    return {
        i: float(value) for i, value in enumerate(answer.excesses) if value > model.tolerance(i)
    }


def _least(model: RelaxationModel, i: int) -> LeastRelaxation:
    answer = model.least(i)
    if not answer.found:
        status = "infeasible" if answer.status == "infeasible" else "unknown"
        return LeastRelaxation(i, status)
    return LeastRelaxation(i, answer.status, float(answer.excesses[i]), answer.starts, answer.x)


def forcing(model: RelaxationModel, item: LeastRelaxation) -> Forcing:
    """The other limits whose removal alone lowers limit `item.index`'s least relaxation,
    with its least relaxation without each, most forcing first. Each removal is a
    re-solve started from the portfolio found (still feasible without the limit). A
    limit no portfolio can violate is skipped (removing it changes nothing), and so is
    an earlier year's budget for a year's budget with carry-over (`_voids`). The limits
    the portfolio meets with the least margin (relative to their size) are tried first,
    so that a search cut short has tried the likeliest. A re-solve stopped by its time
    limit still proves a lower relaxation when its portfolio has one."""
    i = item.index
    limits = model.limits
    margins = -excesses(model.park, limits, item.starts)
    candidates = sorted(
        (
            k
            for k, other in enumerate(limits)
            if k != i
            and can_be_violated(model.park, other)
            and not _voids(other, limits[i], model.park)
        ),
        key=lambda k: margins[k] / max(abs(limits[k].value), 1e-12),
    )
    result = Forcing(candidates=len(candidates))
    for k in candidates:
        if not model.can_solve():
            break
        answer = model.least(i, dropped=[k], start=item.x)
        result.checked += 1
        if answer.found:
            without = float(answer.excesses[i])
            if without < item.amount - model.tolerance(i, item.amount):
                result.found.append((k, without))
                if answer.status != "optimal":
                    result.unproven.add(k)
    result.found.sort(key=lambda pair: pair[1])
    return result


def _voids(dropped: Limit, limit: Limit, park: ParkData) -> bool:
    """True when dropping `dropped` leaves nothing of `limit`, so it is not a limit that
    forces it but the same money: with carry-over, dropping an earlier year's budget
    frees every cumulative row a later year's budget is in."""
    return (
        park.carry_over
        and dropped.kind == limit.kind == "budget_year"
        and dropped.year < limit.year
    )
