"""Explain an infeasible scenario in the planner's words.

Two steps:

1. `precheck(park)`: can each hard permit, park cap, reduction target and energy limit be
   met at all, ignoring the budget? The best any portfolio can do for one enterprise row
   and one pollutant is to take every project that reduces it (only the best one of each
   exclusive group) and none that increases it: what is left then is
   max(0, baseline - best reduction). If that is above the permit, no portfolio meets it.
   Park caps and targets use the same best case summed over rows; energy likewise in tce.
   These are necessary conditions only (budget, prerequisites and capacities are ignored).
2. `explain_infeasibility(park, options)`: when the pre-check passes but the solver
   proves the model infeasible, `model.optimise.relaxation.conflict` finds the limits in conflict
   and, for each, the least relaxation of that limit alone that makes the scenario
   feasible with every other limit kept (for the budget: the least net capex of a
   portfolio meeting every other limit), or that relaxing it alone is not enough, and the
   other limits that force it. `conflict_messages` words the answer: one sentence per
   limit, amounts formatted by `model.formatting`.
"""

from __future__ import annotations

import numpy as np

from model.compile.park import ParkData
from model.formatting import amount, percent
from model.input.run_options import SolverOptions
from model.optimise.relaxation import Conflict, LeastRelaxation, Limit, conflict

MAX_FORCING_NAMED = 5
"""Most limits named as forcing a relaxation; the rest are counted ("and 3 more")."""


def _t(value: float) -> str:
    return amount(value, "t/yr")


def _tce(value: float) -> str:
    return amount(value, "tce/yr")


def best_case_removal(park: ParkData, effects: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """(E, M) most that each enterprise row can remove of each pollutant/carrier.

    `effects` is the dense (N, M) matrix of reductions or savings; `usable` marks the
    projects that can act (in effect in the year considered). Only positive effects
    count; within an exclusive group only the largest member counts.
    """
    positive = np.clip(effects, 0.0, None) * usable[:, None]
    grouped = np.zeros(park.n_projects, dtype=bool)
    best = np.zeros((len(park.enterprise_ids), effects.shape[1]))
    for members in park.exclusive_groups.values():
        grouped[members] = True
        for row in np.unique(park.owner[members]):
            same_row = members[park.owner[members] == row]
            best[row] += positive[same_row].max(axis=0)
    np.add.at(best, park.owner[~grouped], positive[~grouped])
    return best


def precheck(park: ParkData) -> list[str]:
    """Limits no portfolio can meet, one planner-readable sentence each (empty = passed).

    Multi-year: in year t only projects whose lead time fits (start year + lead <= t)
    can act, so early-year limits are checked against those alone."""
    problems: list[str] = []
    reduces, saves = park.reduces.toarray(), park.saves.toarray()
    for t, year in enumerate(park.years):
        usable = park.effective_from() <= t
        when = f" in {year}" if park.multi_year else ""
        by = f"that can act by {year}" if park.multi_year else "together"
        problems += _year_problems(park, t, when, by, reduces, saves, usable)
    return problems


def _year_problems(park, t, when, by, reduces, saves, usable) -> list[str]:
    problems: list[str] = []
    best_em = np.maximum(0.0, park.baseline_emissions - best_case_removal(park, reduces, usable))
    names = park.enterprise_ids
    permit = park.permit_by_year[t]
    if park.permit_mode == "hard":
        slack = 1e-9 * np.maximum(np.abs(permit), park.baseline_emissions)  # relative: 1e-10 t/yr
        rows, cols = np.nonzero(~np.isnan(permit) & (best_em > permit + slack))
        for e, p in zip(rows, cols, strict=True):
            problems.append(
                f"{names[e]} {park.pollutant_ids[p]} permit {_t(permit[e, p])}{when} "
                f"cannot be met: all its projects {by} leave {_t(best_em[e, p])} "
                f"(baseline {_t(park.baseline_emissions[e, p])}, short by "
                f"{_t(best_em[e, p] - permit[e, p])})"
            )
    park_best = best_em.sum(axis=0)
    park_baseline = park.baseline_emissions.sum(axis=0)
    for p, pollutant in enumerate(park.pollutant_ids):
        cap = park.park_cap_by_year[t, p]
        if not np.isnan(cap) and park_best[p] > cap + 1e-9 * max(abs(cap), park_baseline[p]):
            problems.append(
                f"park {pollutant} cap {_t(cap)}{when} cannot be met: all projects "
                f"{by} leave {_t(park_best[p])} (short by {_t(park_best[p] - cap)})"
            )
        target = park.reduction_by_year[t, p]
        if not np.isnan(target):
            needed = target * park_baseline[p]
            possible = park_baseline[p] - park_best[p]
            if possible + 1e-9 * park_baseline[p] < needed:
                problems.append(
                    f"park {pollutant} reduction target {percent(target)} ({_t(needed)}){when} "
                    f"cannot be met: all projects {by} remove {_t(possible)}"
                )
    best_energy = np.maximum(0.0, park.baseline_energy - best_case_removal(park, saves, usable))
    best_tce = float((best_energy @ park.tce_per_unit).sum())
    baseline_tce = park.baseline_tce()
    cap = park.energy_cap_by_year[t]
    if not np.isnan(cap) and best_tce > cap + 1e-9 * max(abs(cap), baseline_tce):
        problems.append(
            f"park energy cap {_tce(cap)}{when} cannot be met: all projects {by} "
            f"leave {_tce(best_tce)} (short by {_tce(best_tce - cap)})"
        )
    cut = park.energy_reduction_by_year[t]
    if not np.isnan(cut):
        needed = cut * baseline_tce
        if baseline_tce - best_tce + 1e-9 * baseline_tce < needed:
            problems.append(
                f"park energy reduction target {percent(cut)} ({_tce(needed)}){when} cannot "
                f"be met: all projects {by} save {_tce(baseline_tce - best_tce)}"
            )
    return problems


def explain_infeasibility(park: ParkData, options: SolverOptions) -> list[str]:
    """Sentences explaining why a scenario that passed the pre-check is infeasible: the
    limits in conflict, how far each must move alone and what forces it (module
    docstring)."""
    return conflict_messages(park, conflict(park, options))


_WHAT_DROPPING_GIVES = {
    "budget": "what dropping each one alone would save",
    "budget_year": "what dropping each one alone would save",
    "public_budget": "what dropping each one alone would save",
    "permit": "how much less would be left without each one alone",
    "park_cap": "how much less would be left without each one alone",
    "energy_cap": "how much less would be left without each one alone",
    "reduction": "how much more could be removed without each one alone",
    "energy_reduction": "how much more could be saved without each one alone",
}
"""What the figure after a forcing limit means (by how much dropping that one limit
lowers the least relaxation), by the kind of limit that must move."""


def conflict_messages(park: ParkData, found: Conflict) -> list[str]:
    """One sentence per limit in conflict (see `explain_infeasibility`)."""
    limits = found.limits
    if found.structural:
        if found.complete:
            return [
                "no relaxation of the budgets, permits, caps and targets makes the scenario "
                "feasible: check exclusive groups, prerequisites, shared-facility capacities, "
                "options done at once and the screening"
            ]
        return [
            "the scenario is infeasible; the search for the limits in conflict found no "
            "answer in the time allowed"
        ]
    fixers = [item for item in found.candidates if item.fixes]
    if not found.candidates or any(item.amount <= 0 for item in fixers):
        return [
            "the solver reported the scenario infeasible, but on re-solving a portfolio "
            "meeting every limit exists (numerical trouble: try a tighter solver tolerance)"
        ]
    messages = []
    if len(fixers) > 1:
        messages.append("any one of the following changes alone makes the scenario feasible:")
    messages += [_fixer_sentence(park, limits, item) for item in fixers]
    for item in found.candidates:
        if item.fixes:
            continue
        label = limits[item.index].label
        if item.status == "infeasible":
            messages.append(
                f"relaxing the {label} alone, however far, does not make the scenario feasible"
            )
        else:
            messages.append(
                f"whether relaxing the {label} alone can make the scenario feasible was not "
                "settled in the time allowed"
            )
    if any(i not in {item.index for item in fixers} for i in found.joint):
        moves = [
            f"{limits[i].label} {'up' if limits[i].upper else 'down'} by "
            f"{limits[i].show(relaxation)}"
            for i, relaxation in found.joint.items()
        ]
        messages.append(f"relaxing these limits together is enough: {_and(moves)}")
    if found.complete and not fixers:
        messages.append("no single limit can make the scenario feasible by moving alone")
    if found.unsettled:
        messages.append(
            f"{found.unsettled} more limits in conflict were not examined (the search's "
            "effort limit was reached)"
        )
    return messages


def _and(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _others(limits: list[Limit], index: int) -> str:
    """The other limits in words: 'every permit, cap and target' when they are only of
    those kinds, else 'every other limit'."""
    kinds = {limit.kind for i, limit in enumerate(limits) if i != index}
    if kinds & {"budget", "budget_year", "public_budget"}:
        return "every other limit"
    families = [
        name
        for name, members in (
            ("permit", {"permit"}),
            ("cap", {"park_cap", "energy_cap"}),
            ("target", {"reduction", "energy_reduction"}),
        )
        if kinds & members
    ]
    return f"every {_and(families)}" if families else "every other limit"


def _fixer_sentence(park: ParkData, limits: list[Limit], item: LeastRelaxation) -> str:
    """'<limit> is too small / cannot be met ...: <least relaxation>. Limits that force
    this ...'."""
    limit = limits[item.index]
    plan = "plan" if park.multi_year else "portfolio"
    moved, by = limit.moved(item.amount), limit.show(item.amount)
    kind = limit.kind
    if kind == "budget":
        text = (
            f"{limit.label} is too small: the cheapest {plan} that meets "
            f"{_others(limits, item.index)} costs {limit.show(moved)} ({by} more)"
        )
    elif kind in ("budget_year", "public_budget"):
        text = (
            f"{limit.label} is too small: to meet every other limit it must be at least "
            f"{limit.show(moved)} ({by} more)"
        )
    elif kind in ("permit", "park_cap", "energy_cap"):
        what = {
            "permit": f"{park.enterprise_ids[limit.row or 0]} {_pollutant(park, limit)}",
            "park_cap": f"park {_pollutant(park, limit)}",
            "energy_cap": "park energy use",
        }[kind]
        text = (
            f"{limit.label} cannot be met together with the other limits: the least "
            f"{what} that any {plan} meeting them leaves is {limit.show(moved)} ({by} over)"
        )
    else:
        verb = "removes" if kind == "reduction" else "saves"
        baseline = (
            float(park.baseline_emissions[:, limit.item].sum())
            if kind == "reduction"
            else park.baseline_tce()
        )
        share = f" = {percent(moved / baseline)}" if baseline > 0 else ""
        text = (
            f"{limit.label} ({limit.show(limit.value)}) cannot be met together with the "
            f"other limits: the most any {plan} meeting them {verb} is "
            f"{limit.show(moved)}{share} ({by} short)"
        )
    if item.status != "optimal":
        text += " (the best found in the time allowed; the least may be smaller)"
    return text + _forcing_text(limits, item)


def _pollutant(park: ParkData, limit: Limit) -> str:
    return park.pollutant_ids[limit.item] if limit.item is not None else ""


def _forcing_text(limits: list[Limit], item: LeastRelaxation) -> str:
    """'. Limits that force this, with what dropping each one alone would save: A (x),
    B (y) and 3 more' (at most MAX_FORCING_NAMED named, most forcing first)."""
    limit = limits[item.index]
    forcing = item.forcing
    if forcing is None:
        return (
            ". The limits that force this were not checked (the search's effort limit was reached)"
        )
    if forcing.found:
        named = [
            f"{limits[k].label} ({'at least ' if k in forcing.unproven else ''}"
            f"{limit.show(item.amount - without)})"
            for k, without in forcing.found[:MAX_FORCING_NAMED]
        ]
        more = len(forcing.found) - len(named)
        listed = ", ".join(named) + (f" and {more} more" if more else "")
        text = f". Limits that force this, with {_WHAT_DROPPING_GIVES[limit.kind]}: {listed}"
    else:
        text = ". No other limit, dropped alone, lowers this"
    if forcing.checked < forcing.candidates:
        text += (
            f" (checked {forcing.checked} of {forcing.candidates} other limits before the "
            "search's effort limit)"
        )
    return text
